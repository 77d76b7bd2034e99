"""The ingest service: files in, letters stored and indexed, one result per file.

:func:`ingest` reads the files in worker processes (:func:`ingest.pipeline.letters_from_files`,
which also prepare and stage each letter: :mod:`archive.letters.prepare`), commits the letters
to the store in the order the files were given, in batches, and indexes each batch while the
workers read on (:class:`archive.services.indexing.IndexFeed`). A bad file is a failed result
with its error's code, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from archive.errors import (
    AlreadyStored,
    ArchiveError,
    BatchWriteFailed,
    ObjectNotFound,
    VersionConflict,
)
from archive.letters.actor import SYSTEM, Actor
from archive.letters.identifiers import DIGEST_CHARS, digest_suffix
from archive.letters.objects import ORIGINAL_DIR, LetterStore, ingest_message, object_files
from archive.letters.prepare import Prepared, Preparer, finish
from archive.services.indexing import IndexFeed
from archive.services.reread import Reading, ocr_languages, update_letter
from archive.services.sidecar import load_sidecar, manifest_row, sidecar_for
from archive.store.ocfl import NO_VERSION, StorageRoot
from ingest.errors import EncryptedDocument, IngestError, UnreadableSource
from ingest.limits import Limits
from ingest.pipeline import letters_from_files
from ingest.tei.build import Publication
from metadata.card import Card
from metadata.edit import Value, apply_fields
from metadata.errors import EpistulaError
from metadata.xml import parse

HIDDEN = (".", "~$")
#: new letters are committed to the store together, this many at most or this old at most
COMMIT_LETTERS = 64
COMMIT_SECONDS = 2.0
#: the code of a failed file whose failure is an OS error (a file unreadable, a disk full)
OS_ERROR = "os-error"


@dataclass
class IngestResult:
    file: str
    status: str  # "added" | "updated" | "unchanged" | "failed"
    id: str | None = None
    #: one line for the user: the file, the fault and (at the end) the remedy
    error: str | None = None
    #: the failure's stable code (``encrypted``, ``unreadable``…: the error's ``code``), so
    #: scripts and the CLI decide by it rather than by the wording of ``error``
    error_code: str | None = None
    #: what the user can do about the failure, when the error names it
    remedy: str | None = None
    #: for ``unchanged``: the file of this batch that brought the same bytes in
    same_as: str | None = None

    def fail(self, error: str, err: EpistulaError | None) -> None:
        """Mark the file failed with the one-line ``error`` and the code of ``err``."""
        self.status, self.id, self.error = "failed", None, error
        self.error_code = err.code if err is not None else OS_ERROR
        self.remedy = (err.remedy or None) if err is not None else None

    @property
    def needs_password(self) -> bool:
        """Whether the file failed for want of a (right) password."""
        return self.error_code == EncryptedDocument.code

    def to_json(self) -> dict[str, str | None]:
        return {
            "file": self.file,
            "status": self.status,
            "id": self.id,
            "error": self.error,
            "error_code": self.error_code,
            "remedy": self.remedy,
            "same_as": self.same_as,
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

    def needing_password(self) -> list[IngestResult]:
        """The files that failed for want of a (right) password."""
        return [r for r in self.results if r.needs_password]

    def merge(self, again: IngestReport) -> None:
        """Take the results of files ingested again (with a password) in place of the first."""
        retried = {r.file: r for r in again.results}
        self.results = [retried.get(r.file, r) for r in self.results]
        self.index_error = self.index_error or again.index_error

    def to_json(self) -> dict[str, object]:
        return {
            "results": [r.to_json() for r in self.results],
            "added": self.count("added"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "index_error": self.index_error,
            "interrupted": self.interrupted,
            "updated": self.count("updated"),
        }


class Files(list[Path]):
    """Files already collected (:func:`archive.services.collect.collect`): ingest takes them
    as they are."""


def ingest(
    letters: LetterStore,
    index_path: Path,
    files: Files,
    publication: Publication,
    version: str,
    *,
    limits: Limits,
    progress: Callable[[Path], None] | None = None,
    jobs: int = 1,
    fields: Mapping[str, Value] | None = None,
    manifest: Path | None = None,
    rows: Mapping[str, dict[str, Value]] | None = None,
    stop: Callable[[], bool] | None = None,
    actor: Actor = SYSTEM,
) -> IngestReport:
    """Ingest every file into ``letters`` and the index at ``index_path`` (see the module).

    ``stop`` is asked before each file: once it says so, the batch stops there, and the
    letters done so far are stored and indexed as at a normal end (``interrupted``).
    Metadata the user supplies wins over what was recognised: the ``rows`` of a CSV
    ``manifest`` (:func:`~archive.services.sidecar.load_manifest`, read by the caller before
    it creates the archive, so a bad manifest creates nothing), then a sidecar file beside
    the letter, then ``fields`` (see :mod:`archive.services.sidecar`).
    """
    rows = rows or {}
    report = IngestReport()
    store = letters.store
    known = KnownDigests(letters)
    staged: list[tuple[IngestResult, Card]] = []
    preparer = Preparer(publication, version, store.stager(), actor)
    digests = {i: digest for i, path in enumerate(files) if (digest := _digest(path))}
    # files already archived (same bytes) are not even sent to a worker
    new = [i for i in range(len(files)) if i in digests and known.get(digests[i]) is None]
    read = letters_from_files([files[i] for i in new], limits, jobs, then=preparer)
    # letters are indexed as they are committed, while the workers read the next ones
    feed = IndexFeed(letters, index_path)
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
                result, card = _ingest_one(
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
                    feed.add(_commit(letters, staged, known))
                if progress is not None:
                    progress(path)
            feed.add(_commit(letters, staged, known))
        feed.catch_up(
            dict.fromkeys(r.id for r in report.results if r.status == "unchanged" and r.id),
            letters.card,
        )
    finally:
        try:
            feed.close()
        finally:  # (even when a second Ctrl-C stops the index's last commit)
            # what the workers staged and the batch did not take (it stopped early, or failed)
            store.discard_own_stages()
    if feed.error is not None:
        report.index_error = f"{feed.error}; the letters are stored, run 'epistula reindex'"
    return report


def _ingest_one(
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
        # the same bytes are never parsed twice: the digest alone says "unchanged", unless
        # the user's metadata or options that read the file otherwise change the letter
        existing = known.get(incoming.digest or sha256_of(path))
        if existing:
            return _ingest_again(store, path, existing, incoming, supplied())
        prepared = incoming.prepared(path)
        # a TEI export names the original it was made from and the id it had: the original
        # says "unchanged" only where the archive holds those very bytes (a claim is not an
        # identity), the id only where the object it names was stored from this file
        existing = known.get(prepared.sha256, also=[prepared.carried_id or ""])
        if not existing and prepared.claimed_sha256:
            existing = known.get(prepared.claimed_sha256)
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
        try:
            if final is prepared and prepared.staged is not None:
                unadopted = None
                store.adopt(prepared.staged)  # the worker staged exactly this
            else:
                files = object_files(path, final.tei, final.dc)
                message = incoming.preparer.actor.message_for(ingest_message(path))
                store.write_version(
                    object_id,
                    files,
                    message,
                    user_name=incoming.preparer.actor.user,
                    user_address=incoming.preparer.actor.address,
                    based_on=NO_VERSION,
                )
        except AlreadyStored:  # by another writer, since this batch began
            result = IngestResult(str(path), "added", object_id)
            _stored_meanwhile(store, result)
            return result, None
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


def _ingest_again(
    store: StorageRoot,
    path: Path,
    object_id: str,
    incoming: Incoming,
    values: dict[str, Value],
) -> tuple[IngestResult, Card | None]:
    """A file the archive holds: ``updated`` as a new version of its letter (the same id) when
    the user's metadata or options that read the file otherwise (:func:`rereads`) change what
    the letter says, else ``unchanged``."""
    letters = LetterStore(store)
    unchanged = IngestResult(str(path), "unchanged", object_id), None
    try:
        _head, stored = letters.head_tei(object_id)
    except ObjectNotFound:  # stored by this very batch, from these bytes and these options
        return unchanged
    letter = None
    if rereads(incoming.limits, stored):
        original = letters.original_path(object_id)
        with contextlib.closing(letters_from_files([original], incoming.limits)) as read:
            _original, outcome = next(iter(read))
        if isinstance(outcome, IngestError):
            raise outcome
        letter = outcome
    preparer = incoming.preparer
    reading = Reading(preparer.publication, preparer.version, preparer.actor)
    written = update_letter(
        letters, object_id, reading, letter=letter, fields=values, message=ingest_message(path)
    )
    if written is None:
        return unchanged
    card = written[1].card
    # (a withdrawn letter stays withdrawn, and out of the index)
    return IngestResult(str(path), "updated", object_id), None if card.withdrawn else card


def rereads(limits: Limits, stored: etree._Element) -> bool:
    """Whether ``limits`` read a stored letter's file otherwise than it was read: a period
    given, OCR asked for in other languages than the letter's, tracked changes recorded or
    comments omitted."""
    if limits.period is not None or limits.changes != "accept" or limits.comments != "keep":
        return True
    return limits.ocr and ocr_languages(stored) != limits.ocr_languages


class KnownDigests:
    """sha256 of a stored original → the id of the letter made from it, as far as asked.

    The digest is the one the store's fixity block keeps for the object's original, never
    what its TEI says of it (a TEI's ``sourceDesc`` may claim any file's digest). An id ends
    in the first eight hex digits of that digest, so only the letters whose id ends like a
    file's digest have their inventory read to compare the whole digest (and, once, any
    letter whose id was brought in by a TEI export in another form): adding a few letters to
    a large archive does not read every letter in it.
    """

    def __init__(self, letters: LetterStore) -> None:
        self._letters = letters
        self._found: dict[str, str] = {}
        self._by_suffix: dict[str, list[str]] | None = None
        self._seen: set[str] = set()

    def get(self, digest: str, also: Iterable[str] = ()) -> str | None:
        """The letter stored from an original with ``digest``; ``also`` names letters to
        look at besides those whose id ends like the digest."""
        self._read([i for i in also if i and i not in self._seen and self._letters.has(i)])
        if digest not in self._found and self._by_suffix is None:
            self._by_suffix = {}
            others = []
            for object_id in self._letters.ids():
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
            self._seen.add(object_id)
            digest = _original_sha256(self._letters, object_id)
            if digest:
                self._found.setdefault(digest, object_id)


def _original_sha256(letters: LetterStore, object_id: str) -> str | None:
    """The sha256 the store's fixity block records for the object's original (its bytes)."""
    inventory = letters.store.inventory(object_id)
    state = inventory["versions"][inventory["head"]]["state"]
    sha512 = next((d for d, paths in state.items() if any(_is_original(p) for p in paths)), None)
    contents = set(inventory["manifest"].get(sha512, ()))
    fixity = inventory.get("fixity", {}).get("sha256", {})
    found = next((digest for digest, paths in fixity.items() if contents & set(paths)), None)
    # an object written without a fixity block (another OCFL tool): its original is hashed
    return found or (sha256_of(letters.original_path(object_id)) if sha512 else None)


def _is_original(logical_path: str) -> bool:
    return logical_path.startswith(f"{ORIGINAL_DIR}/")


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _commit(
    letters: LetterStore, staged: list[tuple[IngestResult, Card]], known: KnownDigests
) -> list[Card]:
    """Commit the letters staged in the store's batch; the cards of those now stored.

    A letter the commit could not store is reported failed, and forgotten as known, so the
    same file later in the batch is read again rather than called unchanged. A letter another
    writer stored meanwhile is ``unchanged`` (and the others are stored all the same).
    """
    store = letters.store
    lost: set[str] = set()
    failure: BatchWriteFailed | None = None
    try:
        store.commit_batch()
    except BatchWriteFailed as err:
        lost, failure = set(err.object_ids), err
    meanwhile = set(store.stored_meanwhile)
    for result, _card in staged:
        if result.id in lost and failure is not None:
            known.forget(result.id or "")
            result.fail(f"{Path(result.file).name}: {failure}", failure)
        elif result.id in meanwhile:
            _stored_meanwhile(store, result)
    cards = [card for result, card in staged if result.status in ("added", "updated")]
    staged.clear()
    return cards


def _stored_meanwhile(store: StorageRoot, result: IngestResult) -> None:
    """Settle the result of a file whose letter another writer stored since this batch
    began: the same bytes as the stored original are ``unchanged``; another letter under its
    id is a conflict."""
    object_id = result.id or ""
    try:
        same = _original_sha256(LetterStore(store), object_id) == sha256_of(Path(result.file))
    except (EpistulaError, OSError):
        same = False
    if same:
        result.status = "unchanged"
        return
    err = VersionConflict(object_id, "no version (a new object)", None)
    name = Path(result.file).name
    result.fail(f"{name}: another letter with the id {object_id} was stored meanwhile", err)


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


@dataclass(frozen=True)
class Incoming:
    """A file on its way into the store: its digest, and what a worker made of it."""

    digest: str | None  # None when it could not be hashed beforehand
    outcome: Prepared | IngestError | None  # None when no worker read it
    preparer: Preparer
    limits: Limits

    def prepared(self, path: Path) -> Prepared:
        """The prepared letter, or its error raised again."""
        if self.outcome is None:  # it could not be read when the batch began
            # (it is never read here, in the main process, outside the time and memory limits)
            raise UnreadableSource(
                path,
                "could not be read when the batch began",
                "check it is readable and ingest it again",
            )
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
        return sha256_of(path) if path.is_file() else None
    except OSError:
        return None


def sha256_of(path: Path) -> str:
    """The file's sha256, read a MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _one_line(err: Exception, path: Path) -> str:
    text = " ".join(str(err).split())
    return text if path.name in text else f"{path.name}: {text}"
