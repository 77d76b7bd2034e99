"""Read a :class:`Letter` back from TEI: the inverse of :mod:`ingest.tei.build`.

A TEI file Epistula exported carries every letter part and all the metadata it recognised,
so re-ingesting it must not guess again: ``correspDesc`` gives the correspondents, places and
date; ``opener`` (``dateline``, ``address``, ``salute``), ``head[@type='subject']``, ``p``,
``div[@type='section']``, ``list``, ``table``, ``note``, ``pb``, ``closer`` (``salute``,
``signed``, ``dateline``, ``address``), ``postscript`` and ``trailer`` give the parts;
``sourceDesc/bibl`` names the original file and its SHA-256; the OCR ``respStmt`` says what OCR
read; ``publicationStmt/idno[@type='local']`` is the letter's id. What ``sourceDesc`` names is
only a claim (any TEI can name any digest), so the SHA-256 of the TEI file's own bytes goes along
in the document's properties (:data:`READ_SHA256`): that, never the claim, is the letter's
identity in the archive. Building TEI from the result
gives the same TEI again (apart from the dates of the new ingest).

TEI from elsewhere is read the same way, as far as it uses these elements: divisions without a
heading are read through, ``choice`` keeps its expansion, and what is missing stays missing.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from ingest.letter.model import (
    Agent,
    BodyItem,
    Inline,
    Letter,
    LetterMetadata,
    Para,
    Place,
    Section,
    Signatory,
)
from ingest.model import (
    AnyBlock,
    Document,
    Heading,
    ListItem,
    Note,
    PageBreak,
    Paragraph,
    Source,
    Span,
    Table,
)
from ingest.tei.build import description
from metadata.dates import DateValue
from metadata.language import detect_language
from metadata.xml import TEI_NS, xml_attr

MEDIA_TYPE = "application/tei+xml"
_MARKS = frozenset({"bold", "italic", "underline", "superscript"})
_SIGNED_KINDS = {"persName": "person", "roleName": "role", "orgName": "org"}
#: groupings of names into correspondents tried before settling for the first
_MAX_GROUPINGS = 64
#: stands for a line break in the XML source while content is read (becomes a space)
_WRAP = "\x00"
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: the property that holds the SHA-256 of the bytes the letter was read from
READ_SHA256 = "read_sha256"


def letter_from_tei(root: etree._Element, source: Path) -> Letter:
    """The letter the TEI document ``root`` (read from the file ``source``) encodes."""
    header = _child(root, "teiHeader")
    meta = _metadata(root, header)
    reader = _BodyReader()
    # the parts are read first; the document's blocks are then made from them
    letter = Letter(document=Document(source=_source(header, source), blocks=()), metadata=meta)
    reader.read_parts(_letter_container(root), letter)
    document = Document(
        source=letter.document.source,
        blocks=tuple(_blocks(letter)),
        notes=reader.notes,
        properties={**_ocr_properties(header), **_read_digest(source)},
    )
    letter.document = document
    if meta.language is None:
        meta.language = detect_language(document.text)
    _group_correspondents(letter, header)
    letter.object_id = _text(_find(header, "fileDesc/publicationStmt/idno[@type='local']")) or None
    return letter


# -- header ----------------------------------------------------------------------------------


def _metadata(root: etree._Element, header: etree._Element | None) -> LetterMetadata:
    """``correspDesc``, ``langUsage`` and the main title (correspondents are grouped later)."""
    meta = LetterMetadata()
    sent = _find(header, "profileDesc/correspDesc/correspAction[@type='sent']")
    received = _find(header, "profileDesc/correspDesc/correspAction[@type='received']")
    date = _child(sent, "date")
    if date is not None:
        meta.date = DateValue(
            text=_text(date),
            when=date.get("when"),
            not_before=date.get("notBefore"),
            not_after=date.get("notAfter"),
            cert=date.get("cert", "high"),
        )
    meta.place_sent = _place(_child(sent, "placeName"))
    meta.place_received = _place(_child(received, "placeName"))
    language = _find(header, "profileDesc/langUsage/language")
    meta.language = (language.get("ident") if language is not None else None) or root.get(
        xml_attr("lang")
    )
    main = _text(_find(header, "fileDesc/titleStmt/title[@type='main']"))
    desc = _text(_find(header, "fileDesc/titleStmt/title[@type='desc']"))
    if not main:  # TEI from elsewhere: the letter's own title (level a), else the first
        main = _text(_find(header, "fileDesc/titleStmt/title[@level='a']")) or _text(
            _find(header, "fileDesc/titleStmt/title")
        )
    meta.title = main if main and main != desc else None
    return meta


def _place(element: etree._Element | None) -> Place | None:
    if element is None or not _text(element):
        return None
    ref = element.get("ref", "")
    return Place(
        _text(element),
        resp=_resp(element),
        cert=element.get("cert", "high"),
        ref=ref if ref.startswith(("http://", "https://")) else None,
    )


def _resp(element: etree._Element) -> str:
    return "user" if element.get("resp") == "#user" else "text"


def _group_correspondents(letter: Letter, header: etree._Element | None) -> None:
    """Senders and addressees: each ``persName`` with the ``orgName`` after it, or an ``orgName``.

    ``correspAction`` lists a person and their organisation as two names, so the grouping is
    ambiguous; the title statement settles it: its authors name each sender once, and its
    description names each correspondent once.
    """
    meta = letter.metadata
    desc = _text(_find(header, "fileDesc/titleStmt/title[@type='desc']"))
    authors = [
        (etree.QName(name).localname, _text(name))
        for name in _findall(header, "fileDesc/titleStmt/author/*")
    ]

    def as_authors(agents: list[Agent]) -> list[tuple[str, str]]:
        return [("persName", a.name) if a.name else ("orgName", a.orgs[-1]) for a in agents]

    def described(senders: list[Agent], recipients: list[Agent]) -> bool:
        meta.senders, meta.recipients = senders, recipients
        return description(letter) == desc

    sent = _names(_find(header, "profileDesc/correspDesc/correspAction[@type='sent']"))
    received = _names(_find(header, "profileDesc/correspDesc/correspAction[@type='received']"))
    meta.senders = _first_grouping(sent, lambda g: not authors or as_authors(g) == authors)
    meta.recipients = _first_grouping(received, lambda g: described(meta.senders, g))
    if desc and description(letter) != desc:
        meta.senders = _first_grouping(sent, lambda g: described(g, meta.recipients))


def _names(action: etree._Element | None) -> list[etree._Element]:
    if action is None:
        return []
    return [e for e in _elements(action) if _local(e) in ("persName", "orgName") and _text(e)]


def _first_grouping(
    names: list[etree._Element], fits: Callable[[list[Agent]], bool]
) -> list[Agent]:
    candidates = list(itertools.islice(_groupings(names, 0), _MAX_GROUPINGS))
    chosen = next((c for c in candidates if fits(c)), candidates[0])
    fits(chosen)  # leave the chosen grouping in place for the caller's next check
    return chosen


def _groupings(names: list[etree._Element], start: int) -> Iterator[list[Agent]]:
    """Every way to read ``names[start:]`` as agents, a person taking the organisation first."""
    if start == len(names):
        yield []
        return
    element = names[start]
    cert = element.get("cert", "high")
    if _local(element) == "orgName":
        agent = Agent(orgs=(_text(element),), resp=_resp(element), cert=cert)
        for rest in _groupings(names, start + 1):
            yield [agent, *rest]
        return
    person = _text(element)
    following = names[start + 1] if start + 1 < len(names) else None
    if following is not None and _local(following) == "orgName":
        agent = Agent(name=person, orgs=(_text(following),), resp=_resp(element), cert=cert)
        for rest in _groupings(names, start + 2):
            yield [agent, *rest]
    agent = Agent(name=person, resp=_resp(element), cert=cert)
    for rest in _groupings(names, start + 1):
        yield [agent, *rest]


def _ocr_properties(header: etree._Element | None) -> dict[str, str]:
    """What the reader said about OCR (``ocr``, ``ocr_languages``, ``ocr_pages``), read back
    from ``respStmt[@xml:id='ocr']`` and its ``change``: "OCR by ENGINE (language L, pages …)"."""
    if header is None:
        return {}
    statements = _findall(header, "fileDesc/titleStmt/*")
    ocr = next((e for e in statements if e.get(xml_attr("id")) == "ocr"), None)
    engine = _text(_child(ocr, "name"))
    if not engine:
        return {}
    properties = {"ocr": engine}
    change = _text(_find(header, "revisionDesc/change[@who='#ocr']"))
    scope = change.rpartition("(")[2].rstrip(")")
    language = re.search(r"language ([^,]+)", scope)
    if language:
        properties["ocr_languages"] = language.group(1).strip()
    pages = re.search(r"pages? (.+)$", scope)
    if pages:
        properties["ocr_pages"] = " ".join(re.findall(r"\d+", pages.group(1)))
    return properties


def _source(header: etree._Element | None, path: Path) -> Source:
    """The original file ``sourceDesc/bibl`` names, else the TEI file itself."""
    bibl = _find(header, "fileDesc/sourceDesc/bibl")
    digest = _text(_find(bibl, "idno[@type='sha256']")).lower()
    if bibl is not None and _SHA256.fullmatch(digest):
        return Source(
            filename=_text(_child(bibl, "title")) or path.name,
            media_type=_text(_find(bibl, "note[@type='mediaType']")) or "application/octet-stream",
            sha256=digest,
            size=_quantity(_find(bibl, "extent/measure[@unit='bytes']")) or 0,
            pages=_quantity(_find(bibl, "extent/measure[@unit='pages']")),
        )
    data = path.read_bytes()
    return Source(path.name, MEDIA_TYPE, hashlib.sha256(data).hexdigest(), len(data))


def _read_digest(path: Path) -> dict[str, str]:
    """``{READ_SHA256: digest}`` of the file the TEI was read from (nothing for a tree that
    was never a file)."""
    if not path.is_file():
        return {}
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {READ_SHA256: digest.hexdigest()}


def _quantity(measure: etree._Element | None) -> int | None:
    value = measure.get("quantity", "") if measure is not None else ""
    return int(value) if value.isdigit() else None


# -- body ------------------------------------------------------------------------------------


def _blocks(letter: Letter) -> Iterator[AnyBlock]:
    """The document's blocks in reading order (what the original file held)."""
    yield from letter.head_breaks
    for para in [*letter.letterhead, letter.dateline]:
        if para is not None:
            yield _paragraph(para)
    if letter.address:
        yield Paragraph((Span("\n".join(letter.address)),))
    for para in (letter.subject, letter.salute):
        if para is not None:
            yield _paragraph(para)
    yield from _body_blocks(letter.body)
    yield from letter.tail_breaks
    if letter.closer_salute is not None:
        yield _paragraph(letter.closer_salute)
    for signatory in letter.signatories:
        yield Paragraph((Span("\n".join(text for _kind, text in signatory.lines)),))
    if letter.closer_dateline is not None:
        yield _paragraph(letter.closer_dateline)
    if letter.closer_address:
        yield Paragraph((Span("\n".join(letter.closer_address)),))
    for para in [*letter.postscript, *letter.trailers]:
        yield _paragraph(para)


def _paragraph(para: Para) -> Paragraph:
    return Paragraph(tuple(i for i in para.content if isinstance(i, Span)))


def _body_blocks(items: list[BodyItem] | tuple[BodyItem, ...]) -> Iterator[AnyBlock]:
    for item in items:
        if isinstance(item, Section):
            yield Heading(_paragraph(item.head).spans)
            yield from _body_blocks(item.items)
        elif isinstance(item, Para):
            yield _paragraph(item)
        else:
            yield item


class _BodyReader:
    """Reads ``<div type="letter">`` into parts; collects the notes met on the way."""

    def __init__(self) -> None:
        self.notes: dict[str, Note] = {}

    def read_parts(self, container: etree._Element | None, parts: Letter) -> None:
        """Fill ``parts`` (a letter) with what ``<div type="letter">`` holds, in order."""
        if container is None:
            return
        pending: list[PageBreak] = []
        started = False  # once anything but a page break was seen, breaks are not head breaks
        for element in _read_through(container):
            name = _local(element)
            if name == "pb":
                if started:
                    pending.append(_page_break(element))
                else:
                    parts.head_breaks.append(_page_break(element))
                continue
            started = True
            if name == "fw" and element.get("type") == "letterhead":
                parts.letterhead.append(Para(self.inline(element)))
            elif name == "fw":
                continue  # running heads and catchwords are not the letter's text
            elif name == "opener":
                self._opener(element, parts)
            elif name == "head" and element.get("type") == "subject":
                parts.subject = Para(self.inline(element))
            elif name in ("closer", "postscript", "trailer"):
                parts.tail_breaks += pending
                pending = []
                self._bottom(element, parts)
            else:
                parts.body += pending
                pending = []
                parts.body += self.body_items([element])
        parts.tail_breaks += pending
        if Para(()) in parts.body and all(
            item == Para(()) or isinstance(item, PageBreak) for item in parts.body
        ):  # the empty <p/> TEI wants before a closer
            parts.body = [item for item in parts.body if item != Para(())]

    def _opener(self, opener: etree._Element, parts: Letter) -> None:
        for element in _elements(opener):
            name = _local(element)
            if name == "dateline":
                parts.dateline = _dateline(element)
            elif name == "address":
                parts.address = _address_lines(element)
            elif name == "salute":
                parts.salute = Para(self.inline(element))

    def _bottom(self, element: etree._Element, parts: Letter) -> None:
        name = _local(element)
        if name == "trailer":
            parts.trailers.append(Para(self.inline(element)))
        elif name == "postscript":
            paragraphs = [p for p in _elements(element) if _local(p) == "p"]
            if paragraphs:
                parts.postscript += [Para(self.inline(p)) for p in paragraphs]
            else:
                parts.postscript.append(Para(self.inline(element)))
        else:
            for child in _elements(element):
                if _local(child) == "salute":
                    parts.closer_salute = Para(self.inline(child))
                elif _local(child) == "signed":
                    parts.signatories.append(Signatory(tuple(_signed_lines(child))))
                elif _local(child) == "dateline":
                    parts.closer_dateline = _dateline(child)
                elif _local(child) == "address":
                    parts.closer_address = _address_lines(child)

    def body_items(self, elements: list[etree._Element]) -> list[BodyItem]:
        """``p``, ``pb``, ``list``, ``table`` and ``div[@type='section']`` as body items."""
        items: list[BodyItem] = []
        for element in elements:
            name = _local(element)
            if name == "pb":
                items.append(_page_break(element))
            elif name == "list":
                ordered = element.get("type") == "ordered"
                items += [
                    ListItem(_spans(self.inline(item)), ordered=ordered)
                    for item in _elements(element)
                    if _local(item) == "item"
                ]
            elif name == "table":
                items.append(self._table(element))
            elif name == "div":
                children = list(_elements(element))
                if children and _local(children[0]) == "head":
                    head = Para(self.inline(children[0]))
                    items.append(Section(head, tuple(self.body_items(children[1:]))))
                else:  # a division without a heading is read through
                    items += self.body_items(children)
            elif name in ("fw", "opener", "closer", "postscript", "trailer"):
                continue  # parts of the letter's frame met inside a division elsewhere
            else:
                items.append(Para(self.inline(element)))
        return items

    def _table(self, table: etree._Element) -> Table:
        rows = []
        for row in _elements(table):
            if _local(row) != "row":
                continue
            cells = [
                (Paragraph(_spans(self.inline(cell))),)
                for cell in _elements(row)
                if _local(cell) == "cell"
            ]
            rows.append(tuple(cells))
        return Table(tuple(rows))

    # -- inline content ----------------------------------------------------------------------

    def inline(self, element: etree._Element) -> tuple[Inline, ...]:
        """Mixed content as spans (marks, links, note callouts) and page breaks."""
        out: list[Inline] = []
        self._mixed(element, out, frozenset(), None)
        return _merge(out)

    def _mixed(
        self,
        element: etree._Element,
        out: list[Inline],
        marks: frozenset[str],
        link: str | None,
    ) -> None:
        layout = _layout_only(element)
        if element.text and not layout:
            out.append(Span(_unwrap(element.text), marks, link))
        for child in element:
            if isinstance(child.tag, str):
                self._child(child, out, marks, link)
            if child.tail and not layout:
                out.append(Span(_unwrap(child.tail), marks, link))

    def _child(
        self,
        child: etree._Element,
        out: list[Inline],
        marks: frozenset[str],
        link: str | None,
    ) -> None:
        name = _local(child)
        if name == "lb":
            if child.get("break") != "no":
                out.append(Span("\n", marks, link))
        elif name == "pb":
            out.append(_page_break(child))
        elif name == "space":
            out.append(Span(" ", marks, link))
        elif name == "hi":
            rend = frozenset((child.get("rend") or "").split()) & _MARKS
            self._mixed(child, out, marks | rend, link)
        elif name == "ref" and child.get("target"):
            self._mixed(child, out, marks, child.get("target"))
        elif name == "note":
            out.append(self._note(child))
        elif name == "choice":
            chosen = _preferred_reading(child)
            if chosen is not None:
                self._mixed(chosen, out, marks, link)
        elif name not in ("fw", "del", "gap", "figure"):
            self._mixed(child, out, marks, link)

    def _note(self, element: etree._Element) -> Span:
        """``<note>``: a :class:`Note`, and the callout span that stands where it was."""
        label = element.get("n") or "*"
        paragraphs = [p for p in _elements(element) if _local(p) == "p"]
        blocks = [Paragraph(_spans(self.inline(p))) for p in paragraphs] or [
            Paragraph(_spans(self.inline(element)))
        ]
        note_id = f"fn{len(self.notes) + 1}"
        kind = "endnote" if element.get("place") == "end" else "footnote"
        self.notes[note_id] = Note(note_id, label, tuple(blocks), kind)
        return Span(label, frozenset({"superscript"}), note=note_id)


def _dateline(element: etree._Element) -> Para:
    """``<dateline>``: its text as written (the date is found again from the header)."""
    return Para(_merge([Span(_plain(element, breaks=True))]))


def _address_lines(element: etree._Element) -> list[str]:
    """``<address>``: one line per ``addrLine`` (or per ``<lb/>`` when it has none)."""
    lines = [_plain(line) for line in _elements(element) if _local(line) == "addrLine"]
    return [line for line in lines if line] or [
        line for line in _plain(element, breaks=True).split("\n") if line
    ]


def _read_through(container: etree._Element) -> Iterator[etree._Element]:
    """The container's elements, with those of divisions without a heading in their place."""
    for element in _elements(container):
        children = list(_elements(element)) if _local(element) == "div" else []
        if children and _local(children[0]) != "head":
            yield from _read_through(element)
        else:
            yield element


def _signed_lines(signed: etree._Element) -> Iterator[tuple[str, str]]:
    """``<signed>``'s lines (split at ``<lb/>``), each a person, role, organisation or other."""
    lines: list[list[etree._Element | str]] = [[]]
    layout = _layout_only(signed)
    if signed.text and not layout:
        lines[-1].append(signed.text)
    for child in signed:
        if isinstance(child.tag, str):
            if _local(child) == "lb":
                lines.append([])
            else:
                lines[-1].append(child)
        if child.tail and not layout:
            lines[-1].append(child.tail)
    for line in lines:
        pieces = [p for p in line if not isinstance(p, str) or p.strip()]
        written = "".join(p if isinstance(p, str) else _plain(p) for p in line)
        text = " ".join(written.replace(_WRAP, " ").split())
        if not text:
            continue
        if len(pieces) == 1 and not isinstance(pieces[0], str):
            yield _SIGNED_KINDS.get(_local(pieces[0]), "other"), text
        else:
            yield "other", text


def _preferred_reading(choice: etree._Element) -> etree._Element | None:
    readings = {_local(e): e for e in _elements(choice)}
    for name in ("expan", "reg", "corr"):
        if name in readings:
            return readings[name]
    return next(iter(readings.values()), None)


def _page_break(element: etree._Element) -> PageBreak:
    number = element.get("n", "")
    return PageBreak(int(number) if number.isdigit() else 0)


def _layout_only(element: etree._Element) -> bool:
    """True when the element's text is only the indentation a pretty-printer put between children.

    Serialisers indent only elements without text of their own, so whitespace that holds a
    line break, in an element whose every text node is such whitespace, was never content.
    """
    if len(element) == 0:
        return False
    texts = [element.text, *(child.tail for child in element)]
    return all(t is None or (not t.strip() and "\n" in t) for t in texts)


def _unwrap(text: str) -> str:
    """Line breaks in the XML source (and the indentation around them) are soft: a space."""
    return re.sub(r"[ \t\r]*\n\s*", _WRAP, text) if "\n" in text else text


def _merge(items: list[Inline]) -> tuple[Inline, ...]:
    """Adjacent spans with the same marks and link joined; soft wraps at the ends dropped."""
    merged: list[Inline] = []
    for item in items:
        last = merged[-1] if merged else None
        if (
            isinstance(item, Span)
            and isinstance(last, Span)
            and item.note is None
            and last.note is None
            and (item.marks, item.link) == (last.marks, last.link)
        ):
            merged[-1] = Span(last.text + item.text, last.marks, last.link)
        else:
            merged.append(item)
    if merged and isinstance(merged[0], Span) and merged[0].note is None:
        merged[0] = _replace_text(merged[0], merged[0].text.lstrip(_WRAP))
    if merged and isinstance(merged[-1], Span) and merged[-1].note is None:
        merged[-1] = _replace_text(merged[-1], merged[-1].text.rstrip(_WRAP))
    cleaned = [_replace_text(i, _soft_spaces(i.text)) if isinstance(i, Span) else i for i in merged]
    return tuple(i for i in cleaned if not isinstance(i, Span) or i.text or i.note)


def _soft_spaces(text: str) -> str:
    """Soft wraps become spaces, except beside a hard line break (``<lb/>``), where they go."""
    if _WRAP not in text:
        return text
    return re.sub(f"{_WRAP}*\n{_WRAP}*", "\n", text).replace(_WRAP, " ")


def _replace_text(span: Span, text: str) -> Span:
    return Span(text, span.marks, span.link, span.note)


def _spans(content: tuple[Inline, ...]) -> tuple[Span, ...]:
    return tuple(i for i in content if isinstance(i, Span))


def _plain(element: etree._Element, breaks: bool = False) -> str:
    """The element's text as written (``<lb/>`` as a line break when ``breaks``)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        layout = _layout_only(node)
        if node.text and not layout:
            parts.append(_unwrap(node.text))
        for child in node:
            if isinstance(child.tag, str):
                name = _local(child)
                if name == "lb":
                    parts.append("\n" if breaks else " ")
                elif name == "choice":
                    chosen = _preferred_reading(child)
                    if chosen is not None:
                        walk(chosen)
                elif name != "note":
                    walk(child)
            if child.tail and not layout:
                parts.append(_unwrap(child.tail))

    walk(element)
    return "".join(parts).strip(_WRAP + " ").replace(_WRAP, " ")


# -- small helpers ---------------------------------------------------------------------------


def _letter_container(root: etree._Element) -> etree._Element | None:
    """``text/body/div[@type='letter']``, or the body of TEI that has no such division."""
    body = _find(root, "text/body")
    if body is None:
        return None
    letter = body.find(f".//{{{TEI_NS}}}div[@type='letter']")
    return letter if letter is not None else body


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    return (child for child in parent if isinstance(child.tag, str))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return parent.find(f"{{{TEI_NS}}}{name}") if parent is not None else None


def _path(path: str) -> str:
    """``a/b[@x='y']`` in Clark notation for ``find``."""
    return "/".join(f"{{{TEI_NS}}}{step}" for step in path.split("/"))


def _find(parent: etree._Element | None, path: str) -> etree._Element | None:
    return parent.find(_path(path)) if parent is not None else None


def _findall(parent: etree._Element | None, path: str) -> list[etree._Element]:
    if parent is None:
        return []
    *steps, last = path.split("/")
    found = parent.findall(_path("/".join(steps))) if steps else [parent]
    return [e for p in found for e in p if isinstance(e.tag, str)] if last == "*" else []


def _text(element: etree._Element | None) -> str:
    """Normalised text content (notes inside left out)."""
    if element is None:
        return ""
    return " ".join(_plain(element).split())
