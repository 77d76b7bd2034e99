"""The foundation's acceptance: the reference letter as .txt, .docx and .pdf, end to end.

Everything here runs the real ``epistula`` command in a subprocess against a real archive
(OCFL store + Whoosh index) and checks what an archivist would look at.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from lxml import etree

from metadata.xml import NS, parse
from tests.support import cli_json, run_cli, shared_path

FORMATS = ("txt", "docx", "pdf")
SEED_NAME = "open-letter-2017"


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """An archive holding the three renditions, ingested by one CLI call."""
    seed = shared_path("seed")
    archive = tmp_path_factory.mktemp("seed") / "archive"
    files = [str(seed / f"{SEED_NAME}.{ext}") for ext in FORMATS]
    report = cli_json(archive, "ingest", *files)
    return archive, report


def _tei(archive: Path, letter_id: str) -> etree._Element:
    result = run_cli(archive, "show", letter_id, "--format", "tei")
    assert result.returncode == 0, result.stderr
    return parse(result.stdout.encode("utf-8"))


def _ids(report: dict) -> dict[str, str]:
    return {Path(r["file"]).suffix[1:]: r["id"] for r in report["results"]}


def _texts(root: etree._Element, path: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in root.xpath(path, namespaces=NS)]


def test_three_renditions_become_three_objects(seed_archive):
    _archive, report = seed_archive
    assert report["added"] == 3 and report["failed"] == 0 and report["unchanged"] == 0
    assert len(set(_ids(report).values())) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_tei_is_valid_against_tei_all(seed_archive, tei_all, fmt):
    archive, report = seed_archive
    root = _tei(archive, _ids(report)[fmt])
    assert tei_all.validate(root), tei_all.error_log.filter_from_errors()[:3]


@pytest.mark.parametrize("fmt", FORMATS)
def test_correspondence_metadata(seed_archive, fmt):
    archive, report = seed_archive
    root = _tei(archive, _ids(report)[fmt])
    sent = "//tei:correspDesc/tei:correspAction[@type='sent']"
    received = "//tei:correspDesc/tei:correspAction[@type='received']"
    assert _texts(root, f"{sent}/tei:persName") == ["Bjørn Engesland", "Hugh Williamson"]
    assert _texts(root, f"{sent}/tei:orgName") == [
        "Norwegian Helsinki Committee",
        "Human Rights Watch",
    ]
    assert root.xpath(f"{sent}/tei:date/@when", namespaces=NS) == ["2017-07-13"]
    assert _texts(root, f"{received}/tei:persName") == ["Sauli Niinistö"]
    assert _texts(root, "//tei:titleStmt/tei:author/tei:persName") == [
        "Bjørn Engesland",
        "Hugh Williamson",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_letter_parts(seed_archive, fmt):
    archive, report = seed_archive
    root = _tei(archive, _ids(report)[fmt])
    letter = "//tei:div[@type='letter']"
    assert _texts(root, f"{letter}/tei:head[@type='subject']") == [
        "Open letter to the President of Finland"
    ]
    assert _texts(root, f"{letter}/tei:opener/tei:salute") == ["Mr. President Sauli Niinistö,"]
    assert root.xpath(f"{letter}/tei:opener/tei:dateline/tei:date/@when", namespaces=NS) == [
        "2017-07-13"
    ]
    assert _texts(root, f"{letter}/tei:opener/tei:address/tei:addrLine") == [
        "Sauli Niinistö",
        "Mariankatu 2",
        "00170 Helsinki",
    ]
    assert _texts(root, f"{letter}/tei:div[@type='section']/tei:head") == [
        "Imprisoned civil society activists Maks Bokaev and Talgat Ayan",
        "Imprisoned labor leaders Amin Yeleusinov and Nurbek Kushakbaev",
    ]
    signed = root.xpath(f"{letter}/tei:closer/tei:signed", namespaces=NS)
    assert len(signed) == 2
    assert _texts(signed[0], "tei:persName") == ["Bjørn Engesland"]
    assert _texts(signed[0], "tei:roleName") == ["Secretary General"]
    assert _texts(signed[1], "tei:orgName") == [
        "Europe and Central Asia Division",
        "Human Rights Watch",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_footnote_at_its_callout_with_link(seed_archive, fmt):
    archive, report = seed_archive
    root = _tei(archive, _ids(report)[fmt])
    notes = root.xpath("//tei:div[@type='letter']//tei:p/tei:note", namespaces=NS)
    assert len(notes) == 1
    note = notes[0]
    assert note.get("place") == "bottom" and note.get("n") == "1"
    assert note.xpath("tei:ref/@target", namespaces=NS) == ["http://www.eurasianet.org/node/82831"]
    before = note.getparent().text or ""
    preceding = "".join(note.getparent().itertext())
    assert "“meaningless.”" in (before + preceding)
    # the callout sits right after the quotation, not at the end of another paragraph
    assert "".join(note.xpath("preceding-sibling::node()", namespaces=NS)[-1:]).endswith(
        "“meaningless.”"
    ) or (note.getparent().text or "").endswith("“meaningless.”")


@pytest.mark.parametrize("fmt", FORMATS)
def test_source_file_and_digest_in_header(seed_archive, fmt):
    archive, report = seed_archive
    root = _tei(archive, _ids(report)[fmt])
    original = shared_path(f"seed/{SEED_NAME}.{fmt}")
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    assert root.xpath(
        "//tei:sourceDesc/tei:bibl/tei:idno[@type='sha256']/text()", namespaces=NS
    ) == [digest]
    assert _texts(root, "//tei:sourceDesc/tei:bibl/tei:title") == [original.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_dublin_core_is_valid_oai_dc(seed_archive, oai_dc_schema, fmt):
    archive, report = seed_archive
    result = run_cli(archive, "show", _ids(report)[fmt], "--format", "dc")
    record = parse(result.stdout.encode("utf-8"))
    assert oai_dc_schema.validate(record), oai_dc_schema.error_log
    assert _texts(record, "dc:creator")[:2] == ["Bjørn Engesland", "Hugh Williamson"]
    assert _texts(record, "dc:contributor") == ["Sauli Niinistö"]
    assert _texts(record, "dc:date") == ["2017-07-13"]


def test_show_json_contract(seed_archive):
    archive, report = seed_archive
    card = cli_json(archive, "show", _ids(report)["pdf"])
    for key in (
        "id", "title", "date", "senders", "sender_orgs", "recipients", "recipient_address",
        "place_sent", "place_received", "language", "subject", "salute", "closer_salute",
        "heads", "notes", "links", "pages", "words", "source",
    ):  # fmt: skip
        assert key in card
    assert card["date"] == "2017-07-13"
    assert card["recipients"] == ["Sauli Niinistö"]
    assert card["place_received"] == "Helsinki"
    assert card["language"] == "en"
    assert card["pages"] == 3
    assert card["links"] == ["http://www.eurasianet.org/node/82831"]
    assert card["source"]["media_type"] == "application/pdf"
    assert card["source"]["filename"] == f"{SEED_NAME}.pdf"


def test_search_without_accents_finds_all_three(seed_archive):
    archive, report = seed_archive
    result = cli_json(archive, "search", "Niinisto")
    assert result["total"] == 3
    assert {hit["id"] for hit in result["hits"]} == set(_ids(report).values())
    assert all(hit["senders"] == ["Bjørn Engesland", "Hugh Williamson"] for hit in result["hits"])


def test_same_bytes_again_is_unchanged(seed_archive, tmp_path):
    archive, report = seed_archive
    copy = tmp_path / "renamed-copy.docx"
    shutil.copy(shared_path(f"seed/{SEED_NAME}.docx"), copy)
    before = sorted(p.name for p in (archive / "store").iterdir())
    again = cli_json(archive, "ingest", str(shared_path(f"seed/{SEED_NAME}.pdf")), str(copy))
    assert [r["status"] for r in again["results"]] == ["unchanged", "unchanged"]
    assert [r["id"] for r in again["results"]] == [_ids(report)["pdf"], _ids(report)["docx"]]
    assert again["added"] == 0
    assert sorted(p.name for p in (archive / "store").iterdir()) == before


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.name.endswith(".lock"):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_truncated_docx_fails_cleanly_and_leaves_archive_untouched(seed_archive, tmp_path):
    archive, _report = seed_archive
    data = shared_path(f"seed/{SEED_NAME}.docx").read_bytes()
    broken = tmp_path / "truncated-letter.docx"
    broken.write_bytes(data[: len(data) // 2])
    before = _tree_digest(archive / "store")
    result = run_cli(archive, "ingest", str(broken))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    failed = [line for line in result.stdout.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and "truncated-letter.docx" in failed[0]
    assert "Traceback" not in result.stderr
    assert any("1 of 1 files failed" in line for line in errors)
    assert _tree_digest(archive / "store") == before


def test_store_is_a_valid_ocfl_storage_root(seed_archive):
    ocfl = pytest.importorskip("ocfl")
    archive, _report = seed_archive
    root = ocfl.StorageRoot(str(archive / "store"))
    assert root.validate(), "ocfl-py found errors in the storage root"
    assert root.num_objects == 3 and root.good_objects == 3


def test_validate_command_passes_on_a_fresh_archive(seed_archive):
    archive, _report = seed_archive
    result = cli_json(archive, "validate")
    assert result["valid"] is True and result["problems"] == [] and result["checked"] == 3
