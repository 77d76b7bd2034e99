"""The Whoosh schema, built from catalogue cards (field names follow the ``show --json`` keys).

Searchable fields are folded (case- and accent-insensitive); ``card`` stores the few values a
result line shows, so a search never has to open the archive.
"""

from __future__ import annotations

import json

from whoosh.fields import BOOLEAN, ID, STORED, TEXT, Schema

from metadata.card import Card
from search.analysis import folding_analyzer


def build_schema() -> Schema:
    folded = folding_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        sha256=ID(stored=True),
        title=TEXT(analyzer=folded, stored=True, field_boost=2.0),
        sender=TEXT(analyzer=folded),
        recipient=TEXT(analyzer=folded),
        place=TEXT(analyzer=folded),
        heads=TEXT(analyzer=folded),
        body=TEXT(analyzer=folded, stored=True),
        date=ID(stored=True, sortable=True),
        year=ID(stored=True),
        lang=ID(stored=True),
        format=ID(stored=True),
        has_notes=BOOLEAN(stored=True),
        card=STORED,
    )


def document_for(card: Card) -> dict[str, object]:
    """The index document for one letter: every value comes from its card."""
    return {
        "id": card.id,
        "sha256": card.source.sha256,
        "title": card.title,
        "sender": " ; ".join(card.senders + card.sender_orgs),
        "recipient": " ; ".join(card.recipients + card.recipient_orgs),
        "place": " ; ".join(p for p in (card.place_sent, card.place_received) if p),
        "heads": " ; ".join(card.heads + ([card.subject] if card.subject else [])),
        "body": card.text,
        "date": card.date or "",
        "year": (card.date or "")[:4],
        "lang": card.language or "",
        "format": card.source.media_type,
        "has_notes": bool(card.notes),
        "card": json.dumps(
            {
                "title": card.title,
                "date": card.date,
                "senders": card.senders or card.sender_orgs,
                "recipients": card.recipients or card.recipient_orgs,
            },
            ensure_ascii=False,
        ),
    }
