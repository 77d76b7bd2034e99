"""Render evaluation letters to plain text, DOCX and PDF, the three formats Epistula reads.

A letter to render is a :class:`Sheet`: blocks of lines in reading order (a prose paragraph is
one line; a dateline, address or signature block keeps its short lines) and footnotes called
out as ``[n]`` in the text. Sheets come from plain-text letters (:func:`sheet_from_text`) or
from the ``<text>`` of a TEI edition (:func:`sheet_from_tei`), which renders what the writer
put on paper: abbreviations as written (``choice/abbr``), words broken across manuscript lines
rejoined, and editorial matter (commentary notes, deletions, gaps, registers) left out.

The writers are deterministic (fixed metadata dates, reportlab's invariant mode), so a run of
the benchmark reads the same bytes every time.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

TEI = "{http://www.tei-c.org/ns/1.0}"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
CALLOUT = re.compile(r"\[(\d{1,3})\]")
_CALLOUT_SPLIT = re.compile(r"(\[\d{1,3}\])")
NOTE_LINE = re.compile(r"^\[(?P<label>\d{1,3})\]\s+(?P<text>\S.*)$", re.S)


@dataclass
class Sheet:
    """A letter ready to be written out: blocks of lines and footnotes by label."""

    blocks: list[list[str]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        body = "\n\n".join("\n".join(lines) for lines in self.blocks)
        notes = "\n\n".join(f"[{label}] {text}" for label, text in self.notes.items())
        return f"{body}\n\n{notes}\n" if notes else f"{body}\n"


# -- from plain text -------------------------------------------------------------------------


def sheet_from_text(text: str) -> Sheet:
    """Blank lines separate blocks; hard-wrapped prose is rejoined; trailing ``[n] …``
    paragraphs are footnotes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    groups = [g.split("\n") for g in re.split(r"\n[ \t]*\n", text.strip()) if g.strip()]
    sheet = Sheet()
    while groups:
        match = NOTE_LINE.match(" ".join(line.strip() for line in groups[-1]))
        if not match:
            break
        sheet.notes[match["label"]] = match["text"]
        groups.pop()
    sheet.notes = dict(sorted(sheet.notes.items(), key=lambda item: int(item[0])))
    width = max((len(line) for g in groups for line in g), default=0)
    for group in groups:
        lines = [line.strip() for line in group]
        wrapped = len(lines) > 1 and all(len(line) >= width * 0.6 for line in group[:-1])
        sheet.blocks.append([" ".join(lines)] if wrapped and width >= 60 else lines)
    return sheet


# -- from a TEI edition ----------------------------------------------------------------------

#: editorial matter: never part of what the writer wrote
_SKIP = {
    "note", "del", "gap", "expan", "reg", "corr", "metamark", "listPerson", "listPlace",
    "listBibl", "listOrg", "listEvent", "figure", "fw", "anchor", "handShift", "surplus",
    "supplied",
}  # fmt: skip
_SKIP_DIVS = {"context", "image"}
_BLOCKS = {"p", "ab", "dateline", "salute", "signed", "head", "trailer", "byline", "address"}
#: blocks whose manuscript line breaks are kept (short lines, not prose)
_LINED = {"dateline", "address", "signed", "salute", "closer", "opener", "byline"}
_LINED_DIVS = {"dateline", "signature", "opener", "address", "letterhead"}


def _local(element: etree._Element) -> str | None:
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def sheet_from_tei(path: Path) -> Sheet:
    """The letter in a TEI edition's ``<text>``, as the writer put it on paper."""
    root = etree.parse(str(path)).getroot()
    text = root.find(f"{TEI}text")
    sheet = Sheet()
    if text is not None:
        for lines in _blocks(text):
            cleaned = [" ".join(line.split()) for line in lines]
            cleaned = [line for line in cleaned if line and line != "."]
            if cleaned:
                sheet.blocks.append(cleaned)
    return sheet


def _blocks(element: etree._Element):  # type: ignore[no-untyped-def]
    tag = _local(element)
    if tag is None or tag in _SKIP or (tag == "back" and _is_apparatus(element)):
        return
    if tag == "div" and element.get("type") in _SKIP_DIVS:
        return
    mixed = bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)
    if tag == "address":
        yield [
            " ".join(_inline(line, lined=False).split())
            for line in element
            if _local(line) == "addrLine"
        ]
        return
    if tag in _BLOCKS or mixed or not _has_blocks(element):
        yield _inline(element, lined=_is_lined(element)).split("\n")
        return
    for child in element:
        yield from _blocks(child)


def _has_blocks(element: etree._Element) -> bool:
    return any(_local(e) in _BLOCKS for e in element.iterdescendants())


def _is_apparatus(back: etree._Element) -> bool:
    """A ``<back>`` holding only registers (persons, places, works) is not letter text."""
    return all(_local(c) in _SKIP or _local(c) is None for c in back)


def _is_lined(element: etree._Element) -> bool:
    if _local(element) in _LINED:
        return True
    if any(
        _local(e) in {"signed", "salute", "dateline", "address"} for e in element.iterdescendants()
    ):
        return True
    for ancestor in element.iterancestors():
        if _local(ancestor) in {"front", "closer", "opener"}:
            return True
        if _local(ancestor) == "div" and ancestor.get("type") in _LINED_DIVS:
            return True
    return False


def _inline(element: etree._Element, lined: bool) -> str:
    parts: list[str] = []
    _walk_children(element, parts, lined)
    return "".join(parts).strip()


def _walk_children(element: etree._Element, parts: list[str], lined: bool) -> None:
    if element.text:
        parts.append(_spaces(element.text))
    for child in element:
        _walk(child, parts, lined)
        if child.tail:
            parts.append(_spaces(child.tail))


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _walk(element: etree._Element, parts: list[str], lined: bool) -> None:
    tag = _local(element)
    if tag is None or tag in _SKIP:
        return
    if tag == "ref" and element.get("type") == "letter":
        return
    if tag == "add" and element.get("hand"):
        return  # a later hand (an archivist's pencil), not the writer
    if tag == "choice":
        kept = [c for c in element if _local(c) in {"abbr", "orig", "sic"}] or list(element)[:1]
        for child in kept[:1]:
            _walk_children(child, parts, lined)
        return
    if tag == "lb":
        if element.get("break") != "no":
            parts.append("\n" if lined else " ")
        return
    if tag == "space":
        parts.append(" ")
        return
    if tag in {"signed", "salute", "dateline", "address", "p"} and lined:
        parts.append("\n")
        _walk_children(element, parts, lined)
        parts.append("\n")
        return
    _walk_children(element, parts, lined)


# -- writers ---------------------------------------------------------------------------------


def write_txt(sheet: Sheet, target: Path) -> None:
    target.write_text(sheet.text(), encoding="utf-8")


def write_docx(sheet: Sheet, target: Path) -> None:
    """One Word paragraph per block, line breaks inside it, footnotes as real Word notes."""
    from docx import Document

    document = Document()
    for lines in sheet.blocks:
        paragraph = document.add_paragraph()
        for index, line in enumerate(lines):
            for piece in (p for p in _CALLOUT_SPLIT.split(line) if p):
                paragraph.add_run(piece)
            if index < len(lines) - 1:
                paragraph.runs[-1].add_break()
    core = document.core_properties
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        members = {name: package.read(name) for name in package.namelist()}
    if sheet.notes:
        members = _with_footnotes(members, sheet.notes)
    with zipfile.ZipFile(target, "w") as package:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _with_footnotes(members: dict[str, bytes], notes: dict[str, str]) -> dict[str, bytes]:
    document = etree.fromstring(members["word/document.xml"])
    for t in list(document.iter(_w("t"))):
        match = CALLOUT.fullmatch(t.text or "")
        if match and match[1] in notes:
            run = t.getparent()
            reference = etree.Element(_w("r"))
            rpr = etree.SubElement(reference, _w("rPr"))
            etree.SubElement(rpr, _w("vertAlign"), {_w("val"): "superscript"})
            etree.SubElement(reference, _w("footnoteReference"), {_w("id"): match[1]})
            run.getparent().replace(run, reference)
    footnotes = etree.Element(_w("footnotes"), nsmap={"w": W})
    for note_id, kind in (("-1", "separator"), ("0", "continuationSeparator")):
        note = etree.SubElement(footnotes, _w("footnote"), {_w("type"): kind, _w("id"): note_id})
        etree.SubElement(etree.SubElement(etree.SubElement(note, _w("p")), _w("r")), _w(kind))
    for label, text in notes.items():
        note = etree.SubElement(footnotes, _w("footnote"), {_w("id"): label})
        paragraph = etree.SubElement(note, _w("p"))
        ref_run = etree.SubElement(paragraph, _w("r"))
        rpr = etree.SubElement(ref_run, _w("rPr"))
        etree.SubElement(rpr, _w("vertAlign"), {_w("val"): "superscript"})
        etree.SubElement(ref_run, _w("footnoteRef"))
        t = etree.SubElement(etree.SubElement(paragraph, _w("r")), _w("t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = f" {text}"
    rels = etree.fromstring(members["word/_rels/document.xml.rels"])
    rel_ns = etree.QName(rels).namespace
    etree.SubElement(
        rels, f"{{{rel_ns}}}Relationship", Id="rIdFootnotes", Type=_FOOTNOTES_REL,
        Target="footnotes.xml",
    )  # fmt: skip
    types = etree.fromstring(members["[Content_Types].xml"])
    types_ns = etree.QName(types).namespace
    etree.SubElement(
        types, f"{{{types_ns}}}Override", PartName="/word/footnotes.xml",
        ContentType=_FOOTNOTES_TYPE,
    )  # fmt: skip
    out = dict(members)
    out["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    out["word/footnotes.xml"] = etree.tostring(footnotes, xml_declaration=True, encoding="UTF-8")
    out["word/_rels/document.xml.rels"] = etree.tostring(
        rels, xml_declaration=True, encoding="UTF-8"
    )
    out["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
    return out


def write_pdf(sheet: Sheet, target: Path) -> None:
    """A4 pages set by reportlab; footnotes at the foot of the page of their callout."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, spaceAfter=11)
    small = ParagraphStyle("note", fontName="Helvetica", fontSize=9, leading=11)
    pending: list[str] = []

    def callout(_canvas, _kind, label):  # type: ignore[no-untyped-def]
        pending.append(label)

    def begin(canvas, _doc):  # type: ignore[no-untyped-def]
        canvas.setNamedCB("footnote", callout)

    def end(canvas, doc):  # type: ignore[no-untyped-def]
        y = 2.3 * cm
        for label in reversed(pending):
            note = Paragraph(f"{label} {_markup(sheet.notes[label], callouts=False)}", small)
            _, height = note.wrap(doc.width, 3 * cm)
            note.drawOn(canvas, doc.leftMargin, y)
            y += height + 4
        if pending:
            canvas.line(doc.leftMargin, y + 2, doc.leftMargin + 5 * cm, y + 2)
        pending.clear()
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, str(doc.page))

    doc = BaseDocTemplate(
        str(target), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
        topMargin=2.5 * cm, bottomMargin=5 * cm, invariant=1, title="Letter",
    )  # fmt: skip
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="text",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates(PageTemplate("letter", [frame], onPage=begin, onPageEnd=end))
    story = [_pdf_block(lines, body, set(sheet.notes)) for lines in sheet.blocks]
    doc.build(story)


_COLUMN_GAP = re.compile(r"\s{3,}|\t+")


def _pdf_block(lines: list[str], style, labels: set[str]):  # type: ignore[no-untyped-def]
    """A paragraph; side-by-side lines (signatures in columns) as a table without rules."""
    from reportlab.platypus import Paragraph, Table

    if not any(_COLUMN_GAP.search(line.strip()) for line in lines):
        return Paragraph("<br/>".join(_markup(line, callouts=labels) for line in lines), style)
    columns = _columns(lines)
    cells = [Paragraph("<br/>".join(escape(x) for x in column), style) for column in columns]
    return Table([cells], hAlign="LEFT")


def _columns(lines: list[str]) -> list[list[str]]:
    """Lines split at runs of spaces, each piece in the column nearest its start."""
    widest = max(lines, key=lambda line: len(_COLUMN_GAP.split(line.strip())))
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s{3}))\S", widest)]
    columns: list[list[str]] = [[] for _ in starts]
    for line in lines:
        for match in re.finditer(r"\S+(?:\s{1,2}\S+)*", line):
            nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - match.start()))
            columns[nearest].append(match.group(0))
    return columns


_URL = re.compile(r"https?://\S+")


def _callout_markup(match: re.Match[str], labels: set[str] | bool) -> str:
    if isinstance(labels, set) and match[1] not in labels:
        return match[0]
    return f'<super>{match[1]}</super><onDraw name="footnote" label="{match[1]}"/>'


def _markup(line: str, *, callouts: set[str] | bool) -> str:
    text = escape(line)
    text = _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', text)
    if callouts:
        text = CALLOUT.sub(lambda m: _callout_markup(m, callouts), text)
    return text


WRITERS = {"txt": write_txt, "docx": write_docx, "pdf": write_pdf}
