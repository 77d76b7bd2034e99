"""Exports: the archive's letters in the forms repositories and aggregators take in.

=============  ==========================================================================
``tei``        one TEI file per letter, named by id (:mod:`archive.exports.tei`)
``teicorpus``  one ``teiCorpus`` with a corpus header (:mod:`archive.exports.teicorpus`)
``dc``         one ``oai_dc`` record per letter and ``index.csv`` (:mod:`archive.exports.dc`)
``cmif``       one CMIF file for correspSearch (:mod:`archive.exports.cmif`)
``bagit``      a BagIt 1.0 bag with METS per letter (:mod:`archive.exports.bagit_export`)
``saf``        DSpace Simple Archive Format, optionally zipped (:mod:`archive.exports.saf`)
``csv``        one row of Dublin Core per letter (:mod:`archive.exports.csv_export`)
=============  ==========================================================================

Every export is derived from the TEI in the archive (through the catalogue card or the Dublin
Core crosswalk), is deterministic (the same archive gives byte-identical output; the date it
prints can be pinned), refuses a non-empty target unless ``force`` (which replaces only what an
earlier export wrote), writes nothing outside the target, and leaves nothing behind when it
fails (see :class:`staging.Staging`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.exports import bagit_export, cmif, csv_export, dc, saf, tei, teicorpus
from archive.exports.common import ExportJob, ExportOptions, Letters
from archive.exports.errors import (
    ExportError,
    ExportTargetBusy,
    ExportTargetHoldsOthers,
    ExportTargetInArchive,
    ExportTargetNotADirectory,
    ExportTargetNotEmpty,
    ExportWriteFailed,
    NoLettersSelected,
    PackageInvalid,
    UnknownFormat,
    UnsuitableLicence,
)
from archive.exports.staging import MARKER, Staging
from archive.letters.objects import LetterStore
from archive.letters.settings import Settings
from archive.version import app_version

__all__ = [
    "FORMATS",
    "MARKER",
    "ExportError",
    "ExportResult",
    "ExportTargetBusy",
    "ExportTargetHoldsOthers",
    "ExportTargetInArchive",
    "ExportTargetNotADirectory",
    "ExportTargetNotEmpty",
    "ExportWriteFailed",
    "NoLettersSelected",
    "PackageInvalid",
    "UnknownFormat",
    "UnsuitableLicence",
    "check_format",
    "export",
]

#: format name → the function that writes it into the staging directory
FORMATS: dict[str, Callable[[ExportJob], None]] = {
    "tei": tei.write,
    "teicorpus": teicorpus.write,
    "dc": dc.write,
    "cmif": cmif.write,
    "bagit": bagit_export.write,
    "saf": saf.write,
    "csv": csv_export.write,
}


@dataclass
class ExportResult:
    """What an export wrote: the format, the target, the letters and every file of the
    package, sorted, and the marker that lists them for a later ``--force``."""

    format: str
    directory: Path
    letters: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    marker: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "directory": str(self.directory),
            "letters": list(self.letters),
            "files": [str(p) for p in self.files],
            "marker": str(self.marker) if self.marker else None,
        }


def check_format(fmt: str) -> None:
    """Raise :class:`UnknownFormat` unless Epistula writes ``fmt``."""
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, list(FORMATS))


def export(
    letters: LetterStore,
    settings: Settings,
    archive_path: Path,
    fmt: str,
    target: Path,
    ids: list[str],
    *,
    force: bool = False,
    date: datetime | None = None,
    zip: bool = False,
    url: str | None = None,
    collections: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export the letters ``ids`` (sorted, all in ``letters``) in format ``fmt`` into the
    directory ``target``, which must not be in the archive at ``archive_path``.

    ``date`` pins the date the package prints (default: now); ``zip`` (``saf``) writes one zip
    file; ``url`` (``cmif``) is where the CMIF file will be published; ``collections``
    (``saf``) are DSpace collection handles; ``progress`` is called with 1 after each letter.
    """
    check_format(fmt)
    chosen = list(ids)
    moment = (date or datetime.now(UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    options = ExportOptions(moment=moment, zip=zip, url=url, collections=tuple(collections))
    with Staging(Path(target), force=force, archive_path=archive_path) as out:
        job = ExportJob(Letters(letters, chosen, progress), out, options, settings, app_version())
        FORMATS[fmt](job)
    return ExportResult(fmt, Path(target), chosen, out.files, Path(target) / MARKER)
