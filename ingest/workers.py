"""Worker processes for one piece of work per item, with time and memory limits.

Ingest reads files with it (:func:`ingest.pipeline.letters_from_files`) and the exports
prepare letters with it (:func:`archive.exports.common.each_letter`). The pool is watched from
outside: each worker reports the item it starts on, so the main process knows which worker to
kill when an item runs over its time, and a worker that dies costs only the item it was on
(items that were in flight with it are done again one at a time to find which one it was).

Workers are forked (on Linux), so the work may be any function, closures included. They ignore
Ctrl-C (the main process handles it), run in their own process group (so killing one also
stops a program it started, such as Tesseract) and die with the main process, however it
ends, so a killed command never leaves its workers running.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.context
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.queues import SimpleQueue
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: an item is killed this long after its time limit if its work has not given up by itself
KILL_GRACE = 1.0
#: items handed out per worker and not yet taken back by the main process: enough that the
#: workers work on while the main process is busy for a second or two (committing an index),
#: and few enough that the results waiting for it stay a bounded amount of memory
QUEUED_PER_WORKER = 128
#: and never more than this many in all, however many workers there are
QUEUED_AT_MOST = 512


@dataclass(frozen=True)
class Work(Generic[T, R]):
    """What a pool does per item, and what an item's outcome is when it goes wrong.

    ``do`` and ``failed`` run in the worker; ``failed`` turns an exception ``do`` raised into
    the item's outcome (exceptions are not always picklable, and the caller knows best what a
    failure means). ``crashed`` and ``timed_out`` run in the main process, for an item whose
    worker died under it or that ran over the time limit.
    """

    do: Callable[[T], R]
    failed: Callable[[T, BaseException], R]
    crashed: Callable[[T], R]
    timed_out: Callable[[T], R] | None = None


@dataclass
class _Task:
    index: int
    alone: bool = False  # done with no other item in flight (after a worker died)
    started: float | None = None


class Pool(Generic[T, R]):
    """``jobs`` worker processes doing ``work`` for each item, outcomes given in item order.

    With ``timeout`` (seconds), an item still being worked on that long after its worker
    started on it is stopped by killing the worker, its outcome is ``work.timed_out``, and the
    pool carries on with new workers; ``timeout`` also makes each item a task of its own (else
    items are handed out ``chunk`` at a time, which costs less per item). ``max_memory``
    (bytes) is each worker's address space. ``before_start`` runs once in the main process
    before the first worker is forked, to load what every worker needs only once.
    """

    def __init__(
        self,
        work: Work[T, R],
        jobs: int,
        *,
        timeout: float | None = None,
        max_memory: int | None = None,
        chunk: int = 1,
        before_start: Callable[[], None] | None = None,
    ) -> None:
        self.work = work
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.max_memory = max_memory
        self.chunk = 1 if timeout is not None else max(1, chunk)
        self.before_start = before_start
        self.context = _mp_context()
        self.started: SimpleQueue = self.context.SimpleQueue()
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool[T, R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop(kill=exc_info[0] is not None)
        self.started.close()

    def run(self, items: Sequence[T]) -> Iterator[tuple[T, R]]:
        """Each item with its outcome, in the order given."""
        queue = deque(_Task(i) for i in range(len(items)))
        flight: dict[Future[list[R]], list[_Task]] = {}
        tasks: dict[int, _Task] = {}
        done: dict[int, R] = {}
        emitted = 0
        while emitted < len(items):
            self._submit(items, queue, flight, tasks, waiting=len(done))
            finished, _ = wait(flight, timeout=self._wait_time(tasks), return_when=FIRST_COMPLETED)
            self._note_starts(tasks)
            broken = False
            lost: list[_Task] = []  # items in flight when a worker died: to be done again
            for future in finished:
                batch = flight.pop(future)
                for task in batch:
                    tasks.pop(task.index, None)
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    broken = True
                    if len(batch) == 1 and batch[0].alone:  # it broke the pool on its own
                        done[batch[0].index] = self.work.crashed(items[batch[0].index])
                    else:
                        lost.extend(batch)
                    continue
                for task, outcome in zip(batch, outcomes, strict=True):
                    done[task.index] = outcome
            overdue = self._overdue(flight)
            if broken or overdue:
                self._restart(items, flight, tasks, queue, overdue, done, lost)
            while emitted in done:
                yield items[emitted], done.pop(emitted)
                emitted += 1

    # -----------------------------------------------------------------------------------------

    def _start(self) -> ProcessPoolExecutor:
        if self.executor is None:
            if self.before_start is not None:
                with contextlib.suppress(Exception):  # only an optimisation
                    self.before_start()
            self.executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=self.context,
                initializer=_worker_init,
                initargs=(self.work, self.max_memory, self.started, os.getpid()),
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

    def _submit(
        self,
        items: Sequence[T],
        queue: deque[_Task],
        flight: dict[Future[list[R]], list[_Task]],
        tasks: dict[int, _Task],
        waiting: int,
    ) -> None:
        """Hand out items until the workers hold their share, counting the outcomes
        ``waiting`` for an earlier, slower item to be taken back first."""
        executor = self._start()
        if any(task.alone for task in tasks.values()):
            return  # a suspect is done with nothing else in flight
        ahead = min(self.jobs * QUEUED_PER_WORKER, QUEUED_AT_MOST)
        while queue and len(tasks) + waiting < ahead:
            if queue[0].alone:
                if tasks:
                    return
                batch = [queue.popleft()]
            else:
                batch = []
                while queue and len(batch) < self.chunk and not queue[0].alone:
                    batch.append(queue.popleft())
            work = [(task.index, items[task.index]) for task in batch]
            flight[executor.submit(_do, work)] = batch
            tasks.update((task.index, task) for task in batch)
            if batch[0].alone:
                return

    def _note_starts(self, tasks: dict[int, _Task]) -> None:
        while not self.started.empty():
            index, started = self.started.get()
            task = tasks.get(index)
            if task is not None:
                task.started = started

    def _wait_time(self, tasks: dict[int, _Task]) -> float | None:
        if self.timeout is None:
            return None
        self._note_starts(tasks)
        now = time.monotonic()
        deadlines = [
            t.started + self.timeout + KILL_GRACE - now for t in tasks.values() if t.started
        ]
        # items not started yet are looked at again soon: they may start any moment
        return max(0.0, min([*deadlines, 0.5]))

    def _overdue(self, flight: dict[Future[list[R]], list[_Task]]) -> list[_Task]:
        if self.timeout is None:
            return []
        self._note_starts({t.index: t for batch in flight.values() for t in batch})
        limit = self.timeout + KILL_GRACE
        now = time.monotonic()
        return [
            task
            for future, batch in flight.items()
            if not future.done()
            for task in batch
            if task.started is not None and now - task.started > limit
        ]

    def _restart(
        self,
        items: Sequence[T],
        flight: dict[Future[list[R]], list[_Task]],
        tasks: dict[int, _Task],
        queue: deque[_Task],
        overdue: list[_Task],
        done: dict[int, R],
        lost: list[_Task],
    ) -> None:
        """Kill the pool's workers, fail the overdue items, and queue the others in flight
        again. When a worker died under items (``lost``) and the culprit is not known, the
        items a worker had started are each done again alone; the items waiting their turn
        cannot be the culprit (unless none had started), and are done as before."""
        timed_out = self.work.timed_out or self.work.crashed
        for task in overdue:
            done[task.index] = timed_out(items[task.index])
        self._stop(kill=True)
        again = list(lost)
        for future, batch in flight.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                for task, outcome in zip(batch, future.result(), strict=True):
                    done[task.index] = outcome
                continue
            again.extend(task for task in batch if task not in overdue)
        flight.clear()
        tasks.clear()
        suspects: set[int] = set()
        if lost:
            started = {t.index for t in again if t.started is not None}
            suspects = started or {t.index for t in again}
        for task in sorted(again, key=lambda t: t.index, reverse=True):
            alone = task.alone or task.index in suspects
            queue.appendleft(_Task(task.index, alone=alone))


# ---------------------------------------------------------------------------------------------
# In the worker

_WORK: Work[Any, Any] | None = None
_STARTED: SimpleQueue | None = None


def _do(batch: list[tuple[int, Any]]) -> list[Any]:
    """What a worker runs per task: for each item, report the start, then do the work."""
    assert _WORK is not None and _STARTED is not None
    outcomes = []
    for index, item in batch:
        _STARTED.put((index, time.monotonic()))
        try:
            outcomes.append(_WORK.do(item))
        except Exception as err:  # MemoryError and RecursionError included
            outcomes.append(_WORK.failed(item, err))
    return outcomes


def _worker_init(
    work: Work[Any, Any], max_memory: int | None, started: SimpleQueue, parent: int
) -> None:
    """Set up a worker: its work, its own process group, death with the main process (whose
    id is ``parent``), its memory limit, and the queue it reports starts on."""
    global _WORK, _STARTED
    _WORK, _STARTED = work, started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _die_with_parent(parent)
    if max_memory is not None:
        with contextlib.suppress(ValueError, OSError):
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the process that forked it (``parent``) dies (even
    by SIGKILL, which the parent cannot handle), and go at once if it has died already."""
    if not sys.platform.startswith("linux"):
        return
    # (``parent`` comes from the parent itself: had it died before this worker asked,
    # os.getppid() would already name the process that inherited the worker)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with every module already imported, and lets the
    # work be any function
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
