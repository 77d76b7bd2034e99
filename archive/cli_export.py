"""``epistula export``: write the archive's letters in the forms repositories take in."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from archive.api import EXPORT_FORMATS
from archive.cli_common import EXIT_USAGE, emit_json, fail, get_archive, json_option
from metadata.errors import EpistulaError
from search.errors import QuerySyntaxError

#: options that only one format reads
_FORMAT_OPTIONS = {"zip": "saf", "url": "cmif", "collections": "saf"}


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help="tei: a TEI file per letter; teicorpus: one teiCorpus; dc: an oai_dc record per letter "
    "and index.csv; cmif: one CMIF file for correspSearch; bagit: a BagIt 1.0 bag with METS; "
    "saf: DSpace Simple Archive Format; csv: Dublin Core, one row per letter.",
)
@click.option("--query", help="Export the letters this search finds (the search syntax).")
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty OUT.")
@click.option(
    "--date",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
    metavar="DATE",
    help="The date the package states, YYYY-MM-DD[THH:MM:SS] in UTC (default: now); pin it "
    "for byte-identical exports.",
)
@click.option("--zip", "as_zip", is_flag=True, help="saf: write the items as OUT/saf.zip.")
@click.option("--url", help="cmif: the address the CMIF file will be published at.")
@click.option(
    "--collection",
    "collections",
    multiple=True,
    metavar="HANDLE",
    help="saf: the DSpace collection every item goes into (repeatable).",
)
@json_option
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.argument("out", type=click.Path(path_type=Path), metavar="OUT")
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    query: str | None,
    force: bool,
    date: datetime | None,
    as_zip: bool,
    url: str | None,
    collections: tuple[str, ...],
    as_json: bool,
    ids: tuple[str, ...],
    out: Path,
) -> None:
    """Export letters (all of them, the IDs given, or those --query finds) into the directory OUT.

    OUT must be new or empty (or pass --force). The export is complete or absent: a failure
    leaves nothing behind. The same archive gives byte-identical output with the same --date.
    --json prints the letters and every file written.

    \b
    Example:
      epistula export --format tei out/tei
      epistula export --format bagit --query 'from:Moreau' out/bag
      epistula export --format cmif --url https://example.org/cmif.xml out/cmif
      epistula export --format saf --zip --collection 123456789/2 out/saf
    """
    given = {"zip": as_zip, "url": url, "collections": collections}
    for option, value in given.items():
        if value and _FORMAT_OPTIONS[option] != fmt:
            name = "collection" if option == "collections" else option
            raise click.UsageError(f"--{name} applies to --format {_FORMAT_OPTIONS[option]} only")
    if ids and query:
        raise click.UsageError("give letter IDs or --query, not both")
    archive = get_archive(ctx)
    try:
        chosen = archive.select(ids, query)
        with click.progressbar(
            length=len(chosen),
            label=f"Exporting {fmt}",
            file=sys.stderr,
            show_pos=True,
            hidden=not sys.stderr.isatty(),
        ) as bar:
            result = archive.export(
                fmt,
                out,
                ids=chosen,
                force=force,
                date=date.replace(tzinfo=UTC) if date else None,
                zip=as_zip,
                url=url,
                collections=collections,
                progress=bar.update,
            )
    except QuerySyntaxError as err:
        fail(str(err), EXIT_USAGE)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(result.to_json())
    if fmt == "cmif" and not url:
        click.echo("Warning: no --url given; correspSearch needs the address of the file", err=True)
    letters = len(result.letters)
    click.echo(
        f"Exported {letters} {'letter' if letters == 1 else 'letters'} as {fmt} to {out} "
        f"({len(result.files)} {'file' if len(result.files) == 1 else 'files'})",
        err=True,
    )


#: the commands this module adds to ``epistula``
COMMANDS = [export]
