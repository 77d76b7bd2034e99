"""User-supplied metadata, written into the TEI header (the single source of truth).

:func:`apply_fields` takes fields named as ``show --json`` names them (``date``, ``senders``,
``place_sent``…) and rewrites the header: the value goes where the crosswalk reads it, marked
``resp="#user"`` (recognised values stay as they were: inferred, with their ``@cert``), and a
``<change who="#user">`` records what was supplied. The same function serves ``ingest --set``,
sidecar files, CSV manifests and ``epistula edit``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from lxml import etree

from metadata.dates import DateValue, display, parse_date
from metadata.errors import EpistulaError
from metadata.language import language_name
from metadata.xml import NS, tei, xml_attr

USER_ID = "user"
USER = f"#{USER_ID}"
#: fields a user may set, and whether they hold a list ("A|B" in CSV and --set)
FIELDS: dict[str, bool] = {
    "title": False,
    "date": False,
    "senders": True,
    "sender_orgs": True,
    "recipients": True,
    "recipient_orgs": True,
    "place_sent": False,
    "place_received": False,
    "language": False,
    # the archive's own description of the letter: its collection (fileDesc/seriesStmt),
    # subject terms (textClass/keywords, dc:subject) and notes (fileDesc/notesStmt)
    "collection": False,
    "subject": True,
    "notes": True,
}
LIST_SEPARATOR = "|"
#: the longest value of one field (one name, one place, a title) a user may give, in
#: characters: a header value is a line, and lxml will not read back a text node over 10 MB
MAX_VALUE_CHARS = 1000
#: the most names one list field may hold
MAX_ITEMS = 100
#: what a value may not hold: characters XML 1.0 forbids (C0 controls but tab, line feed and
#: carriage return; lone surrogates; U+FFFE, U+FFFF) and the C1 controls it discourages
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class MetadataError(EpistulaError):
    """Base class: a metadata value cannot be used (the message names the remedy)."""

    code = "bad-metadata-value"


class UnknownField(MetadataError):
    code = "unknown-field"

    def __init__(self, name: str) -> None:
        known = ", ".join(FIELDS)
        super().__init__(f"unknown field {name!r}; the fields you can set are: {known}")


class BadValue(MetadataError):
    code = "bad-value"

    def __init__(self, name: str, value: str, remedy: str) -> None:
        super().__init__(f"{name}={_shown(value)} cannot be used: {remedy}")


def _shown(value: str) -> str:
    """The value as an error message quotes it: escaped, and cut short if long."""
    return repr(value if len(value) <= 60 else value[:60] + "…")


Value = str | Sequence[str]


def normalise_fields(fields: Mapping[str, Value]) -> dict[str, list[str] | str]:
    """Check names and split list values; raises :class:`UnknownField` / :class:`BadValue`."""
    clean: dict[str, list[str] | str] = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise UnknownField(name)
        items = [value] if isinstance(value, str) else list(value)
        _check_items(name, items)
        if FIELDS[name]:
            parts = [p.strip() for item in items for p in item.split(LIST_SEPARATOR)]
            clean[name] = [p for p in parts if p]
        else:
            clean[name] = " ".join(" ".join(items).split())
    for name, value in clean.items():
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            raise BadValue(name, LIST_SEPARATOR.join(value), f"give at most {MAX_ITEMS} names")
    if "date" in clean:
        _date_value(str(clean["date"]))  # fail early on an unreadable date
    if "language" in clean and not _LANGUAGE.match(str(clean["language"])):
        raise BadValue("language", str(clean["language"]), "give a BCP 47 code such as en or de")
    return clean


def _check_items(name: str, items: list[object]) -> None:
    """Each value must be text XML can hold, of a header value's size."""
    for item in items:
        if not isinstance(item, str):
            raise BadValue(name, str(item)[:80], "give text, or a list of texts")
        bad = _ILLEGAL.search(item)
        if bad:
            raise BadValue(
                name, item, f"it holds the control or invalid character {bad.group(0)!r}; remove it"
            )
        if len(item) > MAX_VALUE_CHARS * (MAX_ITEMS if FIELDS[name] else 1):
            raise BadValue(name, item, f"it is {len(item):,} characters long; give a shorter one")
    if FIELDS[name]:
        for part in (p.strip() for item in items for p in item.split(LIST_SEPARATOR)):
            if len(part) > MAX_VALUE_CHARS:
                raise BadValue(
                    name, part, f"a name may be {MAX_VALUE_CHARS} characters long at most"
                )
    elif sum(len(item) for item in items) > MAX_VALUE_CHARS:
        raise BadValue(
            name, " ".join(items), f"a value may be {MAX_VALUE_CHARS} characters long at most"
        )


def apply_fields(
    root: etree._Element,
    fields: Mapping[str, Value],
    when: datetime | None = None,
    record: bool = True,
) -> list[str]:
    """Write ``fields`` into the TEI ``root``; returns the names changed (empty: nothing to do).

    ``record=False`` writes no ``change`` (for values carried over from an earlier version,
    whose changes are kept as they were)."""
    clean = normalise_fields(fields)
    if not clean:
        return []
    header = _one(root, "tei:teiHeader")
    for name, value in clean.items():
        _SETTERS[name](root, header, value)
    _refresh_description(header)
    _declare_user(header)
    if record:
        _record_change(header, sorted(clean), when or datetime.now(UTC))
    return sorted(clean)


#: the text of the ``change`` :func:`apply_fields` records, before the fields' names
SUPPLIED = "Metadata supplied by the user: "


def user_fields(root: etree._Element) -> dict[str, Value]:
    """The values the user supplied to the TEI ``root`` (every field a ``change`` by the user
    names), as :func:`apply_fields` takes them: what a reread or re-ingest keeps."""
    header = _one(root, "tei:teiHeader")
    named: list[str] = []
    for change in header.xpath(f"tei:revisionDesc/tei:change[@who='{USER}']", namespaces=NS):
        text = "".join(change.itertext())
        if text.startswith(SUPPLIED):
            named += [n.strip() for n in text[len(SUPPLIED) :].split(",")]
    values: dict[str, Value] = {}
    for name in dict.fromkeys(named):
        if name in _READERS:
            values[name] = _READERS[name](root, header)
    return values


# -- setters -----------------------------------------------------------------------------


def _set_title(root: etree._Element, header: etree._Element, value: object) -> None:
    title = _one(header, "tei:fileDesc/tei:titleStmt/tei:title[@type='main']")
    title.text = str(value)
    title.set("resp", USER)


def _set_date(root: etree._Element, header: etree._Element, value: object) -> None:
    date = _date_value(str(value))
    sent = _action(header, "sent")
    for old in sent.findall(tei("date")):
        sent.remove(old)
    element = etree.SubElement(sent, tei("date"), when=date.when or "", resp=USER)
    element.text = date.text


def _names_setter(action: str, tag: str):  # type: ignore[no-untyped-def]
    def setter(root: etree._Element, header: etree._Element, value: object) -> None:
        element = _action(header, action)
        old = element.findall(tei(tag))
        position = element.index(old[0]) if old else _insert_position(element, tag)
        for item in old:
            element.remove(item)
        for offset, name in enumerate(value):  # type: ignore[arg-type]
            new = etree.Element(tei(tag), resp=USER)
            new.text = name
            element.insert(position + offset, new)
        if action == "sent" and tag == "persName":
            _set_authors(header, list(value))  # type: ignore[arg-type]
        _drop_if_empty(element)

    return setter


def _insert_position(action: etree._Element, tag: str) -> int:
    """Persons first, then organisations, then places, then the date."""
    order = ["persName", "orgName", "placeName", "date"]
    rank = order.index(tag)
    for index, child in enumerate(action):
        if etree.QName(child).localname in order[rank + 1 :]:
            return index
    return len(action)


def _set_authors(header: etree._Element, names: list[str]) -> None:
    stmt = _one(header, "tei:fileDesc/tei:titleStmt")
    for author in stmt.findall(tei("author")):
        stmt.remove(author)
    position = len(stmt.findall(tei("title")))
    for offset, name in enumerate(names):
        author = etree.Element(tei("author"))
        etree.SubElement(author, tei("persName"), resp=USER).text = name
        stmt.insert(position + offset, author)


def _place_setter(action: str):  # type: ignore[no-untyped-def]
    def setter(root: etree._Element, header: etree._Element, value: object) -> None:
        _names_setter(action, "placeName")(root, header, [value] if value else [])

    return setter


def _set_language(root: etree._Element, header: etree._Element, value: object) -> None:
    code = str(value)
    profile = _one(header, "tei:profileDesc")
    usage = profile.find(tei("langUsage"))
    if usage is None:
        usage = etree.Element(tei("langUsage"))
        classes = profile.find(tei("textClass"))  # (langUsage comes before it)
        profile.insert(profile.index(classes) if classes is not None else len(profile), usage)
    for old in list(usage):
        usage.remove(old)
    language = etree.SubElement(usage, tei("language"), ident=code)
    language.text = language_name(code.split("-")[0])
    root.set(xml_attr("lang"), code)


def _set_collection(root: etree._Element, header: etree._Element, value: object) -> None:
    """``fileDesc/seriesStmt/title``: the collection the archive files the letter under."""
    file_desc = _one(header, "tei:fileDesc")
    for old in file_desc.findall(tei("seriesStmt")):
        file_desc.remove(old)
    if not value:
        return
    stmt = etree.Element(tei("seriesStmt"))
    etree.SubElement(stmt, tei("title"), resp=USER).text = str(value)
    file_desc.insert(file_desc.index(_one(file_desc, "tei:publicationStmt")) + 1, stmt)


def _set_subject(root: etree._Element, header: etree._Element, value: object) -> None:
    """``profileDesc/textClass/keywords/term``, one per subject (Dublin Core's dc:subject)."""
    profile = _one(header, "tei:profileDesc")
    for old in profile.findall(tei("textClass")):
        profile.remove(old)
    if not value:
        return
    keywords = etree.SubElement(etree.SubElement(profile, tei("textClass")), tei("keywords"))
    for term in value:  # type: ignore[attr-defined]
        etree.SubElement(keywords, tei("term"), resp=USER).text = term


def _set_notes(root: etree._Element, header: etree._Element, value: object) -> None:
    """``fileDesc/notesStmt/note``, one per note (the letter's own notes stay in its text)."""
    file_desc = _one(header, "tei:fileDesc")
    for old in file_desc.findall(tei("notesStmt")):
        file_desc.remove(old)
    if not value:
        return
    stmt = etree.Element(tei("notesStmt"))
    for note in value:  # type: ignore[attr-defined]
        etree.SubElement(stmt, tei("note"), resp=USER).text = note
    file_desc.insert(file_desc.index(_one(file_desc, "tei:sourceDesc")), stmt)


_SETTERS = {
    "title": _set_title,
    "date": _set_date,
    "senders": _names_setter("sent", "persName"),
    "sender_orgs": _names_setter("sent", "orgName"),
    "recipients": _names_setter("received", "persName"),
    "recipient_orgs": _names_setter("received", "orgName"),
    "place_sent": _place_setter("sent"),
    "place_received": _place_setter("received"),
    "language": _set_language,
    "collection": _set_collection,
    "subject": _set_subject,
    "notes": _set_notes,
}

_SENT = "tei:profileDesc/tei:correspDesc/tei:correspAction[@type='sent']"
_RECEIVED = "tei:profileDesc/tei:correspDesc/tei:correspAction[@type='received']"


def _reader(path: str, many: bool):  # type: ignore[no-untyped-def]
    def read(root: etree._Element, header: etree._Element) -> Value:
        found = _texts(header, path)
        return found if many else (found[0] if found else "")

    return read


def _read_date(root: etree._Element, header: etree._Element) -> Value:
    dates = header.xpath(f"{_SENT}/tei:date", namespaces=NS)
    if not dates:
        return ""
    text = " ".join("".join(dates[0].itertext()).split())
    when = dates[0].get("when", "")
    # the text the user wrote, where it still reads as the date it was given for
    try:
        return text if _date_value(text).when == when else when
    except MetadataError:
        return when


def _read_language(root: etree._Element, header: etree._Element) -> Value:
    found = header.xpath("tei:profileDesc/tei:langUsage/tei:language/@ident", namespaces=NS)
    return str(found[0]) if found else ""


_READERS = {
    "title": _reader("tei:fileDesc/tei:titleStmt/tei:title[@type='main']", False),
    "date": _read_date,
    "senders": _reader(f"{_SENT}/tei:persName", True),
    "sender_orgs": _reader(f"{_SENT}/tei:orgName", True),
    "recipients": _reader(f"{_RECEIVED}/tei:persName", True),
    "recipient_orgs": _reader(f"{_RECEIVED}/tei:orgName", True),
    "place_sent": _reader(f"{_SENT}/tei:placeName", False),
    "place_received": _reader(f"{_RECEIVED}/tei:placeName", False),
    "language": _read_language,
    "collection": _reader("tei:fileDesc/tei:seriesStmt/tei:title", False),
    "subject": _reader("tei:profileDesc/tei:textClass/tei:keywords/tei:term", True),
    "notes": _reader("tei:fileDesc/tei:notesStmt/tei:note", True),
}


# -- bookkeeping ---------------------------------------------------------------------------


def _date_value(text: str) -> DateValue:
    if _ISO.match(text):
        if not _on_calendar(text):
            raise BadValue("date", text, "no such day; write it as YYYY-MM-DD (or YYYY-MM, YYYY)")
        return DateValue(text=text, when=text)
    value = parse_date(text)
    if value is None or not value.when or not _on_calendar(value.when):
        raise BadValue("date", text, "write it as YYYY-MM-DD (or YYYY-MM, YYYY)")
    return DateValue(text=text, when=value.when)


def _on_calendar(when: str) -> bool:
    """Whether an ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) names a real day."""
    parts = when.split("-")
    if not all(part.isdigit() for part in parts) or not 1 <= len(parts) <= 3:
        return False
    year, month, day = (int(part) for part in [*parts, "1", "1"][:3])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _action(header: etree._Element, kind: str) -> etree._Element:
    """The ``correspAction`` of ``kind``, created (with its ``correspDesc``) when missing."""
    profile = _one(header, "tei:profileDesc")
    corresp = profile.find(tei("correspDesc"))
    if corresp is None:
        corresp = etree.Element(tei("correspDesc"))
        profile.insert(0, corresp)
    for action in corresp.findall(tei("correspAction")):
        if action.get("type") == kind:
            return action
    action = etree.Element(tei("correspAction"), type=kind)
    corresp.insert(0 if kind == "sent" else len(corresp), action)
    return action


def _drop_if_empty(action: etree._Element) -> None:
    """An empty ``correspAction`` (and then ``correspDesc``) is not valid TEI: remove it."""
    if len(action):
        return
    corresp = action.getparent()
    corresp.remove(action)
    if len(corresp) == 0:
        corresp.getparent().remove(corresp)


def _texts(header: etree._Element, path: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in header.xpath(path, namespaces=NS)]


def _refresh_description(header: etree._Element) -> None:
    """Keep ``title[@type='desc']`` ("Letter from … to …, date") in step with the header."""
    sent = "tei:profileDesc/tei:correspDesc/tei:correspAction[@type='sent']"
    received = "tei:profileDesc/tei:correspDesc/tei:correspAction[@type='received']"
    senders = _texts(header, f"{sent}/tei:persName") or _texts(header, f"{sent}/tei:orgName")
    recipients = _texts(header, f"{received}/tei:persName") or _texts(
        header, f"{received}/tei:orgName"
    )
    when = header.xpath(f"{sent}/tei:date/@when", namespaces=NS)
    text = "Letter"
    if senders:
        text += f" from {_join(senders)}"
    if recipients:
        text += f" to {_join(recipients)}"
    if when:
        text += f", {_displayed(when[0])}"
    desc = _one(header, "tei:fileDesc/tei:titleStmt/tei:title[@type='desc']")
    main = _one(header, "tei:fileDesc/tei:titleStmt/tei:title[@type='main']")
    if main.text == desc.text and main.get("resp") != USER:
        main.text = text
    desc.text = text


def _displayed(when: str) -> str:
    """A date for the description; a ``@when`` off the calendar (from a TEI file read in)
    is shown as it is written rather than breaking the edit."""
    return display(DateValue(text=when, when=when)) if _on_calendar(when) else when


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _declare_user(header: etree._Element) -> None:
    """``<respStmt xml:id="user">``: the target of every ``resp="#user"``."""
    stmt = _one(header, "tei:fileDesc/tei:titleStmt")
    if stmt.xpath(f"tei:respStmt[@xml:id='{USER_ID}']", namespaces=NS):
        return
    resp_stmt = etree.SubElement(stmt, tei("respStmt"))
    resp_stmt.set(xml_attr("id"), USER_ID)
    etree.SubElement(resp_stmt, tei("resp")).text = "Metadata supplied or corrected by"
    etree.SubElement(resp_stmt, tei("name")).text = "the archive's user"


def _record_change(header: etree._Element, names: list[str], when: datetime) -> None:
    revision = header.find(tei("revisionDesc"))
    if revision is None:
        revision = etree.SubElement(header, tei("revisionDesc"))
    change = etree.SubElement(
        revision, tei("change"), when=when.strftime("%Y-%m-%dT%H:%M:%SZ"), who=USER
    )
    change.text = f"{SUPPLIED}{', '.join(names)}"


def _one(parent: etree._Element, path: str) -> etree._Element:
    found = parent.xpath(path, namespaces=NS)
    if not found:
        raise MetadataError(f"the TEI has no {path.replace('tei:', '')}")
    return found[0]
