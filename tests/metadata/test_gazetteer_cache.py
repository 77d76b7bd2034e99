"""The gazetteer's cached index: read back, it links and refuses exactly as the built one."""

import json

import pytest

from metadata import gazetteer

#: unambiguous, by alternate name, ambiguous, unknown, and names that only fold to a city's
NAMES = ("Florenz", "Firenze", "Wien", "München", "  zürich ", "Paris", "Uppsala", "Tampere",
         "Portland", "Bergen", "Springfield", "Nowhere-on-Sea", "", "Châteaudun", "SAINT-ÉTIENNE",
         "Göteborg", "Gothenburg", "Praha", "Kraków", "Moskva")  # fmt: skip


@pytest.fixture
def fresh_gazetteer(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    gazetteer._index.cache_clear()
    yield tmp_path / "epistula"
    gazetteer._index.cache_clear()


def _answers() -> list[tuple[object, ...]]:
    return [
        (gazetteer.lookup(n), gazetteer.candidates(n), gazetteer.is_known_place(n)) for n in NAMES
    ]


def test_the_cached_index_answers_as_the_built_one(fresh_gazetteer):
    built = _answers()
    assert gazetteer.geonames_uri("Florenz") == "https://www.geonames.org/3176959"
    assert gazetteer.lookup("Portland") is None and gazetteer.is_known_place("Portland")
    (cache,) = fresh_gazetteer.glob("gazetteer-*.json")
    gazetteer._index.cache_clear()
    assert _answers() == built  # now from the cache
    # every name the index holds finds the same cities both ways
    cached = gazetteer._index()
    rebuilt = gazetteer._build_index()
    for key in rebuilt.names[::97] + rebuilt.alternates[::97]:
        assert cached.cities_named(key) == rebuilt.cities_named(key), key
    assert cache.stat().st_size > 1_000_000


def test_a_cache_in_the_old_layout_is_rebuilt(fresh_gazetteer):
    expected = _answers()
    (cache,) = fresh_gazetteer.glob("gazetteer-*.json")
    old = {"cities": {"3176959": ["Florence", "IT", 367150]}, "names": {"florence": [3176959]}}
    cache.write_text(json.dumps(old | {"alternates": {}}), encoding="utf-8")
    gazetteer._index.cache_clear()
    assert _answers() == expected
    assert "alternate_cities" in json.loads(cache.read_text(encoding="utf-8"))


def test_a_cache_that_does_not_hang_together_is_rebuilt(fresh_gazetteer):
    expected = _answers()
    (cache,) = fresh_gazetteer.glob("gazetteer-*.json")
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["alternate_cities"] = data["alternate_cities"][:-5]  # a column cut short
    cache.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    gazetteer._index.cache_clear()
    assert _answers() == expected
    assert (
        len(json.loads(cache.read_text(encoding="utf-8"))["alternate_cities"])
        == len(data["alternate_cities"]) + 5
    )
