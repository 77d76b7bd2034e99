"""``bagit``: a BagIt 1.0 bag (RFC 8493), the package Archivematica and most repositories take.

The payload is laid out as an Archivematica transfer::

    data/objects/<id>/<file>            the original, as ingested
    data/objects/<id>/tei.xml           the TEI
    data/objects/<id>/dc.xml            its Dublin Core record (oai_dc)
    data/objects/<id>/mets.xml          METS tying the three together (valid against mets.xsd)
    data/metadata/metadata.csv          one row of Dublin Core per letter (see ``csv``)

beside ``bagit.txt`` (BagIt 1.0), ``bag-info.txt`` (Source-Organization, Bagging-Date,
Payload-Oxum, External-Identifier, Bag-Size, …), SHA-512 and SHA-256 payload manifests and
tag manifests, every list sorted so the bag is byte-identical on every run.

The bag is written here rather than by the Library of Congress ``bagit`` library's
``make_bag``: that writes BagIt 0.97, hashes every payload file by reading it back, and then
loads the whole bag again, which together took longer than the rest of the export. Every file
is hashed from the bytes as they are written instead. The bag is checked with ``bagit`` itself
(full validation, and tampered copies rejected) in the tests.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from archive.exports import csv_export
from archive.exports.common import (
    TEI_MEDIA_TYPE,
    ExportJob,
    ExportLetter,
    ExportOptions,
    FileWriter,
    each_letter,
)
from archive.exports.mets import PackagedFile, mets_for
from archive.exports.staging import Staging
from metadata.xml import serialise

ALGORITHMS = ("sha512", "sha256")
_HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}  # faster than hashlib.new
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
METADATA_CSV = "metadata/metadata.csv"


@dataclass
class Payload:
    """Files written under ``data/``, with their digests, as the manifests list them."""

    files: FileWriter
    digests: dict[str, dict[str, str]] = field(default_factory=dict)
    octets: int = 0

    def write(self, relative: str, data: bytes) -> dict[str, str]:
        """Stage ``data`` as ``data/<relative>``; its digests by algorithm."""
        self.files.write(f"data/{relative}", data)
        digests = {algorithm: _hexdigest(algorithm, data) for algorithm in ALGORITHMS}
        self.digests[f"data/{relative}"] = digests
        self.octets += len(data)
        return digests


def write(job: ExportJob) -> None:
    """The bag, in the staging directory."""
    payload = Payload(job.out)
    rows = []
    agent = _agent(job)
    options = job.options

    def letter_folder(
        letter: ExportLetter, _number: int, files: FileWriter
    ) -> tuple[dict[str, dict[str, str]], int, dict[str, str]]:
        own = Payload(files)
        row = _write_letter(letter, own, options, agent)
        return own.digests, own.octets, row

    for digests, octets, row in each_letter(job, letter_folder):
        payload.digests.update(digests)
        payload.octets += octets
        rows.append(row)
    payload.write(METADATA_CSV, csv_export.csv_bytes(rows))
    for algorithm in ALGORITHMS:
        lines = (
            f"{digests[algorithm]}  {manifest_path(path)}\n"
            for path, digests in sorted(payload.digests.items())
        )
        job.out.write(f"manifest-{algorithm}.txt", "".join(lines).encode("utf-8"))
    bag_info = {
        "Source-Organization": job.settings.publisher,
        "Bagging-Date": job.options.day,
        "External-Identifier": _external_identifier(job),
        "External-Description": (
            f"{len(job.letters)} letters from {job.settings.name}: originals, TEI, "
            "Dublin Core and METS"
        ),
        "Bag-Size": human_size(payload.octets),
        "Bag-Software-Agent": agent,
        "Payload-Oxum": f"{payload.octets}.{len(payload.digests)}",
    }
    job.out.write("bagit.txt", BAGIT_TXT)
    job.out.write("bag-info.txt", tag_file(bag_info))
    _write_tag_manifests(job.out)


def _write_letter(
    letter: ExportLetter, payload: Payload, options: ExportOptions, agent: str
) -> dict[str, str]:
    """The letter's folder (original, TEI, Dublin Core, METS); its row of metadata.csv."""
    base = f"objects/{letter.id}"
    original = csv_export.original_name(letter)
    data = letter.original.read_bytes()
    files = [
        _packaged(payload, base, "original", "original", original, letter.original_media_type,
                  data),
        _packaged(payload, base, "tei", "transcription", "tei.xml", TEI_MEDIA_TYPE,
                  letter.tei_bytes),
        _packaged(payload, base, "dc", "metadata", "dc.xml", "text/xml", letter.dc_bytes),
    ]  # fmt: skip
    payload.write(f"{base}/mets.xml", serialise(mets_for(letter, files, options, agent)))
    return csv_export.row(letter)


def manifest_path(path: str) -> str:
    """A path as a manifest line holds it: RFC 8493 §2.1.3 percent-encodes CR, LF and '%'."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def tag_file(fields: dict[str, str]) -> bytes:
    """``bag-info.txt``: one ``Label: value`` line per field, sorted, line breaks removed."""
    lines = []
    for label in sorted(fields):
        value = " ".join(str(fields[label]).splitlines())
        lines.append(f"{label}: {value}\n")
    return "".join(lines).encode("utf-8")


def _write_tag_manifests(out: Staging) -> None:
    # the bag has no tag directories: its tag files are the files beside data/
    tag_files = sorted(
        p.name for p in out.root.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
    )
    for algorithm in ALGORITHMS:
        lines = [
            f"{_hexdigest(algorithm, (out.root / name).read_bytes())}  {name}\n"
            for name in tag_files
        ]
        out.write(f"tagmanifest-{algorithm}.txt", "".join(lines).encode("utf-8"))


def _hexdigest(algorithm: str, data: bytes) -> str:
    return _HASHES[algorithm](data).hexdigest()


def human_size(size: int) -> str:
    """``Bag-Size`` as RFC 8493 suggests: "260 KB", "1.2 MB" (decimal units)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def _packaged(
    payload: Payload, base: str, file_id: str, use: str, href: str, media_type: str, data: bytes
) -> PackagedFile:
    """Stage one of the letter's files; what its METS ``file`` says of it."""
    digest = payload.write(f"{base}/{href}", data)["sha256"]
    return PackagedFile(file_id, use, href, media_type, len(data), digest)


def _agent(job: ExportJob) -> str:
    return f"Epistula {job.version}"


def _external_identifier(job: ExportJob) -> str:
    """A URN naming this export: the same archive, letters and date give the same one."""
    name = "\n".join([job.settings.name, job.options.timestamp, *job.letters.ids])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
