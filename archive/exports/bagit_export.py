"""``bagit``: a BagIt 1.0 bag (RFC 8493), the package Archivematica and most repositories take.

The payload is laid out as an Archivematica transfer::

    data/objects/<id>/<file>            the original, as ingested
    data/objects/<id>/tei.xml           the TEI
    data/objects/<id>/dc.xml            its Dublin Core record (oai_dc)
    data/objects/<id>/mets.xml          METS tying the three together (valid against mets.xsd)
    data/metadata/metadata.csv          one row of Dublin Core per letter (see ``csv``)

The Library of Congress ``bagit`` library writes the SHA-512 and SHA-256 payload manifests and
``bag-info.txt`` (Source-Organization, Bagging-Date, Payload-Oxum, External-Identifier,
Bag-Size, …). It declares BagIt 0.97, so ``bagit.txt`` is rewritten to declare 1.0 and the tag
manifests are made again (sorted, so the bag is byte-identical on every run). The library
checks the bag is complete (every file in the manifests, nothing else, Payload-Oxum right)
before it is moved into place; the tests validate it in full.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import bagit

from archive.exports import csv_export
from archive.exports.common import TEI_MEDIA_TYPE, ExportJob, ExportLetter, PackageInvalid
from archive.exports.mets import PackagedFile, mets_for
from metadata.xml import serialise

ALGORITHMS = ("sha512", "sha256")
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
METADATA_CSV = "metadata/metadata.csv"


def write(job: ExportJob) -> None:
    """The bag, in the staging directory, checked."""
    out = job.out
    rows = [_write_letter(letter, job) for letter in job.letters]
    out.write(METADATA_CSV, csv_export.csv_bytes(rows))
    bag_info = {
        "Source-Organization": job.settings.publisher,
        "Bagging-Date": job.options.day,
        "External-Identifier": _external_identifier(job),
        "External-Description": (
            f"{len(job.letters)} letters from {job.settings.name}: originals, TEI, "
            "Dublin Core and METS"
        ),
        "Bag-Size": human_size(out.size),
        "Bag-Software-Agent": f"{_agent(job)} with bagit.py {bagit.VERSION}",
    }
    try:
        bag = bagit.make_bag(str(out.root), bag_info, checksums=list(ALGORITHMS))
        declare_version_1(out.root)
        # the library hashed every file a moment ago; check the bag is complete and whole
        bag.validate(completeness_only=True)
    except bagit.BagError as err:
        raise PackageInvalid("the bag", f"failed BagIt validation ({err})") from err


def _write_letter(letter: ExportLetter, job: ExportJob) -> dict[str, str]:
    """The letter's folder (original, TEI, Dublin Core, METS); its row of metadata.csv."""
    base = f"objects/{letter.id}"
    original = csv_export.original_name(letter)
    data = letter.original.read_bytes()
    job.out.write(f"{base}/{original}", data)
    job.out.write(f"{base}/tei.xml", letter.tei_bytes)
    job.out.write(f"{base}/dc.xml", letter.dc_bytes)
    files = [
        _packaged("original", "original", original, letter.original_media_type, data),
        _packaged("tei", "transcription", "tei.xml", TEI_MEDIA_TYPE, letter.tei_bytes),
        _packaged("dc", "metadata", "dc.xml", "text/xml", letter.dc_bytes),
    ]
    job.out.write(f"{base}/mets.xml", serialise(mets_for(letter, files, job.options, _agent(job))))
    return csv_export.row(letter)


def declare_version_1(bag: Path) -> None:
    """Declare BagIt 1.0 in ``bagit.txt`` and write the tag manifests again, sorted."""
    (bag / "bagit.txt").write_bytes(BAGIT_TXT)
    # the bag has no tag directories: its tag files are the files beside data/
    tag_files = sorted(
        p.name for p in bag.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
    )
    for algorithm in ALGORITHMS:
        lines = [
            f"{hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()}  {name}\n"
            for name in tag_files
        ]
        (bag / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


def human_size(size: int) -> str:
    """``Bag-Size`` as RFC 8493 suggests: "260 KB", "1.2 MB" (decimal units)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def _packaged(file_id: str, use: str, href: str, media_type: str, data: bytes) -> PackagedFile:
    return PackagedFile(file_id, use, href, media_type, len(data), hashlib.sha256(data).hexdigest())


def _agent(job: ExportJob) -> str:
    return f"Epistula {job.version}"


def _external_identifier(job: ExportJob) -> str:
    """A URN naming this export: the same archive, letters and date give the same one."""
    name = "\n".join([job.settings.name, job.options.timestamp, *job.letters.ids])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
