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

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from archive.errors import ArchiveError, BatchWriteFailed
from archive.exports import ExportResult, export
from archive.indexing import IndexFeed, reindex
from archive.letters.identifiers import DIGEST_CHARS, digest_suffix
from archive.letters.objects import LetterStore, ingest_message, object_files
from archive.letters.prepare import Prepared, Preparer, finish
from archive.letters.settings import Settings, load_settings, write_settings
from archive.sidecar import is_sidecar, load_manifest, load_sidecar, manifest_row, sidecar_for
from archive.store.ocfl import Problem, StorageRoot
from archive.version import app_version
from ingest.errors import IngestError
from ingest.limits import Limits
from ingest.pipeline import letter_from_file, letters_from_files
from ingest.tei.build import Publication
from ingest.tei.schema import validate_tei
from metadata.card import Card, card_from_tei
from metadata.edit import Value, apply_fields
from metadata.errors import EpistulaError
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise, tei
from search.errors import IndexMissing

if TYPE_CHECKING:
    from search import query

DEFAULT_ARCHIVE = Path("epistula-archive")
HIDDEN = (".", "~$")
#: new letters are committed to the store together, this many at most or this old at most
COMMIT_LETTERS = 64
COMMIT_SECONDS = 2.0


class NoArchive(ArchiveError):
    code = "no-archive"
    remedy = "ingest letters first (epistula ingest FILE…), or point --archive at an archive"


class NoLetters(ArchiveError):
    code = "no-letters"
    remedy = "ingest letters first (epistula ingest FILE…)"


#: the code of a failed file whose failure is an OS error (a file unreadable, a disk full)
OS_ERROR = "os-error"


@dataclass
class IngestResult:
    file: str
    status: str  # "added" | "unchanged" | "failed"
    id: str | None = None
    #: one line for the user: the file, the fault and (at the end) the remedy
    error: str | None = None
    #: the failure's stable code (``encrypted``, ``unreadable``…: the error's ``code``), so
    #: scripts and the CLI decide by it rather than by the wording of ``error``
    error_code: str | None = None
    #: what the user can do about the failure, when the error names it
    remedy: str | None = None

    def fail(self, error: str, err: EpistulaError | None) -> None:
        """Mark the file failed with the one-line ``error`` and the code of ``err``."""
        self.status, self.id, self.error = "failed", None, error
        self.error_code = err.code if err is not None else OS_ERROR
        self.remedy = (err.remedy or None) if err is not None else None

    def to_json(self) -> dict[str, str | None]:
        return {
            "file": self.file,
            "status": self.status,
            "id": self.id,
            "error": self.error,
            "error_code": self.error_code,
            "remedy": self.remedy,
        }


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    #: set when letters were stored but the index could not be updated
    index_error: str | None = None
    #: whether the batch was asked to stop before its last file (what it did is kept)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self) -> dict[str, object]:
        return {
            "results": [r.to_json() for r in self.results],
            "added": self.count("added"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "index_error": self.index_error,
            "interrupted": self.interrupted,
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
    """The files named, and with ``recursive`` those under named folders (sorted; hidden
    files and sidecar metadata files left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            pattern = path.rglob("*") if recursive else path.iterdir()
            files.extend(
                sorted(
                    p
                    for p in pattern
                    if p.is_file() and not p.name.startswith(HIDDEN) and not is_sidecar(p)
                )
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
        jobs: int = 1,
        fields: Mapping[str, Value] | None = None,
        manifest: Path | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> IngestReport:
        """Ingest every file; a bad file is reported and the batch goes on.

        ``stop`` is asked before each file: once it says so, the batch stops there, and the
        letters done so far are stored and indexed as at a normal end (``interrupted``).

        Metadata the user supplies wins over what was recognised: a CSV ``manifest`` row, then
        a sidecar file beside the letter (``letter.pdf.json``/``.yaml``), then ``fields``
        (``--set``) — see :mod:`archive.sidecar`.

        Files are read in ``jobs`` worker processes, each file within the time and memory
        ``limits`` allow (:func:`ingest.pipeline.letters_from_files`), which also build each
        letter's TEI and stage its object (:mod:`archive.letters.prepare`); this process commits the
        objects to the store in the order the files were given, and indexes each commit's
        letters while the workers read on (:class:`archive.indexing.IndexFeed`).
        """
        files = collect_files(paths, recursive)
        rows = load_manifest(manifest) if manifest else {}
        if manifest is not None:  # the manifest describes letters; it is not one
            files = [f for f in files if f.resolve() != manifest.resolve()]
        limits = limits or Limits()
        report = IngestReport()
        store = self.store(create=True)
        known = KnownDigests(self, store)
        staged: list[tuple[IngestResult, Card]] = []
        preparer = Preparer(self._publication(), app_version(), store.stager())
        digests = {i: digest for i, path in enumerate(files) if (digest := _digest(path))}
        # files already archived (same bytes) are not even sent to a worker
        new = [i for i in range(len(files)) if i in digests and known.get(digests[i]) is None]
        read = letters_from_files([files[i] for i in new], limits, jobs, then=preparer)
        # letters are indexed as they are committed, while the workers read the next ones
        feed = IndexFeed(self)
        try:
            with contextlib.closing(read), store.batch():
                parsed = iter(read)
                for index, path in enumerate(files):
                    if stop is not None and stop():
                        report.interrupted = True
                        break
                    outcome = None
                    if new and new[0] == index:
                        new.pop(0)
                        outcome = next(parsed)[1]
                    result, card = self._ingest_one(
                        store,
                        path,
                        Incoming(digests.get(index), outcome, preparer, limits),
                        known,
                        _supplied(path, rows, manifest, fields),
                    )
                    report.results.append(result)
                    if card is not None:
                        staged.append((result, card))
                    if store.staged >= COMMIT_LETTERS or store.staged_for >= COMMIT_SECONDS:
                        feed.add(_commit(store, staged, known))
                    if progress is not None:
                        progress(path)
                feed.add(_commit(store, staged, known))
            feed.catch_up(
                dict.fromkeys(r.id for r in report.results if r.status == "unchanged" and r.id),
                self.card,
            )
        finally:
            feed.close()
            # what the workers staged and the batch did not take (it stopped early, or failed)
            store.discard_own_stages()
        if feed.error is not None:
            report.index_error = f"{feed.error}; the letters are stored, run 'epistula reindex'"
        return report

    def _ingest_one(
        self,
        store: StorageRoot,
        path: Path,
        incoming: Incoming,
        known: KnownDigests,
        supplied: Callable[[], dict[str, Value]],
    ) -> tuple[IngestResult, Card | None]:
        # what a worker staged is adopted by the store, or removed when this returns
        unadopted = incoming.outcome if isinstance(incoming.outcome, Prepared) else None
        try:
            if not path.is_file():
                raise IngestError(path, "no such file", "check the path")
            # the same bytes are never parsed twice: the digest alone says "unchanged"
            existing = known.get(incoming.digest or _sha256(path))
            if existing:
                return IngestResult(str(path), "unchanged", existing), None
            prepared = incoming.prepared(path)
            # a TEI export names the original it was made from: that digest says "unchanged"
            existing = known.get(prepared.sha256)
            if existing:
                return IngestResult(str(path), "unchanged", existing), None
            object_id = prepared.object_id
            if prepared.carried_id == object_id and store.has(object_id):
                raise ArchiveError(
                    path.name,
                    f"the archive already holds another letter with the id {object_id}",
                    "ingest it into another archive, or remove its publicationStmt/idno",
                )
            final = _with_user_fields(prepared, supplied(), path)
            if final is prepared and prepared.staged is not None:
                unadopted = None
                store.adopt(prepared.staged)  # the worker staged exactly this
            else:
                files = object_files(path, final.tei, final.dc)
                store.write_version(object_id, files, ingest_message(path))
            known.add(final.sha256, object_id)
            return IngestResult(str(path), "added", object_id), final.card
        except EpistulaError as err:
            result = IngestResult(str(path), "failed")
            result.fail(_one_line(err, path), err)
            return result, None
        except OSError as err:
            result = IngestResult(str(path), "failed")
            result.fail(f"{path.name}: {err.strerror or err}", None)
            return result, None
        finally:
            if unadopted is not None:
                unadopted.discard()

    def _publication(self) -> Publication:
        settings = self.settings
        return Publication(settings.publisher, settings.licence, settings.licence_url)

    # -- reading ---------------------------------------------------------------------------

    def letters(self, create: bool = False) -> LetterStore:
        """The letters in the store (what the services below the API are given)."""
        return LetterStore(self.store(create))

    def ids(self) -> list[str]:
        return self.letters().ids()

    def tei_bytes(self, object_id: str, version: str | None = None) -> bytes:
        return self.letters().tei_bytes(object_id, version)

    def tei(self, object_id: str) -> etree._Element:
        return self.letters().tei(object_id)

    def dc_bytes(self, object_id: str) -> bytes:
        return self.letters().dc_bytes(object_id)

    def text(self, object_id: str) -> str:
        return self.letters().text(object_id)

    def card(self, object_id: str) -> Card:
        return self.letters().card(object_id)

    def cards(self) -> Iterator[Card]:
        return self.letters().cards()

    def original_path(self, object_id: str) -> Path:
        return self.letters().original_path(object_id)

    # -- search ----------------------------------------------------------------------------

    def search(self, text: str, limit: int | None = None, **options: Any) -> query.SearchResults:
        """The letters matching ``text``, all of them unless ``limit`` (further options as
        :func:`search.query.search` takes them: ``page``, ``sort``, ``facets``, ``snippets``)."""
        from search import query  # (only searches need the query parser)

        store = self.store()  # a missing archive is reported as such, not as a missing index
        try:
            return query.search(self.index_path, text, limit, **options)
        except IndexMissing:
            if not store.object_ids():
                raise NoLetters(str(self.path), "holds no letters yet") from None
            raise

    def reindex(self, on_wait: Callable[[], None] | None = None) -> int:
        """Rebuild the index from the TEI in the store; returns the number of letters."""
        return reindex(self, on_wait=on_wait)

    # -- export ----------------------------------------------------------------------------

    def export(self, fmt: str, target: Path, **options: Any) -> ExportResult:
        """Export the letters (all, or ``ids=``, or ``query=``) in format ``fmt`` into ``target``.

        See :func:`archive.exports.export` for the options.
        """
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
        original = self.original_path(object_id)
        digest = _sha256(original)
        if card.source.sha256 != digest and not _carries_digest(original, card.source.sha256):
            problems.append(
                ValidationProblem(
                    object_id,
                    "source-digest",
                    f"original's sha256 is {digest}, TEI says {card.source.sha256}",
                )
            )
        return problems


class KnownDigests:
    """sha256 of an original → the id of the letter made from it, as far as asked.

    An id ends in the first eight hex digits of its original's digest, so only the letters
    whose id ends like a file's digest have their TEI read to compare the whole digest
    (and, once, any letter whose id was brought in by a TEI export in another form): adding
    a few letters to a large archive does not read every letter in it.
    """

    def __init__(self, archive: Archive, store: StorageRoot) -> None:
        self._archive = archive
        self._store = store
        self._found: dict[str, str] = {}
        self._by_suffix: dict[str, list[str]] | None = None

    def get(self, digest: str) -> str | None:
        if digest not in self._found and self._by_suffix is None:
            self._by_suffix = {}
            others = []
            for object_id in self._store.object_ids():
                suffix = object_id[-DIGEST_CHARS:]
                if object_id.endswith(digest_suffix(suffix)) and _is_hex(suffix):
                    self._by_suffix.setdefault(suffix, []).append(object_id)
                else:
                    others.append(object_id)
            self._read(others)
        if digest not in self._found and self._by_suffix:
            self._read(self._by_suffix.pop(digest[:DIGEST_CHARS], []))
        return self._found.get(digest)

    def add(self, digest: str, object_id: str) -> None:
        self._found[digest] = object_id

    def forget(self, object_id: str) -> None:
        for digest in [d for d, known in self._found.items() if known == object_id]:
            del self._found[digest]

    def _read(self, object_ids: list[str]) -> None:
        for object_id in object_ids:
            digest = self._archive.card(object_id).source.sha256
            if digest:
                self._found.setdefault(digest, object_id)


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _commit(
    store: StorageRoot, staged: list[tuple[IngestResult, Card]], known: KnownDigests
) -> list[Card]:
    """Commit the letters staged in the store's batch; the cards of those now stored.

    A letter the commit could not store is reported failed, and forgotten as known, so the
    same file later in the batch is read again rather than called unchanged.
    """
    try:
        store.commit_batch()
    except BatchWriteFailed as err:
        lost = set(err.object_ids)
        for result, _card in staged:
            if result.id in lost:
                known.forget(result.id or "")
                result.fail(f"{Path(result.file).name}: {err}", err)
    cards = [card for result, card in staged if result.status == "added"]
    staged.clear()
    return cards


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


def _supplied(
    path: Path,
    rows: Mapping[str, dict[str, Value]],
    manifest: Path | None,
    fields: Mapping[str, Value] | None,
) -> Callable[[], dict[str, Value]]:
    """The user's fields for ``path``, read when the letter is about to be stored (a bad
    sidecar then fails that file alone)."""

    def merged() -> dict[str, Value]:
        values: dict[str, Value] = {}
        if manifest is not None:
            values.update(manifest_row(rows, manifest.parent, path))
        sidecar = sidecar_for(path)
        if sidecar is not None:
            values.update(load_sidecar(sidecar))
        values.update(fields or {})
        return values

    return merged


def _ocfl_problem(object_id: str, problem: Problem) -> ValidationProblem:
    return ValidationProblem(object_id, problem.code, f"{problem.path}: {problem.message}")


@dataclass(frozen=True)
class Incoming:
    """A file on its way into the store: its digest, and what a worker made of it."""

    digest: str | None  # None when it could not be hashed beforehand
    outcome: Prepared | IngestError | None  # None when no worker read it
    preparer: Preparer
    limits: Limits

    def prepared(self, path: Path) -> Prepared:
        """The prepared letter, or its error raised again."""
        if self.outcome is None:
            return self.preparer(letter_from_file(path, self.limits))
        if isinstance(self.outcome, IngestError):
            raise self.outcome
        return self.outcome


def _with_user_fields(prepared: Prepared, values: dict[str, Value], path: Path) -> Prepared:
    """The letter with the user's metadata written into its TEI (and all derived again)."""
    if not values:
        return prepared
    root = parse(prepared.tei)
    if not apply_fields(root, values):
        return prepared
    return finish(root, prepared.object_id, path.name, prepared.sha256, prepared.carried_id)


def _digest(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read here (reported when it is stored)."""
    try:
        return _sha256(path) if path.is_file() else None
    except OSError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _one_line(err: Exception, path: Path) -> str:
    text = " ".join(str(err).split())
    return text if path.name in text else f"{path.name}: {text}"
