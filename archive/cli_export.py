"""``epistula export``: write the archive's letters in the forms repositories take in."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli_common import emit_json, fail, get_archive, json_option
from archive.errors import ArchiveError


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["tei", "dc"]), required=True, help="Export format."
)
@click.option("--force", is_flag=True, help="Replace a non-empty output directory.")
@click.argument("outdir", type=click.Path(path_type=Path))
@json_option
@click.pass_context
def export(ctx: click.Context, fmt: str, force: bool, outdir: Path, as_json: bool) -> None:
    """Export every letter as TEI or as an oai_dc record, one file per letter.

    \b
    Example:
      epistula export --format tei out/tei
    """
    archive = get_archive(ctx)
    try:
        written = archive.export(fmt, outdir, force=force)
    except ArchiveError as err:
        fail(str(err))
    if as_json:
        emit_json({"format": fmt, "directory": str(outdir), "files": [str(p) for p in written]})
    else:
        click.echo(f"Exported {len(written)} letters as {fmt} to {outdir}", err=True)


#: the commands this module adds to ``epistula``
COMMANDS = [export]
