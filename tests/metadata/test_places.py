"""Places of writing from datelines, towns from postal lines, and the GeoNames gazetteer."""

from __future__ import annotations

import pytest

from metadata import gazetteer, places


@pytest.mark.parametrize(
    ("before_date", "place"),
    [
        ("Helsinki, ", "Helsinki"),
        ("Helsingissä ", "Helsinki"),
        ("Turussa ", "Turku"),
        ("Tampereella ", "Tampere"),
        ("Oulussa ", "Oulu"),
        ("Bern den ", "Bern"),
        ("Firenze, addì ", "Firenze"),
        ("Châteaudun, le ", "Châteaudun"),
        ("Florence, ce ", "Florence"),
        ("Wien, IX. Frankgasse 1.\n", "Wien"),
        ("GNEIXENDORF, ", "Gneixendorf"),
        ("Three Mile Cross ", "Three Mile Cross"),
        ("Thursday ", None),
        ("", None),
    ],
)
def test_place_of_writing_from_a_dateline(before_date, place):
    assert places.place_from_dateline(before_date) == place


@pytest.mark.parametrize(
    ("line", "town"),
    [
        ("00170 Helsinki", "Helsinki"),
        ("D-10117 Berlin", "Berlin"),
        ("1218 København K", "København"),
        ("111 43 Stockholm", "Stockholm"),
        ("3512 NS Utrecht", "Utrecht"),
        ("Portland, ME 04101", "Portland"),
        ("Oxford OX2 6HS", "Oxford"),
    ],
)
def test_town_from_a_postal_line(line, town):
    assert places.place_from_postal_line(line) == town


def test_us_postal_lines_set_the_locale():
    assert places.is_us_postal_line("Washington, DC 20004")
    assert not places.is_us_postal_line("00170 Helsinki")


def test_town_of_an_address_without_postcode():
    assert places.place_from_address(["Monsieur le Dr Escher", "Conseiller", "Zürich."]) == "Zürich"
    assert places.place_from_address(["TO F. RIES,--LONDON."]) == "London"


@pytest.mark.parametrize(
    ("name", "geonames_id"),
    [("Helsinki", 658225), ("Wien", 2761369), ("Firenze", 3176959), ("Paris", 2988507)],
)
def test_unambiguous_places_get_a_geonames_id(name, geonames_id):
    assert gazetteer.geonames_id(name) == geonames_id
    assert gazetteer.geonames_uri(name) == f"https://www.geonames.org/{geonames_id}"


@pytest.mark.parametrize("name", ["Portland", "Bergen", "Baden", "Three Mile Cross", "Gondor"])
def test_ambiguous_or_unknown_places_get_none(name):
    assert gazetteer.geonames_uri(name) is None


@pytest.fixture
def fresh_gazetteer(tmp_path, monkeypatch):
    """The gazetteer with its cache in tmp_path and nothing loaded yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    gazetteer._index.cache_clear()
    yield tmp_path / "epistula"
    gazetteer._index.cache_clear()


def test_the_place_index_is_cached_and_read_back(fresh_gazetteer):
    built = gazetteer.lookup("Florenz")
    (cache,) = fresh_gazetteer.glob("gazetteer-*.json")
    gazetteer._index.cache_clear()
    assert gazetteer.lookup("Florenz") == built  # now from the cache
    assert built is not None and built.name == "Florence"
    assert gazetteer.lookup("Portland") is None  # ambiguity survives the cache too
    assert cache.stat().st_size > 1_000_000


def test_a_damaged_place_cache_is_rebuilt(fresh_gazetteer):
    gazetteer.lookup("Wien")
    (cache,) = fresh_gazetteer.glob("gazetteer-*.json")
    cache.write_text('{"cities": {"1": ["Nowhere"', encoding="utf-8")  # cut short
    gazetteer._index.cache_clear()
    assert gazetteer.geonames_id("Wien") == 2761369
    assert cache.read_text(encoding="utf-8").endswith("}")  # written whole again


@pytest.mark.parametrize(
    ("before_date", "place"),
    [
        ("Wien-Döbling, ", "Wien"),
        ("Berlin W., ", "Berlin"),
        ("Wien XVIII ", "Wien"),
        ("Dessau-Roßlau, ", "Dessau-Roßlau"),  # a town the gazetteer knows keeps its name
        ("Baden-Baden, ", "Baden-Baden"),
        ("Dr. Arthur Schnitzler", None),  # a letterhead's name glued to the date
    ],
)
def test_the_town_of_a_district_and_no_person_as_the_place(before_date, place):
    assert places.place_from_dateline(before_date) == place
