"""HTML reader: a letter saved as a web page (or an e-mail's HTML part, or Markdown rendered).

lxml's HTML parser reads the page (no network, no entities resolved beyond HTML's own, and
its default depth and size bounds). Block elements (``p``, ``div``, headings, list items,
``blockquote``, ``pre``, table cells…) become blocks; ``b``/``strong``, ``i``/``em``, ``u``
and ``sup`` become marks, ``a href`` a link, ``br`` a hard line break. Scripts, styles, forms
and embedded objects are never text. The ``<title>`` is a title candidate.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from ingest.errors import UnreadableSource
from ingest.limits import Limits
from ingest.model import (
    AnyBlock,
    Block,
    Document,
    Heading,
    ListItem,
    Paragraph,
    Source,
    Span,
    Table,
)
from ingest.readers._common import linkify, normalise, source_facts

MEDIA_TYPE = "text/html"

#: a page (or a fragment of one) starts with (an XML declaration, comments and) a doctype or
#: one of these tags
_START = re.compile(
    rb"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta"
    rb"|p|div|h[1-6]|table|br|span|b|i|u|em|strong|font|center|ul|ol|pre|blockquote)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BLOCKS = frozenset(
    "p div address article aside blockquote center dd dl dt figcaption footer header main nav "
    "pre section td th caption li h1 h2 h3 h4 h5 h6 hr".split()
)
_SKIPPED = frozenset(
    "script style head template noscript iframe object embed svg math canvas form select "
    "textarea button audio video map".split()
)
_MARKS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "u": "underline",
    "ins": "underline",
    "sup": "superscript",
}
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")


def sniff(head: bytes, path: Path) -> bool:
    return _START.match(head.removeprefix(codecs.BOM_UTF8)) is not None


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    return document_from_html(decode_html(data), source_facts(path, MEDIA_TYPE, data), path)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """The page's text: by its BOM, the charset it (or its e-mail part) declares, else UTF-8,
    else Windows-1252 (what browsers assume of a page that declares nothing)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    match = _META_CHARSET.search(data[:4096])
    candidates = [declared, match.group(1).decode("ascii") if match else None, "utf-8"]
    for encoding in candidates:
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def document_from_html(markup: str, source: Source, path: Path) -> Document:
    """The document an HTML page holds."""
    root = parse_html(markup, path)
    walker = _Walker()
    body = root.find("body")
    container = body if body is not None else root
    walker.text(container.text, frozenset(), None)  # text before the first element
    walker.walk(container)
    walker.flush()
    properties = {}
    title = root.findtext("head/title")
    if title and title.strip():
        properties["title"] = normalise(" ".join(title.split()))
    return Document(source=source, blocks=tuple(walker.blocks), properties=properties)


def parse_html(markup: str, path: Path) -> etree._Element:
    """The page's root element, read with a parser that fetches nothing."""
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    # the text is decoded already: lxml refuses a str that still declares an encoding
    markup = _XML_DECLARATION.sub("", markup)
    try:
        root = lxml_html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableSource(path, f"the HTML cannot be read ({exc})") from exc
    # past its depth bound libxml2 stops reading but returns what it has: never a letter
    # with its end missing
    if any("Excessive depth" in error.message for error in parser.error_log):
        raise UnreadableSource(path, "the HTML is nested too deeply (over 256 levels) to read")
    return root


@dataclass
class _Walker:
    """Walks the page in document order, gathering inline spans into blocks."""

    blocks: list[AnyBlock] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    #: the block element the gathered spans belong to: (tag, list depth, ordered)
    current: tuple[str, int, bool] = ("p", 0, False)
    lists: list[bool] = field(default_factory=list)  # open lists, True for <ol>
    pre: int = 0

    def walk(self, element: etree._Element, marks: frozenset[str] = frozenset(),
             link: str | None = None) -> None:  # fmt: skip
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                self.text(child.tail, marks, link)
                continue
            self.element(child, marks, link)
            self.text(child.tail, marks, link)

    def element(self, element: etree._Element, marks: frozenset[str], link: str | None) -> None:
        tag = element.tag.lower()
        if tag in _SKIPPED:
            return
        if tag == "br":
            self.spans.append(Span("\n", marks, link))
        elif tag == "table":
            self.flush()
            self.blocks.append(_table(element))
        elif tag in ("ul", "ol", "menu"):
            self.flush()
            self.lists.append(tag == "ol")
            self.walk(element, marks, link)
            self.lists.pop()
            self.flush()
        elif tag in _BLOCKS:
            self.flush()
            ordered = bool(self.lists and self.lists[-1])
            outer, self.current = self.current, (tag, len(self.lists), ordered)
            self.pre += tag == "pre"
            self.text(element.text, marks, link)
            self.walk(element, marks, link)
            self.flush()
            self.pre -= tag == "pre"
            self.current = outer
        else:
            if tag in _MARKS:
                marks = marks | {_MARKS[tag]}
            elif tag == "a" and (element.get("href") or "").startswith(("http://", "https://")):
                link = element.get("href")
            self.text(element.text, marks, link)
            self.walk(element, marks, link)

    def text(self, text: str | None, marks: frozenset[str], link: str | None) -> None:
        if text:
            self.spans.append(Span(text if self.pre else _SPACE.sub(" ", text), marks, link))

    def flush(self) -> None:
        spans = _tidy(self.spans)
        self.spans = []
        if not spans:
            return
        tag, depth, ordered = self.current
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.blocks.append(Heading(spans, level=int(tag[1])))
        elif tag == "li":
            self.blocks.append(ListItem(spans, level=max(0, depth - 1), ordered=ordered))
        else:
            self.blocks.append(Paragraph(spans))


def _table(element: etree._Element) -> Table:
    rows: list[tuple[tuple[Block, ...], ...]] = []
    for row in element.iter("tr"):
        cells: list[tuple[Block, ...]] = []
        for cell in row:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            walker = _Walker()
            walker.text(cell.text, frozenset(), None)
            walker.walk(cell)
            walker.flush()
            cells.append(tuple(b for b in walker.blocks if isinstance(b, Block)))
        if cells:
            rows.append(tuple(cells))
    return Table(tuple(rows))


def _tidy(spans: list[Span]) -> tuple[Span, ...]:
    """A block's spans with HTML's collapsible spaces gone: none at its ends or around a
    line break, none doubled across spans; then URLs written out become links."""
    out: list[Span] = []
    for span in spans:
        text = normalise(span.text)
        if out and out[-1].text.endswith((" ", "\n")) and text.startswith(" "):
            text = text.lstrip(" ")
        if "\n" in text:
            text = re.sub(r" *\n *", "\n", text)
            if out and text.startswith("\n"):
                out[-1] = Span(out[-1].text.rstrip(" "), out[-1].marks, out[-1].link)
        if text:
            out.append(Span(text, span.marks, span.link))
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if not out:
        return ()
    out[0] = Span(out[0].text.lstrip(), out[0].marks, out[0].link)
    out[-1] = Span(out[-1].text.rstrip(), out[-1].marks, out[-1].link)
    return tuple(linkify(out))
