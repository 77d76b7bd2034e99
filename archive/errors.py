"""Typed archive errors: each names the thing, the fault and what the user can do about it.

``str(error)`` is one line, ``<thing>: <fault>; <remedy>``, ready for the CLI's ``Error:`` line.
Subclasses keep their facts as fields (``object_id``, ``path``, ``problems``) for callers.
"""

from __future__ import annotations

from pathlib import Path

from metadata.errors import EpistulaError


class ArchiveError(EpistulaError):
    """Base class: the archive could not do what was asked."""

    code = "archive-error"
    remedy = ""

    def __init__(self, subject: str, reason: str, remedy: str | None = None) -> None:
        self.subject = subject
        self.reason = reason
        if remedy is not None:
            self.remedy = remedy
        super().__init__(str(self))

    def __str__(self) -> str:
        message = f"{self.subject}: {self.reason}"
        return f"{message}; {self.remedy}" if self.remedy else message


class NotAStorageRoot(ArchiveError):
    """The directory is not an OCFL storage root Epistula can use."""

    code = "not-a-storage-root"
    remedy = "point --archive at an Epistula archive, or at a new or empty directory to create one"

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        super().__init__(str(self.path), reason)


class InvalidIdentifier(ArchiveError):
    code = "invalid-identifier"
    remedy = "use 1-255 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit"

    def __init__(self, object_id: str, reason: str = "is not a valid object id") -> None:
        self.object_id = object_id
        super().__init__(f"object id {object_id!r}", reason)


class InvalidLogicalPath(ArchiveError):
    code = "invalid-logical-path"
    remedy = "use '/'-separated names without empty, '.' or '..' segments"

    def __init__(self, logical_path: str, reason: str) -> None:
        self.logical_path = logical_path
        super().__init__(f"logical path {logical_path!r}", reason)


class ObjectNotFound(ArchiveError):
    code = "object-not-found"
    remedy = "check the id against the list of objects in the archive"

    def __init__(self, object_id: str) -> None:
        self.object_id = object_id
        super().__init__(f"object {object_id}", "is not in the archive")


class VersionNotFound(ArchiveError):
    code = "version-not-found"
    remedy = "choose one of the object's versions (v1 up to its head)"

    def __init__(self, object_id: str, version: str) -> None:
        self.object_id = object_id
        self.version = version
        super().__init__(f"object {object_id}", f"has no version {version!r}")


class LogicalPathNotFound(ArchiveError):
    code = "logical-path-not-found"
    remedy = "list the object's logical paths for that version"

    def __init__(self, object_id: str, logical_path: str, version: str) -> None:
        self.object_id = object_id
        self.logical_path = logical_path
        self.version = version
        super().__init__(f"object {object_id}", f"has no {logical_path!r} in version {version}")


class UnreadableContent(ArchiveError):
    """A file given to be stored could not be read; nothing was written."""

    code = "unreadable-content"
    remedy = "check the file exists and is readable, then try again"

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        super().__init__(str(self.path), reason)


class WriteFailed(ArchiveError):
    """Writing a version failed part-way; the object is left as it was before."""

    code = "write-failed"
    remedy = "the previous version is intact; fix the cause (disk space, permissions) and retry"

    def __init__(self, object_id: str, reason: str) -> None:
        self.object_id = object_id
        super().__init__(f"object {object_id}", reason)


class BatchWriteFailed(ArchiveError):
    """Committing a batch of new objects failed; ``object_ids`` were not stored."""

    code = "write-failed"
    remedy = "nothing already in the archive changed; fix the cause (disk space) and ingest again"

    def __init__(self, object_ids: list[str], reason: str) -> None:
        self.object_ids = object_ids
        super().__init__(f"{len(object_ids)} new letters", f"could not be stored ({reason})")


class StoreLocked(ArchiveError):
    code = "store-locked"
    remedy = "another Epistula process is writing to this archive; wait for it and retry"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(str(self.path), "is locked by another writer")


class StoreCorrupt(ArchiveError):
    """Stored data contradicts its inventory (or the inventory cannot be read)."""

    code = "store-corrupt"
    remedy = "run `epistula validate` for the full list and restore the object from a backup"

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        shown = "; ".join(self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(str(self.path), f"{shown}{more}" or "is corrupt")


class VersionConflict(ArchiveError):
    """Another writer changed the object since the version a write was based on was read."""

    code = "version-conflict"
    remedy = "another Epistula process changed this letter meanwhile; run the command again"

    def __init__(self, object_id: str, based_on: str, head: str | None) -> None:
        self.object_id = object_id
        self.based_on = based_on
        self.head = head
        now = f"is at {head}" if head is not None else "is not in the archive"
        super().__init__(f"object {object_id}", f"{now}, not at {based_on} as read")


class AlreadyStored(VersionConflict):
    """A new object was to be written, but another writer stored one with its id meanwhile."""

    code = "already-stored"
    remedy = "another Epistula process stored it meanwhile; nothing needs doing"

    def __init__(self, object_id: str, head: str) -> None:
        self.object_id, self.based_on, self.head = object_id, None, head
        ArchiveError.__init__(self, f"object {object_id}", f"was stored ({head}) meanwhile")
