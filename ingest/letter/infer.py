"""Pass 5, the metadata: date, senders, addressees, places and language, from the parts.

* **Date**: the dateline's, else the dateline's below the signature, else a date written in
  the address below the signature (a frank: "Reading November twenty two 1821", taken with
  ``cert="medium"``). A two-digit year ("25. X. 90") is read within the years the user says
  the letters were written in (``ingest --period``), else in the century of the four-digit
  years written elsewhere in the letter (:func:`century_hint`), with ``cert="medium"``; a
  letter that writes none keeps the date's text without an ISO value. Numeric dates follow the
  letter's language and locale (US English when an address has a US state and ZIP code).
* **Place of writing**: the dateline's place, else the town of the letterhead's postal line
  (``cert="medium"``). **Place received**: the town of the recipient's address.
* **Senders**: the signatories; else the letterhead's organisation. **Addressees**: the person
  (or organisation) of the address above, or below the signature (one that names a person
  wins over one that names only an organisation); else the person the salutation names
  ("Dear Chairwoman Ellison:" → Ellison, ``cert="medium"``).
* Places get a GeoNames URI when the offline gazetteer is sure; people never get one.
"""

from __future__ import annotations

from ingest.letter import formulas
from ingest.letter.blocks import Draft
from ingest.letter.model import Agent, Letter, Para, Place, Section
from metadata import gazetteer, names, places
from metadata.dates import (
    DateMatch,
    DateValue,
    Years,
    century_from_text,
    find_date,
    weekday_span,
)
from metadata.language import detect_language


def infer_metadata(draft: Draft, letter: Letter) -> None:
    meta = letter.metadata
    meta.language = detect_language(body_text(letter)) or draft.language
    locale = _locale(letter, meta.language)
    meta.date, meta.place_sent = _date_and_place(letter, locale, draft.years)
    if meta.place_sent is None:
        meta.place_sent = _letterhead_place(letter)
    meta.senders = _senders(letter)
    meta.recipients = _recipients(letter)
    town = places.place_from_address(letter.address or letter.closer_address)
    if town:
        meta.place_received = _place(town, "high")
    if letter.subject is not None:
        marker = formulas.subject_marker(letter.subject.text)
        title = letter.subject.text[marker.end() :] if marker else letter.subject.text
        meta.title = " ".join(title.split()) or None


def body_text(letter: Letter) -> str:
    texts: list[str] = []
    for item in letter.body:
        if isinstance(item, Para):
            texts.append(item.text)
        elif isinstance(item, Section):
            texts.append(item.head.text)
            texts.extend(i.text for i in item.items if isinstance(i, Para))
    return "\n".join(texts) or letter.document.text


def _locale(letter: Letter, language: str | None) -> str | None:
    lines = letter.address + letter.closer_address
    lines += [line for para in letter.letterhead for line in para.text.split("\n")]
    if language == "en" and any(places.is_us_postal_line(line) for line in lines):
        return "en-us"
    return language


# -- date and place of writing ---------------------------------------------------------------


def _date_and_place(
    letter: Letter, locale: str | None, years: Years | None
) -> tuple[DateValue | None, Place | None]:
    date: DateValue | None = None
    place: Place | None = None
    if years is None:  # none given: the century of the letter's other years, if it writes any
        century = century_hint(letter)
        years = Years.century(century) if century is not None else None
    elif years.last - years.first >= 100:
        # a period over two centuries leaves "95" open: the letter's own years may settle it
        century = century_hint(letter)
        within = None if century is None else _overlap(years, Years.century(century))
        if within is not None:
            date, place = _date_and_place(letter, locale, within)
            if date is not None and date.iso:
                return date, place
    for para in (letter.dateline, letter.closer_dateline):
        if para is None:
            continue
        found, found_place = _read_dateline(para.text, locale, years)
        place = place or found_place
        if found is not None and (date is None or (not date.iso and found.iso)):
            date = found
        if date is not None and date.iso:
            break
    if date is None or not date.iso:
        franked = _frank_date(letter, locale, years)
        if franked is not None:
            date = franked
    return date, place


def _overlap(a: Years, b: Years) -> Years | None:
    first, last = max(a.first, b.first), min(a.last, b.last)
    return Years(first, last) if first <= last else None


def century_hint(letter: Letter) -> int | None:
    """The century of the four-digit years the letter writes elsewhere (datelines, subject,
    body, postscript, footnotes; not the addresses and letterhead, whose numbers are streets
    and postcodes), for a dateline with a two-digit year ("25. X. 90"); the years nearest the
    dateline decide a tie."""
    parts = [p.text for p in (letter.dateline, letter.closer_dateline, letter.subject) if p]
    parts.append(body_text(letter) if letter.body else "")
    parts += [p.text for p in letter.postscript]
    parts += [note.text for note in letter.notes.values()]
    return century_from_text("\n".join(parts), near=0)


def _read_dateline(
    text: str, locale: str | None, hint: Years | None = None
) -> tuple[DateValue | None, Place | None]:
    found: DateMatch | None = find_date(text, locale, hint)
    if found is not None:
        name = places.place_from_dateline(text[: found.start]) or places.place_from_dateline(
            text[found.end :]
        )
        return found.value, _place(name, "medium") if name else None
    span = weekday_span(text)
    if span is None:
        return None, None
    name = places.place_from_dateline(text[: span[0]])
    return DateValue(text[span[0] : span[1]], cert="low"), _place(name, "medium") if name else None


def _frank_date(letter: Letter, locale: str | None, hint: Years | None) -> DateValue | None:
    """A full date written in the address below the signature (a postmark or frank)."""
    for line in letter.closer_address[:2]:
        found = find_date(line, locale, hint)
        if found is not None and found.value.when:
            value = found.value
            cert = "low" if value.cert == "low" else "medium"
            return DateValue(value.text, when=value.when, cert=cert)
    return None


def _letterhead_place(letter: Letter) -> Place | None:
    for para in letter.letterhead:
        for line in para.text.split("\n"):
            town = places.place_from_postal_line(line)
            if town:
                return _place(town, "medium")
    return None


def _place(name: str, cert: str) -> Place:
    return Place(name, cert=cert, ref=gazetteer.geonames_uri(name))


# -- people and organisations ------------------------------------------------------------------


def _senders(letter: Letter) -> list[Agent]:
    agents = []
    for signatory in letter.signatories:
        agent = signatory.agent
        if agent.name:
            agent = Agent(name=_clean_name(agent.name), roles=agent.roles, orgs=agent.orgs)
        if agent.name or agent.orgs:
            agents.append(agent)
    if agents:
        return agents
    for para in letter.letterhead:
        for line in para.text.split("\n"):
            if names.is_org(line):
                return [Agent(orgs=(line.strip(),), cert="medium")]
    return []


def _clean_name(name: str) -> str:
    cleaned = names.strip_honorifics(names.signature_name(name))
    return cleaned or name


def _recipients(letter: Letter) -> list[Agent]:
    # an address that names a person wins over one that names only an organisation (a
    # letterhead read as an address above, the recipient's address below the signature)
    found = [a for a in (_addressee(letter.address), _addressee(letter.closer_address)) if a]
    from_address = next((a for a in found if a.name), found[0] if found else None)
    from_salute = names.person_from_salute(letter.salute.text) if letter.salute else None
    if from_address is not None and from_address.name:
        return [from_address]
    if from_salute:
        orgs = from_address.orgs if from_address else ()
        return [Agent(name=from_salute, orgs=orgs, cert="medium")]
    return [from_address] if from_address is not None else []


def _addressee(lines: list[str]) -> Agent | None:
    """The person named in an address's first lines (with the organisation below), or the
    organisation the address is for."""
    lines = [line.rstrip(",") for line in lines if not formulas.is_date_line(line)]
    for position, line in enumerate(lines[:4]):
        person = names.person_from_address_line(line)
        if person:
            title, _ = names.split_title(line)
            roles = (title,) if title and names.is_role(title) else ()
            orgs = tuple(x for x in lines[position + 1 : position + 3] if names.is_org(x))
            return Agent(name=person, roles=roles, orgs=orgs[:1])
    for line in lines[:3]:
        words = names.words(line)
        if words and words[0].lower() in names.ADDRESS_MARKERS | {"spett.le", "spettabile"}:
            line = " ".join(words[1:])
        if line and names.is_org(line):
            return Agent(orgs=(line,))
    return None
