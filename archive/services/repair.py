"""Repairing what interrupted commands left: the store's objects and stages, then the index.

A command killed at any instant leaves at most an object between two versions (a version
directory its inventory does not list yet, or a sidecar older than its inventory), stages in
``tmp/`` and letters stored but not yet indexed. Every write repairs the objects a dead writer
was committing to and purges its stages; :func:`repair` (``epistula validate --repair``) does
it for the whole archive and brings the index up to date too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.letters.objects import LetterStore
from archive.services.indexing import verify_index


@dataclass(frozen=True)
class RepairReport:
    #: what was removed or rewritten in the store and its staging directory
    fixed: list[str]
    #: letters indexed again (missing or stale) or dropped from the index (no longer stored)
    reindexed: int

    def to_json(self) -> dict[str, object]:
        return {"fixed": self.fixed, "reindexed": self.reindexed}

    def summary(self) -> str:
        """One line for the user."""
        if not self.fixed and not self.reindexed:
            return "Nothing to repair"
        return (
            f"Repaired: {len(self.fixed)} leftovers of interrupted writes removed or completed, "
            f"{self.reindexed} letters brought up to date in the index"
        )


def repair(letters: LetterStore, index_path: Path) -> RepairReport:
    """Bring every object back to its last complete version, remove stages dead writers
    left, and mend the index; returns what was done."""
    fixed = [str(path) for path in letters.store.recover()]
    index = verify_index(letters, index_path, fix=True)
    return RepairReport(fixed=fixed, reindexed=index.fixed)
