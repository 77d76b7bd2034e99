"""From a file to a :class:`Letter`: read it with the right reader, then recognise its parts.

This is the one entry point the archive (and its worker processes) call per file. A TEI file
already marks its parts up, so it is read back (:mod:`ingest.tei.parse`) instead of recognised.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.context
import os
import resource
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Any

from ingest.errors import (
    IngestError,
    MemoryLimitExceeded,
    ReaderCrashed,
    TimeLimitExceeded,
    UnreadableSource,
)
from ingest.letter.anatomy import recognise
from ingest.letter.model import Letter, Para
from ingest.limits import MIB, Limits
from ingest.model import Span
from ingest.readers import read, reader_for, tei
from ingest.tei.parse import letter_from_tei
from metadata.dates import Years


def letter_from_file(path: Path, limits: Limits | None = None) -> Letter:
    """The letter in ``path``; raises an :class:`ingest.errors.IngestError` for a bad file."""
    limits = limits or Limits()
    if reader_for(path) is tei:
        return letter_from_tei(tei.parse(path, limits), path)
    years = Years(*limits.period) if limits.period else None
    return _with_letterhead(recognise(read(path, limits), years))


def _with_letterhead(letter: Letter) -> Letter:
    """A Word letter's page header is its letterhead (``fw type="letterhead"``) when the
    text itself has none: the reader keeps headers out of the body and hands them on."""
    header = letter.document.properties.get("letterhead", "").strip()
    if header and not letter.letterhead:
        letter.letterhead = [Para((Span(header),))]
    return letter


# ---------------------------------------------------------------------------------------------
# Many files: worker processes with time and memory limits


#: a file is killed this long after its time limit if its reader has not given up by itself
_KILL_GRACE = 1.0
#: files handed out per worker and not yet taken back by the main process: enough that the
#: workers read on while the main process spends a second or two committing the index, and
#: few enough that the letters waiting for it stay a bounded amount of memory
_QUEUED_PER_WORKER = 128
#: and never more than this many in all, however many workers there are
_QUEUED_AT_MOST = 512


def letters_from_files(
    paths: Sequence[Path],
    limits: Limits | None = None,
    jobs: int = 1,
    then: Callable[[Letter, Path | None], Any] | None = None,
) -> Iterator[tuple[Path, Any]]:
    """Each file's letter (or the :class:`IngestError` that refused it), in the given order.

    With ``then``, a picklable function of the letter and its file, each file's outcome is
    what ``then`` returned for its letter, computed in the worker within the file's limits
    (the archive builds and stages TEI there); an :class:`IngestError` it raises refuses the
    file like a reader's.

    Files are read by ``jobs`` worker processes calling :func:`letter_from_file`. A worker
    runs with ``limits.max_memory_bytes`` of address space; a file still being read
    ``limits.timeout`` seconds after its worker started on it is stopped by killing the
    worker (and anything it started, such as Tesseract), and the pool carries on with new
    workers. A worker that dies on its own (a crash in a parsing library, or memory exhausted
    outside Python) costs only the file it was reading: files that were in flight with it are
    read again one at a time to find which one it was.
    """
    limits = limits or Limits()
    # a guess from the names, only to decide what the workers load before they fork
    pdfs = any(path.suffix.lower() == ".pdf" for path in paths)
    with _Pool(max(1, jobs), limits, then, pdfs) as pool:
        yield from pool.run(list(paths))


@dataclass
class _Task:
    index: int
    path: Path
    alone: bool = False  # read with no other file in flight (after a worker died)
    started: float | None = None
    pid: int | None = None


class _Pool:
    """A ProcessPoolExecutor watched from outside: the workers report each file they start
    on, so the main process knows which worker to kill when a file runs over its time."""

    def __init__(
        self,
        jobs: int,
        limits: Limits,
        then: Callable[[Letter, Path | None], Any] | None,
        pdfs: bool = True,
    ) -> None:
        self.jobs = jobs
        self.limits = limits
        self.then = then
        self.context = _mp_context()
        self.started = self.context.SimpleQueue()
        self.pdfs = pdfs  # whether the files include PDFs
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop(kill=exc_info[0] is not None)
        self.started.close()

    def _start(self) -> ProcessPoolExecutor:
        if self.executor is None:
            letter = _warm_up(pdf=self.pdfs)
            if letter is not None and self.then is not None:
                with contextlib.suppress(Exception):  # loads what ``then`` needs, once
                    self.then(letter, None)  # (no file: the warm-up letter is not kept)
            self.executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=self.context,
                initializer=_worker_init,
                initargs=(self.limits.max_memory_bytes, self.started),
            )
        return self.executor

    def _stop(self, kill: bool) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if kill:
            for process in list(getattr(executor, "_processes", {}).values()):
                _kill_group(process.pid)
        executor.shutdown(wait=True, cancel_futures=True)

    def run(self, paths: list[Path]) -> Iterator[tuple[Path, Letter | IngestError]]:
        queue = deque(_Task(i, path) for i, path in enumerate(paths))
        flight: dict[Future[Letter], _Task] = {}
        tasks: dict[int, _Task] = {}
        done: dict[int, Letter | IngestError] = {}
        emitted = 0
        while emitted < len(paths):
            self._submit(queue, flight, tasks, waiting=len(done))
            finished, _ = wait(flight, timeout=self._wait_time(flight), return_when=FIRST_COMPLETED)
            self._note_starts(tasks)
            broken = False
            lost: list[_Task] = []  # files in flight when a worker died: to be read again
            for future in finished:
                task = flight.pop(future)
                tasks.pop(task.index, None)
                outcome = _outcome(future, task)
                if outcome is None:
                    broken = True
                    if task.alone:  # it broke the pool on its own: it is the culprit
                        done[task.index] = ReaderCrashed(
                            task.path,
                            "the process reading it died (a crash in a parsing library, or "
                            "it ran out of the memory allowed)",
                        )
                    else:
                        lost.append(task)
                else:
                    done[task.index] = outcome
            overdue = self._overdue(flight)
            if broken or overdue:
                self._restart(flight, tasks, queue, overdue, done, lost)
            while emitted in done:
                yield paths[emitted], done.pop(emitted)
                emitted += 1

    def _submit(
        self,
        queue: deque[_Task],
        flight: dict[Future[Letter], _Task],
        tasks: dict[int, _Task],
        waiting: int,
    ) -> None:
        """Hand out files until the workers hold their share, counting the letters read and
        ``waiting`` for an earlier, slower file to be taken back first."""
        executor = self._start()
        if any(task.alone for task in flight.values()):
            return  # a suspect is read with nothing else in flight
        ahead = min(self.jobs * _QUEUED_PER_WORKER, _QUEUED_AT_MOST)
        while queue and len(flight) + waiting < ahead:
            if queue[0].alone and flight:
                return
            task = queue.popleft()
            future = executor.submit(_read_one, task.index, task.path, self.limits, self.then)
            flight[future] = task
            tasks[task.index] = task
            if task.alone:
                return

    def _note_starts(self, tasks: dict[int, _Task]) -> None:
        while not self.started.empty():
            index, pid, started = self.started.get()
            task = tasks.get(index)
            if task is not None:
                task.pid, task.started = pid, started

    def _wait_time(self, flight: dict[Future[Letter], _Task]) -> float | None:
        if self.limits.timeout is None:
            return None
        self._note_starts({t.index: t for t in flight.values()})
        now = time.monotonic()
        deadlines = [
            t.started + self.limits.timeout + _KILL_GRACE - now
            for t in flight.values()
            if t.started is not None
        ]
        # files not started yet are looked at again soon: they may start any moment
        return max(0.0, min([*deadlines, 0.5]))

    def _overdue(self, flight: dict[Future[Letter], _Task]) -> list[_Task]:
        if self.limits.timeout is None:
            return []
        self._note_starts({t.index: t for t in flight.values()})
        limit = self.limits.timeout + _KILL_GRACE
        now = time.monotonic()
        return [
            t
            for f, t in flight.items()
            if t.started is not None and now - t.started > limit and not f.done()
        ]

    def _restart(
        self,
        flight: dict[Future[Letter], _Task],
        tasks: dict[int, _Task],
        queue: deque[_Task],
        overdue: list[_Task],
        done: dict[int, Letter | IngestError],
        lost: list[_Task],
    ) -> None:
        """Kill the pool's workers, fail the overdue files, and queue the others in flight
        again. When a worker died under files (``lost``) and the culprit is not known, the
        files a worker had started are each read again alone; the files waiting their turn
        cannot be the culprit (unless no file had started), and are read as before."""
        for task in overdue:
            done[task.index] = TimeLimitExceeded(
                task.path,
                f"reading it took longer than the time limit of {self.limits.timeout:g} s "
                "(the reader was stopped)",
            )
        self._stop(kill=True)
        again = list(lost)
        for future, task in flight.items():
            if task in overdue:
                continue
            if future.done() and not future.cancelled() and future.exception() is None:
                done[task.index] = future.result()
                continue
            again.append(task)
        flight.clear()
        tasks.clear()
        suspects: set[int] = set()
        if lost:
            started = {t.index for t in again if t.started is not None}
            suspects = started or {t.index for t in again}
        for task in sorted(again, key=lambda t: t.index, reverse=True):
            alone = task.alone or task.index in suspects
            queue.appendleft(_Task(task.index, task.path, alone=alone))


def _outcome(future: Future[Letter], task: _Task) -> Letter | IngestError | None:
    """The file's letter or error; None when the worker died under it."""
    try:
        return future.result()
    except IngestError as err:
        return err
    except BrokenProcessPool:
        return None
    except MemoryError:
        return MemoryLimitExceeded(task.path, "reading it needed more memory than allowed")
    except Exception as err:  # a reader bug: reported for this file, the batch goes on
        return UnreadableSource(
            task.path,
            f"reading it failed unexpectedly ({type(err).__name__}: {err})",
            "please report this file to the Epistula developers",
        )


def _read_one(
    index: int,
    path: Path,
    limits: Limits,
    then: Callable[[Letter, Path | None], Any] | None = None,
) -> Any:
    """What a worker runs per file: report the start, then read the file within its limits
    (and apply ``then`` to its letter)."""
    started = time.monotonic()
    assert _STARTED is not None
    _STARTED.put((index, os.getpid(), started))
    if limits.timeout is not None:
        limits = replace(limits, deadline=started + limits.timeout)
    try:
        letter = letter_from_file(path, limits)
        return then(letter, path) if then is not None else letter
    except MemoryError:
        raise MemoryLimitExceeded(
            path,
            f"reading it needed more than the memory limit of "
            f"{(limits.max_memory_bytes or 0) // MIB:,} MiB",
        ) from None
    except RecursionError:
        raise UnreadableSource(path, "the file is nested too deeply to read") from None


_STARTED: SimpleQueue | None = None


def _worker_init(max_memory: int | None, started: SimpleQueue) -> None:
    """Set up a worker: its own process group (so killing it also stops a Tesseract it
    started), its memory limit, and the queue it reports starts on."""
    global _STARTED
    _STARTED = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    if max_memory is not None:
        with contextlib.suppress(ValueError, OSError):
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


#: read once in the main process before workers start, so that what every letter needs and
#: is loaded on first use (the language model, the gazetteer's index of place names, the
#: PDF libraries) is loaded once and shared with the forked workers, instead of being
#: loaded again by each worker and counted against the time limit of its first file
_WARM_UP_LETTER = """Berlin, 3 May 1921

Dear Anna,

Thank you for your letter from Vienna about the garden and the old apple trees.

Yours sincerely,
Erik Berg
"""


@functools.cache
def _warm_up(pdf: bool) -> Letter | None:
    letter = None
    with tempfile.TemporaryDirectory(prefix="epistula-warm-up-") as folder:
        path = Path(folder) / "warm-up.txt"
        path.write_text(_WARM_UP_LETTER, encoding="utf-8")
        with contextlib.suppress(Exception):  # only an optimisation: never a reason to fail
            letter = letter_from_file(path, Limits())
    if pdf:
        with contextlib.suppress(Exception):
            import pypdf  # noqa: F401  (the PDF reader imports it on first use; it is slow to)
    return letter


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with every module already imported
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
