"""What OAI-PMH lists: every letter's datestamp and sets, kept between requests.

Reading every letter's inventory and Dublin Core for each request would cost seconds in a big
archive, so the catalogue keeps them and asks the archive's :meth:`~archive.api.Archive.revision`
(two ``stat`` calls) on each request; only when it changed does it look again, and then it
rereads the Dublin Core only of letters whose head version is new. Another process's ingest or
edit is therefore seen by the next request, without a restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from archive.api import Archive
from metadata.errors import EpistulaError
from metadata.xml import NS, parse

log = logging.getLogger("epistula.serve")

#: set spec prefixes (the top of each hierarchy) and what their sets hold
SET_KINDS = {"year": "Letters by the year they were written", "lang": "Letters by language"}


@dataclass(frozen=True)
class Entry:
    """One letter as OAI-PMH lists it."""

    id: str
    version: str
    datestamp: datetime
    #: the sets it is in, lowest level only (``year:1916``, ``lang:en``)
    sets: tuple[str, ...]

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
        #: letters in the store whose version or Dublin Core cannot be read now
        self._unreadable: frozenset[str] = frozenset()

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

    def _refresh(self) -> None:
        known = {entry.id: entry for entry in self._entries}
        fresh: list[Entry] = []
        unreadable: set[str] = set()
        for object_id in self.archive.ids():
            try:
                version = self.archive.head_version(object_id)
                entry = known.get(object_id)
                if entry is None or entry.version != version.name:
                    entry = Entry(object_id, version.name, version.created, self._sets(object_id))
            except EpistulaError as err:  # one unreadable letter must not hide the others
                log.warning("%s: left out of OAI-PMH: %s", object_id, err)
                unreadable.add(object_id)
                continue
            fresh.append(entry)
        fresh.sort(key=lambda e: e.key)
        self._entries = fresh
        self._unreadable = frozenset(unreadable)

    def _sets(self, object_id: str) -> tuple[str, ...]:
        """Its year and languages, read from its Dublin Core (a small file, quickly parsed)."""
        dc = parse(self.archive.dc_bytes(object_id))
        sets = [
            f"year:{date[:4]}"
            for date in dc.xpath("dc:date/text()", namespaces=NS)[:1]
            if date[:4].isdigit()
        ]
        sets += [
            f"lang:{code}"
            for code in dict.fromkeys(dc.xpath("dc:language/text()", namespaces=NS))
            if code.isalnum() or code.replace("-", "").isalnum()
        ]
        return tuple(sets)
