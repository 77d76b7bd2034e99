"""Line labels, layout variation and the corpus loader of the benchmark (bench/).

The corpus letters come from ../shared/corpus/letters: these tests skip without it on a
user's machine and fail in CI (tests/support.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench import corpus, renditions
from ingest.readers import read
from metadata.card import Card
from tests.support import shared_path


def _letter(relative: str) -> Path:
    return shared_path(f"corpus/letters/{relative}")


def _labelled(sheet: renditions.Sheet) -> list[tuple[str, str]]:
    return [
        (line, label)
        for lines, labels in zip(sheet.blocks, sheet.label_rows(), strict=True)
        for line, label in zip(lines, labels, strict=True)
    ]


def _label_of(sheet: renditions.Sheet, text: str) -> str:
    return next(label for line, label in _labelled(sheet) if text in line)


# -- labels from the editions' markup --------------------------------------------------------


def test_schnitzler_signature_and_closing_are_labelled() -> None:
    sheet = renditions.sheet_from_tei(_letter("schnitzler/L00004.xml"))
    assert _label_of(sheet, "Wilhelm Bölsche") == "signature"
    assert _label_of(sheet, "Mit vorzüglicher Hochachtung") == "closing"
    assert _label_of(sheet, "Hochgeehrter Herr Doktor!") == "salute"
    assert _label_of(sheet, "Freie Bühne") == "letterhead"
    # the date written into the printed letterhead is the dateline
    assert _label_of(sheet, "17. IX. 1890") == "dateline"


def test_escher_divisions_give_dateline_address_and_salute() -> None:
    sheet = renditions.sheet_from_tei(
        _letter("escher/K_8249_WhitworthJosephandCompetc_an_Escher_1871-08-31.xml")
    )
    assert _label_of(sheet, "Manchester 31 Aug 1871") == "dateline"
    assert _label_of(sheet, "Dear Sir") == "salute"
    assert _label_of(sheet, "A. Escher Esq") == "address"


def test_suriano_parts_are_found_without_markup() -> None:
    sheet = renditions.sheet_from_tei(_letter("suriano/11-029.xml"))
    assert _label_of(sheet, "Serenissimo Principe") == "salute"
    assert _label_of(sheet, "Dall’Haya li 27 giugno 1622") == "dateline"
    assert _label_of(sheet, "devotissimo servitore") == "closing"
    assert _label_of(sheet, "Christofforo Suriano") == "signature"
    assert _label_of(sheet, "Al serenissimo principe di Venetia") == "address"
    text = sheet.text()
    assert "main text of letter" not in text  # editorial heads
    assert "ricevute" not in text  # the chancery's receipt is not the letter


def test_jean_paul_supplied_dateline_is_left_out() -> None:
    sheet = renditions.sheet_from_tei(_letter("jean-paul/von_III_11.xml"))
    assert "22. Nov. 1797" not in sheet.text()
    assert "dateline" not in {label for _, label in _labelled(sheet)}
    assert (
        "Überlieferung"
        not in renditions.sheet_from_tei(_letter("jean-paul/an_III.1_117.xml")).text()
    )  # the editors' commentary after the letter


def test_mondriaan_renders_the_original_only() -> None:
    sheet = renditions.sheet_from_tei(_letter("mondriaan/19090216y_IONG_1303.xml"))
    assert [line for line, label in _labelled(sheet) if label == "salute"] == ["Beste Zus,"]


# -- layout ----------------------------------------------------------------------------------


def test_layout_variation_is_deterministic_and_keeps_labels() -> None:
    plain = renditions.sheet_from_tei(_letter("schnitzler/L00004.xml"))
    once = renditions.vary_layout(plain, "L00004.xml")
    again = renditions.vary_layout(plain, "L00004.xml")
    assert (once.blocks, once.labels, once.layout) == (again.blocks, again.labels, again.layout)
    assert Counter(_labelled(once)) == Counter(_labelled(plain))
    assert set(once.layout) <= set(renditions.LAYOUTS)
    assert plain.layout == ["left"] * len(plain.blocks)  # the plain sheet is left alone
    layouts = {tuple(renditions.vary_layout(plain, f"seed-{n}").layout) for n in range(12)}
    assert len(layouts) > 1


def test_varied_corpus_letters_keep_every_line_and_label() -> None:
    root = shared_path("corpus/letters")
    letters = corpus.load(root, editions=["calvin", "mitford"], limit_per_edition=6)
    assert letters
    for letter in letters:
        plain = renditions.sheet_from_tei(root / letter.file)
        assert Counter(_labelled(letter.sheet)) == Counter(_labelled(plain))


def _placed_sheet() -> renditions.Sheet:
    body = (
        "Ich danke Ihnen herzlich für Ihren Brief, der mich sehr gefreut hat, und für die "
        "Bücher, die Sie mir geschickt haben; ich lese sie mit großem Vergnügen."
    )
    return renditions.Sheet(
        blocks=[["Wien, 3. März 1890"], ["Lieber Freund!"], [body, body], ["Ihr", "Arthur"]],
        labels=[["dateline"], ["salute"], ["body", "body"], ["closing", "signature"]],
        layout=["right", "left", "left", "indent"],
    )


def test_txt_writer_pads_placed_lines(tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    renditions.write_txt(_placed_sheet(), target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Wien, 3. März 1890".rjust(renditions.TXT_WIDTH)
    assert " " * renditions.TXT_INDENT + "Arthur" in lines


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_alignment_reaches_epistulas_reader(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"letter.{fmt}"
    renditions.WRITERS[fmt](_placed_sheet(), target)
    blocks = [b for b in read(target).blocks if hasattr(b, "spans")]
    dateline = next(b for b in blocks if "Wien, 3. März 1890" in b.text)
    assert dateline.align == "right"
    signed = next(b for b in blocks if "Arthur" in b.text)
    assert (signed.indent or 0) > 100  # points: set in by 8 cm
    again = tmp_path / f"again.{fmt}"
    renditions.WRITERS[fmt](_placed_sheet(), again)
    assert again.read_bytes() == target.read_bytes()


# -- the corpus ------------------------------------------------------------------------------


def test_corpus_letters_expected_values_and_scores(tmp_path: Path) -> None:
    shared_path("corpus/letters/truth.jsonl")
    letters = corpus.load(editions=["mondriaan"], limit_per_edition=3)
    assert [letter.file for letter in letters] == sorted(letter.file for letter in letters)
    letter = letters[0]
    assert letter.period[0] % 10 == 0 and letter.period[1] % 10 == 9
    want = corpus.expected(letter)
    assert want["salute"] and want["stated"]["salute"]
    right = Card(
        id="x",
        date=want["date"],
        senders=list(want["senders"]),
        recipients=list(want["recipients"]),
        place_sent=want["place_sent"],
        salute=want["salute"],
        closer_salute=want["closing"],
    )
    assert all(corpus.score(right, letter).values())
    wrong = Card(id="y", senders=["Someone Else"], salute="Hello")
    scores = corpus.score(wrong, letter)
    assert not scores["senders"] and not scores["salute"]
    path = corpus.render(letter, tmp_path, "txt")
    assert path == tmp_path / "mondriaan" / f"{letter.stem}.txt"
    corpus.render_all(letters, tmp_path, formats=("txt",), jobs=1)
    stamp = path.stat().st_mtime_ns
    corpus.render_all(letters, tmp_path, formats=("txt",), jobs=1)
    assert path.stat().st_mtime_ns == stamp  # cached, not written again
