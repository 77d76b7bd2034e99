"""TEI as an ingest format: an exported ``tei`` directory ingested into a new archive recreates
the same letters (same ids, same catalogue cards, the same TEI apart from ingest dates), and
TEI from other editions is read as far as it uses the same elements."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from archive.api import Archive
from ingest.errors import UnsupportedFormat
from ingest.limits import Limits
from ingest.pipeline import letter_from_file
from ingest.readers import read, reader_for
from ingest.readers import tei as tei_reader
from ingest.tei.build import Publication, build_tei
from ingest.tei.parse import letter_from_tei
from metadata.card import card_from_tei
from metadata.xml import parse, serialise
from tests.support import SAMPLES, shared_path

#: what a new ingest changes in the TEI: its dates
_INGEST_DATES = re.compile(rb'(<change when|<date when)="\d{4}-\d\d-\d\dT[^"]*"|'
                           rb'<date when="\d{4}-\d\d-\d\d">\d{4}-\d\d-\d\d</date>')  # fmt: skip


def _undated(tei: bytes) -> bytes:
    return _INGEST_DATES.sub(b"", tei)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Samples (text, DOCX, PDF) and the real Beethoven letters."""
    beethoven = sorted(shared_path("corpus/real-letters/txt").glob("beethoven_*.txt"))
    archive = Archive(tmp_path_factory.mktemp("original") / "archive")
    report = archive.ingest([SAMPLES / "letters", *beethoven])
    assert report.count("failed") == 0, report.to_json()
    return archive


@pytest.fixture(scope="module")
def exported(original: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "tei"
    original.export("tei", target)
    return target


def _letters(exported: Path) -> list[Path]:
    """The exported TEI files (not the export's hidden marker)."""
    return sorted(p for p in exported.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def recreated(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = Archive(tmp_path_factory.mktemp("recreated") / "archive")
    report = archive.ingest([exported])
    assert report.count("added") == len(_letters(exported)), report.to_json()
    return archive


def test_reingesting_a_tei_export_recreates_the_same_letters(original, recreated):
    assert recreated.ids() == original.ids()
    for object_id in original.ids():
        before, after = original.card(object_id), recreated.card(object_id)
        assert after.to_json() == before.to_json(), object_id
        assert after.text == before.text, object_id


def test_the_recreated_tei_differs_only_in_its_ingest_dates(original, recreated):
    for object_id in original.ids():
        before = original.tei_bytes(object_id)
        after = recreated.tei_bytes(object_id)
        assert _undated(after) == _undated(before), object_id


def test_the_recreated_letters_are_found_by_search(original, recreated):
    assert recreated.search("from:Moreau").total == original.search("from:Moreau").total == 2


def test_the_stored_original_of_a_reingested_letter_is_the_tei_file(exported, recreated):
    for object_id in recreated.ids():
        stored = recreated.original_path(object_id)
        assert stored.name == f"{object_id}.xml"
        assert stored.read_bytes() == (exported / f"{object_id}.xml").read_bytes()


def test_validate_accepts_a_tei_export_as_the_stored_original(recreated):
    assert recreated.validate() == []


def test_ingesting_the_export_again_changes_nothing(original, recreated, exported):
    for archive in (original, recreated):
        report = archive.ingest([exported])
        assert {r.status for r in report.results} == {"unchanged"}
        assert sorted(r.id for r in report.results) == original.ids()


def test_a_tei_claiming_an_id_the_archive_gives_another_letter_fails(original, tmp_path):
    object_id = original.ids()[0]
    other = parse(original.tei_bytes(object_id))
    digest = other.find(".//{*}sourceDesc/{*}bibl/{*}idno")
    digest.text = "0" * 64  # a different original, the same id
    path = tmp_path / "impostor.xml"
    path.write_bytes(serialise(other))
    (result,) = original.ingest([path]).results
    assert result.status == "failed"
    assert result.error.startswith(f"impostor.xml: the archive already holds another letter with "
                                   f"the id {object_id}")  # fmt: skip


# -- the reader ----------------------------------------------------------------------------------


def test_the_tei_reader_is_chosen_by_content_not_name(exported, tmp_path):
    source = _letters(exported)[0]
    renamed = tmp_path / "letter.txt"
    renamed.write_bytes(source.read_bytes())
    assert reader_for(renamed) is tei_reader
    dc = tmp_path / "dc.xml"
    dc.write_text('<dc xmlns="http://purl.org/dc/elements/1.1/"><title>TEI</title></dc>')
    assert reader_for(dc) is not tei_reader
    assert not tei_reader.sniff(b"Dear Anna, the TEI file is attached.", dc)


def test_the_plain_view_of_a_tei_file_is_its_text(exported):
    path = next(p for p in _letters(exported) if "moreau" in p.name)
    document = read(path)
    assert document.source.media_type == "application/tei+xml"
    assert document.text.startswith("March 4, 2021")
    assert "Dear Minister Lindqvist," in document.text


def test_a_tei_corpus_is_refused_with_a_remedy(original, tmp_path):
    original.export("teicorpus", tmp_path / "corpus")
    path = tmp_path / "corpus" / "corpus.xml"
    with pytest.raises(UnsupportedFormat, match=r"one letter per file.*--format tei"):
        letter_from_file(path)


def test_broken_tei_is_reported_as_unreadable(exported, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(_letters(exported)[0].read_bytes()[:-200])
    report = Archive(tmp_path / "a").ingest([path])
    (result,) = report.results
    assert result.status == "failed" and "not well-formed XML" in result.error


def test_entities_are_not_expanded(tmp_path):
    path = tmp_path / "entity.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
        "<title>T</title></titleStmt></fileDesc></teiHeader><text><body><p>&secret;</p>"
        "</body></text></TEI>"
    )
    letter = letter_from_file(path)
    assert Path("/etc/hostname").read_text().strip() not in letter.document.text


# -- reading TEI back, part by part -------------------------------------------------------------


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, with_tail=False)


def _roundtrip(letter_id: str, original: Archive) -> etree._Element:
    """The TEI built again from the letter read out of ``letter_id``'s TEI."""
    root = original.tei(letter_id)
    letter = letter_from_tei(root, Path(f"{letter_id}.xml"))
    assert letter.object_id == letter_id
    built = build_tei(letter, object_id=letter_id, publication=Publication(), version="0.1.0")
    return parse(serialise(built))


@pytest.mark.parametrize(
    "part",
    [
        ".//tei:opener", ".//tei:head[@type='subject']", ".//tei:p", ".//tei:div[@type='section']",
        ".//tei:note", ".//tei:closer", ".//tei:signed", ".//tei:trailer", ".//tei:pb",
        ".//tei:correspDesc", ".//tei:titleStmt", ".//tei:extent",
    ],
)  # fmt: skip
def test_each_part_is_read_back_as_it_was_written(original, part):
    namespaces = {"tei": "http://www.tei-c.org/ns/1.0"}
    seen = 0
    for letter_id in original.ids():
        before = original.tei(letter_id).xpath(part, namespaces=namespaces)
        after = _roundtrip(letter_id, original).xpath(part, namespaces=namespaces)
        assert [_xml(e) for e in after] == [_xml(e) for e in before], letter_id
        seen += len(before)
    assert seen, f"no letter has {part}"


def test_a_person_and_their_organisation_stay_one_correspondent(original):
    letter_id = next(i for i in original.ids() if i.endswith("0700e4e6"))
    letter = letter_from_tei(original.tei(letter_id), Path("x.xml"))
    senders = [(a.name, a.orgs) for a in letter.metadata.senders]
    assert senders == [
        ("Élodie Moreau", ("Nordic Wetlands Trust",)),
        ("Jukka Järvinen", ("Baltic Waters Coalition",)),
    ]
    assert [(a.name, a.orgs) for a in letter.metadata.recipients] == [
        ("Anna Lindqvist", ("Ministry of Environment",))
    ]


# -- TEI from other editions ---------------------------------------------------------------------


def test_a_schnitzler_letter_is_read_from_its_correspdesc_and_body(tmp_path):
    path = shared_path("corpus/real-letters/tei/schnitzler/L00007.xml")
    archive = Archive(tmp_path / "a")
    (result,) = archive.ingest([path]).results
    assert result.status == "added", result.error
    card = archive.card(result.id)
    # the edition writes "Bölsche, Wilhelm": the card shows names in display order
    assert card.senders == ["Wilhelm Bölsche"] and card.recipients == ["Arthur Schnitzler"]
    assert card.date == "1890-10-25"
    assert (card.place_sent, card.place_received) == ("Berlin", "Wien")
    assert card.title == "Wilhelm Bölsche an Arthur Schnitzler, 25. 10. 1890"
    assert card.salute == "Verehrter Herr Doktor!"
    assert "Leider haben wir »Gedichten«" in archive.text(result.id)
    assert card.notes and card.notes[0].startswith("Das letzte Gedicht")
    # no id of ours in it: the id is made as for any file
    assert result.id.startswith("L-1890-10-25-")
    assert card_from_tei(archive.tei(result.id)).source.filename == "L00007.xml"


def test_every_tei_letter_of_the_shared_corpus_is_ingested_and_cmif_refused(tmp_path):
    folder = shared_path("corpus/real-letters/tei")
    report = Archive(tmp_path / "a").ingest([folder], recursive=True, limits=Limits())
    failed = {Path(r.file).parent.name for r in report.results if r.status == "failed"}
    assert failed <= {"cmif"}, [r.error for r in report.results if r.error]
    # CMIF describes letters without their text: never stored as one
    cmif = [r for r in report.results if Path(r.file).parent.name == "cmif"]
    assert cmif and all(r.error_code == "not-a-letter" for r in cmif), [r.error for r in cmif]


def test_what_ocr_read_is_kept_through_a_round_trip():
    letter = letter_from_file(SAMPLES / "letters" / "de-geschaeftsbrief-mueller.pdf")
    ocr = {"ocr": "Tesseract 5.3.0", "ocr_languages": "deu+eng", "ocr_pages": "1 2"}
    letter.document = replace(letter.document, properties={**letter.document.properties, **ocr})
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    first = serialise(build_tei(letter, object_id="L-1", publication=Publication(),
                                version="1", ingested=moment))  # fmt: skip
    again = letter_from_tei(parse(first), Path("L-1.xml"))
    assert ocr.items() <= again.document.properties.items()
    second = serialise(build_tei(again, object_id="L-1", publication=Publication(),
                                 version="1", ingested=moment))  # fmt: skip
    assert second == first


def test_an_export_ingested_again_is_unchanged_whatever_its_ids(recreated, exported, tmp_path):
    # ids of our own form are matched by their digest suffix; any other id by reading its TEI
    again = recreated.ingest([exported])
    assert again.count("unchanged") == len(recreated.ids()), again.to_json()
    first = _letters(exported)[0]
    renamed = tmp_path / "letter-one.xml"
    renamed.write_bytes(re.sub(rb"L-[0-9a-z-]+-[0-9a-f]{8}", b"letter-one", first.read_bytes()))
    archive = Archive(tmp_path / "b")
    assert [r.id for r in archive.ingest([renamed]).results] == ["letter-one"]
    (result,) = archive.ingest([renamed]).results
    assert (result.status, result.id) == ("unchanged", "letter-one")
