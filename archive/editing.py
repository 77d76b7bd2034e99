"""Changing a letter's metadata after ingest: the TEI is rewritten as a new object version.

The previous version stays in the archive (OCFL keeps every version); ``dc.xml`` and the index
are derived again from the new TEI, so no copy of the metadata is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from archive.errors import ArchiveError
from archive.indexing import index_cards
from ingest.tei.schema import validate_tei
from metadata.card import card_from_tei
from metadata.edit import Value, apply_fields
from metadata.oai_dc import oai_dc
from metadata.xml import serialise

if TYPE_CHECKING:
    from collections.abc import Mapping

    from archive.api import Archive


@dataclass(frozen=True)
class EditResult:
    id: str
    version: str
    changed: list[str]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "changed": self.changed}


def edit_letter(archive: Archive, object_id: str, fields: Mapping[str, Value]) -> EditResult:
    """Apply user ``fields`` to the letter's TEI and store the result as a new version."""
    store = archive.store()
    root = archive.tei(object_id)
    changed = apply_fields(root, fields, datetime.now(UTC))
    errors = validate_tei(root)
    if errors:
        raise ArchiveError(object_id, f"the edited TEI would be invalid ({errors[0]})")
    files = {path: store.path_of(object_id, path) for path in store.logical_paths(object_id)}
    files["tei.xml"] = serialise(root)
    files["dc.xml"] = serialise(oai_dc(root))
    version = store.write_version(object_id, files, f"Metadata edited: {', '.join(changed)}")
    index_cards(archive, [card_from_tei(root)])
    return EditResult(object_id, version, changed)
