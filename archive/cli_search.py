"""``epistula search``, ``similar`` and ``verify``: query the index, render hits, check it."""

from __future__ import annotations

import csv
import sys
from typing import Any

import click

from archive.cli_common import EXIT_FAILED, EXIT_USAGE, emit_json, fail, get_archive, json_option
from metadata.csvsafe import neutralise_row
from metadata.errors import EpistulaError
from search.errors import QuerySyntaxError
from search.facets import FACETS
from search.query import MARK_END, MARK_START, SORTS, Hit, SearchResults

CSV_COLUMNS = ("id", "date", "senders", "recipients", "title", "score", "snippet")


def _facet_names(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str]:
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise click.BadParameter(f"unknown facet {unknown[0]!r}; choose from {', '.join(FACETS)}")
    return names


def csv_option(func: Any) -> Any:
    return click.option("--csv", "as_csv", is_flag=True, help="Print the hits as CSV.")(func)


@click.command()
@click.argument("query_text", metavar="QUERY")
@click.option(
    "--limit", type=click.IntRange(1, 10000), default=10, show_default=True, help="Hits per page."
)
@click.option(
    "--page", type=click.IntRange(1), default=1, show_default=True, help="Which page of hits."
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Best matches first, or by date (-date: newest first).",
)
@click.option(
    "--facets",
    callback=_facet_names,
    metavar="NAMES",
    help=f"Count the matches by these, comma-separated: {','.join(FACETS)}.",
)
@json_option
@csv_option
@click.pass_context
def search(
    ctx: click.Context,
    query_text: str,
    limit: int,
    page: int,
    sort: str,
    facets: list[str],
    as_json: bool,
    as_csv: bool,
) -> None:  # fmt: skip
    """Search the archive. Words are ANDed; accents and case are ignored everywhere.

    Fields: from:/sender:, to:/recipient:, people:, place:, date:, year:, lang:,
    collection:, title:, subject:, text:, format:, has_notes:, id:. Dates: date:1917-07,
    date:[1890 TO 1899], date:[1890 TO *], date:>1900 (after 1900), date:>=1900. Also
    "phrases", "words near"~5, OR, NOT, (groups), wildcards (Kazakh*) and fuzzy words
    (Niinisto~). A query that begins with - goes after --.

    \b
    Example:
      epistula search 'Niinisto' --json
      epistula search 'to:Niinistö "human rights"' --facets sender,year
      epistula search 'from:Beethoven date:[1815 TO 1820]' --sort date --csv
    """
    if as_json and as_csv:
        fail("choose one of --json and --csv", EXIT_USAGE)
    archive = get_archive(ctx)
    try:
        results = archive.search(query_text, limit, page=page, sort=sort, facets=facets)
    except QuerySyntaxError as err:
        fail(str(err), EXIT_USAGE)
    except EpistulaError as err:
        fail(str(err))
    _render(results, as_json, as_csv)


@click.command()
@click.argument("letter_id")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@json_option
@csv_option
@click.pass_context
def similar(ctx: click.Context, letter_id: str, limit: int, as_json: bool, as_csv: bool) -> None:
    """Letters most like LETTER_ID: the same telling words, the same correspondents.

    \b
    Example:
      epistula similar L-2017-07-13-engesland-niinisto-92d9f204 --limit 5
    """
    archive = get_archive(ctx)
    try:
        results = archive.similar(letter_id, limit)
    except EpistulaError as err:
        fail(str(err))
    _render(results, as_json, as_csv)


@click.command()
@click.option(
    "--index",
    "check_index",
    is_flag=True,
    default=True,
    help="Compare the search index with the store (the default check).",
)
@click.option("--fix", is_flag=True, help="Re-index what is missing or stale, drop the rest.")
@json_option
@click.pass_context
def verify(ctx: click.Context, check_index: bool, fix: bool, as_json: bool) -> None:
    """Report letters missing from the search index, stale in it, or no longer archived.

    A letter is stale when its TEI changed (a new OCFL version) after it was indexed.
    Exit status 1 when any problem is left.

    \b
    Example:
      epistula verify --index --json
      epistula verify --index --fix
    """  # fmt: skip
    archive = get_archive(ctx)
    try:
        report = archive.verify(fix=fix)
    except EpistulaError as err:
        fail(str(err))
    if as_json:
        emit_json(report.to_json())
    else:
        for problem in report.problems:
            click.echo(str(problem))
        fixed = f"; fixed {report.fixed}" if fix and report.fixed else ""
        click.echo(
            f"{report.checked} letters archived, {report.indexed} indexed, "
            f"{len(report.problems)} problems{fixed}",
            err=True,
        )
    if report.problems and not (fix and report.fixed >= len(report.problems)):
        sys.exit(EXIT_FAILED)


def _render(results: SearchResults, as_json: bool, as_csv: bool) -> None:
    if as_json:
        emit_json(_results_json(results))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for hit in results.hits:
            row = _hit_json(hit)
            cells = [
                "; ".join(v) if isinstance(v, list) else v for v in (row[c] for c in CSV_COLUMNS)
            ]
            # a title or name may be a formula a spreadsheet would run (=HYPERLINK…)
            writer.writerow(neutralise_row(cells))
    else:
        _print_table(results)


def _results_json(results: SearchResults) -> dict[str, Any]:
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "limit": results.limit,
        "sort": results.sort,
        "hits": [_hit_json(hit) for hit in results.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in values]
            for name, values in results.facets.items()
        },
    }


def _hit_json(hit: Hit) -> dict[str, Any]:
    data = dict(hit.__dict__)
    data["snippet"] = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
    return data


def _print_table(results: SearchResults) -> None:
    if not results.hits:
        where = f" on page {results.page}" if results.page > 1 and results.total else ""
        click.echo(f"No letters match {results.query!r}{where}.", err=True)
    for hit in results.hits:
        who = f"{', '.join(hit.senders) or '?'} → {', '.join(hit.recipients) or '?'}"
        click.echo(f"{hit.date or 'undated':<10}  {who}  {click.style(hit.title, bold=True)}")
        click.echo(f"            {hit.id}")
        if hit.snippet:
            click.echo(f"            {_styled_snippet(hit.snippet)}")
    for name, values in results.facets.items():
        counts = ", ".join(f"{v.value} ({v.count})" for v in values) or "-"
        click.echo(f"{name}: {counts}")
    if results.hits:
        first = (results.page - 1) * (results.limit or 0) + 1
        shown = f"{first}–{first + len(results.hits) - 1}"
        pages = f", page {results.page} of {results.pages}" if results.pages > 1 else ""
        letters = "letter matches" if results.total == 1 else "letters match"
        click.echo(f"{results.total} {letters}; {shown} shown{pages}.", err=True)


def _styled_snippet(snippet: str) -> str:
    parts = snippet.split(MARK_START)
    return "".join(
        part if index % 2 == 0 else click.style(part, bold=True, fg="yellow")
        for index, part in enumerate(parts)
    )


#: the commands this module adds to ``epistula``
COMMANDS = [search, similar, verify]
