"""Keeping the search index in step with the store.

The index is updated after the store is written, and can lag without losing anything: each
indexed letter records the OCFL version and the sha512 of the ``tei.xml`` it was indexed from
(the digest the object's inventory lists for it), so :func:`verify_index` can tell, from the
inventories alone, which letters are missing from the index, which are stale (their TEI changed
after indexing) and which are indexed but no longer in the store. ``--fix`` brings those up to
date without rebuilding the rest.

Every function takes the letters (:class:`~archive.letters.objects.LetterStore`) and the
index's directory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.letters.objects import LetterStore
from metadata.card import Card
from search import indexer
from search.errors import IndexMissing, SearchError
from search.schema import Provenance


@dataclass(frozen=True)
class IndexProblem:
    """One letter the index does not show as the store holds it."""

    id: str
    code: str  # "index-missing" | "index-stale" | "index-orphan" | "index-withdrawn"
    message: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.id}: [{self.code}] {self.message}"


@dataclass
class IndexReport:
    checked: int
    indexed: int
    problems: list[IndexProblem]
    fixed: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "indexed": self.indexed,
            "valid": not self.problems,
            "problems": [p.to_json() for p in self.problems],
            "fixed": self.fixed,
        }


def provenance(letters: LetterStore, object_id: str) -> Provenance:
    """The head version of the letter and the sha512 its inventory lists for ``tei.xml``."""
    version, digest = letters.tei_digest(object_id)
    return Provenance(version=version, tei_sha512=digest)


def index_letters(
    letters: LetterStore,
    index_path: Path,
    ids: Iterable[str],
    on_wait: Callable[[], None] | None = None,
) -> int:
    """Index (add or replace) letters as the store holds them when the index lock is held:
    of two writers of one letter, the one indexing last reads the latest head, so the index
    never keeps an older version's card under the newer version's provenance."""
    wanted = list(ids)
    count = indexer.update(index_path, letters_for_index(letters, wanted), on_wait=on_wait)
    withdrawn = [i for i in wanted if letters.withdrawn(i)]
    if withdrawn and indexer.missing(index_path, withdrawn) != withdrawn:
        indexer.remove(index_path, withdrawn)  # a withdrawn letter leaves search
    return count


class IndexFeed:
    """Letters indexed as a batch commits them to the store (see :class:`search.indexer.Feed`).

    Only letters already stored are fed, so the index can lag the store, never lead it. An
    index that cannot be written (a :class:`SearchError`, such as another writer holding the
    lock too long, or a full disk) stops the feeding and is kept in ``error``; the batch goes
    on storing letters.
    """

    def __init__(
        self, letters: LetterStore, index_path: Path, on_wait: Callable[[], None] | None = None
    ) -> None:
        self._letters = letters
        self._feed = indexer.Feed(index_path, on_wait=on_wait)
        self.error: SearchError | OSError | None = None

    def add(self, cards: list[Card]) -> None:
        if cards and self.error is None:
            pairs = [(card, provenance(self._letters, card.id)) for card in cards]
            self._guarded(lambda: self._feed.add(pairs))

    def catch_up(self, ids: Iterable[str], card: Callable[[str], Card]) -> None:
        """Index those of ``ids`` (letters already stored) the index does not hold: a batch
        stopped at once, a crash or a locked index may have stored letters it never indexed,
        and a new batch that meets their files again finds them 'unchanged'."""

        def index_the_lacking() -> None:
            self.add([card(i) for i in indexer.missing(self._feed.path, ids)])

        if self.error is None:
            self._guarded(index_the_lacking)

    def close(self) -> None:
        """Commit what was fed (all of it is in the store) and let the index go."""
        try:
            if self.error is None:
                self._guarded(self._feed.commit)
        finally:
            self._feed.close()

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except (SearchError, OSError) as err:
            self.error = err


def letters_for_index(letters: LetterStore, ids: Iterable[str] | None = None) -> Iterator[
    tuple[Card, Provenance]
]:  # fmt: skip
    """Every letter (or those of ``ids``) as the index needs it: card and provenance; letters
    withdrawn from publication are left out."""
    for object_id in letters.ids() if ids is None else ids:
        card = letters.card(object_id)
        if not card.withdrawn:
            yield card, provenance(letters, object_id)


def reindex(
    letters: LetterStore, index_path: Path, on_wait: Callable[[], None] | None = None
) -> int:
    """Rebuild the whole index from the store."""
    return indexer.rebuild(index_path, letters_for_index(letters), on_wait=on_wait)


def verify_index(letters: LetterStore, index_path: Path, fix: bool = False) -> IndexReport:
    """Compare the index with the store; with ``fix``, re-index what is missing or stale and
    drop what the store no longer holds."""
    ids = letters.ids()
    try:
        indexed = indexer.indexed(index_path)
    except IndexMissing:
        indexed = {}
    problems: list[IndexProblem] = []
    for object_id in ids:
        held = indexed.get(object_id)
        current = provenance(letters, object_id)
        # the TEI is read only for letters the index lacks or holds stale: an index in step
        # reads none
        if (held is None or held.tei_sha512 != current.tei_sha512) and letters.withdrawn(object_id):
            if held is not None:
                problems.append(
                    IndexProblem(object_id, "index-withdrawn", "withdrawn, but still searchable")
                )
            continue
        if held is None:
            problems.append(IndexProblem(object_id, "index-missing", "not in the search index"))
            continue
        if held.tei_sha512 != current.tei_sha512:
            was = f"{held.version or 'an unknown version'}"
            problems.append(
                IndexProblem(
                    object_id,
                    "index-stale",
                    f"indexed from {was}, but the TEI changed since (now {current.version})",
                )
            )
    for object_id in sorted(set(indexed) - set(ids)):
        problems.append(
            IndexProblem(object_id, "index-orphan", "in the search index but not in the archive")
        )
    report = IndexReport(checked=len(ids), indexed=len(indexed), problems=problems)
    if fix and problems:
        refresh = [p.id for p in problems if p.code in ("index-missing", "index-stale")]
        orphans = [p.id for p in problems if p.code in ("index-orphan", "index-withdrawn")]
        if refresh:
            report.fixed += indexer.update(index_path, letters_for_index(letters, refresh))
        if orphans:
            report.fixed += indexer.remove(index_path, orphans)
    return report
