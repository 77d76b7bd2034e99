"""Re-ingest with new options, ``reread``, and the collection, subject and notes fields.

Through the real CLI: what a user sees in ``show``, ``search`` and its facets, the
ingest report's statuses and the versions written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.api import Archive
from archive.letters.actor import Actor
from archive.letters.objects import derive
from ingest.tei.schema import validate_tei
from metadata.xml import NS, parse
from tests.archive.test_history import epistula, inventory, json_of
from tests.archive.test_ocfl import assert_ocfl_py_valid
from tests.support import SAMPLES, shared_path

#: who wrote the versions an older recogniser made, in these tests
OLDER_RECOGNITION = Actor("Epistula 0.0", None, "https://example.org/epistula")
LETTERS = SAMPLES / "letters"
FAMILY = LETTERS / "en-family-letter-1916.docx"
SWEDISH = LETTERS / "sv-brev-uppsala.txt"


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, str, str]:
    path = tmp_path / "archive"
    report = json_of(epistula(path, "ingest", str(FAMILY), str(SWEDISH), "--json"))
    family, swedish = (r["id"] for r in report["results"])
    return path, family, swedish


def card(archive: Path, letter_id: str) -> dict:
    return json_of(epistula(archive, "show", letter_id, "--json"))


def test_a_collection_set_at_ingest_is_searchable_and_a_facet(tmp_path):
    path = tmp_path / "archive"
    (tmp_path / "sv-brev-uppsala.txt").write_bytes(SWEDISH.read_bytes())
    (tmp_path / "sv-brev-uppsala.txt.json").write_text(
        '{"collection": "Lund papers", "subject": "weather|travel", "notes": "Torn at the fold"}'
    )
    hart = epistula(path, "ingest", str(FAMILY), "--set", "collection=Hart family papers", "--json")
    family = json_of(hart)["results"][0]["id"]
    swedish = json_of(epistula(path, "ingest", str(tmp_path / "sv-brev-uppsala.txt"), "--json"))[
        "results"
    ][0]["id"]

    found = json_of(epistula(path, "search", 'collection:"Hart family papers"', "--json"))
    assert [hit["id"] for hit in found["hits"]] == [family]
    every = json_of(
        epistula(path, "search", "collection:papers", "--facets", "collection", "--json")
    )
    assert {f["value"]: f["count"] for f in every["facets"]["collection"]} == {
        "Hart family papers": 1,
        "Lund papers": 1,
    }
    shown = card(path, swedish)
    assert (shown["collection"], shown["subject"], shown["notes"][0]) == (
        "Lund papers", "weather; travel", "Torn at the fold",
    )  # fmt: skip
    assert {hit["id"] for hit in json_of(epistula(path, "search", "subject:travel", "--json"))[
        "hits"
    ]} == {swedish}  # fmt: skip
    # the subjects are Dublin Core subjects; the TEI is valid against tei_all
    assert (
        "<dc:subject>weather</dc:subject>"
        in epistula(path, "show", swedish, "--format", "dc").stdout
    )
    tei = parse(Archive(path).tei_bytes(swedish))
    assert validate_tei(tei, shared_path("corpus/schema/tei_all.rng")) == []
    assert tei.xpath("string(//tei:seriesStmt/tei:title/@resp)", namespaces=NS) == "#user"


def test_edit_sets_collection_subject_and_notes(two):
    path, family, _swedish = two
    result = epistula(
        path, "edit", family, "--set", "collection=Hart family papers", "--set", "subject=war",
        "--set", "notes=Donated by A. Hart|Envelope lost",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = card(path, family)
    assert shown["collection"] == "Hart family papers" and shown["subject"] == "war"
    assert shown["notes"][:2] == ["Donated by A. Hart", "Envelope lost"]
    assert family in {
        h["id"] for h in json_of(epistula(path, "search", "Envelope", "--json"))["hits"]
    }
    cleared = epistula(path, "edit", family, "--set", "collection=")
    assert cleared.returncode == 0 and card(path, family)["collection"] is None
    assert json_of(epistula(path, "validate", "--json"))["valid"]


def test_reingest_with_set_updates_the_letter_as_a_new_version(two):
    path, family, _swedish = two
    report = json_of(
        epistula(path, "ingest", str(FAMILY), "--set", "place_received=Leeds", "--json")
    )
    (result,) = report["results"]
    assert (result["status"], result["id"], report["updated"]) == ("updated", family, 1)
    assert card(path, family)["place_received"] == "Leeds"
    assert list(inventory(path, family)["versions"]) == ["v1", "v2"]
    assert family in {
        h["id"] for h in json_of(epistula(path, "search", "place:Leeds", "--json"))["hits"]
    }
    # the same again changes nothing: 'unchanged', and no version
    text = epistula(path, "ingest", str(FAMILY), "--set", "place_received=Leeds")
    assert text.stdout.startswith("unchanged ")
    assert list(inventory(path, family)["versions"]) == ["v1", "v2"]
    # and without options, as ever
    assert json_of(epistula(path, "ingest", str(FAMILY), "--json"))["results"][0]["status"] == (
        "unchanged"
    )
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]


def test_reread_all_keeps_every_user_value_and_updates_the_rest(two):
    path, family, swedish = two
    assert (
        epistula(
            path, "edit", family, "--set", "date=1916-10-14", "--set", "collection=Hart"
        ).returncode
        == 0
    )
    before = card(path, swedish)
    # as an older recogniser read them: the Swedish letter's sender and the family letter's
    # place written wrong (values nobody supplied)
    letters = Archive(path).letters()
    for letter_id in (family, swedish):
        head, root = letters.head_tei(letter_id)
        for name in root.xpath("//tei:correspAction[@type='sent']/tei:persName", namespaces=NS):
            name.text = "Somebody Else"
        letters.write_tei(
            letter_id, derive(root, ValueError), "older recognition", head, OLDER_RECOGNITION
        )
    assert card(path, swedish)["senders"] == ["Somebody Else"]

    result = epistula(path, "reread", "--all", "--json")
    assert result.returncode == 0, result.stderr
    statuses = {r["id"]: r["status"] for r in json_of(result)["results"]}
    assert statuses == {family: "updated", swedish: "updated"}
    assert card(path, swedish)["senders"] == before["senders"]
    family_card = card(path, family)
    assert family_card["date"] == "1916-10-14" and family_card["collection"] == "Hart"
    assert family_card["senders"] != ["Somebody Else"]
    assert family_card["id"] == family  # ids never change
    assert inventory(path, family)["versions"]["v4"]["message"] == "reread"
    assert json_of(epistula(path, "validate", "--json"))["valid"]
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]
    assert_ocfl_py_valid(path / "store", 2)

    again = epistula(path, "reread", family)
    assert again.returncode == 0 and again.stdout.startswith("unchanged ")
    assert again.stderr.strip() == "0 of 1 letters updated"


def test_reread_needs_ids_or_all(two):
    path, _family, _swedish = two
    assert epistula(path, "reread").returncode == 2
    missing = epistula(path, "reread", "L-nope")
    assert missing.returncode == 1 and "is not in the archive" in missing.stderr


def test_reingest_with_a_period_dates_a_two_digit_year_and_keeps_the_id(tmp_path):
    letter = tmp_path / "brief.txt"
    letter.write_text(
        "Wien, 25. X. 90\n\nLieber Hermann,\n\nich danke Dir herzlich für Deinen Brief und die "
        "Bücher, die Du mir geschickt hast. Wir sehen uns bald in Berlin.\n\nDein Arthur\n",
        encoding="utf-8",
    )
    path = tmp_path / "archive"
    (first,) = json_of(epistula(path, "ingest", str(letter), "--json"))["results"]
    assert card(path, first["id"])["date"] is None
    report = json_of(epistula(path, "ingest", str(letter), "--period", "1880-1931", "--json"))
    (again,) = report["results"]
    assert (again["status"], again["id"]) == ("updated", first["id"])
    assert card(path, first["id"])["date"] == "1890-10-25"
    assert first["id"] in {
        h["id"] for h in json_of(epistula(path, "search", "date:1890", "--json"))["hits"]
    }
    assert json_of(epistula(path, "validate", "--json"))["valid"]
