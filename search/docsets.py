"""Which letters a query matches, and how well, computed a block of postings at a time.

Whoosh finds and scores matches one document at a time, in Python; that is fine for a few
hundred matches but slow for what a faceted search needs of *every* match (the total, facet
counts, sorting by date, the best ten) when a query matches tens of thousands of letters. Here
posting lists are read in blocks into numpy arrays: terms, their unions and intersections,
negation, term expansions (wildcards, fuzzy words) and ranges over a numeric column (dates,
years) become array operations; phrases decode positions only for the letters holding every
word; scores are Whoosh's BM25F, summed per term with numpy. Other query types (spans) are
left to Whoosh's matchers, so every query is answered, the common ones faster.

A block is decoded only when needed: an intersection reads its rarest part first and the
others only in the blocks (found from their headers) that can hold those letters, scores are
read only where the matches are, and a block's positions are unpickled only for phrases.
"""

from __future__ import annotations

import io
import mmap
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from math import log
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.fields import DATETIME, NUMERIC
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search.errors import QueryTooBroad
from search.terms import prefix_matches

EMPTY = np.zeros(0, dtype=np.int64)
#: BM25F's free parameters, as Whoosh's default weighting has them
B, K1 = 0.75, 1.2
#: a field length as Whoosh stores it (one byte) → the length
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


class Evaluation:
    """One query's matches and scores over the segments behind a searcher.

    Each posting list is read once, a block at a time, into arrays of document numbers and
    term weights; matches are set operations on those arrays and scores are BM25F (as
    Whoosh computes it), summed over the query's terms.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.leaves = searcher.leaf_searchers()
        self._lists: dict[tuple[int, str, bytes], PostingList] = {}
        self._lengths: dict[tuple[int, str], np.ndarray] = {}

    def docs(self, query: q.Query) -> np.ndarray:
        """Document numbers (sorted, deleted letters left out) of every match."""
        parts = []
        for index, (leaf, offset) in enumerate(self.leaves):
            reader = leaf.reader()
            docs = self._docs(index, leaf, reader, query, None)
            if reader.has_deletions() and len(docs):
                deleted = np.fromiter(reader._perdoc.deleted_docs(), dtype=np.int64)
                docs = docs[~np.isin(docs, deleted)]
            parts.append(docs + offset)
        return np.concatenate(parts) if parts else EMPTY

    def ranked(
        self, query: q.Query, docs: np.ndarray, count: int | None
    ) -> list[tuple[int, float]]:
        """The ``count`` best of ``docs`` (all when None) as (docnum, score), best first."""
        scores = np.zeros(self.searcher.doc_count_all(), dtype=np.float64)
        local = [
            docs[(docs >= offset) & (docs < offset + leaf.reader().doc_count_all())] - offset
            for leaf, offset in self.leaves
        ]
        for term in _scored_terms(query):
            self._add_scores(scores, local, *term)
        chosen = scores[docs]
        if count is not None and count < len(docs):
            best = np.argpartition(-chosen, count - 1)[:count]
        else:
            best = np.arange(len(docs))
        order = best[np.lexsort((docs[best], -chosen[best]))]
        return [(int(docs[i]), float(chosen[i])) for i in order]

    def _add_scores(
        self, scores: np.ndarray, local: list[np.ndarray], fieldname: str, text: Any, boost: float
    ) -> None:
        """Add one term's BM25F score to ``scores`` at (at least) the letters ``local`` (each
        segment's own document numbers)."""
        schema = self.searcher.schema
        if fieldname not in schema or not schema[fieldname].scorable:
            return
        btext = text if isinstance(text, bytes) else schema[fieldname].to_bytes(text)
        lists = [
            self._list(index, leaf.reader(), fieldname, btext)
            for index, (leaf, _offset) in enumerate(self.leaves)
        ]
        # Whoosh's idf (``WeightingModel.idf``), from the posting lists already at hand rather
        # than one more look-up of the term in every segment
        frequency = sum(posting_list.doc_frequency for posting_list in lists)
        idf = log(self.searcher.doc_count_all() / (frequency + 1)) + 1
        average = self.searcher.avg_field_length(fieldname) or 1.0
        for index, (leaf, offset) in enumerate(self.leaves):
            reader = leaf.reader()
            ids, weights = lists[index].read(local[index])
            if not len(ids):
                continue
            lengths = self._field_lengths(index, reader, fieldname)[ids]
            norm = K1 * ((1 - B) + B * lengths / average)
            scores[ids + offset] += boost * idf * (weights * (K1 + 1)) / (weights + norm)

    def _docs(
        self,
        index: int,
        searcher: Searcher,
        reader: IndexReader,
        query: q.Query,
        within: np.ndarray | None,
    ) -> np.ndarray:
        """The segment's letters matching ``query``; when ``within`` (sorted letters) is given,
        possibly only those among them: callers intersect with ``within`` anyway, and a posting
        list is then read only in the blocks that can hold them."""
        if isinstance(query, q.Term):
            return self._read(index, reader, query.fieldname, query.text, within)[0]
        if isinstance(query, q.And | q.Require):
            # the rarest first, so the others are read only where it matched
            found = within
            for sub in sorted(query.children(), key=lambda sub: _estimate(reader, sub)):
                docs = self._docs(index, searcher, reader, sub, found)
                found = docs if found is None else _intersect([found, docs])
                if not len(found):
                    break
            return EMPTY if found is None else found
        if isinstance(query, q.Or | q.DisjunctionMax):
            size = reader.doc_count_all()
            return _union(
                [self._docs(index, searcher, reader, sub, within) for sub in query.children()],
                size,
            )
        if isinstance(query, q.AndNot):
            a = self._docs(index, searcher, reader, query.a, within)
            if not len(a):
                return a
            b = self._docs(index, searcher, reader, query.b, a)
            return np.setdiff1d(a, b, assume_unique=True)
        if isinstance(query, q.Not):
            if within is None:
                within = np.arange(reader.doc_count_all(), dtype=np.int64)
            inner = self._docs(index, searcher, reader, query.query, within)
            return np.setdiff1d(within, inner, assume_unique=True)
        if isinstance(query, q.AndMaybe):
            return self._docs(index, searcher, reader, query.a, within)
        if isinstance(query, q.Otherwise):
            first = self._docs(index, searcher, reader, query.a, None)
            return first if len(first) else self._docs(index, searcher, reader, query.b, within)
        if isinstance(query, q.NumericRange):
            return _numeric_range(searcher, reader, query)
        if isinstance(query, q.MultiTerm) and not isinstance(query, q.Every):
            field = query.field()
            return _union(
                [self._read(index, reader, field, t, within)[0] for t in query._btexts(reader)],
                reader.doc_count_all(),
            )
        if isinstance(query, q.Phrase):
            return self._phrase(index, reader, query, within)
        if isinstance(query, q.WrappingQuery):
            return self._docs(index, searcher, reader, query.child, within)
        if isinstance(query, q.Every) and not query.fieldname:
            return np.arange(reader.doc_count_all(), dtype=np.int64)
        if query is q.NullQuery or isinstance(query, type(q.NullQuery)):
            return EMPTY
        # spans and anything else: Whoosh's matchers know how
        return np.fromiter(query.docs(searcher), dtype=np.int64)

    def _phrase(
        self, index: int, reader: IndexReader, query: q.Phrase, within: np.ndarray | None
    ) -> np.ndarray:
        """Letters with the words in order, at most ``slop`` positions apart (1: adjacent).
        Positions are decoded only for the letters that hold every word (the rarest word's
        letters first), from the blocks of postings that hold them."""
        lists = [self._list(index, reader, query.fieldname, word) for word in query.words]
        if not lists:
            return EMPTY
        candidates = within
        for posting_list in sorted(lists, key=lambda found: found.doc_frequency):
            ids = posting_list.read(candidates)[0]
            candidates = ids if candidates is None else _intersect([candidates, ids])
            if not len(candidates):
                return EMPTY
        assert candidates is not None
        if len(lists) == 1:
            return candidates
        values = [posting_list.values(candidates) for posting_list in lists]
        found = [
            doc
            for n, doc in enumerate(candidates.tolist())
            if _in_order([_positions(vs[n]) for vs in values], query.slop)
        ]
        return np.array(found, dtype=np.int64)

    def _list(
        self, index: int, reader: IndexReader, fieldname: str | None, text: Any
    ) -> PostingList:
        """One segment's posting list of a term (empty when the index does not hold it)."""
        if not fieldname or fieldname not in reader.schema:
            return _NO_POSTINGS
        btext = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
        key = (index, fieldname, btext)
        found = self._lists.get(key)
        if found is None:
            try:
                matcher = reader.postings(fieldname, btext)
            except TermNotFound:
                found = _NO_POSTINGS
            else:
                if isinstance(matcher, FilterMatcher) and matcher._exclude:
                    # deleted letters are left out of every match at the end (``docs``), so
                    # the posting list itself can be read a block at a time
                    matcher = matcher.child
                found = PostingList(matcher)
            self._lists[key] = found
        return found

    def _read(
        self,
        index: int,
        reader: IndexReader,
        fieldname: str | None,
        text: Any,
        within: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term's postings: all of them, or at least those
        of the letters ``within``."""
        return self._list(index, reader, fieldname, text).read(within)

    def _field_lengths(self, index: int, reader: IndexReader, fieldname: str) -> np.ndarray:
        key = (index, fieldname)
        if key not in self._lengths:
            perdoc = reader._perdoc
            name = f"_{fieldname}_len"
            if not perdoc.has_column(name):
                self._lengths[key] = np.ones(reader.doc_count_all())
            else:
                raw = _column_values(
                    perdoc.column_reader(name, LENGTHS_COLUMN), LENGTHS_COLUMN, reader
                )
                self._lengths[key] = _LENGTHS[native(raw)]
        return self._lengths[key]


def _scored_terms(query: q.Query) -> list[tuple[str, Any, float]]:
    """(field, term, boost) of the terms that add to a match's score (not those under NOT)."""
    if isinstance(query, q.Term):
        return [(query.fieldname, query.text, query.boost)]
    if isinstance(query, q.Phrase | q.Ordered | q.Sequence):
        return [(query.fieldname, word, query.boost) for word in getattr(query, "words", [])]
    if isinstance(query, q.AndNot | q.AndMaybe):
        return _scored_terms(query.a) + (
            _scored_terms(query.b) if isinstance(query, q.AndMaybe) else []
        )
    if isinstance(query, q.Not | q.NumericRange):
        return []
    found = []
    for child in query.children():
        found += [(f, t, b * query.boost) for f, t, b in _scored_terms(child)]
    return found


#: how a posting with one position begins: the count (1), then a pickled list of one delta
_ONE_POSITION = b"\x00\x00\x00\x01\x80\x02]q\x00"


def _positions(value: bytes) -> list[int]:
    """A posting's positions (Whoosh's ``Positions`` format: a count, then pickled deltas)."""
    if value.startswith(_ONE_POSITION):  # most words occur once in a letter: no unpickling
        code = value[9]
        if code == 0x4B:  # BININT1
            return [value[10]]
        if code == 0x4D:  # BININT2, little-endian
            return [value[10] | value[11] << 8]
    codes = loads(value[4:] if value.endswith(b".") else value[4:] + b".")
    return list(accumulate(codes))


def _in_order(positions: list[list[int]], slop: int) -> bool:
    """Whether some position of each word follows one of the word before, within ``slop``."""
    ends = positions[0]
    for following in positions[1:]:
        if slop == 1:
            wanted = {end + 1 for end in ends}
            ends = [p for p in following if p in wanted]
        else:
            ends = [p for p in following if any(0 < p - end <= slop for end in ends)]
        if not ends:
            return False
    return True


class PostingList:
    """One term's postings in one segment, read a block (up to 128 postings) at a time and
    only in the blocks asked for: the blocks' headers (last document, count) are read first."""

    def __init__(self, matcher: Any) -> None:
        self._matcher = matcher
        self._blocks: list[_Block] = []
        self._decoded: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._values: dict[int, tuple[np.ndarray, Sequence[bytes]]] = {}
        self._whole: tuple[np.ndarray, np.ndarray] | None = None
        self._inline = not hasattr(matcher, "_dataoffset") or matcher._byteids
        if matcher is None:
            self._whole = (EMPTY, np.zeros(0))
        elif self._inline:
            # postings Whoosh keeps in the term's entry (a single letter), or another format
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            self._whole = np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
        else:
            matcher.reset()  # from the first block, wherever a wrapper left it
            while matcher.is_active():
                self._blocks.append(
                    _Block(
                        matcher._postfile,
                        matcher._dataoffset,
                        matcher._nextoffset - matcher._dataoffset,
                        bool(matcher._compression),
                        matcher._blocklength,
                        matcher._maxid,
                    )
                )
                matcher._next_block()
        self._last_ids = np.array([block.last for block in self._blocks], dtype=np.int64)

    @property
    def doc_frequency(self) -> int:
        if self._whole is not None:
            return len(self._whole[0])
        return sum(block.count for block in self._blocks)

    def read(self, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of every posting, or of at least those of the
        letters ``within`` (the blocks that may hold them)."""
        if self._whole is not None:
            return self._whole
        if within is not None and len(within) > 2 * len(self._blocks):
            within = None  # the letters are likely to be in most blocks anyway
        if within is None:
            numbers = range(len(self._blocks))
        else:
            numbers = np.unique(np.searchsorted(self._last_ids, within)).tolist()
            numbers = [n for n in numbers if n < len(self._blocks)]
        parts = [self._block(n) for n in numbers]
        if not parts:
            return EMPTY, np.zeros(0)
        ids = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        weights = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        if within is None:
            self._whole = ids, weights
        return ids, weights

    def _block(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        found = self._decoded.get(number)
        if found is None:
            block = self._blocks[number]
            deltas, weights = _ids_and_weights(block.data(), block.count)
            ids = np.cumsum(np.array(deltas, dtype=np.int64))
            if weights is None or isinstance(weights, float):
                weights = np.full(block.count, 1.0 if weights is None else weights)
            else:
                weights = np.array(weights, dtype=np.float64)
            found = self._decoded[number] = ids, weights
        return found

    def values(self, docs: np.ndarray) -> list[bytes]:
        """The posting values (positions) of the letters ``docs``, which all have the term."""
        if self._inline:
            values = list(_all_values(self._matcher))
            slots = np.searchsorted(self._whole[0], docs)
            return [values[slot] for slot in slots.tolist()]
        found: list[bytes] = []
        numbers = np.searchsorted(self._last_ids, docs)
        # docs are sorted, so each block's letters are one run of them
        bounds = np.flatnonzero(np.diff(numbers)) + 1
        for run in np.split(docs, bounds):
            number = int(numbers[len(found)])
            decoded = self._values.get(number)
            if decoded is None:
                ids, _weights, values = loads(self._blocks[number].data())
                decoded = self._values[number] = (np.cumsum(np.array(ids, dtype=np.int64)), values)
            block_values = decoded[1]
            found += [block_values[slot] for slot in np.searchsorted(decoded[0], run).tolist()]
        return found


@dataclass(frozen=True)
class _Block:
    """Where one block of a posting list is in the postings file; its size and last letter."""

    postfile: Any
    offset: int
    length: int
    compressed: bool
    count: int
    last: int

    def data(self) -> bytes:
        raw = self.postfile.get(self.offset, self.length)
        return zlib.decompress(raw) if self.compressed else raw


_NO_POSTINGS = PostingList(None)

#: how a pickled block's values begin: a value (positions as bytes) pickled with protocol 2
_FIRST_VALUE = b"(c_codecs\nencode\n"


def _ids_and_weights(data: bytes, count: int) -> tuple[Any, Any]:
    """A block's (document number deltas, weights) from its pickled (ids, weights, values).

    Unpickling the values (one function call per posting for the positions of a body field)
    is nine tenths of reading a block, and counting or scoring never needs them: the pickle
    is cut where the values begin and closed as a pair. A block that does not look as
    expected is unpickled whole."""
    cut = data.find(_FIRST_VALUE)
    if cut > 0:
        try:
            ids, weights = loads(data[:cut] + b"\x86.")  # TUPLE2, STOP
        except Exception:  # not a block as Whoosh 3 writes them: unpickle it whole
            ids = weights = None
        if (
            isinstance(ids, tuple)
            and len(ids) == count
            and (weights is None or isinstance(weights, float) or len(weights) == count)
        ):
            return ids, weights
    ids, weights, _values = loads(data)
    return ids, weights


def _all_values(matcher: Any) -> Iterator[bytes]:
    matcher.reset()
    while matcher.is_active():
        yield matcher.value()
        matcher.next()


def _estimate(reader: IndexReader, query: q.Query) -> float:
    """About how many letters of the segment ``query`` matches, to intersect the rarest first."""
    if isinstance(query, q.Term):
        btext = _exists(reader, query.fieldname, query.text)
        return reader.doc_frequency(query.fieldname, btext) if btext else 0
    if isinstance(query, q.Phrase):
        return min((_estimate(reader, q.Term(query.fieldname, w)) for w in query.words), default=0)
    if isinstance(query, q.And | q.Require):
        return min((_estimate(reader, sub) for sub in query.children()), default=0)
    if isinstance(query, q.Or | q.DisjunctionMax):
        return sum(_estimate(reader, sub) for sub in query.children())
    if isinstance(query, q.WrappingQuery):
        return _estimate(reader, query.child)
    return float(reader.doc_count_all())  # ranges, wildcards…: assume many


#: the most index terms the wildcards and fuzzy words of one query may stand for: each is a
#: posting list to read, so a query like ``?*`` over a large vocabulary is refused past this
#: rather than read for minutes (a wildcard of a normal query stands for a few hundred)
MAX_EXPANSION = 8_192


class _Budget:
    """What is left of :data:`MAX_EXPANSION` for one query's expansions."""

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit

    def spend(self, query: q.Query, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise QueryTooBroad(str(getattr(query, "text", query)), self.limit)


def prune(query: q.Query, reader: IndexReader, budget: _Budget | None = None) -> q.Query | None:
    """``query`` without the terms the index does not hold, wildcards and fuzzy words expanded
    to the terms they match; None when it can match nothing. :class:`QueryTooBroad` when they
    match more than :data:`MAX_EXPANSION` terms in all.

    A bare word searches some twenty fields and most of them never hold it: pruning once lets
    counting and scoring look up only the terms that exist.
    """
    budget = budget or _Budget(MAX_EXPANSION)
    if isinstance(query, q.Term):
        return query if len(_exists(reader, query.fieldname, query.text)) else None
    if isinstance(query, q.And | q.Require):
        subs = [prune(sub, reader, budget) for sub in query.children()]
        if any(sub is None for sub in subs):
            return None
        return _rebuild(query, subs)  # type: ignore[arg-type]
    if isinstance(query, q.Or | q.DisjunctionMax):
        pruned = (prune(c, reader, budget) for c in query.children())
        kept = [sub for sub in pruned if sub is not None]
        return _rebuild(query, kept) if kept else None
    if isinstance(query, q.AndNot | q.AndMaybe):
        a, b = prune(query.a, reader, budget), prune(query.b, reader, budget)
        if a is None:
            return None
        return a if b is None else type(query)(a, b)
    if isinstance(query, q.Not):
        inner = prune(query.query, reader, budget)
        return q.Every() if inner is None else q.Not(inner)
    if isinstance(query, q.MultiTerm) and not isinstance(query, q.Every):
        field = query.field()
        if field not in reader.schema:
            return None
        btexts = None
        if type(query) is q.Prefix:
            prefix = reader.schema[field].to_bytes(query.text)
            btexts = prefix_matches(reader, field, prefix)
        if btexts is None:
            # one more than is left is enough to know the query is too broad
            btexts = list(islice(query._btexts(reader), max(0, budget.left) + 1))
        budget.spend(query, len(btexts))
        terms = [q.Term(field, btext, boost=query.boost) for btext in btexts]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else q.Or(terms, boost=query.boost)
    if isinstance(query, q.Phrase):
        exist = all(len(_exists(reader, query.fieldname, word)) for word in query.words)
        return query if exist else None
    if query is q.NullQuery or isinstance(query, type(q.NullQuery)):
        return None
    return query


def _rebuild(query: q.CompoundQuery, subs: list[q.Query]) -> q.Query:
    if len(subs) == 1 and query.boost == 1.0:
        return subs[0]
    return type(query)(subs, boost=query.boost)


def _exists(reader: IndexReader, fieldname: str | None, text: Any) -> bytes:
    """The term's bytes when the index holds it, else b""."""
    if not fieldname or fieldname not in reader.schema:
        return b""
    btext = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
    return btext if (fieldname, btext) in reader else b""


def numeric_column(reader: IndexReader, fieldname: str, padded: bool = True) -> np.ndarray | None:
    """One segment's values of a numeric column, one per document, without a Python loop
    (documents without a value hold the column's default). None when there is no column.

    The array may be a read-only view of the column file in the index's byte order: index it
    with the documents wanted and convert those (:func:`native`), rather than the whole. Unless
    ``padded``, it may be shorter than the segment: the last letters, which have no value in
    the file, hold the default."""
    column = reader.schema[fieldname].column_type
    if column is None or not reader.has_column(fieldname):
        return None
    col = reader.column_reader(fieldname, translate=False)
    return _column_values(col, column, reader, padded)


def native(values: np.ndarray) -> np.ndarray:
    """``values`` in this machine's byte order."""
    return values if values.dtype.isnative else values.astype(values.dtype.newbyteorder("="))


def _column_values(col: Any, column: Any, reader: IndexReader, padded: bool = True) -> np.ndarray:
    typecode = getattr(column, "_typecode", None)
    doccount = reader.doc_count_all()
    if typecode is None or not hasattr(col, "_dbfile"):  # another column type: the slow way
        return np.fromiter(col, dtype=np.uint64, count=doccount)
    count = min(col._count, doccount)
    dtype = np.dtype(">" + typecode)
    mapped = _mapped(col._dbfile) if count == doccount or not padded else None
    if mapped is not None:
        # a query needs the values of its matches only: mapping the file reads just the pages
        # they are on, not 800 kB per column and query at 100,000 letters
        return np.frombuffer(mapped, dtype=dtype, count=count, offset=col._basepos)
    raw = col._dbfile.get(col._basepos, count * col._fixedlen)
    values = native(np.frombuffer(raw, dtype=dtype, count=count))
    if count < doccount and padded:
        padding = np.full(doccount - count, column._default, dtype=values.dtype)
        values = np.concatenate([values, padding])
    return values


def _mapped(dbfile: Any) -> mmap.mmap | None:
    """The whole file behind ``dbfile``, memory-mapped read-only; None when it cannot be
    (a part of a compound file, an empty file, a platform without mmap)."""
    try:
        fileno = dbfile.file.fileno()
        return mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def column_key(field: NUMERIC, value: Any) -> int:
    """``value`` as the numeric column of ``field`` stores it."""
    if isinstance(field, DATETIME) and isinstance(value, int):
        return value  # a date already in microseconds, as date ranges hold them
    return int(field.to_column_value(value))


def _numeric_range(searcher: Searcher, reader: IndexReader, query: q.NumericRange) -> np.ndarray:
    """Letters whose value lies in the range, straight from the field's numeric column."""
    field = reader.schema[query.fieldname] if query.fieldname in reader.schema.names() else None
    values = numeric_column(reader, query.fieldname) if isinstance(field, NUMERIC) else None
    if values is None or field is None:
        return np.fromiter(query.docs(searcher), dtype=np.int64)
    mask = values != field.column_type._default  # letters without a value never match
    if query.start is not None:
        start = column_key(field, query.start)
        mask &= values > start if query.startexcl else values >= start
    if query.end is not None:
        end = column_key(field, query.end)
        mask &= values < end if query.endexcl else values <= end
    return np.flatnonzero(mask).astype(np.int64)


def _intersect(parts: list[np.ndarray]) -> np.ndarray:
    if not parts:
        return EMPTY
    parts.sort(key=len)
    result = parts[0]
    for part in parts[1:]:
        if not len(result):
            break
        result = np.intersect1d(result, part, assume_unique=True)
    return result


def _union(parts: list[np.ndarray], size: int | None = None) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    if size is not None and sum(len(p) for p in parts) > size // 64:
        # many letters: marking them is faster than sorting them
        marked = np.zeros(size, dtype=bool)
        for part in parts:
            marked[part] = True
        return np.flatnonzero(marked).astype(np.int64)
    return np.unique(np.concatenate(parts))
