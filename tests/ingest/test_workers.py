"""The worker pool ingest and exports share: order, limits, crashes, and no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ingest.workers import Pool, Work
from tests.support import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork-based pool")


def _square(n: int) -> int:
    if n == 13:
        raise ValueError("thirteen is refused")
    if n == 21:
        os._exit(3)  # a crash in a parsing library, as far as the pool can tell
    if n == 34:
        time.sleep(30)
    return n * n


WORK = Work(
    do=_square,
    failed=lambda n, err: f"failed {n}: {err}",
    crashed=lambda n: f"crashed {n}",
    timed_out=lambda n: f"timed out {n}",
)


def test_outcomes_come_in_item_order_whatever_the_chunks() -> None:
    items = [n for n in range(60) if n not in (13, 21, 34)]
    for chunk in (1, 7):
        with Pool(WORK, 2, chunk=chunk) as pool:
            assert list(pool.run(items)) == [(n, n * n) for n in items]


def test_a_failure_a_crash_and_a_timeout_cost_only_their_own_item() -> None:
    items = list(range(40))
    with Pool(WORK, 2, timeout=1.0) as pool:
        outcomes = dict(pool.run(items))
    assert outcomes[13] == "failed 13: thirteen is refused"
    assert outcomes[21] == "crashed 21"
    assert outcomes[34] == "timed out 34"
    assert all(outcomes[n] == n * n for n in items if n not in (13, 21, 34))


def test_workers_die_with_the_process_that_started_them(tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the workers must go by themselves (parent-death signal)."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from ingest.workers import Pool, Work

        def nap(n):
            with open({str(pids)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            time.sleep(60)
            return n

        work = Work(do=nap, failed=lambda n, e: None, crashed=lambda n: None)
        with Pool(work, 2) as pool:
            list(pool.run([1, 2]))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pids.exists() and len(pids.read_text().split()) == 2:
            break
        time.sleep(0.05)
    workers = [int(pid) for pid in pids.read_text().split()]
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its killed parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
