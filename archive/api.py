"""The Python API behind the CLI: ``Archive(path).ingest(paths)`` and friends.

An archive directory holds::

    epistula.toml   settings (name, publisher, licence)
    store/          the OCFL 1.1 storage root: one object per letter
                    (original/<file name>, tei.xml, dc.xml)
    index/          the Whoosh index, derived from the store (``reindex`` rebuilds it)
    tmp/            staging for atomic writes

The TEI in the store is the single source of truth: Dublin Core, the index and every
export are derived from it through :func:`metadata.card.card_from_tei`.

:class:`Archive` wires the layers below it — the store (:mod:`archive.store`), the letters on
it (:mod:`archive.letters`) and the services (:mod:`archive.services`, :mod:`archive.exports`),
which are given the letters and the index path, never the ``Archive`` — with one method per
command. Nothing below imports this module.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from archive.errors import ArchiveError, ObjectNotFound
from archive.exports import FORMATS, ExportResult, NoLettersSelected, check_format, export
from archive.exports.cmif import FILENAME as CMIF_FILENAME
from archive.letters.actor import Actor, actor_for
from archive.letters.objects import LetterStore
from archive.letters.settings import (
    Settings,
    admin_email,
    load_settings,
    repository_identifier,
    write_settings,
)
from archive.letters.settings import (
    changed as changed_settings,
)
from archive.services.collect import PLURALS as SKIPPED_PLURALS
from archive.services.collect import Collected, Skipped, collect, remedy_for
from archive.services.editing import EditResult, edit_letter
from archive.services.history import RevertResult, VersionEntry, history, revert, version_name
from archive.services.indexing import IndexReport, reindex, verify_index
from archive.services.ingest import (
    Files,
    IngestReport,
    IngestResult,
    ingest,
)
from archive.services.lifecycle import HeaderUpdate, follow_settings, settings_drift
from archive.services.repair import RepairReport, repair
from archive.services.reread import Reading, RereadReport, reread
from archive.services.sidecar import load_manifest
from archive.services.validation import ValidationProblem, validate
from archive.services.withdrawal import (
    PURGE_LOG,
    AlreadyWithdrawn,
    DeletedRecord,
    PurgeRecord,
    WithdrawResult,
    deleted_records,
    purge,
    purged,
    withdraw,
)
from archive.store.ocfl import StorageRoot
from archive.version import app_version
from ingest.limits import Limits
from ingest.ocr import tesseract_languages
from ingest.tei.build import Publication
from metadata.card import Card
from metadata.edit import Value
from search.errors import IndexMissing

if TYPE_CHECKING:
    from search import query

__all__ = [
    "DEFAULT_ARCHIVE",
    "EXPORT_FORMATS",
    "SKIPPED_PLURALS",
    "Archive",
    "Collected",
    "DeletedRecord",
    "EditResult",
    "ExportResult",
    "Files",
    "IndexReport",
    "IngestReport",
    "IngestResult",
    "LetterVersion",
    "NoArchive",
    "NoLetters",
    "PurgeRecord",
    "RereadReport",
    "RevertResult",
    "SettingsChange",
    "Skipped",
    "ValidationProblem",
    "VersionEntry",
    "WithdrawResult",
    "app_version",
    "collect",
    "remedy_for",
]

DEFAULT_ARCHIVE = Path("epistula-archive")
#: the formats :meth:`Archive.export` writes
EXPORT_FORMATS = list(FORMATS)


def ingest_limits(
    *,
    max_size: int = Limits.max_file_bytes,
    max_memory: int | None = Limits.max_memory_bytes,
    timeout: float | None = Limits.timeout,
    password: str | None = None,
    ocr: bool = False,
    ocr_languages: str = Limits.ocr_languages,
    changes: str = Limits.changes,
    comments: str = Limits.comments,
    period: tuple[int, int] | None = None,
) -> Limits:
    """The limits and options an ingest reads its files with, as the command gives them: the
    unpacked size of a DOCX follows the largest file accepted, and a ``timeout`` of 0 (or an
    empty ``password``) means none."""
    return Limits(
        password=password or None,
        ocr=ocr,
        ocr_languages=ocr_languages,
        changes=changes,
        comments=comments,
        timeout=timeout or None,
        max_file_bytes=max_size,
        # a zip-bomb guard that follows --max-size: a DOCX may unpack to 2.5 times it
        max_unzipped_bytes=max_size * 5 // 2,
        max_memory_bytes=max_memory,
        period=period,
    )


class NoArchive(ArchiveError):
    code = "no-archive"
    remedy = "ingest letters first (epistula ingest FILE…), or point --archive at an archive"


class NoLetters(ArchiveError):
    code = "no-letters"
    remedy = "ingest letters first (epistula ingest FILE…)"


def _name_same_bytes(report: IngestReport) -> None:
    """Say which file brought the bytes in of a file ``unchanged`` because an earlier file of
    the same batch held the same bytes (the user sees two files, not one already archived)."""
    added: dict[str, str] = {}
    for result in report.results:
        if result.status == "added" and result.id:
            added.setdefault(result.id, result.file)
        elif result.status == "unchanged" and result.id in added:
            result.same_as = added[result.id]


class Archive:
    """An Epistula archive on disk (created on first write)."""

    def __init__(
        self, path: Path = DEFAULT_ARCHIVE, user: str | None = None, message: str | None = None
    ) -> None:
        self.path = Path(path)
        self.store_path = self.path / "store"
        self.index_path = self.path / "index"
        self.tmp_path = self.path / "tmp"
        self._store: StorageRoot | None = None
        #: who every version this archive writes is recorded for (None: EPISTULA_USER, else
        #: the login name), and why (None: a message made from what was done)
        self.user = user
        self.message = message

    @property
    def actor(self) -> Actor:
        """The user and message the next version written is recorded with."""
        return actor_for(self.user, self.message)

    # -- opening ---------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return StorageRoot.declared_at(self.store_path)

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

    def letters(self, create: bool = False) -> LetterStore:
        """The letters in the store (what the services below the API are given)."""
        return LetterStore(self.store(create))

    # -- ingest ----------------------------------------------------------------------------

    def collect(
        self,
        paths: Iterable[Path],
        recursive: bool = False,
        manifest: Path | None = None,
        follow_symlinks: bool = False,
    ) -> Collected:
        """The files :meth:`ingest` would read for ``paths`` (it takes these as they are), and
        what was left out: symbolic links unless ``follow_symlinks`` (and even then those that
        lead out of the folder given), subfolders unless ``recursive``; see
        :mod:`archive.services.collect`."""
        return collect(paths, recursive, manifest, follow_symlinks)

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
        follow_symlinks: bool = False,
    ) -> IngestReport:
        """Ingest every file; a bad file is reported and the batch goes on.

        ``stop`` is asked before each file: once it says so, the batch stops there, and the
        letters done so far are stored and indexed as at a normal end (``interrupted``).

        Metadata the user supplies wins over what was recognised: a CSV ``manifest`` row, then
        a sidecar file beside the letter (``letter.pdf.json``/``.yaml``), then ``fields``
        (``--set``) — see :mod:`archive.services.sidecar`.

        Files are read in ``jobs`` worker processes, each within the time and memory
        ``limits`` allow; see :mod:`archive.services.ingest`.
        """
        files = collect(paths, recursive, manifest, follow_symlinks)
        rows = load_manifest(manifest) if manifest else {}  # a bad one creates no archive
        letters = self.letters(create=True)
        report = ingest(
            letters,
            self.index_path,
            files,
            self._publication(),
            app_version(),
            limits=limits or Limits(),
            progress=progress,
            jobs=jobs,
            fields=fields,
            manifest=manifest,
            rows=rows,
            stop=stop,
            actor=self.actor,
        )
        _name_same_bytes(report)
        return report

    def ingest_with_password(
        self, report: IngestReport, password: str, limits: Limits, **options: Any
    ) -> None:
        """Ingest the files of ``report`` that failed for want of a password again, with
        ``password``; their new results replace the first ones in ``report``. ``options``
        are those :meth:`ingest` takes."""
        locked = Files(Path(r.file) for r in report.needing_password())
        report.merge(self.ingest(locked, limits=replace(limits, password=password), **options))
        _name_same_bytes(report)

    def ocr_languages(self, lang: str | None = None) -> str:
        """Tesseract's codes for ``lang`` (``en``, ``de+fr``…; default: the archive's
        language, else English); ``ValueError`` names a code Tesseract does not know."""
        if lang is None:
            try:
                lang = self.settings.language
            except ArchiveError:  # unreadable settings: the ingest reports them itself
                lang = "en"
        return tesseract_languages(lang)

    def _publication(self) -> Publication:
        return _publication_of(self.settings)

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> list[str]:
        return self.letters().ids()

    def tei_bytes(self, object_id: str, version: str | None = None) -> bytes:
        return self.letters().tei_bytes(object_id, self._version(object_id, version))

    def tei(self, object_id: str) -> etree._Element:
        return self.letters().tei(object_id)

    def dc_bytes(self, object_id: str, version: str | None = None) -> bytes:
        return self.letters().dc_bytes(object_id, self._version(object_id, version))

    def text(self, object_id: str, version: str | None = None) -> str:
        return self.letters().text(object_id, self._version(object_id, version))

    def card(self, object_id: str, version: str | None = None) -> Card:
        return self.letters().card(object_id, self._version(object_id, version))

    def cards(self, withdrawn: bool = False) -> Iterator[Card]:
        """The letters' cards; those withdrawn from publication only if ``withdrawn``."""
        return (card for card in self.letters().cards() if withdrawn or not card.withdrawn)

    def _version(self, object_id: str, version: str | None) -> str | None:
        """``version`` (``3`` or ``v3``) checked against the letter's versions."""
        if version is None:
            return None
        letters = self.letters()
        if not letters.has(object_id):
            raise ObjectNotFound(object_id)
        return version_name(letters, object_id, version)

    # -- lifecycle: history, revert, withdraw, purge ---------------------------------------

    def history(self, object_id: str) -> list[VersionEntry]:
        """The letter's versions, oldest first: when, by whom and why each was written."""
        letters = self.letters()
        if not letters.has(object_id):
            raise ObjectNotFound(object_id)
        return history(letters, object_id)

    def revert(self, object_id: str, to: str) -> RevertResult:
        """A new version of the letter equal to version ``to`` (``3`` or ``v3``), indexed."""
        letters = self.letters()
        if not letters.has(object_id):
            raise ObjectNotFound(object_id)
        return revert(letters, self.index_path, object_id, to, self.actor)

    def withdraw(self, object_id: str, reason: str) -> WithdrawResult:
        """Withdraw the letter from publication (a new version; ``revert`` undoes it)."""
        letters = self.letters()
        if not letters.has(object_id):
            raise ObjectNotFound(object_id)
        return withdraw(letters, self.index_path, object_id, reason, self.actor)

    def purge(self, object_id: str, reason: str) -> PurgeRecord:
        """Delete the letter, every version, from store and index; the purge is logged."""
        letters = self.letters()
        if not letters.has(object_id):
            raise ObjectNotFound(object_id)
        return purge(letters, self.index_path, self.purge_log, object_id, reason, self.actor)

    @property
    def purge_log(self) -> Path:
        return self.path / PURGE_LOG

    def purged(self) -> list[PurgeRecord]:
        """Every purge of this archive, oldest first (id, date, user, reason)."""
        return purged(self.purge_log)

    def deleted_records(self) -> list[DeletedRecord]:
        """Read-only: the letters no longer published, sorted by id, each with its datestamp
        (UTC, whole seconds) — withdrawn ones (still in the archive, dated by the version that
        withdrew them) and purged ones (dated by the purge). What OAI-PMH reports as deleted
        records (``deletedRecord`` persistent)."""
        return deleted_records(self.letters(), self.purge_log)

    def reread(
        self,
        ids: Iterable[str] = (),
        limits: Limits | None = None,
        jobs: int = 1,
        progress: Callable[[str], None] | None = None,
    ) -> RereadReport:
        """Run recognition again on the stored originals of ``ids`` (every letter when none
        is named), keeping every value the user supplied; a letter whose reading changed is
        updated as a new version, and the index follows. Ids never change."""
        letters = self.letters()
        wanted = list(dict.fromkeys(ids)) or letters.ids()
        for object_id in wanted:
            if not letters.has(object_id):
                raise ObjectNotFound(object_id)
        reading = Reading(self._publication(), app_version(), self.actor)
        return reread(letters, self.index_path, wanted, limits or Limits(), reading, jobs, progress)

    # -- settings --------------------------------------------------------------------------

    def init(self, values: Mapping[str, str] | None = None) -> Settings:
        """Create the archive with these settings (the rest default); an existing archive is
        refused (``settings`` changes one)."""
        if self.exists:
            raise AlreadyAnArchive(str(self.path), "is already an Epistula archive")
        if self.path.exists() and not self.path.is_dir():
            raise NoArchive(str(self.path), "is a file, not a folder", "choose another path")
        settings = changed_settings(Settings(), dict(values or {}))
        self.path.mkdir(parents=True, exist_ok=True)
        write_settings(self.path, settings)
        self.store(create=True)
        return settings

    def change_settings(self, values: Mapping[str, str]) -> SettingsChange:
        """Change settings (name → value) and bring every stored header along: a letter
        whose header differs from the new settings gets a new version (``settings: …``)."""
        letters = self.letters()  # a missing archive is refused before anything is written
        before = self.settings
        after = changed_settings(before, dict(values))
        if after != before:
            write_settings(self.path, after)
        updates = follow_settings(letters, self.index_path, _publication_of(after), self.actor)
        names = [name for name in values if getattr(before, name) != getattr(after, name)]
        return SettingsChange(after, names, updates)

    def original_path(self, object_id: str) -> Path:
        return self.letters().original_path(object_id)

    # -- editing ---------------------------------------------------------------------------

    def edit(self, object_id: str, fields: Mapping[str, Value]) -> EditResult:
        """Apply the user's ``fields`` to a letter: a new version of its object, indexed."""
        return edit_letter(self.letters(), self.index_path, object_id, fields, self.actor)

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

    def similar(self, object_id: str, limit: int = 10) -> query.SearchResults:
        """The letters most like ``object_id``: the same telling words and correspondents."""
        from search import query  # (only searches need the query parser)

        letters = self.letters()  # a missing archive is reported as such
        if letters.has(object_id) and letters.withdrawn(object_id):
            raise AlreadyWithdrawn(
                object_id, "is withdrawn from publication, so it is in no search"
            )
        return query.similar(self.index_path, object_id, limit)

    def reindex(self, on_wait: Callable[[], None] | None = None) -> int:
        """Rebuild the index from the TEI in the store; returns the number of letters."""
        return reindex(self.letters(), self.index_path, on_wait=on_wait)

    def verify(self, fix: bool = False) -> IndexReport:
        """Letters missing from the index, stale in it or no longer archived (``fix``: mend)."""
        return verify_index(self.letters(), self.index_path, fix=fix)

    # -- export ----------------------------------------------------------------------------

    def select(self, ids: Iterable[str] = (), query: str | None = None) -> list[str]:
        """The ids to export, sorted: those named, those matching ``query``, or every letter."""
        letters = self.letters()
        wanted = list(ids)
        if wanted and query:
            raise ValueError("give letter ids or a query, not both")
        if query:
            hits = self.search(query, limit=None).hits
            chosen = sorted({hit.id for hit in hits if letters.has(hit.id)})
            if not chosen:
                raise NoLettersSelected(f"query {query!r}", "matches no letters")
            return chosen
        for object_id in wanted:
            if not letters.has(object_id):
                raise ObjectNotFound(object_id)
            if letters.withdrawn(object_id):
                raise NoLettersSelected(
                    object_id, "is withdrawn", "see 'epistula history'; revert it to publish it"
                )
        if wanted:
            return sorted(set(wanted))
        # letters withdrawn from publication leave every export
        chosen = [i for i in letters.ids() if not letters.withdrawn(i)]
        if not chosen:
            raise NoLettersSelected(str(self.path), "holds no letters", "ingest letters first")
        return chosen

    def export(
        self,
        fmt: str,
        target: Path,
        *,
        ids: Iterable[str] = (),
        query: str | None = None,
        **options: Any,
    ) -> ExportResult:
        """Export the letters (all, or ``ids=``, or ``query=``) in format ``fmt`` into ``target``.

        See :func:`archive.exports.export` for the options.
        """
        check_format(fmt)
        chosen = self.select(ids, query)
        return export(self.letters(), self.settings, self.path, fmt, target, chosen, **options)

    # -- validation ------------------------------------------------------------------------

    def validate(
        self, ids: Iterable[str] | None = None, schema: Path | None = None
    ) -> list[ValidationProblem]:
        """Every problem found: OCFL fixity, TEI against the schema, Dublin Core drift,
        headers that differ from the settings."""
        letters = self.letters()
        wanted = list(ids) if ids else letters.ids()
        problems = validate(letters, wanted, schema)
        present = [i for i in wanted if letters.has(i)]
        return problems + settings_drift(letters, present, self._publication())

    def repair(self) -> RepairReport:
        """Bring letters an interrupted command left half-written back to their last complete
        version, remove its leftovers, and mend the index (``validate --repair``)."""
        return repair(self.letters(), self.index_path)

    # -- serving (read-only: epistula serve) -----------------------------------------------

    @property
    def repository_id(self) -> str:
        """The archive's OAI-PMH repository identifier (setting ``repository_id``)."""
        return repository_identifier(self.settings)

    @property
    def admin_email(self) -> str:
        """The contact harvesters are given (setting ``admin_email``)."""
        return admin_email(self.settings)

    def head_version(self, object_id: str) -> LetterVersion:
        """The letter's latest version: its name and when it was written (UTC, whole
        seconds), from the object's inventory; OAI-PMH's datestamp."""
        inventory = self.store().inventory(object_id)
        head = inventory["head"]
        created = datetime.fromisoformat(inventory["versions"][head]["created"])
        return LetterVersion(head, created.astimezone(UTC).replace(microsecond=0))

    def revision(self) -> tuple[int, int]:
        """A value that changes whenever letters are added, edited or indexed: the store's and
        the index's modification times (a new object changes the store's; an edit writes
        inside its object, but indexes it after). A reader that keeps what it read compares
        this instead of rereading every letter."""
        return _mtime_ns(self.store_path), _mtime_ns(self.index_path)

    def cmif_bytes(self, url: str | None = None) -> bytes:
        """The archive's CMIF file as the ``cmif`` export writes it (``url``: where it is
        published), made in a temporary folder outside the archive."""
        with tempfile.TemporaryDirectory(prefix="epistula-cmif-") as folder:
            target = Path(folder) / "cmif"
            self.export("cmif", target, url=url)
            return (target / CMIF_FILENAME).read_bytes()


class AlreadyAnArchive(ArchiveError):
    code = "already-an-archive"
    remedy = "change its settings with 'epistula settings --set KEY=VALUE'"


@dataclass(frozen=True)
class SettingsChange:
    """What ``settings --set`` did: the settings now, the names changed, the letters updated."""

    settings: Settings
    changed: list[str]
    updated: list[HeaderUpdate]

    def to_json(self) -> dict[str, object]:
        return {
            "settings": asdict(self.settings),
            "changed": self.changed,
            "updated": [u.to_json() for u in self.updated],
        }


def _publication_of(settings: Settings) -> Publication:
    return Publication(settings.publisher, settings.licence, settings.licence_url)


@dataclass(frozen=True)
class LetterVersion:
    """A letter's version: its name (``v2``) and when it was written, in UTC."""

    name: str
    created: datetime


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0
