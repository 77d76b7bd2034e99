"""The CLI as users see it: exact outputs, JSON contracts and exit codes."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.api import Archive
from archive.cli import cli
from ingest.errors import IngestError, NoTextLayer, UnreadableSource, UnsupportedFormat
from tests.support import ROOT, SAMPLES, epistula_command, run_cli

LETTERS = SAMPLES / "letters"


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("samples") / "archive"
    report = Archive(archive).ingest([LETTERS])
    assert report.count("failed") == 0, report.to_json()
    return archive


def invoke(archive: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--archive", str(archive), *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"{name} --help has no example"
        assert f"`{name}" in readme, f"README does not document '{name}'"


#: items of the README's query table that stand for a query rather than being one
QUERY_PLACEHOLDERS = {"a OR b", "a NOT b", "(a OR b) c", "docx", "txt"}


def readme_commands() -> list[list[str]]:
    """The ``epistula …`` lines of the README's shell examples, as argument lists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["epistula"]:
                commands.append(words[1 : words.index(">")] if ">" in words else words[1:])
    return commands


def readme_table_queries() -> list[str]:
    """The queries in the first column of the README's "you type | finds" table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| you type | finds |", 1)[1].split("\n\n", 1)[0]
    queries = []
    for row in table.splitlines()[2:]:
        for item in re.findall(r"`([^`]+)`", row.split(" | ")[0]):
            if "…" not in item and not item.endswith(":") and item not in QUERY_PLACEHOLDERS:
                queries.append(item)
    return queries


def test_every_readme_example_finds_letters_in_the_demo_archive(sample_archive):
    # the demo archive (make demo) is the sample letters: what the README shows works there
    ids = set(Archive(sample_archive).ids())
    searches = [c[1] for c in readme_commands() if c[0] == "search"]
    assert len(searches) >= 6 and len(readme_table_queries()) >= 20
    for query in searches + readme_table_queries():
        code, out, err = invoke(sample_archive, "search", query, "--json")
        assert code == 0, (query, err)
        assert json.loads(out)["total"] >= 1, f"README example {query!r} finds nothing"
    named = [w for c in readme_commands() for w in c if re.fullmatch(r"L-[\w-]+", w)]
    assert named and {w for w in named if w not in ids} == set()


def test_ingest_json_reports_each_file(tmp_path):
    archive = tmp_path / "a"
    code, out, _err = invoke(archive, "ingest", str(LETTERS / "sv-brev-uppsala.txt"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["added"] == 1 and report["unchanged"] == 0 and report["failed"] == 0
    (result,) = report["results"]
    # the contract: fields are added after the others, never renamed or moved
    assert list(result) == ["file", "status", "id", "error", "error_code", "remedy", "same_as"]
    assert result["status"] == "added" and result["error"] is None
    assert result["error_code"] is None and result["remedy"] is None
    assert result["same_as"] is None
    assert re.fullmatch(r"L-2015-02-02-lund-erik-[0-9a-f]{8}", result["id"])
    assert list(report) == [
        "results", "added", "unchanged", "failed", "index_error", "interrupted", "updated",
        "skipped",
    ]  # fmt: skip
    assert report["skipped"] == []


def test_a_bad_file_does_not_stop_the_batch(tmp_path):
    archive = tmp_path / "a"
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(LETTERS / "fr-lettre-chateaudun.txt", batch / "a-good.txt")
    (batch / "b-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")
    (batch / "c-picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40)
    with zipfile.ZipFile(batch / "c-photos.zip", "w") as bundle:
        bundle.writestr("photo.jpg", b"\xff\xd8\xff" + bytes(range(256)))
    shutil.copy(LETTERS / "sv-brev-uppsala.txt", batch / "d-good.txt")
    code, out, err = invoke(archive, "ingest", str(batch), "--json")
    assert code == 1
    statuses = {Path(r["file"]).name: r["status"] for r in json.loads(out)["results"]}
    assert statuses == {
        "a-good.txt": "added",
        "b-broken.pdf": "failed",
        "c-photos.zip": "failed",
        "c-picture.png": "failed",
        "d-good.txt": "added",
    }
    errors = {Path(r["file"]).name: r["error"] for r in json.loads(out)["results"]}
    assert errors["b-broken.pdf"].startswith("b-broken.pdf: ")
    assert errors["c-picture.png"].startswith("c-picture.png: ")
    assert "--ocr" in errors["c-picture.png"]
    assert errors["c-photos.zip"].startswith("c-photos.zip: not a format Epistula reads")
    # the error stays an object until the edge: its code and remedy come along, as they are
    by_name = {Path(r["file"]).name: r for r in json.loads(out)["results"]}
    codes = {name: r["error_code"] for name, r in by_name.items()}
    assert codes == {
        "a-good.txt": None,
        "b-broken.pdf": UnreadableSource.code,
        "c-photos.zip": UnsupportedFormat.code,
        "c-picture.png": NoTextLayer.code,
        "d-good.txt": None,
    }
    assert by_name["c-picture.png"]["remedy"] == NoTextLayer.remedy
    assert by_name["c-picture.png"]["error"].endswith(f"; {NoTextLayer.remedy}")
    assert "3 of 5 files failed" in err
    assert len(Archive(archive).ids()) == 2


def test_every_way_a_file_goes_leaves_the_letters_whole_and_no_stage_behind(tmp_path):
    # workers stage each letter for the store; the main process adopts or drops the stage
    archive = tmp_path / "a"
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(LETTERS / "fr-lettre-chateaudun.txt", batch / "a-good.txt")
    shutil.copy(LETTERS / "fr-lettre-chateaudun.txt", batch / "b-same-bytes.txt")
    shutil.copy(LETTERS / "sv-brev-uppsala.txt", batch / "c-with-sidecar.txt")
    (batch / "c-with-sidecar.txt.json").write_text('{"place_sent": "Sigtuna"}')
    (batch / "d-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")
    code, out, _err = invoke(archive, "ingest", str(batch), "--json", "--jobs", "2")
    assert code == 1
    results = {Path(r["file"]).name: r for r in json.loads(out)["results"]}
    assert {name: r["status"] for name, r in results.items()} == {
        "a-good.txt": "added",
        "b-same-bytes.txt": "unchanged",
        "c-with-sidecar.txt": "added",
        "d-broken.pdf": "failed",
    }
    assert results["b-same-bytes.txt"]["id"] == results["a-good.txt"]["id"]
    stored = Archive(archive)
    assert stored.card(results["c-with-sidecar.txt"]["id"]).place_sent == "Sigtuna"
    assert stored.validate() == []
    assert list((archive / "tmp").iterdir()) == []


def test_a_period_completes_two_digit_years(tmp_path):
    letter = tmp_path / "boelsche.txt"
    letter.write_text(
        "Friedrichshagen, 25. X. 90.\n\nVerehrter Herr Doktor!\n\nLeider müssen wir Ihr "
        "Gedicht ablehnen, das übrigens seines Reizes nicht entbehrt.\n\n"
        "Mit vorzüglicher Hochachtung\nWilhelm Bölsche\n",
        encoding="utf-8",
    )
    dates = {}
    for period in (None, "1880-1931"):
        archive = tmp_path / f"archive-{period}"
        extra = ["--period", period] if period else []
        assert invoke(archive, "ingest", str(letter), *extra)[0] == 0
        (letter_id,) = Archive(archive).ids()
        dates[period] = json.loads(invoke(archive, "show", letter_id, "--json")[1])["date"]
    assert dates == {None: None, "1880-1931": "1890-10-25"}  # no century written: none guessed
    code, _out, err = invoke(tmp_path / "a", "ingest", str(letter), "--period", "1931-1880")
    assert code == 2 and "ends before it begins" in err


def test_missing_file_is_a_failure_not_a_crash(tmp_path):
    code, out, _ = invoke(tmp_path / "a", "ingest", str(tmp_path / "nope.txt"))
    assert code == 1
    assert out.startswith("failed") and "nope.txt: no such file" in out
    code, out, _ = invoke(tmp_path / "a", "ingest", str(tmp_path / "nope.txt"), "--json")
    (result,) = json.loads(out)["results"]
    assert code == 1 and result["error"] == "nope.txt: no such file; check the path"
    assert result["error_code"] == IngestError.code and result["remedy"] == "check the path"


def test_an_unreadable_file_fails_with_the_os_error_code(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    letter = tmp_path / "locked.txt"
    shutil.copy(LETTERS / "sv-brev-uppsala.txt", letter)
    letter.chmod(0)
    code, out, _ = invoke(tmp_path / "a", "ingest", str(letter), "--json")
    (result,) = json.loads(out)["results"]
    assert code == 1 and result["status"] == "failed"
    assert result["error_code"] == "os-error" and result["remedy"] is None
    assert result["error"] == "locked.txt: Permission denied"


def test_show_card_names_parts_not_recognised(tmp_path):
    letter = tmp_path / "note.txt"
    letter.write_text("Remember to water the plants on Thursday, and lock the door.\n")
    archive = tmp_path / "a"
    invoke(archive, "ingest", str(letter))
    (letter_id,) = Archive(archive).ids()
    code, out, _ = invoke(archive, "show", letter_id)
    assert code == 0
    assert "Not recognised: dateline, address, salute, signed, date, sender, recipient" in out
    card = json.loads(invoke(archive, "show", letter_id, "--json")[1])
    assert card["missing_parts"] == [
        "dateline", "address", "salute", "signed", "date", "sender", "recipient",
    ]  # fmt: skip


def test_show_unknown_id_is_one_error_line(sample_archive):
    code, out, err = invoke(sample_archive, "show", "L-nope")
    assert code == 1 and out == ""
    assert err.strip().startswith("Error: ") and "L-nope" in err and len(err.splitlines()) == 1


def test_show_formats(sample_archive):
    letter_id = next(i for i in Archive(sample_archive).ids() if "lund-erik" in i)
    _, tei, _ = invoke(sample_archive, "show", letter_id, "--format", "tei")
    assert tei.startswith("<?xml") and "<correspDesc>" in tei
    _, dc, _ = invoke(sample_archive, "show", letter_id, "--format", "dc")
    assert "<dc:creator>Karin Lund</dc:creator>" in dc
    _, text, _ = invoke(sample_archive, "show", letter_id, "--format", "text")
    assert text.startswith("Uppsala den 2 februari 2015\n\nKära Erik,")


def test_list_json_is_sorted_by_date(sample_archive):
    code, out, _ = invoke(sample_archive, "list", "--json")
    letters = json.loads(out)["letters"]
    assert code == 0 and len(letters) == json.loads(out)["total"] == 7
    dates = [letter["date"] for letter in letters]
    assert dates == sorted(dates) and dates[0] == "1916-10-13"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jarvinen", {"moreau-lindqvist"}),  # accent-insensitive name search
        ("from:Krause", {"krause-muller"}),
        ("to:Helene", {"margot-helene"}),
        ("sender:Virtanen", {"virtanen-tampereenkaupung"}),
        ("lang:fr", {"margot-helene"}),
        ('"wetlands in Västerbotten" OR Chateaudun', {"margot-helene", "moreau-lindqvist"}),
        ("date:[1900-01-01 TO 1999-12-31]", {"thomas-unknown", "margot-helene"}),
        ("Vasterbott*", {"moreau-lindqvist"}),
        ("Lindqvis~", {"moreau-lindqvist"}),
        ("Dunkirk NOT Uppsala", {"thomas-unknown"}),
    ],
)
def test_search_query_forms(sample_archive, query, expected):
    code, out, _ = invoke(sample_archive, "search", query, "--json", "--limit", "50")
    assert code == 0
    result = json.loads(out)
    found = {re.sub(r"^L-[\d-]+?-(\D.*)-[0-9a-f]{8}$", r"\1", hit["id"]) for hit in result["hits"]}
    assert found == expected
    assert result["query"] == query and result["total"] == len(result["hits"])


def test_search_hit_contract_and_snippet(sample_archive):
    result = json.loads(invoke(sample_archive, "search", "peat", "--json")[1])
    hit = result["hits"][0]
    assert set(hit) >= {"id", "title", "date", "senders", "recipients", "score", "snippet"}
    assert "peat" in hit["snippet"].lower() and "**" not in hit["snippet"]
    assert hit["senders"] == ["Élodie Moreau", "Jukka Järvinen"]


def test_search_query_error_is_exit_2(sample_archive):
    code, out, err = invoke(sample_archive, "search", "   ")
    assert code == 2 and out == "" and err.startswith("Error: cannot read the query")


def test_search_on_missing_archive_says_so(tmp_path):
    code, out, err = invoke(tmp_path / "nowhere", "search", "Niinisto")
    assert code == 1 and out == ""
    assert "is not an Epistula archive" in err and "ingest letters first" in err


def test_export_tei_and_dc_then_refuse_non_empty(sample_archive, tmp_path):
    target = tmp_path / "out"
    code, out, _ = invoke(sample_archive, "export", "--format", "dc", str(target), "--json")
    assert code == 0
    files = json.loads(out)["files"]
    assert len(files) == 8 and sum(f.endswith(".xml") for f in files) == 7
    assert "<oai_dc:dc" in Path(files[0]).read_text(encoding="utf-8")
    code, _, err = invoke(sample_archive, "export", "--format", "tei", str(target))
    assert code == 1 and "not empty" in err and "--force" in err
    code, _, _ = invoke(sample_archive, "export", "--format", "tei", str(target), "--force")
    assert code == 0
    assert "<TEI" in next(target.iterdir()).read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]


def test_validate_reports_tampering_with_codes(sample_archive, tmp_path):
    archive = tmp_path / "copy"
    shutil.copytree(sample_archive, archive)
    letter_id = next(i for i in Archive(archive).ids() if "margot" in i)
    dc = archive / "store" / letter_id / "v1" / "content" / "dc.xml"
    dc.write_bytes(dc.read_bytes().replace(b"Margot", b"Marcel"))
    code, out, _ = invoke(archive, "validate", "--json")
    assert code == 1
    report = json.loads(out)
    codes = {(p["id"], p["code"]) for p in report["problems"]}
    assert (letter_id, "E092a") in codes and (letter_id, "dc-drift") in codes
    assert report["valid"] is False and report["checked"] == 7


def test_reindex_restores_a_deleted_index(sample_archive, tmp_path):
    archive = tmp_path / "copy"
    shutil.copytree(sample_archive, archive)
    shutil.rmtree(archive / "index")
    code, _, err = invoke(archive, "search", "Dunkirk")
    assert code == 1 and "reindex" in err
    code, _, err = invoke(archive, "reindex")
    assert code == 0 and "Indexed 7 letters" in err
    assert json.loads(invoke(archive, "search", "Dunkirk", "--json")[1])["total"] == 1


def test_archive_from_environment_variable(tmp_path, monkeypatch):
    archive = tmp_path / "env-archive"
    monkeypatch.setenv("EPISTULA_ARCHIVE", str(archive))
    result = CliRunner().invoke(cli, ["ingest", str(LETTERS / "fi-kirje-tampere.txt")])
    assert result.exit_code == 0 and (archive / "store" / "0=ocfl_1.1").exists()


def test_real_command_usage_error_exit_2(tmp_path):
    result = run_cli(tmp_path / "a", "ingest")
    assert result.returncode == 2 and "Missing argument" in result.stderr


def test_real_command_is_quiet_on_success_apart_from_results(tmp_path):
    first = run_cli(tmp_path / "a", "ingest", str(LETTERS / "sv-brev-uppsala.txt"))
    # (a folder that is not an archive yet is made one, and the user is told which)
    assert first.stderr == f"Creating a new archive in {tmp_path / 'a'} (it is not one yet)\n"
    result = run_cli(tmp_path / "a", "ingest", str(LETTERS / "fi-kirje-tampere.txt"))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("added ")


def _letters(folder: Path, count: int) -> list[Path]:
    """``count`` different short letters (different bytes, so none is 'unchanged')."""
    folder.mkdir()
    towns = ["Uppsala", "Lund", "Visby", "Umeå", "Kiruna", "Malmö"]
    paths = []
    for n in range(count):
        path = folder / f"letter-{n:04d}.txt"
        path.write_text(
            f"{towns[n % len(towns)]}, {n % 28 + 1} March {1900 + n % 90}\n\nDear Erik,\n\n"
            f"Thank you for letter number {n}; the garden is well and the apples are {n} in "
            f"all this year.\n\nYours, Karin\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def test_ctrl_c_stops_the_batch_with_what_was_done_stored_and_indexed(tmp_path):
    # Ctrl-C once: the letter in hand is finished, and everything done so far is stored and
    # indexed before the command exits 130; running it again goes on where it stopped
    folder = tmp_path / "in"
    letters = _letters(folder, 600)
    archive = tmp_path / "a"
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    command = [*epistula_command(), "--archive", str(archive), "ingest", str(folder), "--json"]
    process = subprocess.Popen(
        [*command, "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    deadline = time.monotonic() + 120
    store = archive / "store"
    while time.monotonic() < deadline and process.poll() is None:
        if store.is_dir() and any(p.is_dir() and p.name.startswith("L-") for p in store.iterdir()):
            break  # a first batch of letters is stored
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    report = json.loads(out)
    assert report["interrupted"] is True
    done = len(report["results"])
    assert 0 < done < len(letters) and report["added"] == done
    assert b"Interrupted after" in err and b"Traceback" not in err
    verified = run_cli(archive, "verify", "--index", "--json")
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout)["indexed"] == done
    assert list((archive / "tmp").iterdir()) == []  # no stage left behind
    again = run_cli(archive, "ingest", str(folder), "--jobs", "2", "--json")
    assert again.returncode == 0
    second = json.loads(again.stdout)
    assert (second["unchanged"], second["added"]) == (done, len(letters) - done)
    assert json.loads(run_cli(archive, "verify", "--index", "--json").stdout)["valid"] is True
