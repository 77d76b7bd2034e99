"""The ``epistula`` command: a thin layer over :mod:`archive.api`.

Each command parses its arguments, calls the API once and renders the result. Results go to
stdout (text, or one JSON document with ``--json``); progress and warnings go to stderr.
Exit codes: 0 success, 1 when any file or letter failed, 2 for usage and query errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archive import cli_edit, cli_export, cli_search
from archive.api import DEFAULT_ARCHIVE, Archive, app_version, collect_files
from archive.cli_common import EXIT_FAILED, emit_json, fail, get_archive, json_option
from archive.errors import ArchiveError
from ingest.limits import Limits
from search.errors import SearchError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--archive",
    "archive_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ARCHIVE,
    envvar="EPISTULA_ARCHIVE",
    show_default=True,
    help="Archive directory (also read from EPISTULA_ARCHIVE).",
)
@click.version_option(app_version(), prog_name="epistula")
@click.pass_context
def cli(ctx: click.Context, archive_path: Path) -> None:
    """Epistula: ingest letters (text, DOCX, PDF) into a TEI archive, search and export it.

    \b
    Example:
      epistula ingest letters/ --recursive
      epistula search 'from:Engesland Kazakhstan'
    """
    ctx.obj = Archive(archive_path)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-r", "--recursive", is_flag=True, help="Descend into folders.")
@click.option("--password", help="Password for encrypted PDFs.")
@json_option
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    recursive: bool,
    password: str | None,
    as_json: bool,
) -> None:
    """Ingest letter files into the archive (created on first use).

    Prints one line per file: added, unchanged (same bytes already archived) or failed.
    A bad file never stops the batch; the exit status is 1 if any file failed.

    \b
    Example:
      epistula ingest letter.docx scans/*.pdf
    """
    archive = get_archive(ctx)
    files = collect_files(paths, recursive)
    # the bar only shows on a terminal: scripts and logs get the results alone
    with click.progressbar(
        length=len(files),
        label="Ingesting",
        file=sys.stderr,
        show_pos=True,
        hidden=not sys.stderr.isatty(),
    ) as bar:
        report = archive.ingest(
            files,
            limits=Limits(password=password),
            progress=lambda _path: bar.update(1),
        )
    if as_json:
        emit_json(report.to_json())
    else:
        for result in report.results:
            detail = result.id if result.status != "failed" else result.error
            click.echo(f"{result.status:<9} {result.file}  {detail}")
    if report.index_error:
        click.echo(f"Warning: {report.index_error}", err=True)
    if report.count("failed"):
        click.echo(f"{report.count('failed')} of {len(report.results)} files failed", err=True)
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("letter_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["summary", "tei", "dc", "text"]),
    default="summary",
    show_default=True,
    help="What to print.",
)
@json_option
@click.pass_context
def show(ctx: click.Context, letter_id: str, fmt: str, as_json: bool) -> None:
    """Show one letter: its catalogue card, TEI, Dublin Core or text.

    \b
    Example:
      epistula show L-2017-07-13-engesland-niinisto-818932f2 --json
    """
    archive = get_archive(ctx)
    try:
        if as_json:
            emit_json(archive.card(letter_id).to_json())
        elif fmt == "tei":
            click.echo(archive.tei_bytes(letter_id).decode("utf-8"), nl=False)
        elif fmt == "dc":
            click.echo(archive.dc_bytes(letter_id).decode("utf-8"), nl=False)
        elif fmt == "text":
            click.echo(archive.text(letter_id))
        else:
            _print_card(archive.card(letter_id).to_json())
    except ArchiveError as err:
        fail(str(err))


_CARD_LINES = (
    ("Title", "title"),
    ("Date", "date_text"),
    ("From", "senders"),
    ("Organisations", "sender_orgs"),
    ("To", "recipients"),
    ("Address", "recipient_address"),
    ("Place sent", "place_sent"),
    ("Place received", "place_received"),
    ("Language", "language"),
    ("Salutation", "salute"),
    ("Closing", "closer_salute"),
    ("Sections", "heads"),
    ("Notes", "notes"),
    ("Links", "links"),
    ("Pages", "pages"),
    ("Words", "words"),
)


def _print_card(card: dict[str, Any]) -> None:
    click.echo(card["id"])
    for label, key in _CARD_LINES:
        value = card.get(key)
        if value in (None, [], ""):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        click.echo(f"  {label + ':':<16}{value}")
    source = card["source"]
    click.echo(
        f"  {'Source:':<16}{source['filename']} ({source['media_type']}, "
        f"{source['bytes']} bytes, sha256 {source['sha256'][:16]}…)"
    )
    if card["missing_parts"]:
        click.echo(f"  {'Not recognised:':<16}{', '.join(card['missing_parts'])}")


@cli.command(name="list")
@json_option
@click.pass_context
def list_letters(ctx: click.Context, as_json: bool) -> None:
    """List the letters in the archive, oldest first.

    \b
    Example:
      epistula list --json
    """
    archive = get_archive(ctx)
    try:
        cards = sorted(archive.cards(), key=lambda c: (c.date or "9999", c.id))
    except ArchiveError as err:
        fail(str(err))
    if as_json:
        emit_json(
            {
                "total": len(cards),
                "letters": [
                    {k: card.to_json()[k] for k in ("id", "title", "date", "senders", "recipients")}
                    for card in cards
                ],
            }
        )
        return
    for card in cards:
        who = f"{', '.join(card.senders or card.sender_orgs) or '?'} → " + (
            ", ".join(card.recipients or card.recipient_orgs) or "?"
        )
        click.echo(f"{card.date or 'undated':<10}  {card.id}  {who}  {card.title}")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--schema",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Validate TEI against this RELAX NG (e.g. tei_all.rng) instead of Epistula's profile.",
)
@json_option
@click.pass_context
def validate(ctx: click.Context, ids: tuple[str, ...], schema: Path | None, as_json: bool) -> None:
    """Check the archive: OCFL fixity, TEI validity and Dublin Core derived from the TEI.

    \b
    Example:
      epistula validate --schema tei_all.rng
    """
    archive = get_archive(ctx)
    try:
        problems = archive.validate(ids or None, schema)
        checked = len(ids) if ids else len(archive.ids())
    except ArchiveError as err:
        fail(str(err))
    if as_json:
        emit_json(
            {"checked": checked, "valid": not problems, "problems": [p.to_json() for p in problems]}
        )
    else:
        for p in problems:
            click.echo(f"{p.id}: [{p.code}] {p.message}")
        if problems:
            click.echo(f"{len(problems)} problems in {checked} letters", err=True)
    if problems:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the TEI in the archive.

    \b
    Example:
      epistula reindex
    """
    archive = get_archive(ctx)
    try:
        count = archive.reindex()
    except (ArchiveError, SearchError) as err:
        fail(str(err))
    click.echo(f"Indexed {count} letters", err=True)


for command in (*cli_search.COMMANDS, *cli_export.COMMANDS, *cli_edit.COMMANDS):
    cli.add_command(command)


def main() -> None:
    cli()
