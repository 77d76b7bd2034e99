"""A letter made ready for the store where it was read: its id, TEI, Dublin Core and card.

:func:`ingest.pipeline.letters_from_files` runs a :class:`Preparer` in its worker processes
right after each file is read. The worker builds the TEI, checks it against Epistula's own
profile (a letter that fails it is an :class:`~ingest.errors.InvalidTei` error for its file,
never stored), derives Dublin Core and the index card, and stages the new object — original,
TEI and Dublin Core — for the store's open batch. The main process, which alone commits to the
store and writes the index, only decides whether to adopt each stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from archive.errors import ArchiveError
from archive.letters.actor import SYSTEM, Actor
from archive.letters.identifiers import claimed_digest, object_id_for, read_digest
from archive.letters.objects import derive, ingest_message, object_files
from archive.store.ocfl import StagedObject, Stager
from ingest.errors import InvalidTei
from ingest.letter.model import Letter
from ingest.tei.build import Publication, build_tei
from metadata.card import Card


@dataclass(frozen=True)
class Prepared:
    """Everything the store and the index need of one letter."""

    sha256: str  # the digest of the bytes the letter was read from: its identity
    carried_id: str | None  # the id a TEI export brought along, if any
    object_id: str
    tei: bytes
    dc: bytes
    card: Card
    staged: StagedObject | None = None  # the new object, staged by the worker
    #: the digest of the original a TEI letter names (a claim: the archive believes it only
    #: where it holds an original with those very bytes)
    claimed_sha256: str | None = None

    def discard(self) -> None:
        """Remove the staged object (the letter is not stored as it was prepared)."""
        if self.staged is not None:
            self.staged.discard()


@dataclass(frozen=True)
class Preparer:
    """Turns a letter into :class:`Prepared` (picklable, so worker processes can run it);
    with a ``stager``, the letter read from a file is staged as a new object too."""

    publication: Publication
    version: str
    stager: Stager | None = None
    #: who the staged versions are written for, and why
    actor: Actor = SYSTEM

    def __call__(self, letter: Letter, path: Path | None = None) -> Prepared:
        object_id = object_id_for(letter)
        root = build_tei(
            letter,
            object_id=object_id,
            publication=self.publication,
            version=self.version,
            ingested=datetime.now(UTC),
        )
        source = letter.document.source
        prepared = finish(root, object_id, source.filename, read_digest(letter), letter.object_id)
        prepared = replace(prepared, claimed_sha256=claimed_digest(letter))
        if self.stager is None or path is None:
            return prepared
        files = object_files(path, prepared.tei, prepared.dc)
        try:
            message = self.actor.message_for(ingest_message(path))
            staged = self.stager.stage(
                object_id, files, message, self.actor.user, self.actor.address
            )
        except ArchiveError:  # the main process stores it then, and reports what fails
            return prepared
        return replace(prepared, staged=staged)


def finish(
    root: etree._Element, object_id: str, file: str, sha256: str, carried_id: str | None
) -> Prepared:
    """Check the TEI ``root`` and derive the rest from it (also after a user's edits)."""
    derived = derive(
        root, lambda first: InvalidTei(file, f"the TEI built for it is invalid ({first})")
    )
    return Prepared(
        sha256=sha256,
        carried_id=carried_id,
        object_id=object_id,
        tei=derived.tei,
        dc=derived.dc,
        card=derived.card,
    )
