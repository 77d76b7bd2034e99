"""``epistula search``: query the index and render hits as a table or JSON."""

from __future__ import annotations

from typing import Any

import click

from archive.cli_common import EXIT_USAGE, emit_json, fail, get_archive, json_option
from archive.errors import ArchiveError
from search.errors import QuerySyntaxError, SearchError
from search.query import MARK_END, MARK_START


@click.command()
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
    archive = get_archive(ctx)
    try:
        results = archive.search(query_text, limit=limit)
    except QuerySyntaxError as err:
        fail(str(err), EXIT_USAGE)
    except (SearchError, ArchiveError) as err:
        fail(str(err))
    if as_json:
        emit_json(
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


#: the commands this module adds to ``epistula``
COMMANDS = [search]
