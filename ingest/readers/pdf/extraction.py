"""Extraction: a page's characters (pdfium) grouped into runs of one text object, and
runs into lines by geometry; pypdf's text where pdfium cannot map a font to Unicode."""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.errors import (
    UnreadableSource,
)
from ingest.readers.pdf.opening import DocumentInfo, Link

#: a superscript is at most this share of its line's font size ...
SUPERSCRIPT_SIZE = 0.85
#: ... and its baseline is raised by at least this share of the line's font size
_SUPERSCRIPT_RISE = 0.15
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|-bd$|^cmbx", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique|^cmti|^cmsl", re.IGNORECASE)
_FOLDED = re.compile("[\ufb00-\ufb06\ufb13-\ufb17\ufb50-\ufdff\ufe70-\ufefc]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c]+")
_FONT_FLAG_ITALIC = 1 << 6
_FONT_FLAG_FORCE_BOLD = 1 << 18

# pypdfium2's binding returns the text object as a typed pointer, which cannot be compared
# or hashed; the same C function typed to return a plain address is three times faster to
# call per character and gives a usable key.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)
_LINE_BREAK = re.compile("[\r\n]")


@dataclass(eq=False)
class Run:
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
class Line:
    runs: list[Run]
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
    def main(self) -> Run:
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
class Page:
    number: int
    lines: list[Line]
    left: float  # page area in the reading frame
    right: float
    bottom: float
    top: float


@dataclass
class _Font:
    bold: bool
    italic: bool


class Extractor:
    """Reads one pdfium text page into runs and lines."""

    def __init__(self, textpage: pdfium.PdfTextPage, links: list[Link]) -> None:
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


def extract_page(path: Path, pdf: pdfium.PdfDocument, index: int, info: DocumentInfo) -> Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        raise UnreadableSource(path, f"page {index + 1} of the PDF cannot be read") from None
    try:
        textpage = page.get_textpage()
        try:
            extractor = Extractor(textpage, info.links(index, page))
            raw_runs = list(_raw_runs(extractor))
            if (
                info.may_use_cmap_fonts
                and _lost_text(page, textpage)
                and _cmap_fonts(info.reader, index)
            ):
                # pdfium cannot map the codes of a CJK font with a predefined CMap and no
                # ToUnicode to text; pypdf can, but is slow, so it reads only such pages
                raw_runs = _pypdf_runs(info.reader, index) or _lost(path, index)
            bbox = page.get_bbox()
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        raise UnreadableSource(path, f"page {index + 1} of the PDF cannot be read") from None
    finally:
        page.close()
    return _page_in_frame(index + 1, raw_runs, bbox)


def _lost(path: Path, index: int) -> list[_RawRun]:
    """pypdf read nothing of a page whose text only it can map: what pdfium read lacks that
    text (every CJK character of it), so the file fails rather than being stored so. pypdf
    short of memory says so only as a zlib or parsing error, which it may even swallow."""
    raise UnreadableSource(
        path,
        f"the text of page {index + 1} is in a font only pypdf can map, and pypdf could not "
        "read it (it may have run out of memory)",
        "raise --max-memory if you trust the file, or ingest it with --ocr",
    )


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
    except MemoryError:  # out of its budget: fail the file, never lose text
        raise
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
        widths = [em * (1.0 if is_wide(ch) else 0.5) for ch in text]
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
    except MemoryError:  # out of its budget: fail the file, never lose text
        raise
    except Exception:  # pypdf fails on damaged content streams; keep what pdfium found
        return []
    return runs


def is_wide(char: str) -> bool:
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


def _raw_runs(ex: Extractor) -> Iterator[_RawRun]:
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
) -> Page:
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

    runs: list[Run] = []
    word_ends: dict[int, float] = {}
    for raw in raw_runs:
        left, right, bottom, top = raw.box
        x0 = along(*raw.origin)
        x1 = max(along(left, bottom), along(right, top), x0)
        size = raw.size
        if size <= 0:  # a bare space run: borrow the previous run's size
            size = runs[-1].size if runs else 1.0
        run = Run(
            text=clean_text(raw.text),
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
    return Page(number, lines, min(xs), max(xs), min(ys), max(ys))


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


def clean_text(text: str) -> str:
    """pdfium's artefacts out: its line-end hyphen marks become hyphens, compatibility
    ligatures become letters, line breaks and tabs inside a run become spaces."""
    text = text.replace("\x02", "-").replace("\ufffe", "-").replace("\ufeff", "")
    text = _FOLDED.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _SPACES.sub(" ", text)


def _group_lines(runs: list[Run]) -> list[Line]:
    """Runs in content order into lines: a run joins the current line when it sits on the same
    band of the page, after it or wholly before it (some producers draw a line's right half
    first). This also rejoins what pdfium splits (a raised callout, a footnote label) and
    splits what it joins (a hyphenated line end)."""
    lines: list[Line] = []
    unsorted: set[int] = set()
    for run in runs:
        line = lines[-1] if lines else None
        if line is None:
            if run.text.strip():
                lines.append(Line([run]))
            continue
        placement = _placement(line, run)
        if placement == "after":
            line.runs.append(run)
        elif placement == "before":
            line.runs.append(run)
            unsorted.add(id(line))
        elif run.text.strip():
            lines.append(Line([run]))
    for line in lines:
        if id(line) in unsorted:
            line.runs.sort(key=lambda run: run.x0)
        main = line.main
        for run in line.runs:
            run.raised = (
                run.size <= main.size * SUPERSCRIPT_SIZE
                and run.base - main.base >= main.size * _SUPERSCRIPT_RISE
            )
    return lines


def _placement(line: Line, run: Run) -> str | None:
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


def _first_word_width(line: Line, word_ends: dict[int, float]) -> float:
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
