"""Stored headers that follow the archive's settings, and the check that they do.

The settings printed in a letter's TEI — its ``publicationStmt``'s publisher and licence —
are stamped at ingest. When ``epistula settings --set`` changes one, every letter whose header
says otherwise gets a new version with the new value (OCFL message ``settings: licence``),
so an archive never goes on publishing under a licence it has given up; ``validate`` reports
a header that differs from the settings (``settings-drift``), as one changed by hand would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from archive.errors import ArchiveError, VersionConflict
from archive.letters.actor import SYSTEM, Actor
from archive.letters.objects import LetterStore, derive
from archive.services.indexing import index_letters
from archive.services.validation import ValidationProblem
from ingest.tei.build import Publication
from metadata.xml import NS, tei

_STMT = "tei:teiHeader/tei:fileDesc/tei:publicationStmt"
#: the settings a TEI header carries, and where: (element path, attribute or None for text)
HEADER_SETTINGS: dict[str, tuple[str, str | None]] = {
    "publisher": (f"{_STMT}/tei:publisher", None),
    "licence": (f"{_STMT}/tei:availability/tei:licence", None),
    "licence_url": (f"{_STMT}/tei:availability/tei:licence", "target"),
}
#: how often a letter's update is made again from a head another writer moved meanwhile
ATTEMPTS = 20


@dataclass(frozen=True)
class HeaderUpdate:
    """A letter whose header was brought in line with the settings."""

    id: str
    version: str
    changed: list[str]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "changed": self.changed}


def header_drift(root: etree._Element, publication: Publication) -> list[str]:
    """The settings whose value the TEI ``root`` does not carry (empty: in step)."""
    return [
        name
        for name, (path, attribute) in HEADER_SETTINGS.items()
        if _stored(root, path, attribute) != getattr(publication, name)
    ]


def follow_settings(
    letters: LetterStore,
    index_path: Path,
    publication: Publication,
    actor: Actor = SYSTEM,
    progress: Callable[[str], None] | None = None,
) -> list[HeaderUpdate]:
    """Bring every letter's header in line with ``publication``: a new version of each that
    differs (those in step are left as they are); the index follows."""
    updates: list[HeaderUpdate] = []
    for object_id in letters.ids():
        update = _follow(letters, object_id, publication, actor)
        if update is not None:
            updates.append(update)
        if progress is not None:
            progress(object_id)
    if updates:
        index_letters(letters, index_path, [u.id for u in updates])
    return updates


def settings_drift(
    letters: LetterStore, ids: Iterable[str], publication: Publication
) -> list[ValidationProblem]:
    """A ``settings-drift`` problem for each letter whose header differs from the settings."""
    problems: list[ValidationProblem] = []
    for object_id in ids:
        try:
            root = letters.tei(object_id)
        except (ArchiveError, etree.XMLSyntaxError, OSError):
            continue  # (validate reports an unreadable TEI itself)
        for name in header_drift(root, publication):
            path, attribute = HEADER_SETTINGS[name]
            stored = _stored(root, path, attribute)
            problems.append(
                ValidationProblem(
                    object_id,
                    "settings-drift",
                    f"the TEI's {name} is {stored!r}, the settings' {getattr(publication, name)!r}"
                    "; run 'epistula settings --set "
                    f"{name}=…' (or with the value it has) to bring the headers along",
                )
            )
    return problems


def _follow(
    letters: LetterStore, object_id: str, publication: Publication, actor: Actor
) -> HeaderUpdate | None:
    for attempt in range(ATTEMPTS):
        head, root = letters.head_tei(object_id)
        changed = header_drift(root, publication)
        if not changed:
            return None
        for name in changed:
            path, attribute = HEADER_SETTINGS[name]
            element = root.xpath(path, namespaces=NS)[0]
            if attribute is None:
                element.text = getattr(publication, name)
            else:
                element.set(attribute, getattr(publication, name))
        _record(root, changed)
        derived = derive(
            root,
            lambda first: ArchiveError(
                object_id, f"the TEI with the new settings would be invalid ({first})"
            ),
        )
        message = actor.message_for(f"settings: {', '.join(changed)}")
        try:
            version = letters.write_tei(object_id, derived, message, based_on=head, actor=actor)
            return HeaderUpdate(object_id, version, changed)
        except VersionConflict:
            if attempt == ATTEMPTS - 1:
                raise
    return None


def _record(root: etree._Element, changed: list[str]) -> None:
    revision = root.find(f"{tei('teiHeader')}/{tei('revisionDesc')}")
    if revision is None:
        revision = etree.SubElement(root.find(tei("teiHeader")), tei("revisionDesc"))
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = etree.SubElement(revision, tei("change"), when=when)
    change.text = f"Publication statement follows the archive's settings: {', '.join(changed)}"


def _stored(root: etree._Element, path: str, attribute: str | None) -> str | None:
    found = root.xpath(path, namespaces=NS)
    if not found:
        return None
    if attribute is not None:
        return found[0].get(attribute)
    return " ".join("".join(found[0].itertext()).split())
