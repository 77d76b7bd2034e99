"""Opening a PDF (the empty password first, then the user's), its document info
(pdfium and pypdf: info dictionary, XMP, language) and its link annotations."""

from __future__ import annotations

import ctypes
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree

from ingest.errors import (
    EncryptedDocument,
    UnreadableSource,
)
from ingest.limits import Limits
from ingest.readers._common import normalise, tolerated

_FPDF_ERR_PASSWORD = 4
_FPDF_ERR_SECURITY = 5
_PDFIUM_ERRORS = {
    2: "the file could not be opened",
    3: "not in PDF format or corrupted",
    6: "page not found or content error",
}


def open_document(path: Path, data: bytes, limits: Limits) -> tuple[pdfium.PdfDocument, str]:
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
class Link:
    x0: float
    y0: float
    x1: float
    y1: float
    url: str

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - 1 <= x <= self.x1 + 1 and self.y0 - 1 <= y <= self.y1 + 1


@dataclass
class DocumentInfo:
    """What the PDF says about itself, and pypdf's view of it, opened only when needed."""

    data: bytes
    password: str
    _pages: int  # the number of pages pdfium reads
    properties: dict[str, str] = field(default_factory=dict)
    _read: bool = False  # whether the pages' links have been read
    _links: dict[int, list[Link]] = field(default_factory=dict)
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
        except MemoryError:  # out of its budget: fail the file, never lose text
            raise
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
                with tolerated():  # a broken annotation costs its page's links
                    links = _page_links(page)
                    if links:
                        self._links[index] = links
        except MemoryError:  # out of its budget: fail the file, never lose text
            raise
        except Exception:  # pypdf raises many types on damaged input; none is fatal here
            pass

    @property
    def reader(self) -> Any:
        """pypdf's PdfReader, when its pages match pdfium's."""
        self._read_pages()
        return self._reader

    def links(self, index: int, page: pdfium.PdfPage) -> list[Link]:
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


def document_info(pdf: pdfium.PdfDocument, data: bytes, password: str, pages: int) -> DocumentInfo:
    """Document info, XMP and the catalog's language, as metadata candidates. pdfium reads the
    info dictionary and the language; XMP only pypdf reads, and opening a file with pypdf takes
    as long as a page of text, so it is asked only when the file may hold XMP. What pypdf
    cannot parse on a damaged file (pdfium repairs more) is read by pdfium."""
    info = DocumentInfo(data, password, pages)
    if info.may_use(b"/Metadata") and info.opened is not None:
        with tolerated():  # metadata candidates only
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
    except MemoryError:  # out of its budget: fail the file, never lose text
        raise
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


def _page_links(page: object) -> list[Link]:
    annots = page.get("/Annots")  # type: ignore[attr-defined]
    if annots is None:
        return []
    links: list[Link] = []
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
        links.append(Link(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), url.strip()))
    return links
