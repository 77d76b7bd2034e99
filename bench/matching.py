"""How the accuracy benchmark decides that a recognised value matches its label.

The rules are the same for every letter and every format:

* **names** match when they are the same after folding case and accents and dropping titles
  and honorifics ("Dr", "Herrn", "Chairwoman", "Esqre"); or when the surnames agree and the
  given names agree as far as both are written (initials count: "A. Escher" is "Alfred Escher");
  a signature may write fewer given names than the register, in the same order ("Friedrich
  von Mülinen" is "Egbert Friedrich von Mülinen"), abbreviate them as writers did ("Hch.",
  "Friedr.", "Joh." for Heinrich, Friedrich, Johann), spell them with C or K, I or J ("Carl",
  "Karl"), spell an umlaut out ("Waeffler" is "Wäffler"), or add a second surname with a
  hyphen ("J J Blumer-Heer" is "Johann Jakob Blumer");
  or when one side is a single name that is the other's given name or surname ("Margot",
  "Ellison" from "Dear Chairwoman Ellison:");
* **places** match when one of their comma-separated parts is the same after folding, or when
  both may name the same GeoNames city (so "Florence", "Firenze" and "Florenz" are one place);
* **formulas** (salutation, closing, subject) match when their words are the same, ignoring
  case, punctuation and spacing; a subject may keep its marker ("Re:", "Betreff:").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from metadata import gazetteer

TITLES = frozenset(
    """
mr mrs ms miss dr prof professor professorin sir madam dame lord lady rev hon honorable
honourable the herr herrn frau fräulein frl monsieur madame mademoiselle mme mlle signor
signora sig sr sra srta d don dña doña heer mevrouw dhr mevr esq esqre jr chair chairwoman
chairman minister president secretary general director captain archduke king queen
""".split()
)
_PARTICLES = frozenset("von van de der den da di du la le y of zu af".split())


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def words(text: str | None) -> list[str]:
    """The words of ``text``, folded: letters and digits only (underscores are markup)."""
    return re.findall(r"[^\W_]+", fold(text or ""))


def _name_tokens(name: str) -> list[str]:
    tokens = words(name)
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in {"esq", "esqre", "jr"}:
        tokens = tokens[:-1]
    return [t for t in tokens if t not in _PARTICLES] or tokens


#: spellings of the same given name's first letter: Carl/Karl, Jacob/Iacob
_FIRST_LETTER = str.maketrans("ci", "kj")


def _spelt(token: str) -> str:
    """One spelling for umlauts written out ("ae" for "ä", folded to "a")."""
    return token.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _given_agree(x: str, y: str) -> bool:
    """One given name and another, or an initial or abbreviation of it ("hch" of heinrich)."""
    x, y = _spelt(x), _spelt(y)
    if len(x) > len(y):
        x, y = y, x
    if x[:1].translate(_FIRST_LETTER) != y[:1].translate(_FIRST_LETTER):
        return False
    if x[1:] == y[1:] or y[1:].startswith(x[1:]):
        return True
    rest = iter(y[1:])  # an abbreviation keeps some of the name's letters, in order
    return len(x) <= 4 and all(ch in rest for ch in x[1:])


def _given_names_agree(a: list[str], b: list[str]) -> bool:
    """The shorter list of given names is the longer one's, in order, each agreeing."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    position = 0
    for name in short:
        while position < len(long) and not _given_agree(name, long[position]):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def names_match(found: str, expected: str) -> bool:
    a, b = _name_tokens(found), _name_tokens(expected)
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        single, other = (a, b) if len(a) == 1 else (b, a)
        return len(single[0]) > 1 and _spelt(single[0]) in {_spelt(other[0]), _spelt(other[-1])}
    if _spelt(a[-1]) == _spelt(b[-1]):
        return _given_names_agree(a[:-1], b[:-1])
    # a surname signed with its initial ("Hermann P."), the given name written out
    for x, y in ((a, b), (b, a)):
        if len(x[-1]) == 1 and y[-1].startswith(x[-1]) and any(len(t) > 1 for t in x[:-1]):
            return _given_names_agree(x[:-1], y[:-1])
    # a second surname joined with a hyphen ("Blumer-Heer"): its first part is the surname
    for x, y in ((a, b), (b, a)):
        if (
            len(x) >= 3
            and _spelt(x[-2]) == _spelt(y[-1])
            and f"{x[-2]}-{x[-1]}" in _hyphened(found, expected)
        ):
            return _given_names_agree(x[:-2], y[:-1])
    return False


def _hyphened(*names: str) -> str:
    return " ".join(fold(n) for n in names)


def places_match(found: str | None, expected: str | None) -> bool:
    if not found or not expected:
        return False
    parts_found = [p for p in (_place_key(x) for x in found.split(",")) if p]
    parts_expected = [p for p in (_place_key(x) for x in expected.split(",")) if p]
    if set(parts_found) & set(parts_expected):
        return True
    return bool(_city_ids(found) & _city_ids(expected))


def _city_ids(place: str) -> set[int]:
    return {city.geonames_id for part in place.split(",") for city in gazetteer.candidates(part)}


def _place_key(place: str) -> str:
    return " ".join(words(re.sub(r"\(.*?\)", "", place)))


def formulas_match(found: str | None, expected: str | None) -> bool:
    return bool(found) and bool(expected) and words(found) == words(expected)


def subjects_match(found: str | None, expected: str | None) -> bool:
    if not found or not expected:
        return False
    a, b = words(found), words(expected)
    return a == b or (a[-len(b) :] == b and len(a) - len(b) <= 2)


def pair_up(found: Sequence[str], expected: Sequence[str], same: Callable[[str, str], bool]) -> int:
    """How many of ``found`` match a distinct item of ``expected`` (greedy, in order)."""
    left = list(expected)
    matched = 0
    for item in found:
        for index, wanted in enumerate(left):
            if same(item, wanted):
                matched += 1
                del left[index]
                break
    return matched
