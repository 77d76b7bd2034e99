"""Pass 4, the body: paragraphs rejoined across page breaks and grouped under section headings.

A section heading is a paragraph the source marks as a heading, or one short capitalised line
without closing punctuation between paragraphs of prose (bold, or after a finished sentence).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.letter import formulas
from ingest.letter.blocks import Draft, Item
from ingest.letter.model import BodyItem, Letter, Para, Section, para_from_block
from ingest.model import Heading, PageBreak, Paragraph, Span


def build(draft: Draft, letter: Letter) -> None:
    letter.body = build_body(draft.body)


def build_body(items: list[Item]) -> list[BodyItem]:
    """Paragraphs rejoined across page breaks, grouped under section headings."""
    flat = _rejoin_across_pages(items)
    body: list[BodyItem] = []
    section_head: Para | None = None
    section_items: list[BodyItem] = []
    for index, item in enumerate(flat):
        if isinstance(item, Para) and _is_section_head(flat, index):
            if section_head is not None:
                body.append(Section(section_head, tuple(section_items)))
            section_head, section_items = item, []
            continue
        (section_items if section_head is not None else body).append(item)
    if section_head is not None:
        body.append(Section(section_head, tuple(section_items)))
    return body


@dataclass(frozen=True)
class _HeadPara(Para):
    """A paragraph the source itself marks as a heading."""


def _rejoin_across_pages(items: list[Item]) -> list[BodyItem]:
    out: list[BodyItem] = []
    pending: list[PageBreak] = []
    for item in items:
        if isinstance(item, PageBreak):
            pending.append(item)
            continue
        if isinstance(item, Heading):
            para: BodyItem = _HeadPara(tuple(item.spans))
        elif isinstance(item, Paragraph):
            para = para_from_block(item)
        else:
            out.extend(pending)
            pending = []
            out.append(item)
            continue
        previous = out[-1] if out and not isinstance(out[-1], _HeadPara) else None
        if (
            pending
            and isinstance(para, Para)
            and isinstance(previous, Para)
            and not formulas.ends_sentence(previous.text)
            and para.text[:1].islower()
        ):
            out[-1] = Para(previous.content + tuple(pending) + (Span(" "), *para.content))
        else:
            out.extend(pending)
            out.append(para)
        pending = []
    out.extend(pending)
    return out


def _is_section_head(flat: list[BodyItem], index: int) -> bool:
    item = flat[index]
    if isinstance(item, _HeadPara):
        return True
    if not isinstance(item, Para) or not formulas.is_heading_like(item.text):
        return False
    following = _neighbour_para(flat, index, +1)
    if following is None or len(following.text.split()) < 12:
        return False
    bold = all("bold" in s.marks for s in item.content if isinstance(s, Span) and s.text.strip())
    previous = _neighbour_para(flat, index, -1)
    return bold or previous is None or formulas.ends_sentence(previous.text)


def _neighbour_para(flat: list[BodyItem], index: int, step: int) -> Para | None:
    index += step
    while 0 <= index < len(flat):
        if isinstance(flat[index], Para):
            return flat[index]  # type: ignore[return-value]
        if not isinstance(flat[index], PageBreak):
            return None
        index += step
    return None
