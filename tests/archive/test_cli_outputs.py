"""Whole outputs of the CLI, compared line for line rather than by substrings.

What a letter's metadata says depends on recognition, which improves from release to release;
so the expected lines are built from the archive's own JSON (``--json`` and the API), and what
is compared exactly is the rest: the layout of every line, the messages, the exit codes and
which stream each goes to.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from tests.support import SAMPLES

LETTERS = SAMPLES / "letters"
CHOSEN = ("en-family-letter-1916.docx", "fr-lettre-chateaudun.txt", "sv-brev-uppsala.txt")


def invoke(archive: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--archive", str(archive), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    for name in CHOSEN:
        shutil.copy(LETTERS / name, folder / name)
    (folder / "z-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")
    return folder


@pytest.fixture(scope="module")
def archive(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "a"
    code, _out, _err = invoke(path, "ingest", str(batch))
    assert code == 1  # the broken file
    return path


def test_ingest_prints_one_line_per_file_and_a_count_of_failures(batch, tmp_path):
    archive = tmp_path / "a"
    code, out, err = invoke(archive, "ingest", str(batch))
    again = json.loads(invoke(archive, "ingest", str(batch), "--json")[1])["results"]
    expected = [
        f"{'added' if r['status'] == 'unchanged' else r['status']:<9} {r['file']}  "
        f"{r['id'] if r['status'] != 'failed' else r['error']}"
        for r in again
    ]
    # (a folder that is not an archive yet is made one, and the user is told which)
    created = f"Creating a new archive in {archive} (it is not one yet)\n"
    assert (code, out, err) == (1, "\n".join(expected) + "\n", created + "1 of 4 files failed\n")
    assert [r["status"] for r in again] == ["unchanged"] * 3 + ["failed"]
    code, out, err = invoke(archive, "ingest", str(batch))
    assert out.splitlines() == [
        f"{r['status']:<9} {r['file']}  {r['id'] or r['error']}" for r in again
    ]


def test_list_prints_date_id_correspondents_and_title(archive):
    code, out, err = invoke(archive, "list")
    letters = json.loads(invoke(archive, "list", "--json")[1])["letters"]
    cards = {card.id: card for card in Archive(archive).cards()}
    expected = []
    for letter in letters:
        card = cards[letter["id"]]
        senders = ", ".join(card.senders or card.sender_orgs) or "?"
        recipients = ", ".join(card.recipients or card.recipient_orgs) or "?"
        expected.append(
            f"{letter['date'] or 'undated':<10}  {letter['id']}  {senders} → {recipients}  "
            f"{letter['title']}"
        )
    assert (code, out, err) == (0, "\n".join(expected) + "\n", f"3 letters in {archive}\n")


def test_list_of_an_empty_archive_says_so(archive, tmp_path):
    empty = tmp_path / "empty"
    shutil.copytree(archive, empty)
    for object_id in Archive(empty).ids():
        shutil.rmtree(empty / "store" / object_id)
    assert invoke(empty, "list") == (0, "", "No letters yet\n")


def test_show_prints_the_card_in_a_fixed_order(archive):
    letter_id = Archive(archive).ids()[0]
    code, out, err = invoke(archive, "show", letter_id)
    card = json.loads(invoke(archive, "show", letter_id, "--json")[1])
    labels = [
        ("Title", "title"), ("Date", "date_text"), ("From", "senders"),
        ("Organisations", "sender_orgs"), ("To", "recipients"),
        ("Address", "recipient_address"), ("Place sent", "place_sent"),
        ("Place received", "place_received"), ("Language", "language"),
        ("Salutation", "salute"), ("Closing", "closer_salute"), ("Sections", "heads"),
        ("Notes", "notes"), ("Links", "links"), ("Pages", "pages"), ("Words", "words"),
    ]  # fmt: skip
    expected = [letter_id]
    for label, key in labels:
        value = card.get(key)
        if value in (None, [], ""):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        expected.append(f"  {label + ':':<16}{value}")
    source = card["source"]
    expected.append(
        f"  {'Source:':<16}{source['filename']} ({source['media_type']}, {source['bytes']} "
        f"bytes, sha256 {source['sha256'][:16]}…)"
    )
    if card["missing_parts"]:
        expected.append(f"  {'Not recognised:':<16}{', '.join(card['missing_parts'])}")
    assert (code, out, err) == (0, "\n".join(expected) + "\n", "")


def test_checks_say_in_one_line_on_stderr_that_all_is_well(archive):
    assert invoke(archive, "validate") == (0, "", "3 letters checked, no problems\n")
    letter_id = Archive(archive).ids()[0]
    assert invoke(archive, "validate", letter_id) == (0, "", "1 letter checked, no problems\n")
    assert invoke(archive, "verify", "--index") == (
        0, "", "3 letters archived, 3 indexed, 0 problems\n",
    )  # fmt: skip


def test_export_says_what_it_wrote_on_stderr(archive, tmp_path):
    target = tmp_path / "tei"
    assert invoke(archive, "export", "--format", "tei", str(target)) == (
        0, "", f"Exported 3 letters as tei to {target} (3 files)\n",
    )  # fmt: skip
    assert invoke(archive, "export", "--format", "tei", str(target)) == (
        1, "", f"Error: {target}: already exists and is not empty; choose an empty or new "
        "directory, or pass --force to replace its contents\n",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("show", "L-nope"), (1, "Error: object L-nope: is not in the archive; check the id "
                                "against the list of objects in the archive\n")),
        (("search", "   "), (2, "Error: cannot read the query '   ': the query is empty\n")),
        (("similar", "L-nope"), (1, "Error: no letter 'L-nope' in the search index; check the "
                                   "id with 'epistula list'\n")),
        (("edit", "L-nope"), (2, "Error: nothing to change: give at least one --set "
                                 "FIELD=VALUE\n")),
        (("edit", "L-nope", "--set", "place_received=Leeds"),
         (1, "Error: object L-nope: is not in the archive; check the id against the list of "
             "objects in the archive\n")),
    ],
)  # fmt: skip
def test_errors_are_one_line_on_stderr_with_their_exit_status(archive, args, expected):
    code, out, err = invoke(archive, *args)
    assert (code, out, err) == (expected[0], "", expected[1])


def test_a_missing_archive_is_one_error_line(tmp_path):
    missing = tmp_path / "nowhere"
    line = (
        f"Error: {missing}: is not an Epistula archive (no store/); ingest letters first "
        "(epistula ingest FILE…), or point --archive at an archive\n"
    )
    for command in (("list",), ("search", "x"), ("validate",), ("reindex",)):
        assert invoke(missing, *command) == (1, "", line), command


def test_edit_says_in_one_line_what_it_changed(archive, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(archive, copy)
    letter_id = Archive(copy).ids()[0]
    assert invoke(copy, "edit", letter_id, "--set", "place_received=Leeds") == (
        0, "", f"{letter_id}: changed place_received (now version v2)\n",
    )  # fmt: skip


def test_validate_reports_every_problem_of_every_letter(archive, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(archive, damaged)
    first, second, third = Archive(damaged).ids()
    (damaged / "store" / first / "v1" / "content" / "dc.xml").unlink()
    for original in (damaged / "store" / second / "v1" / "content" / "original").iterdir():
        original.unlink()
    code, out, err = invoke(damaged, "validate", "--json")
    report = json.loads(out)
    assert code == 1 and report["checked"] == 3 and report["valid"] is False
    found = {(p["id"], p["code"]) for p in report["problems"]}
    # the store's fixity check and Epistula's own, for both letters; the third is clean
    assert {(first, "E092b"), (first, "dc-unreadable")} <= found
    assert {(second, "E092b"), (second, "original-unreadable")} <= found
    assert third not in {p["id"] for p in report["problems"]}
    code, out, err = invoke(damaged, "validate")
    expected = [f"{p['id']}: [{p['code']}] {p['message']}" for p in report["problems"]]
    summary = f"{len(expected)} problems in 2 letters (3 checked)\n"
    assert (code, out, err) == (1, "\n".join(expected) + "\n", summary)
