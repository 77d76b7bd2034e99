"""The errors an export raises: each says what could not be written, and that nothing was left."""

from __future__ import annotations

import errno
from pathlib import Path

from archive.errors import ArchiveError


class ExportError(ArchiveError):
    """Base class: an export could not be written; nothing was left behind."""

    code = "export-failed"


class ExportTargetNotEmpty(ExportError):
    code = "target-not-empty"
    remedy = "choose an empty or new directory, or pass --force to replace its contents"


class ExportTargetNotADirectory(ExportError):
    code = "target-not-a-directory"
    remedy = "give a directory (new or empty) to write the export into"


class ExportTargetInArchive(ExportError):
    code = "target-in-archive"
    remedy = "choose a directory outside the archive that does not contain it"


class ExportTargetBusy(ExportError):
    code = "target-busy"
    remedy = "wait until that export has finished, or choose another directory"


class ExportTargetHoldsOthers(ExportError):
    """``--force`` would have to replace files that no Epistula export wrote."""

    code = "target-holds-other-files"
    remedy = "move them out of the way, or choose another directory"


class ExportWriteFailed(ExportError):
    """The operating system refused a write (a read-only directory, a full disk…)."""

    code = "export-write-failed"

    def __init__(self, target: Path, err: OSError) -> None:
        self.error_number = err.errno
        reason, remedy = _explained(err)
        super().__init__(str(target), f"{reason}; nothing was left behind", remedy)


def _explained(err: OSError) -> tuple[str, str]:
    """What went wrong in the user's words, and what to do about it."""
    strerror = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full ({strerror})", "free some space, or export to another disk"
    if err.errno == errno.EFBIG:
        return (
            f"a file grew larger than this system allows ({strerror})",
            "raise the file size limit (ulimit -f), or export to another disk",
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"cannot be written ({strerror})",
            "choose a directory you may write to, or change its permissions",
        )
    where = f" ({err.filename})" if err.filename else ""
    return f"could not be written: {strerror}{where}", "fix the cause, then export again"


class UnknownFormat(ExportError):
    code = "unknown-format"

    def __init__(self, fmt: str, known: list[str]) -> None:
        super().__init__(
            f"export format {fmt!r}", "is not one Epistula writes", f"choose {', '.join(known)}"
        )


class NoLettersSelected(ExportError):
    code = "no-letters"
    remedy = "check the query with 'epistula search', or the ids with 'epistula list'"


class PackageInvalid(ExportError):
    """The package failed the check its receiving system would make (a bug: please report it)."""

    code = "package-invalid"
    remedy = "nothing was written; please report this to the Epistula developers"


class UnsuitableLicence(ExportError):
    code = "unsuitable-licence"
