"""Which files an ingest reads: the paths named, the folders among them walked, and what was
left out and why.

Symbolic links are not followed unless asked (``follow_symlinks``), and a link found in a
folder is never followed out of it, even then: a folder of letters must not bring in
``/etc/passwd``. Subfolders are walked only with ``recursive``. What is left out for a reason
the user may not expect (a link, a subfolder, a device or pipe) is a :class:`Skipped` entry;
hidden files, editors' lock files and sidecar metadata are left out silently, as the user
means them to be. The files of a folder come in natural order (``b_2`` before ``b_10``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.services.ingest import HIDDEN, Files
from archive.services.sidecar import is_sidecar

#: why a path was left out (stable codes for ``--json``)
SYMLINK = "symlink"
SYMLINK_OUTSIDE = "symlink-outside"
SYMLINK_FOLDER = "symlink-to-folder"
FOLDER = "folder"
UNREADABLE_FOLDER = "unreadable-folder"
NOT_A_FILE = "not-a-regular-file"
#: what several paths left out for one reason are, in a line that names them
PLURALS = {
    SYMLINK: "symbolic links (pass --follow-symlinks to follow them)",
    SYMLINK_OUTSIDE: "symbolic links out of the folder given (never followed)",
    SYMLINK_FOLDER: "symbolic links to folders (their files are read where they are)",
    FOLDER: "subfolders (pass --recursive to ingest them too)",
    UNREADABLE_FOLDER: "folders that cannot be read",
    NOT_A_FILE: "entries that are not regular files",
}

_DIGITS = re.compile(r"(\d+)")


#: what the user can do about paths left out for a reason, when there is something to do
REMEDIES = {
    FOLDER: "pass --recursive to ingest the subfolders",
    SYMLINK: "pass --follow-symlinks to follow the links",
}


def remedy_for(skipped: Iterable[Skipped]) -> str:
    """What to do about the paths ``skipped``, in one clause (or where to look)."""
    reasons = dict.fromkeys(entry.reason for entry in skipped)
    found = [REMEDIES[reason] for reason in reasons if reason in REMEDIES]
    return ", or ".join(found) if found else "see the lines above for why"


@dataclass(frozen=True)
class Skipped:
    """A path the ingest did not read: the path, a stable ``reason`` code and why, in words."""

    path: Path
    reason: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"file": str(self.path), "reason": self.reason, "message": self.message}


class Collected(Files):
    """The files to ingest, and the paths left out (:attr:`skipped`)."""

    def __init__(self, files: Iterable[Path] = (), skipped: Iterable[Skipped] = ()) -> None:
        super().__init__(files)
        self.skipped: list[Skipped] = list(skipped)


@dataclass
class _Walk:
    """One named folder being walked."""

    root: Path
    recursive: bool
    follow_symlinks: bool
    real_root: Path = field(init=False)
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.real_root = self.root.resolve()

    def run(self) -> None:
        self._folder(self.root)
        self.files.sort(key=lambda p: natural_key(p.relative_to(self.root).as_posix()))
        self.skipped.sort(key=lambda s: natural_key(str(s.path)))

    def _folder(self, folder: Path) -> None:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(HIDDEN):
                        continue
                    self._entry(Path(entry.path), entry)
        except OSError as err:
            reason = err.strerror or str(err)
            self.skipped.append(Skipped(folder, UNREADABLE_FOLDER, f"cannot be read ({reason})"))

    def _entry(self, path: Path, entry: os.DirEntry[str]) -> None:
        if entry.is_symlink():
            self._link(path)
        elif entry.is_dir(follow_symlinks=False):
            if self.recursive:
                self._folder(path)
            else:
                self.skipped.append(
                    Skipped(path, FOLDER, "a subfolder (pass --recursive to ingest it too)")
                )
        elif entry.is_file(follow_symlinks=False):
            if not is_sidecar(path):
                self.files.append(path)
        else:
            self.skipped.append(Skipped(path, NOT_A_FILE, "not a regular file"))

    def _link(self, path: Path) -> None:
        if not self.follow_symlinks:
            self.skipped.append(_unfollowed(path))
            return
        target = path.resolve()
        if not target.is_relative_to(self.real_root):
            self.skipped.append(
                Skipped(
                    path,
                    SYMLINK_OUTSIDE,
                    f"a symbolic link out of {self.root} (to {target}), never followed",
                )
            )
        elif target.is_file():
            if not is_sidecar(path):
                self.files.append(path)
        elif target.is_dir():
            # its files are collected where they really are, inside the folder (and a link
            # to a folder above it would walk for ever)
            self.skipped.append(
                Skipped(
                    path, SYMLINK_FOLDER, "a symbolic link to a folder (its files are read there)"
                )
            )
        else:
            self.skipped.append(Skipped(path, NOT_A_FILE, f"links to {target}, not a file"))


def collect(
    paths: Iterable[Path],
    recursive: bool = False,
    manifest: Path | None = None,
    follow_symlinks: bool = False,
) -> Collected:
    """The files an ingest of ``paths`` reads: each file named, and the files in each folder
    named (in subfolders too with ``recursive``), in natural order; the ``manifest`` is left
    out. Files collected already (:class:`Files`) are taken as they are."""
    if isinstance(paths, Files):
        skipped = paths.skipped if isinstance(paths, Collected) else []
        collected = Collected(paths, skipped)
    else:
        collected = Collected()
        for path in paths:
            _collect_one(Path(path), recursive, follow_symlinks, collected)
    if manifest is not None:  # the manifest describes letters; it is not one
        kept = [f for f in collected if f.resolve() != manifest.resolve()]
        collected = Collected(kept, collected.skipped)
    return collected


def _collect_one(path: Path, recursive: bool, follow_symlinks: bool, into: Collected) -> None:
    if path.is_symlink() and not follow_symlinks:
        into.skipped.append(_unfollowed(path))
    elif path.is_dir():
        walk = _Walk(path, recursive, follow_symlinks)
        walk.run()
        into.extend(walk.files)
        into.skipped.extend(walk.skipped)
    else:
        into.append(path)  # a missing or unreadable file is reported by the ingest itself


def _unfollowed(path: Path) -> Skipped:
    return Skipped(path, SYMLINK, "a symbolic link (pass --follow-symlinks to follow it)")


def natural_key(text: str) -> tuple[tuple[int, str, int], ...]:
    """Sorts ``b_2`` before ``b_10``: runs of digits compare as numbers, the rest without
    regard to case (ties broken by the text itself, so the order is total)."""
    parts = _DIGITS.split(text)
    key = tuple(
        (1, "", int(part)) if index % 2 else (0, part.casefold(), 0)
        for index, part in enumerate(parts)
    )
    return (*key, (-1, text, 0))
