"""From a file to a :class:`Letter`: read it with the right reader, then recognise its parts.

This is the one entry point the archive (and its worker processes) call per file. A TEI file
already marks its parts up, so it is read back (:mod:`ingest.tei.parse`) instead of recognised.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
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
from ingest.letter.model import Agent, Letter, Para
from ingest.limits import MIB, Limits
from ingest.model import Span
from ingest.readers import check_length, mail, read, reader_for, tei
from ingest.tei.parse import letter_from_tei
from ingest.workers import Pool, Work
from metadata.dates import DateValue, Years


def letter_from_file(path: Path, limits: Limits | None = None) -> Letter:
    """The letter in ``path``; raises an :class:`ingest.errors.IngestError` for a bad file."""
    limits = limits or Limits()
    if reader_for(path) is tei:
        letter = letter_from_tei(tei.parse(path, limits), path)
        check_length(path, letter.document.text)
        return letter
    years = Years(*limits.period) if limits.period else None
    return _with_headers(_with_letterhead(recognise(read(path, limits), years)))


def _with_headers(letter: Letter) -> Letter:
    """An e-mail's headers (:mod:`ingest.readers.mail`) are its metadata: they say for certain
    who wrote to whom, when and about what, where recognition in the body could only guess."""
    if letter.document.source.media_type not in (mail.MEDIA_TYPE, mail.MBOX_MEDIA_TYPE):
        return letter
    properties = letter.document.properties
    meta = letter.metadata
    if properties.get(mail.FROM):
        meta.senders = [Agent(name=name) for name in properties[mail.FROM].split("\n")]
    if properties.get(mail.TO):
        meta.recipients = [Agent(name=name) for name in properties[mail.TO].split("\n")]
    if properties.get(mail.DATE_WHEN):  # a Date header that does not parse is left unused
        meta.date = DateValue(properties[mail.DATE_TEXT], when=properties[mail.DATE_WHEN])
    if properties.get("title"):
        meta.title = properties["title"]
    return letter


def _with_letterhead(letter: Letter) -> Letter:
    """A Word letter's page header is its letterhead (``fw type="letterhead"``) when the
    text itself has none: the reader keeps headers out of the body and hands them on."""
    header = letter.document.properties.get("letterhead", "").strip()
    if header and not letter.letterhead:
        letter.letterhead = [Para((Span(header),))]
    return letter


# ---------------------------------------------------------------------------------------------
# Many files: worker processes with time and memory limits


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

    Files are read by ``jobs`` worker processes (:class:`ingest.workers.Pool`) calling
    :func:`letter_from_file`. A worker runs with ``limits.max_memory_bytes`` of address
    space; a file still being read ``limits.timeout`` seconds after its worker started on it
    is stopped by killing the worker (and anything it started, such as Tesseract). A worker
    that dies on its own (a crash in a parsing library, or memory exhausted outside Python)
    costs only the file it was reading.
    """
    limits = limits or Limits()
    # a guess from the names, only to decide what the workers load before they fork
    pdfs = any(path.suffix.lower() == ".pdf" for path in paths)
    work = Work(
        do=functools.partial(_read_one, limits=limits, then=then),
        failed=functools.partial(_failed, limits=limits),
        crashed=_crashed,
        timed_out=functools.partial(_timed_out, limits=limits),
    )
    pool = Pool(
        work,
        jobs,
        timeout=limits.timeout,
        max_memory=limits.max_memory_bytes,
        before_start=functools.partial(_warm_up_for, then, pdfs),
    )
    with pool:
        yield from pool.run(list(paths))


def _read_one(
    path: Path, limits: Limits, then: Callable[[Letter, Path | None], Any] | None = None
) -> Any:
    """What a worker does per file: read it within its limits (and apply ``then``)."""
    if limits.timeout is not None:
        limits = replace(limits, deadline=time.monotonic() + limits.timeout)
    letter = letter_from_file(path, limits)
    return then(letter, path) if then is not None else letter


def _failed(path: Path, err: BaseException, limits: Limits) -> IngestError:
    """The error a file's failure in a worker is reported as."""
    if isinstance(err, IngestError):
        return err
    if isinstance(err, MemoryError):
        return MemoryLimitExceeded(
            path,
            f"reading it needed more than the memory limit of "
            f"{(limits.max_memory_bytes or 0) // MIB:,} MiB",
        )
    if isinstance(err, RecursionError):
        return UnreadableSource(path, "the file is nested too deeply to read")
    # a reader bug: reported for this file, the batch goes on
    return UnreadableSource(
        path,
        f"reading it failed unexpectedly ({type(err).__name__}: {err})",
        "please report this file to the Epistula developers",
    )


def _crashed(path: Path) -> IngestError:
    return ReaderCrashed(
        path,
        "the process reading it died (a crash in a parsing library, or "
        "it ran out of the memory allowed)",
    )


def _timed_out(path: Path, limits: Limits) -> IngestError:
    return TimeLimitExceeded(
        path,
        f"reading it took longer than the time limit of {limits.timeout:g} s "
        "(the reader was stopped)",
    )


def _warm_up_for(then: Callable[[Letter, Path | None], Any] | None, pdfs: bool) -> None:
    letter = _warm_up(pdf=pdfs)
    if letter is not None and then is not None:
        with contextlib.suppress(Exception):  # loads what ``then`` needs, once
            then(letter, None)  # (no file: the warm-up letter is not kept)


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
