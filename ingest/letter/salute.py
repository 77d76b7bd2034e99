"""Pass 1, the salutation: it divides the opening (letterhead, dateline, address, subject)
from the body.

The salutation is a short line before the first paragraph of prose that opens with a greeting
or an honorific ("Dear Ms Roe,", "Sehr geehrter Herr Dr. Müller,", "Illustrissimo Signor
Conte,"), or, failing that, the short line right before the prose that ends as salutations end
("Monsieur et Ami,", "BEST OF ALL TOBIASES,--"). Without one, the opening is the short blocks
before the first prose.
"""

from __future__ import annotations

from ingest.letter import formulas
from ingest.letter.blocks import OPENING_SEARCH_BLOCKS, PROSE_WORDS, Draft, Item, is_prose, is_text
from ingest.letter.model import Letter, Para, para_from_block
from ingest.model import Paragraph, Span


def find_salute(draft: Draft, letter: Letter) -> None:
    items = draft.items
    found = salute_index(items)
    if found is None:
        draft.opening, draft.rest = leading_opening(items)
        return
    start = found - 1 if found and _opens_salute(items[found - 1]) else found
    letter.salute = para_from_block(items[found])  # type: ignore[arg-type]
    if start < found:  # "Wohlgebohrner" / "Hochverehrtester Herr Legationsrath!"
        head = para_from_block(items[start])  # type: ignore[arg-type]
        letter.salute = Para((*head.content, Span("\n"), *letter.salute.content))
    draft.opening, draft.rest = items[:start], items[found + 1 :]


#: the endings of the adjectives an old form of address is built of ("Wohlgebohrner",
#: "Hochehrwürdiger und Hochgelehrter Herr")
_ADJECTIVE_ENDINGS = ("ger", "ter", "ner", "der", "rer", "ster")
_ADDRESSED = frozenset("herr herren frau freund freundin sir madame monsieur".split())


def _opens_salute(item: Item) -> bool:
    """A line of honorifics of its own right above the salutation: its first line."""
    if not isinstance(item, Paragraph) or "\n" in item.text.strip():
        return False
    line = item.text.strip().rstrip(",")
    words = line.split()
    if not 0 < len(words) <= 6 or any(ch.isdigit() for ch in line) or line[-1:] in ".;:!?":
        return False
    first = words[0].lower()
    addressed = len(words) == 1 or any(w.lower() in _ADDRESSED for w in words)
    return words[0][:1].isupper() and first.endswith(_ADJECTIVE_ENDINGS) and addressed


def salute_index(items: list[Item]) -> int | None:
    """Index of the salutation among the blocks before the first prose paragraph."""
    candidates: list[int] = []
    skipped: list[int] = []
    first_prose = None
    for index, item in enumerate(items):
        if is_prose(item) and _short_note(item) and len(skipped) < MAX_NOTES_ABOVE:
            skipped.append(index)  # "Copy of a letter to William Macready Esq.": a note
            continue
        if is_prose(item) or len(candidates) >= OPENING_SEARCH_BLOCKS:
            first_prose = index if is_prose(item) else None
            break
        if is_text(item):
            candidates.append(index)
    for index in candidates:
        if formulas.is_salute(items[index].text):  # type: ignore[union-attr]
            return index
    below = _salute_below(items, first_prose)
    if below is not None:
        return below
    # without a salutation below them, the notes were the letter's first prose after all
    candidates = [i for i in candidates if not skipped or i < skipped[0]]
    prose_follows = (
        len(candidates) < OPENING_SEARCH_BLOCKS
        and any(is_prose(i) for i in items[candidates[-1] + 1 :][:3])
        if candidates
        else False
    )
    if prose_follows and formulas.is_bare_salute(items[candidates[-1]].text):  # type: ignore[union-attr]
        return candidates[-1]
    return None


def _salute_below(items: list[Item], first_prose: int | None) -> int | None:
    """A salutation right below the first paragraph, with prose after it: the paragraph was a
    blessing ("La grâce et la paix de Dieu … soit sur vous") or an editor's note."""
    if first_prose is None or first_prose + 2 >= len(items):
        return None
    line, after = items[first_prose + 1], items[first_prose + 2]
    if not is_text(line) or not formulas.is_salute(line.text):  # type: ignore[union-attr]
        return None
    return first_prose + 1 if is_prose(after) else None


#: short sentences above the salutation (an archivist's or editor's note) looked past at most
MAX_NOTES_ABOVE = 2


def _short_note(item: Item) -> bool:
    return isinstance(item, Paragraph) and len(item.text.split()) < PROSE_WORDS // 2


def _dateline_below(items: list[Item], index: int) -> bool:
    """The first paragraph has a lone dateline below it and prose after that: the paragraph
    is an editor's or copyist's note above the letter ("Molly O'Donnell, The Life of …")."""
    if index != 0 or index + 2 >= len(items):
        return False
    line = items[index + 1]
    return (
        isinstance(line, Paragraph)
        and "\n" not in line.text.strip()
        and formulas.is_date_line(line.text)
        and is_prose(items[index + 2])
    )


def leading_opening(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """Without a salutation, the opening is the short blocks before the first prose one."""
    for index, item in enumerate(items[: OPENING_SEARCH_BLOCKS + 1]):
        if is_prose(item) and _dateline_below(items, index):
            return items[: index + 2], items[index + 2 :]  # a note above the dateline
        if is_prose(item):
            return items[:index], items[index:]
        if isinstance(item, Paragraph) and formulas.is_closing(item.text):
            return items[:index], items[index:]
    return [], items
