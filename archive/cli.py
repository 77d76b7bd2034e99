"""The ``epistula`` command: a thin layer over :mod:`archive.api`.

Each command parses its arguments, calls the API once and renders the result. Results go to
stdout (text, or one JSON document with ``--json``); progress and warnings go to stderr.
Exit codes: 0 success, 1 when any file or letter failed, 2 for usage and query errors.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import click

from archive import cli_edit, cli_export, cli_lifecycle, cli_search
from archive.api import (
    DEFAULT_ARCHIVE,
    SKIPPED_PLURALS,
    Archive,
    IngestReport,
    IngestResult,
    Skipped,
    ValidationProblem,
    app_version,
    ingest_limits,
    remedy_for,
)
from archive.cli_common import (
    EXIT_FAILED,
    EXIT_USAGE,
    Period,
    emit_json,
    fail,
    get_archive,
    json_option,
    ocr_languages,
    plural,
)
from archive.cli_edit import parse_assignments, set_option
from archive.cli_lifecycle import message_option
from archive.serve.command import serve
from ingest.limits import CHANGES, COMMENTS, MIB, Limits
from metadata.edit import MetadataError, normalise_fields
from metadata.errors import EpistulaError


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
@click.option(
    "--user",
    metavar="NAME",
    help="Who the versions written are recorded for (default: EPISTULA_USER, else the login name).",
)
@click.option(
    "-m",
    "--message",
    metavar="TEXT",
    help="Why: recorded in every version written (default: what was done, e.g. 'edit: date').",
)
@click.version_option(app_version(), prog_name="epistula")
@click.pass_context
def cli(ctx: click.Context, archive_path: Path, user: str | None, message: str | None) -> None:
    """Epistula: ingest letters (text, DOCX, PDF) into a TEI archive, search and export it.

    \b
    Example:
      epistula ingest letters/ --recursive
      epistula search 'from:Moreau wetlands'
    """
    ctx.obj = Archive(archive_path, user=user, message=message)


class _Size(click.ParamType):
    """A size in MiB, or with a unit: 500K, 200M, 2G."""

    name = "size"
    _UNITS: ClassVar[dict[str, int]] = {"": MIB, "k": 1024, "m": MIB, "g": 1024 * MIB}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().removesuffix("ib").removesuffix("b")
        unit = text[-1] if text and text[-1] in "kmg" else ""
        try:
            number = float(text[: len(text) - len(unit)])
        except ValueError:
            self.fail(f"{value!r} is not a size (e.g. 200, 200M, 2G)", param, ctx)
        if number <= 0:
            self.fail(f"{value!r} must be more than 0", param, ctx)
        return int(number * self._UNITS[unit])


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-r", "--recursive", is_flag=True, help="Descend into folders.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Follow symbolic links (those in a folder only while they stay inside it).",
)
@click.option(
    "--password",
    is_flag=False,
    flag_value="",
    default=None,
    help="Password for encrypted PDFs (give --password alone to be asked for it; on a "
    "terminal you are asked anyway when an encrypted PDF needs one).",
)
@click.option(
    "--ocr",
    is_flag=True,
    help="Read scans (PDF pages without text, TIFF/PNG/JPEG images) with Tesseract.",
)
@click.option(
    "--lang",
    metavar="CODES",
    help="Language(s) of scanned letters for OCR, e.g. en, de, eng+deu "
    "(default: the archive's language).",
)
@click.option(
    "--changes",
    type=click.Choice(CHANGES),
    default="accept",
    show_default=True,
    help="Word tracked changes: accept them, or record them as TEI add/del.",
)
@click.option(
    "--comments",
    type=click.Choice(COMMENTS),
    default="keep",
    show_default=True,
    help="Word comments: keep them as TEI note[@type='comment'], or omit them.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Files read in parallel by this many worker processes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=Limits.timeout,
    show_default=True,
    help="Seconds one file may take to read (OCR included); 0 for no limit.",
)
@click.option(
    "--max-size",
    type=_Size(),
    default=f"{Limits.max_file_bytes // MIB}M",
    show_default=True,
    help="Largest file accepted (also bounds a DOCX's unpacked size at 2.5 times this).",
)
@click.option(
    "--max-memory",
    type=_Size(),
    default=f"{(Limits.max_memory_bytes or 0) // MIB}M",
    show_default=True,
    help="Memory one worker may use while reading a file.",
)
@click.option(
    "--period",
    type=Period(),
    metavar="YEAR-YEAR",
    help="The years the letters were written in (a collection's span): a two-digit year "
    "such as '25. X. 90' is read as the one year in it that ends so.",
)
@click.option(
    "--metadata",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="CSV manifest: a 'file' column and one column per field, one row per letter.",
)
@set_option
@message_option
@json_option
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    recursive: bool,
    follow_symlinks: bool,
    password: str | None,
    ocr: bool,
    lang: str | None,
    changes: str,
    comments: str,
    jobs: int,
    timeout: float,
    max_size: int,
    max_memory: int,
    period: tuple[int, int] | None,
    metadata: Path | None,
    assignments: tuple[str, ...],
    as_json: bool,
) -> None:
    """Ingest letter files into the archive (created on first use).

    Prints one line per file: added, unchanged (same bytes already archived) or failed.
    A bad file never stops the batch; the exit status is 1 if any file failed. Ctrl-C
    stops after the letter in hand, with what is done stored and indexed (exit status 130).

    \b
    Example:
      epistula ingest letter.docx scans/*.pdf
      epistula ingest --ocr --lang de scans/ --recursive --jobs 2
      epistula ingest draft.docx --changes record --comments omit
      epistula ingest letters/ --metadata letters/manifest.csv --set place_received=Leeds
      epistula ingest schnitzler/ --period 1880-1931

    Metadata you supply wins over what is recognised: a --metadata CSV row (columns named as
    in 'show --json', a 'file' column), then a sidecar beside the letter (letter.pdf.json or
    .yaml), then --set.
    """
    archive = get_archive(ctx)
    try:
        fields = normalise_fields(parse_assignments(assignments))
    except MetadataError as err:
        fail(str(err), EXIT_USAGE)
    user = {"fields": fields, "manifest": metadata}
    files = archive.collect(paths, recursive, metadata, follow_symlinks)
    if not files:  # (and no archive is created)
        _nothing_to_ingest(paths, files.skipped, as_json)
    if not archive.exists:
        click.echo(f"Creating a new archive in {archive.path} (it is not one yet)", err=True)
    if password == "":
        password = click.prompt("Password for encrypted PDFs", hide_input=True, err=True)
    limits = ingest_limits(
        password=password,
        ocr=ocr,
        ocr_languages=ocr_languages(archive, lang),
        changes=changes,
        comments=comments,
        timeout=timeout,
        max_size=max_size,
        max_memory=max_memory,
        period=period,
    )
    try:
        with _stop_when_asked() as stop, _progress(len(files)) as progress:
            report = archive.ingest(
                files, limits=limits, jobs=jobs, progress=progress, stop=stop, **user
            )
    except EpistulaError as err:  # the archive itself (its settings, the store, a manifest)
        fail(str(err))
    except KeyboardInterrupt:
        click.echo(
            "\nStopped at once. What was stored is kept; run the same command again to index "
            "it and go on.",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    locked = report.needing_password()
    if (
        locked
        and password is None
        and sys.stdin.isatty()
        and sys.stderr.isatty()
        and not report.interrupted
    ):
        # a terminal: ask once, and try the encrypted files again with the answer
        names = ", ".join(Path(r.file).name for r in locked[:3]) + ("…" if len(locked) > 3 else "")
        answer = click.prompt(
            f"Password for {names}", hide_input=True, default="", show_default=False, err=True
        )
        if answer:
            with _progress(len(locked)) as progress:
                archive.ingest_with_password(
                    report, answer, limits, jobs=jobs, progress=progress, **user
                )
    if as_json:
        emit_json({**report.to_json(), "skipped": [s.to_json() for s in files.skipped]})
    else:
        for result in report.results:
            click.echo(f"{result.status:<9} {result.file}  {_detail(result)}")
    _report_skipped(files.skipped)
    if report.index_error:
        click.echo(f"Warning: {report.index_error}", err=True)
    if report.count("failed"):
        click.echo(f"{report.count('failed')} of {len(report.results)} files failed", err=True)
    if report.interrupted:
        click.echo(
            f"Interrupted after {len(report.results)} of {len(files)} files; the letters done "
            "are stored and indexed. Run the same command again to go on (files done report "
            "'unchanged').",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    if report.count("failed"):
        sys.exit(EXIT_FAILED)


#: the exit status of a batch stopped by Ctrl-C (128 + SIGINT, as shells report it)
EXIT_INTERRUPTED = 130
#: skipped paths named one by one before the rest are only counted
SKIPPED_SHOWN = 5


def _detail(result: IngestResult) -> str:
    if result.status == "failed":
        return result.error or ""
    if result.same_as:
        return f"{result.id} (same bytes as {result.same_as})"
    return result.id or ""


def _report_skipped(skipped: list[Skipped]) -> None:
    """One line per kind of path left out, naming the first few (on stderr)."""
    by_reason: dict[str, list[Skipped]] = {}
    for entry in skipped:
        by_reason.setdefault(entry.reason, []).append(entry)
    for entries in by_reason.values():
        if len(entries) == 1:
            click.echo(f"Skipped {entries[0].path}: {entries[0].message}", err=True)
            continue
        names = ", ".join(str(e.path) for e in entries[:SKIPPED_SHOWN])
        more = f" and {len(entries) - SKIPPED_SHOWN} more" if len(entries) > SKIPPED_SHOWN else ""
        what = SKIPPED_PLURALS[entries[0].reason]
        click.echo(f"Skipped {len(entries)} {what}: {names}{more}", err=True)


def _nothing_to_ingest(paths: tuple[Path, ...], skipped: list[Skipped], as_json: bool) -> None:
    """No file to read: an empty folder is no fault, but one whose every entry was left out
    (subfolders without --recursive, links) is, and says so."""
    if as_json:
        emit_json(
            {
                **IngestReport().to_json(),
                "skipped": [s.to_json() for s in skipped],
            }
        )
    _report_skipped(skipped)
    where = ", ".join(str(p) for p in paths)
    if skipped:
        fail(f"nothing to ingest in {where}: every entry was skipped; {remedy_for(skipped)}")
    click.echo(f"No files to ingest in {where}", err=True)
    sys.exit(0)


@contextmanager
def _stop_when_asked() -> Iterator[Callable[[], bool]]:
    """Ctrl-C once: finish the letter in hand, store and index what is done, then stop.
    Ctrl-C again: stop at once (KeyboardInterrupt)."""
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield asked.is_set  # only the main thread may handle signals
        return

    def on_interrupt(_signum: int, _frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        click.echo("\nStopping after the letter in hand (Ctrl-C again to stop at once)…", err=True)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _progress(files: int) -> Iterator[Callable[[Path], None]]:
    """A bar counting the files ingested, and the callback that moves it on."""
    # the bar only shows on a terminal: scripts and logs get the results alone
    with click.progressbar(
        length=files,
        label="Ingesting",
        file=sys.stderr,
        show_pos=True,
        hidden=not sys.stderr.isatty(),
    ) as bar:
        yield lambda _path: bar.update(1)


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
@click.option(
    "--version",
    "version",
    metavar="N",
    help="Show version N (3 or v3) of the letter instead of its latest (see 'history').",
)
@json_option
@click.pass_context
def show(ctx: click.Context, letter_id: str, fmt: str, version: str | None, as_json: bool) -> None:
    """Show one letter: its catalogue card, TEI, Dublin Core or text.

    \b
    Example:
      epistula show L-2021-03-04-moreau-lindqvist-0700e4e6 --json
      epistula show L-2021-03-04-moreau-lindqvist-0700e4e6 --version 1 --format tei
    """
    archive = get_archive(ctx)
    try:
        if as_json:
            emit_json(archive.card(letter_id, version).to_json())
        elif fmt == "tei":
            click.echo(archive.tei_bytes(letter_id, version).decode("utf-8"), nl=False)
        elif fmt == "dc":
            click.echo(archive.dc_bytes(letter_id, version).decode("utf-8"), nl=False)
        elif fmt == "text":
            click.echo(archive.text(letter_id, version))
        else:
            _print_card(archive.card(letter_id, version).to_json())
    except EpistulaError as err:
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
    except EpistulaError as err:
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
    click.echo(
        f"{plural(len(cards), 'letter')} in {archive.path}" if cards else "No letters yet",
        err=True,
    )


@cli.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--schema",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Validate TEI against this RELAX NG (e.g. tei_all.rng) instead of Epistula's profile.",
)
@click.option(
    "--repair",
    is_flag=True,
    help="First bring letters an interrupted command left half-written back to their last "
    "complete version, remove its leftovers and bring the index up to date.",
)
@json_option
@click.pass_context
def validate(
    ctx: click.Context, ids: tuple[str, ...], schema: Path | None, repair: bool, as_json: bool
) -> None:
    """Check the archive: OCFL fixity, TEI validity and Dublin Core derived from the TEI.

    \b
    Example:
      epistula validate --schema tei_all.rng
      epistula validate --repair
    """
    archive = get_archive(ctx)
    try:
        repaired = archive.repair() if repair else None
        if repaired is not None:
            click.echo(repaired.summary(), err=True)
        problems = archive.validate(ids or None, schema)
        checked = len(ids) if ids else len(archive.ids())
    except EpistulaError as err:
        if as_json:  # scripts get a JSON document whatever happened
            emit_json({"checked": 0, "valid": False, "problems": [], "error": str(err)})
        fail(str(err))
    if as_json:
        emit_json(
            {"checked": checked, "valid": not problems, "problems": [p.to_json() for p in problems]}
            | ({"repaired": repaired.to_json()} if repaired is not None else {})
        )
    else:
        for p in problems:
            click.echo(f"{p.id}: [{p.code}] {p.message}")
        click.echo(_validation_summary(problems, checked), err=True)
    if problems:
        sys.exit(EXIT_FAILED)


def _validation_summary(problems: list[ValidationProblem], checked: int) -> str:
    if not problems:
        return f"{plural(checked, 'letter')} checked, no problems"
    affected = len({p.id for p in problems})
    return f"{plural(len(problems), 'problem')} in {plural(affected, 'letter')} ({checked} checked)"


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
    except EpistulaError as err:
        fail(str(err))
    click.echo(f"Indexed {count} letters", err=True)


for command in (*cli_search.COMMANDS, *cli_export.COMMANDS, *cli_edit.COMMANDS):
    cli.add_command(command)
# the lifecycle commands, and --message on the two older commands that write versions
for command in cli_lifecycle.COMMANDS:
    cli.add_command(command)
message_option(cli_edit.edit)
cli.add_command(serve)


def main() -> None:
    cli()
