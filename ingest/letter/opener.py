"""Pass 3, the opening: letterhead, dateline, recipient address and subject line, from the
blocks before the salutation.

* The **dateline** is a short line with a date and at most a place ("Berlin, 3. März 2021",
  "Bern den 19 März 1854", "Helsingissä 5. toukokuuta 2019"), a place line above a date line
  ("Firenze, addì" / "11 Juillet 1871"), or a weekday alone ("Three Mile Cross Thursday").
* The **address** is what stands between the dateline and the salutation; without it (or when
  the date stands below the address, as in DIN letters), the last block above the dateline.
  A lone block above the dateline is the sender's letterhead in English letters unless it
  names a person with a form of address one does not give oneself ("To Mr. …", "Herrn …",
  "B. R. Haydon Esq."), the recipient's address elsewhere.
* The **subject** has a marker ("Re:", "Betreff:", "Objet :", "Oggetto:", "Asia:") or is the
  one line, bold or plain, right above the salutation.
* Everything else above is **letterhead**.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.letter import formulas
from ingest.letter.blocks import Draft, is_text, lines_of
from ingest.letter.model import Letter, Para, para_from_block
from ingest.model import Block, Heading, PageBreak, Span
from metadata import gazetteer, names, places
from metadata.dates import find_date

_YEAR_LINE = re.compile(r"1[0-9]{3}\s*[.,]?|20[0-9]{2}\s*[.,]?")


@dataclass
class _Block:
    item: Block
    lines: list[str]


@dataclass
class _Opening:
    before_date: list[_Block] = field(default_factory=list)
    after_date: list[_Block] = field(default_factory=list)
    dated: bool = False


def read_opening(draft: Draft, letter: Letter) -> None:
    opening = _Opening()
    for item in draft.opening:
        if isinstance(item, PageBreak):
            letter.head_breaks.append(item)
        elif is_text(item):
            _read_block(item, letter, opening)  # type: ignore[arg-type]
    _assign(opening, letter, draft)


def _read_block(item: Block, letter: Letter, opening: _Opening) -> None:
    lines = lines_of(item)  # type: ignore[arg-type]
    if letter.subject is None and formulas.subject_marker(item.text):
        letter.subject = para_from_block(item)
        return
    if letter.dateline is None:
        found = _dateline(lines)
        if found is not None:
            first, last = found
            letter.dateline = Para((Span("\n".join(lines[first : last + 1])),))
            opening.dated = True
            if first:
                opening.before_date.append(_Block(item, lines[:first]))
            if lines[last + 1 :]:
                opening.after_date.append(_Block(item, lines[last + 1 :]))
            return
    target = opening.after_date if opening.dated else opening.before_date
    target.append(_Block(item, lines))


def _dateline(lines: list[str]) -> tuple[int, int] | None:
    """First and last line of the dateline in a block, if it has one.

    Whether a line is a date, and where the date stands in it, does not depend on the
    language (which only settles the order of day and month in "07/08/2017"), so it is not
    asked for here: detecting it is slow, and most letters never need it."""
    for index, line in enumerate(lines):
        dated = formulas.is_date_line(line)
        if dated and len(lines) > 4 and not _bare_dateline(line):
            continue  # a founding date in a letterhead is not the dateline
        if dated or (len(lines) <= 2 and formulas.is_weekday_line(line)):
            first = index
            if index and _place_line(lines[index - 1], len(lines)):
                first = index - 1
            # a year wrapped onto a line of its own ("Baireut den 1 ten Juni" / "1821.")
            if index + 1 < len(lines) and _YEAR_LINE.fullmatch(lines[index + 1].strip()):
                return first, index + 1
            return first, index
    return None


def _bare_dateline(line: str) -> bool:
    """A date line with nothing but a known place (or nothing) beside the date."""
    found = find_date(line)
    if found is None:
        return False
    rest = (line[: found.start] + " " + line[found.end :]).strip(" ,.;–—-")
    place = places.place_from_dateline(line[: found.start]) if rest else None
    return (
        not rest
        or (place is not None and gazetteer.is_known_place(place))
        or (place is not None and places.finnish_nominative(place) is not None)
    )


def _place_line(line: str, block_lines: int) -> bool:
    """The line above a date line that names the place: "Bern", "Firenze, addì"."""
    if block_lines == 2 and len(line.split()) <= 5:
        return True
    return len(line.split()) <= 3 and places.place_from_dateline(line) is not None


def _assign(opening: _Opening, letter: Letter, draft: Draft) -> None:
    before, after = opening.before_date, opening.after_date
    if letter.subject is None:
        subject = _unmarked_subject(before, after)
        if subject is not None:
            letter.subject = para_from_block(subject.item)
            before, after = (
                [b for b in before if b is not subject],
                [b for b in after if b is not subject],
            )
    if after:
        address, letterhead = after, before
    elif len(before) >= 2:
        # the last block that reads as an address (DIN letters put the date below it)
        at = max((i for i, b in enumerate(before) if _reads_as_address(b.lines)), default=None)
        at = len(before) - 1 if at is None else at
        address, letterhead = [before[at]], before[:at] + before[at + 1 :]
    elif before and _is_recipient(before[0].lines, draft):
        address, letterhead = before, []
    else:
        address, letterhead = [], before
    letter.address = [line for block in address for line in block.lines]
    # the block itself, not its text: a letterhead may carry a link or a footnote callout
    letter.letterhead = [para_from_block(block.item) for block in letterhead]
    if letter.subject is None and _subject_ends_address(letter.address):
        letter.subject = Para((Span(letter.address.pop()),))


def _subject_ends_address(lines: list[str]) -> bool:
    """A subject line run into the address block (as PDF readers do): the line after the
    postal line, of three words or more, naming no one."""
    if len(lines) < 3 or not places.is_postal_line(lines[-2]):
        return False
    last = lines[-1]
    return (
        len(last.split()) >= 3
        and not places.is_postal_line(last)
        and not formulas.is_date_line(last)
        and names.person_from_address_line(last) is None
        and not names.is_org(last)
    )


def _unmarked_subject(before: list[_Block], after: list[_Block]) -> _Block | None:
    """The one line right above the salutation, bold or a heading, or plain below an address."""
    blocks = after or before
    if not blocks or len(before) + len(after) < 2:
        return None
    last = blocks[-1]
    if len(last.lines) != 1 or last.lines != lines_of(last.item):
        return None
    line = last.lines[0]
    if isinstance(last.item, Heading) or last.item.all_bold:
        return last
    plain = (
        len(line.split()) >= 3
        and not line.endswith((",", ":"))
        and not formulas.is_date_line(line)
        and not places.is_postal_line(line)
        and names.person_from_address_line(line) is None
        and not formulas.is_salute(line)
    )
    return last if plain else None


def _reads_as_address(lines: list[str]) -> bool:
    return len(lines) >= 2 or bool(names.person_from_address_line(lines[0]))


def _is_recipient(lines: list[str], draft: Draft) -> bool:
    """Whether a lone block above the dateline is the recipient's address (not a letterhead):
    it opens with "To"/"An"/"Herrn"…, or it is not English (where the sender's address heads
    the letter) and has an address's lines or names a person."""
    first = names.words(lines[0])
    if first and first[0].lower() in names.ADDRESS_MARKERS | {"herrn", "frau", "messrs"}:
        return True
    if any(names.addressed_person(line) for line in lines[:2]):
        return True  # "B. R. Haydon Esq.": no one writes "Esq." after their own name
    if len(lines) < 2 or (draft.language or "").split("-")[0] == "en":
        return False
    person = any(names.person_from_address_line(line) for line in lines[:3])
    return person or any(places.is_postal_line(line) for line in lines)
