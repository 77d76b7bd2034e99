"""``teicorpus``: every letter in one ``<teiCorpus>`` with a header describing the whole export.

The corpus header names the archive (``titleStmt``), counts the letters (``extent``) and
carries the archive's publisher, the export date and the licence (``publicationStmt``). The
letters follow as the ``<TEI>`` documents the archive holds. The file is streamed, so it is
written in constant memory however many letters it holds.
"""

from __future__ import annotations

from lxml import etree

from archive.exports.common import ExportJob, ExportOptions
from archive.letters.settings import Settings
from metadata.xml import TEI_NS, tei

FILENAME = "corpus.xml"


def write(job: ExportJob) -> None:
    """``corpus.xml``: the corpus header, then each letter's ``<TEI>``."""
    header = corpus_header(len(job.letters), job.options, job.settings, job.version)
    with job.out.open(FILENAME) as fh:
        with etree.xmlfile(fh, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(tei("teiCorpus"), nsmap={None: TEI_NS}):
                xf.write("\n")
                xf.write(header, pretty_print=True)
                for letter in job.letters:
                    xf.write(letter.root, pretty_print=True)
        fh.write(b"\n")


def corpus_header(
    count: int, options: ExportOptions, settings: Settings, version: str
) -> etree._Element:
    """``<teiHeader>`` of the corpus: title, extent, publication and where the letters come from."""
    header = etree.Element(tei("teiHeader"), nsmap={None: TEI_NS})
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", f"{settings.name}: letters", type="main")
    unit = "letter" if count == 1 else "letters"
    extent = _sub(file_desc, "extent")
    _sub(extent, "measure", f"{count} {unit}", unit="letters", quantity=str(count))
    publication = _sub(file_desc, "publicationStmt")
    _sub(publication, "publisher", settings.publisher)
    _sub(publication, "date", options.day, when=options.day)
    availability = _sub(publication, "availability")
    _sub(availability, "licence", settings.licence, target=settings.licence_url)
    source = _sub(file_desc, "sourceDesc")
    _sub(source, "p", f"Exported from the archive {settings.name} by Epistula {version}.")
    return header


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tei(tag), attrs)
    element.text = text
    return element
