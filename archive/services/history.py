"""A letter's versions: who wrote each and why (``history``), and going back to one (``revert``).

OCFL keeps every version of an object; each records when it was written, by whom and why (its
inventory's ``created``, ``user`` and ``message``). Reverting never rewrites the past: it
writes a new version whose files are those of the version chosen, so the history shows the
revert too, and a revert can itself be reverted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from archive.errors import VersionNotFound
from archive.letters.actor import SYSTEM, Actor
from archive.letters.objects import LetterStore
from archive.services.indexing import index_letters

_VERSION = re.compile(r"v?([1-9][0-9]*)")


@dataclass(frozen=True)
class VersionEntry:
    """One version of a letter as ``history`` lists it."""

    version: str
    created: str  # RFC 3339, as the inventory records it
    user: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "version": self.version,
            "created": self.created,
            "user": self.user,
            "message": self.message,
        }


@dataclass(frozen=True)
class RevertResult:
    id: str
    #: the version written (the head's own name when it already equalled ``reverted_to``)
    version: str
    reverted_to: str
    changed: bool

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "version": self.version,
            "reverted_to": self.reverted_to,
            "changed": self.changed,
        }


def history(letters: LetterStore, object_id: str) -> list[VersionEntry]:
    """The letter's versions, oldest first."""
    versions = letters.store.inventory(object_id)["versions"]
    return [
        VersionEntry(
            version=name,
            created=str(block.get("created", "")),
            user=str((block.get("user") or {}).get("name", "")),
            message=str(block.get("message", "")),
        )
        for name, block in sorted(versions.items(), key=lambda item: int(item[0][1:]))
    ]


def version_name(letters: LetterStore, object_id: str, given: str) -> str:
    """The version ``given`` as ``3`` or ``v3``, checked against the letter's versions."""
    match = _VERSION.fullmatch(given.strip())
    name = f"v{match.group(1)}" if match else given
    if name not in letters.store.inventory(object_id)["versions"]:
        raise VersionNotFound(object_id, given)
    return name


def revert(
    letters: LetterStore,
    index_path: Path,
    object_id: str,
    to: str,
    actor: Actor = SYSTEM,
) -> RevertResult:
    """Write a new version of the letter whose files are those of version ``to``; index it."""
    store = letters.store
    target = version_name(letters, object_id, to)
    head = letters.head(object_id)
    files: dict[str, Path | bytes] = {
        logical: store.path_of(object_id, logical, target)
        for logical in store.logical_paths(object_id, target)
    }
    message = actor.message_for(f"revert: to {target}")
    written = store.write_version(
        object_id,
        files,
        message,
        user_name=actor.user,
        user_address=actor.address,
        based_on=head.version,
    )
    index_letters(letters, index_path, [object_id])
    return RevertResult(object_id, written, target, written != head.version)
