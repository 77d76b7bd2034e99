"""The format-neutral document model every reader produces.

A reader turns bytes into a :class:`Document`: facts about the source file, file-level
metadata candidates, and an ordered tuple of blocks. Blocks hold inline :class:`Span` runs.
A hard line break inside a block (a DOCX ``w:br``, an address line in a PDF or text file)
is a ``"\\n"`` inside a span's text; letter-part recognition relies on it.

Nothing here knows about letters or TEI: a reader reports what the file says, and
``ingest.letter`` decides what it means.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A run of text with the same marks: ``bold``, ``italic``, ``underline``,
    ``superscript`` (TEI ``hi/@rend`` values).

    ``link`` is a URL when the run is a hyperlink. ``note`` is the id of a :class:`Note`
    when the run is a footnote/endnote callout (its ``text`` is the printed label, e.g. "1").
    """

    text: str
    marks: frozenset[str] = frozenset()
    link: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Block:
    """Base for paragraph-like blocks: inline spans plus layout hints."""

    spans: tuple[Span, ...]
    page: int | None = None
    #: layout hints, when the format has them (points; "left"/"center"/"right"/"justify")
    font_size: float | None = None
    align: str | None = None
    indent: float | None = None

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans if span.note is None)

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]

    @property
    def all_bold(self) -> bool:
        return _all_marked(self.spans, "bold")

    @property
    def all_italic(self) -> bool:
        return _all_marked(self.spans, "italic")


def _all_marked(spans: tuple[Span, ...], mark: str) -> bool:
    visible = [s for s in spans if s.text.strip() and s.note is None]
    return bool(visible) and all(mark in s.marks for s in visible)


@dataclass(frozen=True)
class Paragraph(Block):
    """An ordinary paragraph (may contain hard line breaks)."""


@dataclass(frozen=True)
class Heading(Block):
    """A paragraph the source marks as a heading (style, outline level)."""

    level: int = 1


@dataclass(frozen=True)
class ListItem(Block):
    """One item of a bulleted or numbered list; ``level`` counts from 0."""

    level: int = 0
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    """A table: rows of cells, each cell a tuple of paragraph blocks."""

    rows: tuple[tuple[tuple[Block, ...], ...], ...]
    page: int | None = None


@dataclass(frozen=True)
class PageBreak:
    """The start of page ``n`` of the original (PDF pages, DOCX hard breaks, form feeds)."""

    n: int


@dataclass(frozen=True)
class Note:
    """A footnote or endnote; referenced from a callout span whose ``note`` is ``id``."""

    id: str
    label: str
    blocks: tuple[Block, ...]
    kind: str = "footnote"  # or "endnote"

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)


AnyBlock = Paragraph | Heading | ListItem | Table | PageBreak


@dataclass(frozen=True)
class Source:
    """Facts about the original file."""

    filename: str
    media_type: str
    sha256: str
    size: int
    pages: int | None = None


@dataclass(frozen=True)
class Document:
    """What a reader found in one file.

    ``properties`` are file-level metadata candidates (DOCX core properties, PDF info):
    keys ``title``, ``author``, ``created``, ``language``, ``keywords``, ``subject``.
    ``notes`` maps note id to note, in document order.
    """

    source: Source
    blocks: tuple[AnyBlock, ...]
    notes: dict[str, Note] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All block text, one block per line group (used for language detection and counts)."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Block):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts.extend(cell.text for row in block.rows for c in row for cell in c)
        return "\n\n".join(p for p in parts if p)
