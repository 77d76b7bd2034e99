"""Conversion: the main part’s paragraphs, tables, runs, fields, tracked changes, notes and
comments walked in document order into blocks and notes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ingest.errors import UnreadableSource
from ingest.limits import Limits
from ingest.model import (
    AnyBlock,
    Block,
    Document,
    Heading,
    ListItem,
    Note,
    Paragraph,
    Source,
    Span,
    Table,
)
from ingest.readers._common import normalise
from ingest.readers.docx.assembly import (
    BLOCK_WRAPPERS,
    HARD_BREAK,
    HardBreak,
    Piece,
    children_named,
    finish_spans,
    flatten,
    number_pages,
    text_boxes,
)
from ingest.readers.docx.package import Package
from ingest.readers.docx.styles import Numbering, Styles, properties_of_run
from ingest.readers.docx.wordml import (
    MC_ALTERNATECONTENT,
    R_ID,
    W_BODY,
    W_BR,
    W_COMMENTREFERENCE,
    W_CR,
    W_DEL,
    W_DELTEXT,
    W_DRAWING,
    W_ENDNOTEREFERENCE,
    W_FLDCHAR,
    W_FLDSIMPLE,
    W_FOOTNOTEREFERENCE,
    W_HYPERLINK,
    W_ID,
    W_INS,
    W_INSTRTEXT,
    W_MOVEFROM,
    W_MOVETO,
    W_NOBREAKHYPHEN,
    W_OBJECT,
    W_P,
    W_PICT,
    W_PPR,
    W_PTAB,
    W_R,
    W_RPR,
    W_SDT,
    W_SDTCONTENT,
    W_SECTPR,
    W_SYM,
    W_T,
    W_TAB,
    W_TBL,
    W_TC,
    W_TR,
    W_TRPR,
    W_TYPE,
    W_VAL,
    alternate_branch,
    child_val,
    hyperlink_of_field,
    in_points,
    int_value,
    is_on,
    own_text,
    symbol_char,
    w_name,
)

_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"

#: content types of a WordprocessingML main part (document, macro-enabled, templates)
MAIN_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
)
_ALIGN = {
    "left": "left",
    "start": "left",
    "center": "center",
    "right": "right",
    "end": "right",
    "both": "justify",
    "distribute": "justify",
}
_NOTE_KINDS = {"footnote": "fn", "endnote": "en", "comment": "cm"}
_REFERENCE_KINDS = {
    W_FOOTNOTEREFERENCE: "footnote",
    W_ENDNOTEREFERENCE: "endnote",
    W_COMMENTREFERENCE: "comment",
}

#: elements that only wrap inline content (runs, links, fields) and add nothing of their own
_INLINE_WRAPPERS = frozenset(
    w_name(n) for n in ("ins", "moveTo", "smartTag", "customXml", "dir", "bdo")
)
#: tracked changes, and the TEI element each becomes when changes are recorded
_CHANGES = {W_INS: "add", W_MOVETO: "add", W_DEL: "del", W_MOVEFROM: "del"}


@dataclass
class _Field:
    instruction: list[str] = field(default_factory=list)
    in_result: bool = False
    link: str | None = None


@dataclass
class _Story:
    """One flow of text (body, a note, a header): its part, relationships and open fields."""

    part: str
    fields: list[_Field] = field(default_factory=list)


@dataclass
class _Inline:
    """What a paragraph's inline content produced."""

    pieces: list[Piece | HardBreak] = field(default_factory=list)
    floating: list[AnyBlock | HardBreak] = field(default_factory=list)
    size: float | None = None


#: parsed style sheets and numbering, by the fingerprints of their parts
_STYLE_CACHE: OrderedDict[tuple[object, ...], tuple[Styles, Numbering]] = OrderedDict()
_STYLE_CACHE_SIZE = 32


class Converter:
    def __init__(self, path: Path, package: Package, limits: Limits) -> None:
        self.path = path
        self.package = package
        self.main = self._main_part()
        self.styles, self.numbering = self._styles_and_numbering()
        self.record_changes = limits.changes == "record"
        self.keep_comments = limits.comments == "keep"
        #: tracked changes around the content being read, innermost last ("add"/"del")
        self._changes: list[str] = []
        self.story = _Story(self.main)
        self._note_elements: dict[str, dict[str, etree._Element]] = {}
        self._note_parts: dict[str, str] = {}
        self._notes: dict[str, Note | None] = {}
        self._labels: dict[str, str] = {}

    # ---- package level

    def _main_part(self) -> str:
        part = self.package.related("", "officeDocument")
        if part:
            return part
        content_types = self.package.xml("[Content_Types].xml")
        if content_types is not None:
            for override in content_types.iter(f"{{{_CONTENT_TYPES}}}Override"):
                if (override.get("ContentType") or "").lower() in MAIN_CONTENT_TYPES:
                    name = (override.get("PartName") or "").lstrip("/")
                    if self.package.has(name):
                        return name
        if self.package.has("word/document.xml"):
            return "word/document.xml"
        raise UnreadableSource(self.path, "the DOCX has no main document part (not a Word package)")

    def _optional_xml(self, kind: str) -> etree._Element | None:
        part = self.package.related(self.main, kind)
        return self.package.xml(part) if part else None

    def _styles_and_numbering(self) -> tuple[Styles, Numbering]:
        """The style sheet and list definitions, parsed once per process for each template."""
        parts = [self.package.related(self.main, kind) for kind in ("styles", "numbering")]
        key = tuple(self.package.fingerprint(part) if part else None for part in parts)
        cached = _STYLE_CACHE.get(key)
        if cached is not None:
            _STYLE_CACHE.move_to_end(key)
            return cached
        styles = Styles(self._optional_xml("styles"))
        numbering = Numbering(self._optional_xml("numbering"), styles)
        if any(key):
            _STYLE_CACHE[key] = (styles, numbering)
            if len(_STYLE_CACHE) > _STYLE_CACHE_SIZE:
                _STYLE_CACHE.popitem(last=False)
        return styles, numbering

    @contextmanager
    def _changed(self, change: str) -> Iterator[None]:
        """Read the content inside a tracked insertion ("add") or deletion ("del")."""
        self._changes.append(change)
        try:
            yield
        finally:
            self._changes.pop()

    def document(self, source: Source) -> Document:
        root = self.package.xml(self.main)
        if root is None or root.tag != w_name("document"):
            raise UnreadableSource(
                self.path, f"the DOCX is damaged ({self.main} is not a WordprocessingML document)"
            )
        body = root.find(W_BODY)
        blocks = number_pages(self._blocks(body)) if body is not None else []
        notes = {key: note for key, note in self._notes.items() if note is not None}
        properties = self._core_properties()
        letterhead = self._letterhead(body)
        if letterhead:
            properties["letterhead"] = letterhead
        return Document(source=source, blocks=tuple(blocks), notes=notes, properties=properties)

    def _core_properties(self) -> dict[str, str]:
        part = self.package.related("", "core-properties") or "docProps/core.xml"
        try:
            root = self.package.xml(part)
        except UnreadableSource:
            return {}  # metadata candidates only: a broken core part does not cost the letter
        if root is None:
            return {}
        wanted = {
            "title": f"{{{_DC}}}title",
            "author": f"{{{_DC}}}creator",
            "created": f"{{{_DCTERMS}}}created",
            "language": f"{{{_DC}}}language",
            "keywords": f"{{{_CORE}}}keywords",
            "subject": f"{{{_DC}}}subject",
            "description": f"{{{_DC}}}description",
        }
        properties = {}
        for key, tag in wanted.items():
            el = root.find(tag)
            value = normalise("".join(el.itertext())).strip() if el is not None else ""
            if value:
                properties[key] = value
        return properties

    def _letterhead(self, body: etree._Element | None) -> str:
        """The text of the header printed on the first page, if any."""
        section = next(body.iter(W_SECTPR), None) if body is not None else None
        if section is None:
            return ""
        refs = {
            ref.get(W_TYPE) or "default": ref.get(R_ID)
            for ref in section.iter(w_name("headerReference"))
        }
        title_page = is_on(section.find(w_name("titlePg")))
        rel_id = (refs.get("first") if title_page else None) or refs.get("default")
        rel = self.package.rels(self.main).get(rel_id or "")
        if rel is None or rel.external:
            return ""
        try:
            root = self.package.xml(rel.target)
        except UnreadableSource:
            return ""  # a broken header is no reason to refuse the letter
        if root is None:
            return ""
        saved, self.story = self.story, _Story(rel.target)
        try:
            blocks = [b for b in self._blocks(root) if not isinstance(b, HardBreak)]
        finally:
            self.story = saved
        return "\n".join(block.text for block in flatten(blocks) if block.text.strip())

    # ---- blocks

    def _blocks(self, container: etree._Element) -> list[AnyBlock | HardBreak]:
        out: list[AnyBlock | HardBreak] = []
        for child in container:
            tag = child.tag
            if tag == W_P:
                out.extend(self._paragraph(child))
            elif tag == W_TBL:
                table = self._table(child)
                if table is not None:
                    out.append(table)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    out.extend(self._blocks(content))
            elif tag in _CHANGES and self.record_changes:
                with self._changed(_CHANGES[tag]):
                    out.extend(self._blocks(child))
            elif tag in BLOCK_WRAPPERS:
                out.extend(self._blocks(child))
            elif tag == MC_ALTERNATECONTENT:
                branch = alternate_branch(child)
                if branch is not None:
                    out.extend(self._blocks(branch))
            # w:del and w:moveFrom (when changes are accepted), w:sectPr, bookmarks, comment
            # ranges: nothing to show
        return out

    def _paragraph(self, p: etree._Element) -> list[AnyBlock | HardBreak]:
        ppr = p.find(W_PPR)
        style_id = child_val(ppr, "pStyle") or self.styles.default_paragraph
        inline = _Inline()
        self._inline(p, inline, link=None, base=self.styles.run_properties(style_id))
        make = self._block_factory(ppr, style_id, inline.size)

        out: list[AnyBlock | HardBreak] = []
        if is_on(ppr.find(w_name("pageBreakBefore")) if ppr is not None else None):
            out.append(HARD_BREAK)
        segment: list[Piece] = []
        for piece in [*inline.pieces, HARD_BREAK]:
            if isinstance(piece, HardBreak):
                spans = finish_spans(segment)
                if spans:
                    out.append(make(spans))
                out.append(piece)
                segment = []
            else:
                segment.append(piece)
        out.pop()  # the sentinel that closed the last segment
        out.extend(b for b in inline.floating if not isinstance(b, HardBreak))
        section = ppr.find(W_SECTPR) if ppr is not None else None
        if section is not None and child_val(section, "type") != "continuous":
            out.append(HARD_BREAK)  # a section break starts a new page unless continuous
        return out

    def _block_factory(
        self, ppr: etree._Element | None, style_id: str | None, size: float | None
    ) -> Callable[[list[Span]], Block]:
        hints = {"font_size": size, **self._layout_hints(ppr, style_id)}
        level = self.styles.heading_level(ppr, style_id)
        if level is not None:
            return lambda spans: Heading(spans=tuple(spans), level=level, **hints)
        listed = self._list_kind(ppr, style_id)
        if listed is not None:
            ilvl, ordered = listed
            return lambda spans: ListItem(spans=tuple(spans), level=ilvl, ordered=ordered, **hints)
        return lambda spans: Paragraph(spans=tuple(spans), **hints)

    def _layout_hints(
        self, ppr: etree._Element | None, style_id: str | None
    ) -> dict[str, str | float | None]:
        jc = self.styles.paragraph_property(ppr, style_id, "jc")
        ind = self.styles.paragraph_property(ppr, style_id, "ind")
        indent = None
        if ind is not None:
            indent = in_points(ind.get(w_name("left")) or ind.get(w_name("start")), per_point=20)
        align = _ALIGN.get((jc.get(W_VAL) or "").lower()) if jc is not None else None
        return {"align": align, "indent": indent}

    def _list_kind(
        self, ppr: etree._Element | None, style_id: str | None
    ) -> tuple[int, bool] | None:
        direct = ppr.find(w_name("numPr")) if ppr is not None else None
        num_id = child_val(direct, "numId")
        level = int_value(child_val(direct, "ilvl"))
        if num_id is None:
            for style in self.styles.chain(style_id):
                styled = style.ppr.find(w_name("numPr")) if style.ppr is not None else None
                if styled is not None:
                    num_id = child_val(styled, "numId")
                    level = level if level is not None else int_value(child_val(styled, "ilvl"))
                    break
        if not num_id or num_id == "0":  # numId 0 switches numbering off
            return None
        level = level if level is not None and 0 <= level <= 8 else 0
        fmt = self.numbering.format(num_id, level)
        if fmt is None:
            return None
        return level, fmt not in ("bullet", "none")

    def _table(self, tbl: etree._Element) -> Table | None:
        rows = []
        for tr in children_named(tbl, W_TR):
            props = tr.find(W_TRPR)
            marks = [c.tag for c in (props if props is not None else ()) if c.tag in _CHANGES]
            change = _CHANGES[marks[0]] if marks else None
            if change == "del" and not self.record_changes:
                continue  # a tracked row deletion: gone once accepted
            with self._changed(change) if change and self.record_changes else nullcontext():
                cells = tuple(tuple(flatten(self._blocks(tc))) for tc in children_named(tr, W_TC))
            rows.append(cells)
        return Table(rows=tuple(rows)) if rows else None

    # ---- inline content

    def _inline(
        self, container: etree._Element, out: _Inline, link: str | None, base: dict[str, object]
    ) -> None:
        for child in container:
            tag = child.tag
            if tag == W_R:
                self._run(child, child, out, link, base)
            elif tag == W_HYPERLINK:
                self._inline(child, out, self._hyperlink_target(child) or link, base)
            elif tag == W_FLDSIMPLE:
                target = hyperlink_of_field(child.get(w_name("instr")) or "")
                self._inline(child, out, target or link, base)
            elif tag in _CHANGES and self.record_changes:
                with self._changed(_CHANGES[tag]):
                    self._inline(child, out, link, base)
            elif tag in _INLINE_WRAPPERS:
                self._inline(child, out, link, base)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self._inline(content, out, link, base)
            elif tag == MC_ALTERNATECONTENT:
                branch = alternate_branch(child)
                if branch is not None:
                    self._inline(branch, out, link, base)
            # w:del and w:moveFrom (when changes are accepted), w:pPr, bookmarks, comment
            # ranges: skipped

    def _hyperlink_target(self, hyperlink: etree._Element) -> str | None:
        rel = self.package.rels(self.story.part).get(hyperlink.get(R_ID) or "")
        if rel is None:
            return None  # w:anchor alone points inside the document: keep the text only
        target = rel.target
        anchor = hyperlink.get(w_name("anchor"))
        return f"{target}#{anchor}" if anchor and "#" not in target else target

    def _run(
        self,
        run: etree._Element,
        container: etree._Element,
        out: _Inline,
        link: str | None,
        base: dict[str, object],
    ) -> None:
        rpr = run.find(W_RPR)
        props = {
            **self.styles.default_run,
            **base,
            **self.styles.run_properties(child_val(rpr, "rStyle")),
            **properties_of_run(rpr),
        }
        marks = frozenset(m for m in ("bold", "italic", "underline", "superscript") if props.get(m))
        if self._changes:
            marks |= {self._changes[-1]}
        hidden = bool(props.get("hidden"))
        for child in container:
            tag = child.tag
            if tag == W_T or (tag == W_DELTEXT and self._changes[-1:] == ["del"]):
                if not hidden:
                    self._text(out, own_text(child), marks, link, props.get("size"))
            elif tag in (W_TAB, W_PTAB):
                self._text(out, "\t", marks, link, None)
            elif tag in (W_BR, W_CR):
                if (child.get(W_TYPE) or "") == "page":
                    out.pieces.append(HARD_BREAK)
                else:  # text wrapping (and column) breaks end a line, not a page
                    self._text(out, "\n", marks, link, None)
            elif tag == W_NOBREAKHYPHEN:
                self._text(out, "-", marks, link, None)
            elif tag == W_SYM:
                self._text(out, symbol_char(child), marks, link, props.get("size"))
            elif tag in (W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE):
                self._callout(child, out)
            elif tag == W_COMMENTREFERENCE:
                if self.keep_comments:
                    self._callout(child, out)
            elif tag == W_FLDCHAR:
                self._field_char(child.get(w_name("fldCharType")))
            elif tag == W_INSTRTEXT:
                if self.story.fields and not self.story.fields[-1].in_result:
                    self.story.fields[-1].instruction.append(child.text or "")
            elif tag in (W_DRAWING, W_PICT, W_OBJECT):
                for box in text_boxes(child):
                    out.floating.extend(self._blocks(box))
            elif tag == MC_ALTERNATECONTENT:
                branch = alternate_branch(child)
                if branch is not None:
                    self._run(run, branch, out, link, base)
            # w:delText (when changes are accepted), w:footnoteRef and w:annotationRef (a
            # note's own mark), w:lastRenderedPageBreak, w:softHyphen, w:separator: nothing

    def _text(
        self,
        out: _Inline,
        text: str,
        marks: frozenset[str],
        link: str | None,
        size: object,
    ) -> None:
        if not text:
            return
        fields = self.story.fields
        if any(not f.in_result for f in fields):
            return  # field instructions are code, not text
        field_link = next((f.link for f in reversed(fields) if f.link), None)
        out.pieces.append((text, marks, field_link or link, None))
        if out.size is None and size and text.strip():
            out.size = size

    def _field_char(self, kind: str | None) -> None:
        fields = self.story.fields
        if kind == "begin":
            fields.append(_Field())
        elif kind == "separate" and fields:
            current = fields[-1]
            current.in_result = True
            current.link = hyperlink_of_field("".join(current.instruction))
        elif kind == "end" and fields:
            fields.pop()

    # ---- notes

    def _callout(self, reference: etree._Element, out: _Inline) -> None:
        """A footnote, endnote or comment reference: the note is read at its first callout."""
        kind = _REFERENCE_KINDS[reference.tag]
        raw_id = reference.get(W_ID) or ""
        key = f"{_NOTE_KINDS[kind]}{raw_id}"
        if key not in self._labels:
            element = self._note_element(kind, raw_id)
            if element is None:
                return  # a reference to nothing would dangle in the TEI
            self._labels[key] = str(sum(k.startswith(_NOTE_KINDS[kind]) for k in self._labels) + 1)
            self._notes[key] = None  # reserve the place: notes are kept in order of first call
            self._notes[key] = self._note(key, kind, element)
        if not any(not f.in_result for f in self.story.fields):
            marks = frozenset() if kind == "comment" else frozenset({"superscript"})
            out.pieces.append((self._labels[key], marks, None, key))

    def _note_element(self, kind: str, raw_id: str) -> etree._Element | None:
        if kind not in self._note_elements:
            part = self.package.related(self.main, f"{kind}s")
            root = self.package.xml(part) if part else None
            self._note_parts[kind] = part or ""
            self._note_elements[kind] = {
                el.get(W_ID) or "": el
                for el in (root.iter(w_name(kind)) if root is not None else ())
                if (el.get(W_TYPE) or "normal") == "normal"  # not the separator lines
            }
        return self._note_elements[kind].get(raw_id)

    def _note(self, key: str, kind: str, element: etree._Element) -> Note:
        saved, self.story = self.story, _Story(self._note_parts[kind])
        changes, self._changes = self._changes, []  # a note is not part of the change it sits in
        try:
            blocks = [b for b in self._blocks(element) if not isinstance(b, HardBreak)]
        finally:
            self.story, self._changes = saved, changes
        return Note(id=key, label=self._labels[key], blocks=tuple(flatten(blocks)), kind=kind)
