"""The questions the anatomy passes ask again and again (is this line a date, a closing, a
name?) give the same answers however often and in whatever order they are asked, and the
letter's language is detected from the whole text only when something needs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.letter import blocks, formulas, signatures
from ingest.letter.anatomy import recognise
from ingest.letter.model import Letter
from ingest.limits import Limits
from ingest.readers import read
from metadata.dates import find_date


def letter_from(tmp_path: Path, text: str) -> Letter:
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    return recognise(read(path, Limits()))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ever your's M. R. Mitford.", ("Ever your's", "M. R. Mitford.")),
        ("Ihr treuer Arthur", ("Ihr treuer", "Arthur")),
        ("With kind regards Anna Maria Berg", ("With kind regards", "Anna Maria Berg")),
        ("Yours sincerely,", None),
        (
            "Yours sincerely, and with many thanks for the kind words, Anna",
            ("Yours sincerely, and with many thanks for the kind words,", "Anna"),
        ),
        ("We met Anna Berg in Paris", None),
        ("Yours ever and ever and ever, your old friend from the Hague", None),
    ],
)
def test_a_name_after_the_closing_formula_is_split_off(line, expected) -> None:
    assert signatures.split_closing_and_name(line) == expected
    assert signatures.split_closing_and_name(line) == expected  # asked again: the same
    assert _every_cut(line) == expected


def _every_cut(line: str) -> tuple[str, str] | None:
    """The split tried at every word, as the definition reads: the formula, then a name of
    at most four words."""
    tokens = line.split()
    for cut in range(1, len(tokens)):
        head, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        if tail.endswith(",") or re.search(r"[.!?]\s", head) or not formulas.is_closing(head):
            continue
        if len(tokens) - cut <= 4 and signatures.is_signature_name(tail) and tail[:1].isupper():
            return head, tail
    return None


def test_date_answers_do_not_depend_on_earlier_questions() -> None:
    line = "Bern, 2. Juli 1851."
    first = find_date(line, "de")
    assert first is not None and first.value.when == "1851-07-02"
    assert find_date(line, "de") == first
    # a line without two digits in a row holds no date; a long text is asked in full
    assert find_date("Thursday morning, the second of July") is None
    long_text = line + " " + "and the weather was fine all day " * 20
    assert len(long_text) > formulas.REMEMBERED_CHARS
    found = find_date(long_text, "de")
    assert found is not None and (found.start, found.end) == (first.start, first.end)
    # the language settles the order of day and month, never whether a line is a date
    assert find_date("07/08/2017", "en-us").value.when == "2017-07-08"
    assert find_date("07/08/2017", "de").value.when == "2017-08-07"
    assert formulas.is_date_line("07/08/2017", "en-us") == formulas.is_date_line("07/08/2017")


def test_long_lines_are_answered_without_being_kept() -> None:
    sentence = "Yours sincerely, " + "and with every good wish " * 20
    assert formulas.is_closing(sentence) is False
    assert formulas.is_closing("Yours sincerely,") is True


def test_language_of_the_whole_text_is_detected_only_when_needed(tmp_path, monkeypatch) -> None:
    asked: list[str] = []
    detect = blocks.detect_language

    def counting(text: str) -> str | None:
        asked.append(text)
        return detect(text)

    monkeypatch.setattr(blocks, "detect_language", counting)
    letter = letter_from(
        tmp_path,
        "Berlin, 3. Mai 1921\n\nLiebe Anna,\n\nvielen Dank für deinen Brief aus Wien über den "
        "Garten und die alten Apfelbäume, die wir im Frühjahr gepflanzt haben.\n\n"
        "Herzliche Grüße\nErik Berg\n",
    )
    assert asked == []  # the body told the language
    assert letter.metadata.language == "de"

    # a lone block above the dateline: whether it is the recipient's address depends on
    # whether the letter is English, so the whole text's language is asked for (once)
    letter = letter_from(
        tmp_path,
        "Herr Karl Weber\nLindenstraße 4\n10115 Berlin\n\n3. Mai 1921\n\nLieber Karl,\n\n"
        "vielen Dank für deinen Brief aus Wien über den Garten und die alten Apfelbäume, "
        "die wir im Frühjahr gepflanzt haben.\n\nHerzliche Grüße\nErik Berg\n",
    )
    assert len(asked) == 1
    assert letter.metadata.language == "de"
    assert letter.address == ["Herr Karl Weber", "Lindenstraße 4", "10115 Berlin"]
