"""``saf``: DSpace Simple Archive Format, for ``dspace import``.

One ``item_NNN/`` folder per letter (numbered in id order) holding::

    dublin_core.xml   <dublin_core schema="dc"> with one <dcvalue element qualifier language>
                      per value of the letter's Dublin Core crosswalk
    contents          one line per file: name, TAB bundle:ORIGINAL, TAB description:…
    <id>.xml          the TEI (the item's primary bitstream)
    <file>            the original, as ingested
    collections       the handles given with --collection, one per line (when any)

With ``--zip`` the items are written as one ``saf.zip`` instead (``dspace import --zip``).
"""

from __future__ import annotations

from lxml import etree

from archive.exports.common import (
    ExportJob,
    ExportLetter,
    FileWriter,
    each_letter,
    safe_file_name,
    zip_directory,
)
from metadata.xml import serialise

ZIP_NAME = "saf.zip"
BUNDLE = "ORIGINAL"
#: DSpace's qualifier for each Dublin Core element in its default "dc" registry
QUALIFIERS = {
    "date": "created",
    "format": "mimetype",
    "identifier": "other",
    "language": "iso",
    "rights": "uri",
    "coverage": "spatial",
}
#: elements whose values are in the letter's language (the others are codes or names)
LANGUAGE_TAGGED = frozenset({"title", "description", "subject"})
_RESERVED = frozenset({"dublin_core.xml", "contents", "collections", "handle"})


def write(job: ExportJob) -> None:
    """``item_NNN/`` per letter (or ``saf.zip`` holding them)."""
    out = job.out
    prefix = "items/" if job.options.zip else ""
    width = max(3, len(str(len(job.letters))))
    collections = job.options.collections

    def item(letter: ExportLetter, number: int, files: FileWriter) -> None:
        _write_item(letter, f"{prefix}item_{number:0{width}d}", files, collections)

    for _ in each_letter(job, item):
        pass
    if job.options.zip:
        zip_directory(out.root / "items", out.path(ZIP_NAME), job.options.moment)
        out.remove("items")


def _write_item(
    letter: ExportLetter, item: str, files: FileWriter, collections: tuple[str, ...]
) -> None:
    """The item's folder: Dublin Core, TEI, original, ``contents`` (and ``collections``)."""
    tei_name = f"{letter.id}.xml"
    original_name = safe_file_name(letter.original_name)
    if original_name in _RESERVED or original_name == tei_name:
        original_name = f"original-{original_name}"
    files.write(f"{item}/dublin_core.xml", serialise(dublin_core_xml(letter)))
    files.write(f"{item}/{tei_name}", letter.tei_bytes)
    files.write(f"{item}/{original_name}", letter.original.read_bytes())
    media_type = letter.original_media_type
    lines = [
        f"{tei_name}\tbundle:{BUNDLE}\tprimary:true\tdescription:TEI P5 encoding of the letter",
        f"{original_name}\tbundle:{BUNDLE}\tdescription:The original letter ({media_type})",
    ]
    files.write(f"{item}/contents", ("\n".join(lines) + "\n").encode("utf-8"))
    if collections:
        files.write(f"{item}/collections", ("\n".join(collections) + "\n").encode())


def dublin_core_xml(letter: ExportLetter) -> etree._Element:
    """``<dublin_core schema="dc">`` from the letter's Dublin Core crosswalk."""
    root = etree.Element("dublin_core", schema="dc")
    languages = letter.dc_values("language")
    language = languages[0] if languages else None
    for element, value in letter.dublin_core:
        dcvalue = etree.SubElement(
            root, "dcvalue", element=element, qualifier=QUALIFIERS.get(element, "none")
        )
        if language and element in LANGUAGE_TAGGED:
            dcvalue.set("language", language)
        dcvalue.text = value
    return root
