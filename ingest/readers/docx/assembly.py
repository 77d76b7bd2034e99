"""Assembly: the converter’s pieces of text into spans and blocks (text boxes after their
paragraph, nested block wrappers flattened, page breaks numbered)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from lxml import etree

from ingest.model import (
    AnyBlock,
    Block,
    PageBreak,
    Paragraph,
    Span,
    Table,
)
from ingest.readers._common import linkify, normalise
from ingest.readers.docx.wordml import (
    MC_ALTERNATECONTENT,
    W_SDT,
    W_SDTCONTENT,
    W_TXBXCONTENT,
    alternate_branch,
    w_name,
)

#: elements that only wrap block content (paragraphs, tables)
BLOCK_WRAPPERS = frozenset(w_name(n) for n in ("ins", "moveTo", "customXml"))


class HardBreak:
    """A page break found while converting; numbered once the whole body is known."""


HARD_BREAK = HardBreak()
Piece = tuple[str, frozenset[str], str | None, str | None]  # text, marks, link, note


def children_named(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """``tag`` children of ``parent``, looking through content controls and custom XML."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from children_named(content, tag)
        elif child.tag in BLOCK_WRAPPERS:
            yield from children_named(child, tag)


def text_boxes(el: etree._Element) -> Iterator[etree._Element]:
    """The outermost text box contents inside a drawing, one branch of each alternative."""
    for child in el:
        if child.tag == W_TXBXCONTENT:
            yield child  # boxes nested in it are read with it
        elif child.tag == MC_ALTERNATECONTENT:
            branch = alternate_branch(child)
            if branch is not None:
                yield from text_boxes(branch)
        elif isinstance(child.tag, str):
            yield from text_boxes(child)


def finish_spans(pieces: list[Piece]) -> list[Span]:
    """Merge like pieces, normalise text, trim the block's edges, mark written-out URLs."""
    merged: list[list] = []
    for text, marks, link, note in pieces:
        last = merged[-1] if merged else None
        if last and note is None and last[3] is None and last[1] == marks and last[2] == link:
            last[0] += text
        else:
            merged.append([text, marks, link, note])
    for item in merged:
        if item[3] is None:
            item[0] = normalise(item[0])
    _trim(merged, 0, str.lstrip)
    _trim(merged, -1, str.rstrip)
    spans = [Span(text, marks, link, note) for text, marks, link, note in merged if text]
    if not any(span.note or span.text.strip() for span in spans):
        return []
    return linkify(spans)


def _trim(merged: list[list], end: int, strip: Callable[[str], str]) -> None:
    while merged and merged[end][3] is None:
        merged[end][0] = strip(merged[end][0])
        if merged[end][0]:
            return
        merged.pop(end)


def flatten(blocks: Iterable[object]) -> list[Block]:
    """Paragraphs only: a table inside a cell or a note is reduced to its cells' paragraphs."""
    flat: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    flat.extend(cell)
        elif isinstance(block, Block):
            flat.append(
                block
                if type(block) is Paragraph
                else Paragraph(
                    spans=block.spans,
                    font_size=block.font_size,
                    align=block.align,
                    indent=block.indent,
                )
            )
    return flat


def number_pages(blocks: list[AnyBlock | HardBreak]) -> list[AnyBlock]:
    """Turn hard breaks into numbered :class:`PageBreak` blocks.

    Breaks before the first or after the last content are dropped (they start no page that
    holds text); if any break remains, the first page gets an explicit ``PageBreak(1)`` so
    that every block has a page to belong to.
    """
    first = next((i for i, b in enumerate(blocks) if not isinstance(b, HardBreak)), None)
    if first is None:
        return []
    last = max(i for i, b in enumerate(blocks) if not isinstance(b, HardBreak))
    trimmed = blocks[first : last + 1]
    if not any(isinstance(b, HardBreak) for b in trimmed):
        return trimmed  # type: ignore[return-value]
    out: list[AnyBlock] = [PageBreak(1)]
    page = 1
    for block in trimmed:
        if isinstance(block, HardBreak):
            page += 1
            out.append(PageBreak(page))
        else:
            out.append(block)
    return out
