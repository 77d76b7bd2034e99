"""A letter made ready for the store where it was read: its id, TEI, Dublin Core and card.

:func:`ingest.pipeline.letters_from_files` runs a :class:`Preparer` in its worker processes
right after each file is read, so the main process, which alone writes the store and the
index, only checks what arrives and stores it. The TEI is checked against Epistula's own
profile here too: a letter that fails it is an :class:`~ingest.errors.InvalidTei` error for
its file, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from archive.identifiers import object_id_for
from ingest.errors import InvalidTei
from ingest.letter.model import Letter
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.card import Card, card_from_tei
from metadata.oai_dc import oai_dc
from metadata.xml import serialise


@dataclass(frozen=True)
class Prepared:
    """Everything the store and the index need of one letter."""

    sha256: str  # the digest of the original as it was read
    carried_id: str | None  # the id a TEI export brought along, if any
    object_id: str
    tei: bytes
    dc: bytes
    card: Card


@dataclass(frozen=True)
class Preparer:
    """Turns a letter into :class:`Prepared` (picklable, so worker processes can run it)."""

    publication: Publication
    version: str

    def __call__(self, letter: Letter) -> Prepared:
        object_id = object_id_for(letter)
        root = build_tei(
            letter,
            object_id=object_id,
            publication=self.publication,
            version=self.version,
            ingested=datetime.now(UTC),
        )
        source = letter.document.source
        return finish(root, object_id, source.filename, source.sha256, letter.object_id)


def finish(
    root: etree._Element, object_id: str, file: str, sha256: str, carried_id: str | None
) -> Prepared:
    """Check the TEI ``root`` and derive the rest from it (also after a user's edits)."""
    errors = validate_tei(root)
    if errors:
        raise InvalidTei(file, f"the TEI built for it is invalid ({errors[0]})")
    return Prepared(
        sha256=sha256,
        carried_id=carried_id,
        object_id=object_id,
        tei=serialise(root),
        dc=serialise(oai_dc(root)),
        card=card_from_tei(root),
    )
