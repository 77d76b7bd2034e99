"""The formats archivists have, each read end to end through the real ``epistula ingest``.

Every file is made here as the program that writes the format would write it (an e-mail with
a text and an HTML part and an attachment, an ODT zip, RTF, a web page, Markdown), ingested in
one batch by the installed command, and read back from the archive: its text without the
format's markup, its marks and links, and its metadata in the TEI's ``correspDesc``.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from archive.api import Archive
from ingest.readers import reader_for
from tests.support import epistula_command, need_tool, run_cli

TEI = {"tei": "http://www.tei-c.org/ns/1.0"}

LETTER = [
    "Berlin, 3 May 1921",
    "Dear Anna,",
    "Thank you for your long letter from Vienna about the garden and the old apple trees. "
    "The photographs arrived on Tuesday, and we all admired them.",
    "I hope to visit you in June, when the roses are in bloom.",
    "Yours sincerely,",
    "Erik Berg",
]

EML = """\
Return-Path: <anna.lindqvist@example.org>
Message-ID: <20210304101500.1234@example.org>
Date: Thu, 4 Mar 2021 10:15:00 +0100
From: Anna Lindqvist <anna.lindqvist@example.org>
To: Erik Berg <erik.berg@example.org>, "Maria Rossi" <maria@example.it>
Cc: archive@example.org
Subject: =?utf-8?q?Der_Garten_in_Wien_=E2=80=93_Gr=C3=BC=C3=9Fe?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Dear Erik,

Thank you for your long letter about the garden and the old apple trees in Vie=
nna. The photographs arrived on Tuesday, and we all admired them. Viele Gr=C3=
=BC=C3=9Fe to Maria.

I hope to visit you in June, when the roses are in bloom.

Yours sincerely,
Anna
--inner
Content-Type: text/html; charset=utf-8

<html><body><p>Dear Erik,</p><p>HTML PART NOT READ</p></body></html>
--inner--
--outer
Content-Type: application/pdf; name="garden-plan.pdf"
Content-Disposition: attachment; filename="garden-plan.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
--outer--
"""

HTML_ONLY_EML = """\
Message-ID: <2@example.org>
Date: Mon, 12 Apr 2021 08:00:00 +0000
From: office@stadt.example
To: Jukka Virtanen <jukka@example.fi>
Subject: Your application
MIME-Version: 1.0
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<html><head><style>p {color: red}</style></head><body>
<p>Dear Mr Virtanen,</p>
<p>We have received your application for the <b>allotment garden</b> in M=FCnster and
will answer within <i>four weeks</i>.</p>
<p>Kind regards,<br>The City Office</p>
</body></html>
"""

HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>To Anna</title>
<script>document.write("SCRIPT TEXT")</script><style>p { margin: 0 }</style></head>
<body>
<p>Berlin, 3 May 1921</p>
<p>Dear   Anna,</p>
<p>Thank you for your <b>long letter</b> from <i>Vienna</i> about the garden and the old
apple trees. The <a href="https://example.org/photographs">photographs</a> arrived on
Tuesday, and we all admired them.</p>
<p>I hope to visit you in June, when the roses are in bloom.</p>
<p>Yours sincerely,<br>Erik Berg</p>
</body></html>
"""

MARKDOWN = """# A letter to Anna

Berlin, 3 May 1921

Dear Anna,

Thank you for your **long letter** from *Vienna* about the garden and the old apple trees.
The [photographs](https://example.org/photographs) arrived on Tuesday, and we all admired them.

I hope to visit you in June, when the roses are in bloom.

Yours sincerely,
Erik Berg
"""

RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}"
    r"{\info{\title Brief an Anna}{\author Erik Berg}}"
    r"\f0\fs24 Berlin, 3. Mai 1921\par\par Liebe Anna,\par\par "
    r"vielen Dank f\'fcr deinen \b langen\b0  Brief aus Wien \'fcber den Garten und die alten "
    r"Apfelb\'e4ume. Die Fotografien kamen am Dienstag an.\par\page "
    r"Herzliche Gr\'fc\'dfe\par Erik Berg\par}"
)

ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3">
<office:automatic-styles>
 <style:style style:name="T1" style:family="text">
  <style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="T2" style:family="text">
  <style:text-properties fo:font-style="italic"/></style:style>
</office:automatic-styles>
<office:body><office:text>
<text:sequence-decls/>
<text:p>Zürich, 12. März 1856</text:p>
<text:p>Lieber Freund,</text:p>
<text:p>ich danke Dir für Deinen <text:span text:style-name="T1">langen</text:span>
 Brief<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>
 <text:note-body><text:p>Vom 1. März, aus Bern.</text:p></text:note-body></text:note>
 aus <text:span text:style-name="T2">Bern</text:span>, den ich mit
 <text:a xlink:href="https://example.org/escher">grosser Freude</text:a> gelesen habe.
 <office:annotation><text:p>COMMENT NOT TEXT</text:p></office:annotation></text:p>
<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>
 <text:p>DELETED TEXT</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:list><text:list-item><text:p>die Bahn</text:p></text:list-item>
 <text:list-item><text:p>die Schule</text:p></text:list-item></text:list>
<text:p>Mit herzlichem Gruss</text:p>
<text:p>Dein<text:line-break/>Alfred Escher</text:p>
</office:text></office:body></office:document-content>
"""

ODT_META = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">
<office:meta><dc:title>Brief an Stämpfli</dc:title>
<meta:initial-creator>Alfred Escher</meta:initial-creator></office:meta>
</office:document-meta>
"""


def write_odt(path: Path, content: str = ODT_CONTENT, meta: str = ODT_META) -> Path:
    """An ODT as LibreOffice writes one: ``mimetype`` first and stored, then the parts."""
    with zipfile.ZipFile(path, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        odt.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
        odt.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
    return path


def write_formats(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "eml": folder / "letter.eml",
        "html-eml": folder / "office.eml",
        "mbox": folder / "one.mbox",
        "html": folder / "letter.html",
        "md": folder / "letter.md",
        "rtf": folder / "letter.rtf",
    }
    files["eml"].write_text(EML, encoding="ascii")
    files["html-eml"].write_text(HTML_ONLY_EML, encoding="ascii")
    # the mbox's message has its own Message-ID, so its bytes differ from letter.eml's
    mbox = EML.replace("20210304101500.1234", "mbox.1")
    files["mbox"].write_text(f"From anna.lindqvist@example.org Thu Mar  4 10:15:00 2021\n{mbox}\n")
    files["html"].write_text(HTML, encoding="utf-8")
    files["md"].write_text(MARKDOWN, encoding="utf-8")
    files["rtf"].write_text(RTF, encoding="ascii")
    files["odt"] = write_odt(folder / "letter.odt")
    # the suffix is never what decides: a web page named .txt is still a web page
    files["html-as-txt"] = folder / "page.txt"
    files["html-as-txt"].write_text(HTML.replace("3 May", "4 May"), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All the formats in one run of ``epistula ingest --json``."""
    root = tmp_path_factory.mktemp("formats")
    files = write_formats(root / "in")
    archive = root / "archive"
    run = run_cli(archive, "ingest", *(str(p) for p in files.values()), "--json")
    report = json.loads(run.stdout)
    ids = {
        kind: next(r["id"] for r in report["results"] if r["file"] == str(path))
        for kind, path in files.items()
    }
    return {"run": run, "report": report, "ids": ids, "archive": Archive(archive)}


def _tei(ingested: dict[str, Any], kind: str) -> etree._Element:
    return ingested["archive"].tei(ingested["ids"][kind])


def _texts(root: etree._Element, xpath: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in root.xpath(xpath, namespaces=TEI)]


def _body(root: etree._Element) -> str:
    return " ".join(_texts(root, "//tei:text/tei:body"))


def test_every_format_is_added_as_valid_tei(ingested):
    run = ingested["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert {r["status"] for r in ingested["report"]["results"]} == {"added"}
    validated = run_cli(ingested["archive"].path, "validate", "--json")
    assert json.loads(validated.stdout)["problems"] == [] and validated.returncode == 0


def test_each_format_is_told_by_its_content(ingested):
    media = {
        kind: ingested["archive"].card(letter_id).source.media_type
        for kind, letter_id in ingested["ids"].items()
    }
    assert media == {
        "eml": "message/rfc822",
        "html-eml": "message/rfc822",
        "mbox": "application/mbox",
        "html": "text/html",
        "md": "text/markdown",
        "rtf": "application/rtf",
        "odt": "application/vnd.oasis.opendocument.text",
        "html-as-txt": "text/html",
    }


@pytest.mark.parametrize("kind", ["eml", "mbox"])
def test_an_emails_headers_are_its_correspdesc(ingested, kind):
    root = _tei(ingested, kind)
    sent = "//tei:correspDesc/tei:correspAction[@type='sent']"
    received = "//tei:correspDesc/tei:correspAction[@type='received']"
    assert _texts(root, f"{sent}/tei:persName") == ["Anna Lindqvist"]
    assert _texts(root, f"{received}/tei:persName") == [
        "Erik Berg",
        "Maria Rossi",
        "archive@example.org",  # Cc, with no display name: its address
    ]
    assert root.xpath(f"{sent}/tei:date/@when", namespaces=TEI) == ["2021-03-04"]
    # the encoded-word Subject, decoded, is the letter's title
    assert _texts(root, "//tei:titleStmt/tei:title[@type='main']") == ["Der Garten in Wien – Grüße"]


def test_an_emails_text_part_is_its_body_and_its_attachments_are_listed(ingested):
    body = _body(_tei(ingested, "eml"))
    # quoted-printable undone, soft line breaks joined, UTF-8 decoded
    assert "old apple trees in Vienna. The photographs arrived" in body
    assert "Viele Grüße to Maria" in body
    assert "HTML PART NOT READ" not in body  # the text part is preferred
    assert "Attachments: garden-plan.pdf (application/pdf, " in body
    assert "JVBERi0" not in body and "Content-Type" not in body and "--outer" not in body


def test_an_email_with_only_html_is_read_without_its_markup(ingested):
    root = _tei(ingested, "html-eml")
    body = _body(root)
    assert "We have received your application for the allotment garden in Münster" in body
    assert "<p>" not in body and "color: red" not in body and "=FC" not in body
    assert _texts(root, "//tei:body//tei:hi[@rend='bold']") == ["allotment garden"]
    sent = "//tei:correspAction[@type='sent']/tei:persName"
    assert _texts(root, sent) == ["office@stadt.example"]
    assert _texts(root, "//tei:correspAction[@type='received']/tei:persName") == ["Jukka Virtanen"]
    assert root.xpath("//tei:correspAction/tei:date/@when", namespaces=TEI) == ["2021-04-12"]


@pytest.mark.parametrize("kind", ["html", "md", "html-as-txt"])
def test_a_web_page_and_markdown_are_their_text_with_marks_and_links(ingested, kind):
    root = _tei(ingested, kind)
    body = _body(root)
    assert "Thank you for your long letter from Vienna about the garden" in body
    for markup in ("<p>", "<b>", "**", "](", "SCRIPT TEXT", "margin: 0", "# A letter"):
        assert markup not in body, markup
    assert _texts(root, "//tei:body//tei:hi[@rend='bold']") == ["long letter"]
    assert _texts(root, "//tei:body//tei:hi[@rend='italic']") == ["Vienna"]
    links = root.xpath("//tei:body//tei:ref/@target", namespaces=TEI)
    assert links == ["https://example.org/photographs"]
    # recognised from the text, as for any letter: into correspDesc
    assert _texts(root, "//tei:correspAction[@type='sent']/tei:persName") == ["Erik Berg"]
    assert _texts(root, "//tei:correspAction[@type='sent']/tei:placeName") == ["Berlin"]
    when = root.xpath("//tei:correspAction[@type='sent']/tei:date/@when", namespaces=TEI)
    assert when == ["1921-05-04" if kind == "html-as-txt" else "1921-05-03"]
    assert _texts(root, "//tei:opener/tei:salute") == ["Dear Anna,"]


def test_rtf_is_its_text_in_its_code_page(ingested):
    root = _tei(ingested, "rtf")
    body = _body(root)
    assert "vielen Dank für deinen langen Brief aus Wien über den Garten" in body
    assert "Apfelbäume" in body
    assert "\\par" not in body and "rtf1" not in body and "Times New Roman" not in body
    assert _texts(root, "//tei:body//tei:hi[@rend='bold']") == []  # striprtf keeps no marks
    assert root.xpath("//tei:body//tei:pb/@n", namespaces=TEI) == ["1", "2"]  # \\page
    when = root.xpath("//tei:correspAction[@type='sent']/tei:date/@when", namespaces=TEI)
    assert when == ["1921-05-03"]
    assert _texts(root, "//tei:correspAction[@type='sent']/tei:persName") == ["Erik Berg"]


def test_odt_is_its_text_with_marks_notes_and_links_but_no_comments_or_deletions(ingested):
    root = _tei(ingested, "odt")
    body = _body(root)
    assert "ich danke Dir für Deinen langen Brief" in body
    assert "COMMENT NOT TEXT" not in body and "DELETED TEXT" not in body
    assert _texts(root, "//tei:body//tei:hi[@rend='bold']") == ["langen"]
    assert _texts(root, "//tei:body//tei:hi[@rend='italic']") == ["Bern"]
    assert root.xpath("//tei:body//tei:ref/@target", namespaces=TEI) == [
        "https://example.org/escher"
    ]
    assert _texts(root, "//tei:body//tei:note") == ["Vom 1. März, aus Bern."]
    assert _texts(root, "//tei:body//tei:item") == ["die Bahn", "die Schule"]
    assert root.xpath("//tei:correspAction[@type='sent']/tei:date/@when", namespaces=TEI) == [
        "1856-03-12"
    ]
    assert _texts(root, "//tei:correspAction[@type='sent']/tei:persName") == ["Alfred Escher"]


# -- Word 97–2003 (.doc) -------------------------------------------------------------------------

#: an OLE2 compound file's signature, then a directory entry naming the WordDocument stream
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _fake_doc(path: Path, word: bool) -> Path:
    name = ("WordDocument" if word else "Workbook").encode("utf-16-le")
    path.write_bytes(_OLE2 + b"\x00" * 504 + name + b"\x00" * 2000)
    return path


def _ingest_with_path(archive: Path, file: Path, path_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    env["PATH"] = path_env
    return subprocess.run(
        [*epistula_command(), "--archive", str(archive), "ingest", str(file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_a_doc_without_antiword_or_libreoffice_names_the_install(tmp_path):
    doc = _fake_doc(tmp_path / "brief.doc", word=True)
    empty = tmp_path / "bin"
    empty.mkdir()
    run = _ingest_with_path(tmp_path / "a", doc, str(empty))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (line,) = run.stdout.splitlines()
    assert "brief.doc: it is a Word 97–2003 document (.doc)" in line
    assert "apt-get install antiword" in line and "LibreOffice" in line


def test_a_damaged_doc_is_refused_by_antiword_in_one_line(tmp_path):
    need_tool("antiword")
    doc = _fake_doc(tmp_path / "brief.doc", word=True)
    run = run_cli(tmp_path / "a", "ingest", str(doc), "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert result["status"] == "failed" and result["error_code"] == "unreadable"
    assert result["error"].startswith("brief.doc: antiword cannot read the Word document")


def test_an_ole2_file_that_is_not_word_is_refused_as_such(tmp_path):
    sheet = _fake_doc(tmp_path / "accounts.doc", word=False)
    run = run_cli(tmp_path / "a", "ingest", str(sheet), "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["error_code"] == "not-a-letter"
    assert "an OLE2 compound file (an Excel workbook" in result["error"]


#: a Word 97 document written by hand (a compound file holding a WordDocument stream with
#: its FIB and text, and a 1Table stream with the piece table and an empty style sheet)
WORD97 = Path(__file__).parent.parent / "fixtures" / "letter-word97.doc"


def test_a_word_97_doc_is_read_through_antiword(tmp_path):
    need_tool("antiword")
    archive = tmp_path / "a"
    run = run_cli(archive, "ingest", str(WORD97), "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["status"] == "added", result["error"]
    root = Archive(archive).tei(result["id"])
    assert "Thank you for your long letter from Vienna." in _body(root)
    assert _texts(root, "//tei:opener/tei:salute") == ["Dear Anna,"]
    sent = "//tei:correspAction[@type='sent']"
    assert _texts(root, f"{sent}/tei:persName") == ["Erik Berg"]
    assert root.xpath(f"{sent}/tei:date/@when", namespaces=TEI) == ["1921-05-03"]
    assert Archive(archive).card(result["id"]).source.media_type == "application/msword"


# -- told by content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reader"),
    [
        # a typed memo has From:, To: and Subject: too: only mail programs' headers make an e-mail
        ("memo.txt", "To: Anna Berg\nFrom: Erik Lund\nSubject: The garden\n\nDear Anna,\n", "text"),
        ("saved.txt", EML, "mail"),
        ("notes.md", "Dear Anna,\n\nthe **roses** are out.\n", "markdown"),
        ("notes.txt", "Dear Anna,\n\nthe **roses** are out.\n", "text"),
        ("notes.txt", "# Garden\n\nDear Anna,\n\nthe **roses** are out.\n", "markdown"),
        # an editor's bracketed date is not a JSON array
        ("edition.txt", "[3 May 1921]\n\nDear Anna,\n\nthe roses are out.\n", "text"),
        ("data.txt", '[{"from": "Anna"}]', "refused"),
        ("fragment.txt", "<p>Dear Anna,</p><p>the roses are out.</p>", "html"),
        ("letter.xml", '<?xml version="1.0"?><letter>Dear Anna</letter>', "refused"),
        ("letter.doc", RTF, "rtf"),
    ],
)
def test_the_format_is_told_by_the_content_with_the_name_a_hint_for_markdown_alone(
    tmp_path, name, content, reader
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert reader_for(path).__name__ == f"ingest.readers.{reader}"
