"""Who and why in every version, ``history``, ``show --version`` and ``revert``: the real CLI.

Each test runs ``epistula`` as a subprocess, as a user would, and reads the OCFL inventories
the commands wrote (checked with ocfl-py's validator).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.archive.test_ocfl import assert_ocfl_py_valid
from tests.support import SAMPLES, epistula_command

LETTER = SAMPLES / "letters" / "en-family-letter-1916.docx"


def epistula(archive: Path, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
    """``epistula --archive ARCHIVE ARGS…``; ``user`` is given as EPISTULA_USER."""
    env = {k: v for k, v in os.environ.items() if k not in ("EPISTULA_ARCHIVE", "EPISTULA_USER")}
    if user is not None:
        env["EPISTULA_USER"] = user
    return subprocess.run(
        [*epistula_command(), "--archive", str(archive), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def json_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def inventory(archive: Path, letter_id: str) -> dict:
    return json.loads((archive / "store" / letter_id / "inventory.json").read_text())


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "archive"
    report = json_of(
        epistula(path, "ingest", str(LETTER), "--json", user="Ingrid Archivist <ia@example.org>")
    )
    return path, report["results"][0]["id"]


def test_every_version_records_who_and_why(archive):
    path, letter_id = archive
    # --user wins over EPISTULA_USER; --message (after the command) over the generated reason
    edited = epistula(
        path, "--user", "Ada Hart <https://orcid.org/0000-0002-1825-0097>", "edit", letter_id,
        "--set", "date=1916-10-14", "--message", "date from the postmark", user="someone else",
    )  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    placed = epistula(path, "edit", letter_id, "--set", "place_received=Leeds", user="Bo <b@x.org>")
    assert placed.returncode == 0, placed.stderr
    versions = inventory(path, letter_id)["versions"]
    assert {v: (b["user"], b["message"]) for v, b in versions.items()} == {
        "v1": (
            {"name": "Ingrid Archivist", "address": "mailto:ia@example.org"},
            "ingest: en-family-letter-1916.docx",
        ),
        "v2": (
            {"name": "Ada Hart", "address": "https://orcid.org/0000-0002-1825-0097"},
            "date from the postmark",
        ),
        "v3": ({"name": "Bo", "address": "mailto:b@x.org"}, "edit: place_received"),
    }
    # every version has its user's address, as OCFL asks: ocfl-py warns of nothing but W005
    assert_ocfl_py_valid(path / "store", 1)


def test_the_login_name_is_the_user_when_none_is_given(archive):
    path, letter_id = archive
    assert epistula(path, "edit", letter_id, "--set", "date=1916-10-14").returncode == 0
    user = inventory(path, letter_id)["versions"]["v2"]["user"]
    login = getpass.getuser()
    assert user == {"name": login, "address": f"mailto:{login}@{socket.gethostname()}"}
    assert_ocfl_py_valid(path / "store", 1)


def test_history_lists_every_version_with_date_user_and_message(archive):
    path, letter_id = archive
    epistula(path, "edit", letter_id, "--set", "date=1916-10-14", user="Ada")
    report = json_of(epistula(path, "history", letter_id, "--json"))
    assert report["id"] == letter_id
    assert [(v["version"], v["user"], v["message"]) for v in report["versions"]] == [
        ("v1", "Ingrid Archivist", "ingest: en-family-letter-1916.docx"),
        ("v2", "Ada", "edit: date"),
    ]
    assert all(v["created"].endswith("Z") for v in report["versions"])
    text = epistula(path, "history", letter_id)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith("v2") and lines[1].endswith("Ada  edit: date")


def test_edit_twice_then_show_the_original_and_revert_to_it(archive):
    path, letter_id = archive
    original = epistula(path, "show", letter_id, "--format", "tei").stdout
    epistula(path, "edit", letter_id, "--set", "recipients=Ada Hart")
    epistula(path, "edit", letter_id, "--set", "date=1916-10-20")
    assert json_of(epistula(path, "search", "to:Hart", "--json"))["total"] == 1

    assert epistula(path, "show", letter_id, "--version", "1", "--format", "tei").stdout == original
    assert json_of(epistula(path, "show", letter_id, "--version", "v2", "--json"))[
        "recipients"
    ] == ["Ada Hart"]
    assert json_of(epistula(path, "show", letter_id, "--json"))["date"] == "1916-10-20"

    reverted = epistula(path, "revert", letter_id, "--to", "1")
    assert reverted.returncode == 0, reverted.stderr
    assert reverted.stdout.strip() == f"Reverted {letter_id} to v1 as v4"
    assert epistula(path, "show", letter_id, "--format", "tei").stdout == original
    # the index follows the revert: the recipient edited in is gone
    assert json_of(epistula(path, "search", "to:Hart", "--json"))["total"] == 0
    assert json_of(epistula(path, "verify", "--index", "--json"))["valid"]
    versions = inventory(path, letter_id)["versions"]
    assert list(versions) == ["v1", "v2", "v3", "v4"]
    assert versions["v4"]["state"] == versions["v1"]["state"]
    assert versions["v4"]["message"] == "revert: to v1"
    assert_ocfl_py_valid(path / "store", 1)
    assert json_of(epistula(path, "validate", "--json"))["valid"]

    again = json_of(epistula(path, "revert", letter_id, "--to", "v4", "--json"))
    assert again == {"id": letter_id, "version": "v4", "reverted_to": "v4", "changed": False}


def test_a_version_the_letter_lacks_is_one_clear_error(archive):
    path, letter_id = archive
    for command in (["show", letter_id, "--version", "7"], ["revert", letter_id, "--to", "v7"]):
        result = epistula(path, *command)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "has no version '" in result.stderr
        assert "Traceback" not in result.stderr
    missing = epistula(path, "history", "L-nope")
    assert missing.returncode == 1 and "is not in the archive" in missing.stderr
