"""Places named in datelines and addresses.

A postal line ("00170 Helsinki", "D-10117 Berlin", "London SW1A 2AA", "Washington, DC 20500",
"111 43 Stockholm", "3512 NS Utrecht") names a town; a dateline ("Helsinki, 13 July 2017",
"Bern den 19 März 1854", "Firenze, addì 11 Juillet 1871") names the place of writing.
Finnish writes the place of writing in the inessive or adessive ("Helsingissä", "Turussa",
"Tampereella"): the nominative is found by undoing the case ending and consonant gradation,
and kept only when the gazetteer knows the town.
"""

from __future__ import annotations

import re

from metadata import gazetteer
from metadata.dates import find_date

_POSTAL_LINE = (
    re.compile(r"^\d{4}\s?[A-Z]{2}\s+(?P<place>[^\d,]+?)\s*$"),
    re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,6}\s+(?P<place>[^\d,]+?)(?:\s+[A-ZÆØÅ]{1,2})?\s*$"),
    re.compile(r"^(?:[A-Z]{1,2}-)?\d{3}\s\d{2}\s+(?P<place>[^\d,]+?)\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?),?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?)\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?)\s+\d{4,6}\s*$"),
)
_US_POSTAL = re.compile(r",?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\s*$")

#: irregular Finnish locatives of towns letter writers often name
_FINNISH_LOCATIVES = {
    "helsingissä": "Helsinki",
    "turussa": "Turku",
    "lahdessa": "Lahti",
    "tukholmassa": "Tukholma",
    "pietarissa": "Pietari",
}
_FINNISH_ENDING = re.compile(r"^(?P<stem>\w+?)(?:ssa|ssä|lla|llä)$", re.IGNORECASE)
#: weak → strong grade of the consonant before the ending (Helsingi- → Helsinki)
_GRADATION = (("ng", "nk"), ("mm", "mp"), ("nn", "nt"), ("ll", "lt"), ("rr", "rt"), ("d", "t"),
              ("v", "p"), ("", "k"))  # fmt: skip


def is_postal_line(line: str) -> bool:
    return any(p.match(line.strip()) for p in _POSTAL_LINE)


def is_us_postal_line(line: str) -> bool:
    """ "Portland, ME 04101": a US state and ZIP code (the letter's locale is en-US)."""
    return bool(_US_POSTAL.search(line.strip())) and is_postal_line(line)


def place_from_postal_line(line: str) -> str | None:
    for pattern in _POSTAL_LINE:
        match = pattern.match(line.strip())
        if match:
            return match.group("place").strip()
    return None


def place_from_address(lines: list[str]) -> str | None:
    """The town of an address: its postal line, else a last line the gazetteer knows
    ("Zürich.", "Sandefjord"), else the place after a dash ("TO F. RIES,--LONDON.")."""
    lines = [line for line in lines if find_date(line) is None]
    for line in reversed(lines):
        town = place_from_postal_line(line)
        if town:
            return town
    for line in reversed(lines[1:] or lines):
        candidate = re.split(r"[-–—]{2,}", line)[-1].strip(" .,;")
        if candidate and len(candidate.split()) <= 3 and gazetteer.is_known_place(candidate):
            return candidate[:1] + candidate[1:].lower() if candidate.isupper() else candidate
    return None


_DATE_WORDS = re.compile(
    r"(?:\b(?:le|den|am|il|el|on|the|ce|addì|li|lì|a|à|i|d\.?|dn\.?|dato|ad|anno|this|este|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)[’'`]?\s*)+$",
    re.IGNORECASE,
)
#: "from" before the place in older datelines: "Di Venetia", "Dall'Haya", "De Genesve",
#: "Desde Ginebra", "Aus Wien"
_FROM = re.compile(r"^(?:di|da|dal|dall[’']|dalla|de|desde|aus|von|from|van|depuis)\s*\b", re.I)


def place_from_dateline(before_date: str) -> str | None:
    """The place in the part of a dateline before (or after) its date: "Helsinki, " → Helsinki,
    "Firenze, addì " → Firenze, "Wien, IX. Frankgasse 1." → Wien, "Helsingissä" → Helsinki."""
    text = before_date.strip(" ,.;-–—\n")
    text = _DATE_WORDS.sub("", text).strip(" ,.;-–—\n")
    if not text:
        return None
    text = re.split(r",|\n", text)[0].strip(" .")
    if _FROM.match(text) and not gazetteer.is_known_place(text):
        text = _FROM.sub("", text).strip(" .") or text
    if not text or len(text) > 40 or any(ch.isdigit() for ch in text) or len(text.split()) > 4:
        return None
    if not text[:1].isupper() or text.lower() in _NOT_PLACES:
        return None
    if _TITLED.match(text) and not gazetteer.is_known_place(text):
        return None  # "Dr. Arthur Schnitzler" over a date glued to it: the letterhead's name
    if text.isupper() and len(text) > 3:
        text = text.title()
    return finnish_nominative(text) or _city_of_district(text) or text


#: a title opens a person's name, never a town's
_TITLED = re.compile(r"^(?:dr|prof|herr|herrn|frau|mr|mrs|ms|miss|monsieur|madame)\b\.?\s", re.I)
#: a town's postal district after its name: "Berlin W", "Wien XVIII", "Wien-Döbling"
_DISTRICT = re.compile(r"^(?P<town>[^\W\d][\w'’ ]*?)(?:\s+(?:[IVX]{1,5}|[A-Z]{1,2})\.?|-\w+)$")


def _city_of_district(text: str) -> str | None:
    """The town of a district the gazetteer does not know by itself ("Wien-Döbling" → Wien)."""
    match = _DISTRICT.match(text)
    if match is None or gazetteer.is_known_place(text):
        return None
    town = match["town"].strip()
    return town if gazetteer.is_known_place(town) else None


def finnish_nominative(word: str) -> str | None:
    """ "Tampereella" → "Tampere", "Oulussa" → "Oulu", "Helsingissä" → "Helsinki"."""
    known = _FINNISH_LOCATIVES.get(word.lower())
    if known:
        return known
    match = _FINNISH_ENDING.match(word)
    if not match or " " in word:
        return None
    stem = match.group("stem")
    for candidate in _nominative_candidates(stem):
        city = gazetteer.lookup(candidate)
        if city is not None and city.country == "FI":
            return city.name
    return None


def _nominative_candidates(stem: str) -> list[str]:
    forms = [stem, stem[:-1]] if len(stem) > 3 and stem[-1] == stem[-2] else [stem]
    forms += [f"{stem[:-1]}i"] if stem.endswith("e") else []
    out: list[str] = []
    for form in forms:
        out.append(form)
        for weak, strong in _GRADATION:
            if weak and weak in form[-4:]:
                at = form.rindex(weak)
                out.append(form[:at] + strong + form[at + len(weak) :])
            elif not weak and len(form) > 2:
                out.append(form[:-1] + "k" + form[-1])
    return out


_NOT_PLACES = frozenset(
    """
monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag
freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche maanantai tiistai
keskiviikko torstai perjantai lauantai sunnuntai dear my sir madam confidential confidentielle
vertraulich private privat
""".split()
)
