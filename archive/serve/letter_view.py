"""A letter's TEI as HTML that reads like a letter: letterhead, dateline, address, salutation,
body, closing and signatures, postscript, with each footnote's callout where the writer put it
and the notes below.

The HTML is built as lxml elements from the TEI's elements and text, and serialised by lxml,
which escapes every text and attribute: a letter containing ``<script>`` shows it as text.
Links are kept only when they are http(s) addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from lxml.html import builder as h

from metadata.xml import NS, TEI_NS

#: TEI block elements → (HTML tag, class)
_BLOCKS = {
    "fw": ("header", "letterhead"),
    "opener": ("div", "opener"),
    "closer": ("div", "closer"),
    "dateline": ("p", "dateline"),
    "salute": ("p", "salute"),
    "signed": ("p", "signed"),
    "postscript": ("div", "postscript"),
    "trailer": ("p", "trailer"),
    "p": ("p", None),
    "head": ("h3", None),
    "item": ("li", None),
    "row": ("tr", None),
    "cell": ("td", None),
    "table": ("table", None),
}
#: TEI rendition words → HTML inline tags
_REND = {"bold": "strong", "italic": "em", "underline": "u", "superscript": "sup"}


@dataclass
class Footnote:
    number: int
    label: str
    kind: str
    content: etree._Element


@dataclass
class _Notes:
    found: list[Footnote] = field(default_factory=list)


def letter_html(tei_root: etree._Element) -> tuple[str, str]:
    """(the letter's body, its footnotes) as HTML strings, both "" when absent."""
    notes = _Notes()
    article = h.DIV(h.CLASS("letter"))
    for div in tei_root.iterfind("tei:text/tei:body/tei:div", NS):
        for child in div:
            _block(article, child, notes)
    body = etree.tostring(article, method="html", encoding="unicode")
    if not notes.found:
        return body, ""
    listing = h.OL(h.CLASS("footnotes"))
    for note in notes.found:
        item = etree.SubElement(listing, "li", id=f"fn{note.number}")
        item.set("class", f"note {note.kind}")
        label = etree.SubElement(item, "span", {"class": "label"})
        label.text = note.label + " "
        item.append(note.content)
        back = etree.SubElement(item, "a", href=f"#fnref{note.number}", title="back to the text")
        back.set("class", "back")
        back.text = "↩"
    return body, etree.tostring(listing, method="html", encoding="unicode")


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{TEI_NS}}}"):
        return ""
    return tag.split("}", 1)[1]


def _block(parent: etree._Element, element: etree._Element, notes: _Notes) -> None:
    name = _local(element)
    if name == "address":
        address = etree.SubElement(parent, "address")
        for index, line in enumerate(element.iterfind("tei:addrLine", NS)):
            if index:
                etree.SubElement(address, "br")
            _inline_into(address, line, notes)
        _tail(address, element)
        return
    if name == "list":
        tag = "ol" if element.get("type") == "ordered" else "ul"
        container = etree.SubElement(parent, tag)
        for item in element:
            _block(container, item, notes)
        return
    if name == "div":  # a section: its heading and paragraphs
        section = etree.SubElement(parent, "section")
        for child in element:
            _block(section, child, notes)
        return
    if name in ("opener", "closer", "postscript", "fw", "table", "row"):
        tag, cls = _BLOCKS[name]
        container = etree.SubElement(parent, tag)
        if cls:
            container.set("class", cls)
        if element.text and element.text.strip():
            _append_text(container, element.text)
        for child in element:
            if _local(child) in _BLOCKS or _local(child) in ("address", "list"):
                _block(container, child, notes)
            else:
                _inline(container, child, notes)
        return
    if name == "pb":
        _inline(parent, element, notes)
        return
    tag, cls = _BLOCKS.get(name, ("p", None))
    block = etree.SubElement(parent, tag)
    if cls:
        block.set("class", cls)
    _inline_into(block, element, notes)


def _inline_into(target: etree._Element, element: etree._Element, notes: _Notes) -> None:
    """``element``'s mixed content (not its tail) appended to ``target``."""
    if element.text:
        _append_text(target, element.text)
    for child in element:
        _inline(target, child, notes)


def _inline(target: etree._Element, element: etree._Element, notes: _Notes) -> None:
    name = _local(element)
    if name == "note":
        _callout(target, element, notes)
    elif name == "lb":
        etree.SubElement(target, "br")
    elif name == "pb":
        marker = etree.SubElement(target, "span", {"class": "pb"})
        marker.text = f"[page {element.get('n', '')}]".replace(" ]", "]")
    elif name == "hi":
        inner = target
        for word in (element.get("rend") or "").split():
            if word in _REND:
                inner = etree.SubElement(inner, _REND[word])
        _inline_into(inner, element, notes)
    elif name == "ref":
        href = element.get("target", "")
        link = etree.SubElement(target, "a" if href.startswith(("http://", "https://")) else "span")
        if link.tag == "a":
            link.set("href", href)
            link.set("rel", "nofollow noopener")
        _inline_into(link, element, notes)
    elif name in ("del", "add"):
        _inline_into(etree.SubElement(target, "del" if name == "del" else "ins"), element, notes)
    elif name in _BLOCKS or name in ("address", "list"):
        _block(target, element, notes)
        return _tail(target, element)
    else:  # names, places, dates and the rest read as their text
        span = etree.SubElement(target, "span")
        if name:
            span.set("class", name)
        _inline_into(span, element, notes)
    _tail(target, element)
    return None


def _callout(target: etree._Element, note: etree._Element, notes: _Notes) -> None:
    number = len(notes.found) + 1
    label = note.get("n") or str(number)
    kind = "comment" if note.get("type") == "comment" else note.get("place", "bottom")
    content = etree.Element("span", {"class": "text"})
    if note.text:
        _append_text(content, note.text)
    for child in note:
        if _local(child) == "p":
            para = etree.SubElement(content, "span", {"class": "para"})
            _inline_into(para, child, notes)
            _tail(content, child)
        else:
            _inline(content, child, notes)
    notes.found.append(Footnote(number, label, kind, content))
    sup = etree.SubElement(target, "sup", {"class": "callout"})
    link = etree.SubElement(sup, "a", href=f"#fn{number}", id=f"fnref{number}")
    link.set("title", " ".join("".join(content.itertext()).split())[:200])
    link.text = label


def _tail(target: etree._Element, element: etree._Element) -> None:
    if element.tail:
        _append_text(target, element.tail)


def _append_text(target: etree._Element, text: str) -> None:
    """Text after ``target``'s last child (or in it, when it has none)."""
    children = list(target)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text
