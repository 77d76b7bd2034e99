"""A document's items as a sequence of lines: what the part labeller labels.

The learned labeller (:mod:`ingest.letter.labeller`) gives each line of a letter one of
:data:`LABELS`. A line is a hard line of a paragraph or heading (a dateline, an address line, a
signature) or a whole paragraph of prose; a table is one line, its cells' text side by side.
Page breaks are not lines: they stay where they fall when the labelled lines become parts.

This module also reads a :class:`Letter` the rules built back into line labels (the rules'
opinion is one of the labeller's features, and its fallback), and cuts an item whose lines
carry different labels into one item per label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.letter.blocks import Item
from ingest.letter.model import Letter, Para, Section
from ingest.model import Heading, ListItem, PageBreak, Paragraph, Span, Table

#: what a line can be, in the order parts usually come
LABELS = (
    "letterhead", "dateline", "address", "subject", "salute", "body", "heading", "closing",
    "signature", "postscript", "trailer", "other",
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One line of the document: where it stands and what the reader knew of its layout."""

    text: str
    item: int  # index of its item in the draft's items
    index: int  # its index among the item's lines
    count: int  # how many lines its item has
    kind: str  # "paragraph", "heading", "list", "table"
    align: str | None = None
    indent: float | None = None
    font_size: float | None = None
    bold: bool = False
    italic: bool = False


def document_lines(items: list[Item]) -> list[Line]:
    """Every line of ``items`` in reading order (page breaks and empty blocks have none)."""
    out: list[Line] = []
    for position, item in enumerate(items):
        if isinstance(item, PageBreak):
            continue
        if isinstance(item, Table):
            cells = [" ".join(p.text.split()) for row in item.rows for c in row for p in c]
            text = "   ".join(c for c in cells if c)
            if text:
                out.append(Line(text, position, 0, 1, "table"))
            continue
        texts = item.lines
        kind = (
            "heading"
            if isinstance(item, Heading)
            else "list"
            if isinstance(item, ListItem)
            else "paragraph"
        )
        for index, text in enumerate(texts):
            out.append(
                Line(
                    text=text,
                    item=position,
                    index=index,
                    count=len(texts),
                    kind=kind,
                    align=item.align,
                    indent=item.indent,
                    font_size=item.font_size,
                    bold=item.all_bold,
                    italic=item.all_italic,
                )
            )
    return out


# -- the rules' opinion, line by line --------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def rule_labels(letter: Letter, lines: list[Line]) -> list[str]:
    """The label the rules gave each line, read back from the parts of ``letter``.

    The parts are listed in the order they stand in a letter, so that a line written twice (a
    letterhead repeated as the footer) takes its labels in turn."""
    parts: dict[str, list[str]] = {}
    pieces: list[tuple[str, str]] = []

    def put(label: str, text: str) -> None:
        for line in text.split("\n"):
            key = _key(line)
            if key:
                parts.setdefault(key, []).append(label)
                pieces.append((label, key))

    for para in letter.letterhead:
        put("letterhead", para.text)
    for text in letter.address:
        put("address", text)
    for para, label in ((letter.dateline, "dateline"), (letter.subject, "subject"),
                        (letter.salute, "salute")):  # fmt: skip
        if para is not None:
            put(label, para.text)
    for item in letter.body:
        if isinstance(item, Section):
            put("heading", item.head.text)
            for inner in item.items:
                if isinstance(inner, Para):
                    put("body", inner.text)
        elif isinstance(item, Para):
            put("body", item.text)
    if letter.closer_salute is not None:
        put("closing", letter.closer_salute.text)
    for signatory in letter.signatories:
        for _, text in signatory.lines:
            put("signature", text)
    if letter.closer_dateline is not None:
        put("dateline", letter.closer_dateline.text)
    for text in letter.closer_address:
        put("address", text)
    for para in letter.postscript:
        put("postscript", para.text)
    for para in letter.trailers:
        put("trailer", para.text)
    labels = []
    for line in lines:
        key = _key(line.text)
        queue = parts.get(key)
        if queue:
            label = queue.pop(0) if len(queue) > 1 else queue[0]
        else:
            # a line the rules cut in two (a closing formula run into the last paragraph):
            # it is body if its opening words are
            label = next((lab for lab, k in pieces if k and key.startswith(k[:40])), None)
            label = label or next((lab for lab, k in pieces if k and k in key), "body")
        labels.append(label)
    return labels


# -- items cut where their lines' labels change ----------------------------------------------


def labelled_items(
    items: list[Item], lines: list[Line], labels: list[str]
) -> list[tuple[str, Item]]:
    """Each item with its label, an item whose lines differ cut into one piece per run of
    equal labels (inline marks, links and note callouts kept with their line). Page breaks
    come through with the label ``"break"``."""
    by_item: dict[int, list[tuple[Line, str]]] = {}
    for line, label in zip(lines, labels, strict=True):
        by_item.setdefault(line.item, []).append((line, label))
    out: list[tuple[str, Item]] = []
    for position, item in enumerate(items):
        if isinstance(item, PageBreak):
            out.append(("break", item))
            continue
        labelled = by_item.get(position)
        if not labelled:
            continue
        runs = _runs([label for _, label in labelled])
        if len(runs) == 1 or not isinstance(item, Paragraph | Heading):
            out.append((runs[0][0], item))
            continue
        span_lines = [line for line in span_lines_of(item.spans) if _visible(line)]
        for label, start, end in runs:
            spans: list[Span] = []
            for n, line_spans in enumerate(span_lines[start:end]):
                if n:
                    spans.append(Span("\n"))
                spans.extend(line_spans)
            out.append((label, replace(item, spans=tuple(spans))))
    return out


def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    runs: list[tuple[str, int, int]] = []
    for index, label in enumerate(labels):
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1], index + 1)
        else:
            runs.append((label, index, index + 1))
    return runs


def _visible(spans: list[Span]) -> bool:
    return bool("".join(s.text for s in spans if s.note is None).strip())


def span_lines_of(spans: tuple[Span, ...]) -> list[list[Span]]:
    """The spans of each hard line (a line break splits a span in two)."""
    lines: list[list[Span]] = [[]]
    for span in spans:
        if span.note is not None or "\n" not in span.text:
            lines[-1].append(span)
            continue
        for n, piece in enumerate(span.text.split("\n")):
            if n:
                lines.append([])
            if piece:
                lines[-1].append(replace(span, text=piece))
    return lines
