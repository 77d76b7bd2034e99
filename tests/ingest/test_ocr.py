"""Scans: PDF pages without a text layer and TIFF/PNG/JPEG images, read with Tesseract.

The scans are made here: a letter is typeset with reportlab, rendered to page images with
pdfium (as a scanner would deliver them) and saved as an image-only PDF or as image files.
Tests that run Tesseract need it installed with the language packs they read
(:func:`need_tesseract`: skipped on a developer's machine without them, failed in CI, whose
``.ci/run`` installs Tesseract with the English and German packs).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from lxml import etree
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from archive.api import Archive
from ingest.errors import NoTextLayer
from ingest.limits import Limits
from ingest.model import Paragraph
from ingest.ocr import OcrLine, OcrPage, OcrWord, parse_hocr, tesseract_languages
from ingest.readers import image, read
from ingest.readers.pdf.layout import blocks_from_pages
from ingest.readers.pdf.scans import page_from_ocr
from metadata.xml import NS
from tests.support import epistula_command, need, need_tool, run_cli, shared_path

ENGLISH = [
    ["London, 3 March 2021"],
    ["Dear Mrs Thompson,"],
    [
        "Thank you for your kind letter about the garden and the old apple trees along the "
        "river. We were glad to hear that the harvest was good this year and that the new "
        "fence has kept the sheep out of the vegetables at last."
    ],
    [
        "We shall visit you in the spring, when the roads are dry again, and we look forward "
        "to walking with you along the river to the mill."
    ],
    ["Yours sincerely,"],
    ["Margaret Wilson"],
]

GERMAN = [
    ["München, den 4. Mai 1921"],
    ["Sehr geehrter Herr Müller,"],
    [
        "vielen Dank für Ihren freundlichen Brief über den Garten und die alten Apfelbäume "
        "am Fluss. Wir freuen uns, dass die Ernte gut war."
    ],
    ["Mit freundlichen Grüßen"],
    ["Jürgen Weiß"],
]


def need_tesseract(*languages: str) -> None:
    """Skip (or, in CI, fail) unless Tesseract is installed with these language packs."""
    program = need_tool("tesseract")
    listed = subprocess.run(
        [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    installed = set(listed.stdout.split()[1:])  # after the heading line
    for code in languages:
        need(
            code in installed,
            f"Tesseract's {code!r} language pack is not installed (e.g. tesseract-ocr-{code})",
        )


#: the text width of an A4 page with 72 pt margins
WIDTH = 451.0


def wrap(text: str, size: float = 12) -> list[str]:
    """Greedy line breaking to the full text width, as a word processor does."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, "Helvetica", size) <= WIDTH:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line]


def typeset(path: Path, pages: list[list[list[str]]]) -> Path:
    """A born-digital letter: paragraphs of lines at known positions, 12 pt Helvetica."""
    canvas = Canvas(str(path), pagesize=A4)
    for paragraphs in pages:
        y = 760.0
        for block in paragraphs:
            # a block of several entries keeps its lines (an address); one entry is prose
            lines = block if len(block) > 1 else wrap(block[0])
            for line in lines:
                canvas.setFont("Helvetica", 12)
                canvas.drawString(72, y, line)
                y -= 16
            y -= 16
        canvas.showPage()
    canvas.save()
    return path


def scan(pdf_path: Path, dpi: int = 200) -> list[Image.Image]:
    """The pages as a scanner delivers them: grey images, no text."""
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    finally:
        document.close()


def image_pdf(path: Path, images: list[Image.Image]) -> Path:
    """A PDF of page images only (what a scanner without OCR makes)."""
    canvas = Canvas(str(path), pagesize=A4)
    for page in images:
        canvas.drawImage(ImageReader(page), 0, 0, *A4)
        canvas.showPage()
    canvas.save()
    return path


def words(root: etree._Element) -> str:
    """The letter's words, a line break counting as a space."""
    body = etree.fromstring(etree.tostring(root.find("tei:text", NS)))
    for lb in body.iter(f"{{{NS['tei']}}}lb"):
        lb.tail = " " + (lb.tail or "")
    return " ".join("".join(body.itertext()).split())


# ---------------------------------------------------------------------------------------------
# Without Tesseract: language codes, hOCR, layout, and the refusals that name --ocr


@pytest.mark.parametrize(
    ("spec", "codes"),
    [
        ("en", "eng"),
        ("de", "deu"),
        ("eng", "eng"),
        ("en+de", "eng+deu"),
        ("fi, sv", "fin+swe"),
        ("en-GB", "eng"),
        ("eng+eng", "eng"),
    ],
)
def test_language_codes_become_tesseract_names(spec: str, codes: str) -> None:
    assert tesseract_languages(spec) == codes


@pytest.mark.parametrize("spec", ["", "english!", "+"])
def test_a_bad_language_code_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="language"):
        tesseract_languages(spec)


HOCR = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><body>
<div class='ocr_page' title='bbox 0 0 2480 3508; ppageno 0'>
 <p class='ocr_par'>
  <span class='ocr_line' title="bbox 300 400 1200 450; baseline 0 -10; x_size 50">
   <span class='ocrx_word' title='bbox 300 400 500 450; x_wconf 96'>Dear</span>
   <span class='ocrx_word' title='bbox 520 400 800 450; x_wconf 91'>Anna,</span>
   <span class='ocrx_word' title='bbox 900 400 950 450; x_wconf 3'>~</span>
  </span>
 </p>
</div></body></html>"""


def test_hocr_lines_and_words_are_read_in_points() -> None:
    page = parse_hocr(HOCR, dpi=300)
    assert (round(page.width), round(page.height)) == (595, 842)  # A4
    (line,) = page.lines
    assert line.text == "Dear Anna,"  # the speck Tesseract was not sure of is dropped
    assert line.size == pytest.approx(12.0)
    assert line.baseline == pytest.approx(440 * 72 / 300)
    assert line.words[0].x0 == pytest.approx(72.0)


def _ocr_line(text: str, y: float, full: bool = False, size: float = 12.0) -> OcrLine:
    """A line as Tesseract reports it, starting at the left margin (72 pt); a ``full`` line
    reaches the right margin (523 pt on A4), as wrapped prose does."""
    chars = len(text.replace(" ", ""))
    gap = 0.3 * size
    per_char = (451 - gap * text.count(" ")) / chars if full else 0.5 * size
    words, left = [], 72.0
    for word in text.split():
        width = per_char * len(word)
        words.append(OcrWord(word, left, left + width, y - size, y + 0.25 * size))
        left += width + gap
    return OcrLine(tuple(words), baseline=y, size=size)


def test_ocr_lines_go_through_the_pdf_layout() -> None:
    """Wrapped prose is joined into one paragraph, a hyphenated word rejoined, and short
    lines (address, signature) keep their breaks, as for a born-digital PDF."""
    lines = [
        _ocr_line("Anna Berg", 100),
        _ocr_line("Storgatan 5", 114),
        _ocr_line("We are writing to you about the archive of our society which has", 150, True),
        _ocr_line("grown over many decades and now holds thousands of items from writ-", 164, True),
        _ocr_line("ers in many countries, and we would like to make it available now.", 178),
        _ocr_line("Yours,", 214),
    ]
    page = page_from_ocr(1, OcrPage(595.0, 842.0, tuple(lines)))
    blocks, notes = blocks_from_pages([page])
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert texts[0] == "Anna Berg\nStorgatan 5"
    assert "holds thousands of items from writers in many countries" in texts[1]
    assert "\n" not in texts[1]
    assert texts[-1] == "Yours,"
    assert notes == {}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_an_image_without_ocr_is_refused_naming_the_remedy(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"letter.{fmt.lower()}"
    Image.new("L", (200, 100), 255).save(path, format=fmt)
    assert image.sniff(path.read_bytes()[:16], path)
    with pytest.raises(NoTextLayer, match=r"--ocr") as caught:
        read(path, Limits())
    assert str(caught.value).startswith(f"letter.{fmt.lower()}: it is a {fmt} image")


def test_an_image_only_pdf_without_ocr_is_refused_naming_the_remedy(tmp_path: Path) -> None:
    blank = Image.new("L", (850, 1100), 255)
    path = image_pdf(tmp_path / "scan.pdf", [blank])
    with pytest.raises(NoTextLayer, match=r"no page has a text layer.*--ocr"):
        read(path, Limits())


def test_a_scanned_page_among_text_pages_is_named(tmp_path: Path) -> None:
    """Without --ocr, a PDF whose second page is a scan is refused: reading only its
    first page would silently lose the rest of the letter."""
    born = typeset(tmp_path / "born.pdf", [ENGLISH, ENGLISH])
    canvas = Canvas(str(tmp_path / "mixed.pdf"), pagesize=A4)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 760, "A page with its text layer.")
    canvas.showPage()
    canvas.drawImage(ImageReader(scan(born, dpi=100)[1]), 0, 0, *A4)
    canvas.showPage()
    canvas.save()
    with pytest.raises(NoTextLayer, match=r"page 2 of 2 have no text layer.*--ocr"):
        read(tmp_path / "mixed.pdf", Limits())


# ---------------------------------------------------------------------------------------------
# With Tesseract, through the real command


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    born = typeset(folder.parent / "born.pdf", [ENGLISH])
    (page,) = scan(born)
    image_pdf(folder / "scan.pdf", [page])
    page.save(folder / "letter.png", dpi=(200, 200))
    page.convert("RGB").save(folder / "letter.jpg", quality=90, dpi=(200, 200))
    two = typeset(folder.parent / "two.pdf", [ENGLISH[:4], ENGLISH[4:]])
    first, second = scan(two)
    first.save(folder / "letter.tiff", save_all=True, append_images=[second], dpi=(200, 200))
    return folder


@pytest.fixture(scope="module")
def ocr_run(scans: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    need_tesseract("eng")
    archive = tmp_path_factory.mktemp("ocr") / "archive"
    run = run_cli(archive, "ingest", str(scans), "--ocr", "--lang", "en", "--jobs", "2", "--json")
    results = {Path(r["file"]).name: r for r in json.loads(run.stdout)["results"]}
    return {"archive": Archive(archive), "run": run, "results": results}


@pytest.mark.parametrize("name", ["scan.pdf", "letter.png", "letter.jpg", "letter.tiff"])
def test_scans_are_read_with_ocr(ocr_run: dict[str, Any], name: str) -> None:
    result = ocr_run["results"][name]
    assert result["status"] == "added", result["error"]
    root = ocr_run["archive"].tei(result["id"])
    text = words(root)
    for phrase in ("Dear Mrs Thompson", "apple trees along the river", "Yours sincerely"):
        assert phrase in text
    # the wrapped lines of a paragraph are one paragraph again
    paragraphs = [p for p in root.iterfind(".//tei:text//tei:p", NS)]
    (prose,) = [p for p in paragraphs if "sheep out of the vegetables" in "".join(p.itertext())]
    assert "good this year" in "".join(prose.itertext())
    assert prose.find("tei:lb", NS) is None


def test_ocr_is_marked_as_such_in_the_tei(ocr_run: dict[str, Any]) -> None:
    root = ocr_run["archive"].tei(ocr_run["results"]["scan.pdf"]["id"])
    header = root.find("tei:teiHeader", NS)
    bibl = header.find("tei:fileDesc/tei:sourceDesc/tei:bibl", NS)
    assert bibl.get("type") == "digitised"
    note = bibl.find("tei:note[@type='ocr']", NS).text
    assert "Tesseract" in note and "eng" in note and "page 1" in note
    resp = header.find(".//tei:titleStmt/tei:respStmt[@xml:id='ocr']", NS)
    assert resp.findtext("tei:name", namespaces=NS).startswith("Tesseract ")
    changes = [c.text for c in header.iterfind("tei:revisionDesc/tei:change", NS)]
    assert changes[0].startswith("OCR by Tesseract") and changes[1].startswith("Ingested from")
    assert header.find("tei:revisionDesc/tei:change[@who='#ocr']", NS) is not None


def test_a_multi_page_tiff_is_one_letter_with_its_pages(ocr_run: dict[str, Any]) -> None:
    root = ocr_run["archive"].tei(ocr_run["results"]["letter.tiff"]["id"])
    assert root.xpath("//tei:text//tei:pb/@n", namespaces=NS) == ["1", "2"]
    assert (
        root.xpath("string(//tei:sourceDesc//tei:measure[@unit='pages']/@quantity)", namespaces=NS)
        == "2"
    )


def test_ocr_letters_are_valid_tei(ocr_run: dict[str, Any], tei_all: etree.RelaxNG) -> None:
    run = run_cli(ocr_run["archive"].path, "validate", "--json")
    assert json.loads(run.stdout)["problems"] == []
    root = ocr_run["archive"].tei(ocr_run["results"]["scan.pdf"]["id"])
    assert tei_all.validate(root), tei_all.error_log


def test_the_language_of_the_scan_is_chosen_with_lang(tmp_path: Path) -> None:
    need_tesseract("deu")
    (page,) = scan(typeset(tmp_path / "brief.pdf", [GERMAN]))
    page.save(tmp_path / "brief.png", dpi=(200, 200))
    run = run_cli(tmp_path / "a", "ingest", str(tmp_path / "brief.png"), "--ocr", "--lang", "de")
    assert run.returncode == 0, run.stdout
    (letter_id,) = Archive(tmp_path / "a").ids()
    text = words(Archive(tmp_path / "a").tei(letter_id))
    for word in ("Müller", "Grüßen", "Apfelbäume", "Weiß"):
        assert word in text


def test_the_archive_language_is_the_default_ocr_language(tmp_path: Path) -> None:
    need_tesseract("deu")
    (page,) = scan(typeset(tmp_path / "brief.pdf", [GERMAN]))
    page.save(tmp_path / "brief.png", dpi=(200, 200))
    archive = tmp_path / "a"
    archive.mkdir()
    (archive / "epistula.toml").write_text('[archive]\nlanguage = "de"\n', encoding="utf-8")
    run = run_cli(archive, "ingest", str(tmp_path / "brief.png"), "--ocr", "--json")
    assert run.returncode == 0, run.stdout
    (result,) = json.loads(run.stdout)["results"]
    note = Archive(archive).tei(result["id"]).find(".//tei:bibl/tei:note[@type='ocr']", NS)
    assert "language deu" in note.text


def test_a_garbled_text_layer_is_read_again_by_ocr(tmp_path: Path) -> None:
    need_tesseract("eng")
    path = shared_path("corpus/tricky/pdf/garbled_non-unicode-cmap.pdf")
    run = run_cli(tmp_path / "a", "ingest", str(path), "--ocr", "--json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["status"] == "added", result["error"]
    text = words(Archive(tmp_path / "a").tei(result["id"]))
    assert "prost" in text and "3HQ" not in text


def test_a_missing_language_pack_is_named(scans: Path, tmp_path: Path) -> None:
    need_tool("tesseract")
    run = run_cli(tmp_path / "a", "ingest", str(scans / "letter.png"), "--ocr", "--lang", "zzz")
    assert run.returncode == 1
    assert "tesseract-ocr-zzz" in run.stdout and "Traceback" not in run.stderr


def test_without_tesseract_ocr_fails_with_the_install_step(scans: Path, tmp_path: Path) -> None:
    png = scans / "letter.png"
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    env.pop("EPISTULA_ARCHIVE", None)
    run = subprocess.run(
        [*epistula_command(), "--archive", str(tmp_path / "a"), "ingest", "--ocr", str(png)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert "letter.png: OCR was asked for but Tesseract is not installed" in run.stdout
    assert "apt-get install tesseract-ocr" in run.stdout


def test_ocr_stops_at_the_time_limit(scans: Path, tmp_path: Path) -> None:
    """Three pages of OCR take seconds; with a limit of a fraction of that the file is
    refused with the limit named, and the batch goes on."""
    need_tesseract("eng")
    (page,) = scan(typeset(tmp_path / "born.pdf", [ENGLISH]))
    image_pdf(tmp_path / "long.pdf", [page, page, page])
    run = run_cli(tmp_path / "a", "ingest", str(tmp_path / "long.pdf"), "--ocr", "--timeout", "0.5")
    assert run.returncode == 1
    assert "long.pdf: reading it took longer than" in run.stdout
    assert "time limit" in run.stdout
    assert "--timeout" in run.stdout and "Traceback" not in run.stderr
