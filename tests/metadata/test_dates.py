"""Written dates to ISO 8601, in the forms and languages letters use."""

from __future__ import annotations

import pytest

from metadata.dates import display, find_date, parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("July 13, 2017", "2017-07-13"),
        ("13th October 1862", "1862-10-13"),
        ("13th of October, 1862", "1862-10-13"),
        ("3. März 2021", "2021-03-03"),
        ("le 14 juillet 1998", "1998-07-14"),
        ("5. toukokuuta 2019", "2019-05-05"),
        ("den 2 februari 2015", "2015-02-02"),
        ("13 de julio de 2017", "2017-07-13"),
        ("13.7.2017", "2017-07-13"),
        ("2017-07-13", "2017-07-13"),
        ("25. X. 1890", "1890-10-25"),
        ("March 2017", "2017-03"),
    ],
)
def test_written_forms(written, iso):
    value = parse_date(written)
    assert value is not None and value.when == iso and value.cert == "high"


def test_dateline_is_split_into_place_and_date():
    found = find_date("Helsinki, 13 July 2017")
    assert found is not None
    assert "Helsinki, 13 July 2017"[: found.start] == "Helsinki, "
    assert found.value.text == "13 July 2017"


def test_ambiguous_numeric_date_is_never_a_confident_guess():
    value = parse_date("07/08/2017")
    assert value is not None and value.cert == "low" and value.when == "2017-08-07"
    assert parse_date("07/08/2017", language="en-us").when == "2017-07-08"


def test_unambiguous_numeric_date_in_either_order():
    assert parse_date("13/07/2017").when == "2017-07-13"
    assert parse_date("07/13/2017").when == "2017-07-13"


@pytest.mark.parametrize("text", ["31 February 2017", "no date here", "Spring", "32.13.2017"])
def test_impossible_or_absent_dates_give_nothing(text):
    assert parse_date(text) is None


def test_display_is_day_month_year():
    assert display(parse_date("July 13, 2017")) == "13 July 2017"
