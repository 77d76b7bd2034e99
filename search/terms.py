"""Finding a fuzzy word's terms in a segment's sorted term file with few reads.

Whoosh walks a Levenshtein automaton over the terms of a field by asking its cursor, again and
again, for the first term at or after the next string the automaton accepts; each of those
lookups is a binary search over every term of the segment (all fields, hundreds of thousands
of terms at 100,000 letters), two or three file reads per step. Here one field's slice of the
term file's position index is read once, probed keys are remembered, and each lookup starts
where the last one ended (the strings asked for only ever grow), so a fuzzy word over twenty
fields costs a few hundred reads instead of thousands. The terms found are the same.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.fields import FieldType
from whoosh.filedb.filetables import OrderedHashReader

_KEY_LENGTH = struct.Struct("!i")
_FIELD_NUMBER = struct.Struct("!H")


class FieldTerms:
    """The sorted terms of one field in one segment's term file (Whoosh 3 codec)."""

    def __init__(self, tindex: OrderedHashReader, fieldnum: int | None) -> None:
        self._tindex = tindex
        self._dbfile = tindex.dbfile
        self._keys: dict[int, bytes] = {}
        # a field the segment never indexed has no terms
        self._slots = np.zeros(0, np.int64) if fieldnum is None else self._positions(fieldnum)

    def _positions(self, fieldnum: int) -> np.ndarray:
        """Where the field's keys are in the file, in key order (keys start with the field's
        number, so one field's keys are one run of the index)."""
        tindex = self._tindex
        first = self._closest_slot(_FIELD_NUMBER.pack(fieldnum), 0, tindex.indexlen)
        end = (
            self._closest_slot(_FIELD_NUMBER.pack(fieldnum + 1), first, tindex.indexlen)
            if fieldnum < 65535
            else tindex.indexlen
        )
        dtype = np.dtype(">" + tindex.extras["indextype"])
        size = dtype.itemsize
        raw = self._dbfile.get(tindex.indexbase + first * size, (end - first) * size)
        return np.frombuffer(raw, dtype=dtype).astype(np.int64)

    def _closest_slot(self, key: bytes, lo: int, hi: int) -> int:
        """The first slot of the whole index from ``lo`` whose key is ≥ ``key``."""
        tindex = self._tindex
        while lo < hi:
            mid = (lo + hi) // 2
            if tindex.key_at(tindex._get_pos(tindex.indexbase + mid * tindex.indexsize)) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _key(self, slot: int) -> bytes:
        key = self._keys.get(slot)
        if key is None:
            position = int(self._slots[slot])
            length = _KEY_LENGTH.unpack(self._dbfile.get(position, 4))[0]
            # key length and value length (4 bytes each), then the field number (2) and term
            key = self._keys[slot] = self._dbfile.get(position + 10, length - 2)
        return key

    def _find(self, term: bytes, lo: int) -> int:
        """The first slot at or after ``lo`` whose term is ≥ ``term``: a galloping search, as
        the next term wanted is often close to the last one found."""
        count = len(self._slots)
        step, hi = 1, lo
        while hi < count and self._key(hi) < term:
            lo = hi + 1
            hi = lo + step
            step *= 2
        hi = min(hi, count)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < term:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def matches(self, dfa: Any) -> Iterator[bytes]:
        """The field's terms the automaton accepts, in order (as ``Automata.find_matches``)."""
        if not len(self._slots):
            return
        slot = 0
        term = self._key(0).decode("utf-8")
        match = dfa.next_valid_string(term)
        while match:
            slot = self._find(match.encode("utf-8"), slot)
            if slot >= len(self._slots):
                return
            term = self._key(slot).decode("utf-8")
            if match == term:
                yield term.encode("utf-8")
                term += "\0"
            match = dfa.next_valid_string(term)


def field_terms(reader: Any, fieldname: str) -> FieldTerms | None:
    """The term walker for ``fieldname`` in one segment's reader; None when the segment is not
    stored the way this knows (Whoosh 3 term files) or the field's terms are not text, and
    the caller should use Whoosh's own cursor."""
    terms = getattr(reader, "_terms", None)
    tindex = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if not isinstance(tindex, OrderedHashReader) or not isinstance(fieldmap, dict):
        return None
    if fieldname not in reader.schema or type(reader.schema[fieldname]).from_bytes is not (
        FieldType.from_bytes
    ):
        return None
    return FieldTerms(tindex, fieldmap.get(fieldname))
