"""What the anatomy passes share: the items they divide and small questions about them.

The passes work on a :class:`Draft`: the document's items, split step by step into the
opening (before the salutation), the rest (body and closing area) and, finally, the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.letter import formulas
from ingest.model import Document, Heading, ListItem, PageBreak, Paragraph, Table
from metadata.dates import Years
from metadata.language import detect_language

Item = Paragraph | Heading | ListItem | Table | PageBreak

#: a paragraph with this many words is prose, never an opening or signature line
PROSE_WORDS = 25
#: the salutation and the opening are looked for among the first blocks only
OPENING_SEARCH_BLOCKS = 15


@dataclass
class Draft:
    """The document's items as the passes divide them."""

    document: Document
    #: the document's blocks, once segmentation has cut those that run parts together
    items: list[Item] = field(default_factory=list)
    opening: list[Item] = field(default_factory=list)
    rest: list[Item] = field(default_factory=list)
    body: list[Item] = field(default_factory=list)
    #: the years the user says the letter was written in (completing two-digit years)
    years: Years | None = None
    #: the language of the whole text, once asked for (see :attr:`language`)
    _language: tuple[str | None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.items = self.items or list(self.document.blocks)

    @property
    def language(self) -> str | None:
        """A first guess at the language, from the whole text, for what depends on it (an
        address that is not English, the fallback when the body is too short to tell).
        Detected on first use only: most letters never need it, and detection is slow."""
        if self._language is None:
            self._language = (detect_language(self.document.text),)
        return self._language[0]

    @language.setter
    def language(self, value: str | None) -> None:
        self._language = (value,)


def is_text(item: Item) -> bool:
    return isinstance(item, Paragraph | Heading) and bool(item.text.strip())


def lines_of(item: Item) -> list[str]:
    return item.lines if isinstance(item, Paragraph | Heading) else []


def is_prose(item: Item) -> bool:
    """Running text: a long paragraph, or a sentence that is neither a formula nor a date."""
    if isinstance(item, ListItem | Table):
        return True
    if not isinstance(item, Paragraph) or not item.text.strip():
        return False
    text = item.text.strip()
    words = len(text.split())
    lines = item.lines
    if len(lines) >= 3 and sum(len(line) for line in lines) / len(lines) < 50:
        return False  # an address, a letterhead, a signature: short lines
    if words >= PROSE_WORDS:
        return True
    abbreviated = sum(w.endswith(".") for w in text.split())
    return (
        # a line of abbreviations is a reference ("Orig. autographe. Bibl. de Genève. Vol.
        # 194."), not a sentence
        abbreviated * 3 < words
        and words >= 6
        and len(item.lines) <= 2
        and formulas.ends_sentence(text)
        and not formulas.is_closing(text)
        and not formulas.is_date_line(text)
        and not formulas.is_editorial(text)
        and sum(w[:1].islower() for w in text.split()) >= words // 3
    )


def previous_text(items: list[Item], before: int) -> int | None:
    """The index of the text block before ``before``, skipping page breaks only."""
    for index in range(before - 1, -1, -1):
        if is_text(items[index]):
            return index
        if not isinstance(items[index], PageBreak):
            return None
    return None


def next_text(items: list[Item], after: int, end: int) -> int | None:
    for index in range(after + 1, end):
        if is_text(items[index]) or isinstance(items[index], Table):
            return index
        if not isinstance(items[index], PageBreak):
            return None
    return None
