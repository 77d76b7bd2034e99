"""Pass 0, segmentation: split blocks that run several letter parts together.

A PDF's paragraphs are found from the gaps between lines, and the short lines of a letter's
opening and closing often sit closer together than its paragraphs: a reader may hand over
"Über eine kurze Nachricht würde ich mich sehr freuen. / Mit freundlichen Grüßen / Ursula
Brenner / PS: …" as one block. This pass cuts such a block before a salutation, a closing
formula that follows a finished sentence, a postscript, a trailer or a subject line, and after
a salutation, keeping each line's inline marks, links and note callouts.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.letter import formulas, signatures
from ingest.letter.blocks import Draft
from ingest.letter.lines import span_lines_of
from ingest.letter.model import Letter
from ingest.model import AnyBlock, Paragraph, Span


def split_blocks(draft: Draft, letter: Letter) -> None:
    draft.items = [piece for block in draft.document.blocks for piece in _split(block)]


def _split(block: AnyBlock) -> list[AnyBlock]:
    if not isinstance(block, Paragraph):
        return [block]
    if "\n" not in block.text.strip():
        return _split_trailing_closing(block)
    lines = span_lines_of(block.spans)
    texts = ["".join(s.text for s in line if s.note is None).strip() for line in lines]
    cuts = [i for i in range(1, len(lines)) if _cut_before(texts, i)]
    if not cuts:
        return [block]
    pieces: list[AnyBlock] = []
    for start, end in zip([0, *cuts], [*cuts, len(lines)], strict=True):
        spans: list[Span] = []
        for n, line in enumerate(lines[start:end]):
            if n:
                spans.append(Span("\n"))
            spans.extend(line)
        pieces.append(replace(block, spans=tuple(spans)))
    return pieces


_TRAILING_CLOSING = re.compile(r"^(?P<prose>.{40,}?[.!?])\s+(?P<closing>\S[^.!?]{0,40})$", re.S)


def _split_trailing_closing(block: Paragraph) -> list[AnyBlock]:
    """ "… finde Deres bifald. Ærbødigst": a closing line a reader ran into the paragraph."""
    text = "".join(span.text for span in block.spans)
    match = _TRAILING_CLOSING.match(text.rstrip())
    if not match or not formulas.is_closing(match["closing"]):
        return [block]
    if len(match["closing"].split()) > 4 or any(span.note for span in block.spans):
        return [block]
    head, tail = _cut_spans(block.spans, match.start("closing"))
    return [replace(block, spans=head), replace(block, spans=tail)]


def _cut_spans(spans: tuple[Span, ...], offset: int) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    head: list[Span] = []
    tail: list[Span] = []
    position = 0
    for span in spans:
        end = position + len(span.text)
        if end <= offset:
            head.append(span)
        elif position >= offset:
            tail.append(span)
        else:
            cut = offset - position
            head.append(replace(span, text=span.text[:cut].rstrip()))
            tail.append(replace(span, text=span.text[cut:]))
        position = end
    return tuple(head), tuple(tail)


def _cut_before(texts: list[str], index: int) -> bool:
    line, previous = texts[index], texts[index - 1]
    if not line or not previous:
        return False
    if formulas.is_salute(previous) or formulas.is_salute(line):
        return True
    if formulas.is_postscript(line) or formulas.subject_marker(line) or formulas.is_trailer(line):
        return True
    finished = formulas.ends_sentence(previous) and len(previous.split()) >= 6
    if not finished or not formulas.is_closing(line):
        return False
    signed_below = index + 1 < len(texts) and signatures.is_signature_name(texts[index + 1])
    return formulas.opens_with_closing(line) or signed_below
