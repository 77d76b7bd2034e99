"""An OCFL 1.1 storage root on the local filesystem (https://ocfl.io/1.1/spec/).

The storage root holds one object per letter, laid out with extension 0002 (flat direct: the
object id is the object root's directory name). Each object has an inventory whose manifest
maps sha512 digests to content paths (``v1/content/tei.xml``) and whose versions each carry a
state mapping digests to logical paths (``tei.xml``). A new version stores only content whose
digest is not yet in the manifest (forward-delta deduplication); fixity keeps each content
file's sha256 as well.

Writes are all-or-nothing, one writer at a time (a lock file in the storage root):

1. A staging directory is made under ``staging_dir``, which is outside the storage root but on
   the same filesystem. Content files are copied into it while being digested (one read of each
   source, so what is digested is what is stored), then the version's ``inventory.json`` and
   its sidecar. Every file and directory is fsynced.
2. A new object is moved into place with one ``os.rename`` of its staged object root.
3. A new version ``vN`` of an existing object is renamed into the object root, and then the
   root ``inventory.json`` is replaced (``os.replace``): that is the commit point. The root
   sidecar is replaced right after it.

New objects can also be written in a batch (:meth:`StorageRoot.batch`), as ``ingest`` does:
each is staged whole, as the object root it will become, without an fsync of its own — by
:meth:`StorageRoot.write_version`, or in another process by a :class:`Stager` (ingest's
workers stage the letters they read) and then adopted (:meth:`StorageRoot.adopt`) — and
:meth:`StorageRoot.commit_batch` makes all staged files durable with one filesystem sync
(``syncfs``; every file and directory is fsynced where that is missing) before it renames the
objects into place under the lock. An object still appears whole or not at all; a crash loses
only letters not yet committed, and a batch costs one sync instead of thirteen fsyncs per
letter.

If anything fails the staging directory is removed, and a ``vN`` directory that the root
inventory does not list is removed again, so the object stays at its previous version. A crash
can leave two traces, both repaired under the lock before the next write (or by
:meth:`StorageRoot.recover`): an unlisted ``vN`` directory, and a stale root sidecar when the
crash fell between the two replaces. Readers use the root inventory alone, so neither trace
changes what they see.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from archive.errors import (
    AlreadyStored,
    ArchiveError,
    BatchWriteFailed,
    InvalidIdentifier,
    InvalidLogicalPath,
    LogicalPathNotFound,
    NotAStorageRoot,
    ObjectNotFound,
    StoreCorrupt,
    StoreLocked,
    UnreadableContent,
    VersionConflict,
    VersionNotFound,
    WriteFailed,
)
from archive.store.constants import (
    CONTENT_DIRECTORY,
    DIGEST_ALGORITHM,
    EXTENSIONS_DIRECTORY,
    FIXITY_ALGORITHM,
    INVENTORY_FILENAME,
    INVENTORY_SIDECAR,
    INVENTORY_TYPE,
    LAYOUT,
    LAYOUT_FILENAME,
    LOCK_FILENAME,
    OBJECT_ID_PATTERN,
    OBJECT_NAMASTE,
    OBJECT_NAMASTE_CONTENT,
    RESERVED_OBJECT_IDS,
    SPEC_VERSION,
    STORAGE_ROOT_NAMASTE,
    STORAGE_ROOT_NAMASTE_CONTENT,
    VERSION_PATTERN,
)

CHUNK_BYTES = 1 << 20
"""Read size when copying and digesting content files."""

NO_VERSION = "v0"
"""``based_on`` for a write that must make a new object (and never a version of another's)."""

INTENT_FILENAME = "writing"
"""In a version's stage: the id of the stored object it is being committed to, so that the
next writer (or :meth:`StorageRoot.recover`) repairs that object if the writer died."""

SIDECAR_PATTERN = re.compile(r"([0-9a-fA-F]+)[ \t]+inventory\.json[ \t]*\n?")
"""Sidecar content: ``<hexdigest> inventory.json``."""

PROBLEMS: dict[str, str] = {
    # Codes are OCFL's (as ocfl-py's data/validation-errors.json refines them) where the rule
    # is OCFL's, ours otherwise. Warnings start with W.
    "E001a": "unexpected file in the object root",
    "E001b": "unexpected directory in the object root",
    "E003a": "the object declaration {name} is missing",
    "E007": "the object declaration does not contain {expected!r}",
    "E015": "unexpected file in version directory {version}",
    "E023a": "content file is not listed in the inventory manifest",
    "E024": "empty directory in the content of version {version}",
    "E025a": "digestAlgorithm is {found!r}; Epistula writes and checks only sha512",
    "E033": "the inventory is not valid JSON ({reason})",
    "E036": "the inventory lacks a valid {key!r}",
    "E040": "head is {found!r} but the last version is {expected!r}",
    "E046a": "version {version} is in the inventory but its directory is missing",
    "E046b": "version directory {version} is not in the inventory (left by an interrupted "
    "write: 'epistula validate --repair' removes it)",
    "E050a": "the state of {version} uses digests missing from the manifest: {digests}",
    "E058a": "the inventory sidecar {name} is missing",
    "E060": "the sidecar records sha512 {recorded}, the inventory's is {actual} (after an "
    "interrupted write, 'epistula validate --repair' completes it)",
    "E061": "the sidecar is not of the form '<sha512> inventory.json'",
    "E063": "the object root inventory is missing",
    "E064": "the root inventory differs from its copy in the head version {version}",
    "E069a": "the storage root declaration {name} is missing",
    "E069e": "the storage root declaration does not contain {expected!r}",
    "E072": "directory in the storage root is not an OCFL object (no {name})",
    "E073": "empty directory in the storage root",
    "E092a": "content file's sha512 is {actual}, the manifest says {expected}",
    "E092b": "content file in the manifest is missing",
    "E093a": "content file's sha256 is {actual}, the fixity block says {expected}",
    "E099": "content path {content_path!r} is not inside a version's content directory",
    "W002": "unexpected directory in version directory {version}",
    "W010": "version {version} has no copy of the inventory",
    "id-mismatch": "inventory id is {found!r}, but the 0002 layout needs {expected!r}",
}
"""Every validation message, by code (one table, formatted with each problem's facts)."""


@dataclass(frozen=True)
class Problem:
    """One validation finding: the path it concerns, a stable code and a message."""

    path: Path
    code: str
    message: str

    @property
    def is_warning(self) -> bool:
        """True for OCFL SHOULD rules (codes ``Wnnn``); everything else is an error."""
        return re.fullmatch(r"W\d{3}[a-z]?", self.code) is not None

    @property
    def spec_url(self) -> str | None:
        """The rule in the OCFL 1.1 specification, for OCFL codes."""
        match = re.match(r"[EW]\d{3}", self.code)
        return f"https://ocfl.io/{SPEC_VERSION}/spec/#{match.group(0)}" if match else None

    def __str__(self) -> str:
        return f"{self.path}: [{self.code}] {self.message}"


@dataclass(frozen=True)
class Head:
    """An object's head version as readers need it, from one read of its inventory."""

    version: str
    #: logical path → the content file on disk that holds it
    files: dict[str, Path]
    #: logical path → its sha512, as the inventory lists it
    digests: dict[str, str]


def problem(path: Path, code: str, **facts: object) -> Problem:
    """A :class:`Problem` whose message comes from :data:`PROBLEMS`."""
    return Problem(path, code, PROBLEMS[code].format(**facts))


@dataclass
class _Batch:
    """New objects staged (not yet in the storage root), in the order they were written."""

    staged: dict[str, Path] = field(default_factory=dict)  # object id → its stage directory
    since: float = 0.0  # when the oldest staged object was written (time.monotonic)


@dataclass(frozen=True)
class StagedObject:
    """A new object staged whole outside the storage root, waiting to be adopted by a batch."""

    object_id: str
    stage: Path  # the object root, as it will be renamed into the storage root
    version: str

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


@dataclass(frozen=True)
class Stager:
    """Stages new objects for a storage root's batch, in any process (it is picklable).

    Ingest's worker processes stage each letter they prepared; the process holding the batch
    adopts the stages (:meth:`StorageRoot.adopt`) and commits them. Stages carry the batch
    process's id in their name, so other writers leave them alone while it runs.
    """

    staging_dir: Path
    prefix: str

    def stage(
        self,
        object_id: str,
        files: Mapping[str, bytes | Path],
        message: str,
        user_name: str = "Epistula",
        user_address: str | None = None,
        created: datetime | None = None,
    ) -> StagedObject:
        """Stage ``files`` as version ``v1`` of a new object (nothing fsynced: the batch's
        commit syncs it)."""
        logical_paths, version_block = _version_inputs(
            object_id, files, message, user_name, user_address, created
        )
        stage = _make_stage(self.staging_dir, self.prefix)
        try:  # the stage is the object root, renamed into the storage root as it is
            staged = _stage_version(
                stage, object_id, files, logical_paths, version_block, None, sync=False
            )
        except BaseException as exc:
            shutil.rmtree(stage, ignore_errors=True)
            if isinstance(exc, OSError):
                raise WriteFailed(object_id, f"{type(exc).__name__}: {exc}") from exc
            raise
        assert staged is not None
        return StagedObject(object_id, stage, staged.version)


class StorageRoot:
    """An OCFL storage root: objects, their versions, and the content they hold."""

    def __init__(
        self, path: Path, staging_dir: Path | None = None, *, lock_timeout: float = 10.0
    ) -> None:
        """Open an existing storage root (see :meth:`init` to create one)."""
        self.path = Path(path)
        self.staging_dir = (
            Path(staging_dir) if staging_dir is not None else self.path.absolute().parent / "tmp"
        )
        self.lock_timeout = lock_timeout
        self._batch: _Batch | None = None
        #: the objects the last :meth:`commit_batch` found stored by another writer meanwhile
        self.stored_meanwhile: list[str] = []
        declaration = self.path / STORAGE_ROOT_NAMASTE
        if not declaration.is_file():
            raise NotAStorageRoot(self.path, f"has no OCFL declaration {STORAGE_ROOT_NAMASTE}")
        try:
            layout = json.loads((self.path / LAYOUT_FILENAME).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NotAStorageRoot(self.path, f"has no readable {LAYOUT_FILENAME} ({exc})") from exc
        if not isinstance(layout, dict) or layout.get("extension") != LAYOUT["extension"]:
            raise NotAStorageRoot(
                self.path, f"does not use the layout {LAYOUT['extension']} Epistula writes"
            )
        staging = self.staging_dir.absolute()
        if staging == self.path.absolute() or staging.is_relative_to(self.path.absolute()):
            raise NotAStorageRoot(self.path, "has the staging directory inside it")

    @staticmethod
    def declared_at(path: Path) -> bool:
        """Whether ``path`` holds a storage root's declaration (``0=ocfl_1.1``)."""
        return (Path(path) / STORAGE_ROOT_NAMASTE).is_file()

    @classmethod
    def init(
        cls, path: Path, staging_dir: Path | None = None, *, lock_timeout: float = 10.0
    ) -> StorageRoot:
        """Create the storage root at ``path`` if it is missing, then open it (idempotent)."""
        path = Path(path)
        if not (path / STORAGE_ROOT_NAMASTE).exists():
            if path.exists() and not path.is_dir():
                raise NotAStorageRoot(path, "is a file, not a directory")
            if path.is_dir():
                others = {p.name for p in path.iterdir()} - {LAYOUT_FILENAME, LOCK_FILENAME}
                if others:
                    raise NotAStorageRoot(
                        path, f"is a directory with other files in it ({', '.join(sorted(others))})"
                    )
            staging = staging_dir if staging_dir is not None else path.absolute().parent / "tmp"
            path.mkdir(parents=True, exist_ok=True)
            staging.mkdir(parents=True, exist_ok=True)
            temp = f"{_stage_prefix(path)}{os.getpid()}-"  # (what a crash leaves is purged)
            # The declaration goes last: a directory without it is not yet a storage root.
            _write_atomically(path / LAYOUT_FILENAME, _json_bytes(LAYOUT), staging, temp)
            _write_atomically(
                path / STORAGE_ROOT_NAMASTE, STORAGE_ROOT_NAMASTE_CONTENT.encode(), staging, temp
            )
            _fsync_dir(path)
        return cls(path, staging_dir, lock_timeout=lock_timeout)

    def __repr__(self) -> str:
        return f"StorageRoot({str(self.path)!r})"

    # -- reading -------------------------------------------------------------------------------

    def object_ids(self) -> list[str]:
        """The ids of all objects in the storage root, sorted."""
        return sorted(
            entry.name
            for entry in self.path.iterdir()
            if entry.is_dir() and (entry / OBJECT_NAMASTE).is_file()
        )

    def has(self, object_id: str) -> bool:
        """Whether the storage root holds an object with this id (or a batch has staged it)."""
        if self._batch is not None and object_id in self._batch.staged:
            return True
        return self._stored(object_id)

    def _stored(self, object_id: str) -> bool:
        """Whether the object is in the storage root itself (not merely staged)."""
        return (self._object_root(object_id) / OBJECT_NAMASTE).is_file()

    def inventory(self, object_id: str) -> dict[str, Any]:
        """The object's root inventory, parsed (the committed state of the object)."""
        if not self._stored(object_id):
            raise ObjectNotFound(object_id)
        path = self._object_root(object_id) / INVENTORY_FILENAME
        try:
            inventory = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise StoreCorrupt(path, [PROBLEMS["E063"]]) from None
        except ValueError as exc:
            raise StoreCorrupt(path, [PROBLEMS["E033"].format(reason=exc)]) from exc
        faults = _inventory_shape_faults(inventory)
        if faults:
            raise StoreCorrupt(path, faults)
        return inventory

    def head(self, object_id: str) -> str:
        """The object's head (latest) version name, e.g. ``"v2"``."""
        return self.inventory(object_id)["head"]

    def head_state(self, object_id: str) -> Head:
        """The head version's files and digests by logical path, from one inventory read.

        Exports and the index call this once per letter, so it trusts the inventory's
        content paths (``validate`` checks them) rather than checking each as :meth:`path_of`
        does.
        """
        inventory = self.inventory(object_id)
        head = inventory["head"]
        object_root = self._object_root(object_id)
        files: dict[str, Path] = {}
        digests: dict[str, str] = {}
        for digest, logicals in inventory["versions"][head]["state"].items():
            content = object_root / inventory["manifest"][digest][0]
            for logical in logicals:
                files[logical] = content
                digests[logical] = digest
        return Head(head, files, digests)

    def versions(self, object_id: str) -> list[str]:
        """The object's version names, oldest first."""
        return sorted(self.inventory(object_id)["versions"], key=_version_number)

    def logical_paths(self, object_id: str, version: str | None = None) -> list[str]:
        """The logical paths in a version's state (the head by default), sorted."""
        inventory = self.inventory(object_id)
        state = _state(inventory, object_id, version)
        return sorted(path for paths in state.values() for path in paths)

    def path_of(self, object_id: str, logical_path: str, version: str | None = None) -> Path:
        """The content file on disk that holds ``logical_path`` in a version (head by default)."""
        inventory = self.inventory(object_id)
        version = version or inventory["head"]
        state = _state(inventory, object_id, version)
        for digest, paths in state.items():
            if logical_path in paths:
                content_paths = inventory["manifest"].get(digest) or []
                if not content_paths:
                    raise StoreCorrupt(
                        self._object_root(object_id) / INVENTORY_FILENAME,
                        [PROBLEMS["E050a"].format(version=version, digests=digest)],
                    )
                return self._content_file(object_id, inventory, content_paths[0])
        raise LogicalPathNotFound(object_id, logical_path, version)

    def read(self, object_id: str, logical_path: str, version: str | None = None) -> bytes:
        """The bytes of ``logical_path`` in a version of the object (the head by default)."""
        path = self.path_of(object_id, logical_path, version)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StoreCorrupt(path, [PROBLEMS["E092b"]]) from None

    # -- writing -------------------------------------------------------------------------------

    def write_version(
        self,
        object_id: str,
        files: Mapping[str, bytes | Path],
        message: str,
        user_name: str = "Epistula",
        user_address: str | None = None,
        created: datetime | None = None,
        based_on: str | None = None,
    ) -> str:
        """Write the object's whole new state as its next version; return the version name.

        ``files`` maps each logical path to its bytes or to a file to copy. The first call makes
        ``v1``; later ones ``v2``, ``v3``… storing only content not already in the manifest. If
        the state equals the head's, nothing is written and the head's name is returned.

        ``based_on`` is the head version the new state was made from (:data:`NO_VERSION` for
        a new object): if another writer has moved the head since, nothing is written and
        :class:`VersionConflict` (:class:`AlreadyStored` for a new object) is raised, so a
        read-modify-write never loses another's update.
        """
        if self._batch is not None and object_id in self._batch.staged:
            raise WriteFailed(object_id, "it is already staged in this batch; commit it first")
        if self._batch is not None and not self.has(object_id) and based_on in (None, NO_VERSION):
            staged = self.stager().stage(
                object_id, files, message, user_name, user_address, created
            )
            self.adopt(staged)
            return staged.version
        logical_paths, version_block = _version_inputs(
            object_id, files, message, user_name, user_address, created
        )
        with self._write_lock():
            stage: Path | None = None
            try:
                self._purge_stages()
                self._recover(object_id)
                previous = self.inventory(object_id) if self.has(object_id) else None
                _check_based_on(object_id, previous, based_on)
                stage = self._new_stage()
                if previous is not None:  # the object root is about to change
                    _write_file(stage / INTENT_FILENAME, object_id.encode())
                return self._write_staged(
                    object_id, files, logical_paths, version_block, previous, stage
                )
            except OSError as exc:
                raise WriteFailed(object_id, f"{type(exc).__name__}: {exc}") from exc
            finally:
                if stage is not None:
                    shutil.rmtree(stage, ignore_errors=True)

    def remove(self, object_id: str, then: Callable[[], None] | None = None) -> None:
        """Delete the object, every version of it, for good (a legal takedown).

        The object root leaves the storage root in one rename (into a stage, so a crash
        leaves it whole or gone, and the next write purges what is left); ``then`` runs
        before the stage is deleted — if it raises, the object is renamed back.
        """
        with self._write_lock():
            self._purge_stages()
            self._recover(object_id)
            if not self._stored(object_id):
                raise ObjectNotFound(object_id)
            stage = self._new_stage()
            try:
                os.rename(self._object_root(object_id), stage / "object")
                _fsync_dir(self.path)
                if then is not None:
                    try:
                        then()
                    except BaseException:
                        os.rename(stage / "object", self._object_root(object_id))
                        _fsync_dir(self.path)
                        raise
            except OSError as exc:
                raise WriteFailed(object_id, f"{type(exc).__name__}: {exc}") from exc
            finally:
                shutil.rmtree(stage, ignore_errors=True)

    @contextlib.contextmanager
    def batch(self) -> Iterator[StorageRoot]:
        """Write new objects in a batch: staged by :meth:`write_version`, committed together.

        Call :meth:`commit_batch` whenever the staged objects should become part of the
        storage root; leaving the block commits what is left, or, when it is left by an
        exception, discards it. Versions of objects already stored are written at once.
        """
        if self._batch is not None:
            raise RuntimeError("a batch is already open on this storage root")
        self._check_same_filesystem()
        # what a dead writer left goes before anything is staged (unless another writer holds
        # the lock: this batch does not wait for it until its commit)
        with contextlib.suppress(StoreLocked), self._write_lock(wait=False):
            self._purge_stages()
        self._batch = _Batch()
        try:
            yield self
            self.commit_batch()
        finally:
            batch, self._batch = self._batch, None
            for stage in batch.staged.values():
                shutil.rmtree(stage, ignore_errors=True)

    @property
    def staged(self) -> int:
        """How many objects the open batch has staged and not yet committed."""
        return len(self._batch.staged) if self._batch is not None else 0

    @property
    def staged_for(self) -> float:
        """Seconds since the oldest uncommitted object of the batch was staged (0 if none)."""
        if self._batch is None or not self._batch.staged:
            return 0.0
        return time.monotonic() - self._batch.since

    def stager(self) -> Stager:
        """What stages new objects for this storage root's open batch, in any process."""
        return Stager(self.staging_dir, f"{self._stage_prefix}{os.getpid()}-")

    def discard_own_stages(self) -> list[Path]:
        """Remove the stages this process's stagers left: objects staged (here or in its
        worker processes) that no batch adopted, as when a batch stops early. Call it once
        those workers have ended: a stage still being written would be cut short."""
        leftovers = sorted(self.staging_dir.glob(f"{self._stage_prefix}{os.getpid()}-*"))
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)
        return leftovers

    def adopt(self, staged: StagedObject) -> None:
        """Take a new object staged by :meth:`stager` (here or in a worker process) into the
        open batch, to be committed with it; a refused object's stage is removed."""
        try:
            if self._batch is None:
                raise RuntimeError("objects are adopted into an open batch only")
            if staged.stage.parent != self.staging_dir:  # (a stager names it by this path)
                raise WriteFailed(staged.object_id, "it was staged for another storage root")
            if staged.object_id in self._batch.staged:
                raise WriteFailed(staged.object_id, "it is already staged in this batch")
            if self._stored(staged.object_id):
                raise AlreadyStored(staged.object_id, self.head(staged.object_id))
        except BaseException:
            staged.discard()
            raise
        if not self._batch.staged:
            self._batch.since = time.monotonic()
        self._batch.staged[staged.object_id] = staged.stage

    def commit_batch(self) -> list[str]:
        """Make the staged objects durable and move them into place; return their ids.

        An object another writer stored meanwhile is not committed (its stage is removed) and
        is listed in :attr:`stored_meanwhile` until the next commit; the others are committed
        all the same. Raises :class:`BatchWriteFailed` naming the objects that could not be
        committed (the others are committed whole).
        """
        self.stored_meanwhile = []
        if self._batch is None or not self._batch.staged:
            return []
        staged, self._batch.staged = self._batch.staged, {}
        committed: list[str] = []
        try:
            _sync_filesystem(self.staging_dir, list(staged.values()))
            with self._write_lock():
                for object_id, stage in staged.items():
                    if self._stored(object_id):  # (the same bytes, since ids name their digest)
                        self.stored_meanwhile.append(object_id)
                        shutil.rmtree(stage, ignore_errors=True)
                        continue
                    os.rename(stage, self.path / object_id)
                    committed.append(object_id)
                _fsync_dir(self.path)
        except (OSError, ArchiveError) as exc:
            done = {*committed, *self.stored_meanwhile}
            lost = [object_id for object_id in staged if object_id not in done]
            for object_id in lost:
                shutil.rmtree(staged[object_id], ignore_errors=True)
            raise BatchWriteFailed(lost, f"{type(exc).__name__}: {exc}") from exc
        return committed

    def recover(self, object_id: str | None = None) -> list[Path]:
        """Repair what an interrupted write left (one object, or all); return what was fixed.

        Removes version directories the root inventory does not list, stale staging
        directories, and rewrites a root sidecar left stale between the two commit replaces:
        every object comes back to its last complete version. (Every write does this for the
        objects a dead writer was committing to, and for its stages.)
        """
        with self._write_lock():
            ids = [object_id] if object_id is not None else self.object_ids()
            return self._purge_stages() + [fixed for oid in ids for fixed in self._recover(oid)]

    # -- validation ----------------------------------------------------------------------------

    def validate(self, object_id: str | None = None) -> list[Problem]:
        """Check fixity: every problem in one object, or in the whole storage root, sorted.

        Checks each manifest content file's sha512 (and fixity sha256), each inventory against
        its sidecar, the head version's inventory copy, and that content directories hold only
        files the manifest lists. Full OCFL validation is ocfl-py's job; this is the quick check.
        """
        problems: list[Problem] = []
        if object_id is None:
            problems += self._validate_storage_root()
            ids = self.object_ids()
        else:
            if not self.has(object_id):
                raise ObjectNotFound(object_id)
            ids = [object_id]
        for oid in ids:
            problems += self._validate_object(oid)
        return sorted(problems, key=lambda p: (str(p.path), p.code, p.message))

    # -- internals: paths and locking ----------------------------------------------------------

    def _object_root(self, object_id: str) -> Path:
        _check_object_id(object_id)
        return self.path / object_id

    def _content_file(self, object_id: str, inventory: dict[str, Any], content_path: str) -> Path:
        object_root = self._object_root(object_id)
        if not _is_content_path(content_path, inventory):
            raise StoreCorrupt(
                object_root / INVENTORY_FILENAME,
                [PROBLEMS["E099"].format(content_path=content_path)],
            )
        return object_root / content_path

    @property
    def _stage_prefix(self) -> str:
        return _stage_prefix(self.path)

    def _new_stage(self) -> Path:
        # ... and the process writing them, so a batch's stages outlive other writers' purges
        return _make_stage(self.staging_dir, self.stager().prefix)

    @contextlib.contextmanager
    def _write_lock(self, wait: bool = True) -> Iterator[None]:
        self._check_same_filesystem()
        lock_path = self.path / LOCK_FILENAME
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + (self.lock_timeout if wait else 0.0)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreLocked(self.path) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    # -- internals: writing --------------------------------------------------------------------

    def _write_staged(
        self,
        object_id: str,
        files: Mapping[str, bytes | Path],
        logical_paths: list[str],
        version_block: dict[str, Any],
        previous: dict[str, Any] | None,
        stage: Path,
    ) -> str:
        """Stage the version in ``stage``, make it durable and commit it."""
        # Fixed names inside the stage (an object id could be any of them, so none is one).
        object_stage = stage / "object"
        staged = _stage_version(
            object_stage,
            object_id,
            files,
            logical_paths,
            version_block,
            previous,
            sync=True,
            incoming=stage / "incoming",
        )
        if staged is None:  # the same state as the head's
            assert previous is not None
            return previous["head"]
        version, inventory_bytes, sidecar_bytes = staged
        object_root = self.path / object_id
        if previous is None:
            _fsync_tree(object_stage)
            os.rename(object_stage, object_root)  # commit: the object appears whole
            _fsync_dir(self.path)
            return version

        version_stage = object_stage / version
        commit = stage / "commit"
        _fsync_tree(version_stage)
        commit.mkdir()
        _write_file(commit / INVENTORY_FILENAME, inventory_bytes)
        _write_file(commit / INVENTORY_SIDECAR, sidecar_bytes)
        try:
            os.rename(version_stage, object_root / version)
            _fsync_dir(object_root)
            os.replace(commit / INVENTORY_FILENAME, object_root / INVENTORY_FILENAME)  # commit
            os.replace(commit / INVENTORY_SIDECAR, object_root / INVENTORY_SIDECAR)
            _fsync_dir(object_root)
        except BaseException:
            # Undo what the root inventory does not list; finish the sidecar if it does.
            with contextlib.suppress(Exception):
                self._recover(object_id)
            raise
        return version

    def _check_same_filesystem(self) -> None:
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        if os.stat(self.staging_dir).st_dev != os.stat(self.path).st_dev:
            raise ArchiveError(
                str(self.staging_dir),
                "is on another filesystem than the storage root, so renames cannot be atomic",
                "choose a staging directory next to the storage root",
            )

    def _purge_stages(self) -> list[Path]:
        """Remove staging directories of dead writers (the caller holds the write lock),
        first repairing the object a dead writer was committing a version to.

        A live process's stages are kept: they may be a batch waiting for its commit.
        """
        leftovers = sorted(
            stage
            for stage in self.staging_dir.glob(self._stage_prefix + "*")
            if not _writer_alive(stage.name[len(self._stage_prefix) :])
        )
        fixed: list[Path] = []
        for leftover in leftovers:
            if leftover.is_dir() and not leftover.is_symlink():
                intent = _read_intent(leftover)
                if intent is not None:
                    fixed += self._recover(intent)
                shutil.rmtree(leftover, ignore_errors=True)
            else:  # a temporary file of an atomic replace
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return leftovers + fixed

    def _recover(self, object_id: str) -> list[Path]:
        """Repair interrupted writes of one object (the caller holds the write lock)."""
        fixed: list[Path] = []
        object_root = self._object_root(object_id)
        if not object_root.exists():
            return fixed
        if not self.has(object_id):
            if object_root.is_dir() and not any(object_root.iterdir()):
                object_root.rmdir()
                return [object_root]
            raise StoreCorrupt(object_root, [PROBLEMS["E003a"].format(name=OBJECT_NAMASTE)])
        inventory = self.inventory(object_id)
        for entry in sorted(object_root.iterdir()):
            if (
                entry.is_dir()
                and VERSION_PATTERN.fullmatch(entry.name)
                and entry.name not in inventory["versions"]
            ):
                shutil.rmtree(entry)
                fixed.append(entry)
        if fixed:
            _fsync_dir(object_root)
        # A crash between the two commit replaces leaves the old sidecar: when the root
        # inventory is byte-identical to the head version's verified copy, take its sidecar.
        root_inventory = (object_root / INVENTORY_FILENAME).read_bytes()
        sidecar = object_root / INVENTORY_SIDECAR
        expected = _sidecar(root_inventory)
        if not sidecar.is_file() or sidecar.read_bytes() != expected:
            head_copy = object_root / inventory["head"] / INVENTORY_FILENAME
            head_sidecar = head_copy.with_name(INVENTORY_SIDECAR)
            if (
                head_copy.is_file()
                and head_sidecar.is_file()
                and head_copy.read_bytes() == root_inventory
                and head_sidecar.read_bytes() == expected
            ):
                # (the temporary file is named as a stage, so a crash leaves nothing unpurged)
                _write_atomically(sidecar, expected, self.staging_dir, self.stager().prefix)
                _fsync_dir(object_root)
                fixed.append(sidecar)
        return fixed

    # -- internals: validation -----------------------------------------------------------------

    def _validate_storage_root(self) -> list[Problem]:
        problems: list[Problem] = []
        declaration = self.path / STORAGE_ROOT_NAMASTE
        if not declaration.is_file():
            problems.append(problem(declaration, "E069a", name=STORAGE_ROOT_NAMASTE))
        elif declaration.read_text(encoding="utf-8") != STORAGE_ROOT_NAMASTE_CONTENT:
            problems.append(problem(declaration, "E069e", expected=STORAGE_ROOT_NAMASTE_CONTENT))
        for entry in sorted(self.path.iterdir()):
            if not entry.is_dir() or entry.name == EXTENSIONS_DIRECTORY:
                continue  # other files in the storage root are allowed
            if (entry / OBJECT_NAMASTE).is_file():
                continue
            if any(entry.iterdir()):
                problems.append(problem(entry, "E072", name=OBJECT_NAMASTE))
            else:
                problems.append(problem(entry, "E073"))
        return problems

    def _validate_object(self, object_id: str) -> list[Problem]:
        object_root = self._object_root(object_id)
        problems: list[Problem] = []
        declaration = object_root / OBJECT_NAMASTE
        if declaration.read_text(encoding="utf-8", errors="replace") != OBJECT_NAMASTE_CONTENT:
            problems.append(problem(declaration, "E007", expected=OBJECT_NAMASTE_CONTENT))

        inventory_path = object_root / INVENTORY_FILENAME
        if not inventory_path.is_file():
            return [*problems, problem(inventory_path, "E063")]
        inventory_bytes = inventory_path.read_bytes()
        try:
            inventory = json.loads(inventory_bytes)
        except ValueError as exc:
            return [*problems, problem(inventory_path, "E033", reason=exc)]
        faults = _inventory_shape_keys(inventory)
        if faults:
            return [*problems, *(problem(inventory_path, "E036", key=key) for key in faults)]
        if inventory["digestAlgorithm"] != DIGEST_ALGORITHM:
            return [
                *problems,
                problem(inventory_path, "E025a", found=inventory["digestAlgorithm"]),
            ]
        if inventory["id"] != object_id:
            problems.append(
                problem(inventory_path, "id-mismatch", found=inventory["id"], expected=object_id)
            )
        problems += _check_sidecar(inventory_path, inventory_bytes)
        versions = sorted(inventory["versions"], key=_version_number)
        if inventory["head"] != versions[-1]:
            problems.append(
                problem(inventory_path, "E040", found=inventory["head"], expected=versions[-1])
            )

        allowed_files = {OBJECT_NAMASTE, INVENTORY_FILENAME, INVENTORY_SIDECAR}
        for entry in sorted(object_root.iterdir()):
            if entry.is_dir():
                if entry.name in inventory["versions"] or entry.name == EXTENSIONS_DIRECTORY:
                    continue
                if VERSION_PATTERN.fullmatch(entry.name):
                    problems.append(problem(entry, "E046b", version=entry.name))
                else:
                    problems.append(problem(entry, "E001b"))
            elif entry.name not in allowed_files:
                problems.append(problem(entry, "E001a"))

        on_disk: set[str] = set()
        for version in versions:
            problems += self._validate_version_dir(
                object_root, version, inventory, inventory_bytes, on_disk
            )

        manifest_paths: set[str] = set()
        expected_fixity = {
            path: digest
            for digest, paths in inventory.get("fixity", {}).get(FIXITY_ALGORITHM, {}).items()
            for path in paths
        }
        for digest, content_paths in sorted(inventory["manifest"].items()):
            for content_path in content_paths:
                manifest_paths.add(content_path)
                problems += _check_content_file(
                    object_root, inventory, content_path, digest, expected_fixity
                )
        for content_path in sorted(on_disk - manifest_paths):
            problems.append(problem(object_root / content_path, "E023a"))

        for version in versions:
            state = inventory["versions"][version]["state"]
            missing = sorted(set(state) - set(inventory["manifest"]))
            if missing:
                problems.append(
                    problem(inventory_path, "E050a", version=version, digests=", ".join(missing))
                )
        return problems

    def _validate_version_dir(
        self,
        object_root: Path,
        version: str,
        inventory: dict[str, Any],
        inventory_bytes: bytes,
        on_disk: set[str],
    ) -> list[Problem]:
        """Check one version directory; add the content paths found in it to ``on_disk``."""
        version_dir = object_root / version
        if not version_dir.is_dir():
            return [problem(version_dir, "E046a", version=version)]
        problems: list[Problem] = []
        copy_path = version_dir / INVENTORY_FILENAME
        if copy_path.is_file():
            copy_bytes = copy_path.read_bytes()
            problems += _check_sidecar(copy_path, copy_bytes)
            if version == inventory["head"] and copy_bytes != inventory_bytes:
                problems.append(problem(copy_path, "E064", version=version))
        else:
            problems.append(problem(version_dir, "W010", version=version))
        for entry in sorted(version_dir.iterdir()):
            if entry.is_dir():
                if entry.name != CONTENT_DIRECTORY:
                    problems.append(problem(entry, "W002", version=version))
            elif entry.name not in {INVENTORY_FILENAME, INVENTORY_SIDECAR}:
                problems.append(problem(entry, "E015", version=version))
        content_dir = version_dir / CONTENT_DIRECTORY
        for dirpath, dirnames, filenames in os.walk(content_dir):
            if not dirnames and not filenames:
                problems.append(problem(Path(dirpath), "E024", version=version))
            for name in filenames:
                on_disk.add((Path(dirpath) / name).relative_to(object_root).as_posix())
        return problems


# -- module helpers: names and paths -----------------------------------------------------------


def _check_object_id(object_id: str) -> None:
    if not isinstance(object_id, str) or not OBJECT_ID_PATTERN.fullmatch(object_id):
        raise InvalidIdentifier(object_id)
    if object_id in RESERVED_OBJECT_IDS:
        raise InvalidIdentifier(object_id, "is a name the storage root reserves for itself")


def _check_logical_paths(logical_paths: list[str]) -> None:
    """Logical paths must be '/'-separated, without empty/./.. segments or file/dir clashes."""
    for logical_path in logical_paths:
        if not isinstance(logical_path, str) or not logical_path:
            raise InvalidLogicalPath(str(logical_path), "is empty")
        if "\x00" in logical_path or "\\" in logical_path:
            raise InvalidLogicalPath(logical_path, "contains a NUL or backslash character")
        if any(segment in ("", ".", "..") for segment in logical_path.split("/")):
            raise InvalidLogicalPath(logical_path, "has an empty, '.' or '..' segment")
    as_set = set(logical_paths)
    for logical_path in logical_paths:
        parts = logical_path.split("/")
        for end in range(1, len(parts)):
            directory = "/".join(parts[:end])
            if directory in as_set:
                raise InvalidLogicalPath(
                    directory, f"is both a file and the directory of {logical_path!r}"
                )


def _is_content_path(content_path: str, inventory: dict[str, Any]) -> bool:
    parts = content_path.split("/")
    return (
        len(parts) >= 3
        and parts[0] in inventory["versions"]
        and parts[1] == CONTENT_DIRECTORY
        and all(part not in ("", ".", "..") for part in parts[2:])
    )


def _version_number(version: str) -> int:
    match = VERSION_PATTERN.fullmatch(version)
    if not match:
        raise ValueError(f"not an OCFL version name: {version!r}")
    return int(match.group(1))


def _state(inventory: dict[str, Any], object_id: str, version: str | None) -> dict[str, list[str]]:
    version = version or inventory["head"]
    if version not in inventory["versions"]:
        raise VersionNotFound(object_id, version)
    return inventory["versions"][version]["state"]


def _same_state(state: dict[str, list[str]], version_block: dict[str, Any]) -> bool:
    def normal(s: dict[str, list[str]]) -> dict[str, list[str]]:
        return {digest: sorted(paths) for digest, paths in s.items()}

    return normal(state) == normal(version_block["state"])


def _inventory_shape_keys(inventory: object) -> list[str]:
    """Keys of a root inventory that are missing or of the wrong type (an empty list if fine)."""
    if not isinstance(inventory, dict):
        return ["(a JSON object)"]
    expected: dict[str, type] = {
        "id": str,
        "type": str,
        "digestAlgorithm": str,
        "head": str,
        "manifest": dict,
        "versions": dict,
    }
    faults = [key for key, kind in expected.items() if not isinstance(inventory.get(key), kind)]
    if faults:
        return faults
    versions = inventory["versions"]
    if not versions or not all(VERSION_PATTERN.fullmatch(v) for v in versions):
        return ["versions"]
    if inventory["head"] not in versions:
        return ["head"]
    if not all(
        isinstance(block, dict) and _is_path_map(block.get("state")) for block in versions.values()
    ):
        return ["versions"]
    if not _is_path_map(inventory["manifest"]):
        return ["manifest"]
    return []


def _is_path_map(value: object) -> bool:
    """A manifest or state block: digest → list of path strings."""
    return isinstance(value, dict) and all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in value.values()
    )


def _inventory_shape_faults(inventory: object) -> list[str]:
    return [PROBLEMS["E036"].format(key=key) for key in _inventory_shape_keys(inventory)]


# -- module helpers: inventory values ----------------------------------------------------------


def _rfc3339(moment: datetime) -> str:
    """RFC 3339 date-time with seconds and a zone (``Z`` for UTC), as OCFL requires."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("created must be timezone-aware (e.g. datetime.now(UTC))")
    text = moment.replace(microsecond=0).isoformat()
    return text.removesuffix("+00:00") + "Z" if moment.utcoffset().total_seconds() == 0 else text


def _user(name: str, address: str | None) -> dict[str, str]:
    """The version's user block; a bare e-mail address becomes a ``mailto:`` URI."""
    user = {"name": name}
    if address is not None:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", address):
            user["address"] = address
        elif "@" in address:
            user["address"] = f"mailto:{address}"
        else:
            raise ValueError(f"user_address must be a URI or an e-mail address: {address!r}")
    return user


def _json_bytes(value: object) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _sidecar(inventory_bytes: bytes) -> bytes:
    return f"{hashlib.sha512(inventory_bytes).hexdigest()} {INVENTORY_FILENAME}\n".encode()


# -- module helpers: versions ------------------------------------------------------------------


class _StagedVersion(NamedTuple):
    version: str
    inventory: bytes
    sidecar: bytes


def _version_inputs(
    object_id: str,
    files: Mapping[str, bytes | Path],
    message: str,
    user_name: str,
    user_address: str | None,
    created: datetime | None,
) -> tuple[list[str], dict[str, Any]]:
    """The checked, sorted logical paths of a new version and its version block."""
    _check_object_id(object_id)
    if not files:
        raise ValueError("an object version needs at least one file")
    for logical_path, value in files.items():
        if not isinstance(value, bytes | Path):
            raise TypeError(f"{logical_path!r}: give bytes or a Path, not {type(value)}")
    logical_paths = sorted(files)
    _check_logical_paths(logical_paths)
    version_block = {
        "created": _rfc3339(created if created is not None else datetime.now(UTC)),
        "message": message,
        "user": _user(user_name, user_address),
    }
    return logical_paths, version_block


def _stage_version(
    object_stage: Path,
    object_id: str,
    files: Mapping[str, bytes | Path],
    logical_paths: list[str],
    version_block: dict[str, Any],
    previous: dict[str, Any] | None,
    sync: bool,
    incoming: Path | None = None,
) -> _StagedVersion | None:
    """Write the next version into ``object_stage``: for a new object, the whole object root;
    for a stored one (``previous``), the version directory, content first written to
    ``incoming`` so content already stored leaves no trace. None when the state equals the
    head's. Files are fsynced only if ``sync``."""
    version = "v1" if previous is None else f"v{_version_number(previous['head']) + 1}"
    version_stage = object_stage / version
    version_stage.mkdir(parents=True)
    manifest: dict[str, list[str]] = copy.deepcopy(previous["manifest"]) if previous else {}
    fixity: dict[str, dict[str, list[str]]] = (
        copy.deepcopy(previous.get("fixity", {})) if previous else {}
    )
    state: dict[str, list[str]] = {}
    for logical_path in logical_paths:
        content_path = f"{version}/{CONTENT_DIRECTORY}/{logical_path}"
        target = object_stage / content_path
        if incoming is None:
            target.parent.mkdir(parents=True, exist_ok=True)
        digest, fixity_digest = _stage_content(files[logical_path], incoming or target, sync)
        state.setdefault(digest, []).append(logical_path)
        if digest in manifest:  # already stored (or twice in this version): referenced
            _remove_content(incoming or target, version_stage)
            continue
        if incoming is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(incoming, target)
        manifest[digest] = [content_path]
        fixity.setdefault(FIXITY_ALGORITHM, {}).setdefault(fixity_digest, []).append(content_path)
    if previous is not None and _same_state(state, previous["versions"][previous["head"]]):
        return None

    inventory: dict[str, Any] = {
        "digestAlgorithm": DIGEST_ALGORITHM,
        "head": version,
        "id": object_id,
        "manifest": manifest,
        "type": INVENTORY_TYPE,
        "versions": {
            **(previous["versions"] if previous else {}),
            version: {**version_block, "state": state},
        },
    }
    if fixity:
        inventory["fixity"] = fixity
    inventory_bytes = _json_bytes(inventory)
    sidecar_bytes = _sidecar(inventory_bytes)
    _write_file(version_stage / INVENTORY_FILENAME, inventory_bytes, sync)
    _write_file(version_stage / INVENTORY_SIDECAR, sidecar_bytes, sync)
    if previous is None:
        _write_file(object_stage / OBJECT_NAMASTE, OBJECT_NAMASTE_CONTENT.encode(), sync)
        _write_file(object_stage / INVENTORY_FILENAME, inventory_bytes, sync)
        _write_file(object_stage / INVENTORY_SIDECAR, sidecar_bytes, sync)
    return _StagedVersion(version, inventory_bytes, sidecar_bytes)


# -- module helpers: files ---------------------------------------------------------------------


def _make_stage(staging_dir: Path, prefix: str) -> Path:
    """A new, empty directory ``<prefix><random>`` in ``staging_dir``, with the permissions
    an ordinary directory gets (it may become an object root as it is)."""
    while True:
        stage = staging_dir / f"{prefix}{secrets.token_hex(6)}"
        try:
            stage.mkdir()
            return stage
        except FileExistsError:
            continue


def _remove_content(path: Path, version_stage: Path) -> None:
    """Remove a staged content file and the directories it leaves empty (OCFL allows no
    empty directories in content), up to the version directory."""
    path.unlink()
    parent = path.parent
    while parent != version_stage and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _stage_content(value: bytes | Path, target: Path, sync: bool = True) -> tuple[str, str]:
    """Write ``value`` to ``target`` (fsynced if ``sync``); return its sha512 and sha256."""
    sha512, sha256 = hashlib.sha512(), hashlib.sha256()
    if isinstance(value, bytes):
        sha512.update(value)
        sha256.update(value)
        _write_file(target, value, sync)
        return sha512.hexdigest(), sha256.hexdigest()
    try:
        source = value.open("rb")
    except OSError as exc:
        raise UnreadableContent(value, exc.strerror or str(exc)) from exc
    with source, target.open("xb") as out:
        while chunk := source.read(CHUNK_BYTES):
            sha512.update(chunk)
            sha256.update(chunk)
            out.write(chunk)
        if sync:
            out.flush()
            os.fsync(out.fileno())
    return sha512.hexdigest(), sha256.hexdigest()


def _write_file(path: Path, data: bytes, sync: bool = True) -> None:
    """Create ``path`` with ``data`` (and fsync it, if ``sync``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: bytes, temp_dir: Path, prefix: str | None = None) -> None:
    """Replace ``path`` with ``data`` via a temporary file in ``temp_dir`` (same filesystem)."""
    fd, temp = tempfile.mkstemp(dir=temp_dir, prefix=prefix or f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path, files: bool = False) -> None:
    """Fsync every directory under ``path`` (and, with ``files``, every file), deepest first."""
    for dirpath, _dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames if files else ():
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _sync_filesystem(directory: Path, stages: list[Path]) -> None:
    """Make every file and directory under ``stages`` durable: one ``syncfs`` of the
    filesystem holding ``directory`` where the C library has it, else an fsync of each."""
    syncfs = getattr(_LIBC, "syncfs", None)
    if syncfs is not None:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for stage in stages:
        _fsync_tree(stage, files=True)


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a platform without a C library to load
        return None


_LIBC = _load_libc()


def _stage_prefix(root: Path) -> str:
    """The start of the names of a storage root's stages (and temporary files): they name
    their storage root, so recovery only removes its own."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return f"ocfl-stage-{digest}-"


def _read_intent(stage: Path) -> str | None:
    """The object id a version's stage was being committed to, if it names a valid one."""
    try:
        object_id = (stage / INTENT_FILENAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return object_id if OBJECT_ID_PATTERN.fullmatch(object_id) else None


def _check_based_on(object_id: str, previous: dict[str, Any] | None, based_on: str | None) -> None:
    """Refuse a write made from another head than the object's (see ``write_version``)."""
    if based_on is None:
        return
    head = previous["head"] if previous is not None else None
    if based_on == NO_VERSION:
        if head is not None:
            raise AlreadyStored(object_id, head)
    elif head != based_on:
        raise VersionConflict(object_id, based_on, head)


def _writer_alive(stage_suffix: str) -> bool:
    """Whether the process that made a stage (``<pid>-<random>``) is still running."""
    pid_text = stage_suffix.split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # a stage from before stages named their writer
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, and another user's
    return True


def _file_digests(path: Path, algorithms: list[str]) -> dict[str, str]:
    hashes = {name: hashlib.new(name) for name in algorithms}
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            for h in hashes.values():
                h.update(chunk)
    return {name: h.hexdigest() for name, h in hashes.items()}


def _short(digest: str) -> str:
    return f"{digest[:16]}…"


def _check_sidecar(inventory_path: Path, inventory_bytes: bytes) -> list[Problem]:
    sidecar = inventory_path.with_name(INVENTORY_SIDECAR)
    if not sidecar.is_file():
        return [problem(sidecar, "E058a", name=INVENTORY_SIDECAR)]
    match = SIDECAR_PATTERN.fullmatch(sidecar.read_text(encoding="utf-8", errors="replace"))
    if not match:
        return [problem(sidecar, "E061")]
    recorded = match.group(1).lower()
    actual = hashlib.sha512(inventory_bytes).hexdigest()
    if recorded != actual:
        return [problem(sidecar, "E060", recorded=_short(recorded), actual=_short(actual))]
    return []


def _check_content_file(
    object_root: Path,
    inventory: dict[str, Any],
    content_path: str,
    digest: str,
    expected_fixity: dict[str, str],
) -> list[Problem]:
    if not _is_content_path(content_path, inventory):
        return [problem(object_root, "E099", content_path=content_path)]
    path = object_root / content_path
    if not path.is_file():
        return [problem(path, "E092b")]
    fixity_digest = expected_fixity.get(content_path)
    algorithms = [DIGEST_ALGORITHM] + ([FIXITY_ALGORITHM] if fixity_digest else [])
    found = _file_digests(path, algorithms)
    problems: list[Problem] = []
    if found[DIGEST_ALGORITHM] != digest.lower():
        problems.append(
            problem(path, "E092a", actual=_short(found[DIGEST_ALGORITHM]), expected=_short(digest))
        )
    if fixity_digest and found[FIXITY_ALGORITHM] != fixity_digest.lower():
        problems.append(
            problem(
                path,
                "E093a",
                actual=_short(found[FIXITY_ALGORITHM]),
                expected=_short(fixity_digest),
            )
        )
    return problems
