"""Reading stored letters again: ``epistula reread`` and a re-ingest with new options.

Recognition improves (a better part labeller, a new OCR model, a ``--period`` that dates
two-digit years), and the archive should get the better reading without losing anything a
person supplied. A reread reads the stored original again, builds its TEI afresh under the
letter's own id (ids never change once given), and carries over from the stored TEI:

* every value the user supplied (each field a ``change who="#user"`` names, its value marked
  ``resp="#user"``: :func:`metadata.edit.user_fields`), which wins over the new reading;
* the letter's history (``revisionDesc``, with its withdrawn status) and the day it was first
  published (``publicationStmt/date``).

A letter whose catalogue card and text come out the same is ``unchanged`` and no version is
written; otherwise it is ``updated`` as a new version (OCFL message ``reread``).
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from archive.errors import ArchiveError, VersionConflict
from archive.letters.actor import SYSTEM, Actor
from archive.letters.objects import Derived, LetterStore, derive
from archive.services.indexing import index_letters
from ingest.errors import IngestError
from ingest.letter.model import Letter
from ingest.limits import Limits
from ingest.pipeline import letters_from_files
from ingest.tei.build import Publication, build_tei
from metadata.card import card_from_tei
from metadata.edit import Value, apply_fields, user_fields
from metadata.errors import EpistulaError
from metadata.xml import NS, tei

#: how often an update is made again from a head another writer moved meanwhile
ATTEMPTS = 20
_PUBLICATION_DATE = "tei:fileDesc/tei:publicationStmt/tei:date"


@dataclass
class RereadResult:
    id: str
    status: str  # "updated" | "unchanged" | "failed"
    version: str | None = None
    error: str | None = None
    error_code: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "status": self.status,
            "version": self.version,
            "error": self.error,
            "error_code": self.error_code,
        }


@dataclass
class RereadReport:
    results: list[RereadResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self) -> dict[str, object]:
        return {
            "results": [r.to_json() for r in self.results],
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
        }


@dataclass(frozen=True)
class Reading:
    """What a letter is rebuilt with: the archive's identity and the program's version."""

    publication: Publication
    version: str
    actor: Actor = SYSTEM


def reread(
    letters: LetterStore,
    index_path: Path,
    ids: Iterable[str],
    limits: Limits,
    reading: Reading,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> RereadReport:
    """Read the originals of ``ids`` again (in ``jobs`` worker processes, each file within
    ``limits``) and update each letter whose reading changed; the index follows."""
    by_limits: dict[Limits, list[str]] = {}
    for object_id in ids:
        by_limits.setdefault(_limits_for(letters, object_id, limits), []).append(object_id)
    results: dict[str, RereadResult] = {}
    for group_limits, wanted in by_limits.items():
        originals = [letters.original_path(object_id) for object_id in wanted]
        with contextlib.closing(letters_from_files(originals, group_limits, jobs)) as read:
            for object_id, (_path, outcome) in zip(wanted, read, strict=True):
                results[object_id] = _reread_one(letters, object_id, outcome, reading)
                if progress is not None:
                    progress(object_id)
    report = RereadReport([results[i] for ids_ in by_limits.values() for i in ids_])
    report.results.sort(key=lambda r: r.id)
    updated = [r.id for r in report.results if r.status == "updated"]
    if updated:
        index_letters(letters, index_path, updated)
    return report


def _limits_for(letters: LetterStore, object_id: str, limits: Limits) -> Limits:
    """``limits``, with OCR in the letter's own languages when it was read by OCR and the
    user did not ask for OCR (a reread never loses a scan's text)."""
    if limits.ocr:
        return limits
    try:
        languages = ocr_languages(letters.tei(object_id))
    except (EpistulaError, etree.XMLSyntaxError):
        return limits  # (reported when the letter itself is read)
    return replace(limits, ocr=True, ocr_languages=languages) if languages else limits


def _reread_one(
    letters: LetterStore, object_id: str, outcome: Letter | IngestError, reading: Reading
) -> RereadResult:
    try:
        if isinstance(outcome, BaseException):
            raise outcome
        written = update_letter(letters, object_id, reading, letter=outcome)
    except EpistulaError as err:
        return RereadResult(object_id, "failed", error=str(err), error_code=err.code)
    except OSError as err:
        return RereadResult(object_id, "failed", error=f"{object_id}: {err}", error_code="os-error")
    if written is None:
        return RereadResult(object_id, "unchanged", letters.head(object_id).version)
    return RereadResult(object_id, "updated", written[0])


def update_letter(
    letters: LetterStore,
    object_id: str,
    reading: Reading,
    *,
    letter: Letter | None = None,
    fields: Mapping[str, Value] | None = None,
    message: str = "reread",
) -> tuple[str, Derived] | None:
    """A new version of the letter: read again from ``letter`` (when given) keeping the
    user's values, with ``fields`` supplied on top; None when nothing a reader sees changed."""
    for attempt in range(ATTEMPTS):
        head, stored = letters.head_tei(object_id)
        if letter is not None:
            root = rebuilt(stored, letter, object_id, reading)
        else:
            root = copy.deepcopy(stored)
        if fields:
            apply_fields(root, fields)
        if _same(stored, root):
            return None
        derived = derive(
            root, lambda first: ArchiveError(object_id, f"the new TEI would be invalid ({first})")
        )
        try:
            version = letters.write_tei(
                object_id,
                derived,
                reading.actor.message_for(message),
                based_on=head,
                actor=reading.actor,
            )
            return version, derived
        except VersionConflict:
            if attempt == ATTEMPTS - 1:
                raise
    return None


def rebuilt(
    stored: etree._Element, letter: Letter, object_id: str, reading: Reading
) -> etree._Element:
    """The TEI of ``letter`` as read now, under ``object_id``, with what the stored TEI
    keeps: the user's values, the letter's history, the day it was first published."""
    now = datetime.now(UTC)
    root = build_tei(
        letter,
        object_id=object_id,
        publication=reading.publication,
        version=reading.version,
        ingested=now,
    )
    header, old = root.find(tei("teiHeader")), stored.find(tei("teiHeader"))
    _keep(header, old, _PUBLICATION_DATE)
    fresh = header.find(tei("revisionDesc"))
    history = old.find(tei("revisionDesc"))
    if history is not None:
        kept = copy.deepcopy(history)
        # (the OCR of this reading is said in its own change, after the history)
        for change in fresh.xpath("tei:change[@who='#ocr']", namespaces=NS):
            kept.append(change)
        header.replace(fresh, kept)
        fresh = kept
    change = etree.SubElement(fresh, tei("change"), when=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    change.text = f"Read again from the original (Epistula {reading.version})"
    apply_fields(root, user_fields(stored), record=False)
    return root


def ocr_languages(stored: etree._Element) -> str | None:
    """The Tesseract languages the stored TEI says its text was read with (None: not OCR)."""
    note = stored.xpath(
        "string(tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:note[@type='ocr'])",
        namespaces=NS,
    )
    found = re.search(r"language ([^,)]+)", note)
    return found.group(1).strip() if found else None


def _keep(header: etree._Element, old: etree._Element, path: str) -> None:
    new_found = header.xpath(path, namespaces=NS)
    old_found = old.xpath(path, namespaces=NS)
    if new_found and old_found:
        new_found[0].getparent().replace(new_found[0], copy.deepcopy(old_found[0]))


def _same(before: etree._Element, after: etree._Element) -> bool:
    """Whether a reader would see no difference: the same card and the same text."""
    if card_from_tei(before).to_json() != card_from_tei(after).to_json():
        return False
    return _text_of(before) == _text_of(after)


def _text_of(root: etree._Element) -> list[tuple[object, ...]]:
    """The text's elements, attributes and words, whatever white space lays them out (a
    stored TEI is indented, a new one not yet)."""
    text = root.find(tei("text"))
    if text is None:
        return []
    return [
        (node.tag, sorted(node.attrib.items()), _words(node.text), _words(node.tail))
        for node in text.iter()
    ]


def _words(value: str | None) -> str:
    return " ".join((value or "").split())
