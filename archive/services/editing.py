"""Changing a letter's metadata after ingest: the TEI is rewritten as a new object version.

The previous version stays in the archive (OCFL keeps every version); ``dc.xml`` and the index
are derived again from the new TEI, so no copy of the metadata is left behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.errors import ArchiveError
from archive.letters.objects import LetterStore, derive
from archive.services.indexing import index_cards
from metadata.edit import Value, apply_fields


@dataclass(frozen=True)
class EditResult:
    id: str
    version: str
    changed: list[str]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "changed": self.changed}


def edit_letter(
    letters: LetterStore, index_path: Path, object_id: str, fields: Mapping[str, Value]
) -> EditResult:
    """Apply user ``fields`` to the letter's TEI and store the result as a new version."""
    root = letters.tei(object_id)
    changed = apply_fields(root, fields, datetime.now(UTC))
    derived = derive(
        root, lambda first: ArchiveError(object_id, f"the edited TEI would be invalid ({first})")
    )
    version = letters.write_tei(object_id, derived, f"Metadata edited: {', '.join(changed)}")
    index_cards(letters, index_path, [derived.card])
    return EditResult(object_id, version, changed)
