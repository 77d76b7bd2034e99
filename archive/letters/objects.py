"""A letter as an object in the store: its files' names, reading it, and deriving it from TEI.

Every letter's object holds, by logical path::

    original/<file name>   the file as it was ingested
    tei.xml                the TEI: the single source of truth
    dc.xml                 Dublin Core, derived from the TEI

This module is the one home of those names. :func:`derive` is the one step that ingest and
edit share — check the TEI against Epistula's profile, serialise it, derive Dublin Core and
the catalogue card — and :class:`LetterStore` reads letters back from the storage root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from archive.errors import ObjectNotFound, StoreCorrupt
from archive.letters.actor import SYSTEM, Actor
from archive.store.ocfl import Head, StorageRoot
from ingest.tei.schema import validate_tei
from metadata.card import Card, card_from_tei, is_withdrawn, plain_text
from metadata.errors import EpistulaError
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise

#: logical paths of a letter's files in its OCFL object
TEI_PATH = "tei.xml"
DC_PATH = "dc.xml"
ORIGINAL_DIR = "original"


def object_files(original: Path, tei: bytes, dc: bytes) -> dict[str, Path | bytes]:
    """A letter's object state: its original, its TEI and its Dublin Core, by logical path."""
    return {f"{ORIGINAL_DIR}/{original.name}": original, TEI_PATH: tei, DC_PATH: dc}


def ingest_message(original: Path) -> str:
    return f"ingest: {original.name}"


def original_logical(logical_paths: Iterable[str]) -> str:
    """The original's logical path among an object's (the first under ``original/``)."""
    return next(p for p in sorted(logical_paths) if p.startswith(ORIGINAL_DIR + "/"))


@dataclass(frozen=True)
class Derived:
    """What the store and the index keep of a letter's TEI: its bytes, Dublin Core and card."""

    tei: bytes
    dc: bytes
    card: Card


def derive(root: etree._Element, invalid: Callable[[str], EpistulaError]) -> Derived:
    """Check the TEI ``root`` against Epistula's profile and derive the rest from it.

    A TEI the profile rejects is never stored: ``invalid`` is given the first schema error and
    makes the error to raise, since what it means differs (a bug in the TEI built from a file,
    or an edit the user must change).
    """
    errors = validate_tei(root)
    if errors:
        raise invalid(errors[0])
    return Derived(tei=serialise(root), dc=serialise(oai_dc(root)), card=card_from_tei(root))


class LetterStore:
    """The archive's letters, one OCFL object each in the storage root ``store``."""

    def __init__(self, store: StorageRoot) -> None:
        self.store = store

    def ids(self) -> list[str]:
        return self.store.object_ids()

    def has(self, object_id: str) -> bool:
        return self.store.has(object_id)

    def tei_bytes(self, object_id: str, version: str | None = None) -> bytes:
        if not self.store.has(object_id):
            raise ObjectNotFound(object_id)
        return self.store.read(object_id, TEI_PATH, version)

    def tei(self, object_id: str, version: str | None = None) -> etree._Element:
        return parse(self.tei_bytes(object_id, version))

    def dc_bytes(self, object_id: str, version: str | None = None) -> bytes:
        return self.store.read(object_id, DC_PATH, version)

    def text(self, object_id: str, version: str | None = None) -> str:
        return plain_text(self.tei(object_id, version))

    def card(self, object_id: str, version: str | None = None) -> Card:
        return card_from_tei(self.tei(object_id, version))

    def withdrawn(self, object_id: str) -> bool:
        """Whether the letter is withdrawn (its TEI parsed, no card built)."""
        return is_withdrawn(self.tei(object_id))

    def cards(self) -> Iterator[Card]:
        for object_id in self.ids():
            yield self.card(object_id)

    def original_path(self, object_id: str) -> Path:
        original = original_logical(self.store.logical_paths(object_id))
        return self.store.path_of(object_id, original)

    def head(self, object_id: str) -> Head:
        """The head version's files and digests by logical path (one inventory read)."""
        return self.store.head_state(object_id)

    def tei_digest(self, object_id: str) -> tuple[str, str]:
        """(head version, sha512 of its ``tei.xml``; "" if it has none): what the index keeps
        to tell a stale letter."""
        head = self.store.head_state(object_id)
        return head.version, head.digests.get(TEI_PATH, "")

    def head_tei(self, object_id: str) -> tuple[Head, etree._Element]:
        """The head version and its TEI, read together (what an edit starts from)."""
        head = self.store.head_state(object_id)
        if TEI_PATH not in head.files:
            raise ObjectNotFound(object_id)
        try:
            data = head.files[TEI_PATH].read_bytes()
        except FileNotFoundError:
            raise StoreCorrupt(
                head.files[TEI_PATH], ["content file in the manifest is missing"]
            ) from None
        return head, parse(data)

    def write_tei(
        self,
        object_id: str,
        derived: Derived,
        message: str,
        based_on: Head | None = None,
        actor: Actor = SYSTEM,
    ) -> str:
        """Store a new version whose TEI and Dublin Core are ``derived`` (the original and any
        other file kept); returns the version's name. With ``based_on`` (the head the TEI was
        made from), a head another writer moved meanwhile raises
        :class:`~archive.errors.VersionConflict` and nothing is written."""
        head = based_on if based_on is not None else self.store.head_state(object_id)
        files: dict[str, Path | bytes] = dict(head.files)
        files[TEI_PATH] = derived.tei
        files[DC_PATH] = derived.dc
        version = head.version if based_on is not None else None
        return self.store.write_version(
            object_id,
            files,
            message,
            user_name=actor.user,
            user_address=actor.address,
            based_on=version,
        )
