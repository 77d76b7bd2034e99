"""An archive's lifecycle through the real CLI: init, settings, withdraw, purge.

Every step runs ``epistula`` as a subprocess and checks what a user would notice: what
search, ``list``, the exports and ``validate`` show, what the OCFL inventories record
(checked with ocfl-py) and what the TEI says (checked against tei_all).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from archive.api import Archive
from archive.letters.objects import derive
from ingest.tei.schema import validate_tei
from metadata.xml import NS, parse
from tests.archive.test_history import epistula, inventory, json_of
from tests.archive.test_ocfl import assert_ocfl_py_valid
from tests.support import SAMPLES, epistula_command, shared_path

LETTERS = SAMPLES / "letters"
FAMILY = LETTERS / "en-family-letter-1916.docx"
USER = "Ingrid Archivist <ia@example.org>"
NC = "https://creativecommons.org/licenses/by-nc/4.0/"


@pytest.fixture
def three(tmp_path: Path) -> tuple[Path, list[str]]:
    """An archive of three letters, the family letter first."""
    path = tmp_path / "archive"
    files = [FAMILY, LETTERS / "sv-brev-uppsala.txt", LETTERS / "fi-kirje-tampere.txt"]
    report = json_of(epistula(path, "ingest", *map(str, files), "--json", user=USER))
    return path, [r["id"] for r in report["results"]]


def ids_found(archive: Path, query: str) -> set[str]:
    return {hit["id"] for hit in json_of(epistula(archive, "search", query, "--json"))["hits"]}


def listed(archive: Path) -> set[str]:
    return {letter["id"] for letter in json_of(epistula(archive, "list", "--json"))["letters"]}


def exported(archive: Path, target: Path, *ids: str) -> subprocess.CompletedProcess:
    return epistula(archive, "export", "--format", "tei", *ids, str(target), "--json")


# -- init and settings --------------------------------------------------------------------------


def test_init_then_ingest_then_a_settings_change_reaches_every_stored_header(tmp_path):
    path = tmp_path / "leeds"
    created = epistula(
        tmp_path / "unused", "init", str(path), "--name", "Hart family letters",
        "--publisher", "Leeds Local Archive", "--repository-id", "letters.leeds.example.org",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == f"Created the archive {path} (Hart family letters, CC BY 4.0)"
    assert not (tmp_path / "unused").exists()
    shown = json_of(epistula(path, "settings", "--json"))["settings"]
    assert shown["publisher"] == "Leeds Local Archive"
    assert shown["repository_id"] == "letters.leeds.example.org"

    ingested = epistula(path, "ingest", str(FAMILY), str(LETTERS / "sv-brev-uppsala.txt"))
    assert ingested.returncode == 0 and "Creating" not in ingested.stderr
    ids = sorted(Archive(path).ids())
    assert {Archive(path).card(i).publisher for i in ids} == {"Leeds Local Archive"}

    changed = epistula(
        path, "settings", "--set", "licence=CC BY-NC 4.0", "--set", f"licence_url={NC}",
        user=USER,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "Changed licence, licence_url; 2 letters updated"
    for letter_id in ids:
        card = json_of(epistula(path, "show", letter_id, "--json"))
        assert (card["licence"], card["licence_url"]) == ("CC BY-NC 4.0", NC)
        v2 = inventory(path, letter_id)["versions"]["v2"]
        assert v2["message"] == "settings: licence, licence_url"
        assert v2["user"] == {"name": "Ingrid Archivist", "address": "mailto:ia@example.org"}
        # the Dublin Core follows the TEI: dc:rights is the new licence
        dc = epistula(path, "show", letter_id, "--format", "dc").stdout
        assert NC in dc
    assert 'licence = "CC BY-NC 4.0"' in (path / "epistula.toml").read_text()
    assert json_of(epistula(path, "validate", "--json"))["valid"]
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]
    assert_ocfl_py_valid(path / "store", 2)

    # the same values again change nothing and write no version
    again = json_of(epistula(path, "settings", "--set", "licence=CC BY-NC 4.0", "--json"))
    assert again["changed"] == [] and again["updated"] == []
    assert list(inventory(path, ids[0])["versions"]) == ["v1", "v2"]


def test_validate_reports_a_header_changed_by_hand_and_settings_bring_it_back(three):
    path, ids = three
    letters = Archive(path).letters()
    head, root = letters.head_tei(ids[0])
    # an archivist's script rewrites one licence behind Epistula's back
    licence = root.xpath("//tei:availability/tei:licence", namespaces=NS)[0]
    licence.text = "All rights reserved"
    letters.write_tei(ids[0], derive(root, ValueError), "by hand", based_on=head)

    result = epistula(path, "validate", "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["id"], p["code"]) for p in problems] == [(ids[0], "settings-drift")]
    assert "'All rights reserved'" in problems[0]["message"]
    text = epistula(path, "validate")
    assert f"{ids[0]}: [settings-drift] the TEI's licence is 'All rights reserved'" in text.stdout

    fixed = json_of(epistula(path, "settings", "--set", "licence=CC BY 4.0", "--json"))
    assert [u["id"] for u in fixed["updated"]] == [ids[0]]
    assert json_of(epistula(path, "validate", "--json"))["valid"]


def test_ingest_into_a_folder_that_is_not_an_archive_says_it_creates_one(tmp_path):
    path = tmp_path / "typo"
    result = epistula(path, "ingest", str(LETTERS / "sv-brev-uppsala.txt"))
    assert result.returncode == 0
    assert f"Creating a new archive in {path}" in result.stderr
    second = epistula(path, "ingest", str(LETTERS / "fi-kirje-tampere.txt"))
    assert "Creating" not in second.stderr


def test_init_refuses_an_archive_and_settings_refuse_bad_values(three):
    path, _ids = three
    again = epistula(path, "init")
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"Error: {path}: is already an Epistula archive; change its settings with "
        "'epistula settings --set KEY=VALUE'"
    )
    for pair, says in (
        ("colour=blue", "unknown setting 'colour'"),
        ("repository_id=not a domain", "is not a domain name"),
        ("licence=", "licence may not be empty"),
    ):
        result = epistula(path, "settings", "--set", pair)
        assert result.returncode == 1, pair
        assert says in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert json_of(epistula(path, "settings", "--json"))["settings"]["licence"] == "CC BY 4.0"
    nowhere = epistula(path.parent / "none", "settings")
    assert nowhere.returncode == 1 and "is not an Epistula archive" in nowhere.stderr


# -- withdraw -----------------------------------------------------------------------------------


def test_withdraw_takes_a_letter_out_of_search_list_and_exports_and_revert_brings_it_back(
    three, tmp_path
):
    path, ids = three
    family = ids[0]
    assert family in ids_found(path, "Thomas")
    result = epistula(path, "withdraw", family, "--reason", "private: family request", user=USER)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Withdrew {family} as v2: private: family request"

    assert family not in ids_found(path, "Thomas")
    assert family not in ids_found(path, f"id:{family}")
    assert listed(path) == set(ids[1:])
    for other in ids[1:]:
        similar = json_of(epistula(path, "similar", other, "--json"))
        assert family not in {hit["id"] for hit in similar["hits"]}
    itself = epistula(path, "similar", family)
    assert itself.returncode == 1 and "is withdrawn from publication" in itself.stderr
    every = json_of(exported(path, tmp_path / "all"))
    assert every["letters"] == sorted(ids[1:])
    named = exported(path, tmp_path / "named", family)
    assert named.returncode == 1 and "is withdrawn" in named.stderr
    assert not (tmp_path / "named").exists()
    cmif = json_of(epistula(path, "export", "--format", "csv", str(tmp_path / "csv"), "--json"))
    assert family not in cmif["letters"]

    # still in the archive: shown, with its history, and answerable as a deleted record
    card = json_of(epistula(path, "show", family, "--json"))
    assert card["withdrawn"] is True
    versions = json_of(epistula(path, "history", family, "--json"))["versions"]
    assert versions[-1]["message"] == "withdraw: private: family request"
    (record,) = Archive(path).deleted_records()
    assert (record.id, record.purged) == (family, False)
    assert record.datestamp.isoformat().replace("+00:00", "Z") == versions[-1]["created"]
    tei = parse(Archive(path).tei_bytes(family))
    assert tei.xpath("string(//tei:revisionDesc/@status)", namespaces=NS) == "withdrawn"
    change = tei.xpath("//tei:change[@status='withdrawn']", namespaces=NS)
    assert change[0].text == "Withdrawn from publication: private: family request"
    assert validate_tei(tei, shared_path("corpus/schema/tei_all.rng")) == []
    assert json_of(epistula(path, "validate", "--json"))["valid"]
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]

    twice = epistula(path, "withdraw", family, "--reason", "again")
    assert twice.returncode == 1 and "is already withdrawn" in twice.stderr

    back = epistula(path, "revert", family, "--to", "1")
    assert back.returncode == 0, back.stderr
    assert family in ids_found(path, "Thomas") and family in listed(path)
    assert Archive(path).deleted_records() == []
    assert json_of(epistula(path, "show", family, "--json"))["withdrawn"] is False
    assert_ocfl_py_valid(path / "store", 3)


def test_a_withdrawn_letter_stays_out_of_a_rebuilt_index(three):
    path, ids = three
    epistula(path, "withdraw", ids[0], "--reason", "private")
    assert epistula(path, "reindex").returncode == 0
    assert ids[0] not in ids_found(path, "Thomas")
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]
    # an edit, or a re-ingest with metadata, of a withdrawn letter does not publish it again
    assert epistula(path, "edit", ids[0], "--set", "place_received=Leeds").returncode == 0
    assert ids[0] not in ids_found(path, "Thomas") and ids[0] not in listed(path)
    again = json_of(epistula(path, "ingest", str(FAMILY), "--set", "collection=Hart", "--json"))
    assert again["results"][0]["status"] == "updated"
    assert ids[0] not in ids_found(path, "Thomas") and ids[0] not in listed(path)
    assert json_of(epistula(path, "show", ids[0], "--json"))["withdrawn"] is True
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]


def test_withdraw_needs_a_reason_in_one_line(three):
    path, ids = three
    for reason in ("", "   ", "a\x07b"):
        result = epistula(path, "withdraw", ids[0], "--reason", reason)
        assert result.returncode == 1 and result.stderr.startswith("Error: --reason:")
    assert listed(path) == set(ids)


# -- purge --------------------------------------------------------------------------------------


def test_purge_asks_first_then_removes_the_letter_from_store_and_index_and_logs_it(three):
    path, ids = three
    family = ids[0]
    refused = subprocess.run(
        [*epistula_command(), "--archive", str(path), "purge", family, "--reason", "court order"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        env={k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"},
    )  # fmt: skip
    assert refused.returncode == 2 and "add --yes to confirm" in refused.stderr
    assert family in Archive(path).ids()

    result = epistula(path, "purge", family, "--reason", "court order 2026/117", "--yes", user=USER)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Purged {family}; logged in {path / 'purged.jsonl'}"
    assert family not in Archive(path).ids()
    assert not (path / "store" / family).exists()
    assert family not in ids_found(path, "Thomas") and family not in listed(path)
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]
    assert json_of(epistula(path, "validate", "--json"))["valid"]
    assert_ocfl_py_valid(path / "store", 2)

    (line,) = (path / "purged.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert set(record) == {"id", "purged", "user", "reason"}
    assert (record["id"], record["user"], record["reason"]) == (
        family, "Ingrid Archivist", "court order 2026/117",
    )  # fmt: skip
    assert "Thomas" not in line  # the log keeps the fact, never the content
    (deleted,) = Archive(path).deleted_records()
    assert (deleted.id, deleted.purged) == (family, True)
    assert deleted.datestamp.isoformat().replace("+00:00", "Z") == record["purged"]

    gone = epistula(path, "purge", family, "--reason", "again", "--yes")
    assert gone.returncode == 1 and "is not in the archive" in gone.stderr


def test_every_new_command_answers_json(three):
    path, ids = three
    assert set(json_of(epistula(path, "withdraw", ids[1], "--reason", "r", "--json"))) == {
        "id", "version", "reason",
    }  # fmt: skip
    assert (
        json_of(epistula(path, "purge", ids[2], "--reason", "r", "--yes", "--json"))["id"] == ids[2]
    )
    assert "settings" in json_of(epistula(path, "settings", "--json"))
    help_text = epistula(path, "purge", "--help").stdout
    assert "--yes" in help_text and "Example:" in help_text


def test_a_purge_log_that_cannot_be_written_leaves_the_letter_in_place(three):
    path, ids = three
    (path / "purged.jsonl").mkdir()  # (a folder where the log should be: the append fails)
    result = epistula(path, "purge", ids[0], "--reason", "court order", "--yes")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert ids[0] in Archive(path).ids()
    assert ids[0] in ids_found(path, "Thomas")
    assert_ocfl_py_valid(path / "store", 3)
