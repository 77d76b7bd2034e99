"""The tricky corpus through the real ``epistula`` command, as an archivist would run it.

Every file under ``../shared/corpus/tricky/`` either becomes valid TEI or is refused with one
line that names the file and the reason; nothing prints a traceback or runs over its time
limit. The TEI Stylesheets' own DOCX test inputs must give the same structure (notes, list
items, table cells, links, page breaks) as the TEI their converter is expected to produce, and
the reference letter's PDF must come out with its pages, footnote and paragraphs intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml import etree

from archive.api import Archive
from metadata.xml import NS
from tests.support import SAMPLES, SHARED, epistula_command, run_cli, shared_path

#: generous, so that a slow CI machine still finishes each file; no file comes close
TIMEOUT = "60"

#: what each refused file must be refused for (words the one-line message must hold)
REFUSED = {
    "docx/empty-body_mammoth.docx": ["there is no text in it"],  # never an empty TEI text
    "docx/external-picture-link_mammoth.docx": ["there is no text in it"],  # a picture only
    "pdf/broken_zero-bytes.pdf": ["empty"],
    "pdf/broken_image-xobject-wrong-object-id.pdf": ["text layer", "--ocr"],
    "pdf/no-text-layer_ccitt-fax-image.pdf": ["text layer", "--ocr"],
    "pdf/no-text-layer_image-only.pdf": ["text layer", "--ocr"],
    "pdf/garbled_non-unicode-cmap.pdf": ["does not decode", "--ocr"],
    "pdf/encrypted_aes256-r6_user-password_asdfzxcv.pdf": ["encrypted", "--password"],
    "pdf/encrypted_user-password-unknown.pdf": ["encrypted", "--password"],
    "pdf/encrypted_user-password_openpassword.pdf": ["encrypted", "--password"],
}


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of ``epistula ingest --recursive --jobs 2`` over the whole tricky folder."""
    folder = shared_path("corpus/tricky")
    archive = tmp_path_factory.mktemp("tricky") / "archive"
    run = run_cli(
        archive, "ingest", str(folder), "--recursive", "--jobs", "2", "--timeout", TIMEOUT, "--json"
    )
    report = json.loads(run.stdout)
    results = {Path(r["file"]).relative_to(folder).as_posix(): r for r in report["results"]}
    return {"archive": archive, "run": run, "results": results, "folder": folder}


def test_every_file_is_read_or_refused_in_one_line(tricky: dict[str, Any]) -> None:
    results = tricky["results"]
    files = {
        p.relative_to(tricky["folder"]).as_posix()
        for p in tricky["folder"].rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert set(results) == files
    for name, result in results.items():
        assert result["status"] in ("added", "unchanged", "failed"), name
        if result["status"] == "failed":
            error = result["error"]
            assert "\n" not in error, name
            filename = Path(name).name
            assert error.startswith(f"{filename}: ") and len(error) > len(filename) + 10, error
    assert tricky["run"].returncode == 1  # some files are refused
    assert "Traceback" not in tricky["run"].stderr
    assert tricky["run"].stderr.strip().endswith("files failed")


def test_no_file_runs_over_its_time_limit_or_crashes_a_reader(tricky: dict[str, Any]) -> None:
    errors = [r["error"] for r in tricky["results"].values() if r["error"]]
    assert not [e for e in errors if "time limit" in e or "process reading it died" in e]
    # a refusal is the file's fault, never a bug of ours
    assert not [e for e in errors if "invalid" in e and "TEI built" in e]
    assert not [e for e in errors if "unexpectedly" in e]


def test_added_letters_are_valid_tei(tricky: dict[str, Any]) -> None:
    run = run_cli(tricky["archive"], "validate", "--json")
    problems = json.loads(run.stdout)["problems"]
    assert problems == []
    assert run.returncode == 0


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files_say_why_and_what_to_do(tricky: dict[str, Any], name: str) -> None:
    result = tricky["results"][name]
    assert result["status"] == "failed"
    for words in REFUSED[name]:
        assert words in result["error"], result["error"]


def test_every_other_file_becomes_a_letter(tricky: dict[str, Any]) -> None:
    """Damaged but repairable PDFs, PDFs whose user password is empty, and every DOCX."""
    unexpected = {
        name: result["error"]
        for name, result in tricky["results"].items()
        if result["status"] == "failed" and name not in REFUSED
    }
    assert unexpected == {}


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("encrypted_aes256-r6_user-password_asdfzxcv.pdf", "asdfzxcv"),
        ("encrypted_user-password_openpassword.pdf", "openpassword"),
    ],
)
def test_the_password_opens_an_encrypted_pdf(tmp_path: Path, name: str, password: str) -> None:
    path = shared_path(f"corpus/tricky/pdf/{name}")
    run = run_cli(tmp_path / "a", "ingest", str(path), "--password", password, "--json")
    assert run.returncode == 0, run.stdout
    wrong = run_cli(tmp_path / "b", "ingest", str(path), "--password", "nope", "--json")
    (result,) = json.loads(wrong.stdout)["results"]
    assert wrong.returncode == 1
    assert "password given does not open it" in result["error"]


# ---------------------------------------------------------------------------------------------
# The TEI Stylesheets' DOCX test inputs against their expected TEI


TEIC = "docx/teic-stylesheets"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _teic_inputs() -> list[Any]:
    folder = SHARED / "corpus" / "tricky" / TEIC
    names = sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else []
    return names or ["(missing)"]


def _structure(text: etree._Element) -> dict[str, int]:
    def count(xpath: str) -> int:
        return len(text.xpath(xpath, namespaces=NS))

    return {
        "notes": count(".//tei:note"),
        "items": count(".//tei:item"),
        "cells": count(".//tei:cell"),
        "links": count(".//tei:ref[@target]"),
        "page breaks": count(".//tei:pb"),
    }


def _expected_structure(path: Path) -> dict[str, int]:
    """Their expected TEI, less what Epistula deliberately does not produce:

    - ``note[@type='conversion']``: the converter's own remark about the conversion, not a
      note of the document;
    - ``ref`` to ``#…``: links to bookmarks inside the document (the table of contents, cross
      references); Epistula keeps no bookmarks, so it keeps their text and not the link;
    - ``pb[@type='soft']``: where Word's last rendering happened to break the page
      (``w:lastRenderedPageBreak``), which changes with fonts and printer; only breaks the
      author made are pages in Epistula;
    - an empty ``item``: a numbered paragraph with no text (Epistula keeps no empty blocks).
    """
    text = etree.parse(str(path)).find("tei:text", NS)
    found = _structure(text)
    found["notes"] -= len(text.xpath(".//tei:note[@type='conversion']", namespaces=NS))
    found["links"] -= len(text.xpath(".//tei:ref[starts-with(@target, '#')]", namespaces=NS))
    found["page breaks"] -= len(text.xpath(".//tei:pb[@type='soft']", namespaces=NS))
    found["items"] -= len(
        [i for i in text.xpath(".//tei:item", namespaces=NS) if not "".join(i.itertext()).strip()]
    )
    return found


def _our_structure(text: etree._Element, docx: Path) -> dict[str, int]:
    """Our TEI, less what Epistula adds on purpose and the TEI Stylesheets do not:

    - the ``pb n="1"`` that marks where the first page starts in a letter of several pages;
    - a page break for each section break that starts a new page (Word prints the next
      section on a new page; the TEI Stylesheets ignore section breaks);
    - links made from URLs written out in the text (the README's "URLs as ref"): only links
      to the targets of the DOCX's own hyperlinks are counted;
    - list items of Word's Bibliography style, which Word numbers through the style (so they
      are a list); the TEI Stylesheets map that style to ``p rend="Bibliography"``.
    """
    found = _structure(text)
    pbs = text.xpath(".//tei:pb/@n", namespaces=NS)
    found["page breaks"] -= ("1" in pbs) + _section_page_breaks(docx)
    targets = _hyperlink_targets(docx)
    links = text.xpath(".//tei:ref/@target", namespaces=NS)
    found["links"] = len([t for t in links if _without_anchor(t) in targets])
    found["items"] -= _bibliography_paragraphs(docx)
    return found


def _document_xml(docx: Path) -> etree._Element:
    with zipfile.ZipFile(docx) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _section_page_breaks(docx: Path) -> int:
    """Section breaks inside the body (``w:pPr/w:sectPr``) that start a new page."""
    breaks = 0
    for section in _document_xml(docx).iter(f"{W}sectPr"):
        kind = section.find(f"{W}type")
        if section.getparent().tag == f"{W}pPr" and (
            kind is None or kind.get(f"{W}val") != "continuous"
        ):
            breaks += 1
    return breaks


def _hyperlink_targets(docx: Path) -> set[str]:
    """Where the DOCX's hyperlinks point: relationships of any part, and HYPERLINK fields."""
    targets: set[str] = set()
    with zipfile.ZipFile(docx) as package:
        for name in package.namelist():
            if name.endswith(".rels"):
                for rel in etree.fromstring(package.read(name)):
                    if rel.get("Type", "").endswith("/hyperlink"):
                        targets.add(_without_anchor(rel.get("Target", "")))
            elif name.startswith("word/") and name.endswith(".xml"):
                text = package.read(name).decode("utf-8", "replace")
                targets.update(map(_without_anchor, re.findall(r'HYPERLINK\s+"([^"]+)"', text)))
    return targets


def _without_anchor(target: str) -> str:
    """A link target without its ``#fragment`` (Word keeps the anchor apart from the target)."""
    return unquote(target).split("#", 1)[0]


def _bibliography_paragraphs(docx: Path) -> int:
    return sum(
        1
        for p in _document_xml(docx).iter(f"{W}p")
        if p.find(f"{W}pPr/{W}pStyle[@{W}val='Bibliography']") is not None
        and "".join(p.itertext()).strip()
    )


@pytest.mark.parametrize("name", _teic_inputs())
def test_teic_stylesheets_inputs_keep_their_structure(tricky: dict[str, Any], name: str) -> None:
    shared_path(f"corpus/tricky/{TEIC}")  # skip (or fail in CI) when the folder is missing
    docx = tricky["folder"] / TEIC / name
    result = tricky["results"][f"{TEIC}/{name}"]
    assert result["status"] == "added", result["error"]
    ours = Archive(tricky["archive"]).tei(result["id"]).find("tei:text", NS)
    expected = _expected_structure(docx.with_name(name.replace(".docx", ".expected.xml")))
    assert _our_structure(ours, docx) == expected


# ---------------------------------------------------------------------------------------------
# The reference letter's PDF


@pytest.fixture(scope="module")
def reference_pdf(tmp_path_factory: pytest.TempPathFactory) -> etree._Element:
    archive = tmp_path_factory.mktemp("reference") / "archive"
    run = run_cli(archive, "ingest", str(shared_path("seed/open-letter-2017.pdf")), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    (result,) = json.loads(run.stdout)["results"]
    return Archive(archive).tei(result["id"])


def _block_texts(root: etree._Element) -> list[str]:
    """The text of every paragraph-like element of the body, notes left out."""
    texts = []
    for element in root.find("tei:text", NS).iter():
        if etree.QName(element).localname in ("p", "head", "salute", "signed", "dateline"):
            copy = etree.fromstring(etree.tostring(element))
            for note in copy.iter(f"{{{NS['tei']}}}note"):
                note.getparent().remove(note)
            texts.append(" ".join("".join(copy.itertext()).split()))
    return texts


def test_reference_pdf_has_one_page_break_per_page(reference_pdf: etree._Element) -> None:
    pages = reference_pdf.xpath("//tei:text//tei:pb/@n", namespaces=NS)
    assert pages == ["1", "2", "3"]


def test_reference_pdf_footnote_sits_at_its_callout(reference_pdf: etree._Element) -> None:
    (note,) = reference_pdf.xpath("//tei:text//tei:note", namespaces=NS)
    assert note.get("place") == "bottom" and note.get("n") == "1"
    assert "".join(note.itertext()).strip().startswith("Maina Kiai, Special Rapporteur")
    paragraph = note.getparent()
    assert etree.QName(paragraph).localname == "p"
    before = "".join(paragraph.itertext()).split("Maina Kiai, Special")[0]
    assert before.rstrip().endswith("as “meaningless.”")
    assert note.xpath("tei:ref/@target", namespaces=NS) == ["http://www.eurasianet.org/node/82831"]


def test_reference_pdf_paragraphs_hold_no_page_furniture(reference_pdf: etree._Element) -> None:
    texts = _block_texts(reference_pdf)
    # no page number on its own or stuck to a paragraph's end, no footnote text in the body
    assert not [t for t in texts if re.fullmatch(r"\d{1,3}", t) or re.search(r"[.,;] \d{1,3}$", t)]
    assert not [t for t in texts if "Maina Kiai, Special Rapporteur" in t]
    # the paragraph that runs over a page keeps its words on both sides of the break
    assert any(t.endswith("the rights to freedom of peaceful assembly") for t in texts) or any(
        "peaceful assembly and of association Maina Kiai" in t for t in texts
    )


def test_reference_pdf_has_no_hyphenation_breaks(reference_pdf: etree._Element) -> None:
    texts = _block_texts(reference_pdf)
    broken = [m.group() for t in texts for m in re.finditer(r"\w+[-\u00ad] \w+", t)]
    assert [b for b in broken if b.split()[1][0].islower()] == []
    assert not [t for t in texts if "\u00ad" in t]
    assert any("nongovernmental organization" in t for t in texts)


# ---------------------------------------------------------------------------------------------
# Limits and parallel reading, through the real command

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _long_docx(path: Path, paragraphs: int, line: str = "Line of a very long letter.") -> Path:
    """A small file that takes long to read: a few KB of zip holding many paragraphs."""
    body = f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" * paragraphs
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>',
        )
    return path


def _results(run: Any) -> dict[str, dict[str, Any]]:
    return {Path(r["file"]).name: r for r in json.loads(run.stdout)["results"]}


def test_a_file_over_its_time_limit_is_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    slow = _long_docx(tmp_path / "slow.docx", 200_000)  # tens of seconds of reading
    good = shared_path("seed/open-letter-2017.txt")
    run = run_cli(tmp_path / "a", "ingest", str(slow), str(good), "--timeout", "1", "--json")
    results = _results(run)
    assert run.returncode == 1
    assert results["slow.docx"]["error"] == (
        "slow.docx: reading it took longer than the time limit of 1 s (the reader was stopped); "
        "raise --timeout if you trust the file (OCR takes seconds per page), or split it"
    )
    assert results["open-letter-2017.txt"]["status"] == "added"


def test_memory_and_size_limits_refuse_a_file_with_the_option_to_raise(tmp_path: Path) -> None:
    """A small file that unpacks to a big XML part needs memory to parse; with less allowed
    than that, the file is refused (the worker's address space is bounded), not the batch."""
    heavy = _long_docx(tmp_path / "heavy.docx", 600_000)  # about 30 MB of XML inside
    good = shared_path("seed/open-letter-2017.txt")
    run = run_cli(tmp_path / "a", "ingest", str(heavy), str(good), "--max-memory", "64M", "--json")
    results = _results(run)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    error = results["heavy.docx"]["error"]
    assert error.startswith("heavy.docx: ") and "memory" in error and "--max-memory" in error
    run = run_cli(tmp_path / "b", "ingest", str(good), "--max-size", "1K", "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["error"].startswith("open-letter-2017.txt: the file is ")
    assert "over the limit of 1,024" in result["error"]


def test_parallel_jobs_give_the_same_letters_in_the_same_order(tmp_path: Path) -> None:
    letters = [str(p) for p in sorted(SAMPLES.joinpath("letters").iterdir())]
    one = run_cli(tmp_path / "one", "ingest", *letters, "--jobs", "1", "--json")
    two = run_cli(tmp_path / "two", "ingest", *letters, "--jobs", "2", "--json")
    assert one.returncode == two.returncode == 0
    ids = [[r["id"] for r in json.loads(run.stdout)["results"]] for run in (one, two)]
    assert ids[0] == ids[1] and len(ids[0]) == len(letters)
    assert [r["file"] for r in json.loads(two.stdout)["results"]] == letters


def _workers_of(pid: int) -> list[int]:
    """The processes forked by ``pid`` (same command line): its reading workers."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            same = (entry / "cmdline").read_bytes() == own
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if parent == pid and same:
            found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_batch_costs_no_letter(tmp_path: Path) -> None:
    # the kernel's out-of-memory killer (or an impatient administrator) may kill a worker:
    # the files the pool held are read again, and every letter still arrives in order
    folder = tmp_path / "in"
    folder.mkdir()
    # both workers are busy when the kill comes (short lines: a letter's length, not a book's)
    _long_docx(folder / "0-long.docx", 20_000, "Line.")
    _long_docx(folder / "0-longer.docx", 20_001, "Line.")
    letters = sorted(SAMPLES.joinpath("letters").iterdir())
    for letter in letters:
        (folder / f"1-{letter.name}").write_bytes(letter.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    command = [*epistula_command(), "--archive", str(tmp_path / "a"), "ingest", str(folder)]
    process = subprocess.Popen(
        [*command, "--jobs", "2", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        workers = _workers_of(process.pid)
    assert workers, "no worker process was seen"
    time.sleep(0.3)  # the workers take their first files
    for worker in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    results = json.loads(out)["results"]
    assert [Path(r["file"]).name for r in results] == sorted(p.name for p in folder.iterdir())
    assert {r["status"] for r in results} == {"added"}
    assert len(Archive(tmp_path / "a").ids()) == len(results)


def _in_a_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run the command with a terminal for stdin/stdout/stderr, answer its first prompt, and
    return its exit status and everything it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling terminal
        os.execv(args[0], args)
    output = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Password" in output:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_on_a_terminal_the_password_is_asked_for(tmp_path: Path) -> None:
    path = shared_path("corpus/tricky/pdf/encrypted_aes256-r6_user-password_asdfzxcv.pdf")
    command = [*epistula_command(), "--archive", str(tmp_path / "a"), "ingest", str(path)]
    code, output = _in_a_terminal(command, "asdfzxcv")
    assert "Password for encrypted_aes256-r6_user-password_asdfzxcv.pdf" in output
    prompt_line = output.split("asdfzxcv.pdf:", 1)[1].split("\n", 1)[0]
    assert "asdfzxcv" not in prompt_line  # what was typed is not echoed
    assert code == 0 and "added" in output
