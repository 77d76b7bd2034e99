"""The plain-text reader: encodings, line endings, paragraphs, wraps, pages and footnotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import EmptyDocument, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import PageBreak, Paragraph
from ingest.readers import read, reader_for, text

LETTER = (
    "Kära Erik,\n\nTack för brevet från Göteborg. Vi ses på lördag.\n\n"
    "Med vänliga hälsningar\nKarin"
)


def _read(tmp_path: Path, data: bytes, name: str = "letter.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return read(path, Limits())


def _paragraphs(document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Paragraph)]


@pytest.mark.parametrize(
    "encoded",
    [
        LETTER.encode("utf-8"),
        b"\xef\xbb\xbf" + LETTER.encode("utf-8"),
        LETTER.encode("utf-16"),  # with BOM, little-endian here
        b"\xfe\xff" + LETTER.encode("utf-16-be"),
        LETTER.encode("cp1252"),
        LETTER.replace("\n", "\r\n").encode("utf-8"),
        LETTER.replace("\n", "\r").encode("latin-1"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "cp1252", "crlf", "cr-latin1"],
)
def test_encodings_and_line_endings_give_the_same_paragraphs(tmp_path, encoded):
    document = _read(tmp_path, encoded)
    assert _paragraphs(document) == [
        "Kära Erik,",
        "Tack för brevet från Göteborg. Vi ses på lördag.",
        "Med vänliga hälsningar\nKarin",
    ]
    assert document.source.media_type == "text/plain"


def test_decomposed_accents_are_normalised_to_nfc(tmp_path):
    document = _read(tmp_path, "Jarvinen J\u0061\u0308rvinen".encode())
    assert _paragraphs(document) == ["Jarvinen Järvinen"]


def test_hard_wrapped_prose_is_rejoined_but_short_lines_are_kept(tmp_path):
    prose = (
        "We write to you on behalf of the committee about the wetlands that are\n"
        "drained every year for peat extraction, a practice that harms the birds\n"
        "and the people who live along the river.\n"
    )
    address = "Anna Lindqvist\nKungsgatan 12\n111 43 Stockholm\n"
    document = _read(tmp_path, (address + "\n" + prose).encode())
    assert _paragraphs(document) == [
        "Anna Lindqvist\nKungsgatan 12\n111 43 Stockholm",
        "We write to you on behalf of the committee about the wetlands that are drained every "
        "year for peat extraction, a practice that harms the birds and the people who live "
        "along the river.",
    ]


def test_hyphenated_line_ends_are_rejoined(tmp_path):
    prose = (
        "The committee has examined the documents you sent and found the argu-\n"
        "ments convincing; we shall therefore recommend the proposal to the board.\n"
    )
    (paragraph,) = _paragraphs(_read(tmp_path, prose.encode()))
    assert "arguments convincing" in paragraph


def test_form_feed_starts_a_new_page(tmp_path):
    document = _read(tmp_path, b"First page.\n\fSecond page.\n")
    kinds = [(type(b).__name__, getattr(b, "n", None)) for b in document.blocks]
    assert kinds == [("PageBreak", 1), ("Paragraph", None), ("PageBreak", 2), ("Paragraph", None)]
    assert document.source.pages == 2
    assert isinstance(document.blocks[2], PageBreak)


def test_bracketed_footnotes_become_notes_at_their_callouts(tmp_path):
    data = (
        b"They called it meaningless.[1] We disagree.[2]\n\n"
        b"[1] Report of 2017, https://example.org/report\n\n[2] Second note.\n"
    )
    document = _read(tmp_path, data)
    (paragraph,) = document.blocks
    callouts = [(s.text, s.note) for s in paragraph.spans if s.note]
    assert callouts == [("1", "fn1"), ("2", "fn2")]
    assert paragraph.text == "They called it meaningless. We disagree."
    assert [n.label for n in document.notes.values()] == ["1", "2"]
    links = [s.link for b in document.notes["fn1"].blocks for s in b.spans if s.link]
    assert links == ["https://example.org/report"]


def test_bracketed_numbers_without_a_note_stay_text(tmp_path):
    document = _read(tmp_path, b"See article [3] of the treaty.\n")
    assert _paragraphs(document) == ["See article [3] of the treaty."]


def test_binary_file_is_refused_with_the_formats_we_read(tmp_path):
    path = tmp_path / "program.txt"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFormat) as caught:
        reader_for(path)
    message = str(caught.value)
    assert message.startswith("program.txt: ") and "text/plain" in message and "pdf" in message


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument, match=r"empty\.txt: the file is empty"):
        read(path)


def test_format_is_found_from_bytes_not_suffix(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_text("Dear Erik,\n\nThis is plain text in disguise.\n", encoding="utf-8")
    assert reader_for(path) is text


GERMAN = "Lieber Herr Müller,\n\nvielen Dank für Ihren Brief aus München.\n\nGrüße\nJürgen Weiß"
FRENCH = "Cher ami,\n\nje suis très heureux de votre lettre écrite à Genève.\n\nFrançois"


@pytest.mark.parametrize(
    ("letter", "encoding"),
    [
        (GERMAN, "mac_roman"),
        (FRENCH, "mac_roman"),
        (GERMAN, "cp850"),
        (LETTER, "cp850"),
        (GERMAN, "latin-1"),
        (GERMAN, "utf-16-le"),
        (FRENCH, "utf-16-be"),
    ],
    ids=["mac-de", "mac-fr", "dos-de", "dos-sv", "latin1-de", "utf16le-no-bom", "utf16be-no-bom"],
)
def test_western_code_pages_and_bomless_utf16_are_told_apart(tmp_path, letter, encoding):
    document = _read(tmp_path, letter.encode(encoding))
    assert document.text == letter


def test_utf8_read_once_as_windows_1252_is_repaired(tmp_path):
    broken = "Cher ami, trÃ¨s heureux. Ã€ bientÃ´t, Ã©crit Ã\xa0 GenÃ¨ve â€” Â« fin Â», Â£5."
    document = _read(tmp_path, broken.encode("utf-8"))
    assert _paragraphs(document) == [
        "Cher ami, très heureux. À bientôt, écrit à Genève — « fin », £5."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ã is the capital A with a tilde.",  # a lone suspect character is left alone
        "Straße in Zürich, café.",  # correct text with accents
        "Ça, là-bas, À demain!",  # capitals that lead UTF-8 sequences, but no sequence follows
    ],
)
def test_text_that_is_not_certainly_mojibake_is_left_alone(tmp_path, text):
    assert _paragraphs(_read(tmp_path, text.encode("utf-8"))) == [text]
