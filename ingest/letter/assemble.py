"""Labelled lines into letter parts: the :class:`Letter` the labeller's labels describe.

The pieces (items cut where their lines' labels change, :func:`ingest.letter.lines.
labelled_items`) fall into three regions: the **opening** before the first body line, the
**body**, and the **closing area**, which starts at the first closing formula or signature
after the body. Within the opening and the closing area each piece goes to the part its label
names (a dateline below the signature is the ``closer_dateline``, an address there the
``closer_address``); a line of another kind inside the body stays a paragraph of the body, and
a paragraph after the signature is a postscript.
"""

from __future__ import annotations

from ingest.letter import formulas, signatures
from ingest.letter.blocks import Draft, Item, lines_of
from ingest.letter.body import build_body
from ingest.letter.model import Letter, Para, para_from_block
from ingest.model import Block, Heading, PageBreak, Paragraph, Span, Table

_BODY = frozenset({"body", "heading"})
_CLOSING = frozenset({"closing", "signature"})
_ABOVE_CLOSING = frozenset({"dateline", "address", "break"})


def assemble(draft: Draft, pieces: list[tuple[str, Item]]) -> Letter:
    """The letter whose parts ``pieces`` (label, item) name, without its metadata yet."""
    letter = Letter(document=draft.document)
    labels = [label for label, _ in pieces]
    start = next((i for i, lab in enumerate(labels) if lab in _BODY), None)
    if start is None:
        start = next((i for i, lab in enumerate(labels) if lab in _CLOSING), len(labels))
    tail = next((i for i in range(start, len(labels)) if labels[i] in _CLOSING), None)
    if tail is None:
        last_body = max((i for i, lab in enumerate(labels) if lab in _BODY), default=start - 1)
        tail = last_body + 1
    # a dateline or an address just above the closing formula belongs to the closing area
    while tail > start and labels[tail - 1] in _ABOVE_CLOSING:
        tail -= 1
    _opening(pieces[:start], letter)
    draft.body = [_as_body(label, item) for label, item in pieces[start:tail]]
    letter.body = build_body(draft.body)
    _closing_area(pieces[tail:], letter)
    return letter


def _as_body(label: str, item: Item) -> Item:
    if label == "heading" and isinstance(item, Paragraph):
        return Heading(spans=item.spans, page=item.page, font_size=item.font_size,
                       align=item.align, indent=item.indent)  # fmt: skip
    return item


def _merge(para: Para | None, item: Item) -> Para:
    """``item`` as a paragraph, below the lines of ``para`` if there is one."""
    new = para_from_block(item) if isinstance(item, Block) else Para((Span(_text(item)),))
    if para is None:
        return new
    return Para((*para.content, Span("\n"), *new.content))


def _text(item: Item) -> str:
    if isinstance(item, Table):
        return "\n".join(" ".join(p.text.split()) for row in item.rows for c in row for p in c)
    return "\n".join(lines_of(item))


def _opening(pieces: list[tuple[str, Item]], letter: Letter) -> None:
    previous = None
    for label, item in pieces:
        if isinstance(item, PageBreak):
            letter.head_breaks.append(item)
            continue
        if label == "dateline" and (letter.dateline is None or previous == "dateline"):
            letter.dateline = _merge(letter.dateline, item)
        elif label == "address":
            letter.address.extend(_text(item).split("\n"))
        elif label == "subject" and letter.subject is None:
            letter.subject = _merge(None, item)
        elif label == "salute" and (letter.salute is None or previous == "salute"):
            letter.salute = _merge(letter.salute, item)
        else:
            letter.letterhead.append(_merge(None, item))
        previous = label


def _closing_area(pieces: list[tuple[str, Item]], letter: Letter) -> None:
    groups: list[list[str]] = []
    previous = None
    for label, item in pieces:
        if isinstance(item, PageBreak):
            letter.tail_breaks.append(item)
            continue
        lines = _text(item).split("\n")
        if label == "closing" and not groups:
            lines = _name_below_closing(lines, groups)
            if lines:
                letter.closer_salute = _merge(letter.closer_salute, _paragraph(lines))
        elif label == "signature" and _is_dateline(lines):
            letter.closer_dateline = _merge(letter.closer_dateline, item)
        elif label == "signature":
            split = signatures.split_closing_and_name(lines[0]) if not groups else None
            if split is not None:  # "Deine Lotte": the formula closes, the name signs
                letter.closer_salute = _merge(letter.closer_salute, _paragraph([split[0]]))
                lines[0] = split[1]
            if previous == "signature" and groups:
                groups[-1].extend(lines)
            else:
                groups.append(lines)
        elif label == "dateline" and (letter.closer_dateline is None or previous == "dateline"):
            letter.closer_dateline = _merge(letter.closer_dateline, item)
        elif label == "address":
            letter.closer_address.extend(lines)
        elif label in {"postscript", "body", "heading"}:
            letter.postscript.append(_merge(None, item))
        else:
            letter.trailers.append(_merge(None, item))
        previous = label
    body = "\n".join(p.text for p in letter.body if isinstance(p, Para))
    letter.signatories = signatures.group_signatories(groups, body)


def _name_below_closing(lines: list[str], groups: list[list[str]]) -> list[str]:
    """The closing formula's lines without the name that ends them, which starts the
    signatures: "Der Ihrige herzlichst / Arthur", "Ihr ergebner Arthur Schnitzler"."""
    named = [signatures.is_signature_name(x) and not formulas.is_closing(x) for x in lines]
    if len(lines) > 1 and named[-1] and not any(named[:-1]):
        groups.append([lines[-1]])
        return lines[:-1]
    split = signatures.split_closing_and_name(lines[-1])
    if split is not None:
        groups.append([split[1]])
        return [*lines[:-1], split[0]]
    return lines


def _is_dateline(lines: list[str]) -> bool:
    """A "signature" that is a date or a weekday ("Donnerstags", "Freitg Nachts")."""
    return len(lines) == 1 and (
        formulas.is_date_line(lines[0]) or formulas.is_weekday_line(lines[0])
    )


def _paragraph(lines: list[str]) -> Paragraph:
    return Paragraph(spans=(Span("\n".join(lines)),))
