"""Writing the index: one writer per batch, in a ``with`` block, waiting politely for the lock."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex, LockError
from whoosh.writing import CLEAR

from metadata.card import Card
from search.errors import IndexLocked, IndexMissing
from search.schema import build_schema, document_for

#: how long a writer waits for another process's lock before giving up (seconds)
LOCK_TIMEOUT = 60.0


def open_index(path: Path, create: bool = False) -> FileIndex:
    """The index in ``path``; created (empty) when ``create`` and none is there."""
    if whoosh_index.exists_in(path):
        return whoosh_index.open_dir(path)
    if not create:
        raise IndexMissing(path)
    path.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(path, build_schema())


def update(path: Path, cards: Iterable[Card], timeout: float = LOCK_TIMEOUT) -> int:
    """Add or replace the letters of ``cards``; one commit for the whole batch."""
    ix = open_index(path, create=True)
    count = 0
    try:
        with ix.writer(timeout=timeout) as writer:
            for card in cards:
                writer.update_document(**document_for(card))
                count += 1
    except LockError as err:
        raise IndexLocked(path, timeout) from err
    finally:
        ix.close()
    return count


def rebuild(path: Path, cards: Iterable[Card], timeout: float = LOCK_TIMEOUT) -> int:
    """Replace the whole index with ``cards`` (the index is a cache of the store)."""
    ix = open_index(path, create=True)
    count = 0
    try:
        writer = ix.writer(timeout=timeout)
    except LockError as err:
        ix.close()
        raise IndexLocked(path, timeout) from err
    try:
        for card in cards:
            writer.add_document(**document_for(card))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    else:
        writer.commit(mergetype=CLEAR)  # drops every old segment in the same commit
    finally:
        ix.close()
    return count


def indexed_ids(path: Path) -> dict[str, str]:
    """id → sha256 of every indexed letter."""
    ix = open_index(path)
    try:
        with ix.searcher() as searcher:
            return {f["id"]: f.get("sha256", "") for f in searcher.all_stored_fields()}
    finally:
        ix.close()
