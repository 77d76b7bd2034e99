"""CSV cells a spreadsheet would run as formulas are written as text (OWASP's rule)."""

from __future__ import annotations

import csv
import io

import pytest

from metadata.csvsafe import neutralise_cell, neutralise_row


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
     "\t=1+1", "\r=1+1", "=1+1"],
)  # fmt: skip
def test_formula_starts_get_a_leading_quote(cell):
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Brief an Goethe", "", "1817-05-03", "'quoted", " =spaced", "a=b"]
)
def test_ordinary_text_is_unchanged(cell):
    assert neutralise_cell(cell) == cell


def test_numbers_and_none_stay_as_they_are():
    assert neutralise_cell(1.5) == 1.5
    assert neutralise_cell(-3) == -3
    assert neutralise_cell(None) is None


def test_a_row_read_back_from_csv_holds_no_formula():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(neutralise_row(["L-1", "=1+1", "@x", 0.5]))
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert cells == ["L-1", "'=1+1", "'@x", "0.5"]
