"""The index follows the store: ``verify --index`` finds what is missing, stale or orphaned,
and a second process that writes at the same time waits for the lock instead of failing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from archive.services.indexing import letters_for_index
from search import indexer
from tests.support import ROOT, SAMPLES, epistula_command, run_cli

LETTERS = SAMPLES / "letters"

#: holds the index's write lock (as a writer in another process would) until stdin closes
HOLD_LOCK = """
import sys
from pathlib import Path
from search.indexer import open_index
ix = open_index(Path(sys.argv[1]))
writer = ix.writer()
print("locked", flush=True)
sys.stdin.read()
writer.cancel()
"""


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("samples") / "archive"
    report = Archive(archive).ingest([LETTERS])
    assert report.count("failed") == 0 and report.index_error is None
    return archive


@pytest.fixture
def copy(samples: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(samples, target)
    return target


def verify(archive: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["--archive", str(archive), "verify", "--index", *args])
    return result.exit_code, json.loads(result.stdout)


def letter_id(archive: Path, needle: str) -> str:
    return next(i for i in Archive(archive).ids() if needle in i)


def test_a_fresh_archive_verifies(samples):
    code, report = verify(samples, "--json")
    assert code == 0
    assert report == {
        "checked": 7, "indexed": 7, "valid": True, "problems": [], "fixed": 0,
    }  # fmt: skip


def test_a_letter_deleted_from_the_index_is_missing(copy):
    gone = letter_id(copy, "lund")
    assert indexer.remove(copy / "index", [gone]) == 1
    code, report = verify(copy, "--json")
    assert code == 1
    assert report["problems"] == [
        {"id": gone, "code": "index-missing", "message": "not in the search index"}
    ]
    code, report = verify(copy, "--fix", "--json")
    assert code == 0 and report["fixed"] == 1
    assert verify(copy, "--json")[1]["valid"] is True


def test_a_letter_whose_tei_changed_after_indexing_is_stale(copy):
    changed = letter_id(copy, "margot")
    archive = Archive(copy)
    store = archive.store()
    files = {p: store.path_of(changed, p) for p in store.logical_paths(changed)}
    files["tei.xml"] = archive.tei_bytes(changed).replace(b"Lisbonne", b"Lisboa")
    assert store.write_version(changed, files, "Corrected a place name") == "v2"
    code, report = verify(copy, "--json")
    assert code == 1
    (problem,) = report["problems"]
    assert problem["id"] == changed and problem["code"] == "index-stale"
    assert "v1" in problem["message"] and "v2" in problem["message"]
    assert archive.search("Lisboa").total == 0  # the index still has the old text
    assert verify(copy, "--fix", "--json")[0] == 0
    assert [h.id for h in archive.search("Lisboa").hits] == [changed]


def test_a_letter_gone_from_the_store_is_an_orphan(copy):
    gone = letter_id(copy, "virtanen")
    shutil.rmtree(copy / "store" / gone)
    result = CliRunner().invoke(cli, ["--archive", str(copy), "verify", "--index"])
    assert result.exit_code == 1
    assert f"{gone}: [index-orphan] in the search index but not in the archive" in result.stdout
    assert "6 letters archived, 7 indexed, 1 problems" in result.stderr


def test_reindex_after_the_index_is_deleted_verifies(copy):
    shutil.rmtree(copy / "index")
    code, report = verify(copy, "--json")
    assert code == 1 and {p["code"] for p in report["problems"]} == {"index-missing"}
    assert CliRunner().invoke(cli, ["--archive", str(copy), "reindex"]).exit_code == 0
    assert verify(copy, "--json")[1]["valid"] is True


def _hold_lock(index: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(index)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_waits_for_the_lock(copy, tmp_path):
    epistula_command()
    letter = tmp_path / "note.txt"
    letter.write_text("Uppsala den 3 mars 2015\n\nKära Erik,\n\nTack för kartan över Fyrisån.\n")
    holder = _hold_lock(copy / "index")
    try:
        env = {**os.environ, "EPISTULA_LOCK_TIMEOUT": "120"}
        env.pop("EPISTULA_ARCHIVE", None)
        second = subprocess.Popen(
            [*epistula_command(), "--archive", str(copy), "ingest", str(letter)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert second.stderr is not None
        assert "Waiting for the search index" in second.stderr.readline()
    finally:
        holder.communicate("")  # the first writer finishes; the second goes on
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.startswith("added ")
    assert Archive(copy).search("Fyrisån kartan").total == 1
    code, report = verify(copy, "--json")
    assert code == 0 and report["indexed"] == 8


def test_a_writer_that_waits_too_long_says_so(copy):
    holder = _hold_lock(copy / "index")
    try:
        env_result = subprocess.run(
            [*epistula_command(), "--archive", str(copy), "reindex"],
            capture_output=True,
            text=True,
            env={**os.environ, "EPISTULA_LOCK_TIMEOUT": "0.5"},
            timeout=120,
        )
    finally:
        holder.communicate("")
    assert env_result.returncode == 1
    assert "is being written by another process" in env_result.stderr
    assert "try again" in env_result.stderr
    assert verify(copy, "--json")[1]["valid"] is True  # nothing was half-written


def test_two_processes_ingesting_at_once_both_land_in_the_index(copy, tmp_path):
    files = []
    for n, town in enumerate(("Visby", "Umeå")):
        letter = tmp_path / f"letter-{n}.txt"
        letter.write_text(
            f"{town} den {n + 4} mars 2015\n\nKära Erik,\n\nHälsningar från {town}.\n"
        )
        files.append(letter)
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    writers = [
        subprocess.Popen(
            [*epistula_command(), "--archive", str(copy), "ingest", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in files
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    assert run_cli(copy, "search", "Visby OR Umeå", "--json").returncode == 0
    assert Archive(copy).search("Visby OR Umeå").total == 2
    assert verify(copy, "--json")[1]["valid"] is True


def _reindex_waiting_at_most_half_a_second(archive: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*epistula_command(), "--archive", str(archive), "reindex"],
        capture_output=True,
        text=True,
        env={**os.environ, "EPISTULA_LOCK_TIMEOUT": "0.5"},
        timeout=120,
    )


def test_a_feed_lets_other_writers_in_between_its_commits(copy):
    # ingest feeds the index as it stores letters: a long batch must not lock others out
    # the cards with the version each is indexed from
    cards = list(letters_for_index(Archive(copy).letters()))
    with indexer.Feed(copy / "index", commit_seconds=3600) as feed:
        feed.add(cards[:3])  # its writer is open, holding the lock
        assert _reindex_waiting_at_most_half_a_second(copy).returncode == 1
    with indexer.Feed(copy / "index", commit_seconds=0) as feed:
        feed.add(cards[:3])  # committed at once
        assert Archive(copy).search("*").total == len(cards)
        result = _reindex_waiting_at_most_half_a_second(copy)
        assert result.returncode == 0, result.stderr
        feed.add(cards[3:])
    report = verify(copy, "--json")[1]
    assert report["valid"] is True, report


def _ingest_while_the_index_is_locked(archive: Path, folder: Path) -> tuple[Path, Any]:
    """A letter ingested while another process holds the index's lock (for longer than the
    ingest waits): stored, not indexed."""
    letter = folder / "note.txt"
    letter.write_text("Visby den 9 mars 2015\n\nKära Erik,\n\nHälsningar från Almedalen.\n")
    holder = _hold_lock(archive / "index")
    try:
        result = subprocess.run(
            [*epistula_command(), "--archive", str(archive), "ingest", str(letter)],
            capture_output=True,
            text=True,
            env={**os.environ, "EPISTULA_LOCK_TIMEOUT": "0.5"},
            timeout=120,
        )
    finally:
        holder.communicate("")
    return letter, result


def test_ingesting_the_same_files_again_indexes_the_letters_the_index_lacks(copy, tmp_path):
    # stored, never indexed: a second run finds the file unchanged, and indexes its letter
    # rather than leaving search without it
    letter, locked = _ingest_while_the_index_is_locked(copy, tmp_path)
    assert locked.returncode == 0 and Archive(copy).search("Almedalen").total == 0
    again = run_cli(copy, "ingest", str(letter))
    assert again.returncode == 0 and again.stdout.startswith("unchanged ")
    assert Archive(copy).search("Almedalen").total == 1
    assert verify(copy, "--json")[1]["valid"] is True


def test_an_ingest_that_cannot_index_keeps_the_letters_and_says_how_to_catch_up(copy, tmp_path):
    _letter, result = _ingest_while_the_index_is_locked(copy, tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("added ")
    assert "the letters are stored, run 'epistula reindex'" in result.stderr
    code, report = verify(copy, "--json")
    assert code == 1 and [p["code"] for p in report["problems"]] == ["index-missing"]
    assert verify(copy, "--fix", "--json")[0] == 0
    assert Archive(copy).search("Almedalen").total == 1
