"""Written dates → ISO 8601: "July 13, 2017", "13th October 1862", "3. März 2021",
"le 14 juillet 1998", "5. toukokuuta 2019", "13.7.2017", "2017-07-13", "25. X. 1890".

:func:`find_date` returns the first date written in a piece of text, with its position, so
a dateline can be split into place and date. Numeric day/month orders that the text alone
cannot settle (07/08/2017) are resolved by the letter's language and marked ``cert="low"``
when even that does not settle them; a wrong exact date is worse than an uncertain one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# Month names by language; genitive/partitive/abbreviated forms share the month number.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "tammikuuta", "tammikuu",
        "januari", "gennaio", "enero", "janeiro", "stycznia"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "helmikuuta", "helmikuu",
        "februari", "febbraio", "febrero", "fevereiro", "lutego"),
    3: ("march", "mar", "märz", "maerz", "mars", "maaliskuuta", "maaliskuu", "marts", "maart",
        "marzo", "março", "marca"),
    4: ("april", "apr", "avril", "huhtikuuta", "huhtikuu", "aprile", "abril", "kwietnia"),
    5: ("may", "mai", "toukokuuta", "toukokuu", "maj", "mei", "maggio", "mayo", "maio", "maja"),
    6: ("june", "jun", "juni", "juin", "kesäkuuta", "kesäkuu", "giugno", "junio", "junho",
        "czerwca"),
    7: ("july", "jul", "juli", "juillet", "heinäkuuta", "heinäkuu", "luglio", "julio", "julho",
        "lipca"),
    8: ("august", "aug", "août", "aout", "elokuuta", "elokuu", "augusti", "augustus", "agosto",
        "sierpnia"),
    9: ("september", "sep", "sept", "septembre", "syyskuuta", "syyskuu", "settembre",
        "septiembre", "setembro", "września"),
    10: ("october", "oct", "oktober", "octobre", "lokakuuta", "lokakuu", "ottobre", "octubre",
         "outubro", "października"),
    11: ("november", "nov", "novembre", "marraskuuta", "marraskuu", "noviembre", "novembro",
         "listopada"),
    12: ("december", "dec", "dezember", "décembre", "decembre", "joulukuuta", "joulukuu",
         "desember", "dicembre", "diciembre", "dezembro", "grudnia"),
}
MONTHS: dict[str, int] = {name: n for n, names in _MONTH_NAMES.items() for name in names}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}
#: languages that write numeric dates month first
_MONTH_FIRST_LANGUAGES = {"en-us"}

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_ROMAN_ALT = "|".join(sorted(_ROMAN, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|º|°)?\.?"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("iso", r"\b(?P<year>1[0-9]{3}|20[0-9]{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        # July 13, 2017 / July 13th 2017
        ("month-day-year",
         rf"\b(?P<month>{_MONTH_ALT})\.?\s+{_DAY},?\s+{_YEAR}\b"),
        # 13 July 2017 / 13th of October 1862 / 3. März 2021 / 14 juillet 1998 / 13 de julio de 2017
        ("day-month-year",
         rf"\b{_DAY}\s*(?:of\s+|de\s+|di\s+)?(?P<month>{_MONTH_ALT})\.?,?\s+(?:de\s+)?{_YEAR}\b"),
        # 25. X. 1890
        ("day-roman-year",
         rf"\b{_DAY}\s*(?P<month>{_ROMAN_ALT})\.\s*(?P<year>1[0-9]{{3}}|20[0-9]{{2}}|\d{{2}})\b"),
        # 13.7.2017 / 13/07/2017 / 7/13/2017
        ("numeric",
         r"\b(?P<a>[0-3]?\d)(?P<sep>[./])\s?(?P<b>[01]?\d)(?P=sep)\s?"
         r"(?P<year>1[0-9]{3}|20[0-9]{2})\b"),
        # July 2017 (month precision)
        ("month-year", rf"\b(?P<month>{_MONTH_ALT})\.?,?\s+{_YEAR}\b"),
    )
)


@dataclass(frozen=True)
class DateValue:
    """A date as written and as ISO 8601 (``when``), or as a range when only approximate."""

    text: str
    when: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    cert: str = "high"


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: DateValue


def find_date(text: str, language: str | None = None) -> DateMatch | None:
    """The earliest valid date written in ``text``, or None."""
    candidates: list[DateMatch] = []
    impossible: list[tuple[int, int]] = []  # "31 February 2017" must not become "February 2017"
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value = _value(name, match, language)
            if value is None:
                impossible.append(match.span())
            else:
                candidates.append(DateMatch(match.start(), match.end(), value))
                break
    candidates = [
        c for c in candidates if not any(s <= c.start and c.end <= e for s, e in impossible)
    ]
    if not candidates:
        return None
    # earliest start; on a tie the longest (and so most precise) match
    return min(candidates, key=lambda m: (m.start, -(m.end - m.start)))


def parse_date(text: str, language: str | None = None) -> DateValue | None:
    """The date written in ``text`` (see :func:`find_date`)."""
    found = find_date(text, language)
    return found.value if found else None


def _value(kind: str, match: re.Match[str], language: str | None) -> DateValue | None:
    text = match.group(0)
    groups = match.groupdict()
    if kind == "numeric":
        return _numeric(text, int(groups["a"]), int(groups["b"]), int(groups["year"]), language)
    year = int(groups["year"])
    if year < 100:  # "25. X. 90": a two-digit year is ambiguous about its century
        return None
    if kind == "iso":
        month = int(groups["month"])
    elif kind == "day-roman-year":
        month = _ROMAN[groups["month"].lower()]
    else:
        month = MONTHS.get(_fold(groups["month"]), 0) or MONTHS.get(groups["month"].lower(), 0)
    if kind == "month-year":
        return DateValue(text, when=f"{year:04d}-{month:02d}") if month else None
    return _checked(text, year, month, int(groups["day"]))


def _numeric(text: str, a: int, b: int, year: int, language: str | None) -> DateValue | None:
    day_first = _checked(text, year, b, a)
    month_first = _checked(text, year, a, b)
    if day_first and month_first and a != b:
        prefers_month_first = (language or "").lower() in _MONTH_FIRST_LANGUAGES
        chosen = month_first if prefers_month_first else day_first
        cert = "medium" if language else "low"
        return DateValue(text, when=chosen.when, cert=cert)
    return day_first or month_first


def _checked(text: str, year: int, month: int, day: int) -> DateValue | None:
    try:
        return DateValue(text, when=date(year, month, day).isoformat())
    except ValueError:
        return None


def _fold(word: str) -> str:
    word = word.lower()
    if word in MONTHS:
        return word
    stripped = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in stripped if not unicodedata.combining(ch))


def display(value: DateValue) -> str:
    """A human-readable form of an ISO date: "13 July 2017"."""
    if not value.when:
        return value.text
    parts = value.when.split("-")
    names = [names[0].capitalize() for _, names in sorted(_MONTH_NAMES.items())]
    if len(parts) == 3:
        return f"{int(parts[2])} {names[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{names[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]
