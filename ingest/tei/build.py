"""Build the TEI P5 document for a :class:`Letter`.

Element names are TEI's own; docstrings open with the element they build. The header carries
the correspondence metadata (``correspDesc``) and the original file's identity; the body keeps
the letter's parts in reading order (``opener``, ``head``, ``p``, ``div``, ``closer``…).
The builder never parses text: every decision was taken by ``ingest.letter``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from lxml import etree

from ingest.errors import LimitExceeded
from ingest.letter.model import Agent, BodyItem, Letter, Para, Place, Section, Signatory
from ingest.model import Block, ListItem, Note, PageBreak, Span, Table
from metadata import places
from metadata.dates import DateValue, display
from metadata.language import language_name
from metadata.xml import TEI_NS, tei, xml_attr

APP_NAME = "Epistula"
APP_IDENT = "epistula"
#: xml:id of the respStmt naming the OCR engine, when the text was read from page images
OCR_ID = "ocr"
#: the longest text or attribute value in a header (a name, a place, a title built from the
#: names): what a TEI file read in or a reader hands on may not exceed, so that no header
#: value is past what a reader of the TEI (and the index, and every export) takes in its stride
MAX_HEADER_VALUE = 10_000
EDITORIAL_NOTE = (
    "Letter parts and correspondence metadata were recognised automatically; values marked "
    'cert="medium" or cert="low" are inferences.'
)


@dataclass(frozen=True)
class Publication:
    """The archive's identity, printed in every ``publicationStmt``."""

    publisher: str = "Epistula archive"
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"


def build_tei(
    letter: Letter,
    *,
    object_id: str,
    publication: Publication,
    version: str,
    ingested: datetime | None = None,
) -> etree._Element:
    """``<TEI>``: the whole document for ``letter``, identified as ``object_id``."""
    ingested = ingested or datetime.now(UTC)
    root = etree.Element(tei("TEI"), nsmap={None: TEI_NS})
    root.set(xml_attr("id"), object_id)
    if letter.metadata.language:
        root.set(xml_attr("lang"), letter.metadata.language)
    header = _header(letter, object_id, publication, version, ingested)
    _check_header_values(header, letter)
    root.append(header)
    text = _sub(root, "text")
    body = _sub(text, "body")
    body.append(_letter_div(letter))
    return root


# -- header ----------------------------------------------------------------------------------


def _header(
    letter: Letter, object_id: str, publication: Publication, version: str, ingested: datetime
) -> etree._Element:
    """``<teiHeader>``."""
    header = etree.Element(tei("teiHeader"))
    file_desc = _sub(header, "fileDesc")
    file_desc.append(_title_stmt(letter))
    file_desc.append(_extent(letter))
    file_desc.append(_publication_stmt(object_id, publication, ingested))
    source_desc = _sub(file_desc, "sourceDesc")
    source_desc.append(_source_bibl(letter))
    header.append(_encoding_desc(version))
    header.append(_profile_desc(letter))
    revision = _sub(header, "revisionDesc")
    when = ingested.strftime("%Y-%m-%dT%H:%M:%SZ")
    ocr = letter.document.properties.get("ocr")
    if ocr:
        _sub(
            revision, "change", f"OCR by {ocr} ({_ocr_scope(letter)})", when=when, who=f"#{OCR_ID}"
        )
    _sub(revision, "change", f"Ingested from {letter.document.source.filename}", when=when)
    return header


def _check_header_values(header: etree._Element, letter: Letter) -> None:
    """Refuse the letter when a value in its header is longer than :data:`MAX_HEADER_VALUE`."""
    profile = header.find(tei("profileDesc"))  # (first: the titles are built from its names)
    elements = [*(profile.iter() if profile is not None else ()), *header.iter()]
    for element in elements:
        values = [element.text or "", element.tail or "", *element.attrib.values()]
        longest = max(len(value) for value in values)
        if longest > MAX_HEADER_VALUE:
            raise LimitExceeded(
                letter.document.source.filename,
                f"its {etree.QName(element).localname} is {longest:,} characters long "
                f"(a header value may be {MAX_HEADER_VALUE:,} at most)",
                "shorten that value in the file (a name, a place or a title is a line)",
            )


def _ocr_scope(letter: Letter) -> str:
    """ "language eng, pages 1–3": what OCR read, from the reader's properties."""
    properties = letter.document.properties
    pages = properties.get("ocr_pages", "").split()
    scope = f"language {properties.get('ocr_languages', 'unknown')}"
    if pages:
        scope += f", page {pages[0]}" if len(pages) == 1 else f", pages {', '.join(pages)}"
    return scope


def description(letter: Letter) -> str:
    """ "Letter from A and B to C, 13 July 2017" (the parts that are known)."""
    meta = letter.metadata
    text = "Letter"
    senders = _agent_labels(meta.senders)
    recipients = _agent_labels(meta.recipients)
    if senders:
        text += f" from {_join_names(senders)}"
    if recipients:
        text += f" to {_join_names(recipients)}"
    if meta.date:
        text += f", {display(meta.date)}"
    return text


def _agent_labels(agents: Sequence[Agent]) -> list[str]:
    return [a.name or a.orgs[-1] for a in agents if a.name or a.orgs]


def _join_names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" and {labels[-1]}"


def _title_stmt(letter: Letter) -> etree._Element:
    """``<titleStmt>``: main title, description, authors, who encoded it."""
    stmt = etree.Element(tei("titleStmt"))
    desc = description(letter)
    _sub(stmt, "title", letter.metadata.title or desc, type="main")
    _sub(stmt, "title", desc, type="desc")
    for agent in letter.metadata.senders:
        author = _sub(stmt, "author")
        if agent.name:
            _name(author, "persName", agent.name, agent)
        else:
            _name(author, "orgName", agent.orgs[-1], agent)
    resp_stmt = _sub(stmt, "respStmt")
    _sub(resp_stmt, "resp", "Automatic conversion to TEI")
    _sub(resp_stmt, "name", APP_NAME)
    ocr = letter.document.properties.get("ocr")
    if ocr:
        ocr_stmt = _sub(stmt, "respStmt")
        ocr_stmt.set(xml_attr("id"), OCR_ID)
        _sub(ocr_stmt, "resp", "Optical character recognition of the page images")
        _sub(ocr_stmt, "name", ocr)
    return stmt


def _extent(letter: Letter) -> etree._Element:
    """``<extent>`` in pages (when the original has pages) and words."""
    extent = etree.Element(tei("extent"))
    pages = letter.document.source.pages
    if pages:
        unit = "page" if pages == 1 else "pages"
        _sub(extent, "measure", f"{pages} {unit}", unit="pages", quantity=str(pages))
    words = word_count(letter)
    _sub(extent, "measure", f"{words} words", unit="words", quantity=str(words))
    return extent


def word_count(letter: Letter) -> int:
    return len(letter.document.text.split())


def _publication_stmt(
    object_id: str, publication: Publication, ingested: datetime
) -> etree._Element:
    """``<publicationStmt>`` from the archive's settings."""
    stmt = etree.Element(tei("publicationStmt"))
    _sub(stmt, "publisher", publication.publisher)
    _sub(stmt, "idno", object_id, type="local")
    day = ingested.date().isoformat()
    _sub(stmt, "date", day, when=day)
    availability = _sub(stmt, "availability")
    _sub(availability, "licence", publication.licence, target=publication.licence_url)
    return stmt


def _source_bibl(letter: Letter) -> etree._Element:
    """``<bibl>`` naming the original file and its SHA-256."""
    source = letter.document.source
    ocr = letter.document.properties.get("ocr")
    bibl = etree.Element(tei("bibl"), type="digitised" if ocr else "born-digital")
    _sub(bibl, "title", source.filename)
    _sub(bibl, "idno", source.sha256, type="sha256")
    extent = _sub(bibl, "extent")
    if source.pages:
        _sub(extent, "measure", f"{source.pages} pages", unit="pages", quantity=str(source.pages))
        _sub(extent, "measure", f"{source.size} bytes", unit="bytes", quantity=str(source.size))
        extent[0].tail = ", "
    else:
        _sub(extent, "measure", f"{source.size} bytes", unit="bytes", quantity=str(source.size))
    _sub(bibl, "note", source.media_type, type="mediaType")
    if ocr:
        _sub(
            bibl,
            "note",
            f"The text was read from page images by OCR ({ocr}, {_ocr_scope(letter)}) and may "
            "contain recognition errors.",
            type="ocr",
        )
    return bibl


def _encoding_desc(version: str) -> etree._Element:
    """``<encodingDesc>``: the application and the editorial caveat."""
    desc = etree.Element(tei("encodingDesc"))
    app_info = _sub(desc, "appInfo")
    application = _sub(app_info, "application", ident=APP_IDENT, version=version)
    _sub(application, "label", APP_NAME)
    decl = _sub(desc, "editorialDecl")
    _sub(decl, "p", EDITORIAL_NOTE)
    return desc


def _profile_desc(letter: Letter) -> etree._Element:
    """``<profileDesc>``: ``correspDesc`` and ``langUsage``."""
    meta = letter.metadata
    profile = etree.Element(tei("profileDesc"))
    corresp = _sub(profile, "correspDesc")
    sent = _sub(corresp, "correspAction", type="sent")
    _agents(sent, meta.senders)
    if meta.place_sent:
        _place_name(sent, meta.place_sent)
    if meta.date:
        _date(sent, meta.date)
    received = _sub(corresp, "correspAction", type="received")
    _agents(received, meta.recipients)
    if meta.place_received:
        _place_name(received, meta.place_received)
    # TEI wants content in every correspAction: what the letter does not say is left out
    for action in (sent, received):
        if len(action) == 0:
            corresp.remove(action)
    if len(corresp) == 0:
        profile.remove(corresp)
    if meta.language:
        usage = _sub(profile, "langUsage")
        _sub(usage, "language", language_name(meta.language), ident=meta.language)
    return profile


def _agents(parent: etree._Element, agents: Iterable[Agent]) -> None:
    for agent in agents:
        if agent.name:
            _name(parent, "persName", agent.name, agent)
        if agent.orgs:
            # the last organisation line is the institution; earlier ones are its units
            _name(parent, "orgName", agent.orgs[-1], agent)


def _place_name(parent: etree._Element, place: Place) -> etree._Element:
    """``<placeName>``, with its GeoNames URI in ``@ref`` when the gazetteer was sure."""
    element = _name(parent, "placeName", place.name, place)
    if place.ref:
        element.set("ref", place.ref)
    return element


def _name(parent: etree._Element, tag: str, text: str, source: object) -> etree._Element:
    element = _sub(parent, tag, text)
    _certainty(element, source)
    return element


def _certainty(element: etree._Element, source: object) -> None:
    cert = getattr(source, "cert", "high")
    if cert != "high":
        element.set("cert", cert)
    if getattr(source, "resp", "text") == "user":
        element.set("resp", "#user")


def _date(parent: etree._Element, value: DateValue) -> etree._Element:
    """``<date>`` with ``@when`` (or ``@notBefore``/``@notAfter``) and the printed form."""
    element = _sub(parent, "date", value.text)
    if value.when:
        element.set("when", value.when)
    if value.not_before:
        element.set("notBefore", value.not_before)
    if value.not_after:
        element.set("notAfter", value.not_after)
    if value.cert != "high":
        element.set("cert", value.cert)
    return element


# -- body ------------------------------------------------------------------------------------


def _letter_div(letter: Letter) -> etree._Element:
    """``<div type="letter">`` in reading order."""
    div = etree.Element(tei("div"), type="letter")
    for page in letter.head_breaks:
        _pb(div, page)
    for para in letter.letterhead:
        fw = _sub(div, "fw", type="letterhead")
        _inline(fw, para.content, letter)
    if letter.dateline is not None or letter.address:
        opener = _sub(div, "opener")
        if letter.dateline is not None:
            _dateline(opener, letter.dateline, letter)
        if letter.address:
            _address(opener, letter.address, letter)
    if letter.subject is not None:
        head = _sub(div, "head", type="subject")
        _inline(head, letter.subject.content, letter)
    if letter.salute is not None:
        opener = _sub(div, "opener")
        salute = _sub(opener, "salute")
        _inline(salute, letter.salute.content, letter)
    _body_items(div, letter.body, letter)
    closing = letter.closer_salute or letter.signatories
    closing = closing or letter.closer_dateline or letter.closer_address
    has_bottom = closing or letter.postscript or letter.trailers
    if has_bottom and all(isinstance(item, PageBreak) for item in letter.body):
        _sub(div, "p")  # TEI puts a closer after some body content, even an empty paragraph
    for page in letter.tail_breaks:
        _pb(div, page)
    if closing:
        _closer(div, letter)
    if letter.postscript:
        postscript = _sub(div, "postscript")
        for para in letter.postscript:
            _inline(_sub(postscript, "p"), para.content, letter)
    for para in letter.trailers:
        trailer = _sub(div, "trailer", type=_trailer_type(para.text))
        _inline(trailer, para.content, letter)
    if len(div) == 0:
        _sub(div, "p")
    return div


def _trailer_type(text: str) -> str:
    if text.lstrip().startswith("["):
        return "editorial"
    copies = text.lower().lstrip().startswith(("cc", "c.c", "bcc", "cop", "kop", "verteiler"))
    return "cc" if copies else "enclosure"


def _dateline(parent: etree._Element, para: Para, letter: Letter) -> None:
    """``<dateline>``: the place as written and ``<date>``."""
    dateline = _sub(parent, "dateline")
    text = para.text
    date = letter.metadata.date
    if date is None or date.text not in text:
        _text(dateline, text)
        return
    before, _, after = text.partition(date.text)
    _text(dateline, before)
    _date(dateline, date)
    _text(dateline, after)


def _address(parent: etree._Element, lines: list[str], letter: Letter) -> None:
    """``<address>``: one ``addrLine`` per line; the addressee and the town marked up."""
    address = _sub(parent, "address")
    recipients = letter.metadata.recipients
    links = _document_links(letter)
    for index, line in enumerate(lines):
        addr_line = _sub(address, "addrLine")
        person = recipients[0].name if recipients else None
        if index == 0 and person and person in line:
            before, _, after = line.partition(person)
            addr_line.text = before or None
            _sub(addr_line, "persName", person).tail = after or None
            continue
        town = places.place_from_postal_line(line)
        link = next(((text, target) for text, target in links.items() if text in line), None)
        if town and town in line:
            before, _, after = line.rpartition(town)
            addr_line.text = before or None
            _sub(addr_line, "placeName", town).tail = after or None
        elif link is not None:  # an e-mail address or a website, linked in the original
            before, _, after = line.partition(link[0])
            addr_line.text = before or None
            ref = _sub(addr_line, "ref", link[0], target=quote(link[1], safe=_URL_SAFE))
            ref.tail = after or None
        else:
            addr_line.text = line


def _document_links(letter: Letter) -> dict[str, str]:
    """The text of each link in the original and its target: the address keeps its lines
    as text, and finds its links again here."""
    return {
        span.text.strip(): span.link
        for block in letter.document.blocks
        if isinstance(block, Block)
        for span in block.spans
        if span.link and span.text.strip()
    }


def _body_items(parent: etree._Element, items: Sequence[BodyItem], letter: Letter) -> None:
    pending_list: list[ListItem] = []
    for item in items:
        if isinstance(item, ListItem):
            pending_list.append(item)
            continue
        if pending_list:
            _list(parent, pending_list, letter)
            pending_list = []
        if isinstance(item, Section):
            section = _sub(parent, "div", type="section")
            _inline(_sub(section, "head"), item.head.content, letter)
            _body_items(section, item.items, letter)
        elif isinstance(item, Para):
            _inline(_sub(parent, "p"), item.content, letter)
        elif isinstance(item, PageBreak):
            _pb(parent, item)
        elif isinstance(item, Table):
            _table(parent, item, letter)
    if pending_list:
        _list(parent, pending_list, letter)


def _list(parent: etree._Element, items: list[ListItem], letter: Letter) -> None:
    """``<list>`` of ``<item>``s (nested levels are kept flat, in order)."""
    kind = "ordered" if items[0].ordered else "bulleted"
    element = _sub(parent, "list", type=kind)
    for item in items:
        _inline(_sub(element, "item"), tuple(item.spans), letter)


def _table(parent: etree._Element, table: Table, letter: Letter) -> None:
    """``<table>`` of ``<row>``s of ``<cell>``s."""
    element = _sub(parent, "table")
    for row in table.rows:
        row_element = _sub(element, "row")
        for cell in row:
            cell_element = _sub(row_element, "cell")
            for index, block in enumerate(cell):
                if index:
                    _sub(cell_element, "lb")
                _inline(cell_element, tuple(block.spans), letter)
    if len(element) == 0:
        _sub(_sub(element, "row"), "cell")


def _closer(div: etree._Element, letter: Letter) -> None:
    """``<closer>``: the closing formula and one ``<signed>`` per signatory."""
    closer = _sub(div, "closer")
    if letter.closer_salute is not None:
        _inline(_sub(closer, "salute"), letter.closer_salute.content, letter)
    for signatory in letter.signatories:
        _signed(closer, signatory)
    if letter.closer_dateline is not None:
        _dateline(closer, letter.closer_dateline, letter)
    if letter.closer_address:
        _address(closer, letter.closer_address, letter)


#: characters a URL may keep as they are; anything else (spaces…) is percent-encoded
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"

_SIGNED_TAGS = {"person": "persName", "role": "roleName", "org": "orgName"}


def _signed(closer: etree._Element, signatory: Signatory) -> None:
    """``<signed>``: ``persName``, ``roleName``, ``orgName`` separated by ``<lb/>``."""
    signed = _sub(closer, "signed")
    last: etree._Element | None = None
    for index, (kind, line) in enumerate(signatory.lines):
        if index:
            last = _sub(signed, "lb")
        tag = _SIGNED_TAGS.get(kind)
        if tag:
            last = _sub(signed, tag, line)
        elif last is None:
            signed.text = (signed.text or "") + line
        else:
            last.tail = (last.tail or "") + line


def _pb(parent: etree._Element, page: PageBreak) -> None:
    _sub(parent, "pb", n=str(page.n))


def _inline(parent: etree._Element, content: Iterable[Span | PageBreak], letter: Letter) -> None:
    """Mixed content: text with ``lb``, ``hi``, ``ref``, ``note`` and ``pb``."""
    plain: list[str] = []  # runs of unmarked text, written at once (appending is not O(1))
    for item in content:
        if isinstance(item, Span) and item.note is None and _is_plain(item):
            plain.append(item.text)
            continue
        if plain:
            _text(parent, "".join(plain))
            plain.clear()
        if isinstance(item, PageBreak):
            _pb(parent, item)
        elif item.note is not None:
            note = letter.notes.get(item.note)
            if note is not None:
                _note(parent, note, letter)
            else:
                _text(parent, item.text)
        else:
            _span(parent, item)
    if plain:
        _text(parent, "".join(plain))


def _is_plain(span: Span) -> bool:
    """Whether ``_span`` would write the span as bare text (no element around it)."""
    if span.link:
        return False
    if span.text and any(c in span.marks for c in ("del", "add")):
        return False
    meaningful = any(m in span.marks for m in ("bold", "italic", "underline", "superscript"))
    return not (meaningful and span.text.strip())


def _span(parent: etree._Element, span: Span) -> None:
    target = parent
    # a tracked change the reader recorded (DOCX --changes=record) wraps the rest
    change = next((c for c in ("del", "add") if c in span.marks), None)
    if change and span.text:
        target = _sub(target, change)
    if span.link:
        target = _sub(target, "ref", target=quote(span.link, safe=_URL_SAFE))
    meaningful = [m for m in ("bold", "italic", "underline", "superscript") if m in span.marks]
    if meaningful and span.text.strip():
        target = _sub(target, "hi", rend=" ".join(meaningful))
    _text(target, span.text)


def _note(parent: etree._Element, note: Note, letter: Letter) -> None:
    """``<note place="bottom" n="…">`` at its callout (``place="end"`` for endnotes,
    ``type="comment"`` for a reviewer's comment)."""
    if note.kind == "comment":
        element = _sub(parent, "note", type="comment", n=note.label)
    else:
        place = "end" if note.kind == "endnote" else "bottom"
        element = _sub(parent, "note", place=place, n=note.label)
    blocks: list[Block] = [b for b in note.blocks if isinstance(b, Block)]
    if len(blocks) == 1:
        _inline(element, _strip_spans(blocks[0].spans), letter)
        return
    for block in blocks:
        _inline(_sub(element, "p"), _strip_spans(block.spans), letter)


def _strip_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Drop the leading/trailing white space a note's text usually carries."""
    spans = list(spans)
    if spans and not spans[0].link:
        spans[0] = Span(spans[0].text.lstrip(), spans[0].marks, spans[0].link, spans[0].note)
    if spans and not spans[-1].link:
        last = spans[-1]
        spans[-1] = Span(last.text.rstrip(), last.marks, last.link, last.note)
    return tuple(s for s in spans if s.text or s.note)


def _text(parent: etree._Element, text: str) -> None:
    """Append text to ``parent``'s mixed content; hard line breaks become ``<lb/>``."""
    # the last child is looked up once: len() of an lxml element walks all its children
    last = _last_child(parent)
    for index, piece in enumerate(text.split("\n")):
        if index:
            last = etree.SubElement(parent, tei("lb"))
        if not piece:
            continue
        if last is not None:
            last.tail = (last.tail or "") + piece
        else:
            parent.text = (parent.text or "") + piece


def _last_child(parent: etree._Element) -> etree._Element | None:
    try:
        return parent[-1]
    except IndexError:
        return None


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tei(tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element
