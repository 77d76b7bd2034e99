"""Concurrent writers: real `epistula` processes writing one archive at once lose nothing.

Ingests over overlapping files report each letter ``added`` by exactly one of them and
``unchanged`` by the others (never ``failed``), and concurrent edits of one letter keep every
change. Where timing alone might not make the writers meet, this test holds the store's write
lock while they start, so that they all reach their commit with what they read before any of
them wrote: the case that lost updates and dropped whole batches before.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.api import Archive
from archive.store.constants import LOCK_FILENAME
from tests.archive.test_crash_safety import assert_clean, stored_ids, write_letters
from tests.support import epistula_command


def start(archive: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*epistula_command(), "--archive", str(archive), *args, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return json.loads(out)


@contextmanager
def store_locked(archive: Path) -> Iterator[None]:
    """Hold the store's write lock (as a writer does) for the block."""
    with (archive / "store" / LOCK_FILENAME).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def overlapping_folders(tmp_path: Path, writers: int, per_writer: int = 40) -> list[Path]:
    """``writers`` folders of ``per_writer`` letters, each sharing half its letters with the
    next (the same bytes under another path)."""
    letters = write_letters(tmp_path / "all", per_writer // 2 * (writers + 1))
    folders = []
    for writer in range(writers):
        folder = tmp_path / f"writer{writer}"
        folder.mkdir()
        for letter in letters[writer * per_writer // 2 : (writer + 2) * per_writer // 2]:
            (folder / letter.name).write_bytes(letter.read_bytes())
        folders.append(folder)
    return folders


def check_ingests(archive: Path, reports: list[dict], folders: list[Path]) -> None:
    by_name: dict[str, set[str]] = {}  # letter file name → the ids reported for it
    added: list[str] = []
    for report in reports:
        assert report["failed"] == 0, [r for r in report["results"] if r["status"] == "failed"]
        for result in report["results"]:
            assert result["status"] in ("added", "unchanged"), result
            by_name.setdefault(Path(result["file"]).name, set()).add(result["id"])
            if result["status"] == "added":
                added.append(result["id"])
    assert all(len(ids) == 1 for ids in by_name.values()), by_name
    distinct = {p.name for folder in folders for p in folder.iterdir()}
    assert set(by_name) == distinct
    assert sorted(added) == sorted(set(added))  # each letter added by one writer only
    assert set(added) == stored_ids(archive) and len(added) == len(distinct)
    assert_clean(archive, set(added))


@pytest.mark.parametrize("writers", [2, 3])
def test_ingests_over_overlapping_files_store_each_letter_once(
    tmp_path: Path, writers: int
) -> None:
    folders = overlapping_folders(tmp_path, writers)
    archive = tmp_path / "archive"
    processes = [start(archive, "ingest", str(folder), "-j", "2") for folder in folders]
    check_ingests(archive, [finish(p) for p in processes], folders)


@pytest.mark.parametrize("writers", [2, 3])
def test_ingests_meeting_at_their_commit_keep_every_other_letter(
    tmp_path: Path, writers: int
) -> None:
    """Each ingest stages its letters while another writer holds the lock, so they all find
    the shared letters stored by another at commit time: those are ``unchanged``, and the rest
    of each batch is stored all the same (once, 63 letters of 64 were dropped)."""
    folders = overlapping_folders(tmp_path, writers)
    archive = tmp_path / "archive"
    Archive(archive).store(create=True)
    with store_locked(archive):
        processes = [start(archive, "ingest", str(folder), "-j", "2") for folder in folders]
        expected = sum(len(list(folder.iterdir())) for folder in folders)
        deadline = time.monotonic() + 60
        # every letter of every writer staged: each waits at its commit for the lock
        while len(list((archive / "tmp").glob("ocfl-stage-*"))) < expected:
            assert time.monotonic() < deadline, "the ingests never staged their letters"
            time.sleep(0.02)
    check_ingests(archive, [finish(p) for p in processes], folders)


def edited_fields(archive: Path, object_id: str) -> dict[str, object]:
    card = Archive(archive).card(object_id)
    return {
        "title": card.title,
        "place_sent": card.place_sent,
        "recipients": list(card.recipients),
    }


EDITS = [
    ("title=A title of one", "title", "A title of one"),
    ("place_sent=Leeds", "place_sent", "Leeds"),
    ("recipients=Ada Hart", "recipients", ["Ada Hart"]),
]


@pytest.mark.parametrize("writers", [2, 3])
@pytest.mark.parametrize("meeting", [False, True], ids=["at-once", "all-read-before-any-writes"])
def test_concurrent_edits_of_one_letter_keep_every_change(
    tmp_path: Path, writers: int, meeting: bool
) -> None:
    write_letters(tmp_path / "letters", 1)
    archive = tmp_path / "archive"
    assert Archive(archive).ingest([tmp_path / "letters"]).count("added") == 1
    (letter,) = stored_ids(archive)
    edits = EDITS[:writers]
    if meeting:  # they all read v1, then wait to write it
        with store_locked(archive):
            processes = [start(archive, "edit", letter, "--set", e[0]) for e in edits]
            time.sleep(2.0)
    else:
        processes = [start(archive, "edit", letter, "--set", e[0]) for e in edits]
    versions = sorted(finish(p)["version"] for p in processes)
    assert versions == [f"v{n}" for n in range(2, writers + 2)]  # one version per edit
    fields = edited_fields(archive, letter)
    for _assignment, name, value in edits:
        assert fields[name] == value, fields
    assert Archive(archive).store().versions(letter) == [f"v{n}" for n in range(1, writers + 2)]
    assert_clean(archive, {letter})
