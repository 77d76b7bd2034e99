"""Writing the index: one writer per batch, waiting politely for another process's lock.

Whoosh allows one writer at a time, through a lock file in the index folder. A second process
that wants to write waits for it (saying so once: ``on_wait``, by default a line on stderr) up to
:data:`LOCK_TIMEOUT` seconds, then gives up with :class:`IndexLocked`, which names the remedy;
it never writes beside the first. Commits merge only small segments, so adding one letter to
a large index stays quick; ``rebuild`` replaces every segment in one commit.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, FileIndex, LockError
from whoosh.writing import CLEAR, MERGE_SMALL, SegmentWriter

from metadata.card import Card
from search.errors import IndexLocked, IndexMissing, IndexOutdated
from search.schema import Provenance, build_schema, document_for

#: how long a writer waits for another process's lock before giving up (seconds);
#: ``EPISTULA_LOCK_TIMEOUT`` in the environment overrides it
LOCK_TIMEOUT = 60.0
#: memory for the writer's sorting pool (MB); one process writes
LIMIT_MB = 256
#: how writers write segments: one file per part, not one compound file, whose parts Whoosh
#: copies into memory each time a searcher opens them (seconds per query at 100,000 letters)
WRITER_OPTIONS = {"procs": 1, "limitmb": LIMIT_MB, "compound": False}
INDEX_NAME = "MAIN"
#: a :class:`Feed` commits first after this many seconds, then after twice as long each
#: time, up to the maximum: the lock is held for seconds, and a long batch makes few segments
FEED_COMMIT_SECONDS = 5.0
FEED_MAX_COMMIT_SECONDS = 30.0

Letters = Iterable[Card | tuple[Card, Provenance]]


def lock_timeout() -> float:
    """Seconds to wait for the index lock (``EPISTULA_LOCK_TIMEOUT``, else 60)."""
    try:
        return float(os.environ.get("EPISTULA_LOCK_TIMEOUT", LOCK_TIMEOUT))
    except ValueError:
        return LOCK_TIMEOUT


def say_waiting() -> None:
    """The default notice while another process holds the lock (on stderr, once)."""
    print(
        "Waiting for the search index: another process is writing it…",
        file=sys.stderr,
        flush=True,
    )


@dataclass(frozen=True)
class IndexedLetter:
    """What the index holds about one letter, for comparing it with the store."""

    id: str
    sha256: str
    version: str
    tei_sha512: str


def open_index(path: Path, create: bool = False) -> FileIndex:
    """The index in ``path``; created (empty) when ``create`` and none is there."""
    ix = _opened(path)
    if ix is not None:
        return ix
    if not create:
        raise IndexMissing(path)
    path.mkdir(parents=True, exist_ok=True)
    with _locked(path, lock_timeout(), say_waiting):  # two first writers must not both create it
        if not whoosh_index.exists_in(path, indexname=INDEX_NAME):
            whoosh_index.create_in(path, build_schema(), indexname=INDEX_NAME)
    return open_index(path)


def _opened(path: Path) -> FileIndex | None:
    """The index in ``path`` if there is one, its table of contents read once: Whoosh would
    read it (and unpickle the schema, analyzers and all) again for every question asked of
    the index, four or five times in one search."""
    if not path.is_dir():
        return None
    storage = FileStorage(str(path))
    try:
        toc = TOC.read(storage, INDEX_NAME)
    except EmptyIndexError:
        return None
    if _fields(toc.schema) != _current_fields():
        raise IndexOutdated(path)
    # with the schema given, later reads of the table of contents skip unpickling it
    return FileIndex(storage, schema=toc.schema, indexname=INDEX_NAME)


def same_schema(ix: FileIndex) -> bool:
    """Whether the index was made with this version's fields (else it needs a rebuild)."""
    schema = ix.schema  # (read from the index's table of contents at each access)
    return _fields(schema) == _current_fields()


def _fields(schema: Schema) -> list[tuple[str, str]]:
    return [(name, type(schema[name]).__name__) for name in sorted(schema.names())]


@cache
def _current_fields() -> list[tuple[str, str]]:
    return _fields(build_schema())


def update(
    path: Path,
    letters: Letters,
    timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> int:
    """Add or replace ``letters`` (cards, or (card, provenance) pairs); one commit for all."""
    with Feed(path, timeout, on_wait, commit_seconds=math.inf) as feed:
        feed.add(letters)
    return feed.count


class Feed:
    """Letters indexed while a long batch is still storing more, rather than all at its end.

    Whoosh's writer holds the index lock from its first letter to its commit, so a feed
    commits what it has added once its writer is ``commit_seconds`` old, and the next letters
    take the lock again: another process that wants to write waits seconds, not the whole
    batch. Each commit adds a segment to the index, so the interval doubles after each one,
    up to :data:`FEED_MAX_COMMIT_SECONDS`. Leaving the ``with`` block commits the rest;
    leaving it by an exception discards what was not committed yet.
    """

    def __init__(
        self,
        path: Path,
        timeout: float | None = None,
        on_wait: Callable[[], None] | None = None,
        commit_seconds: float = FEED_COMMIT_SECONDS,
    ) -> None:
        self.path = path
        self.timeout = lock_timeout() if timeout is None else timeout
        self.on_wait = on_wait
        self.commit_seconds = commit_seconds
        self.count = 0  # letters added (committed or not)
        self._ix: FileIndex | None = None
        self._writer: SegmentWriter | None = None
        self._since = 0.0

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()

    def add(self, letters: Letters) -> None:
        """Add or replace ``letters``; commit when the writer has been open long enough."""
        if self._writer is None:
            if self._ix is None:
                self._ix = open_index(self.path, create=True)
            self._writer = _writer(self._ix, self.path, self.timeout, self.on_wait)
            self._since = time.monotonic()
        try:
            for card, provenance in _pairs(letters):
                self._writer.update_document(**document_for(card, provenance))
                self.count += 1
        except BaseException:
            self._cancel()
            raise
        if time.monotonic() - self._since >= self.commit_seconds:
            self.commit()
            self.commit_seconds = min(2 * self.commit_seconds, FEED_MAX_COMMIT_SECONDS)

    def commit(self) -> None:
        """Make what was added searchable, and release the lock."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.commit(mergetype=MERGE_SMALL)  # never merges the large segments

    def close(self) -> None:
        """Discard what was added and not committed, and let the index go."""
        self._cancel()
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def _cancel(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()


def rebuild(
    path: Path,
    letters: Letters,
    timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> int:
    """Replace the whole index with ``letters`` (the index is a cache of the store).

    Searches see the old index until the new one is committed; an index made by an older
    version (other fields) is recreated with the current schema.
    """
    path.mkdir(parents=True, exist_ok=True)
    count = 0
    timeout = lock_timeout() if timeout is None else timeout
    with _locked(path, timeout, on_wait):
        exists = whoosh_index.exists_in(path, indexname=INDEX_NAME)
        ix = whoosh_index.open_dir(path, indexname=INDEX_NAME) if exists else None
        if ix is None or not same_schema(ix):
            if ix is not None:
                ix.close()
            ix = whoosh_index.create_in(path, build_schema(), indexname=INDEX_NAME)
        try:
            writer = SegmentWriter(ix, _lk=False, **WRITER_OPTIONS)
            try:
                for card, provenance in _pairs(letters):
                    writer.add_document(**document_for(card, provenance))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)  # drops every old segment in the same commit
        finally:
            ix.close()
    return count


def indexed(path: Path) -> dict[str, IndexedLetter]:
    """Every indexed letter by id, with the digests and version it was indexed from."""
    ix = open_index(path)
    try:
        with ix.searcher() as searcher:
            letters = {}
            for docnum in range(searcher.doc_count_all()):
                if searcher.reader().is_deleted(docnum):
                    continue
                stored = searcher.stored_fields(docnum)
                letters[stored["id"]] = IndexedLetter(
                    id=stored["id"],
                    sha256=stored.get("sha256", ""),
                    version=stored.get("version", ""),
                    tei_sha512=stored.get("tei_sha512", ""),
                )
            return letters
    finally:
        ix.close()


def missing(path: Path, ids: Iterable[str]) -> list[str]:
    """Those of ``ids`` the index does not hold (all of them when there is no index yet)."""
    wanted = list(ids)
    ix = _opened(path) if wanted else None
    if ix is None:
        return wanted
    try:
        with ix.searcher() as searcher:
            return [i for i in wanted if searcher.document_number(id=i) is None]
    finally:
        ix.close()


def remove(path: Path, ids: Iterable[str], timeout: float | None = None) -> int:
    """Delete letters from the index by id; returns how many were there."""
    ix = open_index(path)
    try:
        writer = _writer(ix, path, lock_timeout() if timeout is None else timeout, say_waiting)
        removed = sum(writer.delete_by_term("id", letter_id) for letter_id in ids)
        writer.commit(mergetype=MERGE_SMALL)
        return removed
    finally:
        ix.close()


def _writer(
    ix: FileIndex, path: Path, timeout: float, on_wait: Callable[[], None] | None
) -> SegmentWriter:
    try:
        return ix.writer(**WRITER_OPTIONS)
    except LockError:
        (on_wait or say_waiting)()
    try:
        return ix.writer(timeout=timeout, delay=0.05, **WRITER_OPTIONS)
    except LockError as err:
        raise IndexLocked(path, timeout) from err


@contextmanager
def _locked(path: Path, timeout: float, on_wait: Callable[[], None] | None) -> Iterator[None]:
    """Hold the index's write lock (the one Whoosh's writers take) for a block."""
    lock = FileStorage(str(path)).lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire():
        (on_wait or say_waiting)()
        deadline = time.monotonic() + timeout
        while not lock.acquire():
            if time.monotonic() >= deadline:
                raise IndexLocked(path, timeout)
            time.sleep(0.05)
    try:
        yield
    finally:
        lock.release()


def _pairs(letters: Letters) -> Iterator[tuple[Card, Provenance | None]]:
    for letter in letters:
        if isinstance(letter, tuple):
            yield letter
        else:
            yield letter, None
