"""Written dates to ISO 8601, in the forms and languages letters use."""

from __future__ import annotations

import pytest

from metadata.dates import (
    Years,
    century_from_text,
    display,
    find_date,
    parse_date,
    weekday_span,
)


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


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("Jany 12th 1819", "1819-01-12"),
        ("Jany12th 1819", "1819-01-12"),
        ("den 18ten Febr. 1870", "1870-02-18"),
        ("21. Juny 1860", "1860-06-21"),
        ("den 11te Marts 1880", "1880-03-11"),
        ("Reading November twenty two 1821", "1821-11-22"),
        ("the twenty-second of November, 1821", "1821-11-22"),
        ("Firenze, addì 11 Juillet 1871", "1871-07-11"),
        ("25. X. 2018", "2018-10-25"),
        ("12 de enero de 2017", "2017-01-12"),
        ("17 Mei 1890", "1890-05-17"),
        ("Tampereella 3. lokakuuta 1905", "1905-10-03"),
    ],
)
def test_old_and_regional_forms(written, iso):
    assert parse_date(written).when == iso


@pytest.mark.parametrize(
    ("written", "not_before", "not_after", "cert"),
    [
        ("[1. Hälfte Juni 1895]", "1895-06-01", "1895-06-15", "medium"),
        ("circa 1820", "1815", "1825", "low"),
        ("ca. 1820", "1815", "1825", "low"),
        ("Spring 1916", "1916-03", "1916-05", "medium"),
        ("printemps 1916", "1916-03", "1916-05", "medium"),
        ("Anfang März 1900", "1900-03-01", "1900-03-10", "medium"),
        ("late June 1895", "1895-06-21", "1895-06-30", "medium"),
        ("18/19 Juli 1855", "1855-07-18", "1855-07-19", "high"),
        ("[vor dem 15. 11. 1912?]", None, "1912-11-14", "low"),
    ],
)
def test_approximate_dates_are_ranges(written, not_before, not_after, cert):
    value = parse_date(written)
    assert value.when is None
    assert (value.not_before, value.not_after, value.cert) == (not_before, not_after, cert)


def test_editorial_brackets_and_question_marks_lower_the_certainty():
    assert parse_date("[18. 11. 1899]").cert == "medium"
    value = parse_date("[18. 11. 1899?]")
    assert value.when == "1899-11-18" and value.cert == "low"


@pytest.mark.parametrize("written", ["25. X. 90", "13. 6. 94", "8. IV. 95", "VI.18.31."])
def test_a_two_digit_year_keeps_its_text_but_gets_no_date(written):
    value = parse_date(written)
    assert value is not None and value.when is None and value.iso is None


def test_numeric_dates_follow_the_letters_language():
    assert parse_date("03/04/2019", language="en").when == "2019-04-03"
    assert parse_date("03/04/2019", language="en-us").when == "2019-03-04"
    assert parse_date("08.02.2021", language="de").when == "2021-02-08"


def test_a_weekday_is_not_a_date():
    assert parse_date("Thursday") is None
    assert weekday_span("Three Mile Cross Thursday") == (17, 25)
    assert weekday_span("Tuesday Morng") == (0, 13)


@pytest.mark.parametrize(
    ("written", "century", "iso"),
    [
        ("25. X. 90", 18, "1890-10-25"),
        ("13. 6. 94", 18, "1894-06-13"),
        ("8. IV. 95", 18, "1895-04-08"),
        ("VI.18.31.", 18, "1831-06-18"),
        ("München, 12. VIII. 12.", 19, "1912-08-12"),
        ("3/5/87", 19, "1987-05-03"),
    ],
)
def test_a_two_digit_year_takes_the_century_it_is_given(written, century, iso):
    value = parse_date(written, language="de", years=Years.century(century))
    assert value is not None and value.when == iso and value.cert == "medium"


def test_a_hinted_numeric_date_still_follows_the_locale():
    assert parse_date("3/5/87", language="en-us", years=Years.century(19)).when == "1987-03-05"
    # without a language the order stays a guess
    assert parse_date("3/5/87", years=Years.century(19)).cert == "low"
    assert parse_date("31. II. 90", years=Years.century(18)) is None


def test_a_century_hint_leaves_four_digit_years_alone():
    value = parse_date("25. X. 1890", years=Years.century(20))
    assert value.when == "1890-10-25" and value.cert == "high"


@pytest.mark.parametrize(
    ("text", "near", "century"),
    [
        ("seit dem Sommer 1909 nicht mehr gesehen", None, 19),
        ("the sale of 1788, the war of 1812 and the peace of 1815", None, 18),
        ("Postfach 2140, 90402 Nürnberg, Tel. 0911 1234", None, None),
        ("im Jahre 1.1900 oder 12/1900", None, None),
        ("1789 … 1889", 0, 17),
        ("1789 … 1889", 11, 18),
        ("no year at all", None, None),
    ],
)
def test_the_century_of_a_letters_other_years(text, near, century):
    assert century_from_text(text, near=near) == century


@pytest.mark.parametrize(
    ("written", "first", "last", "iso"),
    [
        ("25. X. 90", 1862, 1931, "1890-10-25"),
        ("3. 4. 05", 1862, 1931, "1905-04-03"),  # the span crosses a century
        ("25. X. 90", 1790, 1895, None),  # 1790 and 1890: the span does not settle it
        ("25. X. 90", 1900, 1950, None),  # no year of the span ends in 90
    ],
)
def test_a_two_digit_year_is_read_within_a_span_of_years(written, first, last, iso):
    value = parse_date(written, language="de", years=Years(first, last))
    assert (value.when if value else None) == iso
