"""What OAI-PMH lists: every letter's datestamp, sets and status, kept between requests.

Reading every letter's inventory and card for each request would cost seconds in a big
archive, so the catalogue keeps them and asks the archive's :meth:`~archive.api.Archive.revision`
(two ``stat`` calls) on each request; only when it changed does it look again, and then it
rereads the card only of letters whose head version is new. Another process's ingest, edit,
withdrawal or purge is therefore seen by the next request, without a restart.

Letters withdrawn from publication stay in the lists as deleted records (dated by the version
that withdrew them), and so do purged ones (dated by the purge, from the archive's purge log):
the repository keeps track of deletions persistently.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.api import Archive
from metadata.card import Card
from metadata.errors import EpistulaError

log = logging.getLogger("epistula.serve")

#: set spec prefixes (the top of each hierarchy) and what their sets hold
SET_KINDS = {
    "collection": "Letters by the collection they are filed under",
    "lang": "Letters by language",
    "year": "Letters by the year they were written",
}
#: what a set spec may not hold (OAI-PMH.xsd's setSpecType, ":" aside)
_NOT_IN_SPEC = re.compile(r"[^A-Za-z0-9\-_.!~*'()]+")


@dataclass(frozen=True)
class Entry:
    """One letter as OAI-PMH lists it."""

    id: str
    #: its head version ("" for a purged letter, which has none left)
    version: str
    datestamp: datetime
    #: the sets it is in, lowest level only (``year:1916``, ``lang:en``)
    sets: tuple[str, ...]
    #: withdrawn from publication or purged: a deleted record, without metadata
    deleted: bool = False

    @property
    def key(self) -> tuple[datetime, str]:
        """Its place in every list: by datestamp, then id (stable across requests)."""
        return self.datestamp, self.id

    def in_set(self, spec: str) -> bool:
        """Whether it is in ``spec`` or, for a set at the top (``year``), below it."""
        return any(s == spec or s.startswith(spec + ":") for s in self.sets)


class Catalogue:
    """The archive's letters in datestamp order, refreshed when the archive changes."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._lock = threading.Lock()
        self._revision: tuple[int, int] | None = None
        self._entries: list[Entry] = []
        #: letters in the store whose version or card cannot be read now
        self._unreadable: frozenset[str] = frozenset()
        #: set spec → its name, for the collections (whose specs are made from their names)
        self._names: dict[str, str] = {}

    def entries(self) -> list[Entry]:
        """Every letter, oldest datestamp first (a list the caller must not change)."""
        with self._lock:
            revision = self.archive.revision()
            if revision != self._revision:
                self._refresh()
                self._revision = revision
            return self._entries

    def unreadable(self) -> frozenset[str]:
        """The letters in the store left out of :meth:`entries` because they cannot be read."""
        self.entries()
        return self._unreadable

    def set_name(self, spec: str) -> str | None:
        """A collection's name by its set spec (None for sets named by rule)."""
        self.entries()
        return self._names.get(spec)

    def _refresh(self) -> None:
        known = {entry.id: entry for entry in self._entries}
        fresh: dict[str, Entry] = {}
        unreadable: set[str] = set()
        for object_id in self.archive.ids():
            try:
                version = self.archive.head_version(object_id)
                entry = known.get(object_id)
                if entry is None or entry.version != version.name:
                    card = self.archive.card(object_id)
                    sets = self._sets(card)
                    entry = Entry(object_id, version.name, version.created, sets, card.withdrawn)
            except EpistulaError as err:  # one unreadable letter must not hide the others
                log.warning("%s: left out of OAI-PMH: %s", object_id, err)
                unreadable.add(object_id)
                continue
            fresh[object_id] = entry
        for record in self.archive.purged():
            if record.id not in fresh and record.id not in unreadable:
                moment = datetime.fromisoformat(record.purged).astimezone(UTC)
                fresh[record.id] = Entry(record.id, "", moment.replace(microsecond=0), (), True)
        self._entries = sorted(fresh.values(), key=lambda e: e.key)
        self._unreadable = frozenset(unreadable)

    def _sets(self, card: Card) -> tuple[str, ...]:
        """The year it was written, its language and its collection, as set specs."""
        sets = []
        if card.date and card.date[:4].isdigit():
            sets.append(f"year:{card.date[:4]}")
        if card.language and not _NOT_IN_SPEC.search(card.language):
            sets.append(f"lang:{card.language}")
        if card.collection:
            spec = f"collection:{_spec_word(card.collection)}"
            self._names.setdefault(spec, card.collection)
            sets.append(spec)
        return tuple(sets)


def _spec_word(name: str) -> str:
    """A collection's name as one set spec word: "Nachlass Escher" → ``nachlass-escher``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return _NOT_IN_SPEC.sub("-", plain).strip("-") or "collection"
