"""Layout: lines to blocks and notes — vertical gaps, size and weight changes, indents,
running heads and page numbers dropped, footnotes linked to their callouts, hyphenation
rejoined. Text-layer pages, scanned pages and images (through OCR) share it."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from ingest.model import AnyBlock, Block, Heading, Note, PageBreak, Paragraph, Span
from ingest.readers._common import linkify, normalise
from ingest.readers.pdf.extraction import SUPERSCRIPT_SIZE, Line, Page, Run, is_wide

#: a heading's font is at least this much larger than the body text
_HEADING_RATIO = 1.2
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


def blocks_from_pages(pages: list[Page]) -> tuple[list[AnyBlock], dict[str, Note]]:
    """Blocks and notes from pages of positioned lines, whatever read them (the image
    reader's OCR pages go through the same layout as a PDF's)."""
    return _Layout(pages).build()


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

    def __init__(self, pages: list[Page]) -> None:
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

    def _is_body(self, line: Line) -> bool:
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

    def _columns(self, page: Page, right: float) -> list[_Column]:
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

    def _column(self, page: Page, line: Line) -> _Column:
        """The column a line starts in; a line reaching past it (a title over two columns)
        belongs to the whole text width."""
        columns = self.columns[page.number]
        column = next(
            (col for col in reversed(columns) if col.left - self.body <= line.x0), columns[0]
        )
        if line.x1 > column.right + 2 * self.body:
            return _Column(columns[0].left, columns[-1].right)
        return column

    def _left(self, page: Page) -> float:
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

    def _edge_lines(self, page: Page) -> list[Line]:
        """Lines that may be page furniture: a small group set off by a gap (or a size
        change) at the top or bottom of the page."""
        groups = self._gap_groups(sorted(page.lines, key=lambda line: -line.base))
        if len(groups) < 2:
            return []
        zone = _EDGE_ZONE * (page.top - page.bottom)
        first, last = groups[0], groups[-1]
        edge: list[Line] = []
        if len(first) <= _EDGE_LINES and page.top - first[0].base <= zone:
            edge.extend(first)
        if len(last) <= _EDGE_LINES and last[-1].base - page.bottom <= zone:
            edge.extend(last)
        return edge

    # -- blocks

    def _page_blocks(self, page: Page) -> list[AnyBlock]:
        groups = self._gap_groups(page.lines)
        groups, callouts = self._take_notes(page, groups)
        blocks: list[AnyBlock] = []
        for group in groups:
            for lines, joins, align in self._split_group(page, group):
                block = self._block(page, lines, joins, align, callouts)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _gap_groups(self, lines: list[Line]) -> list[list[Line]]:
        """Lines cut at vertical gaps, jumps back up the page and font size changes."""
        groups: list[list[Line]] = []
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
        self, page: Page, group: list[Line]
    ) -> list[tuple[list[Line], list[str], str | None]]:
        """Cut a gap-free group into paragraphs and decide how each line ends: ``_WRAP`` (the
        line was full, join with a space) or ``_HARD`` (keep the line break)."""
        align = self._alignment(page, group)
        if align is not None:
            return [(group, [_HARD] * (len(group) - 1), align)]
        parts: list[tuple[list[Line], list[str], str | None]] = []
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
        a: Line,
        b: Line,
        lines: list[Line],
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

    def _wraps(self, page: Page, a: Line, b: Line, first: bool) -> bool:
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

    def _alignment(self, page: Page, group: list[Line]) -> str | None:
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
        page: Page,
        lines: list[Line],
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
        self, page: Page, groups: list[list[Line]]
    ) -> tuple[list[list[Line]], dict[str, str]]:
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

    def _note_label(self, line: Line, raised: set[str]) -> str | None:
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
        self, page: Page, groups: list[list[Line]], foot: int, middle: float
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
        self, page: Page, label: str, lines: list[Line], callouts: dict[str, str]
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

    def _extend_note(self, page: Page, draft: _NoteDraft, lines: list[Line]) -> bool:
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


def _recurring(edges: list[list[Line]], needed: int) -> set[int]:
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


def _furniture_key(line: Line) -> str:
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


def _is_label_run(run: Run, line: Line) -> bool:
    return run.raised or (run is not line.main and run.size <= line.size * SUPERSCRIPT_SIZE)


def _without_label(line: Line) -> Line:
    """A footnote's first line without its label."""
    runs = list(line.runs)
    first = next(i for i, run in enumerate(runs) if run.text.strip())
    run = runs[first]
    if _is_label_run(run, line):
        runs = runs[first + 1 :]
    else:
        text = re.sub(r"^\s*(?:\d{1,3}|[*†‡§¶]{1,3})[.)]?\s+", "", run.text, count=1)
        runs[first] = Run(**{**run.__dict__, "text": text})
    return Line(runs, line.first_word)


def _block_size(lines: list[Line]) -> float:
    weight: Counter[float] = Counter()
    for line in lines:
        weight[line.size] += len(line.text.strip())
    return weight.most_common(1)[0][0]


def _round(value: float) -> float:
    return round(value, 1)


def _spans(lines: list[Line], joins: list[str], callouts: dict[str, str]) -> list[Span]:
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


def _line_pieces(line: Line, callouts: dict[str, str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    prev: Run | None = None
    for run in line.runs:
        text = run.text
        if not text:
            continue
        if prev is not None and pieces:
            # runs that pdfium saw as separate objects with a visible gap are separate words
            gap = run.x0 - prev.x1
            spaced = pieces[-1].text.endswith(" ") or text.startswith(" ")
            cjk = is_wide(pieces[-1].text[-1:] or " ") and is_wide(text[0])
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
        and is_wide(last.text[-1])
        and is_wide(next_text.strip()[0])
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
