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
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import itertools
import logging
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree

from ingest import ocr
from ingest.errors import (
    EmptyDocument,
    EncryptedDocument,
    LimitExceeded,
    NoTextLayer,
    UnreadableSource,
)
from ingest.limits import Limits
from ingest.model import AnyBlock, Block, Document, Heading, Note, PageBreak, Paragraph, Span
from ingest.readers._common import check_deadline, linkify, normalise, source_facts
from ingest.readers._common import find_urls as _find_urls

MEDIA_TYPE = "application/pdf"

#: a heading's font is at least this much larger than the body text
_HEADING_RATIO = 1.2
#: a superscript is at most this share of its line's font size ...
_SUPERSCRIPT_SIZE = 0.85
#: ... and its baseline is raised by at least this share of the line's font size
_SUPERSCRIPT_RISE = 0.15
#: a baseline distance this many times the normal line pitch separates blocks
_GAP_RATIO = 1.25
#: running heads and page numbers are looked for among this many lines at each page edge
_EDGE_LINES = 2
#: ... and only this close to the page edge (share of the page height)
_EDGE_ZONE = 0.2

_PAGE_NUMBER = re.compile(
    r"""^[\s\-–—.|·•]*
        (?:(?:page|pages|seite|p\.|pag\.|página|pagina|side|sivu|strona|str\.)\s*)?
        \d{1,3}
        (?:\s*(?:of|von|de|di|av|z|/|sur)\s*\d{1,4})?
        [\s\-–—.|·•]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_NOTE_LABEL = re.compile(r"^(?:\d{1,3}|[a-z]|[*†‡§¶#]{1,3})$")
#: a footnote whose label is not raised: "1 Text", "1. Text", "1) Text" in the small font
_PLAIN_NOTE_START = re.compile(r"^(\d{1,3}|[*†‡§¶]{1,3})[.)]?\s+\S")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|-bd$|^cmbx", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique|^cmti|^cmsl", re.IGNORECASE)
_FOLDED = re.compile("[\ufb00-\ufb06\ufb13-\ufb17\ufb50-\ufdff\ufe70-\ufefc]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c]+")

_FPDF_ERR_PASSWORD = 4
_FPDF_ERR_SECURITY = 5
_PDFIUM_ERRORS = {
    2: "the file could not be opened",
    3: "not in PDF format or corrupted",
    6: "page not found or content error",
}
_FONT_FLAG_ITALIC = 1 << 6
_FONT_FLAG_FORCE_BOLD = 1 << 18

# pypdfium2's binding returns the text object as a typed pointer, which cannot be compared
# or hashed; the same C function typed to return a plain address is three times faster to
# call per character and gives a usable key.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)
_LINE_BREAK = re.compile("[\r\n]")


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
    with _quiet_libraries():
        pdf, password = _open(path, data, limits)
        try:
            count = len(pdf)
            if count > limits.max_pages:
                raise LimitExceeded(
                    path, f"the PDF has {count:,} pages, over the limit of {limits.max_pages:,}"
                )
            info = _document_info(pdf, data, password, count)
            properties = info.properties
            pages = []
            for i in range(count):
                check_deadline(path, limits)
                pages.append(_extract_page(path, pdf, i, info))
            unreadable = _pages_needing_ocr(pdf, pages)
            if unreadable and limits.ocr:
                for index in unreadable:
                    check_deadline(path, limits)
                    pages[index] = _ocr_page(path, pdf, index, limits)
                properties.update(_ocr_properties(limits, unreadable))
        finally:
            pdf.close()
    if not limits.ocr:
        _refuse_unreadable(path, pages, unreadable)
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


# ---------------------------------------------------------------------------------------------
# Scans: pages without a usable text layer


#: a token of this many letters or more with this many changes of case is not a word
_GARBLED_LENGTH = 6
_GARBLED_FLIPS = 3


def _pages_needing_ocr(pdf: pdfium.PdfDocument, pages: list[_Page]) -> list[int]:
    """Indexes of the pages whose text must come from OCR: pages without text that show an
    image (a blank page needs nothing), and pages whose text layer is garbled."""
    needing = []
    for index, page in enumerate(pages):
        visible = [line for line in page.lines if line.text.strip()]
        if (not visible and _has_images(pdf, index)) or (visible and _garbled(visible)):
            needing.append(index)
    return needing


def _has_images(pdf: pdfium.PdfDocument, index: int) -> bool:
    page = pdf[index]
    try:
        for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
            kind = pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, i))
            if kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
                return True
        return False
    finally:
        page.close()


def _garbled(lines: list[_Line]) -> bool:
    """Whether a page's text is glyph codes rather than words: most of it stands in long
    tokens that change case again and again or mix digits into letters
    ("3HQČåQtSURVWĜHGN" from a font whose ToUnicode map is wrong)."""
    tokens = " ".join(line.text for line in lines).split()
    total = sum(map(len, tokens))
    # words are lower case, capitalised or upper case; only the rest are looked at closely
    suspects = [
        token
        for token in tokens
        if len(token) >= _GARBLED_LENGTH
        and not (token.islower() or token.isupper() or token.istitle())
    ]
    odd = sum(len(token) for token in suspects if _garbled_token(token))
    return total > 0 and odd >= 0.5 * total


def _garbled_token(token: str) -> bool:
    if _find_urls(token) or "@" in token:
        return False
    cased = [ch.isupper() for ch in token if ch.isalpha() and ch.lower() != ch.upper()]
    flips = sum(a != b for a, b in itertools.pairwise(cased))
    mixed = re.search(r"[^\W\d_]\d+[^\W\d_]|\d[^\W\d_]+\d", token)
    return flips >= _GARBLED_FLIPS or (mixed is not None and flips >= 1)


def _refuse_unreadable(path: Path, pages: list[_Page], unreadable: list[int]) -> None:
    """Without OCR, a file with scanned or garbled pages is refused, naming the pages."""
    if not unreadable:
        return
    garbled = [i for i in unreadable if any(line.text.strip() for line in pages[i].lines)]
    scanned = [i for i in unreadable if i not in garbled]
    if garbled:
        reason = (
            f"the text layer of {_page_list(garbled)} does not decode to readable characters "
            "(its fonts map glyphs to the wrong letters)"
        )
    elif len(scanned) == len(pages):
        reason = "no page has a text layer (it is a scan)"
    else:
        reason = f"{_page_list(scanned)} of {len(pages)} have no text layer (scanned images)"
    raise NoTextLayer(path, reason)


def _page_list(indexes: list[int]) -> str:
    numbers = [str(i + 1) for i in indexes]
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if len(numbers) > 6:
        return f"{len(numbers)} pages ({', '.join(numbers[:5])}…)"
    return f"pages {', '.join(numbers[:-1])} and {numbers[-1]}"


def _ocr_page(path: Path, pdf: pdfium.PdfDocument, index: int, limits: Limits) -> _Page:
    """Render page ``index`` as the reader sees it (rotation applied) and read it with
    Tesseract; the page's text layer, if any, is replaced."""
    ocr.check_available(path, limits.ocr_languages)
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = limits.ocr_dpi / 72.0
        if width * height * scale * scale > limits.max_image_pixels:
            scale = math.sqrt(limits.max_image_pixels / max(width * height, 1.0))
        try:
            image = page.render(scale=scale, grayscale=True).to_pil()
        except pdfium.PdfiumError:
            raise UnreadableSource(path, f"page {index + 1} cannot be rendered for OCR") from None
    finally:
        page.close()
    result = ocr.recognise(
        image, path=path, languages=limits.ocr_languages, dpi=scale * 72.0,
        deadline=limits.deadline,
    )  # fmt: skip
    return page_from_ocr(index + 1, result)


def blocks_from_pages(pages: list[_Page]) -> tuple[list[AnyBlock], dict[str, Note]]:
    """Blocks and notes from pages of positioned lines, whatever read them (the image
    reader's OCR pages go through the same layout as a PDF's)."""
    return _Layout(pages).build()


def page_from_ocr(number: int, result: ocr.OcrPage) -> _Page:
    """A page of lines from OCR, in the reading frame the layout works in (y up the page).

    Every word is a run; a line's words share its baseline and size, so nothing on it reads
    as raised. Sizes near the page's usual one (0.7 to 1.5 times it) are snapped to it:
    Tesseract measures each line a little differently, and a heading must stand out to be one.
    """
    sizes = sorted(line.size for line in result.lines)
    usual = sizes[len(sizes) // 2] if sizes else 12.0
    lines: list[_Line] = []
    for ocr_line in result.lines:
        size = usual if 0.7 * usual <= ocr_line.size <= 1.5 * usual else ocr_line.size
        base = result.height - ocr_line.baseline
        words = ocr_line.words
        runs = [
            _Run(
                text=_clean(word.text) + (" " if k + 1 < len(words) else ""),
                first=-1,
                x0=word.x0,
                x1=word.x1,
                base=base,
                size=size,
                bold=False,
                italic=False,
                link=None,
            )
            for k, word in enumerate(words)
        ]
        lines.append(_Line(runs, first_word=words[0].x1 - words[0].x0))
    return _Page(number, lines, 0.0, result.width, 0.0, result.height)


def _ocr_properties(limits: Limits, indexes: list[int]) -> dict[str, str]:
    return {
        "ocr": ocr.engine(),
        "ocr_languages": limits.ocr_languages,
        "ocr_pages": " ".join(str(i + 1) for i in indexes),
    }


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """pypdf logs (and pypdfium2 warns) about every repair it makes on a damaged file; the
    reader reports what matters as an IngestError, so their chatter is held back."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    # the level, not ``disabled``: pypdf logs through child loggers ("pypdf._reader"), which
    # inherit the level but not the flag
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# ---------------------------------------------------------------------------------------------
# Opening, document info, links


def _open(path: Path, data: bytes, limits: Limits) -> tuple[pdfium.PdfDocument, str]:
    """The pdfium document and the password that opened it (the empty one first)."""
    passwords = [""] + ([limits.password] if limits.password else [])
    for password in passwords:
        try:
            return pdfium.PdfDocument(data, password=password), password
        except pdfium.PdfiumError as exc:
            if exc.err_code == _FPDF_ERR_PASSWORD:
                continue
            if exc.err_code == _FPDF_ERR_SECURITY:
                raise EncryptedDocument(
                    path, "the PDF uses an encryption scheme that cannot be opened"
                ) from None
            fault = _PDFIUM_ERRORS.get(exc.err_code or 0, "unknown error")
            raise UnreadableSource(
                path, f"the PDF is damaged and cannot be read ({fault})"
            ) from None
    if limits.password:
        raise EncryptedDocument(
            path, "the PDF is encrypted and the password given does not open it"
        )
    raise EncryptedDocument(path, "the PDF is encrypted with a password")


@dataclass(frozen=True)
class _Link:
    x0: float
    y0: float
    x1: float
    y1: float
    url: str

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - 1 <= x <= self.x1 + 1 and self.y0 - 1 <= y <= self.y1 + 1


@dataclass
class _Info:
    """What the PDF says about itself, and pypdf's view of it, opened only when needed."""

    data: bytes
    password: str
    _pages: int  # the number of pages pdfium reads
    properties: dict[str, str] = field(default_factory=dict)
    _read: bool = False  # whether the pages' links have been read
    _links: dict[int, list[_Link]] = field(default_factory=dict)
    _reader: Any = None

    @cached_property
    def may_use_cmap_fonts(self) -> bool:
        """Whether the file may have a composite font (see :func:`_cmap_fonts`)."""
        return self.may_use(b"/Type0")

    def may_use(self, name: bytes) -> bool:
        """Whether the PDF may use the PDF name ``name``: it is written out, or names may
        be out of sight."""
        return name in self.data or self._names_hidden

    @cached_property
    def _names_hidden(self) -> bool:
        """Whether names may be out of sight of a byte search: in compressed object streams,
        or spelt with ``#`` escapes (looked for once per file, not once per name)."""
        return b"/ObjStm" in self.data or _ESCAPED_NAME.search(self.data) is not None

    @cached_property
    def opened(self) -> Any:
        """pypdf's PdfReader of the file (opened, decrypted), whether or not its pages match;
        None when pypdf cannot open it."""
        # imported here: pypdf is slow to import and only PDFs need it
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(self.data), strict=False)
            if reader.is_encrypted and not reader.decrypt(self.password):
                return None
            return reader
        except Exception:  # pypdf raises many types on damaged input; none is fatal here
            return None

    def _read_pages(self) -> None:
        """URI link annotations, and the reader when its pages match pdfium's. pypdf walks
        the page tree for them, which is slow; so only for a file that has annotations, or
        a page that needs pypdf to read its text."""
        if self._read:
            return
        self._read = True
        reader = self.opened
        if reader is None:
            return
        try:
            if len(reader.pages) != self._pages:
                return
            self._reader = reader
            for index, page in enumerate(reader.pages):
                with contextlib.suppress(Exception):  # a broken annotation costs its page's links
                    links = _page_links(page)
                    if links:
                        self._links[index] = links
        except Exception:  # pypdf raises many types on damaged input; none is fatal here
            pass

    @property
    def reader(self) -> Any:
        """pypdf's PdfReader, when its pages match pdfium's."""
        self._read_pages()
        return self._reader

    def links(self, index: int, page: pdfium.PdfPage) -> list[_Link]:
        """The URI links of page ``index`` (none when pdfium finds no annotation on it)."""
        if not self._read and pdfium_c.FPDFPage_GetAnnotCount(page.raw) <= 0:
            return []
        self._read_pages()
        return self._links.get(index, [])


#: what some producers write when the author left a field empty (ReportLab: all three)
_PLACEHOLDERS = {"untitled", "anonymous", "unspecified", "unknown"}
_INFO_KEYS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/CreationDate": "created",
}


def _document_info(pdf: pdfium.PdfDocument, data: bytes, password: str, pages: int) -> _Info:
    """Document info, XMP and the catalog's language, as metadata candidates. pdfium reads the
    info dictionary and the language; XMP only pypdf reads, and opening a file with pypdf takes
    as long as a page of text, so it is asked only when the file may hold XMP. What pypdf
    cannot parse on a damaged file (pdfium repairs more) is read by pdfium."""
    info = _Info(data, password, pages)
    if info.may_use(b"/Metadata") and info.opened is not None:
        with contextlib.suppress(Exception):  # metadata candidates only
            info.properties = _properties(info.opened.metadata or {})
            catalog = info.opened.trailer["/Root"].get_object()
            for key, value in _xmp_properties(catalog).items():
                info.properties.setdefault(key, value)
            language = catalog.get("/Lang")
            if isinstance(language, str) and language.strip():
                info.properties.setdefault("language", normalise(str(language)).strip())
    if not info.properties:
        info.properties = _pdfium_properties(pdf)
    return info


_ESCAPED_NAME = re.compile(rb"/[^\s/<>\[\]()%]*#[0-9A-Fa-f]{2}")


_XMP = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
#: XMP properties and the document property each is a candidate for
_XMP_KEYS = {
    "title": "dc:title",
    "author": "dc:creator",
    "subject": "dc:description",
    "keywords": "pdf:Keywords",
    "created": "xmp:CreateDate",
    "language": "dc:language",
}


def _xmp_properties(catalog: Any) -> dict[str, str]:
    """Title, author, dates and language from the catalog's XMP packet, read with a parser
    that expands no entities and fetches nothing."""
    stream = catalog.get("/Metadata")
    if stream is None:
        return {}
    data = stream.get_object().get_data()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    root = etree.fromstring(data.strip(), parser) if data.strip() else None
    if root is None:
        return {}
    found: dict[str, str] = {}
    for key, name in _XMP_KEYS.items():
        prefix, local = name.split(":")
        values: list[str] = []
        for element in root.iter(f"{{{_XMP[prefix]}}}{local}"):
            items = element.findall(f".//{{{_XMP['rdf']}}}li") or [element]
            values += [" ".join(_own_text(i).split()) for i in items]
        for description in root.iter(f"{{{_XMP['rdf']}}}Description"):  # attribute form
            value = description.get(f"{{{_XMP[prefix]}}}{local}")
            if value:
                values.append(" ".join(value.split()))
        values = [normalise(v) for v in values if v]
        if not values:
            continue
        text = "; ".join(dict.fromkeys(values)) if key in ("author", "keywords") else values[0]
        if key == "created":
            text = _xmp_date(text) or ""
        if text and text.lower() not in _PLACEHOLDERS:
            found[key] = text
    return found


def _own_text(element: etree._Element) -> str:
    """An element's text, without what unexpanded entity references stand for."""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child, etree._Entity):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _xmp_date(value: str) -> str | None:
    """An XMP date (ISO 8601 already, e.g. ``2017-07-13T10:15:00+02:00``), checked."""
    match = re.match(r"^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?"
                     r"(?:Z|[+-]\d{2}:\d{2})?)?)?)?$", value.strip())  # fmt: skip
    return value.strip() if match else None


def _properties(metadata: object) -> dict[str, str]:
    properties: dict[str, str] = {}
    for key, name in _INFO_KEYS.items():
        value = metadata.get(key)  # type: ignore[attr-defined]
        if hasattr(value, "get_object"):
            value = value.get_object()
        if isinstance(value, bytes | str):
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            text = normalise(text).strip()
            if name == "created":
                text = _pdf_date(text) or ""
            if text and text.lower() not in _PLACEHOLDERS:
                properties[name] = text
    return properties


def _pdfium_properties(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """Document info and the catalog's language as pdfium reads them."""
    try:
        metadata = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # pdfium's info dictionary access fails only on damaged files
        metadata = {}
    properties = _properties({f"/{key}": value for key, value in metadata.items()})
    language = _pdfium_language(pdf)
    if language:
        properties["language"] = language
    return properties


def _pdfium_language(pdf: pdfium.PdfDocument) -> str:
    size = pdfium_c.FPDFCatalog_GetLanguage(pdf.raw, None, 0)  # in bytes, with a terminator
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFCatalog_GetLanguage(
        pdf.raw, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size
    )
    return normalise(buffer.raw[: size - 2].decode("utf-16-le", errors="replace")).strip()


_PDF_DATE = re.compile(
    r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{0,2}'?)?"
)


def _pdf_date(value: str) -> str | None:
    """A PDF date (``D:20170713101500+02'00'``) as ISO 8601, as precise as the source."""
    match = _PDF_DATE.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    if not month or not day:
        return f"{year}-{month}" if month else year
    date = f"{year}-{month}-{day}"
    if not hour:
        return date
    time = f"{hour}:{minute or '00'}:{second or '00'}"
    if zone in (None, ""):
        return f"{date}T{time}"
    if zone == "Z" or zone.startswith("Z"):
        return f"{date}T{time}Z"
    digits = re.sub(r"\D", "", zone)
    return f"{date}T{time}{zone[0]}{digits[:2]}:{(digits[2:4] or '00')}"


def _page_links(page: object) -> list[_Link]:
    annots = page.get("/Annots")  # type: ignore[attr-defined]
    if annots is None:
        return []
    links: list[_Link] = []
    for ref in annots.get_object():
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        action = annot.get("/A")
        action = action.get_object() if action is not None else None
        if not action or action.get("/S") != "/URI" or "/URI" not in action:
            continue
        url = action["/URI"].get_object()
        url = url.decode("latin-1") if isinstance(url, bytes) else str(url)
        x0, y0, x1, y1 = (float(v) for v in annot["/Rect"].get_object())
        links.append(_Link(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), url.strip()))
    return links


# ---------------------------------------------------------------------------------------------
# Extraction: characters to runs to lines


@dataclass(eq=False)
class _Run:
    """Characters of one text object on one line: one font, one size, one baseline.

    Coordinates are in the page's reading frame: x grows along the text, y up the page.
    """

    text: str
    first: int  # pdfium index of the first character
    x0: float
    x1: float
    base: float
    size: float
    bold: bool
    italic: bool
    link: str | None
    raised: bool = False  # superscript relative to its line, set once the line is known

    @property
    def top(self) -> float:
        return self.base + 0.75 * self.size

    @property
    def bottom(self) -> float:
        return self.base - 0.25 * self.size


_T = TypeVar("_T")


class _once(Generic[_T]):
    """``functools.cached_property`` without its lock (which costs more than the values
    computed here, on the thousands of lines a PDF has): the value is computed on first
    access and stored on the instance, where later lookups find it directly."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> _T | _once[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(eq=False)
class _Line:
    runs: list[_Run]
    first_word: float = 0.0  # width of the first word, to tell a wrap from a hard break

    @_once
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @_once
    def x0(self) -> float:
        return min(run.x0 for run in self.runs if run.text.strip()) if self.visible else 0.0

    @_once
    def x1(self) -> float:
        return max(run.x1 for run in self.runs if run.text.strip()) if self.visible else 0.0

    @_once
    def visible(self) -> bool:
        return any(run.text.strip() for run in self.runs)

    @_once
    def main(self) -> _Run:
        """The run that sets the line's size and baseline (most characters)."""
        weight: Counter[float] = Counter()
        for run in self.runs:
            weight[run.size] += len(run.text.strip())
        size = weight.most_common(1)[0][0]
        return next(run for run in self.runs if run.size == size)

    @_once
    def size(self) -> float:
        return self.main.size

    @_once
    def base(self) -> float:
        return self.main.base

    @_once
    def bold(self) -> bool:
        visible = [run for run in self.runs if run.text.strip() and not run.raised]
        return bool(visible) and all(run.bold for run in visible)


@dataclass
class _Page:
    number: int
    lines: list[_Line]
    left: float  # page area in the reading frame
    right: float
    bottom: float
    top: float


@dataclass
class _Font:
    bold: bool
    italic: bool


class _Extractor:
    """Reads one pdfium text page into runs and lines."""

    def __init__(self, textpage: pdfium.PdfTextPage, links: list[_Link]) -> None:
        self.raw = textpage.raw
        self.chars = ""
        self.links = links
        self.fonts: dict[tuple[str, int], _Font] = {}
        self._matrix = pdfium_c.FS_MATRIX()
        self._a, self._b, self._c, self._d = (ctypes.c_double() for _ in range(4))

    def text(self, count: int) -> str:
        """All characters at once; pdfium's per-character call is slower by far."""
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        written = pdfium_c.FPDFText_GetText(
            self.raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        )
        text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
        if written - 1 == count and len(text) == count:
            return text
        # characters outside the BMP take two UTF-16 units: fall back to one call each
        return "".join(chr(pdfium_c.FPDFText_GetUnicode(self.raw, i)) for i in range(count))

    def origin(self, index: int) -> tuple[float, float]:
        pdfium_c.FPDFText_GetCharOrigin(self.raw, index, self._a, self._b)
        return self._a.value, self._b.value

    def box(self, index: int) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) of a glyph."""
        pdfium_c.FPDFText_GetCharBox(self.raw, index, self._a, self._b, self._c, self._d)
        return self._a.value, self._b.value, self._c.value, self._d.value

    def font(self, index: int) -> _Font:
        """Bold and italic as the font's name and flags tell. pdfium's weight is computed from
        stem widths when the font does not state it and calls regular faces bold (and bold
        faces regular), so it only counts for a font without a name."""
        flags = ctypes.c_int(0)
        size = pdfium_c.FPDFText_GetFontInfo(self.raw, index, None, 0, ctypes.byref(flags))
        name = ""
        if size > 0:
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFText_GetFontInfo(self.raw, index, buffer, size, ctypes.byref(flags))
            name = buffer.value.decode("utf-8", errors="replace").split("+")[-1]
        key = (name, flags.value)
        font = self.fonts.get(key)
        if font is None:
            weight = pdfium_c.FPDFText_GetFontWeight(self.raw, index) if not name else 0
            font = _Font(
                bold=bool(_BOLD_FONT.search(name))
                or bool(flags.value & _FONT_FLAG_FORCE_BOLD)
                or weight >= 700,
                italic=bool(_ITALIC_FONT.search(name)) or bool(flags.value & _FONT_FLAG_ITALIC),
            )
            self.fonts[key] = font
        return font

    def size(self, index: int) -> tuple[float, _Axes]:
        """The font size as printed, and the glyph's axes. The size set in the content is
        scaled by the text and page matrices (many producers set size 1 and scale with the
        matrix)."""
        pdfium_c.FPDFText_GetMatrix(self.raw, index, self._matrix)
        m = self._matrix
        scale = math.sqrt(abs(m.a * m.d - m.b * m.c)) or 1.0
        return pdfium_c.FPDFText_GetFontSize(self.raw, index) * scale, _axes(m.a, m.b, m.c, m.d)

    def link_at(self, index: int) -> str | None:
        left, right, bottom, top = self.box(index)
        x, y = (left + right) / 2, (bottom + top) / 2
        return next((link.url for link in self.links if link.contains(x, y)), None)

    def pieces(self) -> Iterator[tuple[int, int, str | None]]:
        """(first, last, link) of each stretch of characters that share a text object (and
        link). pdfium's generated characters join the stretch they follow, except a generated
        line break, which ends it; generated characters that start a line belong to none."""
        count = pdfium_c.FPDFText_CountChars(self.raw)
        if count <= 0:
            return
        self.chars = self.text(count)
        if self.links:
            yield from self._linked_pieces(count)
            return
        start = 0
        for end in self._line_breaks():
            yield from self._object_pieces(start, end)
            start = end + 1
        yield from self._object_pieces(start, count)

    def _line_breaks(self) -> Iterator[int]:
        """Where pdfium put a line break of its own (a CR or LF from no text object)."""
        raw = self.raw
        for match in _LINE_BREAK.finditer(self.chars):
            if not _text_object_address(raw, match.start()):
                yield match.start()

    def _object_pieces(self, start: int, end: int) -> Iterator[tuple[int, int, None]]:
        """The stretches of one line, ``start`` to ``end`` (exclusive)."""
        first = start
        while first < end and not self._address(first):
            first += 1
        while first < end:
            after = self._object_end(first, end)
            yield first, after - 1, None
            first = after

    def _object_end(self, first: int, end: int) -> int:
        """Where the next text object after the one at ``first`` starts (or ``end``). An
        object's characters are consecutive on pdfium's text page, so its end is found by
        doubling steps and halving back: a few calls per object, not one per character,
        which took a fifth of the time it takes to read a PDF."""
        current = self._address(first)

        def beyond(index: int) -> bool:
            # whether the last object character at or before ``index`` is another object's
            while not (found := self._address(index)):
                index -= 1  # stops at ``first`` at the latest: its address is ``current``
            return found != current

        inside, step = first, 1
        while (probe := inside + step) < end and not beyond(probe):
            inside, step = probe, step * 2
        outside = min(probe, end)
        while outside - inside > 1:
            middle = (inside + outside) // 2
            if beyond(middle):
                outside = middle
            else:
                inside = middle
        return outside

    def _address(self, index: int) -> int:
        return _text_object_address(self.raw, index) or 0

    def _linked_pieces(self, count: int) -> Iterator[tuple[int, int, str | None]]:
        """As :meth:`pieces`, one character at a time: a link can start or end anywhere."""
        chars, raw = self.chars, self.raw
        start = -1
        current = 0
        link: str | None = None
        for index in range(count):
            address = _text_object_address(raw, index)
            if not address:
                if start >= 0 and chars[index] in "\r\n":
                    yield start, index - 1, link
                    start = -1
                continue
            here = self.link_at(index)
            if start < 0 or address != current or here != link:
                if start >= 0:
                    yield start, index - 1, link
                start, current, link = index, address, here
        if start >= 0:
            yield start, count - 1, link


def _extract_page(path: Path, pdf: pdfium.PdfDocument, index: int, info: _Info) -> _Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        raise UnreadableSource(path, f"page {index + 1} of the PDF cannot be read") from None
    try:
        textpage = page.get_textpage()
        try:
            extractor = _Extractor(textpage, info.links(index, page))
            raw_runs = list(_raw_runs(extractor))
            if (
                info.may_use_cmap_fonts
                and _lost_text(page, textpage)
                and _cmap_fonts(info.reader, index)
            ):
                # pdfium cannot map the codes of a CJK font with a predefined CMap and no
                # ToUnicode to text; pypdf can, but is slow, so it reads only such pages
                raw_runs = _pypdf_runs(info.reader, index) or raw_runs
            bbox = page.get_bbox()
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        raise UnreadableSource(path, f"page {index + 1} of the PDF cannot be read") from None
    finally:
        page.close()
    return _page_in_frame(index + 1, raw_runs, bbox)


def _lost_text(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> bool:
    """Whether pdfium found no text in a good share of the page's text objects."""
    empty = total = 0
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        total += 1
        # the length in bytes of the object's UTF-16 text with its terminator
        empty += pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0) <= 2
    return empty >= 3 and empty >= 0.2 * total


def _cmap_fonts(reader: Any, index: int) -> bool:
    """Whether the page uses a composite font whose codes only a predefined CJK CMap (such as
    GBK-EUC-H) turns into characters."""
    if reader is None:
        return False
    try:
        fonts = reader.pages[index]["/Resources"].get_object()["/Font"].get_object()
        for ref in fonts.values():
            font = ref.get_object()
            encoding = font.get("/Encoding")
            if (
                font.get("/Subtype") == "/Type0"
                and "/ToUnicode" not in font
                and isinstance(encoding, str)
                and not encoding.startswith(("/Identity", "/Uni"))
            ):
                return True
    except Exception:  # no or damaged resources: nothing pypdf could read better either
        return False
    return False


def _pypdf_runs(reader: Any, index: int) -> list[_RawRun]:
    """A page's runs as pypdf reads them. pypdf gives text and position but no glyph widths,
    so a run's width is estimated (an em for a CJK character, half an em otherwise)."""
    runs: list[_RawRun] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        text = _SPACES.sub(" ", text)
        if not text.strip():
            return
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        em = size * math.hypot(a, b)
        widths = [em * (1.0 if _is_wide(ch) else 0.5) for ch in text]
        x1 = x + sum(widths)
        space = re.search(r"\S\s", text)
        name = str(font.get("/BaseFont", "")) if font else ""
        runs.append(
            _RawRun(
                text=text,
                first=-1,
                origin=(x, y),
                box=(x1 - widths[-1], x1, y, y + size * math.hypot(c, d)),
                axes=_axes(a, b, c, d),
                size=size * math.hypot(c, d),
                font=_Font(bool(_BOLD_FONT.search(name)), bool(_ITALIC_FONT.search(name))),
                link=None,
                word_end=(x + sum(widths[: space.start() + 1]), y) if space else None,
            )
        )

    try:
        reader.pages[index].extract_text(visitor_text=visit)
    except Exception:  # pypdf fails on damaged content streams; keep what pdfium found
        return []
    return runs


def _is_wide(char: str) -> bool:
    """A character set a full em wide and written without spaces (CJK)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


#: a glyph's baseline direction and up direction in user space, as (dx, dy, nx, ny)
_Axes = tuple[int, int, int, int]
_UPRIGHT: _Axes = (1, 0, 0, 1)


@dataclass
class _RawRun:
    """A run in PDF user space, before the page's reading direction is known."""

    text: str
    first: int
    origin: tuple[float, float]
    box: tuple[float, float, float, float]  # of the last glyph
    axes: _Axes
    size: float
    font: _Font
    link: str | None
    word_end: tuple[float, float] | None  # origin of the first space after a word, if any


def _raw_runs(ex: _Extractor) -> Iterator[_RawRun]:
    for first, last, link in ex.pieces():
        text = ex.chars[first : last + 1]
        stripped = text.rstrip()
        if not stripped.strip():
            if text:
                # spaces only: keep them so neighbouring words do not run together
                yield _RawRun(" ", first, ex.origin(first), ex.box(first), _UPRIGHT, 0.0,
                              _Font(False, False), link, None)  # fmt: skip
            continue
        glyph = first + len(stripped) - 1
        match = re.search(r"\S\s", text)
        word_end = ex.origin(first + match.start() + 1) if match else None
        size, axes = ex.size(first)
        yield _RawRun(
            text=text,
            first=first,
            origin=ex.origin(first),
            box=ex.box(glyph),
            axes=axes,
            size=size,
            font=ex.font(first),
            link=link,
            word_end=word_end,
        )


def _page_in_frame(
    number: int, raw_runs: list[_RawRun], bbox: tuple[float, float, float, float]
) -> _Page:
    """Turn the page so its main text reads left to right, and group runs into lines."""
    weight: Counter[_Axes] = Counter()
    for raw in raw_runs:
        weight[raw.axes] += len(raw.text)
    # the page's reading frame: x along the main text's baseline, y up its glyphs (a turned
    # or mirrored page included)
    dx, dy, nx, ny = weight.most_common(1)[0][0] if weight else _UPRIGHT

    def along(x: float, y: float) -> float:
        return x * dx + y * dy

    def up(x: float, y: float) -> float:
        return x * nx + y * ny

    runs: list[_Run] = []
    word_ends: dict[int, float] = {}
    for raw in raw_runs:
        left, right, bottom, top = raw.box
        x0 = along(*raw.origin)
        x1 = max(along(left, bottom), along(right, top), x0)
        size = raw.size
        if size <= 0:  # a bare space run: borrow the previous run's size
            size = runs[-1].size if runs else 1.0
        run = _Run(
            text=_clean(raw.text),
            first=raw.first,
            x0=x0,
            x1=x1,
            base=up(*raw.origin),
            size=size,
            bold=raw.font.bold,
            italic=raw.font.italic,
            link=raw.link,
        )
        runs.append(run)
        if raw.word_end:
            word_ends[id(run)] = along(*raw.word_end)
    corners = [(bbox[0], bbox[1]), (bbox[2], bbox[3])]
    xs = [along(x, y) for x, y in corners]
    ys = [up(x, y) for x, y in corners]
    lines = _group_lines(runs)
    for line in lines:
        line.first_word = _first_word_width(line, word_ends)
    return _Page(number, lines, min(xs), max(xs), min(ys), max(ys))


def _axes(a: float, b: float, c: float, d: float) -> _Axes:
    """A glyph matrix's x and y axes, each snapped to the nearest page axis."""

    def snap(x: float, y: float) -> tuple[int, int]:
        if abs(x) >= abs(y):
            return (1 if x >= 0 else -1), 0
        return 0, (1 if y > 0 else -1)

    along, up = snap(a, b), snap(c, d)
    if along[0] * up[0] + along[1] * up[1] != 0 or up == (0, 0):  # skewed: assume upright
        up = (-along[1], along[0])
    return (*along, *up)


def _clean(text: str) -> str:
    """pdfium's artefacts out: its line-end hyphen marks become hyphens, compatibility
    ligatures become letters, line breaks and tabs inside a run become spaces."""
    text = text.replace("\x02", "-").replace("\ufffe", "-").replace("\ufeff", "")
    text = _FOLDED.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _SPACES.sub(" ", text)


def _group_lines(runs: list[_Run]) -> list[_Line]:
    """Runs in content order into lines: a run joins the current line when it sits on the same
    band of the page, after it or wholly before it (some producers draw a line's right half
    first). This also rejoins what pdfium splits (a raised callout, a footnote label) and
    splits what it joins (a hyphenated line end)."""
    lines: list[_Line] = []
    unsorted: set[int] = set()
    for run in runs:
        line = lines[-1] if lines else None
        if line is None:
            if run.text.strip():
                lines.append(_Line([run]))
            continue
        placement = _placement(line, run)
        if placement == "after":
            line.runs.append(run)
        elif placement == "before":
            line.runs.append(run)
            unsorted.add(id(line))
        elif run.text.strip():
            lines.append(_Line([run]))
    for line in lines:
        if id(line) in unsorted:
            line.runs.sort(key=lambda run: run.x0)
        main = line.main
        for run in line.runs:
            run.raised = (
                run.size <= main.size * _SUPERSCRIPT_SIZE
                and run.base - main.base >= main.size * _SUPERSCRIPT_RISE
            )
    return lines


def _placement(line: _Line, run: _Run) -> str | None:
    """Where ``run`` joins ``line`` (still being built): "after", "before" or None (it
    starts a new line)."""
    if not run.text.strip():
        return "after"
    visible = [r for r in line.runs if r.text.strip()]
    last = visible[-1]
    overlap = min(last.top, run.top) - max(last.bottom, run.bottom)
    smaller = min(last.top - last.bottom, run.top - run.bottom)
    if overlap < 0.5 * smaller:
        return None
    em = max(run.size, last.size)
    if run.x0 >= last.x1 - 0.5 * em:
        return "after"
    if run.x1 <= min(r.x0 for r in visible) + 0.5 * em:
        return "before"
    return None


def _first_word_width(line: _Line, word_ends: dict[int, float]) -> float:
    """How wide the line's first word is (it may run over several runs: a drop capital,
    a change of font inside the word)."""
    start = line.x0
    visible = [run for run in line.runs if run.text.strip()]
    for run, after in itertools.zip_longest(visible, visible[1:]):
        end = word_ends.get(id(run))
        if end is not None:
            return end - start
        word_ends_here = (
            after is None
            or run.text.endswith(" ")
            or after.text.startswith(" ")
            or after.x0 - run.x1 > 0.15 * run.size
        )
        if word_ends_here:
            return run.x1 - start
    return 0.0


# ---------------------------------------------------------------------------------------------
# Layout: lines to blocks and notes


@dataclass
class _NoteDraft:
    id: str
    label: str
    page: int
    paragraphs: list[Paragraph]


@dataclass(frozen=True)
class _Column:
    left: float
    right: float


@dataclass
class _Piece:
    """Inline text on its way to becoming a span."""

    text: str
    marks: frozenset[str] = frozenset()
    link: str | None = None
    note: str | None = None


_WRAP, _HARD = " ", "\n"


class _Layout:
    """Document-wide measures (body size, line pitch, text margins) and the block builder."""

    def __init__(self, pages: list[_Page]) -> None:
        self.pages = pages
        sizes: Counter[float] = Counter()
        for page in pages:
            for line in page.lines:
                for run in line.runs:
                    sizes[round(run.size * 2) / 2] += len(run.text.strip())
        self.body = sizes.most_common(1)[0][0] if sizes else 12.0
        self.pitch_ratio = self._pitch() / self.body
        big = [size for size in sizes if size >= self.body * _HEADING_RATIO]
        self.top_heading = max(big) if big else 0.0
        self.notes: dict[str, _NoteDraft] = {}
        self._remove_furniture()
        margins = self._right_margins()
        self.columns = {page.number: self._columns(page, margins[page.number]) for page in pages}

    def build(self) -> tuple[list[AnyBlock], dict[str, Note]]:
        blocks: list[AnyBlock] = []
        for page in self.pages:
            blocks.append(PageBreak(page.number))
            blocks.extend(self._page_blocks(page))
        notes = {
            draft.id: Note(draft.id, draft.label, tuple(draft.paragraphs), kind="footnote")
            for draft in self.notes.values()
        }
        return blocks, notes

    # -- measures

    def _is_body(self, line: _Line) -> bool:
        return abs(line.size - self.body) <= 0.1 * self.body

    def _pitch(self) -> float:
        """The usual baseline distance between two lines of body text."""
        deltas: Counter[float] = Counter()
        for page in self.pages:
            for a, b in itertools.pairwise(page.lines):
                if self._is_body(a) and self._is_body(b):
                    delta = a.base - b.base
                    if 0.9 * self.body <= delta <= 2.5 * self.body:
                        deltas[round(delta * 2) / 2] += 1
        return deltas.most_common(1)[0][0] if deltas else 1.2 * self.body

    def _right_margins(self) -> dict[int, float]:
        """Each page's right text margin. Ragged text stops short of it by less than a word,
        so with enough long lines a high percentile of line ends finds it; a page with few
        lines borrows the left margin mirrored, as most layouts are symmetric."""
        ends_by_width: dict[int, list[float]] = {}
        for page in self.pages:
            ends_by_width.setdefault(round(page.right - page.left), []).extend(
                line.x1 for line in page.lines if len(line.text.strip()) >= 20
            )
        margins: dict[int, float] = {}
        for page in self.pages:
            ends = sorted(ends_by_width[round(page.right - page.left)])
            if len(ends) >= 8:
                margins[page.number] = ends[int(0.9 * (len(ends) - 1))]
            else:
                mirrored = page.right - (self._left(page) - page.left)
                margins[page.number] = max([*ends, mirrored])
        return margins

    def _columns(self, page: _Page, right: float) -> list[_Column]:
        """The page's text columns, left to right: clusters of line starts, far apart and
        each with many lines. A page of one column spans the text margins."""
        em = self.body
        starts = sorted(line.x0 for line in page.lines if len(line.text.strip()) >= 20)
        clusters: list[list[float]] = []
        for x in starts:
            if clusters and x - clusters[-1][-1] <= 3 * em:
                clusters[-1].append(x)
            else:
                clusters.append([x])
        needed = max(5, 0.15 * len(starts))
        lefts: list[float] = []
        for cluster in clusters:
            far = not lefts or cluster[0] - lefts[-1] >= 0.25 * (page.right - page.left)
            if len(cluster) >= needed and far:
                lefts.append(cluster[0])
        if len(lefts) < 2:
            return [_Column(self._left(page), right)]
        columns: list[_Column] = []
        for k, left in enumerate(lefts):
            after = lefts[k + 1] if k + 1 < len(lefts) else math.inf
            ends = sorted(
                line.x1
                for line in page.lines
                if left - em <= line.x0 < after - em
                and line.x1 <= after
                and len(line.text.strip()) >= 20
            )
            if len(ends) >= 8:
                columns.append(_Column(left, ends[int(0.9 * (len(ends) - 1))]))
            else:
                columns.append(_Column(left, ends[-1] if ends else min(after - 2 * em, right)))
        return columns

    def _column(self, page: _Page, line: _Line) -> _Column:
        """The column a line starts in; a line reaching past it (a title over two columns)
        belongs to the whole text width."""
        columns = self.columns[page.number]
        column = next(
            (col for col in reversed(columns) if col.left - self.body <= line.x0), columns[0]
        )
        if line.x1 > column.right + 2 * self.body:
            return _Column(columns[0].left, columns[-1].right)
        return column

    def _left(self, page: _Page) -> float:
        """The page's left text margin: where its body lines start."""
        body = [line.x0 for line in page.lines if self._is_body(line)]
        every = [line.x0 for line in page.lines]
        return min(body or every or [page.left])

    # -- running heads, footers and page numbers

    def _remove_furniture(self) -> None:
        """Drop running heads and footers (lines that recur at a page edge on most pages,
        page numbers aside and OCR slips forgiven) and lone page numbers at a page edge."""
        edges = [self._edge_lines(page) for page in self.pages]
        furniture = _recurring(edges, needed=max(2, math.ceil(len(self.pages) / 2)))
        for page, lines in zip(self.pages, edges, strict=True):
            drop = {
                id(line)
                for line in lines
                if id(line) in furniture or _PAGE_NUMBER.match(line.text.strip())
            }
            page.lines = [line for line in page.lines if id(line) not in drop]

    def _edge_lines(self, page: _Page) -> list[_Line]:
        """Lines that may be page furniture: a small group set off by a gap (or a size
        change) at the top or bottom of the page."""
        groups = self._gap_groups(sorted(page.lines, key=lambda line: -line.base))
        if len(groups) < 2:
            return []
        zone = _EDGE_ZONE * (page.top - page.bottom)
        first, last = groups[0], groups[-1]
        edge: list[_Line] = []
        if len(first) <= _EDGE_LINES and page.top - first[0].base <= zone:
            edge.extend(first)
        if len(last) <= _EDGE_LINES and last[-1].base - page.bottom <= zone:
            edge.extend(last)
        return edge

    # -- blocks

    def _page_blocks(self, page: _Page) -> list[AnyBlock]:
        groups = self._gap_groups(page.lines)
        groups, callouts = self._take_notes(page, groups)
        blocks: list[AnyBlock] = []
        for group in groups:
            for lines, joins, align in self._split_group(page, group):
                block = self._block(page, lines, joins, align, callouts)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _gap_groups(self, lines: list[_Line]) -> list[list[_Line]]:
        """Lines cut at vertical gaps, jumps back up the page and font size changes."""
        groups: list[list[_Line]] = []
        for line in lines:
            if groups:
                prev = groups[-1][-1]
                delta = prev.base - line.base
                expected = self.pitch_ratio * max(prev.size, line.size)
                same_size = abs(prev.size - line.size) <= 0.1 * max(prev.size, line.size)
                if same_size and 0.3 * expected <= delta <= _GAP_RATIO * expected:
                    groups[-1].append(line)
                    continue
            groups.append([line])
        return groups

    def _split_group(
        self, page: _Page, group: list[_Line]
    ) -> list[tuple[list[_Line], list[str], str | None]]:
        """Cut a gap-free group into paragraphs and decide how each line ends: ``_WRAP`` (the
        line was full, join with a space) or ``_HARD`` (keep the line break)."""
        align = self._alignment(page, group)
        if align is not None:
            return [(group, [_HARD] * (len(group) - 1), align)]
        parts: list[tuple[list[_Line], list[str], str | None]] = []
        lines, joins = [group[0]], []
        for i in range(1, len(group)):
            a, b = group[i - 1], group[i]
            wrapped = self._wraps(page, a, b, first=len(lines) == 1)
            b_wraps = i + 1 < len(group) and self._wraps(page, b, group[i + 1], first=True)
            if self._starts_block(a, b, lines, joins, wrapped, b_wraps):
                parts.append((lines, joins, None))
                lines, joins = [b], []
            else:
                lines.append(b)
                joins.append(_WRAP if wrapped else _HARD)
        parts.append((lines, joins, None))
        return parts

    def _starts_block(
        self,
        a: _Line,
        b: _Line,
        lines: list[_Line],
        joins: list[str],
        wrapped: bool,
        b_wraps: bool,
    ) -> bool:
        """Whether line ``b`` starts a new paragraph after line ``a`` (no gap between them)."""
        em = max(a.size, b.size)
        outdent = b.x0 < a.x0 - 0.8 * em and len(lines) >= 2
        if wrapped:
            return outdent  # the end of an indented passage
        return (
            outdent
            or b.x0 > a.x0 + 0.8 * em  # a first-line indent
            or a.bold != b.bold  # a bold head line over its text, or the reverse
            or (bool(joins) and joins[-1] == _WRAP)  # ``a`` ended a wrapped paragraph
            or b_wraps  # ``b`` starts one
        )

    def _wraps(self, page: _Page, a: _Line, b: _Line, first: bool) -> bool:
        """Whether ``a`` ends where it does only because ``b``'s first word did not fit.

        ``first`` says ``a`` opens its paragraph: then an indented ``b`` may still continue
        it (a hanging indent); otherwise an indented line starts a new paragraph.
        """
        em = a.size
        # a space and the word, with half an em of slack for the estimate of the margin
        full = a.x1 + 0.3 * em + b.first_word > self._column(page, a).right - 0.5 * em
        if b.x0 > a.x0 + 0.8 * em:
            return first and full
        if re.search(r"[^\W\d_][-\u2010\xad]$", a.text.rstrip()) and _starts_lower(b.text):
            return True
        return full

    def _alignment(self, page: _Page, group: list[_Line]) -> str | None:
        """Return "center" or "right" for a group whose lines share a centre or a right edge."""
        column = self._column(page, group[0])
        left, right = column.left, column.right
        em = _block_size(group)
        x0s = [line.x0 for line in group]
        x1s = [line.x1 for line in group]
        mids = [(line.x0 + line.x1) / 2 for line in group]
        if len(group) == 1:
            if x1s[0] >= right - em and x0s[0] > left + 0.3 * (right - left):
                return "right"
            if abs(mids[0] - (left + right) / 2) <= em and x0s[0] > left + 2 * em:
                return "center"
            return None
        if max(x0s) - min(x0s) <= em:
            return None
        if max(x1s) - min(x1s) <= 0.5 * em and min(x0s) > left + 3 * em:
            return "right"
        if max(mids) - min(mids) <= 0.75 * em and min(x0s) > left + em:
            return "center"
        return None

    def _block(
        self,
        page: _Page,
        lines: list[_Line],
        joins: list[str],
        align: str | None,
        callouts: dict[str, str],
    ) -> Block | None:
        spans = _spans(lines, joins, callouts)
        if not spans:
            return None
        size = _block_size(lines)
        hints = {
            "page": page.number,
            "font_size": _round(size),
            "align": align,
            "indent": _round(lines[0].x0 - self._column(page, lines[0]).left),
        }
        if size >= self.body * _HEADING_RATIO:
            level = 1 if size >= self.top_heading - 0.25 else 2
            return Heading(tuple(spans), level=level, **hints)  # type: ignore[arg-type]
        return Paragraph(tuple(spans), **hints)  # type: ignore[arg-type]

    # -- footnotes

    def _take_notes(
        self, page: _Page, groups: list[list[_Line]]
    ) -> tuple[list[list[_Line]], dict[str, str]]:
        """Take the footnotes off the page foot into ``self.notes``.

        Returns the remaining groups and the page's callout labels mapped to note ids. A
        footnote group sits in the lower half of the page and starts with a label; the groups
        below it must be footnotes too.
        """
        middle = (page.top + page.bottom) / 2
        raised = {
            run.text.strip()
            for group in groups
            for line in group
            for run in line.runs
            if run.raised and _NOTE_LABEL.match(run.text.strip())
        }
        foot = len(groups)
        while foot > 1:
            first = groups[foot - 1][0]
            if first.base > middle or self._note_label(first, raised) is None:
                break
            foot -= 1
        callouts: dict[str, str] = {}
        if foot < len(groups):
            self._continue_note(page, groups, foot, middle)
        for group in groups[foot:]:
            label, current = "", []
            for line in group:
                found = self._note_label(line, raised)
                if found is not None and current:
                    self._add_note(page, label, current, callouts)
                    current = []
                if found is not None:
                    label = found
                    current.append(_without_label(line))
                else:
                    current.append(line)
            if current:
                self._add_note(page, label, current, callouts)
        return groups[:foot], callouts

    def _note_label(self, line: _Line, raised: set[str]) -> str | None:
        """The label a footnote's first line starts with: raised or smaller than the note
        text, or (in a note font smaller than the body) plain, if the body has a raised
        callout with that label."""
        first = next((run for run in line.runs if run.text.strip()), None)
        if first is None:
            return None
        label = first.text.strip()
        if _is_label_run(first, line):
            return label if _NOTE_LABEL.match(label) else None
        if line.size < 0.9 * self.body:
            match = _PLAIN_NOTE_START.match(line.text.strip())
            if match and match.group(1) in raised:
                return match.group(1)
        return None

    def _continue_note(
        self, page: _Page, groups: list[list[_Line]], foot: int, middle: float
    ) -> None:
        """A footnote that runs over from the previous page continues above this page's own
        notes, unlabelled and in the note font; append it to the previous page's last note."""
        if foot < 2 or not self.notes:
            return
        last = next(reversed(self.notes.values()))
        group = groups[foot - 1]
        if (
            last.page == page.number - 1
            and group[0].base < middle
            and _block_size(group) < 0.9 * self.body
        ):
            del groups[foot - 1]
            self._extend_note(page, last, group)

    def _add_note(
        self, page: _Page, label: str, lines: list[_Line], callouts: dict[str, str]
    ) -> None:
        note_id = f"fn{label}" if label.isalnum() else f"fn{len(self.notes) + 1}"
        base, n = note_id, 1
        while note_id in self.notes:
            n += 1
            note_id = f"{base}-{n}"
        draft = _NoteDraft(note_id, label, page.number, [])
        if self._extend_note(page, draft, lines):
            self.notes[note_id] = draft
            callouts.setdefault(label, note_id)

    def _extend_note(self, page: _Page, draft: _NoteDraft, lines: list[_Line]) -> bool:
        joins = [
            _WRAP if self._wraps(page, a, b, first=i == 0) else _HARD
            for i, (a, b) in enumerate(itertools.pairwise(lines))
        ]
        spans = _spans(lines, joins, {})
        if spans:
            draft.paragraphs.append(
                Paragraph(tuple(spans), page=page.number, font_size=_round(_block_size(lines)))
            )
        return bool(spans)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _recurring(edges: list[list[_Line]], needed: int) -> set[int]:
    """Ids of the edge lines that recur on at least ``needed`` pages. Each page is compared
    with the next two, so heads that alternate between odd and even pages count."""
    keys = {id(line): _furniture_key(line) for lines in edges for line in lines}
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for p, lines in enumerate(edges):
        for other in edges[p + 1 : p + 3]:
            for a in lines:
                for b in other:
                    if _similar(keys[id(a)], keys[id(b)]):
                        parent[root(id(a))] = root(id(b))
    pages: dict[int, set[int]] = {}
    for p, lines in enumerate(edges):
        for line in lines:
            pages.setdefault(root(id(line)), set()).add(p)
    return {id(line) for lines in edges for line in lines if len(pages[root(id(line))]) >= needed}


def _furniture_key(line: _Line) -> str:
    """A line's letters only, so "Page 2" and "Page 3" or "49 Title" and "Title 50" repeat."""
    return "".join(ch for ch in line.text.lower() if ch.isalpha())


def _similar(a: str, b: str) -> bool:
    """Equal, or nearly so for longer text (an OCR layer reads a running head differently
    on each page)."""
    if not a or not b:
        return False
    if a == b:
        return True
    return min(len(a), len(b)) >= 8 and SequenceMatcher(None, a, b).ratio() >= 0.8


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0].islower()


def _is_label_run(run: _Run, line: _Line) -> bool:
    return run.raised or (run is not line.main and run.size <= line.size * _SUPERSCRIPT_SIZE)


def _without_label(line: _Line) -> _Line:
    """A footnote's first line without its label."""
    runs = list(line.runs)
    first = next(i for i, run in enumerate(runs) if run.text.strip())
    run = runs[first]
    if _is_label_run(run, line):
        runs = runs[first + 1 :]
    else:
        text = re.sub(r"^\s*(?:\d{1,3}|[*†‡§¶]{1,3})[.)]?\s+", "", run.text, count=1)
        runs[first] = _Run(**{**run.__dict__, "text": text})
    return _Line(runs, line.first_word)


def _block_size(lines: list[_Line]) -> float:
    weight: Counter[float] = Counter()
    for line in lines:
        weight[line.size] += len(line.text.strip())
    return weight.most_common(1)[0][0]


def _round(value: float) -> float:
    return round(value, 1)


def _spans(lines: list[_Line], joins: list[str], callouts: dict[str, str]) -> list[Span]:
    """The spans of a block: runs with their marks, links and note callouts, lines joined
    as ``joins`` says (a hyphenated word rejoined)."""
    pieces: list[_Piece] = []
    for index, line in enumerate(lines):
        line_pieces = _line_pieces(line, callouts)
        if not line_pieces:
            continue
        if pieces and index:
            wrapped = joins[index - 1] == _WRAP
            joiner = _rejoin_hyphen(pieces, line.text) if wrapped else _HARD
            if joiner:
                pieces.append(_Piece(joiner, pieces[-1].marks, pieces[-1].link))
        pieces.extend(line_pieces)
    return _merge(pieces)


def _line_pieces(line: _Line, callouts: dict[str, str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    prev: _Run | None = None
    for run in line.runs:
        text = run.text
        if not text:
            continue
        if prev is not None and pieces:
            # runs that pdfium saw as separate objects with a visible gap are separate words
            gap = run.x0 - prev.x1
            spaced = pieces[-1].text.endswith(" ") or text.startswith(" ")
            cjk = _is_wide(pieces[-1].text[-1:] or " ") and _is_wide(text[0])
            if gap > 0.15 * max(run.size, prev.size) and not spaced and not cjk:
                pieces.append(_Piece(" ", pieces[-1].marks, pieces[-1].link))
        label = text.strip()
        if run.raised and label in callouts:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            if lead:
                pieces.append(_Piece(lead))
            pieces.append(_Piece(label, frozenset({"superscript"}), note=callouts[label]))
            if trail:
                pieces.append(_Piece(trail))
        else:
            marks = {"bold"} if run.bold else set()
            if run.italic:
                marks.add("italic")
            if run.raised:
                marks.add("superscript")
            pieces.append(_Piece(text, frozenset(marks), run.link))
        prev = run
    # a line's own leading and trailing spaces are layout, not text
    while pieces and not pieces[0].note and not pieces[0].text.strip():
        pieces.pop(0)
    while pieces and not pieces[-1].note and not pieces[-1].text.strip():
        pieces.pop()
    if pieces:
        pieces[0].text = pieces[0].text if pieces[0].note else pieces[0].text.lstrip()
        pieces[-1].text = pieces[-1].text if pieces[-1].note else pieces[-1].text.rstrip()
    return pieces


def _rejoin_hyphen(pieces: list[_Piece], next_text: str) -> str:
    """The joiner for a wrapped line; a word hyphenated at the line end is put back
    together (the hyphen goes when the next line goes on in lower case)."""
    last = pieces[-1]
    if (
        last.text
        and next_text.strip()
        and _is_wide(last.text[-1])
        and _is_wide(next_text.strip()[0])
    ):
        return ""  # CJK text has no spaces between words
    if last.note or not re.search(r"[^\W\d_][-\u2010\xad]$", last.text):
        return _WRAP
    if last.text.endswith("\xad") or _starts_lower(next_text):
        last.text = last.text[:-1]
    return ""


def _merge(pieces: list[_Piece]) -> list[Span]:
    merged: list[_Piece] = []
    for piece in pieces:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.note is None
            and piece.note is None
            and (prev.marks, prev.link) == (piece.marks, piece.link)
        ):
            prev.text += piece.text
        else:
            merged.append(_Piece(piece.text, piece.marks, piece.link, piece.note))
    spans: list[Span] = []
    for piece in merged:
        text = normalise(piece.text.replace("\xad", ""))
        text = re.sub(r" {2,}", " ", text)
        if text:
            spans.append(Span(text, piece.marks, piece.link, piece.note))
    return linkify(spans)
