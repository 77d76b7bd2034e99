"""Searching a real archive from the command line, as a reader does: query forms, stemming in
each letter's language, facets, sorting, paging, CSV, similar letters.

Letters are told apart by their dates, which their texts state: the samples (en, de, fr, fi,
sv) and eight of Beethoven's letters (en) from ../shared/corpus/real-letters/txt/.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from tests.support import SAMPLES, shared_path

LETTERS = SAMPLES / "letters"
#: the samples by date (the open letter is there twice: as PDF and as DOCX)
THOMAS, MARGOT, LUND, VIRTANEN, KRAUSE, MOREAU = (
    "1916-10-13", "1998-07-14", "2015-02-02", "2019-05-05", "2021-03-03", "2021-03-04",
)  # fmt: skip
BEETHOVEN = {
    "1817-07-09", "1817-09-01", "1820-03-23", "1821-09-27",
    "1823-03-15", "1824-09-09", "1826-10-13", "1827-02-17",
}  # fmt: skip


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("samples") / "archive"
    report = Archive(archive).ingest([LETTERS])
    assert report.count("failed") == 0 and report.index_error is None, report.to_json()
    return archive


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("corpus") / "archive"
    report = Archive(archive).ingest([LETTERS, shared_path("corpus/real-letters/txt")])
    assert report.count("failed") == 0 and report.index_error is None, report.to_json()
    return archive


def invoke(archive: Path, *args: str, color: bool = False) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--archive", str(archive), *args], color=color)
    return result.exit_code, result.stdout, result.stderr


def search_json(archive: Path, *args: str) -> dict:
    code, out, err = invoke(archive, "search", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def dates(archive: Path, query: str) -> list[str]:
    result = search_json(archive, query, "--limit", "100")
    assert result["total"] == len(result["hits"])
    return sorted(hit["date"] for hit in result["hits"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # names, case- and accent-insensitive, under their readable field names
        ("Jarvinen", [MOREAU, MOREAU]),
        ("from:Krause", [KRAUSE]),
        ("sender:virtanen", [VIRTANEN]),
        ("to:HELENE", [MARGOT]),
        ("recipient:Lindqvist", [MOREAU, MOREAU]),
        ("from:Beethoven to:Wegeler", ["1827-02-17"]),
        # places sent from, with or without accents
        ("place:Chateaudun", [MARGOT]),
        ("place:Uppsala", [LUND]),
        ("place:Baden", ["1821-09-27", "1824-09-09"]),
        ("CHATEAUDUN", [MARGOT]),
        # dates: ranges, months, years
        ("date:[1890 TO 1999]", [THOMAS, MARGOT]),
        ("date:[1900-01-01 TO 1999-12-31]", [THOMAS, MARGOT]),
        ("date:1817-07", ["1817-07-09"]),
        ("date:1817", ["1817-07-09", "1817-09-01"]),
        ("date:[1820 TO 1823]", ["1820-03-23", "1821-09-27", "1823-03-15"]),
        ("date:>2020", [KRAUSE, MOREAU, MOREAU]),
        ("year:1824", ["1824-09-09"]),
        ("year:[2015 TO 2019]", [LUND, VIRTANEN]),
        # exact names, everyone named, format, notes
        ('sender_exact:"karin lund"', [LUND]),
        ("sender_exact:Karin", []),
        ("people:Erik", [LUND]),
        ("format:pdf", [KRAUSE, MOREAU]),
        ("format:txt place:Tampere", [VIRTANEN]),
        ("has_notes:yes", [MOREAU, MOREAU]),
        # language, title
        ("lang:fr", [MARGOT]),
        ("language:fi", [VIRTANEN]),
        ("lang:sv", [LUND]),
        ("title:Förderantrag", [KRAUSE]),
        # phrases, proximity, AND by default, boolean operators
        ('"parcel reached me"', [THOMAS]),
        ('"reached parcel"', []),
        ('"parcel Tuesday"~4', [THOMAS]),
        ("wetlands Lycksele", [MOREAU, MOREAU]),
        ("wetlands Uppsala", []),
        ("Dunkirk OR Uppsala", [THOMAS, LUND]),
        ("(Dunkirk OR Uppsala) NOT socks", [LUND]),
        ('"wetlands in Västerbotten" OR Chateaudun', [MARGOT, MOREAU, MOREAU]),
        # wildcards and fuzzy words, also in stemmed letter texts
        ("Vasterbott*", [MOREAU, MOREAU]),
        ("Kartier*", [KRAUSE]),
        ("Lindqvis~", [MOREAU, MOREAU]),
        ("Petersn~", [KRAUSE]),
        ("Beethovn~ date:1826", ["1826-10-13"]),
    ],
)
def test_query_forms_find_the_right_letters(corpus, query, expected):
    assert dates(corpus, query) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected", "language"),
    [
        ("Kartierungen", [KRAUSE], "de"),  # the letter has "Kartierung"
        ("Förderanträge", [KRAUSE], "de"),  # "Förderantrag", "Förderantrags"
        ("parcels", [THOMAS], "en"),  # "parcel"
        ("chambres", [MARGOT], "fr"),  # "chambre"
        ("breven", [LUND], "sv"),  # "brev"
        ("kirjeitä", [VIRTANEN], "fi"),  # "Kirjeet"
    ],
)
def test_words_are_stemmed_in_each_letters_language(samples, query, expected, language):
    result = search_json(samples, query)
    assert sorted(hit["date"] for hit in result["hits"]) == expected, language


def test_english_plural_finds_beethovens_letter(corpus):
    found = set(dates(corpus, "letters"))
    assert {"1817-07-09", "1827-02-17"} <= found <= BEETHOVEN


def test_snippet_shows_the_stemmed_match_highlighted(samples):
    hit = search_json(samples, "Kartierungen")["hits"][0]
    assert "Kartierung" in hit["snippet"] and "**" not in hit["snippet"]
    code, out, _ = invoke(samples, "search", "Kartierungen", color=True)
    assert code == 0
    assert "\x1b[" in out and "Kartierung" in out  # bold yellow on a terminal
    assert "Sabine Krause → Klaus Müller" in out


def test_a_query_error_is_one_line_naming_the_problem(samples):
    code, out, err = invoke(samples, "search", "form:Krause")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "unknown field 'form:'" in err
    code, _, err = invoke(samples, "search", "date:1917-13")
    assert code == 2 and "month" in err and "YYYY-MM-DD" in err


def test_facets_count_every_match(samples):
    result = search_json(samples, "date:[1900 TO 2100]", "--facets", "lang,year,sender,place")
    facets = {
        name: {v["value"]: v["count"] for v in values} for name, values in result["facets"].items()
    }
    assert result["total"] == 7
    assert facets["lang"] == {"en": 3, "de": 1, "fr": 1, "fi": 1, "sv": 1}
    assert facets["year"] == {"2021": 3, "1916": 1, "1998": 1, "2015": 1, "2019": 1}
    assert facets["sender"]["Élodie Moreau"] == 2 and facets["sender"]["Karin Lund"] == 1
    assert facets["place"]["Uppsala"] == 1 and facets["place"]["Châteaudun"] == 1
    code, out, _ = invoke(samples, "search", "wetlands", "--facets", "lang")
    assert code == 0 and "lang: en (2)" in out


def test_unknown_facet_is_a_usage_error(samples):
    code, _, err = invoke(samples, "search", "wetlands", "--facets", "colour")
    assert code == 2 and "unknown facet 'colour'" in err


def test_sort_by_date_both_ways(samples):
    ascending = [h["date"] for h in search_json(samples, "date:>1900", "--sort", "date")["hits"]]
    assert ascending == sorted(ascending) and ascending[0] == THOMAS
    descending = [h["date"] for h in search_json(samples, "date:>1900", "--sort", "-date")["hits"]]
    assert descending == sorted(ascending, reverse=True)


def test_relevance_puts_the_best_match_first(corpus):
    hits = search_json(corpus, "wetlands OR Dunkirk")["hits"]
    assert [h["date"] for h in hits[:2]] == [MOREAU, MOREAU]  # "wetlands" again and again
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"] > 0


def test_paging(samples):
    every = search_json(samples, "date:>1900", "--sort", "date", "--limit", "10")["hits"]
    page = search_json(samples, "date:>1900", "--sort", "date", "--limit", "2", "--page", "2")
    assert page["total"] == 7 and page["page"] == 2 and page["pages"] == 4
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in every[2:4]]
    beyond = search_json(samples, "date:>1900", "--limit", "2", "--page", "9")
    assert beyond["total"] == 7 and beyond["hits"] == []


def test_csv_output(samples):
    code, out, _ = invoke(samples, "search", "wetlands", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2
    assert list(rows[0]) == ["id", "date", "senders", "recipients", "title", "score", "snippet"]
    assert rows[0]["senders"] == "Élodie Moreau; Jukka Järvinen" and rows[0]["date"] == MOREAU


def test_json_contract(samples):
    result = search_json(samples, "peat", "--facets", "year")
    assert set(result) >= {"query", "total", "hits", "facets", "page"}
    hit = result["hits"][0]
    assert set(hit) >= {"id", "title", "date", "senders", "recipients", "score", "snippet"}
    assert result["facets"] == {"year": [{"value": "2021", "count": 2}]}


def test_similar_finds_the_same_letter_in_another_format(samples):
    twins = [h["id"] for h in search_json(samples, "Lycksele")["hits"]]
    code, out, err = invoke(samples, "similar", twins[0], "--json")
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert hits[0]["id"] == twins[1] and twins[0] not in [h["id"] for h in hits]
    code, _, err = invoke(samples, "similar", "L-nope")
    assert code == 1 and "L-nope" in err


def test_archive_search_returns_every_hit_without_a_limit(corpus):
    results = Archive(corpus).search("date:[1800 TO 2100]")
    assert results.total == len(results.hits) == 15


def test_search_on_an_empty_archive_says_so(tmp_path):
    Archive(tmp_path / "empty").store(create=True)
    code, out, err = invoke(tmp_path / "empty", "search", "Niinisto")
    assert code == 1 and out == ""
    assert "holds no letters yet" in err and "ingest" in err


def test_search_on_a_missing_archive_says_so(tmp_path):
    code, out, err = invoke(tmp_path / "nowhere", "search", "Niinisto")
    assert code == 1 and out == ""
    assert "is not an Epistula archive" in err
