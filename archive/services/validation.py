"""Checking the archive: OCFL fixity, each TEI against a schema, derived files against the TEI.

Every problem of every letter is collected: nothing stops at the first, and a letter whose
files cannot be read (a missing ``dc.xml``, a missing original, a TEI that does not parse) is
reported as such while the checks that do not need that file go on. Each problem has a
stable code: OCFL's own where the rule is OCFL's (``E092a``…), and ``not-found``,
``ocfl-unreadable``, ``tei-unreadable``, ``tei-rng``, ``dc-unreadable``, ``dc-drift``,
``original-unreadable``, ``source-digest`` for Epistula's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lxml import etree

from archive.errors import ArchiveError
from archive.letters.objects import LetterStore
from archive.services.ingest import sha256_of
from archive.store.ocfl import Problem
from ingest.tei.schema import compile_schema, validate_tei
from metadata.card import card_from_tei
from metadata.errors import EpistulaError
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise, tei

T = TypeVar("T")
#: what reading one of a letter's files can raise: the store's errors, the disk's, the parser's
UNREADABLE = (EpistulaError, OSError, etree.XMLSyntaxError, ValueError)


class SchemaUnreadable(ArchiveError):
    code = "schema-unreadable"
    remedy = "give a RELAX NG schema in XML syntax (e.g. tei_all.rng)"


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
    ``schema`` (a RELAX NG file), or Epistula's own profile. A schema that cannot be read
    is :class:`SchemaUnreadable`, before any letter is checked."""
    if schema is not None:
        _check_schema(schema)
    wanted = list(ids) if ids else letters.ids()
    problems: list[ValidationProblem] = []
    for object_id in wanted:
        if not letters.has(object_id):
            problems.append(ValidationProblem(object_id, "not-found", "no such letter"))
            continue
        problems += _LetterCheck(letters, object_id, schema).run()
    return problems


def _check_schema(schema: Path) -> None:
    try:
        compile_schema(Path(schema).resolve())
    except (OSError, etree.XMLSyntaxError, etree.RelaxNGParseError) as err:
        raise SchemaUnreadable(str(schema), f"cannot be used as a schema ({err})") from None


class _LetterCheck:
    """The checks of one letter, each going on whatever the others found."""

    def __init__(self, letters: LetterStore, object_id: str, schema: Path | None) -> None:
        self.letters = letters
        self.id = object_id
        self.schema = schema
        self.problems: list[ValidationProblem] = []

    def run(self) -> list[ValidationProblem]:
        found = self._read("ocfl-unreadable", lambda: self.letters.store.validate(self.id))
        self.problems += [_ocfl_problem(self.id, p) for p in found or []]
        root = self._read("tei-unreadable", lambda: self.letters.tei(self.id))
        dc = self._read("dc-unreadable", lambda: self.letters.dc_bytes(self.id))
        original = self._read("original-unreadable", lambda: self.letters.original_path(self.id))
        if root is None:
            return self.problems
        for message in self._read("tei-unreadable", lambda: validate_tei(root, self.schema)) or []:
            self._add("tei-rng", message)
        derived = self._read("tei-unreadable", lambda: serialise(oai_dc(root)))
        if dc is not None and derived is not None and derived != dc:
            self._add("dc-drift", "dc.xml differs from the TEI's crosswalk")
        claimed = self._read("tei-unreadable", lambda: card_from_tei(root).source.sha256)
        if original is not None and claimed is not None:
            self._check_source(claimed, original)
        return self.problems

    def _check_source(self, claimed: str, original: Path) -> None:
        digest = self._read("original-unreadable", lambda: sha256_of(original))
        if digest is not None and claimed != digest and not _carries_digest(original, claimed):
            self._add("source-digest", f"original's sha256 is {digest}, TEI says {claimed}")

    def _read(self, code: str, read: Callable[[], T]) -> T | None:
        """What ``read`` gives, or ``None`` with a problem ``code`` saying why it failed."""
        try:
            return read()
        except UNREADABLE as err:
            self._add(code, _one_line(err))
            return None

    def _add(self, code: str, message: str) -> None:
        self.problems.append(ValidationProblem(self.id, code, message))


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.strerror:
        text = f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    return " ".join(text.split())


def _carries_digest(original: Path, sha256: str) -> bool:
    """Whether ``original`` is an exported TEI that names the first original's digest.

    A letter re-ingested from a ``tei`` export keeps the identity of the file it was first
    made from; the TEI it was read from is its stored original.
    """
    try:
        root = parse(original.read_bytes())
        return root.tag == tei("TEI") and card_from_tei(root).source.sha256 == sha256
    except UNREADABLE:
        return False


def _ocfl_problem(object_id: str, problem: Problem) -> ValidationProblem:
    return ValidationProblem(object_id, problem.code, f"{problem.path}: {problem.message}")
