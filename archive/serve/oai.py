"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html) over the archive.

All six verbs, over GET and POST alike; two metadata formats, ``oai_dc`` (each letter's stored
Dublin Core, which the ``dc`` export writes too: :mod:`metadata.oai_dc`) and ``tei`` (the
archived TEI itself). Datestamps are the letters' head OCFL versions in UTC, to the second.
Sets: ``year``, ``lang`` and ``collection`` at the top, ``year:1916``, ``lang:de``,
``collection:nachlass-escher`` below them.

Resumption tokens hold the whole request (verb, format, ``from``, ``until``, set) and the
(datestamp, id) of the last record sent, base64url-encoded JSON: the server keeps no state, so
a token survives a restart, and since every list is in (datestamp, id) order a letter added
meanwhile (with a later datestamp) comes at the end instead of shifting the pages.

Letters withdrawn from publication, and purged ones, are deleted records (``deletedRecord``
``persistent``): a header with ``status="deleted"``, dated by the withdrawal or the purge,
and no metadata.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from archive.api import Archive
from archive.serve.catalogue import SET_KINDS, Catalogue, Entry
from metadata.errors import EpistulaError
from metadata.language import language_name
from metadata.xml import OAI_DC_NS, TEI_NS, XSI_NS, parse

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
#: records (or identifiers) per page unless the server is told otherwise
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
#: selections whose entries are kept between the pages of a harvest
SELECTIONS_KEPT = 16
_SECOND = "%Y-%m-%dT%H:%M:%SZ"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@dataclass(frozen=True)
class Format:
    prefix: str
    schema: str
    namespace: str
    #: the record's metadata, as bytes, for a letter id
    read: Callable[[Archive, str], bytes]


FORMATS = {
    f.prefix: f
    for f in (
        Format(
            "oai_dc",
            "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            OAI_DC_NS,
            lambda archive, letter_id: archive.dc_bytes(letter_id),
        ),
        Format(
            "tei",
            "https://tei-c.org/release/xml/tei/custom/schema/xsd/tei_all.xsd",
            TEI_NS,
            lambda archive, letter_id: archive.tei_bytes(letter_id),
        ),
    )
}

#: verb → (arguments it requires, arguments it may have besides); a resumptionToken excludes
#: every other argument
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
}


class OaiError(EpistulaError):
    """An OAI-PMH error condition; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Selection:
    """What a list request asks for: the format, the datestamp range and the set."""

    prefix: str
    since: str | None = None
    until: str | None = None
    set_spec: str | None = None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """(first, last) datestamps allowed, both inclusive; a day means all of it."""
        first = _moment(self.since, "from") if self.since else None
        last = _moment(self.until, "until") if self.until else None
        if self.until and _DAY.fullmatch(self.until):
            last = last + timedelta(days=1, seconds=-1)  # type: ignore[operator]
        if self.since and self.until and _granularity(self.since) != _granularity(self.until):
            raise OaiError("badArgument", "from and until must have the same granularity")
        if first and last and first > last:
            raise OaiError("badArgument", "from must not be later than until")
        return first, last

    def matches(self, entry: Entry, first: datetime | None, last: datetime | None) -> bool:
        if first and entry.datestamp < first:
            return False
        if last and entry.datestamp > last:
            return False
        return not self.set_spec or entry.in_set(self.set_spec)


class Provider:
    """Answers OAI-PMH requests from the archive, through its catalogue."""

    def __init__(self, archive: Archive, catalogue: Catalogue, page_size: int = PAGE_SIZE) -> None:
        self.archive = archive
        self.catalogue = catalogue
        self.page_size = page_size
        self._lock = threading.Lock()
        self._selections: OrderedDict[tuple[Selection, int], tuple[list[Entry], ...]] = (
            OrderedDict()
        )

    def respond(self, arguments: Mapping[str, Sequence[str]], base_url: str) -> bytes:
        """The response document to a request whose arguments (each with every value it was
        given) are ``arguments``."""
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        _sub(root, "responseDate", _stamp(datetime.now(UTC)))
        request = _sub(root, "request", base_url)
        try:
            verb, args = _check(arguments)
            for name, value in sorted(args.items()):
                request.set(name, value)
            request.set("verb", verb)
            root.append(getattr(self, f"_{verb}")(args, base_url))
        except OaiError as err:
            if err.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the spec: echo the arguments only of a valid request
            _sub(root, "error", str(err), code=err.code)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    # -- the verbs ---------------------------------------------------------------------------

    def _Identify(self, _args: dict[str, str], base_url: str) -> etree._Element:
        entries = self.catalogue.entries()
        earliest = min((e.datestamp for e in entries), default=datetime.now(UTC))
        element = _oai("Identify")
        _sub(element, "repositoryName", self.archive.settings.name)
        _sub(element, "baseURL", base_url)
        _sub(element, "protocolVersion", "2.0")
        _sub(element, "adminEmail", self.archive.admin_email)
        _sub(element, "earliestDatestamp", _stamp(earliest))
        # withdrawn and purged letters stay listed as deleted records
        _sub(element, "deletedRecord", "persistent")
        _sub(element, "granularity", GRANULARITY)
        description = _sub(element, "description")
        ident = etree.SubElement(description, f"{{{ID_NS}}}oai-identifier", nsmap={None: ID_NS})
        ident.set(f"{{{XSI_NS}}}schemaLocation", f"{ID_NS} {ID_SCHEMA}")
        sample = entries[0].id if entries else "L-1916-10-13-thomas-unknown-8d9ec031"
        for tag, text in (
            ("scheme", "oai"),
            ("repositoryIdentifier", self.archive.repository_id),
            ("delimiter", ":"),
            ("sampleIdentifier", self._identifier(sample)),
        ):
            etree.SubElement(ident, f"{{{ID_NS}}}{tag}").text = text
        return element

    def _ListMetadataFormats(self, args: dict[str, str], _base: str) -> etree._Element:
        if "identifier" in args:
            letter_id = self._letter_id(args["identifier"], readable=False)
            # a letter whose TEI cannot be read has no format it can be disseminated in
            if letter_id in self.catalogue.unreadable():
                raise OaiError("noMetadataFormats", f"{args['identifier']} cannot be read now")
        element = _oai("ListMetadataFormats")
        for fmt in FORMATS.values():
            item = _sub(element, "metadataFormat")
            _sub(item, "metadataPrefix", fmt.prefix)
            _sub(item, "schema", fmt.schema)
            _sub(item, "metadataNamespace", fmt.namespace)
        return element

    def _ListSets(self, args: dict[str, str], _base: str) -> etree._Element:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "ListSets is never split: it gives no tokens")
        specs = sorted({spec for entry in self.catalogue.entries() for spec in entry.sets})
        if not specs:
            raise OaiError("noSetHierarchy", "no letter has a year, a language or a collection")
        element = _oai("ListSets")
        for kind in sorted({spec.split(":")[0] for spec in specs}):
            self._set(element, kind, SET_KINDS[kind])
        for spec in specs:
            self._set(element, spec, self.catalogue.set_name(spec) or _set_name(spec))
        return element

    def _GetRecord(self, args: dict[str, str], _base: str) -> etree._Element:
        fmt = _format(args["metadataPrefix"])
        letter_id = self._letter_id(args["identifier"], readable=False)
        entry = next((e for e in self.catalogue.entries() if e.id == letter_id), None)
        if entry is None:  # in the store, but unreadable
            raise OaiError("cannotDisseminateFormat", f"{args['identifier']} cannot be read now")
        element = _oai("GetRecord")
        element.append(self._record(entry, fmt))
        return element

    def _ListIdentifiers(self, args: dict[str, str], _base: str) -> etree._Element:
        return self._list("ListIdentifiers", args, lambda e, _f: self._header(e))

    def _ListRecords(self, args: dict[str, str], _base: str) -> etree._Element:
        return self._list("ListRecords", args, self._record)

    # -- lists and their pages -------------------------------------------------------------

    def _list(
        self, verb: str, args: dict[str, str], item: Callable[[Entry, Format], etree._Element]
    ) -> etree._Element:
        if "resumptionToken" in args:
            selection, after = _read_token(args["resumptionToken"], verb)
        else:
            selection = Selection(
                args["metadataPrefix"], args.get("from"), args.get("until"), args.get("set")
            )
            after = None
        fmt = _format(selection.prefix)
        first, last = selection.window()
        if selection.set_spec and not self.catalogue.entries():
            raise OaiError("noSetHierarchy", "the archive holds no letters, so no sets")
        chosen, keys = self._chosen(selection, first, last)
        cursor = bisect_right(keys, after) if after else 0
        page = chosen[cursor : cursor + self.page_size]
        if not page:
            if after is None:
                raise OaiError("noRecordsMatch", "no letters match these arguments")
            raise OaiError("badResumptionToken", "the list this token continues has ended")
        element = _oai(verb)
        for entry in page:
            element.append(item(entry, fmt))
        more = cursor + len(page) < len(chosen)
        if after is not None or more:
            token = _sub(
                element, "resumptionToken", _token(verb, selection, page[-1]) if more else None
            )
            token.set("completeListSize", str(len(chosen)))
            token.set("cursor", str(cursor))
        return element

    def _chosen(
        self, selection: Selection, first: datetime | None, last: datetime | None
    ) -> tuple[list[Entry], list[tuple[datetime, str]]]:
        """The entries a selection holds and their keys, kept for the pages that follow (a
        full harvest asks for the same selection once a page)."""
        entries = self.catalogue.entries()
        memo = (selection, id(entries))
        with self._lock:
            if memo in self._selections:
                self._selections.move_to_end(memo)
                return self._selections[memo][1:]
        if selection.since or selection.until or selection.set_spec:
            chosen = [e for e in entries if selection.matches(e, first, last)]
        else:
            chosen = entries
        found = (entries, chosen, [e.key for e in chosen])
        with self._lock:
            self._selections[memo] = found  # (holding ``entries`` keeps its id unique)
            while len(self._selections) > SELECTIONS_KEPT:
                self._selections.popitem(last=False)
        return found[1:]

    # -- records ---------------------------------------------------------------------------

    def _record(self, entry: Entry, fmt: Format) -> etree._Element:
        record = _oai("record")
        record.append(self._header(entry))
        if entry.deleted:
            return record  # a deleted record has no metadata
        try:
            data = fmt.read(self.archive, entry.id)
        except EpistulaError as err:
            raise OaiError("cannotDisseminateFormat", f"{entry.id}: {err}") from err
        _sub(record, "metadata").append(parse(data))
        return record

    def _header(self, entry: Entry) -> etree._Element:
        header = _oai("header")
        if entry.deleted:
            header.set("status", "deleted")
        _sub(header, "identifier", self._identifier(entry.id))
        _sub(header, "datestamp", _stamp(entry.datestamp))
        for spec in entry.sets:
            _sub(header, "setSpec", spec)
        return header

    def _set(self, parent: etree._Element, spec: str, name: str) -> None:
        item = _sub(parent, "set")
        _sub(item, "setSpec", spec)
        _sub(item, "setName", name)

    def _identifier(self, letter_id: str) -> str:
        return f"oai:{self.archive.repository_id}:{letter_id}"

    def _letter_id(self, identifier: str, readable: bool = True) -> str:
        """The letter an OAI identifier names (``idDoesNotExist`` unless it is one of ours;
        ``readable=False`` accepts a letter in the store that cannot be read now)."""
        prefix = f"oai:{self.archive.repository_id}:"
        letter_id = identifier.removeprefix(prefix)
        known = {e.id for e in self.catalogue.entries()}
        if not readable:
            known |= self.catalogue.unreadable()
        if not identifier.startswith(prefix) or letter_id not in known:
            raise OaiError("idDoesNotExist", f"{identifier} is not in this archive")
        return letter_id


# -- arguments ---------------------------------------------------------------------------------


def _check(arguments: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """(verb, its other arguments) of a well-formed request, else ``badVerb``/``badArgument``."""
    verbs = list(arguments.get("verb", ()))
    if len(verbs) != 1:
        raise OaiError("badVerb", "give the verb exactly once" if verbs else "no verb given")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    repeated = sorted(name for name, values in arguments.items() if len(values) > 1)
    if repeated:
        raise OaiError("badArgument", f"{repeated[0]} is given more than once")
    args = {name: values[0] for name, values in arguments.items() if name != "verb"}
    required, optional = VERBS[verb]
    unknown = sorted(set(args) - required - optional)
    if unknown:
        raise OaiError("badArgument", f"{verb} takes no argument {unknown[0]!r}")
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken must be the only argument")
        return verb, args
    missing = sorted(required - set(args))
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument {missing[0]!r}")
    for name in ("from", "until"):
        if name in args:
            _moment(args[name], name)
    return verb, args


def _format(prefix: str) -> Format:
    if prefix not in FORMATS:
        known = ", ".join(FORMATS)
        raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not offered (only {known})")
    return FORMATS[prefix]


def _granularity(value: str) -> str:
    return "day" if _DAY.fullmatch(value) else "second"


def _moment(value: str, name: str) -> datetime:
    """A ``from``/``until`` value in UTC (a day means its first second)."""
    if _DAY.fullmatch(value):
        text = value + "T00:00:00Z"
    elif _SECONDS.fullmatch(value):
        text = value
    else:
        raise OaiError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    try:
        return datetime.strptime(text, _SECOND).replace(tzinfo=UTC)
    except ValueError:
        raise OaiError("badArgument", f"{name} {value!r} is not a real date") from None


# -- resumption tokens ---------------------------------------------------------------------------


def _token(verb: str, selection: Selection, last: Entry) -> str:
    state: dict[str, Any] = {
        "verb": verb,
        "prefix": selection.prefix,
        "from": selection.since,
        "until": selection.until,
        "set": selection.set_spec,
        "after": [_stamp(last.datestamp), last.id],
    }
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _read_token(token: str, verb: str) -> tuple[Selection, tuple[datetime, str]]:
    """The selection a token continues and the key of the last record it had sent."""
    bad = OaiError("badResumptionToken", "the resumptionToken is not one this archive gave")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw)
        after_stamp, after_id = state["after"]
        selection = Selection(state["prefix"], state["from"], state["until"], state["set"])
        after = (_moment(after_stamp, "after"), str(after_id))
    except (binascii.Error, ValueError, KeyError, TypeError, OaiError):
        raise bad from None
    if state.get("verb") != verb or not all(
        isinstance(v, str | None) for v in (selection.since, selection.until, selection.set_spec)
    ):
        raise bad
    return selection, after


# -- XML -----------------------------------------------------------------------------------------


def _oai(tag: str) -> etree._Element:
    return etree.Element(f"{{{OAI_NS}}}{tag}")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI_NS}}}{tag}", attrs)
    element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_SECOND)


def _set_name(spec: str) -> str:
    kind, _, value = spec.partition(":")
    if kind == "year":
        return f"Letters written in {value}"
    return f"Letters in {language_name(value)}"
