"""The letter model: a document's content grouped into letter parts, plus its metadata.

Part names follow TEI (``dateline``, ``salute``, ``signed``…) in snake_case, matching the keys
of ``epistula show --json``. Every recognised metadata value records where it came from
(``resp``: "text", "file" or "user") and how sure it is (``cert``: "high", "medium", "low").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.model import Block, Document, ListItem, Note, PageBreak, Span, Table
from metadata.dates import DateValue

#: inline content of a paragraph: text runs, and page breaks that fall inside it
Inline = Span | PageBreak


@dataclass(frozen=True)
class Para:
    """A paragraph of the letter (page breaks inside it are kept where they fall)."""

    content: tuple[Inline, ...]

    @property
    def text(self) -> str:
        return "".join(i.text for i in self.content if isinstance(i, Span) and i.note is None)


@dataclass(frozen=True)
class Section:
    """``<div type="section">``: a heading inside the letter and the paragraphs under it."""

    head: Para
    items: tuple[BodyItem, ...]


BodyItem = Para | Section | PageBreak | Table | ListItem


@dataclass(frozen=True)
class Agent:
    """A sender or addressee: a person (``name``) and/or organisations, with roles."""

    name: str | None = None
    roles: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    resp: str = "text"
    cert: str = "high"


@dataclass(frozen=True)
class Signatory:
    """One ``<signed>``: the printed lines under the letter, each classified."""

    lines: tuple[tuple[str, str], ...]  # (kind, text): kind is person/role/org/other

    @property
    def agent(self) -> Agent:
        names = [text for kind, text in self.lines if kind == "person"]
        return Agent(
            name=names[0] if names else None,
            roles=tuple(text for kind, text in self.lines if kind == "role"),
            orgs=tuple(text for kind, text in self.lines if kind == "org"),
        )


@dataclass(frozen=True)
class Place:
    """A place name as written; ``ref`` is its GeoNames URI when the gazetteer is sure."""

    name: str
    resp: str = "text"
    cert: str = "high"
    ref: str | None = None


@dataclass
class LetterMetadata:
    """What the letter says about itself (and, later, what the user supplied)."""

    date: DateValue | None = None
    senders: list[Agent] = field(default_factory=list)
    recipients: list[Agent] = field(default_factory=list)
    place_sent: Place | None = None
    place_received: Place | None = None
    language: str | None = None
    title: str | None = None


@dataclass
class Letter:
    """A document grouped into letter parts, in reading order."""

    document: Document
    letterhead: list[Para] = field(default_factory=list)
    dateline: Para | None = None
    address: list[str] = field(default_factory=list)
    subject: Para | None = None
    salute: Para | None = None
    body: list[BodyItem] = field(default_factory=list)
    closer_salute: Para | None = None
    signatories: list[Signatory] = field(default_factory=list)
    #: a dateline or recipient address written below the signature
    closer_dateline: Para | None = None
    closer_address: list[str] = field(default_factory=list)
    postscript: list[Para] = field(default_factory=list)
    trailers: list[Para] = field(default_factory=list)
    #: page breaks before the body starts and inside the closing area, in order
    head_breaks: list[PageBreak] = field(default_factory=list)
    tail_breaks: list[PageBreak] = field(default_factory=list)
    metadata: LetterMetadata = field(default_factory=LetterMetadata)
    object_id: str | None = None

    @property
    def notes(self) -> dict[str, Note]:
        return self.document.notes

    def missing_parts(self) -> list[str]:
        """The usual letter parts that were not recognised (``show`` reports them)."""
        wanted = {
            "dateline": self.dateline or self.closer_dateline,
            "address": self.address or self.closer_address,
            "salute": self.salute,
            "signed": self.signatories,
            "date": self.metadata.date,
            "sender": self.metadata.senders,
            "recipient": self.metadata.recipients,
        }
        return [name for name, value in wanted.items() if not value]


def para_from_block(block: Block) -> Para:
    return Para(tuple(block.spans))
