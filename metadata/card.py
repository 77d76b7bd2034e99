"""The catalogue card: a flat, typed view of one archived letter, read from its TEI.

Everything user-visible about a letter — ``show --json``, the search index, Dublin Core
summaries, exports — is computed from the TEI through :func:`card_from_tei`, so there is no
second copy of the metadata to drift. Field names are the ``show --json`` keys (a contract).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from metadata.names import display_order
from metadata.xml import NS, xml_attr

#: letter parts ``show`` reports as missing when the TEI has none of them
EXPECTED_PARTS = {
    "dateline": ".//tei:div[@type='letter']/*[self::tei:opener or self::tei:closer]/tei:dateline",
    "address": ".//tei:div[@type='letter']/*[self::tei:opener or self::tei:closer]/tei:address",
    "salute": ".//tei:div[@type='letter']/tei:opener/tei:salute",
    "signed": ".//tei:div[@type='letter']/tei:closer/tei:signed",
    "date": "tei:teiHeader//tei:correspAction[@type='sent']/tei:date",
    "sender": "tei:teiHeader//tei:correspAction[@type='sent']/*[self::tei:persName or "
    "self::tei:orgName]",
    "recipient": "tei:teiHeader//tei:correspAction[@type='received']/*[self::tei:persName or "
    "self::tei:orgName]",
}


#: ``revisionDesc/@status`` of a letter withdrawn from publication (a TEI att.docStatus value)
WITHDRAWN = "withdrawn"


@dataclass
class SourceFacts:
    filename: str = ""
    sha256: str = ""
    media_type: str = ""
    bytes: int = 0


@dataclass
class Card:
    """One letter as the catalogue shows it."""

    id: str
    title: str = ""
    description: str = ""
    date: str | None = None
    date_text: str | None = None
    date_cert: str | None = None
    senders: list[str] = field(default_factory=list)
    sender_orgs: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    recipient_orgs: list[str] = field(default_factory=list)
    recipient_address: str | None = None
    place_sent: str | None = None
    place_received: str | None = None
    language: str | None = None
    subject: str | None = None
    salute: str | None = None
    closer_salute: str | None = None
    heads: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    pages: int | None = None
    words: int | None = None
    source: SourceFacts = field(default_factory=SourceFacts)
    publisher: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    missing_parts: list[str] = field(default_factory=list)
    #: withdrawn from publication (``revisionDesc/@status="withdrawn"``): kept in the archive,
    #: left out of search, lists and exports
    withdrawn: bool = False
    #: the collection the archive files the letter under (``fileDesc/seriesStmt/title``)
    collection: str | None = None
    #: the letter's text (body, notes), for the index; not part of ``show --json``
    text: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("text")
        return data


def card_from_tei(root: etree._Element) -> Card:
    """Read the card of the TEI document ``root``."""
    header = _first(root, "tei:teiHeader")
    if header is None:
        raise ValueError("not a TEI document: no teiHeader")
    letter = _first(root, "tei:text/tei:body/tei:div[@type='letter']")
    sent = _first(header, ".//tei:correspDesc/tei:correspAction[@type='sent']")
    received = _first(header, ".//tei:correspDesc/tei:correspAction[@type='received']")
    date = _first(sent, "tei:date") if sent is not None else None
    card = Card(
        id=_text(_first(header, ".//tei:publicationStmt/tei:idno")) or root.get(xml_attr("id"), ""),
        title=_text(_first(header, ".//tei:titleStmt/tei:title[@type='main']")),
        description=_text(_first(header, ".//tei:titleStmt/tei:title[@type='desc']")),
        date=_date_value(date),
        date_text=_text(date) or None,
        date_cert=date.get("cert", "high") if date is not None else None,
        # people in display order, however the TEI writes them ("Bölsche, Wilhelm" in an
        # edition's header is shown, indexed and faceted as "Wilhelm Bölsche")
        senders=[display_order(n) for n in _texts(sent, "tei:persName")],
        sender_orgs=_texts(sent, "tei:orgName"),
        recipients=[display_order(n) for n in _texts(received, "tei:persName")],
        recipient_orgs=_texts(received, "tei:orgName"),
        place_sent=_text(_first(sent, "tei:placeName")) or None,
        place_received=_text(_first(received, "tei:placeName")) or None,
        language=_attr(header, ".//tei:langUsage/tei:language", "ident")
        or root.get(xml_attr("lang")),
        pages=_int(_attr(header, "tei:fileDesc/tei:extent/tei:measure[@unit='pages']", "quantity")),
        words=_int(_attr(header, "tei:fileDesc/tei:extent/tei:measure[@unit='words']", "quantity")),
        source=_source(header),
        publisher=_text(_first(header, ".//tei:publicationStmt/tei:publisher")) or None,
        licence=_text(_first(header, ".//tei:availability/tei:licence")) or None,
        licence_url=_attr(header, ".//tei:availability/tei:licence", "target"),
    )
    card.withdrawn = is_withdrawn(root)
    card.collection = _text(_first(header, "tei:fileDesc/tei:seriesStmt/tei:title")) or None
    if letter is not None:
        _read_body(card, letter)
    # what the archive says of the letter: its subject terms win over the subject line, and
    # its notes come before the letter's own
    terms = _texts(header, "tei:profileDesc/tei:textClass/tei:keywords/tei:term")
    if terms:
        card.subject = "; ".join(terms)
    archive_notes = _texts(header, "tei:fileDesc/tei:notesStmt/tei:note")
    if archive_notes:
        card.notes = [*archive_notes, *card.notes]
        card.text = " ".join([card.text, *archive_notes])
    card.missing_parts = [
        name for name, path in EXPECTED_PARTS.items() if _first(root, path) is None
    ]
    return card


def _read_body(card: Card, letter: etree._Element) -> None:
    address = _first(letter, "*[self::tei:opener or self::tei:closer]/tei:address")
    if address is not None:
        lines = [_text(line) for line in address.iterfind("tei:addrLine", NS)]
        card.recipient_address = ", ".join(line for line in lines if line) or None
    card.subject = _text(_first(letter, "tei:head[@type='subject']")) or None
    card.salute = _text(_first(letter, "tei:opener/tei:salute")) or None
    card.closer_salute = _text(_first(letter, "tei:closer/tei:salute")) or None
    card.heads = [_text(h) for h in letter.iterfind(".//tei:div[@type='section']/tei:head", NS)]
    card.notes = [_text(n) for n in letter.iterfind(".//tei:note", NS)]
    card.links = [r.get("target", "") for r in letter.iterfind(".//tei:ref[@target]", NS)]
    card.text = " ".join([_text(letter), *card.notes])


def _source(header: etree._Element) -> SourceFacts:
    bibl = _first(header, "tei:fileDesc/tei:sourceDesc/tei:bibl")
    if bibl is None:
        return SourceFacts()
    return SourceFacts(
        filename=_text(_first(bibl, "tei:title")),
        sha256=_text(_first(bibl, "tei:idno[@type='sha256']")),
        media_type=_text(_first(bibl, "tei:note[@type='mediaType']")),
        bytes=_int(_attr(bibl, "tei:extent/tei:measure[@unit='bytes']", "quantity")) or 0,
    )


def _date_value(date: etree._Element | None) -> str | None:
    if date is None:
        return None
    return date.get("when") or date.get("notBefore") or date.get("notAfter")


@functools.cache
def _xpath(path: str) -> etree.XPath:
    # compiled once per path: cards are made for every letter of an index or export
    return etree.XPath(path, namespaces=NS)


def _first(parent: etree._Element | None, path: str) -> etree._Element | None:
    if parent is None:
        return None
    found = _xpath(path)(parent)
    return found[0] if found else None


def is_withdrawn(root: etree._Element) -> bool:
    """Whether the letter is withdrawn from publication: the one fact exports and listings ask
    of every letter, read without building its whole card."""
    return _attr(root.find("tei:teiHeader", NS), "tei:revisionDesc", "status") == WITHDRAWN


def _attr(parent: etree._Element | None, path: str, name: str) -> str | None:
    element = _first(parent, path)
    return element.get(name) if element is not None else None


def _texts(parent: etree._Element | None, path: str) -> list[str]:
    if parent is None:
        return []
    return [_text(e) for e in _xpath(path)(parent)]


def _text(element: etree._Element | None) -> str:
    """Normalised text content; ``<lb/>`` counts as a space, notes inside are left out."""
    if element is None:
        return ""
    parts: list[str] = []
    _collect(element, parts, top=element)
    return " ".join("".join(parts).split())


def _collect(element: etree._Element, parts: list[str], top: etree._Element) -> None:
    tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
    skip = tag == "note" and element is not top
    if tag in {"lb", "pb"}:
        parts.append(" ")
    elif not skip and element.text:
        parts.append(element.text)
    if not skip:
        for child in element:
            _collect(child, parts, top)
    if element is not top and element.tail:
        parts.append(element.tail)
    if tag in _TEXT_BLOCKS or tag in {"addrLine", "cell"}:  # "UNKNOWN.</fw>Baden": two words
        parts.append(" ")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


_TEXT_BLOCKS = {
    "fw",
    "dateline",
    "address",
    "head",
    "salute",
    "p",
    "item",
    "row",
    "signed",
    "trailer",
}


def plain_text(root: etree._Element) -> str:
    """The letter as plain text: one paragraph per block, notes listed at the end."""
    letter = _first(root, "tei:text/tei:body/tei:div[@type='letter']")
    if letter is None:
        return ""
    blocks: list[str] = []
    for element in letter.iter(etree.Element):
        tag = etree.QName(element).localname
        if tag in _TEXT_BLOCKS and not _inside_block(element):
            blocks.append(_lines(element))
    for note in letter.iterfind(".//tei:note", NS):
        blocks.append(f"[{note.get('n', '*')}] {_text(note)}")
    return "\n\n".join(b for b in blocks if b)


def _inside_block(element: etree._Element) -> bool:
    return any(etree.QName(a).localname in _TEXT_BLOCKS | {"note"} for a in element.iterancestors())


def _lines(element: etree._Element) -> str:
    """Text with ``<lb/>`` and address lines as line breaks, note callouts as [n]."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = etree.QName(node).localname
        if tag == "note":
            parts.append(f"[{node.get('n', '*')}]")
        else:
            if tag in {"lb", "addrLine"} and parts:
                parts.append("\n")
            parts.append(node.text or "")
            for child in node:
                walk(child)
        if node is not element:
            parts.append(node.tail or "")

    walk(element)
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n")).strip()
