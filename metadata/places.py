"""Places named in datelines and addresses.

A postal line ("00170 Helsinki", "D-10117 Berlin", "London SW1A 2AA", "Washington, DC 20500")
names the addressee's town; a dateline ("Helsinki, 13 July 2017", "Helsingissä 5. toukokuuta
2019") names the place of writing. Inflected Finnish locatives are reduced to the nominative
for the towns a letter writer most often names.
"""

from __future__ import annotations

import re

_POSTAL_LINE = (
    re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,6}\s+(?P<place>[^\d,]+?)\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?),?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?)\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\s*$"),
    re.compile(r"^(?P<place>[^\d,]+?)\s+\d{4,6}\s*$"),
)
_FINNISH_LOCATIVES = {
    "helsingissä": "Helsinki",
    "tampereella": "Tampere",
    "turussa": "Turku",
    "oulussa": "Oulu",
    "espoossa": "Espoo",
    "vantaalla": "Vantaa",
    "jyväskylässä": "Jyväskylä",
    "kuopiossa": "Kuopio",
    "lahdessa": "Lahti",
    "porissa": "Pori",
    "vaasassa": "Vaasa",
    "joensuussa": "Joensuu",
    "rovaniemellä": "Rovaniemi",
    "tukholmassa": "Tukholma",
}


def is_postal_line(line: str) -> bool:
    return any(p.match(line.strip()) for p in _POSTAL_LINE)


def place_from_postal_line(line: str) -> str | None:
    for pattern in _POSTAL_LINE:
        match = pattern.match(line.strip())
        if match:
            return match.group("place").strip()
    return None


_DATE_ARTICLE = r"\b(?:le|den|am|il|el|on|the|ce)\s*$"


def place_from_dateline(before_date: str) -> str | None:
    """The place in the part of a dateline before (or after) its date: "Helsinki, " → Helsinki."""
    text = re.sub(_DATE_ARTICLE, "", before_date.strip(" ,.;-–—"), flags=re.IGNORECASE)
    text = text.strip(" ,.;-–—")
    if not text or len(text) > 40 or any(ch.isdigit() for ch in text):
        return None
    # a weekday is not a place
    if text.lower() in _WEEKDAYS:
        return None
    text = text.split(",")[0].strip()
    return _FINNISH_LOCATIVES.get(text.lower(), text) if text[:1].isupper() else None


_WEEKDAYS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag
freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche maanantai tiistai
keskiviikko torstai perjantai lauantai sunnuntai
""".split())
