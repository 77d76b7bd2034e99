"""Checking the archive: OCFL fixity, each TEI against a schema, derived files against the TEI.

Every problem is collected (nothing stops at the first), each with a stable code: OCFL's own
where the rule is OCFL's (``E092a``…), and ``not-found``, ``tei-unreadable``, ``tei-rng``,
``dc-drift``, ``source-digest`` for Epistula's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from archive.errors import ArchiveError
from archive.letters.objects import LetterStore
from archive.services.ingest import sha256_of
from archive.store.ocfl import Problem
from ingest.tei.schema import validate_tei
from metadata.card import card_from_tei
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise, tei


@dataclass(frozen=True)
class ValidationProblem:
    """One finding of ``validate``: which letter, a stable code, and what is wrong."""

    id: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.id, "code": self.code, "message": self.message}


def validate(
    letters: LetterStore, ids: Iterable[str] | None = None, schema: Path | None = None
) -> list[ValidationProblem]:
    """Every problem found in the letters ``ids`` (all by default); TEI is checked against
    ``schema`` (a RELAX NG file), or Epistula's own profile."""
    store = letters.store
    wanted = list(ids) if ids else letters.ids()
    problems: list[ValidationProblem] = []
    for object_id in wanted:
        if not letters.has(object_id):
            problems.append(ValidationProblem(object_id, "not-found", "no such letter"))
            continue
        problems += [_ocfl_problem(object_id, p) for p in store.validate(object_id)]
        problems += _validate_letter(letters, object_id, schema)
    return problems


def _validate_letter(
    letters: LetterStore, object_id: str, schema: Path | None
) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []
    try:
        root = letters.tei(object_id)
    except (ArchiveError, etree.XMLSyntaxError) as err:
        return [ValidationProblem(object_id, "tei-unreadable", str(err))]
    for message in validate_tei(root, schema):
        problems.append(ValidationProblem(object_id, "tei-rng", message))
    if serialise(oai_dc(root)) != letters.dc_bytes(object_id):
        problems.append(
            ValidationProblem(object_id, "dc-drift", "dc.xml differs from the TEI's crosswalk")
        )
    card = card_from_tei(root)
    original = letters.original_path(object_id)
    digest = sha256_of(original)
    if card.source.sha256 != digest and not _carries_digest(original, card.source.sha256):
        problems.append(
            ValidationProblem(
                object_id,
                "source-digest",
                f"original's sha256 is {digest}, TEI says {card.source.sha256}",
            )
        )
    return problems


def _carries_digest(original: Path, sha256: str) -> bool:
    """Whether ``original`` is an exported TEI that names the first original's digest.

    A letter re-ingested from a ``tei`` export keeps the identity of the file it was first
    made from; the TEI it was read from is its stored original.
    """
    try:
        root = parse(original.read_bytes())
    except (OSError, etree.XMLSyntaxError):
        return False
    return card_from_tei(root).source.sha256 == sha256 if root.tag == tei("TEI") else False


def _ocfl_problem(object_id: str, problem: Problem) -> ValidationProblem:
    return ValidationProblem(object_id, problem.code, f"{problem.path}: {problem.message}")
