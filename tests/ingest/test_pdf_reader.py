"""The PDF reader on the reference letter, the tricky corpus and small PDFs made here.

The small PDFs are drawn with reportlab line by line at known positions, so each test controls
exactly the layout the reader has to make sense of (gaps, wraps, raised callouts, page edges).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ingest.errors import (
    EncryptedDocument,
    IngestError,
    LimitExceeded,
    NoTextLayer,
    TimeLimitExceeded,
    UnreadableSource,
)
from ingest.limits import Limits
from ingest.model import Block, Document, Heading, PageBreak, Paragraph
from ingest.readers import pdf
from ingest.readers.pdf.extraction import Extractor
from tests.support import shared_path

LEFT = 72.0
WIDTH = 451.0  # A4 with 72 pt margins on both sides
TOP = 770.0
SIZE = 11.0
LEADING = 14.0

PROSE = (
    "We are writing to you about the archive of letters that our society has kept since "
    "its foundation. The collection has grown over many decades and now holds thousands "
    "of items from writers in many countries, and we would like to make it available to "
    "researchers in a form that will last for a long time to come."
)


# ---------------------------------------------------------------------------------------------
# Making PDFs


def wrap(text: str, width: float = WIDTH, font: str = "Helvetica", size: float = SIZE) -> list[str]:
    """Greedy line breaking, as a word processor does; ``\\xad`` marks where a word may be
    hyphenated."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate.replace("\xad", ""), font, size) <= width:
            line = candidate
            continue
        head, _, tail = word.partition("\xad")
        with_head = f"{line} {head}-".strip()
        if tail and pdfmetrics.stringWidth(with_head.replace("\xad", ""), font, size) <= width:
            lines.append(with_head)
            line = tail
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return [ln.replace("\xad", "") for ln in lines]


class Page:
    """Lines drawn top-down on one page; ``gap()`` leaves a blank line."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = TOP

    def line(
        self, text: str, font: str = "Helvetica", size: float = SIZE, x: float = LEFT
    ) -> float:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, self.y, text)
        y = self.y
        self.y -= LEADING * size / SIZE
        return y

    def lines(self, texts: Iterable[str], **kwargs: object) -> None:
        for text in texts:
            self.line(text, **kwargs)  # type: ignore[arg-type]

    def gap(self) -> None:
        self.y -= LEADING


def make_pdf(
    path: Path, *pages: Callable[[Page], None], setup: Callable[[Canvas], None] | None = None
) -> Path:
    canvas = Canvas(str(path), pagesize=A4)
    if setup:
        setup(canvas)
    for draw in pages:
        draw(Page(canvas))
        canvas.showPage()
    canvas.save()
    return path


def body(document: Document) -> list[Block]:
    return [block for block in document.blocks if isinstance(block, Block)]


def texts(document: Document) -> list[str]:
    return [block.text for block in body(document)]


def read(path: Path, **limits: object) -> Document:
    return pdf.read(path, Limits(**limits))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Sniffing


def test_sniff_finds_the_pdf_header_even_after_leading_junk() -> None:
    assert pdf.sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Path("a.pdf"))
    assert pdf.sniff(b"\r\n" * 100 + b"%PDF-1.4", Path("mail-attachment.bin"))
    assert not pdf.sniff(b"PK\x03\x04" + b"\x00" * 100, Path("letter.pdf"))
    assert not pdf.sniff(b" " * 1100 + b"%PDF-1.4", Path("late.pdf"))


# ---------------------------------------------------------------------------------------------
# The reference letter


@pytest.fixture(scope="module")
def seed_letter() -> Document:
    return pdf.read(shared_path("seed/open-letter-2017.pdf"), Limits())


def test_seed_every_page_starts_with_a_page_break(seed_letter: Document) -> None:
    breaks = [b.n for b in seed_letter.blocks if isinstance(b, PageBreak)]
    assert breaks == [1, 2, 3]
    assert seed_letter.blocks[0] == PageBreak(1)
    assert seed_letter.source.pages == 3
    assert seed_letter.source.media_type == "application/pdf"


def test_seed_letter_opening_keeps_short_lines_apart(seed_letter: Document) -> None:
    found = texts(seed_letter)
    assert found[:4] == [
        "July 13, 2017",
        "Sauli Niinistö\nMariankatu 2\n00170 Helsinki",
        "Open letter to the President of Finland",
        "Mr. President Sauli Niinistö,",
    ]
    subject = body(seed_letter)[2]
    assert subject.all_bold
    assert subject.page == 1
    assert subject.font_size == 12.0
    assert subject.indent is not None and abs(subject.indent) < 2


def test_seed_prose_paragraphs_are_joined_into_one_line(seed_letter: Document) -> None:
    found = texts(seed_letter)
    paragraph = next(t for t in found if t.startswith("As you may know"))
    assert "\n" not in paragraph
    assert paragraph.endswith("It has retained a presence in Central Asia since 2006.")
    assert "international nongovernmental organization" in paragraph
    # the paragraph that runs over the page break: split, the page break in between
    index = found.index(next(t for t in found if t.startswith("There has been a serious")))
    assert found[index].endswith("of peaceful assembly")
    assert found[index + 1].startswith("and of association Maina Kiai")
    kinds = [type(b).__name__ for b in seed_letter.blocks]
    first_of_page_2 = seed_letter.blocks[kinds.index("PageBreak", 1) + 1]
    assert isinstance(first_of_page_2, Paragraph)
    assert first_of_page_2.text.startswith("and of association")


def test_seed_section_heads_are_bold_blocks_of_their_own(seed_letter: Document) -> None:
    heads = [b for b in body(seed_letter) if b.text.startswith("Imprisoned ")]
    assert [b.text for b in heads] == [
        "Imprisoned civil society activists Maks Bokaev and Talgat Ayan",
        "Imprisoned labor leaders Amin Yeleusinov and Nurbek Kushakbaev",
    ]
    assert all(b.all_bold and b.page == 2 for b in heads)


def test_seed_signatures_are_two_blocks_of_three_lines(seed_letter: Document) -> None:
    assert texts(seed_letter)[-2:] == [
        "Bjørn Engesland\nSecretary General\nNorwegian Helsinki Committee",
        "Hugh Williamson\nEurope and Central Asia Division\nHuman Rights Watch",
    ]


def test_seed_footnote_becomes_a_note_with_its_callout(seed_letter: Document) -> None:
    assert list(seed_letter.notes) == ["fn1"]
    note = seed_letter.notes["fn1"]
    assert note.label == "1"
    assert note.kind == "footnote"
    assert note.text.startswith("Maina Kiai, Special Rapporteur on the rights to freedom")
    assert note.text.endswith("March 14, 2017, http://www.eurasianet.org/node/82831")
    links = [s.link for block in note.blocks for s in block.spans if s.link]
    assert links == ["http://www.eurasianet.org/node/82831"]
    # the note is not body text, and its callout is a note span, not a digit in the text
    assert not any("Maina Kiai, Special Rapporteur" in t for t in texts(seed_letter))
    paragraph = next(b for b in body(seed_letter) if "meaningless" in b.text)
    callouts = [s for s in paragraph.spans if s.note]
    assert [(s.text, s.note, s.marks) for s in callouts] == [
        ("1", "fn1", frozenset({"superscript"}))
    ]
    assert paragraph.text.endswith("as “meaningless.”")
    assert paragraph.spans[-1].note == "fn1"


# ---------------------------------------------------------------------------------------------
# Layout rebuilt from lines


def test_address_block_keeps_its_lines_and_prose_is_joined(tmp_path: Path) -> None:
    def draw(page: Page) -> None:
        page.lines(["Jane Doe", "12 High Street", "London N1 9GU"])
        page.gap()
        page.line("Dear Mr. Smith,")
        page.gap()
        page.lines(wrap(PROSE))
        page.gap()
        page.lines(["Yours sincerely,"])
        page.gap()
        page.lines(["Anna Berg", "Secretary", "Society of Letters"])

    document = read(make_pdf(tmp_path / "letter.pdf", draw))
    assert texts(document) == [
        "Jane Doe\n12 High Street\nLondon N1 9GU",
        "Dear Mr. Smith,",
        PROSE,
        "Yours sincerely,",
        "Anna Berg\nSecretary\nSociety of Letters",
    ]
    assert all(b.page == 1 and b.font_size == SIZE for b in body(document))


def test_paragraphs_without_gaps_split_at_the_short_last_line(tmp_path: Path) -> None:
    second = "A second paragraph follows directly, " + PROSE[:150].lower().rstrip()

    def draw(page: Page) -> None:
        page.lines(wrap(PROSE))
        page.lines(wrap(second))

    assert texts(read(make_pdf(tmp_path / "tight.pdf", draw))) == [PROSE, second]


def test_first_line_indent_starts_a_new_paragraph(tmp_path: Path) -> None:
    def draw(page: Page) -> None:
        for _ in range(2):
            lines = wrap(PROSE, width=WIDTH - 24)
            page.line(lines[0], x=LEFT + 24)
            page.lines(wrap(" ".join(lines[1:])))

    document = read(make_pdf(tmp_path / "indented.pdf", draw))
    assert [b.text for b in body(document)] == [PROSE, PROSE]
    assert [round(b.indent or 0) for b in body(document)] == [24, 24]


def hyphenated(text: str, head: str) -> tuple[str, list[str]]:
    """``text`` with filler words in front, so that wrapping it breaks a line at ``head``."""
    for count in range(60):
        candidate = " ".join(["Indeed,"] * (count % 6) + ["so"] * (count // 6) + [text])
        lines = wrap(candidate)
        if any(line.endswith(head) for line in lines[:-1]):
            return candidate.replace("\xad", ""), lines
    raise AssertionError(f"no filler breaks the text at {head!r}")


def test_hyphenated_line_end_is_rejoined(tmp_path: Path) -> None:
    text, lines = hyphenated(
        "the committee has asked us to describe the work of the organi\xadzation in some "
        "detail, and to explain why its archive of correspondence deserves the support "
        "of the foundation for the next five years.",
        "organi-",
    )

    def draw(page: Page) -> None:
        page.lines(lines)

    document = read(make_pdf(tmp_path / "hyphen.pdf", draw))
    assert texts(document) == [text]
    assert "organization" in document.text


def test_hyphen_before_a_capital_is_kept(tmp_path: Path) -> None:
    text, lines = hyphenated(
        "we met the delegation from the office of the Franco\xadGerman Youth Office, which "
        "has supported the exchange of letters between schools for many years.",
        "Franco-",
    )

    def draw(page: Page) -> None:
        page.lines(lines)

    assert texts(read(make_pdf(tmp_path / "compound.pdf", draw))) == [
        text.replace("FrancoGerman", "Franco-German")
    ]


def test_bold_line_and_large_heading(tmp_path: Path) -> None:
    def draw(page: Page) -> None:
        page.line("Annual Report", font="Helvetica-Bold", size=20)
        page.gap()
        page.line("Our holdings", font="Helvetica-Bold")
        page.lines(wrap(PROSE))

    blocks = body(read(make_pdf(tmp_path / "heads.pdf", draw)))
    assert isinstance(blocks[0], Heading)
    assert blocks[0].level == 1
    assert blocks[0].text == "Annual Report"
    assert isinstance(blocks[1], Paragraph)
    assert blocks[1].text == "Our holdings"
    assert blocks[1].all_bold
    assert blocks[2].text == PROSE
    assert not any("bold" in s.marks for s in blocks[2].spans)


def test_running_heads_and_page_numbers_are_removed(tmp_path: Path) -> None:
    def page_with(number: int, text: str) -> Callable[[Page], None]:
        def draw(page: Page) -> None:
            page.canvas.setFont("Helvetica", 9)
            page.canvas.drawString(LEFT, 810, "Society of Letters — Annual correspondence")
            page.canvas.drawCentredString(297, 40, f"Page {number} of 3")
            page.lines(wrap(text))

        return draw

    paragraphs = [f"Paragraph {n}. {PROSE}" for n in (1, 2, 3)]
    pages = [page_with(n, text) for n, text in enumerate(paragraphs, start=1)]
    document = read(make_pdf(tmp_path / "heads.pdf", *pages))
    assert texts(document) == paragraphs


def test_lone_page_numbers_are_removed(tmp_path: Path) -> None:
    def page_with(mark: str) -> Callable[[Page], None]:
        def draw(page: Page) -> None:
            page.lines(wrap(PROSE))
            page.canvas.setFont("Helvetica", SIZE)
            page.canvas.drawCentredString(297, 40, mark)

        return draw

    document = read(make_pdf(tmp_path / "numbers.pdf", page_with("1"), page_with("- 2 -")))
    assert texts(document) == [PROSE, PROSE]


def test_footnote_becomes_a_note_and_its_callout_a_note_span(tmp_path: Path) -> None:
    def draw(page: Page) -> None:
        text = page.canvas.beginText(LEFT, page.y)
        text.setFont("Helvetica", SIZE)
        text.textOut("The archive was founded in 1908 by the society.")
        text.setRise(4)
        text.setFont("Helvetica", 7)
        text.textOut("1")
        text.setRise(0)
        text.setFont("Helvetica", SIZE)
        text.textOut(" It has grown ever since.")
        page.canvas.drawText(text)
        note = page.canvas.beginText(LEFT, 80)
        note.setRise(3)
        note.setFont("Helvetica", 6)
        note.textOut("1")
        note.setRise(0)
        note.setFont("Helvetica", 9)
        note.textOut(" See the minutes of the founding meeting, https://example.org/minutes.")
        page.canvas.drawText(note)

    document = read(make_pdf(tmp_path / "footnote.pdf", draw))
    assert texts(document) == [
        "The archive was founded in 1908 by the society. It has grown ever since."
    ]
    note = document.notes["fn1"]
    assert note.label == "1"
    assert note.text == "See the minutes of the founding meeting, https://example.org/minutes."
    assert [s.link for s in note.blocks[0].spans if s.link] == ["https://example.org/minutes"]
    spans = body(document)[0].spans
    callout = next(s for s in spans if s.note)
    assert (callout.text, callout.note, callout.marks) == ("1", "fn1", frozenset({"superscript"}))
    assert spans.index(callout) not in (0, len(spans) - 1)


def test_link_annotation_and_written_url_become_links(tmp_path: Path) -> None:
    def draw(page: Page) -> None:
        y = page.line("Read our catalogue online before you visit.")
        start = LEFT + pdfmetrics.stringWidth("Read ", "Helvetica", SIZE)
        end = start + pdfmetrics.stringWidth("our catalogue", "Helvetica", SIZE)
        page.canvas.linkURL("https://example.org/catalogue", (start, y - 2, end, y + 9))
        page.gap()
        page.line("The finding aid is at https://example.org/aid.")

    document = read(make_pdf(tmp_path / "links.pdf", draw))
    first, second = body(document)
    assert [(s.text, s.link) for s in first.spans] == [
        ("Read ", None),
        ("our catalogue", "https://example.org/catalogue"),
        (" online before you visit.", None),
    ]
    assert [(s.text, s.link) for s in second.spans if s.link] == [
        ("https://example.org/aid", "https://example.org/aid")
    ]


def test_links_are_found_on_a_later_page_when_the_first_has_none(tmp_path: Path) -> None:
    def first(page: Page) -> None:
        page.line("Dear Anna, the catalogue is ready.")

    def second(page: Page) -> None:
        y = page.line("Read it online before you visit.")
        start = LEFT + pdfmetrics.stringWidth("Read it ", "Helvetica", SIZE)
        end = start + pdfmetrics.stringWidth("online", "Helvetica", SIZE)
        page.canvas.linkURL("https://example.org/catalogue", (start, y - 2, end, y + 9))

    document = read(make_pdf(tmp_path / "later-link.pdf", first, second))
    linked = [(s.text, s.link) for block in body(document) for s in block.spans if s.link]
    assert linked == [("online", "https://example.org/catalogue")]


def test_ligature_glyphs_are_folded_to_letters(tmp_path: Path) -> None:
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))

    def draw(page: Page) -> None:
        page.line("The ﬁrst ﬂoor ofﬁce of Bjørn Engesland", font="Vera")

    assert texts(read(make_pdf(tmp_path / "ligatures.pdf", draw))) == [
        "The first floor office of Bjørn Engesland"
    ]


def test_document_info_becomes_properties(tmp_path: Path) -> None:
    def setup(canvas: Canvas) -> None:
        canvas.setTitle("Letter to the Director")
        canvas.setAuthor("Anna Berg")
        canvas.setSubject("Archive funding")
        canvas.setKeywords("archive, funding")

    def draw(page: Page) -> None:
        page.line("Dear Director,")

    properties = read(make_pdf(tmp_path / "info.pdf", draw, setup=setup)).properties
    assert properties["title"] == "Letter to the Director"
    assert properties["author"] == "Anna Berg"
    assert properties["subject"] == "Archive funding"
    assert properties["keywords"] == "archive, funding"
    assert properties["created"][:4].isdigit() and properties["created"][4] == "-"


XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<!DOCTYPE x [<!ENTITY big "ENTITY NOT EXPANDED">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
 <rdf:Description rdf:about="" xmp:CreateDate="1921-05-04T10:00:00+01:00">
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Brief an Herrn M&#252;ller</rdf:li></rdf:Alt>
  </dc:title>
  <dc:creator><rdf:Seq><rdf:li>J&#252;rgen Wei&#223;</rdf:li><rdf:li>&big;</rdf:li></rdf:Seq>
  </dc:creator>
 </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def test_xmp_and_the_catalog_language_are_metadata_candidates(tmp_path: Path) -> None:
    """What the document info lacks is taken from the XMP packet (read without expanding
    entities) and the catalog's /Lang."""
    from pypdf.generic import DecodedStreamObject, NameObject, TextStringObject

    path = make_pdf(tmp_path / "plain.pdf", one_line)
    writer = PdfWriter(clone_from=str(path))
    stream = DecodedStreamObject()
    stream.set_data(XMP)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    writer._root_object[NameObject("/Lang")] = TextStringObject("de-DE")
    writer.write(tmp_path / "xmp.pdf")
    properties = read(tmp_path / "xmp.pdf").properties
    assert properties["title"] == "Brief an Herrn Müller"
    assert properties["author"] == "Jürgen Weiß"  # the unexpanded entity is left out
    assert properties["language"] == "de-DE"
    assert properties["created"].startswith(("1921-05-04", "20"))  # info wins when it has one


def test_the_catalog_language_is_read_without_xmp(tmp_path: Path) -> None:
    from pypdf.generic import NameObject, TextStringObject

    path = make_pdf(tmp_path / "plain.pdf", one_line)
    writer = PdfWriter(clone_from=str(path))
    writer._root_object[NameObject("/Lang")] = TextStringObject("sv-SE")
    writer.write(tmp_path / "lang.pdf")
    assert b"/Metadata" not in (tmp_path / "lang.pdf").read_bytes()
    assert read(tmp_path / "lang.pdf").properties["language"] == "sv-SE"


def test_xmp_is_found_under_a_name_spelt_with_escapes(tmp_path: Path) -> None:
    # "/Metad#61ta" is the name /Metadata: a reader that only looks for the plain spelling
    # before parsing would miss the packet
    test_xmp_and_the_catalog_language_are_metadata_candidates(tmp_path)
    data = (tmp_path / "xmp.pdf").read_bytes()
    assert data.count(b"/Metadata") >= 1
    (tmp_path / "escaped.pdf").write_bytes(data.replace(b"/Metadata", b"/Metad#61ta"))
    assert read(tmp_path / "escaped.pdf").properties["title"] == "Brief an Herrn Müller"


# ---------------------------------------------------------------------------------------------
# Encryption, damage and limits


def one_line(page: Page) -> None:
    page.line("A confidential letter.")


def test_user_password_needs_the_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    canvas = Canvas(str(path), pagesize=A4, encrypt="s3cret")
    one_line(Page(canvas))
    canvas.showPage()
    canvas.save()
    with pytest.raises(EncryptedDocument) as caught:
        read(path)
    assert caught.value.reason == "the PDF is encrypted with a password"
    with pytest.raises(EncryptedDocument):
        read(path, password="wrong")
    assert texts(read(path, password="s3cret")) == ["A confidential letter."]


def test_aes_encryption_with_an_empty_user_password_opens_silently(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", one_line)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.add_metadata({"/Title": "Sealed letter"})
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    locked = tmp_path / "aes.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    document = read(locked)
    assert texts(document) == ["A confidential letter."]
    assert document.properties["title"] == "Sealed letter"


def test_truncated_pdf_is_unreadable(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "whole.pdf", one_line).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableSource) as caught:
        read(cut)
    assert "damaged" in caught.value.reason


def test_not_a_pdf_after_the_header_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"this is not a PDF body\n" * 20)
    with pytest.raises(UnreadableSource):
        read(path)


def test_page_limit(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "three.pdf", one_line, one_line, one_line)
    with pytest.raises(LimitExceeded) as caught:
        read(path, max_pages=2)
    assert "3 pages" in caught.value.reason
    assert read(path, max_pages=3).source.pages == 3


def test_pages_without_text_have_no_text_layer(tmp_path: Path) -> None:
    def drawing(page: Page) -> None:
        page.canvas.rect(100, 100, 300, 400, fill=1)

    with pytest.raises(NoTextLayer):
        read(make_pdf(tmp_path / "scan.pdf", drawing, drawing))


def test_a_text_layer_of_glyph_codes_is_refused_naming_ocr(tmp_path: Path) -> None:
    """Fonts whose ToUnicode map is wrong give text like "3HQČåQtSURVWĜHGN"; without OCR
    the file is refused rather than archived as gibberish."""

    def garbled(page: Page) -> None:
        page.line("3HQH]QtSURVWHGN\\QD~þWHFK 0DMHWHNYQD~þWX")
        page.line("3tMHP]DPtVWQLNXQD~þWXEDQN 9\\SODWD]LUD")

    with pytest.raises(NoTextLayer) as caught:
        read(make_pdf(tmp_path / "garbled.pdf", garbled))
    assert "page 1 does not decode to readable characters" in caught.value.reason
    assert "--ocr" in str(caught.value)


def test_odd_but_real_words_are_not_taken_for_glyph_codes(tmp_path: Path) -> None:
    def prose(page: Page) -> None:
        page.line("Dear Ms McDonald, the iPhone and LaTeX notes from the PhD seminar")
        page.line("are at https://example.org/AbCdEf/GhIjKl and B2B contract no. A12B34.")

    document = read(make_pdf(tmp_path / "odd.pdf", prose))
    assert "iPhone and LaTeX" in document.text


def test_a_file_whose_time_is_up_is_given_up_between_pages(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "late.pdf", one_line, one_line)
    with pytest.raises(TimeLimitExceeded, match=r"late\.pdf: reading it took longer"):
        read(path, timeout=5.0, deadline=time.monotonic() - 1)


def test_pypdf_repair_messages_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    path = shared_path("corpus/tricky/pdf/broken_no-xref-table.pdf")
    with caplog.at_level(logging.DEBUG):
        document = pdf.read(path, Limits())
    assert document.text == "Hello PDF-world!"
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []


# ---------------------------------------------------------------------------------------------
# The tricky corpus: a Document or an IngestError, quickly, and the right one where known

TRICKY = "corpus/tricky/pdf"
EXPECTED: dict[str, type[IngestError] | str] = {
    # a Document whose text contains the string, or the IngestError
    "broken_eof-missing.pdf": "Hello PDF-world!",
    "broken_image-xobject-wrong-object-id.pdf": NoTextLayer,
    "broken_no-startxref.pdf": "Hello PDF-world!",
    "broken_no-xref-table.pdf": "Hello PDF-world!",
    "broken_one-byte-missing_xref-offsets.pdf": "This is a test document.",
    "broken_xref-offset-wrong.pdf": "Hello PDF-world!",
    "broken_zen-of-python-corrupted.pdf": "Beautiful is better than ugly.\nExplicit is",
    "broken_zero-bytes.pdf": UnreadableSource,
    "encrypted_aes256-r6_user-password_asdfzxcv.pdf": EncryptedDocument,
    "encrypted_owner-only_nocopy.pdf": "This is a test document.",
    "encrypted_rc4-40_empty-password.pdf": "pdf encryption test",
    "encrypted_user-password-unknown.pdf": EncryptedDocument,
    "encrypted_user-password_openpassword.pdf": EncryptedDocument,
    "garbled_non-unicode-cmap.pdf": NoTextLayer,  # a text layer of glyph codes: OCR it
    "identity-cmap_polish-invoice.pdf": "Termin płatności",
    "ligatures_ffi_syntax-error.pdf": "The movie opens with a news report",
    "multicolumn_latex.pdf": "Two-Column Document with Lorem Ipsum",
    "no-text-layer_ccitt-fax-image.pdf": NoTextLayer,
    "no-text-layer_image-only.pdf": NoTextLayer,
    "scanned-with-ocr-layer_vicksburg-1885.pdf": "JUNE 10TH.",
    "unicode_multilang.pdf": "Russian:\nПривет, мир",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tricky_pdf_outcome(name: str) -> None:
    path = shared_path(f"{TRICKY}/{name}")
    expected = EXPECTED[name]
    if isinstance(expected, str):
        assert expected in pdf.read(path, Limits()).text
    else:
        with pytest.raises(expected):
            pdf.read(path, Limits())


@pytest.mark.parametrize(
    ("name", "password", "start"),
    [
        ("encrypted_user-password_openpassword.pdf", "openpassword", "Lorem ipsum dolor"),
        ("encrypted_aes256-r6_user-password_asdfzxcv.pdf", "asdfzxcv", "pdf encryption test"),
    ],
)
def test_tricky_pdf_opens_with_its_password(name: str, password: str, start: str) -> None:
    document = pdf.read(shared_path(f"{TRICKY}/{name}"), Limits(password=password))
    assert document.text.startswith(start)


def test_tricky_running_heads_of_an_ocr_scan_are_removed() -> None:
    document = pdf.read(
        shared_path(f"{TRICKY}/scanned-with-ocr-layer_vicksburg-1885.pdf"), Limits()
    )
    assert "SIEGE" not in document.text


def test_multicolumn_paragraphs_are_joined_within_their_column() -> None:
    document = pdf.read(shared_path(f"{TRICKY}/multicolumn_latex.pdf"), Limits())
    paragraph = next(t for t in texts(document) if t.startswith("Fusce mauris."))
    assert "\n" not in paragraph
    assert "leo velit ultricies tellus" in paragraph  # "ul-" + "tricies" across the wrap


def test_cjk_font_without_unicode_map_is_read_through_pypdf() -> None:
    # pdfium finds no characters for this letter's GBK-encoded font; pypdf maps them
    path = shared_path("corpus/real-letters/pdf/pdfplumber_pr-136-example_cn-auditor-letter.pdf")
    found = texts(pdf.read(path, Limits()))
    assert "上海证券交易所:" in found
    assert any(t.startswith("由浙江菲达环保科技股份有限公司") and "\n" not in t for t in found)


@pytest.mark.parametrize("folder", [TRICKY, "corpus/real-letters/pdf"])
def test_every_corpus_pdf_gives_a_document_or_an_ingest_error(folder: str) -> None:
    paths = sorted(shared_path(folder).glob("*.pdf"))
    assert paths
    for path in paths:
        try:
            document = pdf.read(path, Limits())
        except IngestError:
            pass
        else:
            assert isinstance(document.blocks[0], PageBreak), path.name


@pytest.mark.parametrize("folder", [TRICKY, "corpus/real-letters/pdf", "seed"])
def test_text_objects_found_by_search_match_a_walk_over_every_character(folder: str) -> None:
    # the reader looks for where each text object ends with a few calls, not one per
    # character; on real PDFs that must split the text exactly where the walk does
    pages = 0
    for path in sorted(shared_path(folder).glob("*.pdf")):
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            continue  # broken or encrypted: nothing to split
        with contextlib.closing(document):
            for page in document:
                textpage = page.get_textpage()
                searched = list(Extractor(textpage, []).pieces())
                walker = Extractor(textpage, [])  # as for a page with links
                count = pdfium_c.FPDFText_CountChars(textpage.raw)
                walker.chars = walker.text(count) if count > 0 else ""
                walked = list(walker._linked_pieces(max(count, 0)))
                assert searched == walked, f"{path.name}, page {pages}"
                pages += 1
    assert pages
