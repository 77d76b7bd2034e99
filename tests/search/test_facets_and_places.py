"""Facets fold case, names show in display order, and a place is found by its other names —
through a real Whoosh index built from catalogue cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from metadata.card import Card, SourceFacts, card_from_tei
from search import indexer
from search.query import search


def card(
    number: int,
    senders: list[str],
    recipients: list[str] = (),  # type: ignore[assignment]
    place_sent: str | None = None,
    place_received: str | None = None,
) -> Card:
    return Card(
        id=f"L-1820-01-{number:02d}-x-y-{number:08x}",
        title=f"Letter {number}",
        date=f"18{number:02d}-01-01",
        senders=senders,
        recipients=list(recipients),
        place_sent=place_sent,
        place_received=place_received,
        language="de",
        text="Ich danke Ihnen für den Brief.",
        source=SourceFacts(filename=f"{number}.txt", sha256=f"{number:064x}"),
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("facets") / "index"
    indexer.update(
        path,
        [
            card(1, ["BEETHOVEN"], ["Ferdinand Ries"], place_sent="Wien"),
            card(2, ["Beethoven"], ["Franz Wegeler"], place_sent="Vienna", place_received="Bonn"),
            card(3, ["beethoven", "Beethoven"], ["Ferdinand Ries"], place_sent="Baden"),
            card(4, ["Wilhelm Bölsche"], ["Arthur Schnitzler"], place_sent="Firenze"),
            card(5, ["Arthur Schnitzler"], ["Hugo von Hofmannsthal"], place_sent="Florence, Italy"),
            card(6, ["Arthur Schnitzler"], ["Rudolf Lothar"], place_sent="Wiener Neustadt"),
        ],
    )
    return path


def ids(results) -> set[int]:
    return {int(hit.id.rsplit("-", 1)[1], 16) for hit in results.hits}


def test_facets_fold_case_and_show_capitals_title_cased(index):
    results = search(index, "from:beethoven", facets=["sender"])
    assert results.total == 3
    assert [(v.value, v.count) for v in results.facets["sender"]] == [("Beethoven", 3)]


def test_a_facet_value_written_in_capitals_only_is_title_cased(index):
    results = search(index, "to:Ries", facets=["sender", "recipient"])
    assert [(v.value, v.count) for v in results.facets["recipient"]] == [("Ferdinand Ries", 2)]
    assert [v.value for v in results.facets["sender"]] == ["Beethoven"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("place:Wien", {1, 2}),
        ("place:Vienna", {1, 2}),
        ("place:WIEN", {1, 2}),
        ("place:Wenen", {1, 2}),  # Vienna in Dutch, another of its GeoNames names
        ("place_sent:Wien", {1, 2}),
        ("place_received:Wien", set()),
        ("place:Firenze", {4}),
        ("place:Baden", {3}),
        ("place:Bonn", {2}),
        ('place:"Wiener Neustadt"', {6}),
        ("place:Wien*", {1, 6}),  # a wildcard matches the names as written
        ("Wien", {1}),  # a bare word searches the names as written
    ],
)
def test_a_place_is_found_by_its_other_names(index, query, expected):
    assert ids(search(index, query, limit=20)) == expected


TEI = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>
<title type="main">Brief</title></titleStmt><publicationStmt><idno>L-1899-x</idno>
</publicationStmt><sourceDesc><p/></sourceDesc></fileDesc><profileDesc><correspDesc>
<correspAction type="sent"><persName>Bölsche, Wilhelm</persName></correspAction>
<correspAction type="received"><persName>Hofmannsthal, Hugo von</persName>
<persName>Schnitzler, Arthur</persName></correspAction>
</correspDesc></profileDesc></teiHeader><text><body><div type="letter"><p>Lieber!</p></div>
</body></text></TEI>"""


def test_the_card_shows_names_in_display_order():
    found = card_from_tei(etree.fromstring(TEI))
    assert found.senders == ["Wilhelm Bölsche"]
    assert found.recipients == ["Hugo von Hofmannsthal", "Arthur Schnitzler"]
