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
prints can be pinned), refuses a non-empty target unless ``force``, writes nothing outside the
target, and leaves nothing behind when it fails (see :class:`common.Staging`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ObjectNotFound
from archive.exports import bagit_export, cmif, csv_export, dc, saf, tei, teicorpus
from archive.exports.common import (
    ExportError,
    ExportJob,
    ExportOptions,
    ExportTargetInArchive,
    ExportTargetNotADirectory,
    ExportTargetNotEmpty,
    Letters,
    NoLettersSelected,
    PackageInvalid,
    Staging,
    UnknownFormat,
    UnsuitableLicence,
)
from archive.version import app_version

if TYPE_CHECKING:
    from archive.api import Archive

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportResult",
    "ExportTargetInArchive",
    "ExportTargetNotADirectory",
    "ExportTargetNotEmpty",
    "NoLettersSelected",
    "PackageInvalid",
    "UnknownFormat",
    "UnsuitableLicence",
    "export",
    "select",
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
    """What an export wrote: the format, the target, the letters and every file, sorted."""

    format: str
    directory: Path
    letters: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "directory": str(self.directory),
            "letters": list(self.letters),
            "files": [str(p) for p in self.files],
        }


def select(archive: Archive, ids: Iterable[str] = (), query: str | None = None) -> list[str]:
    """The ids to export, sorted: those named, those matching ``query``, or every letter."""
    store = archive.store()
    wanted = list(ids)
    if wanted and query:
        raise ValueError("give letter ids or a query, not both")
    if query:
        hits = archive.search(query, limit=None).hits
        chosen = sorted({hit.id for hit in hits if store.has(hit.id)})
        if not chosen:
            raise NoLettersSelected(f"query {query!r}", "matches no letters")
        return chosen
    for object_id in wanted:
        if not store.has(object_id):
            raise ObjectNotFound(object_id)
    chosen = sorted(set(wanted)) if wanted else store.object_ids()
    if not chosen:
        raise NoLettersSelected(str(archive.path), "holds no letters", "ingest letters first")
    return chosen


def export(
    archive: Archive,
    fmt: str,
    target: Path,
    *,
    ids: Iterable[str] = (),
    query: str | None = None,
    force: bool = False,
    date: datetime | None = None,
    zip: bool = False,
    url: str | None = None,
    collections: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export the chosen letters (all by default) in format ``fmt`` into the directory ``target``.

    ``date`` pins the date the package prints (default: now); ``zip`` (``saf``) writes one zip
    file; ``url`` (``cmif``) is where the CMIF file will be published; ``collections``
    (``saf``) are DSpace collection handles; ``progress`` is called with 1 after each letter.
    """
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, list(FORMATS))
    chosen = select(archive, ids, query)
    moment = (date or datetime.now(UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    options = ExportOptions(moment=moment, zip=zip, url=url, collections=tuple(collections))
    settings = archive.settings
    with Staging(Path(target), force=force, archive_path=archive.path) as out:
        job = ExportJob(Letters(archive, chosen, progress), out, options, settings, app_version())
        FORMATS[fmt](job)
    return ExportResult(fmt, Path(target), chosen, out.files)
