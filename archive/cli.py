"""The ``epistula`` command: a thin layer over :mod:`archive.api`.

Each command parses its arguments, calls the API once and renders the result. Results go to
stdout (text, or one JSON document with ``--json``); progress and warnings go to stderr.
Exit codes: 0 success, 1 when any file or letter failed, 2 for usage and query errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive.api import DEFAULT_ARCHIVE, Archive, app_version, collect_files
from archive.errors import ArchiveError
from ingest.limits import Limits
from search.errors import QuerySyntaxError, SearchError
from search.query import MARK_END, MARK_START

EXIT_FAILED = 1
EXIT_USAGE = 2


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(func)


def _archive(ctx: click.Context) -> Archive:
    return ctx.find_object(Archive)  # type: ignore[return-value]


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


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
    archive = _archive(ctx)
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
        _emit_json(report.to_json())
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
    archive = _archive(ctx)
    try:
        if as_json:
            _emit_json(archive.card(letter_id).to_json())
        elif fmt == "tei":
            click.echo(archive.tei_bytes(letter_id).decode("utf-8"), nl=False)
        elif fmt == "dc":
            click.echo(archive.dc_bytes(letter_id).decode("utf-8"), nl=False)
        elif fmt == "text":
            click.echo(archive.text(letter_id))
        else:
            _print_card(archive.card(letter_id).to_json())
    except ArchiveError as err:
        _fail(str(err))


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


@cli.command()
@click.argument("query_text", metavar="QUERY")
@click.option("--limit", type=click.IntRange(1, 10000), default=10, show_default=True)
@json_option
@click.pass_context
def search(ctx: click.Context, query_text: str, limit: int, as_json: bool) -> None:
    """Search the archive. Words are ANDed; accents and case are ignored.

    Fields: from:/sender:, to:/recipient:, place:, title:, lang:, date:, year:.

    \b
    Example:
      epistula search 'Niinisto' --json
      epistula search 'to:Niinistö "human rights"'
    """
    archive = _archive(ctx)
    try:
        results = archive.search(query_text, limit)
    except QuerySyntaxError as err:
        _fail(str(err), EXIT_USAGE)
    except (SearchError, ArchiveError) as err:
        _fail(str(err))
    if as_json:
        _emit_json(
            {
                "query": results.query,
                "total": results.total,
                "hits": [_hit_json(hit) for hit in results.hits],
            }
        )
        return
    if not results.hits:
        click.echo(f"No letters match {query_text!r}.", err=True)
        return
    for hit in results.hits:
        who = f"{', '.join(hit.senders) or '?'} → {', '.join(hit.recipients) or '?'}"
        click.echo(f"{hit.date or 'undated':<10}  {who}  {click.style(hit.title, bold=True)}")
        click.echo(f"            {hit.id}")
        click.echo(f"            {_styled_snippet(hit.snippet)}")
    click.echo(f"{results.total} letters match; {len(results.hits)} shown.", err=True)


def _hit_json(hit: Any) -> dict[str, Any]:
    data = dict(hit.__dict__)
    data["snippet"] = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
    return data


def _styled_snippet(snippet: str) -> str:
    parts = snippet.split(MARK_START)
    return "".join(
        part if index % 2 == 0 else click.style(part, bold=True, fg="yellow")
        for index, part in enumerate(parts)
    )


@cli.command(name="list")
@json_option
@click.pass_context
def list_letters(ctx: click.Context, as_json: bool) -> None:
    """List the letters in the archive, oldest first.

    \b
    Example:
      epistula list --json
    """
    archive = _archive(ctx)
    try:
        cards = sorted(archive.cards(), key=lambda c: (c.date or "9999", c.id))
    except ArchiveError as err:
        _fail(str(err))
    if as_json:
        _emit_json(
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
    archive = _archive(ctx)
    try:
        written = archive.export(fmt, outdir, force=force)
    except ArchiveError as err:
        _fail(str(err))
    if as_json:
        _emit_json({"format": fmt, "directory": str(outdir), "files": [str(p) for p in written]})
    else:
        click.echo(f"Exported {len(written)} letters as {fmt} to {outdir}", err=True)


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
    archive = _archive(ctx)
    try:
        problems = archive.validate(ids or None, schema)
        checked = len(ids) if ids else len(archive.ids())
    except ArchiveError as err:
        _fail(str(err))
    if as_json:
        _emit_json(
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
    archive = _archive(ctx)
    try:
        count = archive.reindex()
    except (ArchiveError, SearchError) as err:
        _fail(str(err))
    click.echo(f"Indexed {count} letters", err=True)


def main() -> None:
    cli()
