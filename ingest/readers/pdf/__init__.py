"""PDF reader: text and layout from pdfium, document info and link annotations from pypdf.

A PDF has no paragraphs, only positioned glyphs, so the reader rebuilds them. pdfium gives the
characters in content order with the text object each belongs to; characters of one object share
font, size and baseline, so the reader measures objects ("runs"), not single glyphs, and groups
runs into lines by geometry. Lines become blocks at vertical gaps, size and weight changes and
paragraph indents. Inside a block a line that was wrapped (the next line's first word would not
have fitted after it) is joined with a space; a line that stops early (an address, a signature,
a dateline) keeps its end as ``"\\n"``, which letter-part recognition depends on.

Running heads, footers and page numbers are dropped; footnotes at the page foot become
:class:`Note` s and their superscript callouts note spans. Every page starts with a
:class:`PageBreak`; a paragraph running over a page break is left split (the letter anatomy
joins it).

pypdf reads the document info and the link annotations, and the text of the rare page whose
font pdfium cannot map to Unicode (a CJK font with a predefined CMap and no ToUnicode).

The reader's modules, in the order a file goes through them: :mod:`.opening` (passwords,
document info, links), :mod:`.extraction` (characters to runs to lines, one :class:`Page`
each), :mod:`.scans` (pages without a usable text layer; OCR) and :mod:`.layout` (lines to
blocks and notes, shared with images read by OCR: :mod:`ingest.readers.image`).
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import EmptyDocument, LimitExceeded, NoTextLayer, UnreadableSource
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers._common import check_deadline, source_facts
from ingest.readers.pdf.extraction import extract_page
from ingest.readers.pdf.layout import blocks_from_pages
from ingest.readers.pdf.opening import document_info, open_document
from ingest.readers.pdf.scans import (
    ocr_page,
    ocr_properties,
    pages_needing_ocr,
    quiet_libraries,
    refuse_unreadable,
)

MEDIA_TYPE = "application/pdf"


def sniff(head: bytes, path: Path) -> bool:
    """A PDF when ``%PDF-`` appears in the first KiB (some writers put junk before it)."""
    return b"%PDF-" in head[:1024]


def read(path: Path, limits: Limits) -> Document:
    """Read a PDF's text layer into blocks, notes and document properties.

    A page without a text layer (a scan) or whose text cannot be decoded is read with
    Tesseract when ``limits.ocr`` is set; otherwise the file is refused with a message that
    names ``--ocr``.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(path, f"the file cannot be read ({exc.strerror})") from None
    properties: dict[str, str] = {}
    with quiet_libraries():
        pdf, password = open_document(path, data, limits)
        try:
            count = len(pdf)
            if count > limits.max_pages:
                raise LimitExceeded(
                    path, f"the PDF has {count:,} pages, over the limit of {limits.max_pages:,}"
                )
            info = document_info(pdf, data, password, count)
            properties = info.properties
            pages = []
            for i in range(count):
                check_deadline(path, limits)
                pages.append(extract_page(path, pdf, i, info))
            unreadable = pages_needing_ocr(pdf, pages)
            if unreadable and limits.ocr:
                for index in unreadable:
                    check_deadline(path, limits)
                    pages[index] = ocr_page(path, pdf, index, limits)
                properties.update(ocr_properties(limits, unreadable))
        finally:
            pdf.close()
    if not limits.ocr:
        refuse_unreadable(path, pages, unreadable)
    if not any(line.text.strip() for page in pages for line in page.lines):
        if not limits.ocr:
            raise NoTextLayer(path, "no page has a text layer")
        if unreadable:
            raise NoTextLayer(
                path,
                "no page has a text layer and OCR found no text on the page images",
                "check the scan is legible (300 dpi or more) and --lang names its language",
            )
        raise EmptyDocument(path, "no page has text or an image to read (the pages are blank)")
    blocks, notes = blocks_from_pages(pages)
    return Document(
        source=source_facts(path, MEDIA_TYPE, data, pages=count),
        blocks=tuple(blocks),
        notes=notes,
        properties=properties,
    )
