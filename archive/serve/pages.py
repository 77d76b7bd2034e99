"""The reader's pages: search with facets and a timeline, a letter, correspondents, places.

Server-rendered with Jinja2 (autoescaping every value), usable without JavaScript; the one
style sheet is served by the application. Queries are the CLI's query language; a query the
parser rejects is a 400 page with its message. Pages and page sizes are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from archive.api import Archive
from archive.errors import ArchiveError
from archive.serve.letter_view import letter_html
from metadata.errors import EpistulaError
from metadata.xml import parse
from search.errors import QuerySyntaxError
from search.query import MARK_START, SORTS, Hit, SearchResults

HERE = Path(__file__).resolve().parent
#: hits per page a reader may choose; the first is the default
PAGE_SIZES = (20, 50, 100)
#: the last page a reader may ask for (deep pages cost more than they help)
MAX_PAGE = 500
#: longest query accepted (a bound on the work one request can ask for)
MAX_QUERY = 500
#: facets shown beside the results, with the query field a click adds
FACET_FIELDS = {
    "sender": ("Senders", "from"),
    "recipient": ("Addressees", "to"),
    "year": ("Years", "year"),
    "lang": ("Languages", "lang"),
    "place": ("Places", "place"),
    "collection": ("Collections", "collection"),
}
#: the card's lines on a letter's page (label, card key), as ``epistula show`` prints them
CARD_LINES = (
    ("Title", "title"),
    ("Date", "date_text"),
    ("From", "senders"),
    ("Organisations", "sender_orgs"),
    ("To", "recipients"),
    ("Address", "recipient_address"),
    ("Place sent", "place_sent"),
    ("Place received", "place_received"),
    ("Language", "language"),
    ("Collection", "collection"),
    ("Subject", "subject"),
    ("Sections", "heads"),
    ("Pages", "pages"),
    ("Words", "words"),
    ("Identifier", "id"),
)
#: everyone shown in the lists of correspondents and places (far more than any page needs)
LIST_TOP = 100_000
#: values shown of each facet beside the results
FACET_SHOWN = 10
_YEAR = re.compile(r"\d{4}")


class BadRequest(EpistulaError):
    code = "bad-request"


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["snippet"] = snippet_html
    return env


def snippet_html(text: str) -> Markup:
    """A snippet with its matched words in ``<mark>`` (the rest escaped)."""
    parts = text.split(MARK_START)
    return Markup("").join(
        escape(part) if index % 2 == 0 else Markup("<mark>") + escape(part) + Markup("</mark>")
        for index, part in enumerate(parts)
    )


@dataclass(frozen=True)
class SearchForm:
    query: str
    page: int
    size: int
    sort: str

    @classmethod
    def read(cls, request: Request) -> SearchForm:
        params = request.query_params
        query = params.get("q", "").strip()
        if len(query) > MAX_QUERY:
            raise BadRequest(f"the query is longer than {MAX_QUERY} characters; shorten it")
        sort = params.get("sort", "relevance")
        if sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        return cls(query, _number(params, "page", 1, MAX_PAGE), _size(params), sort)

    def link(self, **changes: Any) -> str:
        values = {"q": self.query, "sort": self.sort, "size": self.size, "page": 1} | changes
        if values["size"] == PAGE_SIZES[0]:
            del values["size"]
        return "/?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


class Pages:
    """The HTML pages, rendered from the archive through its API."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.env = templates()

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("archive_name", self.archive.settings.name)
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def error(self, status: int, title: str, message: str) -> HTMLResponse:
        return self.render("error.html", status, title=title, message=message)

    def search(self, request: Request) -> Response:
        try:
            form = SearchForm.read(request)
        except BadRequest as err:
            return self.error(400, "Bad request", str(err))
        text = form.query or "*"
        try:
            # every year's count, for the timeline, from the same search as the page's hits
            results = self.archive.search(
                text,
                form.size,
                page=form.page,
                sort=form.sort if form.query else _browse_sort(form.sort),
                facets=tuple(FACET_FIELDS),
                snippets=bool(form.query),
                facet_top={"year": LIST_TOP},
            )
        except QuerySyntaxError as err:
            return self.error(400, "The query cannot be read", str(err))
        except EpistulaError as err:
            return self.error(503, "Cannot search now", str(err))
        timeline = results.facets.get("year", [])
        results.facets["year"] = timeline[:FACET_SHOWN]  # (counted most frequent first)
        return self.render(
            "search.html",
            form=form,
            results=results,
            facets=_facet_links(form, results),
            timeline=_timeline(form, timeline),
            pages=_pages(form, results),
            sorts=SORTS,
            sizes=PAGE_SIZES,
            first=(results.page - 1) * form.size + 1,
            who=_who,
        )

    def letter(self, letter_id: str) -> Response:
        try:
            found = self.archive.card(letter_id)
            if found.withdrawn:
                return self.withdrawn(letter_id)
            card = found.to_json()
            body, notes = letter_html(parse(self.archive.tei_bytes(letter_id)))
        except ArchiveError:
            return self.not_found(f"There is no letter {letter_id!r} in this archive.")
        lines = [
            (label, "; ".join(str(v) for v in value) if isinstance(value, list) else value)
            for label, key in CARD_LINES
            if (value := card.get(key)) not in (None, [], "")
        ]
        return self.render(
            "letter.html",
            card=card,
            lines=lines,
            body=Markup(body),
            notes=Markup(notes),
            hit=Hit(
                letter_id, card["title"], card["date"], card["senders"], card["recipients"], 0, ""
            ),
            who=_who,
        )

    def download(self, letter_id: str, what: str) -> Response:
        """The letter's TEI, Dublin Core or original file, as an attachment."""
        try:
            card = self.archive.card(letter_id)
            if card.withdrawn:
                return self.withdrawn(letter_id)
            if what == "tei.xml":
                data, kind = self.archive.tei_bytes(letter_id), "application/tei+xml"
            elif what == "dc.xml":
                data, kind = self.archive.dc_bytes(letter_id), "application/xml"
            else:
                path = self.archive.original_path(letter_id)
                name = _safe_name(card.source.filename) or "original"
                return FileResponse(path, media_type=card.source.media_type or None, filename=name)
        except ArchiveError:
            return self.not_found(f"There is no letter {letter_id!r} in this archive.")
        name = f"{letter_id}.{'tei' if what == 'tei.xml' else 'dc'}.xml"
        disposition = f'attachment; filename="{name}"'
        return Response(data, media_type=kind, headers={"Content-Disposition": disposition})

    def names(self, request: Request, which: str) -> Response:
        """Everyone who wrote or received letters, or every place, with their counts."""
        facets = ("sender", "recipient") if which == "correspondents" else ("place",)
        try:
            results = self.archive.search("*", 1, facets=facets, snippets=False, facet_top=LIST_TOP)
        except EpistulaError as err:
            return self.error(503, "Cannot list them now", str(err))
        groups = []
        for facet in facets:
            label, field = FACET_FIELDS[facet]
            values = sorted(results.facets.get(facet, []), key=lambda v: v.value.casefold())
            rows = [
                (v.value, v.count, "/?" + urlencode({"q": _clause(field, v.value)})) for v in values
            ]
            groups.append((label, rows))
        title = "Correspondents" if which == "correspondents" else "Places"
        return self.render("names.html", title=title, groups=groups)

    def withdrawn(self, letter_id: str) -> HTMLResponse:
        message = f"The letter {letter_id!r} has been withdrawn from publication."
        return self.error(410, "Withdrawn", message)

    def not_found(self, message: str = "There is no such page.") -> HTMLResponse:
        return self.error(404, "Not found", message)


def _browse_sort(sort: str) -> str:
    """Without a query every letter matches alike: "relevance" lists them by date."""
    return "date" if sort == "relevance" else sort


def _number(params: Any, name: str, default: int, highest: int) -> int:
    value = params.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= highest:
        raise BadRequest(f"{name} must be a whole number from 1 to {highest}")
    return int(value)


def _size(params: Any) -> int:
    value = params.get("size", str(PAGE_SIZES[0]))
    if not value.isdigit() or int(value) not in PAGE_SIZES:
        raise BadRequest(f"size must be one of {', '.join(map(str, PAGE_SIZES))}")
    return int(value)


def _clause(field: str, value: str) -> str:
    """The query clause for one facet value (quotes in a name cannot be typed, so go)."""
    plain = " ".join(value.replace('"', " ").split())
    if field == "year" and _YEAR.fullmatch(plain):
        return f"year:{plain}"
    return f'{field}:"{plain}"'


def _facet_links(form: SearchForm, results: SearchResults) -> list[tuple[str, list[Any]]]:
    shown = []
    for facet, (label, field) in FACET_FIELDS.items():
        values = results.facets.get(facet, [])
        if not values:
            continue
        links = []
        for value in values:
            clause = _clause(field, value.value)
            query = f"{form.query} {clause}".strip() if clause not in form.query else form.query
            links.append((value.value, value.count, form.link(q=query)))
        shown.append((label, links))
    return shown


def _timeline(form: SearchForm, years: list[Any]) -> list[tuple[str, int, int, str]]:
    """(year, letters, bar width in percent, link) for each year, oldest first."""
    if not years:
        return []
    most = max(v.count for v in years)
    ordered = sorted(years, key=lambda v: v.value)
    return [
        (
            v.value,
            v.count,
            max(1, round(100 * v.count / most)),
            form.link(q=f"{form.query} year:{v.value}".strip()),
        )
        for v in ordered
    ]


def _pages(form: SearchForm, results: SearchResults) -> list[tuple[str, str | None]]:
    """(label, link or None for the current page) around the current page."""
    last = min(results.pages, MAX_PAGE)
    if last <= 1:
        return []
    shown = sorted({1, last, *range(max(1, form.page - 2), min(last, form.page + 2) + 1)})
    links: list[tuple[str, str | None]] = []
    if form.page > 1:
        links.append(("‹ previous", form.link(page=form.page - 1)))
    for number in shown:
        links.append((str(number), None if number == form.page else form.link(page=number)))
    if form.page < last:
        links.append(("next ›", form.link(page=form.page + 1)))
    return links


def _who(hit: Hit) -> str:
    return f"{', '.join(hit.senders) or '?'} → {', '.join(hit.recipients) or '?'}"


def _safe_name(name: str) -> str:
    """A file name fit for a download header: its last part, without quotes or controls."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in last if c.isprintable() and c not in '"')
