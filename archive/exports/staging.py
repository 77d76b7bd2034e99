"""Where an export is written: a hidden staging directory inside the target, moved into place
only when the package is complete.

The target is locked (``flock``) for as long as an export writes into it, so a staging
directory found there by an export that holds the lock was left by one that died (killed, or
its machine stopped): it is removed, and does not make the target "not empty". Each export
leaves a marker, :data:`MARKER`, listing the files it wrote; ``force`` replaces only those,
and refuses to replace a file or folder holding anything else. A failure, the operating
system's included (a read-only directory, a full disk), removes everything the export wrote,
and the target too when the export created it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from archive.exports.errors import (
    ExportError,
    ExportTargetBusy,
    ExportTargetHoldsOthers,
    ExportTargetInArchive,
    ExportTargetNotADirectory,
    ExportTargetNotEmpty,
    ExportWriteFailed,
)

#: the staging directory's name starts with this (it is hidden, and removed on failure)
STAGING_PREFIX = ".epistula-export-"
#: the file every export leaves in its target: the files it wrote, for a later ``--force``
MARKER = ".epistula-export.json"
#: foreign files named in the error that refuses to replace them
NAMED_AT_MOST = 3


class Staging:
    """The package being written: a hidden directory inside the target, moved into place on success.

    Use as a context manager. Leaving it normally replaces what an earlier export wrote in
    the target (with ``force``) by the staged files; leaving it by an exception removes
    everything it wrote. An ``OSError`` leaves it as :class:`ExportWriteFailed`.
    """

    def __init__(self, target: Path, *, force: bool = False, archive_path: Path | None = None):
        self.target = Path(target)
        self.force = force
        self.archive_path = archive_path
        self.root = Path()
        self._created = False
        #: the first folder on the way to the target that this export made (None: none)
        self._made: Path | None = None
        self._root = ""
        self._lock: int | None = None
        self._directories: set[str] = set()
        # every file staged, as a '/'-separated path: listed as they are written rather
        # than by walking the package at the end (seconds for a bag of 10,000 letters)
        self._staged: list[str] = []
        self.files: list[Path] = []

    # -- opening ---------------------------------------------------------------------------

    def __enter__(self) -> Staging:
        try:
            self._open()
        except OSError as err:
            self._discard()
            raise ExportWriteFailed(self.target, err) from None
        except BaseException:
            self._discard()
            raise
        return self

    def _open(self) -> None:
        target = self.target
        if target.is_symlink() and not target.exists():
            raise ExportTargetNotADirectory(
                str(target),
                f"is a symbolic link to {os.readlink(target)}, which does not exist",
                "give a directory that exists, or remove the link",
            )
        if target.exists() and not target.is_dir():
            raise ExportTargetNotADirectory(str(target), "exists and is not a directory")
        if self.archive_path is not None:
            here, archive = target.resolve(), self.archive_path.resolve()
            if here == archive or here.is_relative_to(archive) or archive.is_relative_to(here):
                raise ExportTargetInArchive(str(target), "is the archive, inside it or holds it")
        if not target.exists():
            self._made = _first_missing(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # another export made it just now
                target.mkdir()
                self._created = True
        self._lock = _lock(target)
        _purge_stale_stages(target)
        if not self.force and any(target.iterdir()):
            raise ExportTargetNotEmpty(str(target), "already exists and is not empty")
        self._root = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target)
        self.root = Path(self._root)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            try:
                self._commit()
            except BaseException as err:
                self._discard()
                if isinstance(err, OSError):
                    raise ExportWriteFailed(self.target, err) from None
                raise
            finally:
                self._unlock()
            return
        self._discard()
        if isinstance(error, OSError):
            raise _os_error(self.target, error) from None

    # -- writing ---------------------------------------------------------------------------

    def path(self, relative: str) -> Path:
        """The staged file for ``relative`` (a '/'-separated path that stays inside the package),
        for a writer that creates it itself; it is listed among the package's files."""
        return Path(self._place(relative))

    def write(self, relative: str, data: bytes) -> None:
        """Stage ``data`` as the file ``relative``."""
        with open(self._place(relative), "xb") as fh:
            fh.write(data)

    def open(self, relative: str) -> IO[bytes]:
        return open(self._place(relative), "xb")

    def remove(self, folder: str) -> None:
        """Remove the staged folder ``folder`` (a '/'-separated path) and what it holds."""
        shutil.rmtree(package_path(self._root, folder))
        inside = f"{folder}/"
        self._staged = [name for name in self._staged if not name.startswith(inside)]

    def note(self, written: Iterable[str]) -> None:
        """Files a worker process wrote into the staging directory (see ``DirectWriter``)."""
        self._staged.extend(written)

    def _place(self, relative: str) -> str:
        path = package_path(self._root, relative)
        folder = os.path.dirname(path)
        if folder not in self._directories:
            os.makedirs(folder, exist_ok=True)
            self._directories.add(folder)
        self._staged.append(relative)
        return path

    # -- closing ---------------------------------------------------------------------------

    def _discard(self) -> None:
        """Remove everything staged (and the target, when this export created it)."""
        if self._root:
            shutil.rmtree(self.root, ignore_errors=True)
        if self._created:
            shutil.rmtree(self.target, ignore_errors=True)
        if self._made is not None and self._made != self.target:
            # the folders made to hold the target go too, if nothing else went into them
            for folder in self.target.parents:
                if folder == self._made.parent:
                    break
                with contextlib.suppress(OSError):
                    folder.rmdir()
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the directory releases its flock
            self._lock = None

    def _commit(self) -> None:
        staged = sorted(self._staged)
        previous = _read_marker(self.target)
        replaced = _check_replaceable(self.target, self.root, previous, staged)
        # until the new files are all in place, the marker names the old and the new, so an
        # export killed half-way is replaced whole by the next one with --force
        self._write_marker(sorted(previous | set(staged)))
        for entry, ours in replaced:
            _remove_files(self.target, entry, ours)
        for entry in sorted(self.root.iterdir()):
            os.replace(entry, self.target / entry.name)
        self._write_marker(staged)
        self.root.rmdir()
        self.files = [self.target / name for name in staged]

    def _write_marker(self, files: list[str]) -> None:
        staged = self.root.with_name(f"{self.root.name}.marker")
        staged.write_text(json.dumps({"written by": "Epistula", "files": files}), "utf-8")
        os.replace(staged, self.target / MARKER)


def _first_missing(target: Path) -> Path:
    """The outermost folder of ``target``'s path (``target`` included) that does not exist."""
    missing = target
    for folder in target.parents:
        if folder.exists() or folder.is_symlink():
            break
        missing = folder
    return missing


def package_path(root: str, relative: str) -> str:
    """``relative`` (a '/'-separated path) under ``root``; refused if it would leave it."""
    if not _inside(relative):
        raise ExportError(f"package path {relative!r}", "would leave the export directory")
    return os.path.join(root, *relative.split("/"))


def _inside(relative: str) -> bool:
    parts = relative.split("/")
    return not any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts)


def _lock(target: Path) -> int | None:
    """Lock ``target`` for this export (until its descriptor is closed, or the process dies);
    ``None`` where the file system has no locks (some network file systems)."""
    fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ExportTargetBusy(str(target), "another export is writing into it") from None
    except OSError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _purge_stale_stages(target: Path) -> None:
    """Remove what exports that died left (the caller holds the target's lock, so no export
    is writing into it)."""
    for entry in target.iterdir():
        if entry.name.startswith(STAGING_PREFIX):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _read_marker(target: Path) -> set[str]:
    """The files an earlier export into ``target`` wrote (none known without its marker)."""
    try:
        data = json.loads((target / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return set()
    return {f for f in files if isinstance(f, str) and _inside(f)}


def _check_replaceable(
    target: Path, root: Path, previous: set[str], staged: list[str]
) -> list[tuple[Path, list[str]]]:
    """The target's entries with the files in each that an earlier export wrote; refused
    (:class:`ExportTargetHoldsOthers`) where the new package needs a name that holds anything
    else."""
    needed = {name.split("/", 1)[0] for name in staged}
    replaced = []
    for entry in sorted(target.iterdir()):
        if entry == root or entry.name == MARKER or entry.name.startswith(STAGING_PREFIX):
            continue
        files = list(_files_under(target, entry))
        ours = [name for name in files if name in previous]
        others = [name for name in files if name not in previous]
        if others and entry.name in needed:
            shown = ", ".join(others[:NAMED_AT_MOST]) + ("…" if len(others) > NAMED_AT_MOST else "")
            raise ExportTargetHoldsOthers(
                str(entry), f"holds files no Epistula export wrote ({shown})"
            )
        replaced.append((entry, ours))
    return replaced


def _files_under(target: Path, entry: Path) -> Iterator[str]:
    """Every file (or link, or other non-folder) at or under ``entry``, relative to
    ``target``; links are never followed."""
    if not entry.is_dir() or entry.is_symlink():
        yield entry.relative_to(target).as_posix()
        return
    for folder, folders, names in os.walk(entry):
        here = Path(folder)
        for name in names:
            yield (here / name).relative_to(target).as_posix()
        for name in folders:
            if (here / name).is_symlink():  # os.walk lists links to folders as folders
                yield (here / name).relative_to(target).as_posix()


def _remove_files(target: Path, entry: Path, ours: list[str]) -> None:
    """Remove the files ``ours`` under ``entry``, then the folders they leave empty."""
    folders: set[Path] = set()
    for name in ours:
        path = target / name
        path.unlink()
        folders.update(p for p in path.parents if p.is_relative_to(entry))
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty: it holds someone else's files
            folder.rmdir()


def _os_error(target: Path, err: OSError) -> ExportError:
    """An OS error while exporting: a write into the target, or a letter that could not be read."""
    name = err.filename if isinstance(err.filename, str) else None
    if name is not None and not _is_under(Path(name), target):
        return ExportError(
            name,
            f"could not be read ({err.strerror or err}); nothing was written",
            "run 'epistula validate' to find what is damaged",
        )
    return ExportWriteFailed(target, err)


def _is_under(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
