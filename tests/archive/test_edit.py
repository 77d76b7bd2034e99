"""Editing a letter's metadata: new version in the store, old one kept, TEI/DC/index in step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from metadata.xml import NS, parse
from tests.support import SAMPLES


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "archive"
    report = Archive(path).ingest([SAMPLES / "letters" / "en-family-letter-1916.docx"])
    return path, report.results[0].id


def invoke(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def test_edit_writes_a_new_version_and_keeps_the_old(archive):
    path, letter_id = archive
    result = invoke(
        path, "edit", letter_id, "--set", "recipients=Ada Hart", "--set", "date=1916-10-14",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": letter_id, "version": "v2", "changed": ["date", "recipients"],
    }  # fmt: skip
    store = Archive(path).store()
    assert store.versions(letter_id) == ["v1", "v2"]
    old = parse(store.read(letter_id, "tei.xml", "v1"))
    new = parse(store.read(letter_id, "tei.xml"))
    received = "//tei:correspAction[@type='received']/tei:persName"
    assert old.xpath(received, namespaces=NS) == []  # "My dear Mother," names no one
    assert [(e.text, e.get("resp")) for e in new.xpath(received, namespaces=NS)] == [
        ("Ada Hart", "#user")
    ]
    assert new.xpath("//tei:respStmt[@xml:id='user']", namespaces=NS)
    change = new.xpath("//tei:revisionDesc/tei:change[@who='#user']", namespaces=NS)
    assert len(change) == 1 and "date, recipients" in change[0].text
    # the original is stored once, shared by both versions
    originals = [p for p in store.inventory(letter_id)["manifest"].values() if "original/" in p[0]]
    assert len(originals) == 1


def test_edit_keeps_dublin_core_and_index_in_step(archive, oai_dc_schema):
    path, letter_id = archive
    invoke(path, "edit", letter_id, "--set", "place_received=Leeds", "--set", "senders=Tom Hart")
    arch = Archive(path)
    record = parse(arch.dc_bytes(letter_id))
    assert oai_dc_schema.validate(record)
    assert [e.text for e in record.xpath("dc:creator", namespaces=NS)] == ["Tom Hart"]
    hits = arch.search("from:Hart", limit=None).hits
    assert [h.id for h in hits] == [letter_id]
    assert arch.validate() == []


def test_edited_tei_is_valid_tei_all(archive, tei_all):
    path, letter_id = archive
    result = invoke(
        path, "edit", letter_id, "--set", "language=en-GB", "--set", "sender_orgs=Royal Navy",
        "--set", "title=A letter from the docks",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    root = Archive(path).tei(letter_id)
    assert tei_all.validate(root), tei_all.error_log
    assert Archive(path).card(letter_id).title == "A letter from the docks"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("colour=red", "unknown field 'colour'"),
        ("date=next Tuesday", "date='next Tuesday' cannot be used"),
        ("language=English", "give a BCP 47 code"),
        ("no-equals-sign", "is not of the form field=value"),
    ],
)
def test_bad_edits_are_usage_errors_and_change_nothing(archive, assignment, message):
    path, letter_id = archive
    result = invoke(path, "edit", letter_id, "--set", assignment)
    assert result.exit_code == 2 and message in result.stderr
    assert Archive(path).store().versions(letter_id) == ["v1"]


def test_edit_unknown_letter_is_exit_1(archive):
    path, _ = archive
    result = invoke(path, "edit", "L-nope", "--set", "title=x")
    assert result.exit_code == 1 and "L-nope" in result.stderr


def _letters(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    for name in ("sv-brev-uppsala.txt", "fr-lettre-chateaudun.txt", "fi-kirje-tampere.txt"):
        (folder / name).write_bytes((SAMPLES / "letters" / name).read_bytes())
    return folder


def test_ingest_takes_manifest_then_sidecar_then_set(tmp_path):
    folder = _letters(tmp_path)
    (folder / "manifest.csv").write_text(
        "file,place_received,recipients\n"
        "sv-brev-uppsala.txt,Lund,Erik Lund\n"
        "fr-lettre-chateaudun.txt,Paris,\n",
        encoding="utf-8",
    )
    (folder / "sv-brev-uppsala.txt.yaml").write_text("place_received: Malmö\n", encoding="utf-8")
    archive = tmp_path / "archive"
    result = invoke(
        archive, "ingest", str(folder), "--metadata", str(folder / "manifest.csv"),
        "--set", "sender_orgs=Lund Family Papers", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # the manifest and the sidecar are metadata, not letters
    names = sorted(Path(r["file"]).name for r in report["results"])
    assert names == ["fi-kirje-tampere.txt", "fr-lettre-chateaudun.txt", "sv-brev-uppsala.txt"]
    assert report["added"] == 3
    cards = {c.source.filename: c for c in Archive(archive).cards()}
    swedish = cards["sv-brev-uppsala.txt"]
    assert swedish.place_received == "Malmö"  # sidecar beats manifest
    assert swedish.recipients == ["Erik Lund"]  # manifest beats what was recognised ("Erik")
    assert swedish.sender_orgs == ["Lund Family Papers"]  # --set applies to every file
    assert cards["fr-lettre-chateaudun.txt"].place_received == "Paris"
    tei = Archive(archive).tei(swedish.id)
    assert tei.xpath(
        "//tei:correspAction[@type='received']/tei:placeName/@resp", namespaces=NS
    ) == ["#user"]


def test_a_bad_sidecar_fails_its_letter_only(tmp_path):
    folder = _letters(tmp_path)
    (folder / "fi-kirje-tampere.txt.json").write_text('{"weather": "rainy"}', encoding="utf-8")
    result = invoke(tmp_path / "archive", "ingest", str(folder), "--json")
    assert result.exit_code == 1
    outcome = {
        Path(r["file"]).name: (r["status"], r["error"])
        for r in json.loads(result.stdout)["results"]
    }
    status, error = outcome["fi-kirje-tampere.txt"]
    assert status == "failed" and "fi-kirje-tampere.txt.json" in error and "weather" in error
    assert outcome["sv-brev-uppsala.txt"][0] == "added"


def test_ingest_set_with_an_unknown_field_is_a_usage_error(tmp_path):
    folder = _letters(tmp_path)
    result = invoke(tmp_path / "archive", "ingest", str(folder), "--set", "weather=rainy")
    assert result.exit_code == 2 and "unknown field 'weather'" in result.stderr
    assert not (tmp_path / "archive" / "store").exists()
