"""Changing a letter's metadata after ingest: the TEI is rewritten as a new object version.

The previous version stays in the archive (OCFL keeps every version); ``dc.xml`` and the index
are derived again from the new TEI, so no copy of the metadata is left behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.errors import ArchiveError, VersionConflict
from archive.letters.actor import SYSTEM, Actor
from archive.letters.objects import LetterStore, derive
from archive.services.indexing import index_letters
from metadata.edit import Value, apply_fields

#: how often an edit is made again from a head another writer moved meanwhile
EDIT_ATTEMPTS = 20


@dataclass(frozen=True)
class EditResult:
    id: str
    version: str
    changed: list[str]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "changed": self.changed}


def edit_letter(
    letters: LetterStore,
    index_path: Path,
    object_id: str,
    fields: Mapping[str, Value],
    actor: Actor = SYSTEM,
) -> EditResult:
    """Apply user ``fields`` to the letter's TEI and store the result as a new version.

    The new version is made from the head it was read from; when another writer moved the
    head meanwhile, the edit is made again from the new head (so both changes are kept).
    """
    for attempt in range(EDIT_ATTEMPTS):
        head, root = letters.head_tei(object_id)
        changed = apply_fields(root, fields, datetime.now(UTC))
        derived = derive(
            root,
            lambda first: ArchiveError(object_id, f"the edited TEI would be invalid ({first})"),
        )
        message = actor.message_for(f"edit: {', '.join(changed)}")
        try:
            version = letters.write_tei(object_id, derived, message, based_on=head, actor=actor)
            break
        except VersionConflict:
            if attempt == EDIT_ATTEMPTS - 1:
                raise
    index_letters(letters, index_path, [object_id])
    return EditResult(object_id, version, changed)
