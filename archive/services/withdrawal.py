"""Taking letters out of publication: ``withdraw`` (kept, reversible) and ``purge`` (gone).

A withdrawn letter stays in the archive with every version: a new version marks its TEI
``revisionDesc/@status="withdrawn"`` with a ``change`` giving the reason, and the letter
leaves the search index (so search and ``similar``), ``list`` and every export. It is still
answerable as a deleted record (:func:`deleted_records`, for OAI-PMH), ``history`` shows the
withdrawal, and ``revert`` to an earlier version brings it back.

A purge is for a legal takedown: the object, every version of it, leaves the store and the
index for good. What is kept is the fact — id, date, user, reason, never the content — as one
JSON line in the archive's purge log (:data:`PURGE_LOG`, beside the storage root, so the OCFL
storage root holds nothing but objects).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from archive.errors import ArchiveError, VersionConflict
from archive.letters.actor import SYSTEM, Actor
from archive.letters.objects import LetterStore, derive
from archive.services.indexing import index_letters
from metadata.card import WITHDRAWN
from metadata.xml import tei
from search import indexer
from search.errors import IndexMissing

#: the purge log's file name in the archive's folder
PURGE_LOG = "purged.jsonl"
#: what XML cannot hold (C0 and C1 controls, lone surrogates, U+FFFE, U+FFFF)
_ILLEGAL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: how often a withdrawal is made again from a head another writer moved meanwhile
ATTEMPTS = 20
#: the longest reason kept (a reason is a line, not a document)
MAX_REASON_CHARS = 1000


class AlreadyWithdrawn(ArchiveError):
    code = "already-withdrawn"
    remedy = "see 'epistula history ID'; 'epistula revert ID --to N' restores an earlier version"


class BadReason(ArchiveError):
    code = "bad-reason"
    remedy = "give the reason in one line of text (--reason '…')"


@dataclass(frozen=True)
class WithdrawResult:
    id: str
    version: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "reason": self.reason}


@dataclass(frozen=True)
class PurgeRecord:
    """One line of the purge log: what was purged, when, by whom and why."""

    id: str
    purged: str  # RFC 3339, UTC
    user: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "purged": self.purged, "user": self.user, "reason": self.reason}


@dataclass(frozen=True)
class DeletedRecord:
    """A letter that is no longer published, as a repository reports a deleted record."""

    id: str
    #: when it stopped being published: its withdrawn version's, or the purge's, time (UTC)
    datestamp: datetime
    #: True for a purged letter (nothing of it is left), False for a withdrawn one
    purged: bool


def check_reason(reason: str) -> str:
    """The reason on one line; refused when empty, too long or not text XML can hold."""
    text = " ".join(reason.split())
    if not text:
        raise BadReason("--reason", "is empty")
    if len(text) > MAX_REASON_CHARS:
        raise BadReason("--reason", f"is {len(text):,} characters long (at most 1000)")
    if _ILLEGAL.search(text):
        raise BadReason("--reason", "holds a control character")
    return text


def withdraw(
    letters: LetterStore, index_path: Path, object_id: str, reason: str, actor: Actor = SYSTEM
) -> WithdrawResult:
    """Mark the letter withdrawn in a new version and take it out of the index."""
    reason = check_reason(reason)
    for attempt in range(ATTEMPTS):
        try:
            version = _withdraw_once(letters, object_id, reason, actor)
            break
        except VersionConflict:  # another writer moved the head: withdraw from the new one
            if attempt == ATTEMPTS - 1:
                raise
    index_letters(letters, index_path, [object_id])
    return WithdrawResult(object_id, version, reason)


def _withdraw_once(letters: LetterStore, object_id: str, reason: str, actor: Actor) -> str:
    head, root = letters.head_tei(object_id)
    revision = root.find(f"{tei('teiHeader')}/{tei('revisionDesc')}")
    if revision is None:  # (every TEI Epistula writes has one)
        revision = etree.SubElement(root.find(tei("teiHeader")), tei("revisionDesc"))
    if revision.get("status") == WITHDRAWN:
        raise AlreadyWithdrawn(object_id, "is already withdrawn")
    revision.set("status", WITHDRAWN)
    change = etree.SubElement(
        revision, tei("change"), when=_now().strftime("%Y-%m-%dT%H:%M:%SZ"), status=WITHDRAWN
    )
    change.text = f"Withdrawn from publication: {reason}"
    derived = derive(
        root, lambda first: ArchiveError(object_id, f"the withdrawn TEI would be invalid ({first})")
    )
    return letters.write_tei(
        object_id,
        derived,
        actor.message_for(f"withdraw: {reason}"),
        based_on=head,
        actor=actor,
    )


def purge(
    letters: LetterStore,
    index_path: Path,
    log_path: Path,
    object_id: str,
    reason: str,
    actor: Actor = SYSTEM,
) -> PurgeRecord:
    """Remove the letter from the store and the index for good, and log that it was."""
    reason = check_reason(reason)
    record = PurgeRecord(object_id, _now().strftime("%Y-%m-%dT%H:%M:%SZ"), actor.user, reason)
    # the log line is written while the object is out of the store but not yet deleted: if
    # it cannot be written, the object goes back, so no purge is ever unlogged
    letters.store.remove(object_id, then=lambda: _append(log_path, record))
    with contextlib.suppress(IndexMissing):
        indexer.remove(index_path, [object_id])
    return record


def purged(log_path: Path) -> list[PurgeRecord]:
    """Every purge the log records, oldest first."""
    return list(_read_log(log_path))


def deleted_records(letters: LetterStore, log_path: Path) -> list[DeletedRecord]:
    """The letters no longer published, by id: withdrawn ones (dated by the version that
    withdrew them: the head's) and purged ones (dated by the purge)."""
    records: dict[str, DeletedRecord] = {}
    for entry in _read_log(log_path):
        if not letters.has(entry.id):  # (an id purged and later ingested again is live)
            records[entry.id] = DeletedRecord(entry.id, _parse_time(entry.purged), True)
    for object_id in letters.ids():
        if letters.withdrawn(object_id):
            created = letters.store.inventory(object_id)
            stamp = created["versions"][created["head"]]["created"]
            records[object_id] = DeletedRecord(object_id, _parse_time(stamp), False)
    return [records[i] for i in sorted(records)]


def _append(log_path: Path, record: PurgeRecord) -> None:
    """Append one line to the log and make it durable before the object is deleted."""
    line = json.dumps(record.to_json(), ensure_ascii=False) + "\n"
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_log(log_path: Path) -> Iterator[PurgeRecord]:
    try:
        lines = log_path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            yield PurgeRecord(data["id"], data["purged"], data["user"], data["reason"])
        except (ValueError, KeyError, TypeError):
            raise ArchiveError(
                f"{log_path}:{number}",
                "is not a purge record",
                "restore the line from a backup (each is a JSON object: id, purged, user, reason)",
            ) from None


def _parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone(UTC).replace(microsecond=0)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
