"""Searching an index that letters were added to and replaced in, batch by batch (one segment
each, some letters deleted and written again): every match is found, counted and faceted as in
an index built at once, and fuzzy words and wildcards find what Whoosh's own search finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from metadata.card import Card, SourceFacts
from search import indexer
from search.indexer import open_index
from search.query import parse_query, search

WORDS = (
    "Lindqvist Lindquist Lindkvist Lundqvist Lindqvists Petersen Petersson Pedersen "
    "Beethoven Bethoven Wegeler wetlands wetland Wetterling Västerbotten Vasterbotten "
    "parcel parcels reached Tuesday Dunkirk Uppsala Lycksele peat peatland"
).split()


def card(number: int, text: str, senders: list[str], recipients: list[str]) -> Card:
    return Card(
        id=f"L-1900-01-{number:02d}-{number:04d}",
        title=f"Letter {number}",
        date=f"19{number:02d}-01-01",
        senders=senders,
        recipients=recipients,
        language="en",
        text=text,
        source=SourceFacts(filename=f"{number}.txt", sha256=f"{number:064x}"),
    )


def letters(first: int, count: int) -> list[Card]:
    return [
        card(
            n,
            " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(12)),
            ["Karin Lund", "Erik Lund"] if n % 4 == 0 else ["Karin Lund"],
            ["Anna Lindqvist"],
        )
        for n in range(first, first + count)
    ]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    indexer.update(path, letters(0, 12))
    indexer.update(path, letters(12, 1))  # a segment where no letter has a second sender
    replaced = letters(3, 1)[0]
    replaced.text = "The parcel reached me on Tuesday, before the peat was cut."
    indexer.update(path, [replaced])  # letter 3 deleted from the first segment, written anew
    return path


def test_facets_count_letters_of_every_segment(index):
    result = search(index, "date:[1900 TO 1999]", 20, facets=("sender", "recipient"))
    assert result.total == 13
    senders = {v.value: v.count for v in result.facets["sender"]}
    assert senders == {"Karin Lund": 13, "Erik Lund": 4}
    assert [(v.value, v.count) for v in result.facets["recipient"]] == [("Anna Lindqvist", 13)]


def test_a_replaced_letter_is_found_by_its_new_phrase_only(index):
    assert [hit.id for hit in search(index, '"before the peat"', 10).hits] == ["L-1900-01-03-0003"]
    assert [hit.id for hit in search(index, '"me Tuesday peat"~6', 10).hits] == [
        "L-1900-01-03-0003"
    ]
    assert search(index, '"peat before"', 10).total == 0


@pytest.mark.parametrize(
    "text",
    [
        *("Lindqvis~", "Lindqvist~2", "Petersn~", "Bethoven~", "Vasterbott*", "lind*", "pe*"),
        *('"parcel Tuesday"~4', '"Lindqvist Lundqvist"', "Uppsala NOT peat", "from:Erik peat*"),
    ],
)
def test_fuzzy_words_wildcards_and_phrases_find_what_whoosh_finds(index, text):
    ix = open_index(index)
    try:
        with ix.searcher() as searcher:
            expected = {
                searcher.stored_fields(docnum)["id"]
                for docnum in searcher.search(parse_query(ix, text), limit=None).docs()
            }
    finally:
        ix.close()
    found = search(index, text)
    assert {hit.id for hit in found.hits} == expected and found.total == len(expected)
    assert expected
