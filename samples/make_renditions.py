"""Write the demo renditions (``samples/letters/``) of the sample letters in ``samples/source/``.

Each letter is plain UTF-8 text: paragraph groups separated by one blank line, one line per
prose paragraph, short lines for dateline, address, closing and signature blocks, and an
optional trailing footnote line ``[1] text`` called out as ``[1]`` in the body. From these the
script writes into ``samples/``:

* ``.txt``  verbatim copies;
* ``.docx`` via python-docx, one Word paragraph per group with line breaks inside it, the
  subject and section heading in bold, and the footnote as a real Word footnote (python-docx
  has no footnote API, so ``word/footnotes.xml`` is added by post-processing the package);
* ``.pdf``  via reportlab platypus on A4, with a real footnote at the page foot, a link
  annotation on its URL and page numbers at the bottom centre.

The output is deterministic: fixed metadata dates, reportlab's invariant mode and fixed zip
entry dates, so running the script twice gives byte-identical files.

Usage: ``python samples/make_renditions.py`` (reportlab comes with the ``test`` extra).
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.shared import Mm
from lxml import etree
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Paragraph

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "source"
LETTERS = HERE / "letters"

# One fixed timestamp for every rendition; it is also reportlab's invariant-mode date.
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
DESCRIPTION = "Fictional sample letter written for Epistula's demo and tests."


@dataclass(frozen=True)
class Rendition:
    """Which files to make from ``source/<stem>.txt``."""

    stem: str
    lang: str
    formats: tuple[str, ...]
    page_break_before_heading: bool = False  # PDF only: forces a second page


RENDITIONS = (
    Rendition("en-open-letter-lindqvist", "en", ("docx", "pdf"), page_break_before_heading=True),
    Rendition("de-geschaeftsbrief-mueller", "de", ("pdf",)),
    Rendition("fr-lettre-chateaudun", "fr", ("txt",)),
    Rendition("fi-kirje-tampere", "fi", ("txt",)),
    Rendition("en-family-letter-1916", "en", ("docx",)),
    Rendition("sv-brev-uppsala", "sv", ("txt",)),
)


# --------------------------------------------------------------------------- parsing


class Kind(Enum):
    PROSE = "prose"  # running text: one long line
    LINES = "lines"  # short lines: dateline, address, salutation, closing, signature, cc
    SUBJECT = "subject"  # "Re: ..." / "Betreff: ..."
    HEADING = "heading"  # a short section heading between two prose paragraphs


@dataclass(frozen=True)
class Block:
    kind: Kind
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Letter:
    blocks: tuple[Block, ...]
    notes: dict[str, str]  # footnote label ("1") -> note text
    title: str
    author: str


PROSE_MIN_CHARS = 80
HEADING_MAX_CHARS = 60
SUBJECT_LINE = re.compile(r"^(?:Re|Subject|Betreff|Objet|Ärende|Asia):\s*(?P<subject>.+)$")
NOTE_LINE = re.compile(r"^\[(?P<label>\d+)\]\s+(?P<text>.+)$")
CALLOUT = re.compile(r"\[(\d+)\]")
CALLOUT_SPLIT = re.compile(r"(\[\d+\])")
URL = re.compile(r"https?://\S+")


def _classify(groups: list[tuple[str, ...]]) -> list[Kind]:
    def is_prose(group: tuple[str, ...]) -> bool:
        return len(group) == 1 and len(group[0]) >= PROSE_MIN_CHARS

    kinds = []
    for i, group in enumerate(groups):
        line = group[0]
        if is_prose(group):
            kinds.append(Kind.PROSE)
        elif len(group) == 1 and SUBJECT_LINE.match(line):
            kinds.append(Kind.SUBJECT)
        elif (
            len(group) == 1
            and len(line) <= HEADING_MAX_CHARS
            and line[-1] not in ".,:;!?"
            and 0 < i < len(groups) - 1
            and is_prose(groups[i - 1])
            and is_prose(groups[i + 1])
        ):
            kinds.append(Kind.HEADING)
        else:
            kinds.append(Kind.LINES)
    return kinds


def parse_letter(text: str) -> Letter:
    """Split a sample letter into typed blocks, its footnotes, a title and an author."""
    groups = [tuple(g.splitlines()) for g in re.split(r"\n[ \t]*\n", text.strip())]
    notes: dict[str, str] = {}
    while groups and all(NOTE_LINE.match(line) for line in groups[-1]):
        for line in groups.pop():
            match = NOTE_LINE.match(line)
            assert match is not None
            notes[match["label"]] = match["text"]
    notes = dict(sorted(notes.items(), key=lambda item: int(item[0])))

    blocks = tuple(Block(k, g) for k, g in zip(_classify(groups), groups, strict=True))
    called = {m for b in blocks if b.kind is Kind.PROSE for m in CALLOUT.findall(b.lines[0])}
    if called != set(notes):
        raise ValueError(f"footnote callouts {sorted(called)} do not match notes {sorted(notes)}")

    subjects = [SUBJECT_LINE.match(b.lines[0]) for b in blocks if b.kind is Kind.SUBJECT]
    title = subjects[0]["subject"] if subjects and subjects[0] else blocks[0].lines[0]

    # The closing is the first block after the last prose paragraph; the signatory follows it.
    last_prose = max(i for i, b in enumerate(blocks) if b.kind is Kind.PROSE)
    if last_prose + 2 >= len(blocks):
        raise ValueError("no signature block after the closing")
    author = blocks[last_prose + 2].lines[0]
    return Letter(blocks, notes, title, author)


# --------------------------------------------------------------------------- DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """Append a ``w:`` element whose attributes are all in the ``w:`` namespace."""
    return etree.SubElement(parent, _w(tag), {_w(k): v for k, v in attrs.items()})


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footnotes_part(notes: dict[str, str]) -> bytes:
    root = etree.Element(_w("footnotes"), nsmap={"w": W_NS, "r": R_NS})
    for note_id, kind in (("-1", "separator"), ("0", "continuationSeparator")):
        p = _sub(_sub(root, "footnote", type=kind, id=note_id), "p")
        _sub(_sub(p, "pPr"), "spacing", after="0", line="240", lineRule="auto")
        _sub(_sub(p, "r"), kind)
    for label, text in notes.items():
        p = _sub(_sub(root, "footnote", id=label), "p")
        _sub(_sub(p, "pPr"), "spacing", after="0", line="240", lineRule="auto")
        ref = _sub(p, "r")
        _sub(_sub(ref, "rPr"), "vertAlign", val="superscript")
        _sub(ref, "footnoteRef")
        run = _sub(p, "r")
        rpr = _sub(run, "rPr")
        _sub(rpr, "sz", val="18")
        _sub(rpr, "szCs", val="18")
        t = _sub(run, "t")
        t.set(XML_SPACE, "preserve")
        t.text = f" {text}"
    return _xml(root)


def _reference_run(label: str) -> etree._Element:
    run = etree.Element(_w("r"))
    _sub(_sub(run, "rPr"), "vertAlign", val="superscript")
    _sub(run, "footnoteReference", id=label)
    return run


def _add_footnotes(members: dict[str, bytes], notes: dict[str, str]) -> dict[str, bytes]:
    """Return the package members with ``notes`` added as real Word footnotes."""
    document = etree.fromstring(members["word/document.xml"])
    for t in list(document.iter(_w("t"))):
        match = CALLOUT.fullmatch(t.text or "")
        if match and match[1] in notes:
            run = t.getparent()
            run.getparent().replace(run, _reference_run(match[1]))

    rels = etree.fromstring(members["word/_rels/document.xml.rels"])
    used = {int(r.get("Id")[3:]) for r in rels if r.get("Id", "").startswith("rId")}
    etree.SubElement(
        rels,
        f"{{{RELS_NS}}}Relationship",
        Id=f"rId{max(used, default=0) + 1}",
        Type=FOOTNOTES_REL,
        Target="footnotes.xml",
    )

    types = etree.fromstring(members["[Content_Types].xml"])
    etree.SubElement(
        types, f"{{{TYPES_NS}}}Override", PartName="/word/footnotes.xml", ContentType=FOOTNOTES_TYPE
    )

    result: dict[str, bytes] = {}
    for name, data in members.items():
        result[name] = data
        if name == "word/document.xml":
            result[name] = _xml(document)
            result["word/footnotes.xml"] = _footnotes_part(notes)
    result["word/_rels/document.xml.rels"] = _xml(rels)
    result["[Content_Types].xml"] = _xml(types)
    return result


def _write_zip(target: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            archive.writestr(info, data)


def write_docx(letter: Letter, rendition: Rendition, target: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)

    for block in letter.blocks:
        para = doc.add_paragraph()
        bold = block.kind in (Kind.SUBJECT, Kind.HEADING)
        for i, line in enumerate(block.lines):
            pieces = [p for p in CALLOUT_SPLIT.split(line) if p]
            for piece in pieces:
                run = para.add_run(piece)
                if bold:
                    run.bold = True
            if i < len(block.lines) - 1:
                para.runs[-1].add_break()

    core = doc.core_properties
    core.title = letter.title
    core.author = letter.author
    core.last_modified_by = letter.author
    core.language = rendition.lang
    core.comments = DESCRIPTION
    core.revision = 1
    core.created = FIXED_DATE
    core.modified = FIXED_DATE

    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if letter.notes:
        members = _add_footnotes(members, letter.notes)
    _write_zip(target, members)


# --------------------------------------------------------------------------- PDF

MARGIN = 2.5 * cm
FRAME_BOTTOM = 4.5 * cm  # room below the text frame for footnotes and the page number
PAGE_NUMBER_Y = 1.5 * cm
NOTES_BOTTOM = 2.3 * cm

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, spaceAfter=11)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
NOTE = ParagraphStyle("note", fontName="Helvetica", fontSize=9, leading=11)


def _markup(line: str, *, callouts: bool) -> str:
    """Paragraph markup for one line of text: escaped, callouts raised, URLs linked."""
    text = escape(line)
    text = URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', text)
    if callouts:
        text = CALLOUT.sub(r'<super>\1</super><onDraw name="footnote" label="\1"/>', text)
    return text


class LetterDocument(BaseDocTemplate):
    """A4 letter with page-foot footnotes and centred page numbers.

    Each callout carries an ``onDraw`` hook, so the footnote is set on the page where the
    callout is actually drawn.
    """

    def __init__(self, target: Path, letter: Letter, rendition: Rendition) -> None:
        super().__init__(
            str(target),
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=FRAME_BOTTOM,
            title=letter.title,
            author=letter.author,
            subject=DESCRIPTION,
            creator="Epistula samples/make_renditions.py",
            lang=rendition.lang,
            invariant=1,
        )
        self.notes = letter.notes
        self.pending: list[str] = []
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="text",
        )
        self.addPageTemplates(
            PageTemplate("letter", [frame], onPage=self._begin_page, onPageEnd=self._end_page)
        )

    def _callout_drawn(self, canvas: Canvas, kind: str, label: str) -> None:
        self.pending.append(label)

    def _begin_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.setNamedCB("footnote", self._callout_drawn)

    def _end_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        if self.pending:
            notes = [
                Paragraph(f"{label} {_markup(self.notes[label], callouts=False)}", NOTE)
                for label in self.pending
            ]
            heights = [note.wrap(self.width, FRAME_BOTTOM)[1] for note in notes]
            top = NOTES_BOTTOM + sum(heights) + 4 * (len(notes) - 1)
            if top + 6 > self.bottomMargin:
                raise ValueError("footnotes do not fit below the text frame")
            canvas.setLineWidth(0.5)
            canvas.line(self.leftMargin, top + 6, self.leftMargin + 5 * cm, top + 6)
            y = top
            for note, height in zip(notes, heights, strict=True):
                y -= height
                note.drawOn(canvas, self.leftMargin, y)
                y -= 4
            self.pending.clear()
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(self.pagesize[0] / 2, PAGE_NUMBER_Y, str(doc.page))
        canvas.restoreState()


def write_pdf(letter: Letter, rendition: Rendition, target: Path) -> None:
    story: list[Flowable] = []
    for block in letter.blocks:
        if block.kind is Kind.HEADING and rendition.page_break_before_heading:
            story.append(PageBreak())
        style = BOLD if block.kind in (Kind.SUBJECT, Kind.HEADING) else BODY
        markup = "<br/>".join(_markup(line, callouts=True) for line in block.lines)
        story.append(Paragraph(markup, style))
    LetterDocument(target, letter, rendition).build(story)


# --------------------------------------------------------------------------- main


def write_txt(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


WRITERS: dict[str, Callable[[Letter, Rendition, Path], None]] = {
    "docx": write_docx,
    "pdf": write_pdf,
}


def main() -> None:
    for rendition in RENDITIONS:
        source = SOURCES / f"{rendition.stem}.txt"
        letter = parse_letter(source.read_text(encoding="utf-8"))
        for fmt in rendition.formats:
            target = LETTERS / f"{rendition.stem}.{fmt}"
            if fmt == "txt":
                write_txt(source, target)
            else:
                WRITERS[fmt](letter, rendition, target)
            print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
