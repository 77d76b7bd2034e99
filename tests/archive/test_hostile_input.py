"""Hostile and mistaken input through the real ``epistula ingest``: nothing wrong goes in silently.

Each file here is what a user (or an attacker) might hand Epistula that is not a letter: data,
XML of another kind, correspondence metadata, a whole book, a mailbox, a text of 50 MB. Each
ends in one clear line that names the file and says what it is, a non-zero exit, no
traceback, and nothing stored; in a batch, the good letters beside it are stored all the same.
A TEI that claims another file's digest does not take that file's place, and a reader that
runs out of memory fails its file rather than storing what it managed to read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from archive.api import Archive
from metadata.xml import parse, serialise
from tests.support import SAMPLES, run_cli, shared_path

TEI_NS = "http://www.tei-c.org/ns/1.0"
LETTER = SAMPLES / "letters" / "fi-kirje-tampere.txt"


def _cmif(letters: int) -> str:
    described = "".join(
        f'<correspDesc ref="https://example.org/letter/{n}"><correspAction type="sent">'
        f'<persName>Sigmund Freud</persName><date when="190{n}-05-0{n + 1}"/>'
        '</correspAction><correspAction type="received"><persName>Arthur Schnitzler</persName>'
        "</correspAction></correspDesc>"
        for n in range(letters)
    )
    return (
        f'<?xml version="1.0"?><TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt>'
        "<title>Freud an Schnitzler</title></titleStmt><publicationStmt><p>x</p>"
        "</publicationStmt><sourceDesc><bibl>Briefe</bibl></sourceDesc></fileDesc>"
        f"<profileDesc>{described}</profileDesc></teiHeader><text><body><p/></body></text></TEI>"
    )


def _tei_corpus() -> str:
    letter = (
        f'<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt><title>A</title></titleStmt>'
        "</fileDesc></teiHeader><text><body><p>Dear Anna, thank you.</p></body></text></TEI>"
    )
    return f'<teiCorpus xmlns="{TEI_NS}"><teiHeader/>{letter}{letter}</teiCorpus>'


def _gutenberg() -> str:
    letters = "\n\n".join(
        f"{216 + n}.\n\nTO F. RIES,--LONDON.\n\nVienna, July 9, 1817.\n\nMY DEAR FRIEND,--\n\n"
        "Your proposal is as flattering as it is honourable.\n\nYours, BEETHOVEN."
        for n in range(5)
    )
    return (
        "The Project Gutenberg EBook of Beethoven's Letters, Volume 2\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK BEETHOVEN'S LETTERS ***\n\n"
        f"{letters}\n\n*** END OF THIS PROJECT GUTENBERG EBOOK ***\n"
    )


def _mbox(messages: int) -> str:
    return "".join(
        f"From anna@example.org Thu Mar  {n + 1} 10:15:00 2021\n"
        f"From: Anna <anna@example.org>\nTo: Erik <erik@example.org>\n"
        f"Subject: Letter {n}\nDate: Thu, {n + 1} Mar 2021 10:15:00 +0100\n"
        f"Message-ID: <{n}@example.org>\n\nDear Erik,\n\nThis is letter {n}.\n\nAnna\n\n"
        for n in range(messages)
    )


def _long_text() -> str:
    paragraph = " ".join(["the garden and the old apple trees in Vienna"] * 40)
    return "Dear Anna,\n\n" + "\n\n".join([paragraph] * 200) + "\n\nYours,\nErik\n"


def _odt(content: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


_ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _deep_odt() -> bytes:
    nested = "<text:section>" * 5_000 + "<text:p>Dear Anna</text:p>" + "</text:section>" * 5_000
    return _odt(
        f"<office:document-content {_ODF}><office:body><office:text>{nested}"
        "</office:text></office:body></office:document-content>"
    )


def _deep_email() -> str:
    parts = "".join(
        f"--b{n}\nContent-Type: multipart/mixed; boundary=b{n + 1}\n\n" for n in range(3_000)
    )
    return (
        "Message-ID: <1@example.org>\nFrom: anna@example.org\nTo: erik@example.org\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n"
        f"{parts}--b3000\nContent-Type: text/plain\n\nDear Erik\n"
    )


#: file name → (content, the error code, words the one line must hold)
REFUSED: dict[str, tuple[str | bytes, str, list[str]]] = {
    "letters.json": ('{"letters": [{"from": "Anna", "to": "Erik"}]}', "not-a-letter", ["JSON"]),
    "export.json": ("[1, 2, 3]", "not-a-letter", ["JSON"]),
    "catalogue.xml": (
        '<?xml version="1.0"?><catalogue><letter id="1">Dear Anna</letter></catalogue>',
        "not-a-letter",
        ["XML (root element <catalogue>)", "TEI"],
    ),
    "dc.xml": (
        '<dc xmlns="http://purl.org/dc/elements/1.1/"><title>A letter</title></dc>',
        "not-a-letter",
        ["XML (root element <dc>)"],
    ),
    "cmif.xml": (_cmif(3), "not-a-letter", ["CMIF", "3 letters"]),
    "cmif-one.xml": (_cmif(1), "not-a-letter", ["CMIF"]),
    "corpus.xml": (_tei_corpus(), "unsupported-format", ["teiCorpus", "one letter per file"]),
    "beethoven-vol2.txt": (_gutenberg(), "many-letters", ["Project Gutenberg book"]),
    "inbox.mbox": (_mbox(3), "many-letters", ["mbox", "3 messages", ".eml"]),
    "book.txt": (_long_text(), "too-long", ["characters long", "250,000 characters"]),
    "notes.md": ("# Notes\n\n" + _long_text().replace("Dear", "**Dear**"), "too-long", ["long"]),
    # what would be read only in part (a reader stopped at its depth bound) is not read at all
    "deep.html": (
        "<html><body><p>Dear Anna, the start.</p>" + "<div>" * 1_000 + "the end" + "</div>" * 1_000,
        "unreadable",
        ["nested too deeply"],
    ),
    "deep.eml": (_deep_email(), "unreadable", ["nested too deeply"]),
    "deep.odt": (_deep_odt(), "unreadable", ["ODT is damaged", "Excessive depth"]),
    "huge.html": (
        "<html><body>" + "".join(f"<p>{_long_text()}</p>" for _ in range(2)) + "</body></html>",
        "too-long",
        ["characters long"],
    ),
}


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _stored(archive: Path) -> list[str]:
    return Archive(archive).ids()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_is_not_a_letter_is_refused_in_one_line_and_nothing_is_stored(tmp_path, name):
    content, code, words = REFUSED[name]
    path = _write(tmp_path, name, content)
    archive = tmp_path / "archive"
    run = run_cli(archive, "ingest", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (line,) = run.stdout.splitlines()
    assert line.startswith("failed") and f"{name}: " in line, line
    for word in words:
        assert word in line, line
    assert _stored(archive) == []
    # the error's code and remedy: what a script decides by (the batch test checks every code)
    report = Archive(archive).ingest([path])
    assert report.results[0].error_code == code and report.results[0].remedy


def test_a_batch_stores_its_letters_and_reports_every_refusal_at_the_end(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (content, _code, _words) in REFUSED.items():
        _write(folder, name, content)
    good = folder / LETTER.name
    good.write_bytes(LETTER.read_bytes())
    archive = tmp_path / "archive"
    run = run_cli(archive, "ingest", str(folder), "--json")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    results = {Path(r["file"]).name: r for r in json.loads(run.stdout)["results"]}
    assert results.pop(LETTER.name)["status"] == "added"
    assert {name: r["error_code"] for name, r in results.items()} == {
        name: code for name, (_content, code, _words) in REFUSED.items()
    }
    assert len(_stored(archive)) == 1
    assert json.loads(run_cli(archive, "validate", "--json").stdout)["problems"] == []


def test_an_odt_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = tmp_path / "bomb.odt"
    bomb.write_bytes(_odt(f"<office:document-content {_ODF}>" + " " * 20_000_000 + "</x>"))
    assert bomb.stat().st_size < 100_000
    archive = tmp_path / "archive"
    # --max-size 2M bounds what a package may unpack to at 5 MB
    run = run_cli(archive, "ingest", str(bomb), "--max-size", "2M", "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["error_code"] == "limit-exceeded"
    assert "the ODT unpacks to more than 5,242,880 bytes" in result["error"]
    assert _stored(archive) == []


def test_a_50_mb_one_line_text_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "one-line.txt"
    with path.open("wb") as fh:
        line = b"lorem ipsum dolor sit amet " * 40_000
        while fh.tell() < 50_000_000:
            fh.write(line)
        fh.write(b"\n")
    archive = tmp_path / "archive"
    run = run_cli(archive, "ingest", str(path), "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["error_code"] == "too-long"
    assert result["error"].startswith("one-line.txt: it is 50,")
    assert _stored(archive) == []


def test_a_long_one_line_letter_within_the_limit_is_stored_and_read_back(tmp_path):
    # one paragraph of 140,000 characters (longer than most letters, within the limit):
    # every command that reads TEI back still can
    path = tmp_path / "long-line.txt"
    path.write_text("Dear Anna, " + "the old apple trees in Vienna " * 4_660 + "Yours, Erik\n")
    archive = tmp_path / "archive"
    run = run_cli(archive, "ingest", str(path), "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["status"] == "added", result["error"]
    for command in (["list"], ["show", result["id"]], ["validate"], ["reindex"]):
        done = run_cli(archive, *command)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
    text = run_cli(archive, "show", result["id"], "--format", "text").stdout
    assert text.count("apple trees") == 4_660


# -- identity is the bytes ----------------------------------------------------------------------


def _crafted_tei(tmp_path: Path, claimed: str) -> Path:
    """A TEI export of one letter, made to claim another file's digest and carry no id."""
    source = Archive(tmp_path / "source")
    (result,) = source.ingest([SAMPLES / "letters" / "sv-brev-uppsala.txt"]).results
    root = parse(source.tei_bytes(result.id))
    digest = root.find(f".//{{{TEI_NS}}}sourceDesc/{{{TEI_NS}}}bibl/{{{TEI_NS}}}idno")
    digest.text = claimed
    own_id = root.find(f".//{{{TEI_NS}}}publicationStmt/{{{TEI_NS}}}idno")
    own_id.getparent().remove(own_id)
    path = tmp_path / "crafted.xml"
    path.write_bytes(serialise(root))
    return path


def test_a_tei_claiming_another_files_digest_takes_neither_its_id_nor_its_place(tmp_path):
    victim = hashlib.sha256(LETTER.read_bytes()).hexdigest()
    crafted = _crafted_tei(tmp_path, victim)
    archive = tmp_path / "archive"
    first = json.loads(run_cli(archive, "ingest", str(crafted), "--json").stdout)["results"][0]
    assert first["status"] == "added"
    own = hashlib.sha256(crafted.read_bytes()).hexdigest()
    assert first["id"].endswith(own[:8]) and not first["id"].endswith(victim[:8])
    # the real file is new to the archive, whatever the TEI claimed
    second = json.loads(run_cli(archive, "ingest", str(LETTER), "--json").stdout)["results"][0]
    assert second["status"] == "added", second
    assert second["id"].endswith(victim[:8]) and second["id"] != first["id"]
    stored = Archive(archive)
    assert stored.original_path(second["id"]).read_bytes() == LETTER.read_bytes()
    assert stored.original_path(first["id"]).read_bytes() == crafted.read_bytes()
    # and each is recognised again by its own bytes
    again = json.loads(run_cli(archive, "ingest", str(LETTER), str(crafted), "--json").stdout)
    assert [(r["status"], r["id"]) for r in again["results"]] == [
        ("unchanged", second["id"]),
        ("unchanged", first["id"]),
    ]


def test_a_tei_claiming_a_stored_letters_digest_stores_nothing_over_it(tmp_path):
    archive = tmp_path / "archive"
    (real,) = json.loads(run_cli(archive, "ingest", str(LETTER), "--json").stdout)["results"]
    crafted = _crafted_tei(tmp_path, hashlib.sha256(LETTER.read_bytes()).hexdigest())
    (result,) = json.loads(run_cli(archive, "ingest", str(crafted), "--json").stdout)["results"]
    # the archive holds the very bytes the TEI names: an export of that letter, nothing to add
    assert (result["status"], result["id"]) == ("unchanged", real["id"])
    assert _stored(archive) == [real["id"]]
    original = Archive(archive).original_path(real["id"])
    assert original.read_bytes() == LETTER.read_bytes()


# -- no limit truncates content silently -------------------------------------------------------

CJK_LETTER = "corpus/real-letters/pdf/pdfplumber_pr-136-example_cn-auditor-letter.pdf"


@pytest.mark.parametrize("limit", ["280M", "300M", "310M", "320M", "330M", "340M", "380M"])
def test_a_cjk_pdf_under_a_memory_limit_is_read_whole_or_refused(tmp_path, limit):
    """pdfium cannot map this letter's GBK font; pypdf can, but needs memory to. Whatever
    the limit, the letter is stored with its Chinese text or refused for memory: never
    stored with every CJK character gone."""
    path = shared_path(CJK_LETTER)
    archive = tmp_path / "archive"
    run = run_cli(archive, "ingest", str(path), "--max-memory", limit, "--json")
    assert "Traceback" not in run.stderr
    (result,) = json.loads(run.stdout)["results"]
    if result["status"] == "failed":
        # out of memory in Python, pypdf reading nothing for want of it, or the worker
        # killed by it: each says that more memory is the remedy
        assert result["error_code"] in ("memory-limit", "unreadable", "reader-crashed"), result
        assert "memory" in result["error"], result["error"]
        assert _stored(archive) == []
    else:
        text = run_cli(archive, "show", result["id"], "--format", "text").stdout
        assert "上海证券交易所" in text
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 1000
