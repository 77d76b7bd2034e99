"""Searching: readable field names, AND by default, facets, sorting, paging and snippets.

A query is Whoosh query language with the field names a reader would use (``from:``,
``to:``, ``place:``, ``date:``…). Bare words search titles, subjects, names, places and the
letter's text; in the text they are stemmed in each letter's language, everywhere they are
case- and accent-insensitive. Searchers are opened in ``with`` blocks; the total, facet counts
and date order come from every match at once (:mod:`search.docsets`, :mod:`search.facets`),
relevance BM25F as Whoosh scores it, snippets from the stored text of the hits shown.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.codec.base import Automata
from whoosh.qparser import (
    FieldsPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    PhrasePlugin,
    QueryParser,
    syntax,
)
from whoosh.qparser.plugins import Plugin
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from metadata.gazetteer import geonames_id
from search.analysis import body_language, fold
from search.docsets import EMPTY, Evaluation, prune
from search.errors import EmptyIndex, QuerySyntaxError, UnknownLetter
from search.facets import FACET_TOP, FACETS, Columns, FacetValue, count_facets, date_order
from search.indexer import open_index
from search.schema import BODY_FIELDS
from search.snippets import MARK_END, MARK_START, opening, snippet
from search.syntax import (
    MAX_EDITS,
    DatesAndYears,
    FieldValues,
    QueryProblem,
    check_brackets,
    check_size,
)
from search.terms import fuzzy_matches

__all__ = ["MARK_END", "MARK_START", "Hit", "SearchResults", "parse_query", "search", "similar"]

#: fields a bare word searches (the text in every language), most telling first
DEFAULT_FIELDS = (
    "title", "subject", "sender", "recipient", "people", "place", "collection", *BODY_FIELDS,
)  # fmt: skip
#: the names users type before a colon → the index field they mean
ALIASES = {
    "from": "sender",
    "senders": "sender",
    "to": "recipient",
    "recipients": "recipient",
    "addressee": "recipient",
    "language": "lang",
    "places": "place",
    "from_place": "place_sent",
    "to_place": "place_received",
    "person": "people",
    "name": "people",
    "text": "body",
    "notes": "has_notes",
    "heads": "subject",
}
#: names that stand for several index fields
EXPANSIONS = {"body": BODY_FIELDS}
#: the field names a user may type, for error messages
FIELD_NAMES = (
    "from/sender, to/recipient, people, place, place_sent, place_received, date, year, lang, "
    "collection, title, subject, body/text, format, has_notes, id"
)
SORTS = ("relevance", "date", "-date")


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
    #: facet name → its most frequent values among all matches
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    page: int = 1
    limit: int | None = None
    sort: str = "relevance"

    @property
    def pages(self) -> int:
        if not self.limit:
            return 1
        return max(1, -(-self.total // self.limit))


class _FieldNames(Plugin):
    """Field names are case-insensitive and may be aliases; an unknown one is an error."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)

    def filters(self, parser: QueryParser) -> list[tuple[object, int]]:
        return [(self.check, 85)]  # before the fields filter (100) applies them

    def check(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for index, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[index] = self.check(parser, node)
            elif isinstance(node, syntax.FieldnameNode):
                name = ALIASES.get(node.fieldname.lower(), node.fieldname.lower())
                if name in self.known:
                    node.fieldname = name
                elif node.fieldname.isdigit():  # "10:30" is a time, not a field
                    group[index] = syntax.to_word(node)
                else:
                    raise _UnknownField(node.fieldname)
        return group


class _UnknownField(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"unknown field '{name}:' (fields: {FIELD_NAMES}; quote text that has a colon)"
        )


class _Expand(Plugin):
    """``body:word`` searches every language's body field (each stems ``word`` its own way)."""

    def filters(self, parser: QueryParser) -> list[tuple[object, int]]:
        return [(self.expand, 105)]  # after the fields filter, before the multifield one

    def expand(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for index, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[index] = self.expand(parser, node)
            elif node.has_fieldname and node.fieldname in EXPANSIONS:
                copies = []
                for name in EXPANSIONS[node.fieldname]:
                    clone = copy.copy(node)
                    clone.set_fieldname(name, override=True)
                    copies.append(clone)
                group[index] = syntax.OrGroup(copies)
        return group


#: place fields, and the field that holds the GeoNames ids of each one's places
PLACE_ID_FIELDS = {
    "place": "place_id",
    "place_sent": "place_sent_id",
    "place_received": "place_received_id",
}


class _Places(Plugin):
    """``place:Wien`` also finds the letters written in "Vienna", "Vienne" or "Viena": a place
    word or phrase the gazetteer knows without doubt also searches its GeoNames id, which the
    index holds for every place it knows (:func:`search.schema.document_for`). Only words
    typed under a place field are looked up; bare words search the names as written."""

    def filters(self, parser: QueryParser) -> list[tuple[object, int]]:
        return [(self.expand, 106)]  # after the fields filter, before the multifield one

    def expand(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for index, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[index] = self.expand(parser, node)
                continue
            if not node.has_fieldname or node.fieldname not in PLACE_ID_FIELDS:
                continue
            if type(node) is not syntax.WordNode and type(node) is not PhrasePlugin.PhraseNode:
                continue  # wildcards, fuzzy words and ranges name no one place
            found = geonames_id(node.text)
            if found is None:
                continue
            place = syntax.WordNode(str(found))
            place.startchar, place.endchar = node.startchar, node.endchar  # for error messages
            place.set_fieldname(PLACE_ID_FIELDS[node.fieldname], override=True)
            group[index] = syntax.OrGroup([node, place])
        return group


class FoldedFuzzyTerm(wq.FuzzyTerm):
    """A fuzzy word whose automaton is built once, not once per field and segment."""

    def _btexts(self, ixreader: object) -> Iterator[bytes]:
        dfa = _levenshtein(self.text, self.maxdist, self.prefixlength)
        seen: set[bytes] = set()
        for reader, _offset in ixreader.leaf_readers():  # type: ignore[attr-defined]
            found: Iterable[bytes] | None = fuzzy_matches(reader, self.fieldname, dfa)
            if found is None:
                try:
                    cursor = reader.cursor(self.fieldname)
                except (KeyError, TermNotFound):
                    continue
                found = Automata.find_matches(dfa, cursor)
            for btext in found:
                if btext not in seen:
                    seen.add(btext)
                    yield btext


@lru_cache(maxsize=64)
def _levenshtein(text: str, maxdist: int, prefix: int) -> object:
    return Automata.levenshtein_dfa(text, maxdist, prefix)


class _Fuzzy(FuzzyTermPlugin):
    """Fuzzy words (``Niinisto~``) are folded but never stemmed: a stem of the misspelt word
    ("lindqvis" → "lindqvi") would be one more edit away from the indexed stems."""

    class FuzzyTermNode(FuzzyTermPlugin.FuzzyTermNode):
        def query(self, parser: QueryParser) -> wq.Query:
            if self.maxdist > MAX_EDITS:
                raise QueryProblem(
                    f"'{self.text}~{self.maxdist}' may differ by too many letters; "
                    f"a fuzzy word may differ by up to {MAX_EDITS} ({self.text}~2)"
                )
            return FoldedFuzzyTerm(
                self.fieldname,
                fold(self.text),
                boost=self.boost,
                maxdist=self.maxdist,
                prefixlength=max(1, self.prefixlength),  # the first letter is not searched for
            )


def _parser(schema: object) -> QueryParser:
    parser = QueryParser(None, schema)
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugins(
        [
            FieldsPlugin(remove_unknown=False),
            _FieldNames([*schema.names(), *EXPANSIONS]),  # type: ignore[attr-defined]
            FieldValues(),
            DatesAndYears(),
            _Expand(),
            _Places(),
            MultifieldPlugin(list(DEFAULT_FIELDS)),
            _Fuzzy(),
            GtLtPlugin(),
        ]
    )
    return parser


def parse_query(ix: object, text: str) -> wq.Query:
    """The Whoosh query for ``text``, or :class:`QuerySyntaxError` naming what is wrong."""
    if not text.strip():
        raise QuerySyntaxError(text, "the query is empty")
    schema = ix.schema  # type: ignore[attr-defined]
    try:
        check_size(text)
        check_brackets(text)
        parsed = _parser(schema).parse(text)
    except (_UnknownField, QueryProblem) as err:
        raise QuerySyntaxError(text, str(err)) from err
    except Exception as err:  # whoosh raises assorted errors for malformed syntax
        raise QuerySyntaxError(text, " ".join(str(err).split())) from err
    problem = _first_error(parsed)
    if problem:
        raise QuerySyntaxError(text, problem)
    if parsed is None or parsed is wq.NullQuery:
        raise QuerySyntaxError(text, "nothing in it can be searched for")
    return parsed


def _first_error(parsed: wq.Query) -> str | None:
    error = getattr(parsed, "error", None)
    if error:
        message = " ".join(str(error).split())
        if any(word in message for word in ("date", "year", "month", "day")):
            return f"{message}; write dates as YYYY, YYYY-MM or YYYY-MM-DD"
        return message
    for child in parsed.children():
        found = _first_error(child)
        if found:
            return found
    return None


def search(
    index_path: Path,
    query: str,
    limit: int | None = None,
    *,
    page: int = 1,
    sort: str = "relevance",
    facets: Sequence[str] = (),
    snippets: bool | None = None,
    facet_top: int | Mapping[str, int] = FACET_TOP,
) -> SearchResults:
    """The letters matching ``query``: page ``page`` of ``limit`` hits (all when None), sorted
    by ``sort`` (relevance, date, -date), with the counts of ``facets`` over every match (the
    ``facet_top`` most frequent values of each, or per facet as a mapping).
    Hits get snippets when ``snippets`` (by default only when there is a ``limit``: a caller
    asking for every hit wants the letters, not excerpts of them)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    unknown = [name for name in facets if name not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}; facets are {', '.join(FACETS)}")
    page = max(1, page)
    snippets = limit is not None if snippets is None else snippets
    ix = open_index(index_path)
    try:
        parsed = parse_query(ix, query)
        with ix.searcher() as searcher:
            if not searcher.doc_count():
                raise EmptyIndex(index_path)
            pruned = prune(parsed, searcher.reader())
            evaluation = Evaluation(searcher)
            docs = evaluation.docs(pruned) if pruned is not None else EMPTY
            columns = Columns(searcher)
            first = (page - 1) * limit if limit else 0
            shown = _page(evaluation, pruned, docs, columns, sort, first, limit)
            terms = _query_terms(pruned) if snippets and pruned is not None else set()
            hits = [_hit(searcher, docnum, score, terms, snippets) for docnum, score in shown]
            return SearchResults(
                query=query,
                total=len(docs),
                hits=hits,
                facets=_facet_counts(columns, docs, facets, facet_top),
                page=page,
                limit=limit,
                sort=sort,
            )
    finally:
        ix.close()


def _facet_counts(
    columns: Columns, docs: np.ndarray, facets: Sequence[str], top: int | Mapping[str, int]
) -> dict[str, list[FacetValue]]:
    if isinstance(top, int):
        return count_facets(columns, docs, facets, top)
    return {
        name: count_facets(columns, docs, [name], top.get(name, FACET_TOP))[name] for name in facets
    }


def _page(
    evaluation: Evaluation,
    pruned: wq.Query | None,
    docs: np.ndarray,
    columns: Columns,
    sort: str,
    first: int,
    limit: int | None,
) -> list[tuple[int, float]]:
    """(docnum, score) of the hits on the page."""
    if pruned is None or not len(docs) or first >= len(docs):
        return []
    end = first + limit if limit else None
    if sort != "relevance":
        ordered = date_order(columns, docs, descending=sort == "-date", count=end)[first:end]
        return [(int(docnum), 0.0) for docnum in ordered]
    return evaluation.ranked(pruned, docs, end)[first:end]


def _query_terms(pruned: wq.Query) -> set[tuple[str, str]]:
    """(field, term) the query looks for in letter bodies (wildcards already expanded)."""
    found: set[tuple[str, str]] = set()
    for leaf in pruned.leaves():
        if leaf.field() not in BODY_FIELDS:
            continue
        for fieldname, text in leaf.terms(phrases=True):
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            found.add((fieldname, str(text)))
    return found


def _hit(
    searcher: Searcher, docnum: int, score: float, terms: set[tuple[str, str]], snippets: bool
) -> Hit:
    stored = searcher.stored_fields(docnum)
    card = json.loads(stored.get("card", "{}"))
    text = stored.get("text", "")
    lang = body_language(stored.get("lang"))
    wanted = {term for fieldname, term in terms if fieldname == f"body_{lang}"}
    excerpt = (snippet(text, wanted, lang) or opening(text)) if snippets else ""
    return Hit(
        id=stored["id"],
        title=card.get("title", ""),
        date=card.get("date"),
        senders=card.get("senders", []),
        recipients=card.get("recipients", []),
        score=round(score, 4),
        snippet=excerpt,
    )


def similar(index_path: Path, letter_id: str, limit: int = 10) -> SearchResults:
    """Letters most like ``letter_id``: the key terms of its text and its correspondents."""
    ix = open_index(index_path)
    try:
        with ix.searcher() as searcher:
            docnum = searcher.document_number(id=letter_id)
            if docnum is None:
                raise UnknownLetter(letter_id)
            stored = searcher.stored_fields(docnum)
            body = f"body_{body_language(stored.get('lang'))}"
            terms = searcher.key_terms_from_text(body, stored.get("text", ""), numterms=12)
            clauses: list[wq.Query] = [
                wq.Term(body, word, boost=float(weight)) for word, weight in terms
            ]
            names = stored.get("facets", {})
            for facet, fieldname in (("sender", "sender_exact"), ("recipient", "recipient_exact")):
                for name in names.get(facet, []):
                    clauses.append(wq.Term(fieldname, _exact(searcher, fieldname, name)))
            if not clauses:
                return SearchResults(query=f"similar:{letter_id}", total=0, limit=limit)
            parsed = wq.Or(clauses)
            results = searcher.search(parsed, limit=limit, mask={docnum})
            hits = [_hit(searcher, hit.docnum, float(hit.score), set(), True) for hit in results]
            return SearchResults(
                query=f"similar:{letter_id}", total=len(hits), hits=hits, limit=limit
            )
    finally:
        ix.close()


def _exact(searcher: Searcher, fieldname: str, name: str) -> str:
    tokens = list(searcher.schema[fieldname].process_text(name, mode="query"))
    return tokens[0] if tokens else name
