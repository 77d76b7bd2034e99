"""METS for one letter: the document that ties its files together in a preservation package.

``<mets:mets OBJID="<id>">``, labelled with the Dublin Core title, holds the letter's Dublin
Core record (a ``dmdSec`` wrapping the ``oai_dc:dc``), a reference to its TEI (a ``dmdSec``
with ``mdRef MDTYPE="TEIHDR"``), every file with its size and SHA-256 (``fileSec``: the
original, the TEI, the Dublin Core record) and one ``structMap`` whose ``div TYPE="letter"``
points at the original and its TEI. Valid against the Library of Congress ``mets.xsd``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from archive.exports.common import ExportLetter, ExportOptions

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{METS_NS} https://www.loc.gov/standards/mets/mets.xsd"


@dataclass(frozen=True)
class PackagedFile:
    """A file of the letter in the package, as METS lists it."""

    id: str  # the METS ID: original, tei or dc
    use: str  # the fileGrp it belongs to
    href: str  # relative to the METS file
    mimetype: str
    size: int
    sha256: str


def mets_for(
    letter: ExportLetter, files: list[PackagedFile], options: ExportOptions, agent: str
) -> etree._Element:
    """``<mets:mets>`` for ``letter`` whose ``files`` sit beside the METS file."""
    titles, publishers = letter.dc_values("title"), letter.dc_values("publisher")
    root = etree.Element(
        _m("mets"),
        nsmap={"mets": METS_NS, "xlink": XLINK_NS, "xsi": XSI_NS},
        OBJID=letter.id,
        LABEL=titles[0] if titles else letter.id,
        TYPE="Letter",
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    header = etree.SubElement(root, _m("metsHdr"), CREATEDATE=options.timestamp)
    creator = etree.SubElement(header, _m("agent"), ROLE="CREATOR", TYPE="OTHER")
    creator.set("OTHERTYPE", "SOFTWARE")
    etree.SubElement(creator, _m("name")).text = agent
    for publisher in publishers[:1]:
        custodian = etree.SubElement(header, _m("agent"), ROLE="CUSTODIAN", TYPE="ORGANIZATION")
        etree.SubElement(custodian, _m("name")).text = publisher
    dc_sec = etree.SubElement(root, _m("dmdSec"), ID="dmd-dc")
    wrap = etree.SubElement(dc_sec, _m("mdWrap"), MDTYPE="DC", MIMETYPE="text/xml", LABEL="oai_dc")
    etree.SubElement(wrap, _m("xmlData")).append(copy.deepcopy(letter.dc_record))
    by_id = {f.id: f for f in files}
    if "tei" in by_id:
        tei_sec = etree.SubElement(root, _m("dmdSec"), ID="dmd-tei")
        ref = etree.SubElement(tei_sec, _m("mdRef"), LOCTYPE="URL", MDTYPE="TEIHDR")
        ref.set("MIMETYPE", by_id["tei"].mimetype)
        ref.set(f"{{{XLINK_NS}}}href", _href(by_id["tei"].href))
    file_sec = etree.SubElement(root, _m("fileSec"))
    for packaged in files:
        group = etree.SubElement(file_sec, _m("fileGrp"), USE=packaged.use)
        entry = etree.SubElement(
            group,
            _m("file"),
            ID=f"file-{packaged.id}",
            MIMETYPE=packaged.mimetype,
            SIZE=str(packaged.size),
            CHECKSUM=packaged.sha256,
            CHECKSUMTYPE="SHA-256",
        )
        location = etree.SubElement(entry, _m("FLocat"), LOCTYPE="URL")
        location.set(f"{{{XLINK_NS}}}href", _href(packaged.href))
    struct_map = etree.SubElement(root, _m("structMap"), TYPE="logical")
    dmd_ids = "dmd-dc dmd-tei" if "tei" in by_id else "dmd-dc"
    div = etree.SubElement(
        struct_map, _m("div"), TYPE="letter", LABEL=root.get("LABEL", ""), DMDID=dmd_ids
    )
    for packaged in files:
        if packaged.id in ("original", "tei"):
            etree.SubElement(div, _m("fptr"), FILEID=f"file-{packaged.id}")
    return root


def _m(name: str) -> str:
    return f"{{{METS_NS}}}{name}"


def _href(path: str) -> str:
    """A relative URL for a package path (spaces and other unsafe characters escaped)."""
    return quote(path, safe="/")
