"""Pass 2, the closing area: what follows the body, taken off the end of the letter.

From the end: editors' bracketed remarks, "cc:"/"Enclosure:"/"Anlagen" trailers and a marked
postscript ("P.S.", "PS:", "N.B.", "P.D."). Then the closing formula is found: the first short
block after the body that opens with one ("Yours sincerely,", "Mit freundlichen Grüßen",
"Votre dévoué") or a short sentence of courtesy ("Veuillez agréer…"), with a signature below
it. The formula may run over several lines or blocks ("Herzlich grüßend" / "Dein"), and a
signature may share its line ("Ever your's M. R. Mitford."). The signature blocks follow; what
comes after them is a dateline ("Bern / 2. Juli 1851."), the recipient's address ("To Mr.
Thomas Cadell / Bookseller / Strand, London"), trailers, or a postscript without a marker.

A letter without a closing formula may still end in a signature (and a dateline or an
address): those are taken off the end, and a sentence of courtesy right above them becomes the
closing formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.letter import formulas, signatures
from ingest.letter.blocks import Draft, Item, is_prose, is_text, lines_of, next_text, previous_text
from ingest.letter.model import Letter, Para, para_from_block
from ingest.model import PageBreak, Span, Table
from metadata import gazetteer, names, places

#: a closing formula is looked for this many text blocks back from the end at most
TAIL_BLOCKS = 14
MAX_CLOSING_LINES = 6
MAX_SIGNATURE_BLOCKS = 4
_ADDRESS_OPENING = names.ADDRESS_MARKERS | {
    "seiner", "ihrer", "son", "sa", "al", "alla", "illustrissimo", "sir",
    "herrn", "herr", "frau", "monsieur", "madame", "mademoiselle", "mr", "mrs", "miss", "ms",
    "messrs", "sig", "signor", "signora", "señor", "señora", "sr", "sra", "dhr", "mevrouw",
    "hr", "fru", "fröken", "den", "dem", "der", "à",
}  # fmt: skip


#: a sentence ends and another begins
_SENTENCES = re.compile(r"[a-zäöüßà-ÿ]{2}[.!?]\s+[A-ZÄÖÜÀ-Þ]")

#: a block after the signature: its lines, its item, and whether it is the whole item
_After = tuple[list[str], int, bool]


@dataclass
class _Tail:
    """Lines of the closing area, each with the index of the item it came from."""

    closing: list[str] = field(default_factory=list)
    signature: list[list[str]] = field(default_factory=list)
    start: int = 0  # first item of the closing area
    #: the blocks after the signature (dateline, address, postscript…)
    after_lines: list[_After] = field(default_factory=list)


def split_tail(draft: Draft, letter: Letter) -> None:
    items = draft.rest
    end = _take_end_matter(items, len(items), letter)
    tail = _closing_area(items, end)
    if tail is None:
        draft.body = items[:end]
        return
    body_text = "\n".join(i.text for i in items[: tail.start] if is_text(i))  # type: ignore[union-attr]
    letter.closer_salute = _para(tail.closing)
    letter.signatories = signatures.group_signatories(tail.signature, body_text)
    _read_after(tail.after_lines, items, letter)
    letter.tail_breaks = [i for i in items[tail.start : end] if isinstance(i, PageBreak)]
    draft.body = items[: tail.start]


def _para(lines: list[str]) -> Para | None:
    return Para((Span("\n".join(lines)),)) if lines else None


# -- what stands at the very end -------------------------------------------------------------


def _take_end_matter(items: list[Item], end: int, letter: Letter) -> int:
    """Bracketed remarks, trailers and a marked postscript, from the end (in any order)."""
    while True:
        index = previous_text(items, end)
        if index is None:
            return end
        text = items[index].text  # type: ignore[union-attr]
        editorial = formulas.is_editorial(text) and not formulas.is_postscript(text[1:])
        if editorial or formulas.is_trailer(text) or _is_trailer_list(items, index, letter):
            letter.trailers.insert(0, para_from_block(items[index]))  # type: ignore[arg-type]
        else:
            start = _postscript_start(items, end)
            if start is None:
                return end
            letter.postscript[:0] = [
                para_from_block(i)
                for i in items[start:end]
                if is_text(i)  # type: ignore[arg-type]
            ]
            index = start
        end = index


def _is_trailer_list(items: list[Item], index: int, letter: Letter) -> bool:
    """The lines of an enclosure list after an "Anlagen" line of its own."""
    previous = previous_text(items, index)
    return (
        previous is not None
        and bool(letter.trailers) is False
        and formulas.is_trailer(items[previous].text)  # type: ignore[union-attr]
        and "\n" not in items[previous].text.strip()  # type: ignore[union-attr]
        and all(len(line) <= 60 for line in lines_of(items[index]))
    )


def _postscript_start(items: list[Item], end: int) -> int | None:
    """A postscript is the block opening with "P.S." and what follows it (4 blocks back)."""
    index = end
    for _ in range(4):
        found = previous_text(items, index)
        if found is None:
            return None
        index = found
        if formulas.is_postscript(items[index].text):  # type: ignore[union-attr]
            return index
    return None


# -- the closing formula and the signature ----------------------------------------------------


def _closing_area(items: list[Item], end: int) -> _Tail | None:
    text_indices = [i for i in range(end) if is_text(items[i]) or isinstance(items[i], Table)]
    window = text_indices[-TAIL_BLOCKS:]
    first_prose = next((i for i in text_indices if is_prose(items[i])), None)
    for index in window:
        before_body = first_prose is not None and index <= first_prose
        if (
            before_body
            and index != text_indices[-1]
            and not (index == first_prose and _is_closing_block(items[index]))
        ):
            continue
        tail = _tail_from(items, index, end)
        if tail is not None:
            return tail
    return _bare_signature(items, end)


def _is_closing_block(item: Item) -> bool:
    lines = lines_of(item)
    if not lines or len(lines) > signatures.MAX_LINES:
        return False
    first = lines[0]
    if formulas.is_closing(first) or signatures.split_closing_and_name(first):
        return True
    if _leans_on_possessive(lines, 0):
        return True
    return len(lines) == 1 and formulas.is_closing_sentence(first) and not is_prose_long(item)


def is_prose_long(item: Item) -> bool:
    return len(item.text.split()) > 45  # type: ignore[union-attr]


@dataclass
class _Line:
    """One line of the closing area, with the item it came from."""

    text: str
    item: int
    first: bool
    table: Table | None = None


def _flatten(items: list[Item], start: int, end: int) -> list[_Line]:
    out: list[_Line] = []
    for index in range(start, end):
        item = items[index]
        if isinstance(item, Table):
            out.append(_Line("", index, True, item))
        elif is_text(item):
            out += [_Line(line, index, n == 0) for n, line in enumerate(lines_of(item))]
    return out


def _tail_from(items: list[Item], index: int, end: int) -> _Tail | None:
    """The closing area when a closing formula starts at ``index``, else None."""
    if not _is_closing_block(items[index]):
        return None
    lines = _flatten(items, index, end)
    closing = _closing_lines(lines)
    if not closing:
        return None
    later = [line for line in closing if line.item != index]
    if later and later[0].first and formulas.opens_with_closing(later[0].text):
        return _tail_from(items, later[0].item, end)  # "God bless you…" / "Ever yours": the latter
    position = len(closing)
    closing_texts = [line.text for line in closing]
    named = signatures.split_closing_and_name(closing_texts[-1])
    if named and (position == len(lines) or lines[position].first):
        closing_texts[-1] = named[0]
        lines.insert(position, _Line(named[1], closing[-1].item, False))
    signature, position = _signature_lines(items, lines, position)
    if not signature and position < len(lines):
        return None
    tail = _Tail(closing=closing_texts, signature=signature, start=index)
    tail.after_lines = _blocks_of(lines[position:])
    _extend_closing_upwards(items, tail)
    return tail


def _closing_lines(lines: list[_Line]) -> list[_Line]:
    taken: list[_Line] = []
    for line in lines[:MAX_CLOSING_LINES]:
        if line.table is not None:
            break
        text = line.text
        if not taken:
            sole = len([x for x in lines if x.item == line.item]) == 1
            ok = formulas.is_closing(text) or (sole and formulas.is_closing_sentence(text))
            ok = ok or signatures.split_closing_and_name(text) is not None
            ok = ok or _leans_on_possessive([x.text for x in lines], 0)
        else:
            ok = formulas.is_closing(text) or formulas.is_possessive_closing(text)
            ok = ok or _closing_adjective(text, taken[-1].text)
            if (
                ok
                and signatures.is_signature_name(text)
                and not formulas.is_possessive_closing(text)
                and len(text.split()) <= 2
            ):
                break
        if not ok:
            break
        taken.append(line)
    return taken


def _leans_on_possessive(lines: list[str], index: int) -> bool:
    """A few words of courtesy above a possessive of their own line: "In Treue" / "Dein",
    "Von Herzen" / "Ihr" (the possessive carries the formula, the words above belong to it)."""
    if index + 1 >= len(lines):
        return False
    line, below = lines[index].strip(), lines[index + 1].strip()
    return (
        0 < len(line.split()) <= 3
        and line[:1].isupper()
        and not formulas.ends_sentence(line)
        and not any(ch.isdigit() for ch in line)
        and formulas.is_possessive_closing(below)
        and len(below.split()) <= 3
        and not formulas.is_salute(line)
    )


def _closing_adjective(text: str, above: str) -> bool:
    """ "treuester" below "Herzlichst Ihr", "alter Freund" below "Dein", "ewig liebenden"
    below "Dich": the rest of the formula on a line of its own (lower-case words, perhaps
    ending in a noun of the writer's bond)."""
    words = text.strip().rstrip(",.").split()
    if not 0 < len(words) <= 3 or signatures.is_signature_name(text):
        return False
    *lead, last = words
    noun = last.lower() in signatures.CLOSING_NOUNS
    lowered = all(w[:1].islower() and w.isalpha() for w in (lead if noun else words))
    return lowered and (noun or len(words) <= 2) and bool(above.strip())


def _signature_lines(
    items: list[Item], lines: list[_Line], position: int
) -> tuple[list[list[str]], int]:
    """The signature lines from ``position``, grouped by block, and where they stop."""
    groups: list[list[str]] = []
    blocks: set[int] = set()
    current: int | None = None
    while position < len(lines):
        line = lines[position]
        if line.table is not None:
            if not signatures.is_signature_table(line.table):
                break
            groups.extend(signatures.table_columns(line.table))
            position += 1
            continue
        if line.first and groups:
            block = lines_of(items[line.item])
            if _ends_signature(block):
                break
            if _is_second_signature(block):  # "Gruss / Hugo": a co-signer's own greeting
                groups.append(block)
                position += len(block)
                continue
        named = any(signatures.is_signature_name(text) for group in groups for text in group)
        if not signatures.is_signature_line(line.text) or _place_of_dateline(
            lines, position, named
        ):
            break
        if line.item not in blocks:
            if len(blocks) >= MAX_SIGNATURE_BLOCKS:
                break
            blocks.add(line.item)
        if line.item != current:
            groups.append([])
            current = line.item
        groups[-1].append(line.text)
        position += 1
    flat = [text for group in groups for text in group]
    if groups and not any(signatures.is_signature_name(t) for t in flat) and not _proxy_block(flat):
        return [], position - len(flat)
    return groups, position


def _is_second_signature(block: list[str]) -> bool:
    return (
        2 <= len(block) <= 3
        and formulas.is_closing(block[0])
        and signatures.is_signature_name(block[-1])
    )


def _ends_signature(block: list[str]) -> bool:
    return (
        _dateline_lines(block) is not None
        or is_address_block(block)
        or any(formulas.is_trailer(line) or formulas.is_postscript(line) for line in block[:1])
    )


def _place_of_dateline(lines: list[_Line], position: int, named: bool) -> bool:
    """ "Bertram House" above "Tuesday Morng", below the signature: the dateline's place."""
    line = lines[position]
    following = lines[position + 1] if position + 1 < len(lines) else None
    if following is None or following.item != line.item or following.table is not None:
        return False
    dated = formulas.is_date_line(following.text) or formulas.is_weekday_line(following.text)
    # a town the gazetteer knows is the dateline's even where it could be a surname
    known = gazetteer.is_known_place(line.text.strip(" ,.;"))
    return dated and (named or known or not signatures.is_signature_name(line.text))


def _blocks_of(lines: list[_Line]) -> list[_After]:
    blocks: list[_After] = []
    current: int | None = None
    for line in lines:
        if line.table is not None:
            cells = [cell for column in signatures.table_columns(line.table) for cell in column]
            blocks.append((cells, line.item, True))
            current = None
            continue
        if line.item != current:
            blocks.append(([], line.item, line.first))
            current = line.item
        blocks[-1][0].append(line.text)
    return blocks


def _proxy_block(lines: list[str]) -> bool:
    return bool(signatures.PROXY.match(lines[0])) or all(
        names.classify_line(line) in {"org", "role"} for line in lines
    )


def _extend_closing_upwards(items: list[Item], tail: _Tail) -> None:
    """ "Dein" alone leans on the sentence above it: "Dir den Freundeshandschlag von / Deinem"."""
    while len(tail.closing) < MAX_CLOSING_LINES:
        previous = previous_text(items, tail.start)
        if previous is None:
            return
        lines = lines_of(items[previous])
        weak = all(formulas.is_possessive_closing(line) for line in tail.closing)
        if not weak or len(lines) != 1:
            return
        if not (formulas.is_closing(lines[0]) or formulas.is_closing_sentence(lines[0])):
            return
        if _SENTENCES.search(lines[0]):
            return  # the last paragraph's closing sentence stays in it: "… sein. Inzwischen …"
        tail.closing[:0] = lines
        tail.start = previous


def _bare_signature(items: list[Item], end: int) -> _Tail | None:
    """No closing formula: signatures (then perhaps a dateline or address) end the letter."""
    stop = end
    for _ in range(2):  # a dateline and an address may follow the signature, in either order
        index = previous_text(items, stop)
        if index is None or not _is_after_block(lines_of(items[index])):
            break
        stop = index
    groups: list[list[str]] = []
    start = stop
    while sum(len(g) for g in groups) < 2 * signatures.MAX_LINES:
        index = _previous_block(items, start)
        found = None if index is None else _signature_block(items[index])
        if found is None:
            break
        groups[:0] = found
        start = index  # type: ignore[assignment]
    while groups and not any(signatures.is_signature_name(x) or _proxy_block([x])
                             for x in groups[0]):  # fmt: skip
        groups.pop(0)  # a role or address line above the first name is not the signature
        start = next_text(items, start, stop) or stop
    after = [(lines_of(items[i]), i, True) for i in range(stop, end) if is_text(items[i])]
    flat = [line for group in groups for line in group]
    if not any(signatures.is_signature_name(line) for line in flat):
        if not after or not _signed_dateline(after[0][0]):
            return None
        # "Alfred Escher. / VI.18.31.": the signature and the dateline share a block
        lines, index, _whole = after[0]
        groups, start = [lines[:1]], index
        after[0] = (lines[1:], index, False)
    if previous_text(items, start) is None:
        return None  # a letter is never all signature
    tail = _Tail(signature=groups, start=start, after_lines=after)
    above = previous_text(items, start)
    if above is not None:
        lines = lines_of(items[above])
        if len(lines) == 1 and (formulas.is_closing_sentence(lines[0])
                                or formulas.is_closing(lines[0])):  # fmt: skip
            tail.closing, tail.start = lines, above
    return tail


def _previous_block(items: list[Item], before: int) -> int | None:
    """The text block or table before ``before``, skipping page breaks only."""
    for index in range(before - 1, -1, -1):
        if is_text(items[index]) or isinstance(items[index], Table):
            return index
        if not isinstance(items[index], PageBreak):
            return None
    return None


def _signed_dateline(lines: list[str]) -> bool:
    return (
        len(lines) >= 2
        and names.looks_like_person(lines[0].rstrip("."))
        and (_dateline_lines(lines[1:]) is not None)
    )


def _signature_block(item: Item) -> list[list[str]] | None:
    """A block (or a table) of signature lines, as groups; None when it is something else."""
    if isinstance(item, Table):
        return signatures.table_columns(item) if signatures.is_signature_table(item) else None
    lines = lines_of(item)
    if not lines or len(lines) > signatures.MAX_LINES:
        return None
    if not all(signatures.is_signature_line(line) for line in lines):
        return None
    if formulas.is_closing(lines[0]) and not signatures.is_signature_name(lines[0]):
        return None
    return [lines]


# -- after the signature ----------------------------------------------------------------------


def _is_after_block(lines: list[str]) -> bool:
    return bool(lines) and (_dateline_lines(lines) is not None or is_address_block(lines))


def _dateline_lines(lines: list[str]) -> list[str] | None:
    """A block that is a dateline: "Bern / 2. Juli 1851.", "Bertram House / Tuesday Morng"."""
    if not 1 <= len(lines) <= 3:
        return None
    last = lines[-1]
    if not (formulas.is_date_line(last) or formulas.is_weekday_line(last)):
        return None
    if any(len(line) > 60 for line in lines[:-1]):
        return None
    return lines


def is_address_block(lines: list[str]) -> bool:
    """A recipient's address: opens with "To", "An", "Herrn", "Monsieur"…, or has a postal line."""
    if not lines or len(lines) > 8 or any(len(line) > 70 for line in lines):
        return False
    first = names.words(lines[0])
    opening = first[0].lower().rstrip(".") if first else ""
    if opening in _ADDRESS_OPENING and len(lines) >= 2:
        return True
    if len(lines) == 1 and opening in _ADDRESS_OPENING and lines[0].count(",") >= 2:
        return names.person_from_address_line(lines[0]) is not None  # "Mr. P. Byrne, 12, …"
    if len(lines) == 1 and opening in _ADDRESS_OPENING:
        # "Herrn Bundespräsident Bavier in Bern": a form one never gives oneself
        return names.addressed_person(lines[0]) is not None
    if len(lines) >= 2 and any(places.is_postal_line(line) for line in lines):
        return True
    if len(lines) >= 2 and names.addressed_person(lines[0]):
        return True  # "B. R. Haydon Esqre / St. John's Place / …": no one signs "Esq."
    return (
        len(lines) >= 3
        and formulas.is_date_line(lines[0])
        and any(names.person_from_address_line(line) for line in lines[1:3])
    )


def _read_after(blocks: list[_After], items: list[Item], letter: Letter) -> None:
    """What follows the signature: a dateline, an address, trailers, or a postscript."""
    postscript: list[Para] = []
    for lines, index, whole in blocks:
        para = para_from_block(items[index]) if whole and is_text(items[index]) else None  # type: ignore[arg-type]
        para = para or Para((Span("\n".join(lines)),))
        if letter.closer_dateline is None and not postscript and _dateline_lines(lines):
            letter.closer_dateline = Para((Span("\n".join(lines)),))
        elif not letter.closer_address and is_address_block(lines):
            letter.closer_address = lines
        elif formulas.is_trailer(lines[0]) and not postscript:
            letter.trailers.append(para)
        else:
            postscript.append(para)
    letter.postscript[:0] = postscript


def dateline_above_closing(draft: Draft, letter: Letter) -> None:
    """A letter dated only in a short line of its own above the closing formula ("Di
    Hulzoven a' 16 luglio 1616" over "di vostra Serenità / humilissimo … servitore"): that
    line is the dateline, and a formula line between it and the closing joins the closing."""
    if letter.dateline is not None or letter.closer_dateline is not None:
        return
    if letter.closer_salute is None and not letter.signatories:
        return
    # a page break may fall between the dateline and the closing: it stays at the body's end
    breaks: list[PageBreak] = []
    while letter.body and isinstance(letter.body[-1], PageBreak):
        breaks.insert(0, letter.body.pop())
    _take_dateline_above_closing(letter)
    letter.body.extend(breaks)


def _take_dateline_above_closing(letter: Letter) -> None:
    lead: list[Para] = []
    while letter.body and _short_para(letter.body[-1]):
        last = letter.body[-1]
        assert isinstance(last, Para)
        text = last.text.strip()
        if formulas.is_date_line(text):
            letter.closer_dateline = letter.body.pop()
            break
        if not formulas.is_closing(text) or lead:
            letter.body.extend(lead)
            return
        lead.append(letter.body.pop())
    else:
        letter.body.extend(lead)  # no dateline above: the formula stays where it was
        return
    if lead and letter.closer_salute is not None:
        content = (*lead[0].content, Span("\n"), *letter.closer_salute.content)
        letter.closer_salute = Para(content)
    elif lead:
        letter.body.extend(lead)


def _short_para(item: object) -> bool:
    return isinstance(item, Para) and "\n" not in item.text.strip() and len(item.text) <= 80
