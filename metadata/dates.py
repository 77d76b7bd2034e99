"""Written dates → ISO 8601: "July 13, 2017", "13th October 1862", "3. März 2021",
"le 14 juillet 1998", "5. toukokuuta 2019", "13.7.2017", "2017-07-13", "25. X. 1890",
"Jany 12th 1819", "November twenty two 1821"; the old spellings and glued forms of 16th–19th
century datelines ("li 3 Xbre 1620", "le 3e d'aoust 1549", "den 5ten Jenner 1799",
"Zürich,den3.März1860", "Brünn22/5 1890", "Wien, 22/I 93"); and approximate ones as ranges:
"circa 1820", "Spring 1916", "[1. Hälfte Juni 1895]", "18/19 Juli 1855", "[vor dem 15. 11. 1912?]".

:func:`find_date` returns the first date written in a piece of text, with its position, so a
dateline can be split into place and date. A wrong exact date is worse than an uncertain one:

* numeric day/month orders the text cannot settle (07/08/2017) follow the letter's locale
  (month first only for US English); they are ``cert="medium"`` in English without a locale
  and ``"low"`` when the language is unknown;
* a two-digit year ("25. X. 90", "3/5/87") names no century: given the :class:`Years` the
  letter was written in (the century its other years fall in, see :func:`century_from_text`,
  or the span of a collection the user names) it is read as the one year there that ends so,
  with ``cert="medium"``; without them the date keeps its text but gets no ISO value;
* a three-digit year ("15. 2. 907", "27 zugno 622") leaves out the millennium: 1907, 1622
  (``cert="medium"``), unless the :class:`Years` given exclude it; a one-digit year is read
  only at the end of a dateline and within the years given ("Tübingen 13 April 9"), and so is
  a roman year of the century ("26 Oct. VII.");
* a day and month without a year ("Hof den 23 August", "Jan 5.") are a date only where a
  dateline writes them — after a place, a weekday or "den", before nothing but the time of
  day — and only when the text writes no date with a year; they keep their text, no ISO
  value, ``cert="low"``;
* a number after "No.", "Nr.", "S.", "page"… is not a day ("No. 5 of 1820");
* editorial brackets make a date ``cert="medium"``, a question mark ``"low"``;
* "circa" spans five years either side (``cert="low"``), a season its three months, a half or
  beginning/middle/end of a month its part of that month (``cert="medium"``).

:func:`weekday_span` finds a weekday-only dateline ("Thursday", "Tuesday Morng").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

# Month names by language; genitive/partitive/abbreviated/old forms share the month number.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "jany", "janr", "januar", "jänner", "janvier", "janv", "tammikuuta",
        "tammikuu", "januari", "gennaio", "genn", "enero", "janeiro", "stycznia"),
    2: ("february", "feb", "feby", "febr", "februar", "feber", "février", "fevrier", "févr",
        "helmikuuta", "helmikuu", "februari", "febbraio", "febrero", "fevereiro", "lutego"),
    3: ("march", "mar", "märz", "maerz", "mars", "maaliskuuta", "maaliskuu", "marts", "maart",
        "marzo", "março", "marca"),
    4: ("april", "apr", "avril", "huhtikuuta", "huhtikuu", "aprile", "abril", "kwietnia"),
    5: ("may", "mai", "toukokuuta", "toukokuu", "maj", "mei", "maggio", "mayo", "maio", "maja"),
    6: ("june", "jun", "juny", "juni", "juin", "kesäkuuta", "kesäkuu", "giugno", "junio",
        "junho", "czerwca"),
    7: ("july", "jul", "juli", "juillet", "heinäkuuta", "heinäkuu", "luglio", "julio", "julho",
        "lipca"),
    8: ("august", "aug", "augt", "août", "aout", "elokuuta", "elokuu", "augusti", "augustus",
        "agosto", "sierpnia"),
    9: ("september", "sep", "sept", "septr", "septembre", "syyskuuta", "syyskuu", "settembre",
        "septiembre", "setiembre", "setembro", "września"),
    10: ("october", "oct", "octr", "oktober", "okt", "octobre", "lokakuuta", "lokakuu",
         "ottobre", "octubre", "outubro", "października"),
    11: ("november", "nov", "novr", "novembre", "marraskuuta", "marraskuu", "noviembre",
         "novembro", "listopada"),
    12: ("december", "dec", "decr", "dezember", "dez", "décembre", "decembre", "joulukuuta",
         "joulukuu", "desember", "dicembre", "diciembre", "dezembro", "grudnia"),
}  # fmt: skip
#: spellings of the 16th–19th centuries: German (Jenner, Hornung, Mertz, Septbr.), Italian
#: (genaro, febraro, zugno), French (aoust, febvrier), Latin genitives (Octobris, Maii), Dutch
#: (Junij), and the numbered months "7bre"–"Xbre" (September is the seventh month counted from
#: March) with their German forms "8ber", "9br."
_OLD_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("jenner", "jenn", "jänn", "jän", "janu", "janry", "janvr", "januarius", "januarii",
        "ianuarii", "ianuarius", "januarij", "genaro", "gennaro", "genaio", "henero"),
    2: ("hornung", "fbr", "febru", "febry", "febvrier", "febraro", "febbraro", "febraio",
        "februarius", "februarii", "februarij", "hebrero"),
    3: ("mertz", "merz", "märtz", "martz", "mart", "marz", "martius", "martii", "marzio"),
    4: ("aprill", "aprille", "aprilis", "aprili", "aprilj", "avrill"),
    5: ("maii", "maji", "majus", "maius", "mey"),
    6: ("junius", "junii", "junij", "juniu", "zugno", "giungo", "giugnio", "juing"),
    7: ("julius", "julii", "julij", "julj", "jl", "luio", "lulio", "iulii", "juliet",
        "juilliet", "juillett"),
    8: ("augusti", "augustmonat", "aoust", "aoûst", "agusto", "aougst"),
    9: ("septbr", "septemb", "septembris", "setembre", "7bre", "7ber", "7br", "7bris",
        "7mbre", "7embre"),
    10: ("octob", "octbr", "oktbr", "octobr", "octobris", "otobre", "obr", "8bre", "8ber",
         "8br", "8bris", "8obre", "8mbre"),
    11: ("novbr", "novemb", "novembris", "nouembre", "9bre", "9ber", "9br", "9bris", "9mbre"),
    12: ("decbr", "dezbr", "decemb", "decembris", "xbre", "xber", "xbr", "xbris", "10bre",
         "10ber", "xmbre"),
}  # fmt: skip
MONTHS: dict[str, int] = {
    name: n
    for table in (_MONTH_NAMES, _OLD_MONTH_NAMES)
    for n, names in table.items()
    for name in names
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}  # fmt: skip
#: languages (BCP 47, lower case) that write numeric dates month first
MONTH_FIRST_LOCALES = frozenset({"en-us"})

_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_ORDINAL_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth"]  # fmt: skip
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]  # fmt: skip
_ORDINAL_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                  "sixteenth", "seventeenth", "eighteenth", "nineteenth"]  # fmt: skip


def _number_words() -> dict[str, int]:
    """English day numbers in words, cardinal and ordinal: "twenty two", "twenty-second"."""
    words: dict[str, int] = {}
    for n, (cardinal, ordinal) in enumerate(zip(_UNITS, _ORDINAL_UNITS, strict=True), start=1):
        words[cardinal], words[ordinal] = n, n
    for n, (cardinal, ordinal) in enumerate(zip(_TEENS, _ORDINAL_TEENS, strict=True), start=10):
        words[cardinal], words[ordinal] = n, n
    words["twenty"], words["twentieth"], words["thirty"], words["thirtieth"] = 20, 20, 30, 30
    for tens, base in (("twenty", 20), ("thirty", 30)):
        for n, (cardinal, ordinal) in enumerate(zip(_UNITS, _ORDINAL_UNITS, strict=True), 1):
            if base + n <= 31:
                for sep in (" ", "-"):
                    words[f"{tens}{sep}{cardinal}"] = base + n
                    words[f"{tens}{sep}{ordinal}"] = base + n
    return words


DAY_WORDS = _number_words()


def _alternation(names: object) -> str:
    return "|".join(sorted((re.escape(str(n)) for n in names), key=len, reverse=True))


def _month_alternation(names: object) -> str:
    """Month names longest first; one that starts with a digit ("7bre") must not continue a
    number ("27bre" is not the 2nd of September)."""
    alternatives = sorted((str(n) for n in names), key=len, reverse=True)
    return "|".join(
        rf"(?<!\d){re.escape(n)}" if n[:1].isdigit() else re.escape(n) for n in alternatives
    )


_MONTH_ALT = _month_alternation(MONTHS)
_ROMAN_ALT = _alternation(_ROMAN)
_DAYWORD_ALT = _alternation(DAY_WORDS)
#: ordinal endings: English (4th, 22d), German (5ten, 26t), French (3e, 1er, 3ème), Romance (1º,
#: 2°, 3o); German and English ones also after a space ("16 ten", "28 th1821")
_SUFFIX = (
    r"(?:\s?(?:ten|ter|te|th|st|nd|rd)(?![^\W\d])|st|nd|rd|th|ten|ter|te|de|er|ème|me|e|d|t|º|°|o)?"
)
#: a date starts where no number goes on: "Wien,27.Oct.1911", "den3.März1860" are glued
_START = r"(?<![\d])"
_DAY = rf"{_START}(?P<day>[0-3]?\d){_SUFFIX}\.?"
#: after a day, a space may be missing when an ending or a period shows where the day ends
_AFTER_DAY = r",?(?:(?<=\D)\s*|\s+)"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
#: a year after a written month may also be three digits ("796" for 1796: the millennium left
#: out), two ("Oct. 11") or, at the end of a dateline, one ("Tübingen 13 April 9": Jean Paul's
#: 1809), the last two completed within :class:`Years` — but not an hour ("5 Mai 11 Uhr"); an
#: editor's parenthesis may hold it ("10 de julio (1538)")
_SHORT_YEAR = (
    r"[(\[]?(?P<year>1[0-9]{3}|20[0-9]{2}|[5-9][0-9]{2}|[0-9]{2}|[0-9](?=[.,;:)\]]?\s*$))"
    r"(?![\d])"
    r"(?!\s*(?:uhr|h\b|hrs?\b|o['’]?\s?clock|[:.]\d))"
)
_MONTH = rf"(?P<month>{_MONTH_ALT})[.:]?"
#: words between a day and its month ("13th of October", "le 3e d'aoust", "li 12 di Marzo")
_OF = r"(?:of\s+|de\s+|di\s+|del\s+|d['’]\s*)?"
#: words between a month and its year ("de 1820", "del 1620", "anno 1620")
_YEAR_OF = r"(?:de\s+|del\s+|anno\s+)?"
#: a month glued to the word before it in camel case ("Three Mile CrossAugust 24th")
_MONTH_START = r"(?:\b|(?-i:(?<=[a-zäöüß])(?=[A-Z])))"
_ROMAN_UPPER = _alternation(
    r.upper() for r in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
)
#: a roman year of the century after a written month ("26 Oct. VII."), read within Years
_ROMAN_YEAR = r"(?-i:(?P<ryear>(?=[IVXL])L?X{0,4}(?:IX|IV|V?I{0,3})))(?:\.|$)"

_SEASONS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("spring", "frühjahr", "frühling", "printemps", "vår", "våren", "kevät",
                     "keväällä", "primavera", "lente", "voorjaar"), (3, 5)),
    **dict.fromkeys(("summer", "sommer", "sommar", "sommaren", "sommeren", "été", "kesä",
                     "kesällä", "estate", "verano", "zomer"), (6, 8)),
    **dict.fromkeys(("autumn", "fall", "herbst", "automne", "höst", "hösten", "høst", "høsten",
                     "efterår", "syksy", "syksyllä", "autunno", "otoño", "herfst", "najaar"),
                    (9, 11)),
    **dict.fromkeys(("winter", "hiver", "vinter", "vintern", "vinteren", "talvi", "talvella",
                     "inverno", "invierno"), (1, 12)),
}  # fmt: skip
_SEASON_ALT = _alternation(_SEASONS)
#: parts of a month: first day, last day (0 = the month's last day)
_PARTS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("1. hälfte", "erste hälfte", "first half of", "first half", "première "
                     "moitié de", "prima metà di", "första hälften av"), (1, 15)),
    **dict.fromkeys(("2. hälfte", "zweite hälfte", "second half of", "second half",
                     "seconde moitié de", "seconda metà di", "andra hälften av"), (16, 0)),
    **dict.fromkeys(("anfang", "early", "début", "begin", "inizio", "principios de",
                     "primi di", "början av", "i början av", "alussa"), (1, 10)),
    **dict.fromkeys(("mitte", "mid", "mid-", "mi-", "midden", "metà", "mediados de",
                     "mitten av", "i mitten av"), (11, 20)),
    **dict.fromkeys(("ende", "late", "fin", "eind", "fine", "finales de", "slutet av",
                     "i slutet av", "lopussa"), (21, 0)),
}  # fmt: skip
_PART_ALT = _alternation(_PARTS)
_APPROX = r"(?:circa|ca\.|c\.|um|vers|environ|omkring|cirka|noin|verso|hacia|omstreeks|rond|about)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("circa", rf"\b{_APPROX}\s*{_YEAR}\b"),
        ("season", rf"\b(?P<season>{_SEASON_ALT})\s+(?:of\s+|de\s+|del\s+|des\s+)?{_YEAR}\b"),
        ("part", rf"(?<!\w)(?P<part>{_PART_ALT})[\s-]*(?:de\s+|of\s+)?{_MONTH},?\s+{_YEAR}\b"),
        (
            "day-range",
            rf"\b(?P<day>[0-3]?\d){_SUFFIX}\.?\s*[/–-]\s*(?P<day2>[0-3]?\d){_SUFFIX}\.?\s*"
            rf"(?:de\s+)?{_MONTH},?\s+(?:de\s+)?{_YEAR}\b",
        ),
        ("iso", r"\b(?P<year>1[0-9]{3}|20[0-9]{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        # July 13, 2017 / Jany12th 1819 / November twenty two 1821 / Jany 24th1820
        (
            "month-day-year",
            rf"{_MONTH_START}{_MONTH}\s*(?:the\s+)?(?:(?P<dayword>{_DAYWORD_ALT})\b,?\s+|"
            rf"{_DAY}{_AFTER_DAY}){_YEAR}\b",
        ),
        # 13 July 2017 / 13th of October 1862 / 3. März 2021 / 13 de julio de 2017 /
        # Wien,27.Oct.1911 / den 7 ten Fbr 98 / Bayreuth den 7ten Februar 796
        (
            "day-month-year",
            rf"{_DAY}\s*{_OF}{_MONTH},?\s*{_YEAR_OF}{_SHORT_YEAR}",
        ),
        # Bayreuth 26 Oct. VII.
        ("day-month-roman-year", rf"{_DAY}\s*{_OF}{_MONTH},?\s*{_ROMAN_YEAR}"),
        (
            "dayword-month-year",
            rf"\b(?:the\s+)?(?P<dayword>{_DAYWORD_ALT})\s+(?:day\s+)?of\s+{_MONTH},?\s+{_YEAR}\b",
        ),
        # Leipzig. 1785, den 17. April.
        (
            "year-day-month",
            rf"\b{_YEAR},?\s+(?:den\s+|d\.\s*|le\s+|li\s+)?{_DAY}\s*{_OF}{_MONTH}(?!\w)",
        ),
        # 25. X. 1890 / 8. IV. 95 / 22/I 93 / Wien24. XI. 92. / 22 II 93
        (
            "day-roman-year",
            rf"{_START}(?P<day>[0-3]?\d)\.?\s*/?\s*(?:(?P<month>{_ROMAN_ALT})\.|"
            rf"(?-i:(?P<umonth>{_ROMAN_UPPER}))\b)\s*"
            rf"(?P<year>1[0-9]{{3}}|20[0-9]{{2}}|[5-9][0-9]{{2}}|\d{{2}})(?!\d)(?![./-]\d)",
        ),
        # VI.18.31.
        (
            "roman-day-year",
            rf"\b(?P<month>{_ROMAN_ALT})\.\s*(?P<day>[0-3]?\d)\.\s*(?P<year>1[0-9]{{3}}|\d{{2}})\b",
        ),
        # 13.7.2017 / 13/07/2017 / 7/13/2017 / 13. 6. 94 / 15. 2. 907
        (
            "numeric",
            r"(?<![\d.])(?P<a>[0-3]?\d)(?P<sep>[./-])\s?(?P<b>[01]?\d)(?P=sep)\s?"
            r"(?P<year>1[0-9]{3}|20[0-9]{2}|[5-9][0-9]{2}|\d{2})(?!\d)(?![./-]\d)",
        ),
        # Brünn 22/5 1890 / Wien7/12 91. / den 22./10. 98. / 4/7 900.: day/month, then a space
        (
            "numeric",
            r"(?<![\d./])(?P<a>[0-3]?\d)\.?/\s?(?P<b>[01]?\d)\.?\s+"
            r"(?P<year>1[0-9]{3}|20[0-9]{2}|[5-9][0-9]{2}|\d{2})(?!\d)(?![./-]\d)",
        ),
        # April 1820 / mayo de 1545 / maggio del 1616
        ("month-year", rf"\b{_MONTH},?\s+(?:de\s+|del\s+|of\s+)?{_YEAR}\b"),
        # dates without a year, taken only when nothing with a year is written (see
        # _YEARLESS): "Hof den 23 August", "den 4ten Aprill", "Jan 5.", "October 12th."
        ("day-month", rf"{_DAY}\s*{_OF}{_MONTH}(?!\w)"),
        (
            "month-day",
            rf"{_MONTH_START}{_MONTH}\s*(?:the\s+)?{_START}(?P<day>[0-3]?\d)"
            rf"(?:(?:st|nd|rd|th|d)\b\.?|\.)",
        ),
    )
)
#: patterns that write no year: a dateline's date all the same, with its text and no ISO value
_YEARLESS = frozenset({"day-month", "month-day"})
#: words that may stand before a date without a year besides a place and a weekday
_YEARLESS_WORDS = frozenset(
    "le la den dem am d dn ce li lì il a à a' a’ adì addì the this de di da el en on sive im in "
    "zu bei".split()
)
#: what may follow it: punctuation, or the time of day ("9 Abends", "früh", "Morgens")
_YEARLESS_AFTER = re.compile(
    r"^[\s,.;:!()\[\]–—-]*(?:$|(?:\d{1,2}\s*(?:uhr\b)?\s*)?(?:morgens|abends|früh|frühe|"
    r"nachts|mittags|vormittags|nachmittags|morgen|abend|nacht|mittag|morning|evening|night|"
    r"noon|matin|soir|mattina|sera|in\s+der|um\b|\d{1,2}\s*uhr))",
    re.IGNORECASE,
)
#: a number that is a page, an issue or a house, not a day: "No. 5 of 1820", "S. 27. Oct."
_NUMBER_BEFORE = re.compile(
    r"(?:\b(?:no|nr|nro|num|numero|número|nummer|n|p|pp|s|page|pages|seite|seiten|fol|vol|bd|"
    r"heft|art|tel|fax)\.?|\b[nN][º°o]\.?|§|#)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateValue:
    """A date as written and as ISO 8601 (``when``), or as a range when only approximate."""

    text: str
    when: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    cert: str = "high"

    @property
    def iso(self) -> str | None:
        """The ISO value a catalogue shows: ``when``, else the start of the range."""
        return self.when or self.not_before or self.not_after


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: DateValue


@dataclass(frozen=True)
class Years:
    """The years a letter may have been written in, which complete a two-digit year."""

    first: int
    last: int

    @classmethod
    def century(cls, century: int) -> Years:
        """19 → the years 1900–1999."""
        return cls(century * 100, century * 100 + 99)

    def complete(self, two_digits: int) -> int | None:
        """The one year of the span that ends in ``two_digits`` (None if none or several)."""
        years = [y for y in range(self.first, self.last + 1) if y % 100 == two_digits]
        return years[0] if len(years) == 1 else None


def find_date(
    text: str, language: str | None = None, years: Years | None = None
) -> DateMatch | None:
    """The earliest date written in ``text`` (exact, partial or approximate), or None.

    ``years`` completes two-digit years."""
    if not _TWO_DIGITS.search(text):
        return None  # every pattern writes a year (or a two-digit one): most lines have none
    if len(text) <= _CACHED_CHARS:
        return _find_date_cached(text, language, years)
    return _find_date(text, language, years)


#: what every date pattern needs somewhere: a digit ("Jan 5." writes only one)
_TWO_DIGITS = re.compile(r"\d")
#: the passes ask about the same short lines again and again: their answers are kept
_CACHED_CHARS = 300


@lru_cache(maxsize=4096)
def _find_date_cached(text: str, language: str | None, years: Years | None) -> DateMatch | None:
    return _find_date(text, language, years)  # immutable: safe to hand out again


def _find_date(text: str, language: str | None, years: Years | None) -> DateMatch | None:
    candidates: list[DateMatch] = []
    yearless: list[DateMatch] = []
    impossible: list[tuple[int, int]] = []  # "31 February 2017" must not become "February 2017"
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if _NUMBER_BEFORE.search(text, 0, match.start()):
                continue  # "No. 5 of 1820", "S. 27. Oct.": a number, not a day
            if name in _YEARLESS and not _yearless_context(text, match):
                continue
            value = _value(name, match, language, years)
            if value is None:
                impossible.append(match.span())
            else:
                found = DateMatch(match.start(), match.end(), value)
                (yearless if name in _YEARLESS else candidates).append(found)
    # a date without a year only when the text writes none with one
    candidates = candidates or yearless
    candidates = [
        c for c in candidates if not any(s <= c.start and c.end <= e for s, e in impossible)
    ]
    if not candidates:
        return None
    # earliest start; on a tie the longest (and so most precise) match
    best = min(candidates, key=lambda m: (m.start, -(m.end - m.start)))
    return _with_context(text, best)


def _yearless_context(text: str, match: re.Match[str]) -> bool:
    """Whether a day and month without a year stand as a dateline does: after a place, a
    weekday or "den"/"le"/"the" only, and before nothing but punctuation or the time of day
    ("Hof den 23 August", "Sonnabend den 1. Juny.", "October 12th."), not inside a sentence
    ("Er kam am 5. Mai zurück")."""
    if not _YEARLESS_AFTER.match(text[match.end() :]):
        return False
    for token in text[: match.start()].split():
        bare = token.strip(",.;:()[]–—-")
        if not bare or bare[:1].isupper() or bare.lower() in _YEARLESS_WORDS:
            continue
        if bare.lower() in WEEKDAYS:
            continue
        return False
    return True


def parse_date(
    text: str, language: str | None = None, years: Years | None = None
) -> DateValue | None:
    """The date written in ``text`` (see :func:`find_date`)."""
    found = find_date(text, language, years)
    return found.value if found else None


_BEFORE = re.compile(r"\b(?:vor dem|vor|before|avant le|avant|före|ennen)\s+$", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:nach dem|nach|after|après le|après|efter)\s+$", re.IGNORECASE)


def _with_context(text: str, found: DateMatch) -> DateMatch:
    """Widen the match over a bound ("vor dem …"), editorial brackets and a question mark."""
    start, end, value = found.start, found.end, found.value
    for pattern, side in ((_BEFORE, "before"), (_AFTER, "after")):
        bound = pattern.search(text[:start])
        if bound and value.when and len(value.when) == 10:
            start, value = bound.start(), _bounded(value, side)
            break
    rest = text[end:]
    query = rest.lstrip().startswith("?")
    if query:
        end = text.index("?", end) + 1
        value = replace(value, cert="low")
    opened = text[:start].rstrip().endswith("[")
    if opened and text[end:].lstrip().startswith("]"):
        start, end = text.rindex("[", 0, start), text.index("]", end) + 1
        if value.cert == "high":
            value = replace(value, cert="medium")
    return DateMatch(start, end, replace(value, text=text[start:end].strip()))


def _bounded(value: DateValue, side: str) -> DateValue:
    day = date.fromisoformat(value.when or "")
    if side == "before":
        return DateValue(value.text, not_after=(day - timedelta(days=1)).isoformat(), cert="medium")
    return DateValue(value.text, not_before=(day + timedelta(days=1)).isoformat(), cert="medium")


def _value(
    kind: str, match: re.Match[str], language: str | None, years: Years | None = None
) -> DateValue | None:
    text = match.group(0)
    groups = match.groupdict()
    if kind == "circa":
        year = int(groups["year"])
        return DateValue(text, not_before=f"{year - 5:04d}", not_after=f"{year + 5:04d}",
                         cert="low")  # fmt: skip
    if kind == "season":
        return _season(text, groups["season"], int(groups["year"]))
    if kind == "numeric":
        full, inferred = _full_year(groups["year"], years)
        value = _numeric(text, int(groups["a"]), int(groups["b"]), full, language)
        return _inferred(value) if inferred and value and value.when else value
    month = _month(kind, groups.get("umonth") or groups["month"])
    if not month:
        return None
    day = DAY_WORDS[groups["dayword"].lower()] if groups.get("dayword") else None
    if day is None and groups.get("day"):
        day = int(groups["day"])
    if kind in _YEARLESS:
        return _undated_day(text, month, day or 0)
    if groups.get("ryear"):  # "26 Oct. VII.": the seventh year of a century
        two = _roman_number(groups["ryear"])
        full, inferred = (years.complete(two) if years and two < 100 else None), True
    else:
        full, inferred = _full_year(groups["year"], years)
    if full is None:  # "25. X. 90": a two-digit year names no century
        return _undated_day(text, month, day) if day is not None else None
    if kind == "month-year":
        return DateValue(text, when=f"{full:04d}-{month:02d}")
    if kind == "part":
        return _part(text, groups["part"], full, month)
    assert day is not None  # every other pattern writes a day
    if kind == "day-range":
        return _day_range(text, full, month, day, int(groups["day2"]))
    value = _checked(text, full, month, day)
    # a year the editor supplied in brackets ("10 de julio (1538)") is theirs, not the writer's
    return _inferred(value) if inferred or "(" in text or "[" in text else value


def _full_year(written: str, years: Years | None) -> tuple[int | None, bool]:
    """The year a date writes, and whether it was inferred: four digits as written; three
    ("907", "796") with the millennium they leave out, when the years allow it; two within
    ``years`` (None when they do not settle it)."""
    if len(written) == 4:
        return int(written), False
    if len(written) == 3:
        full = 1000 + int(written)
        if years is not None and not years.first <= full <= years.last:
            return None, True
        return full, True
    return (years.complete(int(written)) if years else None), True


_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman_number(written: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in written.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v
               for i, v in enumerate(values))  # fmt: skip


def _month(kind: str, written: str) -> int:
    if kind in {"iso"}:
        return int(written)
    if kind in {"day-roman-year", "roman-day-year"}:
        return _ROMAN.get(written.lower(), 0)
    return MONTHS.get(written.lower(), 0) or MONTHS.get(_fold(written), 0)


def _inferred(value: DateValue | None) -> DateValue | None:
    """A date whose century was inferred is at best ``cert="medium"``."""
    if value is None or value.cert == "low":
        return value
    return replace(value, cert="medium")


_YEAR_IN_TEXT = re.compile(r"(?<![\d.,/-])(1[5-9]\d\d|20\d\d)(?![\d/-]|[.,]\d)")


def century_from_text(text: str, near: int | None = None) -> int | None:
    """The century of the four-digit years (1500–2099) written in ``text``: the most frequent
    one; on a tie, that of the year written nearest position ``near`` (else the first). None
    when the text writes no such year. "seit dem Sommer 1909" → 19."""
    found = [(int(m.group(1)), m.start()) for m in _YEAR_IN_TEXT.finditer(text)]
    if not found:
        return None
    counts: dict[int, int] = {}
    for year, _ in found:
        counts[year // 100] = counts.get(year // 100, 0) + 1
    best = max(counts.values())
    tied = [(year, at) for year, at in found if counts[year // 100] == best]
    if near is not None:
        tied.sort(key=lambda item: abs(item[1] - near))
    return tied[0][0] // 100


def _undated_day(text: str, month: int, day: int) -> DateValue | None:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return DateValue(text, cert="low")


def _season(text: str, season: str, year: int) -> DateValue:
    first, last = _SEASONS[season.lower()]
    return DateValue(text, not_before=f"{year:04d}-{first:02d}", not_after=f"{year:04d}-{last:02d}",
                     cert="medium")  # fmt: skip


def _part(text: str, part: str, year: int, month: int) -> DateValue:
    first, last = _PARTS[" ".join(part.lower().split())]
    last = last or calendar.monthrange(year, month)[1]
    return DateValue(text, not_before=date(year, month, first).isoformat(),
                     not_after=date(year, month, last).isoformat(), cert="medium")  # fmt: skip


def _day_range(text: str, year: int, month: int, first: int, last: int) -> DateValue | None:
    start, end = _checked(text, year, month, first), _checked(text, year, month, last)
    if start is None or end is None or first >= last:
        return None
    return DateValue(text, not_before=start.when, not_after=end.when)


def _numeric(text: str, a: int, b: int, year: int | None, language: str | None) -> DateValue | None:
    if year is None:
        return _undated_day(text, b, a) or _undated_day(text, a, b)
    day_first = _checked(text, year, b, a)
    month_first = _checked(text, year, a, b)
    if day_first and month_first and a != b:
        locale = (language or "").lower()
        chosen = month_first if locale in MONTH_FIRST_LOCALES else day_first
        # English is written both ways; other languages and explicit locales write one
        cert = "low" if not locale else "medium" if locale == "en" else "high"
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


# -- weekdays ----------------------------------------------------------------------------------

WEEKDAYS = frozenset(
    """
monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag
freitag samstag sonnabend sonntag lundi mardi mercredi jeudi vendredi samedi dimanche
maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai måndag tisdag onsdag
torsdag fredag lördag söndag mandag tirsdag lørdag søndag lunedì martedì mercoledì giovedì
venerdì sabato domenica lunes martes miércoles jueves viernes sábado domingo maandag dinsdag
woensdag donderdag vrijdag zaterdag zondag
montags dienstags mittwochs donnerstags freitags samstags sonnabends sonntags sontag sontags
freytag freitg mittwoch dinstag dinstags
""".split()
)
_TIMES_OF_DAY = (
    r"morning|morng|mng|evening|eveng|evg|night|afternoon|noon|morgen|früh|abend|abends|"
    r"nachmittag|vormittag|nacht|nachts|morgens|mittags|matin|soir|midi|aamu|ilta|morgon|kväll|aften|formiddag|"
    r"eftermiddag|mattina|sera|mañana|tarde|noche|ochtend|avond|middag"
)
_WEEKDAY = re.compile(
    rf"\b(?:{_alternation(WEEKDAYS)})\b\.?(?:\s+(?:{_TIMES_OF_DAY})\b\.?)?", re.IGNORECASE
)


def weekday_span(text: str) -> tuple[int, int] | None:
    """Where a weekday (and time of day) is written: "Thursday", "Tuesday Morng"."""
    match = _WEEKDAY.search(text)
    return match.span() if match else None


def display(value: DateValue) -> str:
    """A human-readable form of an ISO date: "13 July 2017"; ranges as "1895-06-01 – …"."""
    if not value.when:
        if value.not_before or value.not_after:
            return f"{value.not_before or '…'} – {value.not_after or '…'}"
        return value.text
    parts = value.when.split("-")
    names = [names[0].capitalize() for _, names in sorted(_MONTH_NAMES.items())]
    if len(parts) == 3:
        return f"{int(parts[2])} {names[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{names[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]
