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
    invoke(path, "edit", letter_id, "--set", "language=en-GB", "--set", "sender_orgs=Royal Navy")
    assert tei_all.validate(Archive(path).tei(letter_id)), tei_all.error_log


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
