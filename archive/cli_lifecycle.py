"""The lifecycle commands: ``init``, ``settings``, ``history``, ``revert``, ``withdraw``,
``purge`` and ``reread``.

Each prints one line on success (``--json``: one document) and says on stderr what it could
not do. Who asked and why is recorded in every version written: ``--user`` (global), else
``EPISTULA_USER``, else the login name, and ``--message`` (else a message made from what was
done).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from archive.api import Archive, ingest_limits
from archive.cli_common import (
    EXIT_FAILED,
    EXIT_USAGE,
    Period,
    emit_json,
    fail,
    get_archive,
    json_option,
    ocr_languages,
)
from metadata.errors import EpistulaError


def _set_message(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        get_archive(ctx).message = value


def message_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--message``: the reason recorded in the version the command writes."""
    return click.option(
        "-m",
        "--message",
        metavar="TEXT",
        expose_value=False,
        callback=_set_message,
        help="Why: recorded in the OCFL version written (default: what was done, e.g. "
        "'edit: date').",
    )(func)


def _assignments(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not of the form KEY=VALUE", param_hint=option)
        values[name.strip()] = value
    return values


# -- init and settings -------------------------------------------------------------------------


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", help="The archive's name (shown by 'epistula serve').")
@click.option("--publisher", help="The publisher printed in every letter's TEI.")
@click.option("--licence", help="The licence printed in every letter's TEI, e.g. 'CC BY 4.0'.")
@click.option("--licence-url", help="The licence's URL (the TEI licence/@target).")
@click.option("--language", help="The language assumed when a letter's own is not detected.")
@click.option("--repository-id", help="The OAI-PMH repository identifier (a domain name).")
@click.option("--admin-email", help="The contact OAI-PMH harvesters are given.")
@json_option
@click.pass_context
def init(ctx: click.Context, folder: Path | None, as_json: bool, **options: str | None) -> None:
    """Create an empty archive in FOLDER (default: --archive) with these settings.

    Settings not given keep their defaults; 'epistula settings' shows and changes them later.

    \b
    Example:
      epistula init letters-archive --name 'Hart family letters' \\
        --publisher 'Leeds Local Archive' --licence 'CC BY-NC 4.0' \\
        --licence-url https://creativecommons.org/licenses/by-nc/4.0/ \\
        --repository-id letters.leeds.example.org
    """
    here = get_archive(ctx)
    archive = Archive(folder, here.user, here.message) if folder is not None else here
    values = {name: value for name, value in options.items() if value is not None}
    try:
        settings = archive.init(values)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json({"archive": str(archive.path), "settings": asdict(settings)})
    else:
        click.echo(f"Created the archive {archive.path} ({settings.name}, {settings.licence})")


@click.command()
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change a setting (repeatable): name, publisher, licence, licence_url, language, "
    "repository_id, admin_email.",
)
@message_option
@json_option
@click.pass_context
def settings(ctx: click.Context, pairs: tuple[str, ...], as_json: bool) -> None:
    """Show the archive's settings, or change them with --set.

    A changed publisher or licence reaches every stored letter: each header that differs
    gets a new version (message 'settings: licence'), and the index follows.

    \b
    Example:
      epistula settings
      epistula settings --set 'licence=CC BY-NC 4.0' \\
        --set licence_url=https://creativecommons.org/licenses/by-nc/4.0/
    """
    archive = get_archive(ctx)
    try:
        if not pairs:
            archive.letters()  # (a missing archive says so, rather than showing defaults)
            current = asdict(archive.settings)
            if as_json:
                emit_json({"settings": current})
            else:
                for key, value in current.items():
                    click.echo(f"{key} = {value}")
            return
        change = archive.change_settings(_assignments(pairs, "--set"))
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(change.to_json())
        return
    names = ", ".join(change.changed) or "nothing (the values were already set)"
    click.echo(f"Changed {names}; {len(change.updated)} letters updated")


# -- history and revert ------------------------------------------------------------------------


@click.command()
@click.argument("letter_id")
@json_option
@click.pass_context
def history(ctx: click.Context, letter_id: str, as_json: bool) -> None:
    """List a letter's versions: when each was written, by whom and why.

    \b
    Example:
      epistula history L-1916-10-13-thomas-unknown-8d9ec031
      epistula show L-1916-10-13-thomas-unknown-8d9ec031 --version 1
    """
    archive = get_archive(ctx)
    try:
        versions = archive.history(letter_id)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json({"id": letter_id, "versions": [v.to_json() for v in versions]})
        return
    for entry in versions:
        click.echo(f"{entry.version:<5} {entry.created}  {entry.user}  {entry.message}")


@click.command()
@click.argument("letter_id")
@click.option("--to", "to", required=True, metavar="N", help="The version to go back to (3 or v3).")
@message_option
@json_option
@click.pass_context
def revert(ctx: click.Context, letter_id: str, to: str, as_json: bool) -> None:
    """Make a letter as it was in version N again, as a new version (nothing is lost).

    \b
    Example:
      epistula revert L-1916-10-13-thomas-unknown-8d9ec031 --to 1
    """
    archive = get_archive(ctx)
    try:
        result = archive.revert(letter_id, to)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(result.to_json())
    elif result.changed:
        click.echo(f"Reverted {letter_id} to {result.reverted_to} as {result.version}")
    else:
        click.echo(f"{letter_id} already equals {result.reverted_to}: nothing written")


# -- withdraw and purge ------------------------------------------------------------------------


@click.command()
@click.argument("letter_id")
@click.option("--reason", required=True, help="Why it is withdrawn (kept in the TEI and history).")
@message_option
@json_option
@click.pass_context
def withdraw(ctx: click.Context, letter_id: str, reason: str, as_json: bool) -> None:
    """Withdraw a letter from publication: out of search, list and exports, kept in the archive.

    'epistula history ID' shows the withdrawal; 'epistula revert ID --to N' (the version
    before it) publishes the letter again.

    \b
    Example:
      epistula withdraw L-1916-10-13-thomas-unknown-8d9ec031 --reason 'private: family request'
    """
    archive = get_archive(ctx)
    try:
        result = archive.withdraw(letter_id, reason)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(f"Withdrew {letter_id} as {result.version}: {result.reason}")


@click.command()
@click.argument("letter_id")
@click.option("--reason", required=True, help="Why it is purged (kept in the purge log).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@json_option
@click.pass_context
def purge(ctx: click.Context, letter_id: str, reason: str, yes: bool, as_json: bool) -> None:
    """Delete a letter and every version of it for good (a legal takedown).

    Asks first (--yes does not). The purge — id, date, user, reason, not the content — is
    logged in the archive (purged.jsonl). To take a letter out of publication and keep it,
    use 'epistula withdraw'.

    \b
    Example:
      epistula purge L-1916-10-13-thomas-unknown-8d9ec031 --reason 'court order 2026/117' --yes
    """
    archive = get_archive(ctx)
    if not yes:
        if not sys.stdin.isatty():
            fail(f"purging {letter_id} deletes it for good: add --yes to confirm", EXIT_USAGE)
        question = f"Delete {letter_id} and every version of it for good?"
        if not click.confirm(question, default=False, err=True):
            fail(f"{letter_id} was not purged", EXIT_FAILED)
    try:
        record = archive.purge(letter_id, reason)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(record.to_json())
    else:
        click.echo(f"Purged {letter_id}; logged in {archive.purge_log}")


# -- reread ------------------------------------------------------------------------------------


@click.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Read every letter of the archive again.")
@click.option(
    "--ocr",
    is_flag=True,
    help="Read scans with Tesseract (letters first read by OCR are read so anyway, in their "
    "own languages).",
)
@click.option("--lang", metavar="CODES", help="Language(s) for OCR, e.g. en, de, eng+deu.")
@click.option(
    "--period",
    type=Period(),
    metavar="YEAR-YEAR",
    help="The years the letters were written in: dates two-digit years.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Originals read in parallel by this many worker processes.",
)
@message_option
@json_option
@click.pass_context
def reread(
    ctx: click.Context,
    ids: tuple[str, ...],
    every: bool,
    ocr: bool,
    lang: str | None,
    period: tuple[int, int] | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Run recognition again on the stored originals (after an upgrade, or with --period).

    Every value you supplied (--set, sidecars, manifests, edit: resp="#user" in the TEI)
    is kept and wins over the new reading; the rest is read afresh. A letter whose reading
    changed is 'updated' as a new version (message 'reread'), others are 'unchanged'. Ids
    never change.

    
    Example:
      epistula reread --all
      epistula reread L-1916-10-13-thomas-unknown-8d9ec031 --period 1900-1920
    """
    if bool(ids) == every:
        fail("name the letters to read again, or give --all (not both)", EXIT_USAGE)
    archive = get_archive(ctx)
    languages = ocr_languages(archive, lang)
    limits = ingest_limits(ocr=ocr or lang is not None, ocr_languages=languages, period=period)
    try:
        report = archive.reread(ids, limits=limits, jobs=jobs)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(report.to_json())
    else:
        for result in report.results:
            detail = result.error if result.status == "failed" else result.version
            click.echo(f"{result.status:<9} {result.id}  {detail}")
    click.echo(
        f"{report.count('updated')} of {len(report.results)} letters updated"
        + (f", {report.count('failed')} failed" if report.count("failed") else ""),
        err=True,
    )
    if report.count("failed"):
        sys.exit(EXIT_FAILED)


#: the commands this module adds to ``epistula``
COMMANDS = [init, settings, history, revert, withdraw, purge, reread]
