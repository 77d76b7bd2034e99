"""``epistula edit``: change a letter's metadata; the old version stays in the archive."""

from __future__ import annotations

import click

from archive.cli_common import EXIT_USAGE, emit_json, fail, get_archive, json_option
from metadata.edit import FIELDS, MetadataError
from metadata.errors import EpistulaError


def parse_assignments(assignments: tuple[str, ...]) -> dict[str, list[str]]:
    """``("date=1917-07-01", "senders=A|B")`` → ``{"date": ["1917-07-01"], "senders": ["A|B"]}``."""
    fields: dict[str, list[str]] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{assignment!r} is not of the form field=value")
        fields.setdefault(name.strip(), []).append(value)
    return fields


def set_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--set",
        "assignments",
        multiple=True,
        metavar="FIELD=VALUE",
        help=f"Set a field (repeatable; lists joined by |). Fields: {', '.join(FIELDS)}.",
    )(func)


@click.command()
@click.argument("letter_id")
@set_option
@json_option
@click.pass_context
def edit(ctx: click.Context, letter_id: str, assignments: tuple[str, ...], as_json: bool) -> None:
    """Change a letter's metadata; the TEI is rewritten as a new version of the object.

    Values you set are marked as supplied by the user (resp="#user") in the TEI.

    \b
    Example:
      epistula edit L-1916-10-13-thomas-unknown-8d9ec031 --set 'recipients=Ada Hart' \\
        --set place_received=Leeds
    """
    if not assignments:
        fail("nothing to change: give at least one --set FIELD=VALUE", EXIT_USAGE)
    archive = get_archive(ctx)
    try:
        result = archive.edit(letter_id, parse_assignments(assignments))
    except MetadataError as err:
        fail(str(err), EXIT_USAGE)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(result.to_json())
    elif result.changed:
        click.echo(
            f"{result.id}: changed {', '.join(result.changed)} (now version {result.version})",
            err=True,
        )
    else:
        click.echo(f"{result.id}: nothing changed (the values were already so)", err=True)


#: the commands this module adds to ``epistula``
COMMANDS = [edit]
