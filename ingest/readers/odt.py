"""ODT reader: an OpenDocument text (LibreOffice, OpenOffice, Google Docs' "ODF" download).

An ODT is a zip whose first entry, ``mimetype``, says what it is, and whose ``content.xml``
holds the text: ``text:p`` and ``text:h`` paragraphs and headings, ``text:list`` items,
``table:table`` cells, ``text:note`` footnotes and endnotes, ``text:a`` links, and spans whose
automatic styles make them bold, italic, underlined or superscript. Tracked changes are read
accepted (the deletions kept in ``text:tracked-changes`` are left out), and comments
(``office:annotation``) are not text. ``meta.xml`` gives the title, author, date, language,
subject and keywords. Every part is unpacked within the zip-bomb bound and parsed with the
safe XML parser.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ingest.errors import LimitExceeded, UnreadableSource
from ingest.limits import Limits
from ingest.model import AnyBlock, Block, Document, Heading, ListItem, Note, Paragraph, Span, Table
from ingest.readers._common import linkify, normalise, source_facts
from ingest.readers.docx.package import ZIP_ERRORS
from metadata.xml import safe_parser

MEDIA_TYPE = "application/vnd.oasis.opendocument.text"

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_META = {
    "title": "dc:title",
    "author": "meta:initial-creator",
    "created": "meta:creation-date",
    "language": "dc:language",
    "subject": "dc:subject",
    "keywords": "meta:keyword",
}
#: elements whose content is never the letter's text
_SKIPPED = frozenset(
    f"{{{_NS[prefix]}}}{name}"
    for prefix, name in (
        ("office", "annotation"), ("office", "annotation-end"), ("text", "tracked-changes"),
        ("text", "note-citation"), ("text", "bookmark-ref"), ("text", "sequence-decls"),
        ("text", "table-of-content"), ("text", "alphabetical-index"),
    )
)  # fmt: skip


_SPACE = re.compile(r"[ \t\r\n]+")


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def sniff(head: bytes, path: Path) -> bool:
    """The ``mimetype`` entry first in the zip, stored uncompressed, as ODF requires."""
    return (
        head.startswith(b"PK\x03\x04")
        and b"mimetypeapplication/vnd.oasis.opendocument" in (head[:200])
    )


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    if b"opendocument.text" not in data[:200]:
        kind = data[30:200].split(b"opendocument.", 1)[-1].split(b"PK", 1)[0][:40]
        raise UnreadableSource(
            path,
            f"it is an OpenDocument {kind.decode('ascii', 'replace') or 'file'}, not a text",
            "save the letter as an ODT or DOCX text document",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _Parts(path, archive, limits)
            content = parts.xml("content.xml")
            meta = parts.xml("meta.xml", required=False)
    except ZIP_ERRORS as exc:
        raise UnreadableSource(path, f"the ODT is damaged ({exc})") from exc
    styles = _text_styles(content)
    walker = _Walker(styles)
    body = content.find(f"{_q('office:body')}/{_q('office:text')}")
    if body is not None:
        walker.blocks_of(body)
    return Document(
        source=source_facts(path, MEDIA_TYPE, data),
        blocks=tuple(walker.blocks),
        notes=walker.notes,
        properties=_properties(meta),
    )


@dataclass
class _Parts:
    path: Path
    archive: zipfile.ZipFile
    limits: Limits
    unpacked: int = 0

    def xml(self, name: str, required: bool = True) -> etree._Element:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            if required:
                raise UnreadableSource(self.path, f"the ODT has no {name}") from None
            return etree.Element("none")
        self.unpacked += info.file_size
        if self.unpacked > self.limits.max_unzipped_bytes:
            raise LimitExceeded(
                self.path,
                f"the ODT unpacks to more than {self.limits.max_unzipped_bytes:,} bytes; "
                "this looks like a zip bomb",
            )
        with self.archive.open(info) as fh:
            data = fh.read(info.file_size)  # never more than the directory declared
        try:
            return etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise UnreadableSource(
                self.path, f"the ODT is damaged ({name} is not well-formed XML: {exc.msg})"
            ) from exc


def _text_styles(content: etree._Element) -> dict[str, frozenset[str]]:
    """The marks each automatic style gives its text (bold, italic, underline, superscript)."""
    styles: dict[str, frozenset[str]] = {}
    for style in content.iter(_q("style:style")):
        props = style.find(_q("style:text-properties"))
        if props is None:
            continue
        marks = set()
        if props.get(_q("fo:font-weight")) in ("bold", "600", "700", "800", "900"):
            marks.add("bold")
        if props.get(_q("fo:font-style")) == "italic":
            marks.add("italic")
        if props.get(_q("style:text-underline-style"), "none") != "none":
            marks.add("underline")
        if (props.get(_q("style:text-position")) or "").startswith(("super", "33%")):
            marks.add("superscript")
        styles[style.get(_q("style:name"), "")] = frozenset(marks)
    return styles


@dataclass
class _Walker:
    styles: dict[str, frozenset[str]]
    blocks: list[AnyBlock] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)

    def blocks_of(self, container: etree._Element, depth: int = 0, out: list | None = None) -> None:
        out = self.blocks if out is None else out
        for element in container:
            tag = element.tag
            if tag == _q("text:p"):
                self._add(out, Paragraph(self.spans(element)))
            elif tag == _q("text:h"):
                level = element.get(_q("text:outline-level"), "1")
                heading = Heading(self.spans(element), level=int(level) if level.isdigit() else 1)
                self._add(out, heading)
            elif tag == _q("text:list"):
                self._list(element, depth, out)
            elif tag == _q("table:table"):
                out.append(self._table(element))
            elif tag in (_q("text:section"), _q("text:list-header")):
                self.blocks_of(element, depth, out)

    def _list(self, element: etree._Element, depth: int, out: list) -> None:
        for item in element:
            if item.tag not in (_q("text:list-item"), _q("text:list-header")):
                continue
            for child in item:
                if child.tag in (_q("text:p"), _q("text:h")):
                    self._add(out, ListItem(self.spans(child), level=depth))
                elif child.tag == _q("text:list"):
                    self._list(child, depth + 1, out)

    def _table(self, element: etree._Element) -> Table:
        rows = []
        for row in element.iter(_q("table:table-row")):
            cells = []
            for cell in row:
                if cell.tag != _q("table:table-cell"):
                    continue
                blocks: list[AnyBlock] = []
                self.blocks_of(cell, 0, blocks)
                cells.append(tuple(b for b in blocks if isinstance(b, Block)))
            rows.append(tuple(cells))
        return Table(tuple(rows))

    @staticmethod
    def _add(out: list, block: Block) -> None:
        if block.spans:
            out.append(block)

    def spans(self, element: etree._Element) -> tuple[Span, ...]:
        spans: list[Span] = []
        self._inline(element, frozenset(), None, spans)
        return _tidy(spans)

    def _inline(self, element: etree._Element, marks: frozenset[str], link: str | None,
                out: list[Span]) -> None:  # fmt: skip
        # ODF collapses white space in text as HTML does; text:s, text:tab and
        # text:line-break are the spaces and breaks that count
        if element.text:
            out.append(Span(_SPACE.sub(" ", element.text), marks, link))
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED:
                self._child(child, marks, link, out)
            if child.tail:
                out.append(Span(_SPACE.sub(" ", child.tail), marks, link))

    def _child(self, child: etree._Element, marks: frozenset[str], link: str | None,
               out: list[Span]) -> None:  # fmt: skip
        tag = child.tag
        if tag == _q("text:line-break"):
            out.append(Span("\n", marks, link))
        elif tag == _q("text:tab"):
            out.append(Span("\t", marks, link))
        elif tag == _q("text:s"):
            count = child.get(_q("text:c"), "1")
            out.append(Span(" " * min(int(count) if count.isdigit() else 1, 100), marks, link))
        elif tag == _q("text:span"):
            style = self.styles.get(child.get(_q("text:style-name"), ""), frozenset())
            self._inline(child, marks | style, link, out)
        elif tag == _q("text:a"):
            href = child.get(_q("xlink:href"), "")
            web = href.startswith(("http://", "https://"))
            self._inline(child, marks, href if web else link, out)
        elif tag == _q("text:note"):
            out.append(self._note(child))
        else:  # fields, bookmarks, frames' captions: their text, if any, is the letter's
            self._inline(child, marks, link, out)

    def _note(self, element: etree._Element) -> Span:
        label = (element.findtext(_q("text:note-citation")) or "").strip() or "*"
        note_id = f"fn{len(self.notes) + 1}"
        blocks: list[AnyBlock] = []
        body = element.find(_q("text:note-body"))
        if body is not None:
            self.blocks_of(body, 0, blocks)
        kind = "endnote" if element.get(_q("text:note-class")) == "endnote" else "footnote"
        paragraphs = tuple(b for b in blocks if isinstance(b, Block))
        self.notes[note_id] = Note(note_id, label, paragraphs, kind)
        return Span(label, frozenset({"superscript"}), note=note_id)


def _tidy(spans: list[Span]) -> tuple[Span, ...]:
    """Spans normalised and merged, without space at the paragraph's ends."""
    out: list[Span] = []
    for span in spans:
        text = normalise(span.text) if span.note is None else span.text
        last = out[-1] if out else None
        if (last is not None and last.note is None and span.note is None
                and (last.marks, last.link) == (span.marks, span.link)):  # fmt: skip
            out[-1] = Span(last.text + text, last.marks, last.link)
        elif text:
            out.append(Span(text, span.marks, span.link, span.note))
    if out and out[0].note is None:
        out[0] = Span(out[0].text.lstrip(), out[0].marks, out[0].link)
    if out and out[-1].note is None:
        out[-1] = Span(out[-1].text.rstrip(), out[-1].marks, out[-1].link)
    return tuple(linkify([s for s in out if s.text]))


def _properties(meta: etree._Element) -> dict[str, str]:
    properties: dict[str, str] = {}
    info = meta.find(_q("office:meta"))
    if info is None:
        return properties
    for key, name in _META.items():
        values = [" ".join(e.text.split()) for e in info.iter(_q(name)) if (e.text or "").strip()]
        if values:
            properties[key] = normalise(", ".join(values) if key == "keywords" else values[0])
    return properties
