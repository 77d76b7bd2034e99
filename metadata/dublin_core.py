"""The Dublin Core crosswalk: each DC element and where it comes from in the TEI header.

``CROSSWALK`` mirrors the table in the encoding notes row for row; :func:`dublin_core`
evaluates it on a TEI document and :mod:`metadata.oai_dc` only serialises the result.
Dublin Core is never edited on its own: change the TEI and derive it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from metadata.xml import NS

_SENT = "tei:teiHeader/tei:profileDesc/tei:correspDesc/tei:correspAction[@type='sent']"
_RECEIVED = "tei:teiHeader/tei:profileDesc/tei:correspDesc/tei:correspAction[@type='received']"
_PUBLICATION = "tei:teiHeader/tei:fileDesc/tei:publicationStmt"
_BIBL = "tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl"
#: how much of the letter's opening text goes into dc:description when there is no abstract
DESCRIPTION_CHARS = 300


@dataclass(frozen=True)
class Row:
    """One crosswalk row: a DC element and a function of the TEI root giving its values."""

    element: str
    source: str
    values: Callable[[etree._Element], list[str]]


def _xpath(path: str) -> Callable[[etree._Element], list[str]]:
    # compiled once: the crosswalk runs for every letter of an export
    find = etree.XPath(path, namespaces=NS)

    def values(root: etree._Element) -> list[str]:
        strings = (_string(v) for v in find(root))
        return [s for s in strings if s]

    return values


def _string(value: object) -> str:
    if isinstance(value, etree._Element):
        value = "".join(value.itertext())
    return " ".join(str(value).split())


def _fixed(*values: str) -> Callable[[etree._Element], list[str]]:
    return lambda _root: list(values)


def _persons_then_orgs(action: str) -> Callable[[etree._Element], list[str]]:
    persons, orgs = _xpath(f"{action}/tei:persName"), _xpath(f"{action}/tei:orgName")
    return lambda root: persons(root) + orgs(root)


_SOURCE_NAME = _xpath(f"{_BIBL}/tei:title/text()")
_SOURCE_DIGEST = _xpath(f"{_BIBL}/tei:idno[@type='sha256']/text()")
_MEDIA_TYPE = _xpath(f"{_BIBL}/tei:note[@type='mediaType']/text()")


def _source(root: etree._Element) -> list[str]:
    name = _SOURCE_NAME(root)
    digest = _SOURCE_DIGEST(root)
    if not name:
        return []
    return [f"{name[0]} (sha256:{digest[0]})" if digest else name[0]]


_ABSTRACT = _xpath("tei:teiHeader/tei:profileDesc/tei:abstract//text()")
_PARAGRAPHS = etree.XPath(
    "tei:text/tei:body/tei:div[@type='letter']//tei:p[not(ancestor::tei:note)]", namespaces=NS
)
_TEXT_OUTSIDE_NOTES = etree.XPath(".//text()[not(ancestor::tei:note)]", namespaces=NS)


def _description(root: etree._Element) -> list[str]:
    abstract = _ABSTRACT(root)
    if abstract:
        return [" ".join(abstract)]
    text = ""
    for p in _PARAGRAPHS(root):
        text = " ".join(" ".join(_TEXT_OUTSIDE_NOTES(p)).split())
        if text:
            break
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + " …"
    return [text] if text else []


# fmt: off
CROSSWALK: tuple[Row, ...] = (
    Row("title", "titleStmt/title[@type='main']",
        _xpath("tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title[@type='main']")),
    Row("creator", "sent persName, then sent orgName",
        _persons_then_orgs(_SENT)),
    Row("contributor", "received persName/orgName",
        _persons_then_orgs(_RECEIVED)),
    Row("date", "sent date/@when", _xpath(f"{_SENT}/tei:date/@when")),
    Row("type", "fixed", _fixed("Text", "Letter")),
    Row("format", "fixed, and the original's media type",
        lambda root: ["application/tei+xml", *_MEDIA_TYPE(root)]),
    Row("identifier", "publicationStmt/idno", _xpath(f"{_PUBLICATION}/tei:idno/text()")),
    Row("source", "original file name and digest", _source),
    Row("language", "langUsage/language/@ident",
        _xpath("tei:teiHeader/tei:profileDesc/tei:langUsage/tei:language/@ident")),
    Row("subject", "textClass/keywords/term",
        _xpath("tei:teiHeader/tei:profileDesc/tei:textClass/tei:keywords/tei:term")),
    Row("description", "abstract, or the opening of the body", _description),
    Row("publisher", "publicationStmt/publisher", _xpath(f"{_PUBLICATION}/tei:publisher/text()")),
    Row("rights", "licence/@target",
        _xpath(f"{_PUBLICATION}/tei:availability/tei:licence/@target")),
    Row("coverage", "sent placeName", _xpath(f"{_SENT}/tei:placeName")),
)
# fmt: on


def dublin_core(root: etree._Element) -> list[tuple[str, str]]:
    """(element, value) pairs in crosswalk order for the TEI document ``root``."""
    return [(row.element, value) for row in CROSSWALK for value in row.values(root)]
