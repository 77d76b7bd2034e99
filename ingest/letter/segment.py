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
from metadata.dates import find_date


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
        return _split_trailing_dateline(block, text)
    if len(match["closing"].split()) > 4 or any(span.note for span in block.spans):
        return [block]
    head, tail = _cut_spans(block.spans, match.start("closing"))
    return [replace(block, spans=head), replace(block, spans=tail)]


#: a dateline run into the paragraph above it is at most this long
_DATELINE_CHARS = 60


def _split_trailing_dateline(block: Paragraph, text: str) -> list[AnyBlock]:
    """ "… Gratie etc. Dall'Haya a' 5 luglio 1617": a dateline a PDF reader ran into the last
    paragraph (its line sat as close as the paragraph's own). The shortest full date at the
    end is cut off with the words before it back to the end of the last sentence ("Hof d."
    of "Hof d. 9 Nov. 95.")."""
    text = text.rstrip()
    if len(text) < 2 * _DATELINE_CHARS or any(span.note for span in block.spans):
        return [block]
    tokens = [m for m in re.finditer(r"\S+", text) if m.start() >= len(text) - _DATELINE_CHARS]
    dated = [i for i in range(len(tokens)) if _full_date(text[tokens[i].start() :])]
    if not dated:
        return [block]
    start = dated[-1]
    while start and not _ends_a_sentence(tokens[start - 1].group()):
        start -= 1
    if not start:  # no finished sentence before it within reach: prose that ends in a date
        return [block]
    tail = text[tokens[start].start() :]
    if not tail[:1].isupper() or not formulas.is_date_line(tail):
        return [block]
    head, rest = _cut_spans(block.spans, tokens[start].start())
    return [replace(block, spans=head), replace(block, spans=rest)]


def _full_date(text: str) -> bool:
    found = find_date(text)
    return found is not None and len(found.value.when or "") == 10


def _ends_a_sentence(token: str) -> bool:
    """A word that ends a sentence, not an abbreviation of a dateline ("d.", "Nov.")."""
    return formulas.ends_sentence(token) and len(token.rstrip(".")) > 2


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
