"""What every export shares: the letters it reads, how it writes them and the names it gives.

Letters are read one at a time (:class:`ExportLetter` parses each TEI once, however many views
a format needs) so an export of any size runs in constant memory. A package is written into
:class:`~archive.exports.staging.Staging`, a hidden directory inside the target, and moved
into place only when it is complete: a failure leaves the target as it was, and nothing is
ever written outside it. The errors are in :mod:`archive.exports.errors`.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lxml import etree

from archive.exports.errors import ExportError
from archive.exports.staging import Staging, package_path
from archive.letters.objects import TEI_PATH, LetterStore, original_logical
from archive.letters.settings import Settings
from ingest.workers import Pool, Work
from metadata.card import Card, card_from_tei
from metadata.dublin_core import dublin_core
from metadata.oai_dc import oai_dc_record
from metadata.xml import parse, serialise

TEI_MEDIA_TYPE = "application/tei+xml"
#: exports of at least this many letters prepare them in worker processes, this many at a time
PARALLEL_FROM = 100
WORKER_CHUNK = 16
MAX_WORKERS = 4

R = TypeVar("R")


@dataclass(frozen=True)
class ExportOptions:
    """What a format may be told besides the letters: the date it prints, and its own options."""

    #: the moment printed as the package's date (``--date`` pins it; UTC)
    moment: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    #: ``saf``: also write the items as one zip file
    zip: bool = False
    #: ``cmif``: the address the CMIF file will be published at
    url: str | None = None
    #: ``saf``: handles of the DSpace collections every item goes into
    collections: tuple[str, ...] = ()

    @property
    def day(self) -> str:
        return self.moment.date().isoformat()

    @cached_property
    def timestamp(self) -> str:
        """``2024-05-01T12:00:00Z``: an xsd:dateTime in UTC."""
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ExportJob:
    """One export being written: its letters, package, options and the archive's identity."""

    letters: Letters
    out: Staging
    options: ExportOptions
    settings: Settings
    version: str


class ExportLetter:
    """One archived letter as exports read it; each view is computed once, when first asked for."""

    def __init__(self, object_id: str, files: dict[str, Path]) -> None:
        self.id = object_id
        self._files = files

    @cached_property
    def tei_bytes(self) -> bytes:
        return self._files[TEI_PATH].read_bytes()

    @cached_property
    def root(self) -> etree._Element:
        return parse(self.tei_bytes)

    @cached_property
    def card(self) -> Card:
        return card_from_tei(self.root)

    @cached_property
    def dublin_core(self) -> list[tuple[str, str]]:
        """(element, value) pairs of the Dublin Core crosswalk, in its order."""
        return dublin_core(self.root)

    @cached_property
    def dc_record(self) -> etree._Element:
        """``<oai_dc:dc>`` (copy it before putting it into another document)."""
        return oai_dc_record(self.dublin_core)

    def dc_values(self, element: str) -> list[str]:
        """The values of one Dublin Core element (``title``, ``format``…)."""
        return [value for name, value in self.dublin_core if name == element]

    @property
    def original_media_type(self) -> str:
        """The original's media type: the crosswalk's ``format`` after TEI's own."""
        formats = [f for f in self.dc_values("format") if f != TEI_MEDIA_TYPE]
        return formats[0] if formats else "application/octet-stream"

    @cached_property
    def dc_bytes(self) -> bytes:
        return serialise(self.dc_record)

    @property
    def original(self) -> Path:
        """The original file as stored (under ``original/`` in the object)."""
        return self._files[self.original_logical]

    @property
    def original_name(self) -> str:
        return self.original_logical.rsplit("/", 1)[-1]

    @property
    def original_logical(self) -> str:
        return original_logical(self._files)


class FileWriter(Protocol):
    def write(self, relative: str, data: bytes) -> None: ...


#: what a format does for one letter: ``work(letter, number, files)``, ``number`` counting
#: from 1 in id order, the letter's files written with ``files.write``; returns what the
#: format needs to finish the package (a row, digests…)
LetterWork = Callable[[ExportLetter, int, FileWriter], R]


class Letters:
    """The selected letters, read one by one in id order; reports progress after each."""

    def __init__(
        self,
        source: LetterStore,
        ids: list[str],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.source = source
        self.ids = ids
        self._progress = progress

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[ExportLetter]:
        for object_id in self.ids:
            yield ExportLetter(object_id, self.source.head(object_id).files)
            self.done()

    def done(self) -> None:
        if self._progress is not None:
            self._progress(1)


def each_letter(job: ExportJob, work: LetterWork[R]) -> Iterator[R]:
    """``work`` done for every letter, its results in id order.

    An export of many letters does the work in worker processes (:class:`ingest.workers.Pool`,
    forked, so ``work`` may be any function), each writing its letters' files straight into
    the staging directory; a failure stops the export like one in this process. Elsewhere,
    and for a few letters, the work is done here.
    """
    letters = job.letters
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    if len(letters) < PARALLEL_FROM or workers < 2 or not sys.platform.startswith("linux"):
        for number, letter in enumerate(letters, start=1):
            yield work(letter, number, job.out)
        return
    source = letters.source
    direct = DirectWriter(job.out.root)

    def do(item: tuple[int, str]) -> tuple[str, Any]:
        number, object_id = item
        value = work(ExportLetter(object_id, source.head(object_id).files), number, direct)
        return "ok", (value, direct.take())

    pool_work = Work(do=do, failed=_failed, crashed=_crashed)
    with Pool(pool_work, workers, chunk=WORKER_CHUNK) as pool:
        for _, (outcome, value) in pool.run(list(enumerate(letters.ids, start=1))):
            if outcome == "error":
                raise ExportError(value[0], value[1])
            if outcome == "os-error":
                raise OSError(*value)  # the staging turns it into one line for the user
            result, written = value
            job.out.note(written)
            letters.done()
            yield result


def _failed(item: tuple[int, str], err: BaseException) -> tuple[str, Any]:
    """One letter's failure in a worker, as text (errors do not always pickle); an OS error
    (a full disk) as its parts, to be raised again in the main process."""
    if isinstance(err, OSError) and err.errno is not None:
        filename = err.filename if isinstance(err.filename, str) else None
        return "os-error", (err.errno, err.strerror or str(err), filename)
    return "error", (f"letter {item[1]}", f"could not be exported ({err})")


def _crashed(item: tuple[int, str]) -> tuple[str, Any]:
    return "error", (f"letter {item[1]}", "could not be exported (the process preparing it died)")


class DirectWriter:
    """Writes package files straight into the staging directory (from a worker process)."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self._made: set[str] = set()  # a letter's files share a folder: make it once
        self._written: list[str] = []

    def take(self) -> list[str]:
        """The files written since the last call, for the staging directory's list."""
        written, self._written = self._written, []
        return written

    def write(self, relative: str, data: bytes) -> None:
        path = package_path(self.root, relative)
        folder = os.path.dirname(path)
        if folder not in self._made:
            _make_folder(folder)
            self._made.add(folder)
        # os-level calls: a package has thousands of small files, and a Python file object
        # costs about as much as writing one
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self._written.append(relative)


def _make_folder(folder: str) -> None:
    """``os.makedirs(folder, exist_ok=True)``, in one call when the parent exists (as it
    does for all but the first letter's folder)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


#: bidirectional controls: embeddings and overrides, isolates, the LRM, RLM and ALM marks.
#: Kept in a name, "letter\u202etxt.exe" shows as "letterexe.txt".
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def safe_file_name(name: str) -> str:
    """A file name packages can carry: control characters and '%' become '_', and
    bidirectional controls go (they make a name show as another).

    BagIt manifests would have to percent-encode them (and the ``bagit`` library used by
    Archivematica does not decode '%25'), and a tab would break a DSpace ``contents`` line.
    The TEI keeps the name as it was. A name of nothing but controls becomes ``original``.
    """
    kept = (ch for ch in name if ch not in BIDI_CONTROLS)
    safe = "".join("_" if ch == "%" or unicodedata.category(ch) == "Cc" else ch for ch in kept)
    return safe if safe.strip(" .") else "original"


def zip_directory(source: Path, destination: Path, moment: datetime) -> None:
    """Zip the files under ``source`` into ``destination``: sorted, dated ``moment``, stable."""
    stamp = max(moment.astimezone(UTC), datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
    files = sorted(
        Path(dirpath, name).relative_to(source).as_posix()
        for dirpath, _dirs, names in os.walk(source)
        for name in names
    )
    with zipfile.ZipFile(destination, "x", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, so the attributes mean the same everywhere
            with (source / name).open("rb") as fh, archive.open(info, "w") as out:
                shutil.copyfileobj(fh, out, 1 << 20)
