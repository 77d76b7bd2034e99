"""archive/store/ocfl.py: an OCFL 1.1 storage root, checked with the real ocfl-py validator.

Every test uses real files under tmp_path. Crashes are simulated in a child process that
exits hard (``os._exit``) at a chosen rename, so nothing in this process is patched for them;
the one in-process failure is a targeted ``os.replace`` patch at the commit point.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import ocfl
import pytest

from archive.errors import (
    AlreadyStored,
    BatchWriteFailed,
    InvalidIdentifier,
    InvalidLogicalPath,
    LogicalPathNotFound,
    NotAStorageRoot,
    ObjectNotFound,
    StoreLocked,
    UnreadableContent,
    VersionConflict,
    VersionNotFound,
    WriteFailed,
)
from archive.store import ocfl as ocfl_module
from archive.store.constants import LOCK_FILENAME
from archive.store.ocfl import NO_VERSION, StorageRoot

ROOT = Path(__file__).resolve().parents[2]
OBJECT_ID = "open-letter-2017"
ADDRESS = "mailto:archivist@example.org"
CREATED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

# ocfl-py warnings we accept, and why. W005: "inventory id SHOULD be a URI". With the 0002 flat
# direct layout the id is the directory name, and Epistula's ids are [A-Za-z0-9._-] only, so
# they cannot carry a URI scheme (that needs ':'). Any other warning fails the tests.
ACCEPTED_WARNINGS = {"W005"}


# -- helpers -------------------------------------------------------------------------------------


def ocfl_py_report(root: Path) -> tuple[bool, int, set[str], list[str]]:
    """Validate the whole storage root with ocfl-py: (valid, objects, codes, messages)."""
    storage_root = ocfl.StorageRoot(str(root))
    valid = storage_root.validate(log_warnings=True)
    messages = list(storage_root.log.messages)
    for _dirpath, text in storage_root.errors:
        messages += text.splitlines()
    codes = {m.group(1) for m in (re.search(r"\[([EW]\d{3}[a-z]?)\]", s) for s in messages) if m}
    valid = valid and storage_root.good_objects == storage_root.num_objects
    return valid, storage_root.num_objects, codes, messages


def assert_ocfl_py_valid(root: Path, objects: int) -> None:
    valid, found, codes, messages = ocfl_py_report(root)
    for message in messages:
        print("ocfl-py:", message)
    assert valid, messages
    assert found == objects
    assert not {c for c in codes if c.startswith("E")}, messages
    assert {c for c in codes if c.startswith("W")} == (ACCEPTED_WARNINGS if objects else set())


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` with its bytes."""
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def letter_files(tmp_path: Path, tei: bytes = b"<TEI>first</TEI>\n") -> dict[str, bytes | Path]:
    original = tmp_path / "open-letter-2017.pdf"
    if not original.exists():
        original.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"%%EOF\n")
    return {
        "original/open-letter-2017.pdf": original,
        "tei.xml": tei,
        "dc.xml": b"<oai_dc:dc>Open letter</oai_dc:dc>\n",
    }


@pytest.fixture
def store(tmp_path: Path) -> StorageRoot:
    return StorageRoot.init(tmp_path / "store")


@pytest.fixture
def stored(store: StorageRoot, tmp_path: Path) -> StorageRoot:
    """A storage root holding OBJECT_ID at v1 with three files."""
    version = store.write_version(
        OBJECT_ID, letter_files(tmp_path), "Ingest", user_address=ADDRESS, created=CREATED
    )
    assert version == "v1"
    return store


def staging_leftovers(store: StorageRoot) -> list[str]:
    return sorted(p.name for p in store.staging_dir.iterdir()) if store.staging_dir.exists() else []


CRASH_SCRIPT = """
import os, sys
from pathlib import Path
from archive.store.ocfl import NO_VERSION, StorageRoot
root, object_id, crash_at = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def dying(real):
    def rename(src, dst, *args, **kwargs):
        if Path(dst) == root / crash_at:
            os._exit(9)  # the process dies here, like kill -9 or a power cut
        return real(src, dst, *args, **kwargs)
    return rename
os.rename, os.replace = dying(os.rename), dying(os.replace)
files = {"tei.xml": b"<TEI>crashed</TEI>"}
StorageRoot(root).write_version(object_id, files, "Crash", user_address="a@example.org")
"""


def crash_during_write(store: StorageRoot, crash_at: str, object_id: str = OBJECT_ID) -> None:
    """Write a version in a child process that dies as it renames onto ``root/crash_at``."""
    result = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(store.path), object_id, crash_at],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 9, result.stderr


# -- the storage root ----------------------------------------------------------------------------


def test_init_creates_declaration_and_layout(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = StorageRoot.init(root)
    assert (root / "0=ocfl_1.1").read_text() == "ocfl_1.1\n"
    assert json.loads((root / "ocfl_layout.json").read_text()) == {
        "extension": "0002-flat-direct-storage-layout",
        "description": "Extension 0002: Flat Direct Storage Layout",
    }
    assert store.staging_dir == tmp_path / "tmp"
    assert store.object_ids() == []
    before = snapshot(root)
    assert StorageRoot.init(root).object_ids() == []  # idempotent
    assert snapshot(root) == before
    assert StorageRoot(root).path == root
    assert_ocfl_py_valid(root, objects=0)


def test_open_refuses_what_is_not_a_storage_root(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("hello")
    with pytest.raises(NotAStorageRoot, match=re.escape("0=ocfl_1.1")):
        StorageRoot(tmp_path / "plain")
    with pytest.raises(NotAStorageRoot, match=re.escape("notes.txt")):
        StorageRoot.init(tmp_path / "plain")
    with pytest.raises(NotAStorageRoot, match="staging directory"):
        StorageRoot.init(tmp_path / "store", staging_dir=tmp_path / "store" / "tmp")


# -- writing and reading -------------------------------------------------------------------------


def test_first_version_holds_three_files_and_ocfl_py_validates(
    stored: StorageRoot, tmp_path: Path
) -> None:
    original = (tmp_path / "open-letter-2017.pdf").read_bytes()
    assert stored.object_ids() == [OBJECT_ID]
    assert stored.has(OBJECT_ID)
    assert not stored.has("another-letter")
    assert stored.head(OBJECT_ID) == "v1"
    assert stored.versions(OBJECT_ID) == ["v1"]
    assert stored.logical_paths(OBJECT_ID) == ["dc.xml", "original/open-letter-2017.pdf", "tei.xml"]
    assert stored.read(OBJECT_ID, "original/open-letter-2017.pdf") == original
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>first</TEI>\n"
    object_root = stored.path / OBJECT_ID
    assert stored.path_of(OBJECT_ID, "tei.xml") == object_root / "v1/content/tei.xml"

    inventory = stored.inventory(OBJECT_ID)
    sha512 = hashlib.sha512(original).hexdigest()
    sha256 = hashlib.sha256(original).hexdigest()
    assert inventory["id"] == OBJECT_ID
    assert inventory["type"] == "https://ocfl.io/1.1/spec/#inventory"
    assert inventory["digestAlgorithm"] == "sha512"
    assert inventory["head"] == "v1"
    assert inventory["manifest"][sha512] == ["v1/content/original/open-letter-2017.pdf"]
    assert inventory["fixity"]["sha256"][sha256] == ["v1/content/original/open-letter-2017.pdf"]
    assert inventory["versions"]["v1"] == {
        "created": "2024-05-01T12:00:00Z",
        "message": "Ingest",
        "user": {"name": "Epistula", "address": ADDRESS},
        "state": {
            sha512: ["original/open-letter-2017.pdf"],
            hashlib.sha512(b"<TEI>first</TEI>\n").hexdigest(): ["tei.xml"],
            hashlib.sha512(b"<oai_dc:dc>Open letter</oai_dc:dc>\n").hexdigest(): ["dc.xml"],
        },
    }
    inventory_bytes = (object_root / "inventory.json").read_bytes()
    assert (object_root / "inventory.json.sha512").read_text() == (
        f"{hashlib.sha512(inventory_bytes).hexdigest()} inventory.json\n"
    )
    assert (object_root / "v1/inventory.json").read_bytes() == inventory_bytes
    assert (object_root / "0=ocfl_object_1.1").read_text() == "ocfl_object_1.1\n"
    assert stored.validate() == []
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_second_version_stores_only_changed_content(stored: StorageRoot, tmp_path: Path) -> None:
    files = letter_files(tmp_path, tei=b"<TEI>second</TEI>\n")
    assert stored.write_version(OBJECT_ID, files, "Re-ingest", user_address=ADDRESS) == "v2"

    object_root = stored.path / OBJECT_ID
    assert stored.versions(OBJECT_ID) == ["v1", "v2"]
    assert sorted(p.relative_to(object_root).as_posix() for p in object_root.rglob("*.xml")) == [
        "v1/content/dc.xml",
        "v1/content/tei.xml",
        "v2/content/tei.xml",
    ]
    assert not (object_root / "v2/content/original").exists()
    assert stored.path_of(OBJECT_ID, "dc.xml") == object_root / "v1/content/dc.xml"
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>second</TEI>\n"
    assert stored.read(OBJECT_ID, "tei.xml", version="v1") == b"<TEI>first</TEI>\n"
    assert stored.logical_paths(OBJECT_ID, "v1") == stored.logical_paths(OBJECT_ID, "v2")
    assert (object_root / "v2/inventory.json").read_bytes() == (
        object_root / "inventory.json"
    ).read_bytes()
    assert stored.validate() == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_identical_state_writes_nothing(stored: StorageRoot, tmp_path: Path) -> None:
    before = snapshot(stored.path)
    files = dict(reversed(letter_files(tmp_path).items()))  # same state, other order
    assert stored.write_version(OBJECT_ID, files, "Again", created=CREATED + timedelta(1)) == "v1"
    assert snapshot(stored.path) == before
    assert staging_leftovers(stored) == []


def test_duplicate_content_is_stored_once_and_paths_can_go(
    stored: StorageRoot, tmp_path: Path
) -> None:
    same = b"<TEI>twin</TEI>\n"
    assert (
        stored.write_version(
            OBJECT_ID, {"tei.xml": same, "copy/tei.xml": same}, "Twins", user_address=ADDRESS
        )
        == "v2"
    )
    object_root = stored.path / OBJECT_ID
    assert [p.name for p in (object_root / "v2/content").rglob("*") if p.is_file()] == ["tei.xml"]
    assert stored.read(OBJECT_ID, "copy/tei.xml") == same
    assert stored.logical_paths(OBJECT_ID) == ["copy/tei.xml", "tei.xml"]
    assert "dc.xml" in stored.logical_paths(OBJECT_ID, "v1")  # dropped from v2, kept in v1
    assert stored.validate() == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_created_keeps_its_offset_and_bare_addresses_become_mailto(store: StorageRoot) -> None:
    paris = timezone(timedelta(hours=2))
    store.write_version(
        "x",
        {"a.txt": b"a"},
        "m",
        user_address="a@example.org",
        created=datetime(2024, 5, 1, 14, tzinfo=paris),
    )
    block = store.inventory("x")["versions"]["v1"]
    assert block["created"] == "2024-05-01T14:00:00+02:00"
    assert block["user"] == {"name": "Epistula", "address": "mailto:a@example.org"}
    with pytest.raises(ValueError, match="timezone"):
        store.write_version("x", {"a.txt": b"b"}, "m", created=datetime(2024, 5, 1))


def test_without_a_user_address_ocfl_py_warns_w008(store: StorageRoot) -> None:
    store.write_version(OBJECT_ID, {"tei.xml": b"<TEI/>"}, "No address")
    assert store.inventory(OBJECT_ID)["versions"]["v1"]["user"] == {"name": "Epistula"}
    valid, _objects, codes, _messages = ocfl_py_report(store.path)
    assert valid
    assert codes == ACCEPTED_WARNINGS | {"W008"}  # "user SHOULD have an address"


# -- failures leave the previous state -----------------------------------------------------------


def test_unreadable_source_leaves_previous_state(stored: StorageRoot, tmp_path: Path) -> None:
    before = snapshot(stored.path)
    files = {**letter_files(tmp_path, tei=b"<TEI>new</TEI>"), "gone.pdf": tmp_path / "gone.pdf"}
    with pytest.raises(UnreadableContent, match=re.escape("gone.pdf")):
        stored.write_version(OBJECT_ID, files, "Broken")
    with pytest.raises(UnreadableContent):
        stored.write_version("new-letter", {"gone.pdf": tmp_path / "gone.pdf"}, "Broken")
    assert snapshot(stored.path) == before
    assert stored.object_ids() == [OBJECT_ID]
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_failed_commit_rolls_back_the_version(
    stored: StorageRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(stored.path)
    real_replace = os.replace
    root_inventory = stored.path / OBJECT_ID / "inventory.json"

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == root_inventory:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    files = letter_files(tmp_path, tei=b"<TEI>second</TEI>\n")
    with pytest.raises(WriteFailed, match="No space left") as caught:
        stored.write_version(OBJECT_ID, files, "Re-ingest")
    assert "previous version is intact" in str(caught.value)
    monkeypatch.setattr(os, "replace", real_replace)

    assert snapshot(stored.path) == before
    assert not (stored.path / OBJECT_ID / "v2").exists()
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=1)
    assert stored.write_version(OBJECT_ID, files, "Re-ingest", user_address=ADDRESS) == "v2"
    assert_ocfl_py_valid(stored.path, objects=1)


def test_crash_before_commit_leaves_a_version_dir_the_next_write_removes(
    stored: StorageRoot,
) -> None:
    crash_during_write(stored, f"{OBJECT_ID}/inventory.json")
    object_root = stored.path / OBJECT_ID
    assert (object_root / "v2/content/tei.xml").read_bytes() == b"<TEI>crashed</TEI>"
    assert stored.head(OBJECT_ID) == "v1"  # readers see the committed state
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>first</TEI>\n"
    assert [p.code for p in stored.validate()] == ["E046b"]
    assert staging_leftovers(stored) != []  # the dead writer's staging directory

    assert (
        stored.write_version(
            OBJECT_ID, {"tei.xml": b"<TEI>next</TEI>"}, "Next", user_address=ADDRESS
        )
        == "v2"
    )
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>next</TEI>"
    assert staging_leftovers(stored) == []
    assert stored.validate() == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_crash_between_inventory_and_sidecar_is_repaired(stored: StorageRoot) -> None:
    crash_during_write(stored, f"{OBJECT_ID}/inventory.json.sha512")
    assert stored.head(OBJECT_ID) == "v2"  # the inventory was the commit point
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>crashed</TEI>"
    assert [p.code for p in stored.validate()] == ["E060"]

    fixed = stored.recover()
    assert stored.path / OBJECT_ID / "inventory.json.sha512" in fixed
    assert stored.validate() == []
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=1)


def test_crash_before_a_new_object_appears_leaves_the_root_as_it_was(stored: StorageRoot) -> None:
    before = snapshot(stored.path)
    crash_during_write(stored, "new-letter", object_id="new-letter")
    assert snapshot(stored.path) == before
    assert stored.object_ids() == [OBJECT_ID]
    assert_ocfl_py_valid(stored.path, objects=1)
    leftovers = [stored.staging_dir / name for name in staging_leftovers(stored)]
    assert leftovers
    assert stored.recover() == leftovers
    assert staging_leftovers(stored) == []


def test_the_next_write_of_another_object_repairs_what_a_dead_writer_left(
    stored: StorageRoot,
) -> None:
    """A writer killed inside its commit left the object between versions: its stage names
    the object, so any next write (here: of a new object, in a batch) repairs it first."""
    stored.write_version("other", {"tei.xml": b"<TEI/>"}, "Other", user_address=ADDRESS)
    crash_during_write(stored, f"{OBJECT_ID}/inventory.json")  # v2 renamed in, not listed
    assert [p.code for p in stored.validate(OBJECT_ID)] == ["E046b"]
    with stored.batch():
        stored.write_version("new", {"tei.xml": b"<TEI>new</TEI>"}, "New", user_address=ADDRESS)
    assert stored.validate() == []
    assert stored.versions(OBJECT_ID) == ["v1"]
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=3)

    crash_during_write(stored, f"{OBJECT_ID}/inventory.json.sha512")  # inventory replaced
    stored.write_version("other", {"tei.xml": b"<TEI>2</TEI>"}, "Other", user_address=ADDRESS)
    assert stored.validate() == []
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>crashed</TEI>"  # it was committed
    assert_ocfl_py_valid(stored.path, objects=3)


def test_a_write_based_on_an_old_head_is_refused(stored: StorageRoot) -> None:
    files = {"tei.xml": b"<TEI>mine</TEI>"}
    assert stored.write_version(OBJECT_ID, files, "Edit", based_on="v1") == "v2"
    with pytest.raises(VersionConflict, match="is at v2, not at v1"):
        stored.write_version(OBJECT_ID, {"tei.xml": b"<TEI>lost</TEI>"}, "Edit", based_on="v1")
    with pytest.raises(AlreadyStored, match=r"was stored \(v2\) meanwhile"):
        stored.write_version(OBJECT_ID, files, "Ingest", based_on=NO_VERSION)
    with pytest.raises(VersionConflict, match="is not in the archive"):
        stored.write_version("missing", files, "Edit", based_on="v1")
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>mine</TEI>"
    assert stored.versions(OBJECT_ID) == ["v1", "v2"]
    assert "missing" not in stored.object_ids()


def test_a_second_writer_waits_then_gives_up(stored: StorageRoot, tmp_path: Path) -> None:
    impatient = StorageRoot(stored.path, lock_timeout=0.1)
    with (stored.path / LOCK_FILENAME).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreLocked, match="locked by another writer"):
            impatient.write_version(OBJECT_ID, {"tei.xml": b"<TEI/>"}, "Blocked")
    assert impatient.write_version(OBJECT_ID, {"tei.xml": b"<TEI/>"}, "Free") == "v2"


# -- batches of new objects ---------------------------------------------------------------------


BATCH_CRASH_SCRIPT = """
import os, sys
from pathlib import Path
from archive.store.ocfl import NO_VERSION, StorageRoot
store = StorageRoot(Path(sys.argv[1]))
with store.batch():
    store.write_version("staged-letter", {"tei.xml": b"<TEI>staged</TEI>"}, "Ingest")
    os._exit(9)  # dies before the batch is committed
"""


def test_a_batch_appears_only_when_committed(store: StorageRoot, tmp_path: Path) -> None:
    reader = StorageRoot(store.path)
    with store.batch():
        for number in range(3):
            files = letter_files(tmp_path, tei=f"<TEI>{number}</TEI>".encode())
            assert (
                store.write_version(f"letter-{number}", files, "Ingest", user_address=ADDRESS)
                == "v1"
            )
        assert store.staged == 3
        assert store.has("letter-1")  # the batch knows its own letters...
        assert reader.object_ids() == []  # ...nobody else sees them yet
        assert store.commit_batch() == ["letter-0", "letter-1", "letter-2"]
        assert reader.object_ids() == ["letter-0", "letter-1", "letter-2"]
        files = letter_files(tmp_path, tei=b"<TEI>3</TEI>")
        store.write_version("letter-3", files, "Ingest", user_address=ADDRESS)
    assert reader.read("letter-3", "tei.xml") == b"<TEI>3</TEI>"  # committed on leaving
    assert staging_leftovers(store) == []
    assert_ocfl_py_valid(store.path, objects=4)


def test_a_batch_left_by_an_error_stores_nothing(store: StorageRoot, tmp_path: Path) -> None:
    with pytest.raises(KeyError), store.batch():
        store.write_version("letter", letter_files(tmp_path), "Ingest", user_address=ADDRESS)
        raise KeyError("interrupted")
    assert store.object_ids() == []
    assert staging_leftovers(store) == []


def test_a_crashed_batch_leaves_the_root_as_it_was(stored: StorageRoot) -> None:
    before = snapshot(stored.path)
    result = subprocess.run(
        [sys.executable, "-c", BATCH_CRASH_SCRIPT, str(stored.path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 9, result.stderr
    assert snapshot(stored.path) == before
    assert staging_leftovers(stored) != []  # the dead batch's stage
    stored.write_version("next", {"tei.xml": b"<TEI/>"}, "Next", user_address=ADDRESS)
    assert staging_leftovers(stored) == []  # removed by the next writer
    assert_ocfl_py_valid(stored.path, objects=2)


def test_another_writer_leaves_a_live_batch_alone(stored: StorageRoot, tmp_path: Path) -> None:
    other = StorageRoot(stored.path)
    with stored.batch():
        stored.write_version("in-batch", letter_files(tmp_path), "Ingest", user_address=ADDRESS)
        other.write_version(
            OBJECT_ID, {"tei.xml": b"<TEI>edited</TEI>"}, "Edit", user_address=ADDRESS
        )
        assert stored.commit_batch() == ["in-batch"]
    assert other.read("in-batch", "tei.xml") == b"<TEI>first</TEI>\n"
    assert other.head(OBJECT_ID) == "v2"
    assert_ocfl_py_valid(stored.path, objects=2)


def test_a_batch_commits_around_an_object_another_writer_stored_meanwhile(
    store: StorageRoot, tmp_path: Path
) -> None:
    other = StorageRoot(store.path)
    with store.batch():
        for name in ("first", "shared", "last"):
            store.write_version(name, {"tei.xml": name.encode()}, "Ingest", user_address=ADDRESS)
        other.write_version("shared", {"tei.xml": b"shared"}, "Ingest", user_address=ADDRESS)
        assert store.commit_batch() == ["first", "last"]
        assert store.stored_meanwhile == ["shared"]
    assert store.object_ids() == ["first", "last", "shared"]
    assert staging_leftovers(store) == []
    assert_ocfl_py_valid(store.path, objects=3)


def test_stale_stages_and_temporary_files_go_when_a_batch_begins(
    store: StorageRoot,
) -> None:
    dead = 2**22 + 12345  # (beyond Linux's default pid_max: no such process)
    prefix = store.stager().prefix.rsplit("-", 2)[0] + f"-{dead}-"
    (store.staging_dir / f"{prefix}stage").mkdir()
    (store.staging_dir / f"{prefix}stage" / "tei.xml").write_bytes(b"<TEI/>")
    (store.staging_dir / f"{prefix}tempfile").write_bytes(b"half an inventory")
    with store.batch():
        assert staging_leftovers(store) == []


def test_a_batch_is_durable_without_syncfs(
    store: StorageRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(ocfl_module, "_LIBC", None)  # a C library without syncfs
    monkeypatch.setattr(os, "fsync", fsync)
    with store.batch():
        store.write_version("letter", letter_files(tmp_path), "Ingest", user_address=ADDRESS)
    monkeypatch.undo()
    # every staged file was fsynced one by one before the object was moved into place
    assert sum(path.endswith("/content/tei.xml") for path in synced) == 1
    assert sum(path.endswith("inventory.json.sha512") for path in synced) == 2
    assert_ocfl_py_valid(store.path, objects=1)


def test_a_failed_commit_names_the_letters_not_stored(
    store: StorageRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == store.path / "letter-1":
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    with store.batch():
        for number in range(3):
            files = letter_files(tmp_path, tei=f"<TEI>{number}</TEI>".encode())
            store.write_version(f"letter-{number}", files, "Ingest", user_address=ADDRESS)
        monkeypatch.setattr(os, "rename", rename)
        with pytest.raises(BatchWriteFailed, match="No space left") as caught:
            store.commit_batch()
        monkeypatch.undo()
    assert caught.value.object_ids == ["letter-1", "letter-2"]
    assert store.object_ids() == ["letter-0"]
    assert staging_leftovers(store) == []
    assert_ocfl_py_valid(store.path, objects=1)


STAGE_IN_CHILD_SCRIPT = """
import pickle, sys
from pathlib import Path
stager = pickle.loads(bytes.fromhex(sys.argv[1]))
files = {"tei.xml": b"<TEI>from a worker</TEI>", "original/letter.txt": Path(sys.argv[2])}
staged = stager.stage("worker-letter", files, "Ingest", user_address="mailto:a@example.org")
sys.stdout.write(pickle.dumps(staged).hex())
"""


def stage_in_child(store: StorageRoot, original: Path) -> ocfl_module.StagedObject:
    """Stage a new object in another process, as ingest's workers do."""
    result = subprocess.run(
        [sys.executable, "-c", STAGE_IN_CHILD_SCRIPT, pickle.dumps(store.stager()).hex(),
         str(original)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    staged = pickle.loads(bytes.fromhex(result.stdout))
    assert isinstance(staged, ocfl_module.StagedObject)
    return staged


def test_an_object_staged_in_another_process_is_committed_by_the_batch(
    stored: StorageRoot, tmp_path: Path
) -> None:
    original = tmp_path / "letter.txt"
    original.write_text("Dear Karin,\n", encoding="utf-8")
    with stored.batch():
        staged = stage_in_child(stored, original)  # that process has ended by now
        # a writer purging stale stages keeps it: it is named after this, the batch's, process
        StorageRoot(stored.path).write_version(
            OBJECT_ID, {"tei.xml": b"<TEI>edited</TEI>"}, "Edit", user_address=ADDRESS
        )
        assert staged.stage.is_dir()
        stored.adopt(staged)
        assert StorageRoot(stored.path).object_ids() == [OBJECT_ID]  # not before the commit
    assert stored.read("worker-letter", "original/letter.txt") == original.read_bytes()
    assert staging_leftovers(stored) == []
    assert_ocfl_py_valid(stored.path, objects=2)


def test_adopting_an_object_the_root_holds_refuses_it_and_removes_its_stage(
    stored: StorageRoot, tmp_path: Path
) -> None:
    staged = stored.stager().stage(OBJECT_ID, {"tei.xml": b"<TEI>again</TEI>"}, "Ingest")
    with stored.batch(), pytest.raises(AlreadyStored, match=r"was stored \(v1\) meanwhile"):
        stored.adopt(staged)
    assert stored.read(OBJECT_ID, "tei.xml") == b"<TEI>first</TEI>\n"
    assert staging_leftovers(stored) == []


def test_a_staged_object_stores_content_repeated_in_it_once(store: StorageRoot) -> None:
    files = {"tei.xml": b"<TEI/>", "z-copies/same.xml": b"<TEI/>", "dc.xml": b"<dc/>"}
    staged = store.stager().stage("repeats", files, "Ingest", user_address=ADDRESS)
    with store.batch():
        store.adopt(staged)
    content = store.path / "repeats" / "v1" / "content"
    # stored once, under the first path; no empty "z-copies/" left behind
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*")) == [
        "dc.xml",
        "tei.xml",
    ]
    assert store.read("repeats", "z-copies/same.xml") == b"<TEI/>"
    assert_ocfl_py_valid(store.path, objects=1)


# -- fixity check --------------------------------------------------------------------------------


def flip_a_content_byte(root: Path) -> None:
    path = root / OBJECT_ID / "v1/content/tei.xml"
    data = bytearray(path.read_bytes())
    data[1] ^= 0x20
    path.write_bytes(bytes(data))


def delete_a_content_file(root: Path) -> None:
    (root / OBJECT_ID / "v1/content/dc.xml").unlink()


def add_an_unlisted_content_file(root: Path) -> None:
    (root / OBJECT_ID / "v1/content/extra.txt").write_text("not in the manifest")


def edit_the_root_inventory(root: Path) -> None:
    path = root / OBJECT_ID / "inventory.json"
    path.write_text(path.read_text() + " ")


def remove_the_root_sidecar(root: Path) -> None:
    (root / OBJECT_ID / "inventory.json.sha512").unlink()


def leave_an_unlisted_version(root: Path) -> None:
    (root / OBJECT_ID / "v2/content").mkdir(parents=True)
    (root / OBJECT_ID / "v2/content/tei.xml").write_text("half-written")


# tampering -> (codes our validate() reports, path they name relative to the object root)
TAMPERING = {
    flip_a_content_byte: ({"E092a", "E093a"}, "v1/content/tei.xml"),
    delete_a_content_file: ({"E092b"}, "v1/content/dc.xml"),
    add_an_unlisted_content_file: ({"E023a"}, "v1/content/extra.txt"),
    edit_the_root_inventory: ({"E060", "E064"}, None),
    remove_the_root_sidecar: ({"E058a"}, "inventory.json.sha512"),
    leave_an_unlisted_version: ({"E046b"}, "v2"),
}


@pytest.mark.parametrize(
    ("tamper", "expected"), TAMPERING.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_validate_reports_tampering_with_ocfl_codes(
    stored: StorageRoot, tamper, expected: tuple[set[str], str | None]
) -> None:
    codes, relative = expected
    tamper(stored.path)
    problems = stored.validate()
    assert {p.code for p in problems} == codes, problems
    if relative is not None:
        assert stored.path / OBJECT_ID / relative in {p.path for p in problems}
    assert all(p.message and not p.is_warning for p in problems)
    assert all(
        p.spec_url and p.spec_url.startswith("https://ocfl.io/1.1/spec/#E") for p in problems
    )
    assert stored.validate(OBJECT_ID) == problems
    valid, _objects, ocfl_py_codes, _messages = ocfl_py_report(stored.path)
    assert not valid
    assert codes <= ocfl_py_codes  # ocfl-py reports the same faults under the same codes


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "object_id",
    [
        "",
        ".",
        "..",
        "a/b",
        "a b",
        "lettre-é",
        "-rf",
        ".hidden",
        "extensions",
        "ocfl_layout.json",
        LOCK_FILENAME,
        "x" * 256,
    ],
)
def test_invalid_identifiers_are_rejected(store: StorageRoot, object_id: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        store.write_version(object_id, {"tei.xml": b"<TEI/>"}, "Bad id")
    assert "\n" not in str(caught.value)
    assert "A-Z a-z 0-9" in str(caught.value)
    with pytest.raises(InvalidIdentifier):
        store.has(object_id)
    assert store.object_ids() == []


@pytest.mark.parametrize(
    "files",
    [
        {"": b"x"},
        {"/abs": b"x"},
        {"a//b": b"x"},
        {"../up": b"x"},
        {"a/./b": b"x"},
        {"trailing/": b"x"},
        {"a": b"x", "a/b": b"y"},
    ],
)
def test_invalid_logical_paths_are_rejected(store: StorageRoot, files: dict[str, bytes]) -> None:
    with pytest.raises(InvalidLogicalPath):
        store.write_version(OBJECT_ID, files, "Bad path")
    assert store.object_ids() == []


def test_missing_things_raise_typed_errors(stored: StorageRoot) -> None:
    with pytest.raises(ObjectNotFound, match="not in the archive"):
        stored.inventory("no-such-letter")
    with pytest.raises(VersionNotFound, match="v9"):
        stored.read(OBJECT_ID, "tei.xml", version="v9")
    with pytest.raises(LogicalPathNotFound, match=re.escape("nope.xml")):
        stored.read(OBJECT_ID, "nope.xml")
    with pytest.raises(ObjectNotFound):
        stored.validate("no-such-letter")
