"""Crash safety: real ingests and edits killed with SIGKILL at many points lose nothing.

The real CLI is killed in two ways:

* a subprocess of the installed ``epistula``, killed from outside at points seen from outside:
  while its batch commit waits for the store's write lock (this test holds the lock), while it
  waits for the index's lock (held here too; the CLI says so on stderr), and at spread-out
  moments of its run;
* the CLI's own code (``archive.cli.main``) in a forked child that SIGKILLs itself just before
  its k-th change to the filesystem (each ``os`` rename, replace, mkdir, rmdir, unlink, fsync or
  file creation), for every k of an edit and for ks spread over an ingest, its commit renames
  into ``store/`` and ``index/`` included. Only the child is patched, and only to kill itself
  at a chosen step: nothing in Epistula reads a test setting.

After each kill: no process of the killed command is left (this test process is made the
"subreaper" that would inherit them), the command's caller got its exit status back, and then
``validate --repair`` or the next write (the same command run again) leaves the archive with
``validate``, ocfl-py's validator and ``verify --index`` clean, nothing left in ``tmp/``, and
every letter the killed command had committed still there.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from archive.store.constants import LOCK_FILENAME
from tests.archive.test_ocfl import ocfl_py_report
from tests.support import epistula_command, need

PR_SET_CHILD_SUBREAPER = 36
#: letters per ingest: fewer than a batch commit holds (64), so one run commits them at its end
LETTERS = 24


# -- helpers: processes --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def subreaper() -> Iterator[None]:
    """Make this process inherit the orphans of the commands it runs (as init would), so a
    worker that outlived its killed command shows up as our child."""
    need(sys.platform.startswith("linux"), "process checks need Linux's /proc and prctl")
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def children() -> dict[int, str]:
    """This process's living children (zombies reaped), with their command lines."""
    found: dict[int, str] = {}
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            for pid in map(int, (task / "children").read_text().split()):
                with contextlib.suppress(ChildProcessError):
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        continue  # it had ended: reaped now
                with contextlib.suppress(OSError):
                    found[pid] = (Path(f"/proc/{pid}/cmdline").read_bytes()).decode(
                        errors="replace"
                    )
    return found


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found |= set(map(int, (task / "children").read_text().split()))
    return found


def assert_no_process_left(before: dict[int, str]) -> None:
    """No child of ours but those there ``before`` (a killed worker needs a moment to go)."""
    deadline = time.monotonic() + 5
    while (left := set(children()) - set(before)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes left by the killed command: {left}"


# -- helpers: letters and the archive ------------------------------------------------------------


def write_letters(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        path = folder / f"letter_{number:03d}.txt"
        path.write_text(
            f"Leeds, {1 + number % 28} March 1890\n\nDear Anna,\n\nThis is letter number {number}"
            f" about the garden.\nWe are well.\n\nYours ever,\nTom Hart\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def invoke(archive: Path, *args: str) -> tuple[int, str]:
    """The real CLI, in this process."""
    result = CliRunner().invoke(cli, ["--archive", str(archive), *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def stored_ids(archive: Path) -> set[str]:
    store = archive / "store"
    return {p.name for p in store.iterdir() if (p / "0=ocfl_object_1.1").is_file()}


def assert_clean(archive: Path, committed: set[str]) -> None:
    """validate, ocfl-py and verify --index clean; nothing staged; ``committed`` all kept."""
    code, out = invoke(archive, "validate", "--json")
    assert code == 0 and json.loads(out)["valid"], out
    ids = stored_ids(archive)
    assert committed <= ids
    assert_ocfl_py_valid(archive / "store", objects=len(ids))
    code, out = invoke(archive, "verify", "--index", "--json")
    assert code == 0 and json.loads(out)["valid"], out
    assert sorted(p.name for p in (archive / "tmp").iterdir()) == []


def assert_ocfl_py_valid(store: Path, objects: int) -> None:
    """ocfl-py finds the storage root valid, with no error. (Its warnings W005, an id that is
    no URI, and W008, a version's user without an address, are what every Epistula ingest
    gets: see tests/archive/test_ocfl.py.)"""
    valid, found, codes, messages = ocfl_py_report(store)
    assert valid and found == objects, messages
    assert codes <= {"W005", "W008"}, messages


def repair(archive: Path) -> None:
    code, out = invoke(archive, "validate", "--repair", "--json")
    assert code == 0, out
    assert "repaired" in json.loads(out)


# -- helpers: a command killed at its k-th filesystem step --------------------------------------

#: the os functions that change the filesystem (os.open only when it may create or write)
STEPS = ("rename", "replace", "mkdir", "rmdir", "unlink", "fsync", "open")
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def run_killed_at(step: int | None, args: list[str], trace: Path) -> int:
    """Run ``epistula ARGS`` (the CLI's code) in a forked child that SIGKILLs itself just
    before its ``step``-th filesystem change (None: never). The child records each step in
    ``trace`` (one JSON line each, the last being the one it died at); returns its status."""
    pid = os.fork()
    if pid == 0:  # the child: nothing of it returns
        try:
            _follow_steps(step, trace)
            quiet = open(os.devnull, "w")  # noqa: SIM115 (the child's for life)
            os.dup2(quiet.fileno(), 1)
            os.dup2(quiet.fileno(), 2)
            sys.stdout = sys.stderr = quiet  # (pytest's capture replaced them)
            try:
                cli.main(args=args, prog_name="epistula", standalone_mode=True)
            except SystemExit as exit_:
                os._exit(exit_.code if isinstance(exit_.code, int) else 1)
            os._exit(0)
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return status


def _follow_steps(kill_at: int | None, trace: Path) -> None:
    main = os.getpid()
    log = open(trace, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 (the child's for life)
    count = 0

    def wrapped(name: str, real: Callable[..., object]) -> Callable[..., object]:
        def step(*args: object, **kwargs: object) -> object:
            nonlocal count
            writing = name != "open" or (len(args) > 1 and int(args[1]) & WRITING)  # type: ignore[call-overload]
            if os.getpid() == main and writing:
                count += 1
                paths = [str(a) for a in args if isinstance(a, str | Path)]
                log.write(json.dumps({"step": count, "op": name, "paths": paths}) + "\n")
                if count == kill_at:
                    os.kill(main, signal.SIGKILL)
            return real(*args, **kwargs)

        return step

    for name in STEPS:
        setattr(os, name, wrapped(name, getattr(os, name)))


def read_trace(trace: Path) -> list[dict]:
    return [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]


def killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


# -- ingest ------------------------------------------------------------------------------------


def test_a_killed_ingest_leaves_no_worker_and_its_caller_gets_its_status(tmp_path: Path) -> None:
    """SIGKILL of `epistula ingest --jobs 2` while its workers read: they go too, so the
    pipes they inherited close and the caller's wait for its output returns."""
    before = children()
    folder = tmp_path / "letters"
    write_letters(folder, 400)
    process = subprocess.Popen(
        [*epistula_command(), "--archive", str(tmp_path / "a"), "ingest", str(folder), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # kill it once its two workers are at work
    wait_for(lambda: len(children_of(process.pid)) == 2 or process.poll() is not None)
    workers = children_of(process.pid)
    process.kill()
    process.communicate(timeout=20)  # returns only when every holder of its pipes is gone
    assert process.returncode == -signal.SIGKILL
    assert_no_process_left(before)
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or "Z" in _state(worker)
    repair(tmp_path / "a")
    assert_clean(tmp_path / "a", set())


def _state(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return "gone"


def ingest_args(archive: Path, folder: Path) -> list[str]:
    return ["--archive", str(archive), "ingest", str(folder), "--jobs", "2", "--json"]


def test_ingest_killed_at_steps_spread_over_it_loses_nothing(tmp_path: Path) -> None:
    """An ingest killed before each of ~20 of its filesystem steps, spread over its whole
    run and including the renames that commit letters into store/ and the index's commit."""
    folder = tmp_path / "letters"
    write_letters(folder, LETTERS)
    full = tmp_path / "full.jsonl"
    status = run_killed_at(None, ingest_args(tmp_path / "calibration", folder), full)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    steps = read_trace(full)
    store_commits = [
        s["step"] for s in steps if s["op"] == "rename" and "/store/" in s["paths"][-1]
    ]
    index_steps = [s["step"] for s in steps if any("/index/" in p for p in s["paths"])]
    assert len(store_commits) == LETTERS and index_steps
    # the first, a middle and the last commit rename; index steps; the rest spread evenly
    chosen = {store_commits[0], store_commits[len(store_commits) // 2], store_commits[-1]}
    chosen |= {index_steps[0], index_steps[len(index_steps) // 2], index_steps[-1]}
    parts = 15
    while len(chosen | {1 + i * (len(steps) - 1) // parts for i in range(parts + 1)}) < 22:
        parts += 1
    chosen |= {1 + i * (len(steps) - 1) // parts for i in range(parts + 1)}
    before = children()
    hit: set[str] = set()
    kills = 0
    for trial, step in enumerate(sorted(chosen)):
        archive = tmp_path / f"a{trial}"
        trace = tmp_path / f"trace{trial}.jsonl"
        status = run_killed_at(step, ingest_args(archive, folder), trace)
        assert_no_process_left(before)
        if not killed(status):  # this run took fewer steps than the first: it ran to its end
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and step > 1
            assert len(read_trace(trace)) < step
        else:
            kills += 1
            hit.add(_where(read_trace(trace)[-1]))
        exists = Archive(archive).exists
        committed = stored_ids(archive) if exists else set()
        if trial % 2 and exists:
            repair(archive)  # the repair alone …
        else:  # … or the next write: the same command again
            code, out = invoke(archive, *ingest_args(archive, folder)[2:])
            assert code == 0, out
            report = json.loads(out)
            unchanged = {r["id"] for r in report["results"] if r["status"] == "unchanged"}
            assert unchanged == committed and report["added"] == LETTERS - len(committed)
        assert_clean(archive, committed)
    assert kills >= 20 and {"store commit", "index"} <= hit, (kills, hit)


def _where(step: dict) -> str:
    paths = step["paths"]
    if step["op"] == "rename" and paths and "/store/" in paths[-1]:
        return "store commit"
    if any("/index/" in p for p in paths):
        return "index"
    return step["op"]


@contextlib.contextmanager
def holding(lock_file: Path) -> Iterator[None]:
    """Hold a write lock as Epistula's store and Whoosh take it (flock on the file)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start_ingest(archive: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *epistula_command(),
            "--archive",
            str(archive),
            "ingest",
            str(folder),
            "-j",
            "2",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the command never got there"
        time.sleep(0.01)


def test_ingest_killed_from_outside_in_its_commits_and_at_spread_moments(tmp_path: Path) -> None:
    """The real `epistula ingest` killed while its store commit waits for the store's lock,
    while its index commit waits for the index's, and at moments spread over a run."""
    before = children()
    folder = tmp_path / "letters"
    write_letters(folder, LETTERS)
    archive = tmp_path / "store-commit"
    Archive(archive).store(create=True)
    # letters staged, then the commit waits for the lock this test holds: kill it there
    with holding(archive / "store" / LOCK_FILENAME):
        process = start_ingest(archive, folder)
        wait_for(lambda: len(list((archive / "tmp").glob("ocfl-stage-*"))) == LETTERS)
        time.sleep(0.3)
        process.kill()
        process.communicate(timeout=20)
    assert_no_process_left(before)
    assert stored_ids(archive) == set()
    repair(archive)
    assert_clean(archive, set())

    archive = tmp_path / "index-commit"
    index_lock = archive / "index" / "MAIN_WRITELOCK"
    with holding(index_lock):
        process = start_ingest(archive, folder)
        wait_for(
            lambda: len(stored_ids(archive)) == LETTERS if (archive / "store").is_dir() else False
        )
        time.sleep(0.3)  # (it says "Waiting for the search index" and polls the lock)
        process.kill()
        _, err = process.communicate(timeout=20)
    assert "Waiting for the search index" in err
    assert_no_process_left(before)
    committed = stored_ids(archive)
    assert len(committed) == LETTERS
    repair(archive)  # the letters are stored: the repair indexes them
    assert_clean(archive, committed)

    # spread over a run: from before the archive exists to the index's last commit
    started = time.monotonic()
    code, _ = invoke(tmp_path / "timing", "ingest", str(folder), "-j", "2")
    run = time.monotonic() - started + 0.5  # (the script's start-up, which CliRunner skips)
    assert code == 0
    for trial in range(6):
        archive = tmp_path / f"spread{trial}"
        process = start_ingest(archive, folder)
        time.sleep(0.4 + trial * run / 6)
        process.kill()
        out, _ = process.communicate(timeout=20)
        assert_no_process_left(before)
        reported = added_in(out)
        if not (archive / "store").is_dir():
            continue
        committed = stored_ids(archive) | reported
        repair(archive)
        assert_clean(archive, committed)


def added_in(output: str) -> set[str]:
    """The letters a command reported ``added`` (none if it was killed before its report)."""
    try:
        return {r["id"] for r in json.loads(output)["results"] if r["status"] == "added"}
    except ValueError:
        return set()


def test_a_double_ctrl_c_during_the_last_index_commit_leaves_no_stage(tmp_path: Path) -> None:
    before = children()
    folder = tmp_path / "letters"
    write_letters(folder, LETTERS)
    archive = tmp_path / "a"
    with holding(archive / "index" / "MAIN_WRITELOCK"):
        process = start_ingest(archive, folder)
        wait_for(lambda: (archive / "store").is_dir() and len(stored_ids(archive)) == LETTERS)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert "Stopped at once" in err and "Traceback" not in err
    assert_no_process_left(before)
    assert sorted(p.name for p in (archive / "tmp").iterdir()) == []  # nothing to repair first
    code, out = invoke(archive, *ingest_args(archive, folder)[2:])  # run again, as it says
    assert code == 0 and json.loads(out)["unchanged"] == LETTERS, out
    assert_clean(archive, stored_ids(archive))


# -- edit ----------------------------------------------------------------------------------------


def head_title(archive: Path, object_id: str) -> str:
    return Archive(archive).card(object_id).title


def test_edit_killed_at_every_step_keeps_the_letter_whole(tmp_path: Path) -> None:
    """An edit killed before each of its filesystem steps, every one (the version's staging,
    its rename into the object, the inventory's replace that commits it, the sidecar's, the
    index's commit): the letter is at its old version or its new one, never between, and the
    repair (or the edit run again) leaves the archive clean."""
    folder = tmp_path / "letters"
    write_letters(folder, 3)
    archive = tmp_path / "a"
    code, out = invoke(archive, "ingest", str(folder), "--json")
    assert code == 0, out
    target, other = sorted(stored_ids(archive))[:2]

    def edit(title: str) -> list[str]:
        return ["--archive", str(archive), "edit", target, "--set", f"title={title}", "--json"]

    full = tmp_path / "full.jsonl"
    status = run_killed_at(None, edit("Calibration"), full)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    steps = len(read_trace(full))
    assert steps >= 20
    before = children()
    hit: set[str] = set()
    kills = 0
    for step in range(1, steps + 1):
        old_title = head_title(archive, target)
        old_versions = Archive(archive).store().versions(target)
        title = f"Title at step {step}"
        status = run_killed_at(step, edit(title), tmp_path / "trace.jsonl")
        assert_no_process_left(before)
        if not killed(status):  # this edit took fewer steps than the first: it ran to its end
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            assert len(read_trace(tmp_path / "trace.jsonl")) < step
        else:
            kills += 1
            hit.add(_where(read_trace(tmp_path / "trace.jsonl")[-1]))
        if step % 2:
            repair(archive)
        else:  # the next write repairs it: an edit of another letter …
            code, out = invoke(archive, "edit", other, "--set", f"title=Other {step}", "--json")
            assert code == 0, out
        versions = Archive(archive).store().versions(target)
        # the letter is at its old version, or at the new one with the new title
        assert versions in (old_versions, [*old_versions, f"v{len(old_versions) + 1}"])
        assert head_title(archive, target) == (title if versions != old_versions else old_title)
        code, out = invoke(archive, *edit(title)[2:])  # … and the edit run again
        assert code == 0, out
        assert head_title(archive, target) == title
        assert_clean(archive, stored_ids(archive))
    assert kills >= 20 and {"rename", "replace", "index"} <= hit, (kills, hit)


def test_edit_killed_from_outside_while_it_waits_for_the_index(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    write_letters(folder, 1)
    archive = tmp_path / "a"
    assert invoke(archive, "ingest", str(folder))[0] == 0
    (target,) = stored_ids(archive)
    before = children()
    with holding(archive / "index" / "MAIN_WRITELOCK"):
        process = subprocess.Popen(
            [*epistula_command(), "--archive", str(archive), "edit", target, "--set", "title=New"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: Archive(archive).store().versions(target) == ["v1", "v2"])
        time.sleep(0.3)
        process.kill()
        process.communicate(timeout=20)
    assert_no_process_left(before)
    code, out = invoke(archive, "verify", "--index", "--json")
    assert code != 0 and json.loads(out)["problems"][0]["code"] == "index-stale"
    repair(archive)
    assert head_title(archive, target) == "New"
    assert_clean(archive, {target})
