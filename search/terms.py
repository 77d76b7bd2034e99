"""Finding a fuzzy word's terms in a segment's sorted term file with few reads.

Whoosh walks a Levenshtein automaton over the terms of a field by asking its cursor, again and
again, for the first term at or after the next string the automaton accepts; each of those
lookups is a binary search over every term of the segment (all fields, hundreds of thousands
of terms at 100,000 letters), two or three file reads per step. Here each lookup gallops
forward from where the last one ended (the strings asked for only ever grow), and every key
probed is remembered for the segment's other fields (a bare fuzzy word searches twenty of
them, and their searches start alike), so a fuzzy word costs a few hundred reads instead of
thousands. The terms found are the same, in the same order.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from whoosh.fields import FieldType
from whoosh.filedb.filetables import OrderedHashReader

_FIELD_NUMBER = struct.Struct("!H")


class SegmentTerms:
    """The sorted keys (field number, then term) of one segment's term file."""

    def __init__(self, tindex: OrderedHashReader, keys: dict[int, bytes]) -> None:
        self._tindex = tindex
        self._count: int = tindex.indexlen
        #: slot → key, of the keys read so far
        self._keys = keys

    def _key(self, slot: int) -> bytes:
        key = self._keys.get(slot)
        if key is None:
            tindex = self._tindex
            position = tindex._get_pos(tindex.indexbase + slot * tindex.indexsize)
            key = self._keys[slot] = tindex.key_at(position)
        return key

    def _find(self, key: bytes, lo: int) -> int:
        """The first slot at or after ``lo`` whose key is ≥ ``key``: a galloping search, as
        the next key wanted is often close to the last one found."""
        count = self._count
        step, hi = 1, lo
        while hi < count and self._key(hi) < key:
            lo = hi + 1
            hi = lo + step
            step *= 2
        hi = min(hi, count)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def starting(self, fieldnum: int, prefix: bytes) -> Iterator[bytes]:
        """The field's terms that start with ``prefix``, in order."""
        start = _FIELD_NUMBER.pack(fieldnum) + prefix
        slot = self._find(start, 0)
        while slot < self._count:
            key = self._key(slot)
            if not key.startswith(start):
                return
            yield key[2:]
            slot += 1

    def matches(self, fieldnum: int, dfa: Any) -> Iterator[bytes]:
        """The field's terms the automaton accepts, in order (as ``Automata.find_matches``,
        which starts from the field's first term; starting from the automaton's smallest
        string finds the same terms)."""
        prefix = _FIELD_NUMBER.pack(fieldnum)
        slot = 0
        match = dfa.next_valid_string("")
        while match is not None:
            slot = self._find(prefix + match.encode("utf-8"), slot)
            if slot >= self._count:
                return
            key = self._key(slot)
            if not key.startswith(prefix):
                return
            term = key[len(prefix) :].decode("utf-8")
            if term == match:
                yield key[len(prefix) :]
                term += "\0"
            match = dfa.next_valid_string(term)


def prefix_matches(reader: Any, fieldname: str, prefix: bytes) -> list[bytes] | None:
    """The terms of ``fieldname`` that start with ``prefix`` in every segment behind
    ``reader``, sorted (as ``IndexReader.expand_prefix``); None when a segment is not stored
    the way this knows. The search for each field's first term shares its probes with the
    other fields' (a bare ``word*`` searches twenty fields)."""
    found: set[bytes] = set()
    for leaf, _offset in reader.leaf_readers():
        segment = _segment(leaf, fieldname)
        if segment is None:
            return None
        if segment is not _EMPTY:
            found.update(segment[0].starting(segment[1], prefix))
    return sorted(found)


def _segment(reader: Any, fieldname: str) -> tuple[SegmentTerms, int] | object | None:
    """The segment's term file and the field's number in it (``_EMPTY`` when the segment has
    no such field); None when the segment or field is not one this knows."""
    terms = getattr(reader, "_terms", None)
    tindex = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if not isinstance(tindex, OrderedHashReader) or not isinstance(fieldmap, dict):
        return None
    if fieldname not in reader.schema or type(reader.schema[fieldname]).from_bytes is not (
        FieldType.from_bytes
    ):
        return None
    if fieldname not in fieldmap:
        return _EMPTY
    keys = _PROBED.get(tindex)
    if keys is None:
        keys = _PROBED[tindex] = {}
    return SegmentTerms(tindex, keys), fieldmap[fieldname]


_EMPTY = object()


#: the keys read so far in each open segment's term file (forgotten with the file's reader)
_PROBED: WeakKeyDictionary[OrderedHashReader, dict[int, bytes]] = WeakKeyDictionary()


def fuzzy_matches(reader: Any, fieldname: str, dfa: Any) -> Iterator[bytes] | None:
    """The terms of ``fieldname`` in one segment that ``dfa`` accepts; None when the segment
    is not stored the way this knows (Whoosh 3 term files) or the field's terms are not text,
    and the caller should use Whoosh's own cursor."""
    segment = _segment(reader, fieldname)
    if segment is None:
        return None
    if segment is _EMPTY:
        return iter(())
    terms, fieldnum = segment  # type: ignore[misc]
    return terms.matches(fieldnum, dfa)
