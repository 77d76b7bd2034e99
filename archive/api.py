"""The Python API behind the CLI: ``Archive(path).ingest(paths)`` and friends.

An archive directory holds::

    epistula.toml   settings (name, publisher, licence)
    store/          the OCFL 1.1 storage root: one object per letter
                    (original/<file name>, tei.xml, dc.xml)
    index/          the Whoosh index, derived from the store (``reindex`` rebuilds it)
    tmp/            staging for atomic writes

The TEI in the store is the single source of truth: Dublin Core, the index and every
export are derived from it through :func:`metadata.card.card_from_tei`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lxml import etree

from archive.errors import ArchiveError, ObjectNotFound
from archive.identifiers import object_id_for
from archive.ocfl import Problem, StorageRoot
from archive.settings import Settings, load_settings, write_settings
from ingest.errors import IngestError
from ingest.limits import Limits
from ingest.pipeline import letter_from_file
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.card import Card, card_from_tei, plain_text
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise
from search import indexer, query
from search.errors import SearchError

TEI_PATH = "tei.xml"
DC_PATH = "dc.xml"
ORIGINAL_DIR = "original"
DEFAULT_ARCHIVE = Path("epistula-archive")
HIDDEN = (".", "~$")


def app_version() -> str:
    try:
        return version("epistula")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


class NoArchive(ArchiveError):
    code = "no-archive"
    remedy = "ingest letters first (epistula ingest FILE…), or point --archive at an archive"


class InvalidTei(ArchiveError):
    """Epistula built TEI its own schema rejects: a bug, reported instead of stored."""

    code = "invalid-tei"
    remedy = "please report this file to the Epistula developers"


@dataclass
class IngestResult:
    file: str
    status: str  # "added" | "unchanged" | "failed"
    id: str | None = None
    error: str | None = None


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    #: set when letters were stored but the index could not be updated
    index_error: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self) -> dict[str, object]:
        return {
            "results": [r.__dict__ for r in self.results],
            "added": self.count("added"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "index_error": self.index_error,
        }


@dataclass(frozen=True)
class ValidationProblem:
    """One finding of ``validate``: which letter, a stable code, and what is wrong."""

    id: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.id, "code": self.code, "message": self.message}


def collect_files(paths: Iterable[Path], recursive: bool = False) -> list[Path]:
    """The files named, and with ``recursive`` those under named folders (sorted, no hidden)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            pattern = path.rglob("*") if recursive else path.iterdir()
            files.extend(
                sorted(p for p in pattern if p.is_file() and not p.name.startswith(HIDDEN))
            )
        else:
            files.append(path)
    return files


class Archive:
    """An Epistula archive on disk (created on first write)."""

    def __init__(self, path: Path = DEFAULT_ARCHIVE) -> None:
        self.path = Path(path)
        self.store_path = self.path / "store"
        self.index_path = self.path / "index"
        self.tmp_path = self.path / "tmp"
        self._store: StorageRoot | None = None

    # -- opening ---------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return (self.store_path / "0=ocfl_1.1").is_file()

    @property
    def settings(self) -> Settings:
        return load_settings(self.path)

    def store(self, create: bool = False) -> StorageRoot:
        if self._store is None:
            if not self.exists:
                if not create:
                    raise NoArchive(str(self.path), "is not an Epistula archive (no store/)")
                self.path.mkdir(parents=True, exist_ok=True)
                if not (self.path / "epistula.toml").exists():
                    write_settings(self.path, Settings())
            self._store = StorageRoot.init(self.store_path, self.tmp_path)
        return self._store

    # -- ingest ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        recursive: bool = False,
        limits: Limits | None = None,
        progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest every file; a bad file is reported and the batch goes on."""
        files = collect_files(paths, recursive)
        report = IngestReport()
        store = self.store(create=True)
        known = self._digest_index(store)
        cards: list[Card] = []
        for path in files:
            result, card = self._ingest_one(store, path, known, limits or Limits())
            report.results.append(result)
            if card is not None:
                cards.append(card)
            if progress is not None:
                progress(path)
        if cards:
            try:
                indexer.update(self.index_path, cards)
            except SearchError as err:
                report.index_error = f"{err}; the letters are stored, run 'epistula reindex'"
        return report

    def _ingest_one(
        self, store: StorageRoot, path: Path, known: dict[str, str], limits: Limits
    ) -> tuple[IngestResult, Card | None]:
        try:
            if not path.is_file():
                raise IngestError(path, "no such file", "check the path")
            # the same bytes are never parsed twice: the digest alone says "unchanged"
            existing = known.get(_sha256(path))
            if existing:
                return IngestResult(str(path), "unchanged", existing), None
            letter = letter_from_file(path, limits)
            object_id = object_id_for(letter)
            tei_root = build_tei(
                letter,
                object_id=object_id,
                publication=self._publication(),
                version=app_version(),
                ingested=datetime.now(UTC),
            )
            self._check_tei(tei_root, path)
            files = {
                f"{ORIGINAL_DIR}/{path.name}": path,
                TEI_PATH: serialise(tei_root),
                DC_PATH: serialise(oai_dc(tei_root)),
            }
            store.write_version(object_id, files, f"Ingested from {path.name}")
            known[letter.document.source.sha256] = object_id
            return IngestResult(str(path), "added", object_id), card_from_tei(tei_root)
        except (IngestError, ArchiveError) as err:
            return IngestResult(str(path), "failed", error=_one_line(err, path)), None
        except OSError as err:
            reason = err.strerror or str(err)
            return IngestResult(str(path), "failed", error=f"{path.name}: {reason}"), None

    def _publication(self) -> Publication:
        settings = self.settings
        return Publication(settings.publisher, settings.licence, settings.licence_url)

    @staticmethod
    def _check_tei(root: etree._Element, path: Path) -> None:
        errors = validate_tei(root)
        if errors:
            raise InvalidTei(path.name, f"the TEI built for it is invalid ({errors[0]})")

    def _digest_index(self, store: StorageRoot) -> dict[str, str]:
        """sha256 of each original → object id, read from the TEI of the objects."""
        known: dict[str, str] = {}
        for object_id in store.object_ids():
            card = self.card(object_id)
            if card.source.sha256:
                known[card.source.sha256] = object_id
        return known

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> list[str]:
        return self.store().object_ids()

    def tei_bytes(self, object_id: str, version: str | None = None) -> bytes:
        store = self.store()
        if not store.has(object_id):
            raise ObjectNotFound(object_id)
        return store.read(object_id, TEI_PATH, version)

    def tei(self, object_id: str) -> etree._Element:
        return parse(self.tei_bytes(object_id))

    def dc_bytes(self, object_id: str) -> bytes:
        return self.store().read(object_id, DC_PATH)

    def text(self, object_id: str) -> str:
        return plain_text(self.tei(object_id))

    def card(self, object_id: str) -> Card:
        return card_from_tei(self.tei(object_id))

    def cards(self) -> Iterator[Card]:
        for object_id in self.ids():
            yield self.card(object_id)

    def original_path(self, object_id: str) -> Path:
        store = self.store()
        originals = [p for p in store.logical_paths(object_id) if p.startswith(ORIGINAL_DIR + "/")]
        return store.path_of(object_id, originals[0])

    # -- search ----------------------------------------------------------------------------

    def search(self, text: str, **options: Any) -> query.SearchResults:
        """The letters matching ``text`` (options as :func:`search.query.search` takes them)."""
        self.store()  # a missing archive is reported as such, not as a missing index
        return query.search(self.index_path, text, **options)

    def reindex(self) -> int:
        """Rebuild the index from the TEI in the store; returns the number of letters."""
        return indexer.rebuild(self.index_path, self.cards())

    # -- export ----------------------------------------------------------------------------

    def export(self, fmt: str, target: Path, **options: Any) -> list[Path]:
        """Export the letters in format ``fmt`` to ``target`` (see :mod:`archive.exports`)."""
        from archive.exports import export

        return export(self, fmt, target, **options)

    # -- validation ------------------------------------------------------------------------

    def validate(
        self, ids: Iterable[str] | None = None, schema: Path | None = None
    ) -> list[ValidationProblem]:
        """Every problem found: OCFL fixity, TEI against the schema, Dublin Core drift."""
        store = self.store()
        wanted = list(ids) if ids else store.object_ids()
        problems: list[ValidationProblem] = []
        for object_id in wanted:
            if not store.has(object_id):
                problems.append(ValidationProblem(object_id, "not-found", "no such letter"))
                continue
            problems += [_ocfl_problem(object_id, p) for p in store.validate(object_id)]
            problems += self._validate_letter(object_id, schema)
        return problems

    def _validate_letter(self, object_id: str, schema: Path | None) -> list[ValidationProblem]:
        problems: list[ValidationProblem] = []
        try:
            root = self.tei(object_id)
        except (ArchiveError, etree.XMLSyntaxError) as err:
            return [ValidationProblem(object_id, "tei-unreadable", str(err))]
        for message in validate_tei(root, schema):
            problems.append(ValidationProblem(object_id, "tei-rng", message))
        if serialise(oai_dc(root)) != self.dc_bytes(object_id):
            problems.append(
                ValidationProblem(object_id, "dc-drift", "dc.xml differs from the TEI's crosswalk")
            )
        card = card_from_tei(root)
        digest = _sha256(self.original_path(object_id))
        if card.source.sha256 != digest:
            problems.append(
                ValidationProblem(
                    object_id,
                    "source-digest",
                    f"original's sha256 is {digest}, TEI says {card.source.sha256}",
                )
            )
        return problems


def _ocfl_problem(object_id: str, problem: Problem) -> ValidationProblem:
    return ValidationProblem(object_id, problem.code, f"{problem.path}: {problem.message}")


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _one_line(err: Exception, path: Path) -> str:
    text = " ".join(str(err).split())
    return text if path.name in text else f"{path.name}: {text}"
