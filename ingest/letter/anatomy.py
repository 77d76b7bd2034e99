"""Letter anatomy: group a :class:`Document`'s blocks into letter parts.

The passes run in this order, each on what the previous ones left:

1. ``find_salute`` — the greeting splits the opening from the body;
2. ``split_tail`` — trailers (cc:, Enclosure:), postscript, signatures and the closing
   formula are taken off the end;
3. ``read_opening`` — dateline, recipient address, subject line and letterhead;
4. ``build_body`` — paragraphs (rejoined across page breaks) and section headings;
5. ``infer_metadata`` — date, senders, addressees, places and language from the parts.

Anatomy never opens files and never builds XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.letter import formulas
from ingest.letter.model import (
    Agent,
    BodyItem,
    Letter,
    Para,
    Place,
    Section,
    Signatory,
    para_from_block,
)
from ingest.model import Block, Document, Heading, ListItem, PageBreak, Paragraph, Span, Table
from metadata import names, places
from metadata.dates import find_date
from metadata.language import detect_language

#: a paragraph with this many words is prose, never an opening or signature line
PROSE_WORDS = 25
#: signature lines are short
SIGNATURE_LINE_CHARS = 70
OPENING_SEARCH_BLOCKS = 15

Item = Paragraph | Heading | ListItem | Table | PageBreak


def recognise(document: Document) -> Letter:
    """The letter parts and metadata of ``document``."""
    letter = Letter(document=document)
    items: list[Item] = list(document.blocks)
    salute_at = find_salute(items)
    if salute_at is not None:
        opening, rest = items[:salute_at], items[salute_at + 1 :]
        letter.salute = para_from_block(items[salute_at])  # type: ignore[arg-type]
    else:
        opening, rest = _leading_opening(items)
    body_items = split_tail(rest, letter, document.text)
    read_opening(opening, letter)
    letter.body = build_body(body_items)
    infer_metadata(letter)
    return letter


# -- pass 1: the salutation ------------------------------------------------------------------


def _is_text(item: Item) -> bool:
    return isinstance(item, Paragraph | Heading) and bool(item.text.strip())


def _is_prose(item: Item) -> bool:
    return isinstance(item, Paragraph) and len(item.text.split()) >= PROSE_WORDS


def find_salute(items: list[Item]) -> int | None:
    """Index of the salutation among the blocks before the first prose paragraph."""
    seen = 0
    for index, item in enumerate(items):
        if not _is_text(item):
            continue
        if _is_prose(item) or seen >= OPENING_SEARCH_BLOCKS:
            return None
        seen += 1
        if formulas.is_salute(item.text):  # type: ignore[union-attr]
            return index
    return None


def _leading_opening(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """Without a salutation, the opening is the short blocks before the first prose one."""
    for index, item in enumerate(items[:OPENING_SEARCH_BLOCKS]):
        if _is_prose(item) or isinstance(item, ListItem | Table):
            return items[:index], items[index:]
    return [], items


# -- pass 2: the closing area ----------------------------------------------------------------


def _signature_like(block: Block) -> bool:
    lines = block.lines
    return (
        bool(lines)
        and len(lines) <= 8
        and all(len(line) <= SIGNATURE_LINE_CHARS and len(line.split()) <= 9 for line in lines)
        and not any(formulas.ends_sentence(line) and not line.endswith(".)") for line in lines
                    if not _is_initialled(line))
    )


def _is_initialled(line: str) -> bool:
    """ "J. S. Mill" or "Dr." end with a period without ending a sentence."""
    last = line.split()[-1] if line.split() else ""
    return len(last.rstrip(".")) <= 3 and last.endswith(".")


def split_tail(items: list[Item], letter: Letter, body_text: str) -> list[Item]:
    """Take trailers, postscript, signatures and closing formula off the end of ``items``;
    return what is left (the body)."""
    end = len(items)
    end = _take_trailers(items, end, letter)
    end = _take_postscript(items, end, letter)
    start = _signature_start(items, end)
    if start == 0:  # a letter is never all signature
        start = end
    signature_blocks = [i for i in items[start:end] if _is_text(i)]
    letter.tail_breaks = [i for i in items[start:end] if isinstance(i, PageBreak)]
    closing, signature_lines = _closing_and_lines(signature_blocks)
    if closing is None and start > 0:
        previous = _previous_text(items, start)
        if previous is not None and _is_closing_block(items[previous]):  # type: ignore[arg-type]
            closing = para_from_block(items[previous])  # type: ignore[arg-type]
            letter.tail_breaks = [
                i for i in items[previous:start] if isinstance(i, PageBreak)
            ] + letter.tail_breaks
            start = previous
    letter.closer_salute = closing
    letter.signatories = group_signatories(signature_lines, body_text)
    if not letter.signatories and closing is None:
        letter.tail_breaks = []
        return items[:end]
    return items[:start]


def _take_trailers(items: list[Item], end: int, letter: Letter) -> int:
    while end > 0:
        index = _previous_text(items, end)
        if index is None or not formulas.is_trailer(items[index].text):  # type: ignore[union-attr]
            break
        letter.trailers.insert(0, para_from_block(items[index]))  # type: ignore[arg-type]
        end = index
    return end


def _take_postscript(items: list[Item], end: int, letter: Letter) -> int:
    """A postscript is the block starting "P.S." and everything after it (up to 4 blocks back)."""
    index, looked = end, 0
    while looked < 4:
        found = _previous_text(items, index)
        if found is None:
            return end
        index, looked = found, looked + 1
        if formulas.is_postscript(items[index].text):  # type: ignore[union-attr]
            letter.postscript = [
                para_from_block(i)  # type: ignore[arg-type]
                for i in items[index:end]
                if _is_text(i)
            ]
            return index
    return end


def _previous_text(items: list[Item], before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if _is_text(items[index]):
            return index
        if not isinstance(items[index], PageBreak):
            return None
    return None


def _signature_start(items: list[Item], end: int) -> int:
    """First index of the run of signature-like blocks that ends at ``end``."""
    start, lines = end, 0
    for index in range(end - 1, -1, -1):
        item = items[index]
        if isinstance(item, PageBreak):
            continue
        if not (_is_text(item) and _signature_like(item)) or _is_closing_block(item):  # type: ignore[arg-type]
            if _is_text(item) and _closing_first_line(item):  # type: ignore[arg-type]
                return index
            break
        lines += len(item.lines)  # type: ignore[union-attr]
        if lines > 16:
            break
        start = index
    return start


def _is_closing_block(block: Block) -> bool:
    lines = block.lines
    return len(lines) == 1 and (formulas.is_closing(lines[0]) or _short_comma_line(lines[0]))


def _short_comma_line(line: str) -> bool:
    return line.endswith(",") and len(line) <= 50 and not names.looks_like_person(line[:-1])


def _closing_first_line(block: Block) -> bool:
    lines = block.lines
    return len(lines) > 1 and formulas.is_closing(lines[0]) and all(
        len(line) <= SIGNATURE_LINE_CHARS for line in lines[1:]
    )


def _closing_and_lines(blocks: list[Item]) -> tuple[Para | None, list[list[str]]]:
    """The closing formula (if it opens the signature area) and the signature lines by block."""
    closing: Para | None = None
    groups: list[list[str]] = []
    for block in blocks:
        lines = block.lines  # type: ignore[union-attr]
        if closing is None and not groups and lines and formulas.is_closing(lines[0]):
            closing = Para((Span(lines[0]),))
            lines = lines[1:]
        if lines:
            groups.append(lines)
    return closing, groups


def _signature_name(line: str) -> bool:
    tokens = line.rstrip(".,").split()
    return 0 < len(tokens) <= 4 and tokens[0][:1].isupper() and not any(c.isdigit() for c in line)


def group_signatories(groups: list[list[str]], body_text: str = "") -> list[Signatory]:
    """One signatory per person named; role and organisation lines attach to the name above."""
    signatories: list[list[tuple[str, str]]] = []
    for lines in groups:
        for position, line in enumerate(lines):
            kind = names.classify_line(line, body_text)
            current = signatories[-1] if signatories else None
            has_person = current is not None and any(k == "person" for k, _ in current)
            if kind == "other" and not has_person and _signature_name(line):
                kind = "person"  # a lone signature ("Ludwig", "L. v. B.")
            starts_new = current is None or (kind == "person" and has_person) or (
                position == 0 and kind == "person"
            )
            if starts_new:
                signatories.append([])
            signatories[-1].append((kind, line))
    return [Signatory(tuple(lines)) for lines in signatories if lines]


# -- pass 3: the opening ---------------------------------------------------------------------


@dataclass
class _Opening:
    before_date: list[list[str]] = field(default_factory=list)
    after_date: list[list[str]] = field(default_factory=list)
    after_date_blocks: list[Block] = field(default_factory=list)


def read_opening(items: list[Item], letter: Letter) -> None:
    """Dateline, recipient address, subject and letterhead from the blocks before the salute."""
    opening = _Opening()
    for item in items:
        if isinstance(item, PageBreak):
            letter.head_breaks.append(item)
            continue
        if not _is_text(item):
            continue
        if letter.subject is None and formulas.subject_marker(item.text):  # type: ignore[union-attr]
            letter.subject = para_from_block(item)  # type: ignore[arg-type]
            continue
        lines = item.lines  # type: ignore[union-attr]
        if letter.dateline is None:
            date_line = _dateline_index(lines)
            if date_line is not None:
                letter.dateline = Para((Span(lines[date_line]),))
                if date_line:
                    opening.before_date.append(lines[:date_line])
                lines = lines[date_line + 1 :]
                if not lines:
                    continue
                opening.after_date.append(lines)
                opening.after_date_blocks.append(item)  # type: ignore[arg-type]
                continue
            opening.before_date.append(lines)
        else:
            opening.after_date.append(lines)
            opening.after_date_blocks.append(item)  # type: ignore[arg-type]
    _assign_address(opening, letter)


def _dateline_index(lines: list[str]) -> int | None:
    """The line that is a dateline: a date with at most a place around it."""
    for index, line in enumerate(lines[:3]):
        found = find_date(line)
        if found and len(line) - (found.end - found.start) <= 40 and len(line.split()) <= 10:
            return index
    return None


def _assign_address(opening: _Opening, letter: Letter) -> None:
    if opening.after_date:
        groups, letterhead = opening.after_date, opening.before_date
        blocks: list[Block | None] = list(opening.after_date_blocks)
    else:
        # no dateline above the address, or the date stands after it (DIN-style letters)
        groups, letterhead = opening.before_date[-1:], opening.before_date[:-1]
        blocks = [None]
    if letter.subject is None and groups:
        last, block = groups[-1], blocks[-1] if blocks else None
        address_lines = [line for group in groups[:-1] for line in group]
        if len(last) == 1 and _reads_as_subject(last[0], block, address_lines):
            letter.subject = Para(tuple(block.spans) if block else (Span(last[0]),))
            groups = groups[:-1]
    letter.address = [line for group in groups for line in group]
    letter.letterhead = [Para((Span("\n".join(group)),)) for group in letterhead]


def _reads_as_subject(line: str, block: Block | None, address_lines: list[str]) -> bool:
    if block is not None and (isinstance(block, Heading) or block.all_bold):
        return True
    return len(line.split()) >= 3 and any(places.is_postal_line(a) for a in address_lines)


# -- pass 4: the body ------------------------------------------------------------------------


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
            out[-1] = Para(previous.content + tuple(pending) + _space_before(para.content))
        else:
            out.extend(pending)
            out.append(para)
        pending = []
    out.extend(pending)
    return out


def _space_before(content: tuple) -> tuple:
    return (Span(" "), *content)


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


# -- pass 5: metadata ------------------------------------------------------------------------


def infer_metadata(letter: Letter) -> None:
    meta = letter.metadata
    meta.language = detect_language(_body_text(letter))
    if letter.dateline is not None:
        found = find_date(letter.dateline.text, meta.language)
        if found:
            meta.date = found.value
            place = places.place_from_dateline(letter.dateline.text[: found.start])
            if place is None:
                place = places.place_from_dateline(letter.dateline.text[found.end :])
            if place:
                meta.place_sent = Place(place, cert="medium")
    meta.senders = _senders(letter)
    meta.recipients = _recipients(letter)
    for line in letter.address:
        place = places.place_from_postal_line(line)
        if place:
            meta.place_received = Place(place)
    if letter.subject is not None:
        marker = formulas.subject_marker(letter.subject.text)
        meta.title = letter.subject.text[marker.end() :] if marker else letter.subject.text
        meta.title = meta.title.strip() or None


def _body_text(letter: Letter) -> str:
    texts: list[str] = []
    for item in letter.body:
        if isinstance(item, Para):
            texts.append(item.text)
        elif isinstance(item, Section):
            texts.append(item.head.text)
            texts.extend(i.text for i in item.items if isinstance(i, Para))
    return "\n".join(texts) or letter.document.text


def _senders(letter: Letter) -> list[Agent]:
    agents = [s.agent for s in letter.signatories]
    agents = [a for a in agents if a.name or a.orgs]
    if agents:
        return agents
    for para in letter.letterhead:
        for line in para.text.split("\n"):
            if names.is_org(line):
                return [Agent(orgs=(line.strip(),), cert="medium")]
    return []


def _recipients(letter: Letter) -> list[Agent]:
    if letter.address:
        first = letter.address[0].rstrip(",")
        title, name = names.split_title(first)
        if names.looks_like_person(name):
            roles = (title,) if title and names.is_role(title) else ()
            orgs = tuple(line for line in letter.address[1:3] if names.is_org(line))
            return [Agent(name=name, roles=roles, orgs=orgs[:1])]
        if names.is_org(first):
            return [Agent(orgs=(first,))]
    if letter.salute is not None:
        person = names.person_from_salute(letter.salute.text)
        if person:
            return [Agent(name=person, cert="medium")]
    return []
