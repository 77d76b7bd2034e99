"""The Whoosh schema, built from catalogue cards: one index document per letter.

Every value comes from the letter's :class:`metadata.card.Card`, which is read from its TEI, so
the index can always be rebuilt from the store. Fields, by what a reader searches for:

==================  =====================================================================
``title``           the title (boosted), ``subject``: subject line and section heads
``body_<lang>``     the letter's text, stemmed in its own language (``body_de``, ``body_en``…;
                    ``body_xx`` when there is no stemmer); ``body:`` searches them all
``sender``          senders (people and organisations), ``recipient`` addressees, ``people``
                    everyone named: folded words, for search
``*_exact``         the same names whole (``sender_exact:"Karin Lund"``), for exact filters
``place``           places sent and received (``place_sent``, ``place_received`` apart)
``place_id``        the GeoNames ids of the places the gazetteer knows without doubt
                    (``place_sent_id``, ``place_received_id``): ``place:Wien`` finds "Vienna"
``date``            the date (range queries, sorting), ``year`` the year (facets)
``lang``            language code, ``collection``, ``format`` (pdf, docx, txt), ``has_notes``
``id``              the archive id; ``sha256`` the original's digest
==================  =====================================================================

Stored values (``card``, ``text``, ``tei_sha512``, ``version``) let a search show its results
and ``verify --index`` compare the index with the store without opening the archive.
Facet values are kept in per-letter numeric columns (``facet_*``), see :mod:`search.facets`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from metadata.card import Card
from metadata.gazetteer import geonames_id
from search.analysis import (
    SEPARATOR,
    STEMMED_LANGUAGES,
    UNSTEMMED,
    body_language,
    exact_analyzer,
    folding_analyzer,
    stemming_analyzer,
)
from search.facets import FACET_SLOTS, facet_documents, slot_fields

#: one body field per stemming language, plus the folded-only one
BODY_LANGUAGES = (*STEMMED_LANGUAGES, UNSTEMMED)
BODY_FIELDS = tuple(f"body_{lang}" for lang in BODY_LANGUAGES)
#: multi-valued name fields: searchable (folded words) and exact (whole names, for facets)
NAME_FIELDS = ("sender", "recipient", "people", "place", "collection")
EXACT_FIELDS = ("sender", "recipient", "place", "collection")
#: the short names of source formats (``format:pdf``)
FORMATS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/plain": "txt",
}


@dataclass(frozen=True)
class Provenance:
    """Which TEI a letter was indexed from: its OCFL version and the TEI's sha512 there."""

    version: str = ""
    tei_sha512: str = ""


def build_schema() -> Schema:
    folded = folding_analyzer()
    exact = exact_analyzer()

    def words(analyzer: object = folded, boost: float = 1.0) -> TEXT:
        # a query word the analyzer splits ("d'Orléans", "Dessau-Roßlau") is read as a phrase
        return TEXT(analyzer=analyzer, field_boost=boost, multitoken_query="phrase")

    fields: dict[str, object] = {
        "id": ID(stored=True, unique=True, sortable=True),
        "sha256": STORED,
        "title": words(boost=2.0),
        "subject": words(boost=1.5),
        "place_sent": words(),
        "place_received": words(),
        "date": DATETIME(sortable=True),
        "year": NUMERIC(int, bits=32, sortable=True),
        "place_id": KEYWORD,
        "place_sent_id": KEYWORD,
        "place_received_id": KEYWORD,
        "lang": KEYWORD(stored=True, lowercase=True),
        "format": KEYWORD(lowercase=True),
        "has_notes": BOOLEAN,
        "card": STORED,
        "text": STORED,
        "tei_sha512": STORED,
        "version": STORED,
    }
    for name in NAME_FIELDS:
        fields[name] = words()
    for name in EXACT_FIELDS:
        fields[f"{name}_exact"] = TEXT(analyzer=exact, phrase=False)
    for facet in FACET_SLOTS:
        for name in slot_fields(facet):
            fields[name] = COLUMN(NumericColumn("q", default=0))
    fields["facets"] = STORED
    for lang, name in zip(BODY_LANGUAGES, BODY_FIELDS, strict=True):
        fields[name] = words(stemming_analyzer(lang))
    return Schema(**fields)  # type: ignore[arg-type]


def document_for(card: Card, provenance: Provenance | None = None) -> dict[str, object]:
    """The index document for one letter: every value comes from its card."""
    provenance = provenance or Provenance()
    senders = _unique(card.senders + card.sender_orgs)
    recipients = _unique(card.recipients + card.recipient_orgs)
    people = _unique(senders + recipients + _more(card, "people") + _more(card, "orgs"))
    places = _unique([p for p in (card.place_sent, card.place_received) if p])
    collections = _unique(_more(card, "collection"))
    headings = [*([card.subject] if card.subject else []), *card.heads]
    when = _datetime(card.date)
    document: dict[str, object] = {
        "id": card.id,
        "sha256": card.source.sha256,
        "title": card.title,
        "subject": " ; ".join(headings),
        "place_sent": card.place_sent or "",
        "place_received": card.place_received or "",
        "place_id": " ".join(_unique([_place_id(p) for p in places])),
        "place_sent_id": _place_id(card.place_sent),
        "place_received_id": _place_id(card.place_received),
        "lang": (card.language or "").lower(),
        "format": FORMATS.get(card.source.media_type, card.source.media_type),
        "has_notes": bool(card.notes),
        f"body_{body_language(card.language)}": card.text,
        "card": json.dumps(
            {
                "title": card.title,
                "date": card.date,
                "senders": card.senders or card.sender_orgs,
                "recipients": card.recipients or card.recipient_orgs,
            },
            ensure_ascii=False,
        ),
        "text": card.text,
        "tei_sha512": provenance.tei_sha512,
        "version": provenance.version,
    }
    if when is not None:
        document["date"] = when
        document["year"] = when.year
    values = {
        "sender": senders,
        "recipient": recipients,
        "people": people,
        "place": places,
        "collection": collections,
    }
    for name, names in values.items():
        document[name] = " ; ".join(names)
    for name in EXACT_FIELDS:
        document[f"{name}_exact"] = SEPARATOR.join(values[name])
    document.update(facet_documents({**values, "lang": [card.language or ""]}))
    return document


def _place_id(name: str | None) -> str:
    """The GeoNames id of a place the gazetteer knows without doubt, else "" — the same
    lookup the query makes of a place typed (``search.query``), so "Wien" and "Vienna" meet."""
    found = geonames_id(name) if name else None
    return str(found) if found is not None else ""


_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _datetime(date: str | None) -> datetime | None:
    """The first day a TEI date can mean: "1917-07" → 1917-07-01 (None when unreadable)."""
    match = _DATE.match(date or "")
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _more(card: Card, name: str) -> list[str]:
    """A card value this schema uses when the card carries it (a list or a string): ``people``
    and ``orgs`` (everyone named in the letter), ``collection``. Cards without them index the
    correspondents as the people of the letter and no collection."""
    value = getattr(card, name, None)
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))
