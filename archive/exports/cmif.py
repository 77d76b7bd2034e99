"""``cmif``: one Correspondence Metadata Interchange Format file, for correspSearch.

CMIF (https://github.com/TEI-Correspondence-SIG/CMIF) is a TEI file whose header lists one
``correspDesc`` per letter. What correspSearch requires, and this module writes:

* ``titleStmt`` with a ``title`` and an ``editor``; ``publicationStmt`` with the publisher,
  ``idno[@type='url']`` (the address the file is published at: ``--url``), ``date/@when`` as
  an xsd:dateTime and a CC BY 4.0 or CC0 ``licence``;
* ``sourceDesc/bibl[@type='online']`` whose ``xml:id`` is a UUID (stable for the archive), and
  which every ``correspDesc/@source`` references;
* per letter, ``correspAction`` sent and received holding only ``persName``, ``orgName``,
  ``placeName`` and ``date``; "Unknown" where a correspondent is unknown; dates only as
  YYYY, YYYY-MM or YYYY-MM-DD in ``@when`` or ``@notBefore``/``@notAfter``, never ``@cert``.

The official Schematron rules need XSLT 2; :func:`cmif_problems` checks the same five rules in
Python, and :func:`write` refuses to write a file that breaks one.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from archive.exports.common import ExportJob, ExportLetter, each_letter
from archive.exports.errors import PackageInvalid, UnsuitableLicence
from archive.letters.settings import Settings
from metadata.xml import NS, TEI_NS, safe_parser, serialise, tei, xml_attr

FILENAME = "cmif.xml"
UNKNOWN = "Unknown"
#: licences correspSearch accepts for CMIF files (URL fragment → how the licence reads)
LICENCES = {
    "creativecommons.org/licenses/by/4.0": "CC BY 4.0",
    "creativecommons.org/publicdomain/zero/1.0": "CC0 1.0",
}
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_DATING = ("when", "notBefore", "notAfter", "from", "to")


def write(job: ExportJob) -> None:
    """``cmif.xml``, checked against the five CMIF rules before it is written."""
    root = cmif_document(job)
    problems = cmif_problems(root)
    if problems:
        raise PackageInvalid("the CMIF file", f"breaks a CMIF rule: {problems[0]}")
    job.out.write(FILENAME, serialise(root))


def cmif_document(job: ExportJob) -> etree._Element:
    """``<TEI>`` with one ``correspDesc`` per letter."""
    settings, options = job.settings, job.options
    licence_url, licence = _licence(settings)
    bibl_id = bibl_uuid(settings)
    root = etree.Element(tei("TEI"), nsmap={None: TEI_NS})
    header = _sub(root, "teiHeader")
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", f"{settings.name}: correspondence metadata")
    _sub(title_stmt, "editor", settings.publisher)
    publication = _sub(file_desc, "publicationStmt")
    _sub(publication, "publisher", settings.publisher)
    _sub(publication, "idno", options.url or f"urn:uuid:{bibl_id}", type="url")
    _sub(publication, "date", when=options.timestamp)
    availability = _sub(publication, "availability")
    _sub(availability, "licence", f"This file is licensed under {licence}.", target=licence_url)
    bibl = _sub(_sub(file_desc, "sourceDesc"), "bibl", settings.name, type="online")
    bibl.set(xml_attr("id"), bibl_id)
    profile = _sub(header, "profileDesc")

    def desc_bytes(letter: ExportLetter, _number: int, _files: object) -> bytes:
        # made maybe in a worker process, so handed back as bytes (elements do not pickle)
        return etree.tostring(corresp_desc(letter, bibl_id))

    for desc in each_letter(job, desc_bytes):
        profile.append(etree.fromstring(desc, safe_parser()))
    _sub(_sub(_sub(root, "text"), "body"), "p")
    return root


def corresp_desc(letter: ExportLetter, bibl_id: str) -> etree._Element:
    """``<correspDesc>`` of one letter: names and places from its catalogue card; dating
    attributes and place URIs, which the card does not keep, from its ``correspAction``."""
    card = letter.card
    desc = etree.Element(tei("correspDesc"), key=letter.id, source=f"#{bibl_id}")
    sent = _sub(desc, "correspAction", type="sent")
    _names(sent, card.senders, card.sender_orgs)
    if card.place_sent:
        _place(sent, card.place_sent, _action(letter, "sent"))
    dating = _dating(_action(letter, "sent"))
    if dating:
        _sub(sent, "date", **dating)
    received = _sub(desc, "correspAction", type="received")
    _names(received, card.recipients, card.recipient_orgs)
    if card.place_received:
        _place(received, card.place_received, _action(letter, "received"))
    return desc


def _action(letter: ExportLetter, kind: str) -> etree._Element | None:
    """The letter's TEI ``correspAction`` of ``kind`` (for what the card does not keep)."""
    found = letter.root.xpath(
        f"tei:teiHeader/tei:profileDesc/tei:correspDesc/tei:correspAction[@type='{kind}']",
        namespaces=NS,
    )
    return found[0] if found else None


def _place(action: etree._Element, name: str, source: etree._Element | None) -> None:
    """``<placeName>``, with the GeoNames (or other) URI the TEI gives it."""
    place = _sub(action, "placeName", name)
    tei_place = source.find("tei:placeName", NS) if source is not None else None
    ref = tei_place.get("ref", "") if tei_place is not None else ""
    if ref.startswith(("http://", "https://")):
        place.set("ref", ref)


def _names(action: etree._Element, persons: list[str], orgs: list[str]) -> None:
    for name in persons:
        _sub(action, "persName", name)
    for name in orgs:
        _sub(action, "orgName", name)
    if not persons and not orgs:
        _sub(action, "persName", UNKNOWN)


def _dating(action: etree._Element | None) -> dict[str, str]:
    """The date's ``@when`` or ``@notBefore``/``@notAfter``, as CMIF takes them."""
    date = action.find("tei:date", NS) if action is not None else None
    if date is None:
        return {}
    when = _iso_date(date.get("when"))
    if when:
        return {"when": when}
    bounds = {
        name: value
        for name in ("notBefore", "notAfter")
        if (value := _iso_date(date.get(name))) is not None
    }
    return bounds


def _iso_date(value: str | None) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (a time of day is dropped), or None."""
    if not value:
        return None
    day = value.split("T", 1)[0]
    return day if _ISO_DATE.fullmatch(day) else None


def _licence(settings: Settings) -> tuple[str, str]:
    for fragment, name in LICENCES.items():
        if fragment in settings.licence_url:
            return settings.licence_url, name
    raise UnsuitableLicence(
        f"the archive's licence {settings.licence!r}",
        "is not one correspSearch accepts for CMIF files (CC BY 4.0 or CC0)",
        "set licence and licence_url in epistula.toml to CC BY 4.0 or CC0",
    )


def bibl_uuid(settings: Settings) -> str:
    """A UUID naming the archive, the same on every export; it starts with a letter (an xml:id)."""
    for attempt in range(1000):
        value = str(uuid.uuid5(uuid.NAMESPACE_URL, f"epistula:{settings.name}:{attempt}"))
        if value[0].isalpha():
            return value
    raise AssertionError("no UUID starting with a letter in 1000 attempts")  # pragma: no cover


def cmif_problems(root: etree._Element) -> list[str]:
    """Every break of the five CMIF Schematron rules, as readable sentences (empty when none).

    1. every ``correspDesc`` has a ``correspAction[@type='sent']``;
    2. every ``correspDesc`` has a ``correspAction[@type='received']``;
    3. every ``correspDesc/@source`` points at a ``bibl/@xml:id`` in ``sourceDesc``;
    4. every ``correspAction/date`` has a dating attribute (``@when``, ``@notBefore``,
       ``@notAfter``, ``@from`` or ``@to``);
    5. every ``sourceDesc/bibl/@xml:id`` is a UUID.
    """
    problems: list[str] = []
    bibl_ids = set()
    for bibl in root.iterfind(".//tei:sourceDesc/tei:bibl", NS):
        bibl_id = bibl.get(xml_attr("id"), "")
        bibl_ids.add(bibl_id)
        if not _UUID.fullmatch(bibl_id):
            problems.append(f"bibl/@xml:id {bibl_id!r} is not a UUID")
    for index, desc in enumerate(root.iterfind(".//tei:correspDesc", NS), start=1):
        label = desc.get("key") or desc.get("ref") or f"correspDesc {index}"
        for kind in ("sent", "received"):
            if desc.find(f"tei:correspAction[@type='{kind}']", NS) is None:
                problems.append(f"{label} has no correspAction of type {kind!r}")
        source = desc.get("source", "")
        if not source.startswith("#") or source[1:] not in bibl_ids:
            problems.append(f"{label}: @source {source!r} does not point at a sourceDesc/bibl")
        for date in desc.iterfind("tei:correspAction/tei:date", NS):
            if not any(date.get(name) for name in _DATING):
                problems.append(f"{label} has a date without @when, @notBefore or @notAfter")
    return problems


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tei(tag), attrs)
    element.text = text
    return element
