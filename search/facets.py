"""Facet counts and date order for every match, read from per-letter numeric columns.

Each facet value (a sender's name, a place, a language…) is kept in a sortable numeric column
as a 64-bit key of the exact value; a letter with several senders fills several slots
(``facet_sender_0``, ``facet_sender_1``…). Counting a facet over the letters a query matches is
then one numpy pass over those columns, whatever the number of matches; only the few values
shown are turned back into names, from the stored fields of one letter that carries each.
Years come from the ``year`` column and dates for sorting from the ``date`` column.

Values are counted with their case folded: "BEETHOVEN" and "Beethoven" are one sender. The
form shown is the one the first letter counted writes, except that a name in capitals is
shown title-cased ("BEETHOVEN" → "Beethoven", "LUDWIG VAN BEETHOVEN" → "Ludwig van
Beethoven"), so a value's label never depends on which of its letters happens to come first
only because one of them shouts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher
from whoosh.util.numeric import from_sortable

from metadata.names import title_case
from search.docsets import native, numeric_column

#: facets and how many values of each one letter can count towards
FACET_SLOTS = {"sender": 3, "recipient": 3, "place": 2, "collection": 2, "lang": 1}
#: every facet a search can count
FACETS = ("sender", "recipient", "year", "lang", "place", "collection")
#: facets of names, shown title-cased when written in capitals (a collection's "NLS" is not)
NAME_FACETS = frozenset({"sender", "recipient", "place"})
#: values shown per facet
FACET_TOP = 10


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


def facet_key(value: str) -> int:
    """The 64-bit column key of one facet value, its case folded and its spaces collapsed
    (never 0, which means "none")."""
    folded = " ".join(value.casefold().split())
    digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


def slot_fields(facet: str) -> list[str]:
    return [f"facet_{facet}_{n}" for n in range(FACET_SLOTS[facet])]


class Columns:
    """The numeric columns of all segments behind one searcher, read as the query needs them."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._parts: dict[str, list[np.ndarray | None]] = {}
        self._names: dict[int, dict[str, list[str]]] = {}
        leaves = searcher.leaf_searchers()
        #: the first global document number of each segment
        self._starts = np.array([offset for _leaf, offset in leaves], dtype=np.int64)

    def _segments(self, fieldname: str) -> list[np.ndarray | None]:
        """Each segment's column (None for a segment where no letter has a value: Whoosh
        writes no column file then)."""
        if fieldname not in self._parts:
            self._parts[fieldname] = [
                numeric_column(leaf.reader(), fieldname, padded=False)
                for leaf, _offset in self.searcher.leaf_searchers()
            ]
        return self._parts[fieldname]

    def name_of(self, docnum: int, facet: str, key: int) -> str:
        """The value of ``facet`` whose key is ``key``, from the stored names of a letter that
        has it (one letter often names the first sender and the first recipient)."""
        names = self._names.get(docnum)
        if names is None:
            names = self._names[docnum] = self.searcher.stored_fields(docnum).get("facets", {})
        for value in names.get(facet, []):
            if facet_key(value) == key:
                shown = " ".join(str(value).split())
                return title_case(shown) if facet in NAME_FACETS else shown
        return "?"

    def at(self, fieldname: str, docs: np.ndarray) -> np.ndarray | None:
        """The values of the letters ``docs`` (global document numbers), in this machine's
        byte order; None when no letter has a value."""
        parts = self._segments(fieldname)
        present = [part for part in parts if part is not None]
        if not present:
            return None
        default = self.searcher.schema[fieldname].column_type._default
        values = np.full(len(docs), default, dtype=native(present[0][:0]).dtype)
        segment = np.searchsorted(self._starts, docs, side="right") - 1 if len(parts) > 1 else None
        for number, part in enumerate(parts):
            if part is None:
                continue
            local = docs - self._starts[number]
            # a segment's column file stops at its last letter with a value
            chosen = local < len(part)
            if segment is not None:
                chosen &= segment == number
            if chosen.any():
                values[chosen] = part[local[chosen]]
        return values


def count_facets(
    columns: Columns, docs: np.ndarray, names: Iterable[str], top: int = FACET_TOP
) -> dict[str, list[FacetValue]]:
    """The ``top`` most frequent values of each facet among the letters ``docs``."""
    return {name: _count(columns, docs, name, top) for name in names}


def _count(columns: Columns, docs: np.ndarray, name: str, top: int) -> list[FacetValue]:
    if name == "year":
        return _count_years(columns, docs, top)
    if not len(docs):
        return []
    # a slot no letter fills (no letter has three senders) has no column at all
    slots = [
        slot
        for slot in (columns.at(field, docs) for field in slot_fields(name))
        if slot is not None
    ]
    if not slots:
        return []
    # letter by letter (each letter's slots side by side), so that the first occurrence of a
    # value is in the first letter that has it
    flat = np.stack(slots, axis=1).ravel()
    keys, counts = np.unique(flat[flat != 0], return_counts=True)
    best = np.argsort(-counts, kind="stable")[:top]
    values = []
    for index in best:
        key = int(keys[index])
        letter = int(docs[int(np.argmax(flat == key)) // len(slots)])
        values.append(FacetValue(columns.name_of(letter, name, key), int(counts[index])))
    return sorted(values, key=lambda v: (-v.count, v.value))


def _count_years(columns: Columns, docs: np.ndarray, top: int) -> list[FacetValue]:
    chosen = columns.at("year", docs) if len(docs) else None
    if chosen is None:
        return []
    field = columns.searcher.schema["year"]
    chosen = chosen[chosen != field.column_type._default]
    keys, counts = np.unique(chosen, return_counts=True)
    best = np.argsort(-counts, kind="stable")[:top]
    values = [
        FacetValue(
            str(from_sortable(field.numtype, field.bits, field.signed, int(keys[i]))),
            int(counts[i]),
        )
        for i in best
    ]
    return sorted(values, key=lambda v: (-v.count, v.value))


def date_order(
    columns: Columns, docs: np.ndarray, descending: bool, count: int | None = None
) -> np.ndarray:
    """``docs`` by date (oldest first, or newest first; letters of the same date in the order
    of ``docs``, or its reverse when newest first); undated letters last either way. Only the
    first ``count`` when given: those are found without sorting every match."""
    chosen = columns.at("date", docs) if len(docs) else None
    if chosen is None:
        return docs if count is None else docs[:count]
    field = columns.searcher.schema["date"]
    dated = np.flatnonzero(chosen != field.column_type._default)
    values = chosen[dated]
    if count is not None and count < len(dated):
        # the dates up to the count-th, ties with it included, are all the page can hold
        if descending:
            edge = np.partition(values, len(values) - count)[len(values) - count]
            kept = values >= edge
        else:
            edge = np.partition(values, count - 1)[count - 1]
            kept = values <= edge
        dated, values = dated[kept], values[kept]
    order = np.lexsort((-dated, -values) if descending else (dated, values))
    ordered = dated[order]
    if count is not None and len(ordered) >= count:
        return docs[ordered[:count]]
    undated = np.flatnonzero(chosen == field.column_type._default)
    found = docs[np.concatenate([ordered, undated])]
    return found if count is None else found[:count]


def _distinct(names: Sequence[str]) -> list[str]:
    """The values, each folded key once, in their first written form."""
    seen: set[int] = set()
    out = []
    for name in names:
        key = facet_key(name) if name else 0
        if name and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def facet_documents(values: dict[str, Sequence[str]]) -> dict[str, object]:
    """The facet columns and stored names of one letter, from its facet values."""
    # one value per folded key: a letter to "BEETHOVEN" and "Beethoven" counts once
    kept = {facet: _distinct(names) for facet, names in values.items()}
    document: dict[str, object] = {"facets": {k: v for k, v in kept.items() if v}}
    for facet in FACET_SLOTS:
        for field, name in zip(slot_fields(facet), kept.get(facet, []), strict=False):
            document[field] = facet_key(name)
    return document
