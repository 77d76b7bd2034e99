"""Searching: readable field names, AND by default, snippets from stored text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
)
from whoosh.query import Query

from search.errors import QuerySyntaxError
from search.indexer import open_index

#: fields a bare word searches, most telling first
DEFAULT_FIELDS = ("title", "sender", "recipient", "place", "heads", "body")
#: readable names users may type before a colon
ALIASES = {
    "sender": ["from", "senders"],
    "recipient": ["to", "recipients", "addressee"],
    "lang": ["language"],
    "place": ["places"],
    "body": ["text"],
}
SNIPPET_CHARS = 160
#: markers around highlighted terms in snippets (the CLI turns them into bold)
MARK_START, MARK_END = "**", "**"


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: str | None
    senders: list[str]
    recipients: list[str]
    score: float
    snippet: str


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)


class _Marked(highlight.Formatter):
    """Highlighted terms between ``**`` markers; the rest verbatim."""

    between = " … "

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"


def parse_query(ix: object, query: str) -> Query:
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema=ix.schema)  # type: ignore[attr-defined]
    parser.add_plugin(FieldAliasPlugin(ALIASES))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    try:
        parsed = parser.parse(query)
    except Exception as err:  # whoosh raises assorted errors for malformed syntax
        raise QuerySyntaxError(query, str(err)) from err
    if parsed is None or not query.strip():
        raise QuerySyntaxError(query, "the query is empty")
    return parsed


def search(index_path: Path, query: str, limit: int = 10) -> SearchResults:
    """The letters matching ``query``, best first, with a snippet around the match."""
    ix = open_index(index_path)
    try:
        parsed = parse_query(ix, query)
        with ix.searcher() as searcher:
            results = searcher.search(parsed, limit=limit, terms=True)
            results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
            results.formatter = _Marked()
            hits = [_hit(hit) for hit in results]
            return SearchResults(query=query, total=len(results), hits=hits)
    finally:
        ix.close()


def _hit(hit: object) -> Hit:
    stored = hit.fields()  # type: ignore[attr-defined]
    card = json.loads(stored.get("card", "{}"))
    snippet = hit.highlights("body", top=2) or _opening(stored.get("body", ""))  # type: ignore[attr-defined]
    return Hit(
        id=stored["id"],
        title=card.get("title") or stored.get("title", ""),
        date=card.get("date"),
        senders=card.get("senders", []),
        recipients=card.get("recipients", []),
        score=round(float(hit.score), 4),  # type: ignore[attr-defined]
        snippet=" ".join(snippet.split()),
    )


def _opening(text: str) -> str:
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …" if len(text) > SNIPPET_CHARS else text
