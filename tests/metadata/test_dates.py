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


@pytest.mark.parametrize(
    ("written", "first", "last", "iso"),
    [
        ("Wien,27. Oct. 11", 1862, 1931, "1911-10-27"),
        ("Wien, 11. Aug. 91", 1862, 1931, "1891-08-11"),
        ("15. 2. 907", 1862, 1931, "1907-02-15"),  # three digits: the millennium left out
        ("Bayreuth den 7ten Februar 796", 1763, 1825, "1796-02-07"),
        ("27 zugno 622 ricevute a’ 14 luglio", 1600, 1699, "1622-06-27"),
        ("den 22./10. 98.", 1862, 1931, "1898-10-22"),
        ("Wien7/12 91.", 1862, 1931, "1891-12-07"),
        ("Wien, 22/I 93.", 1862, 1931, "1893-01-22"),
        ("Gardone, Dienstag 24/IX 95", 1862, 1931, "1895-09-24"),
        ("Wien, 22 II 93.", 1862, 1931, "1893-02-22"),
        ("Wien24. XI. 92.", 1862, 1931, "1892-11-24"),
        ("25. X. 90", 1862, 1931, "1890-10-25"),
        ("VI.18.31", 1800, 1899, "1831-06-18"),
        ("Mölln bei Neubrandenburg den 7 ten Fbr 98", 1763, 1825, "1798-02-07"),
        ("Tübingen 13 April 9", 1763, 1825, "1809-04-13"),  # one digit, at the line's end
        ("Bayreuth 26 Oct. VII.", 1763, 1825, "1807-10-26"),
    ],
)
def test_short_years_are_read_within_the_period(written, first, last, iso):
    value = parse_date(written, language="de", years=Years(first, last))
    assert value is not None and value.when == iso and value.cert == "medium"


@pytest.mark.parametrize(
    "written", ["Wien,27. Oct. 11", "den 22./10. 98.", "Bayreuth 26 Oct. VII."]
)
def test_short_years_without_a_period_keep_their_text_only(written):
    value = parse_date(written, language="de")
    assert value is not None and value.when is None and value.cert == "low"


def test_a_three_digit_year_outside_the_period_is_not_forced():
    assert parse_date("15. 2. 907", years=Years(1600, 1699)).when is None


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("Wien,27.Oct.1911", "1911-10-27"),
        ("Zürich,den3.März1860", "1860-03-03"),
        ("Bern,15.Mai 1850", "1850-05-15"),
        ("Jany 24th1820.", "1820-01-24"),
        ("Three Mile CrossAugust 24th, 1820.", "1820-08-24"),
        ("Three Mile Cross August 28 th1821.", "1821-08-28"),
        ("Wien, 18./3. 1892III. Heumarkt 9", "1892-03-18"),
        ("Ischl, 4. 8. 900.", "1900-08-04"),
        ("Brünn22/5 1890", "1890-05-22"),
    ],
)
def test_glued_datelines(written, iso):
    assert parse_date(written).when == iso


@pytest.mark.parametrize(
    ("written", "iso", "text"),
    [
        ("Ribano 3 Novembre 1711", "1711-11-03", "3 Novembre 1711"),
        ("Dall'Haya a' 9 maggio 1617", "1617-05-09", "9 maggio 1617"),
        ("di Venetia li 12 di Marzo 1620", "1620-03-12", "12 di Marzo 1620"),
        ("Dall’Haya li 7 febraro 1622", "1622-02-07", "7 febraro 1622"),
        ("Dall’Haya a’ 3 genaro 1618", "1618-01-03", "3 genaro 1618"),
        ("12 d'aprile 1620", "1620-04-12", "12 d'aprile 1620"),
        ("Genève ce 15 de juillet 1550", "1550-07-15", "15 de juillet 1550"),
        ("le 3e d'aoust 1549", "1549-08-03", "3e d'aoust 1549"),
        ("a 7 de enero de 1820", "1820-01-07", "7 de enero de 1820"),
        ("den 5ten Jenner 1799", "1799-01-05", "5ten Jenner 1799"),
        ("Baireuth d. 2 Febr. 1800", "1800-02-02", "2 Febr. 1800"),
        ("Rehau den 4. Merz 1782.", "1782-03-04", "4. Merz 1782"),
        ("den 3. Hornung 1799", "1799-02-03", "3. Hornung 1799"),
        ("3 Mertz 1800", "1800-03-03", "3 Mertz 1800"),
        ("Rehau den 23. Septbr. 1781.", "1781-09-23", "23. Septbr. 1781"),
        ("Neustadt den 26. Julj 1794.", "1794-07-26", "26. Julj 1794"),
        ("Vendzka, den 17 Sept: 1781.", "1781-09-17", "17 Sept: 1781"),
        ("Haye 5 Junij 1617", "1617-06-05", "5 Junij 1617"),
        ("die 5 Octobris 1550", "1550-10-05", "5 Octobris 1550"),
        ("July 4th 1820", "1820-07-04", "July 4th 1820"),
        ("4th of July 1820", "1820-07-04", "4th of July 1820"),
        ("Sept. 3 1820", "1820-09-03", "Sept. 3 1820"),
        ("li 3 Xbre 1620", "1620-12-03", "3 Xbre 1620"),
        ("12 9bre 1618", "1618-11-12", "12 9bre 1618"),
        ("K.R. le 5 7bre 1799", "1799-09-05", "5 7bre 1799"),
        ("5 8bre 1619", "1619-10-05", "5 8bre 1619"),
        ("N. a. d. A. den 4. 8ber. 1794.", "1794-10-04", "4. 8ber. 1794"),
        ("Leipzig. 1785, den 17. April.", "1785-04-17", "1785, den 17. April."),
    ],
)
def test_archaic_forms(written, iso, text):
    found = find_date(written)
    assert found is not None and found.value.when == iso and found.value.text == text


def test_an_editors_year_in_parentheses_is_medium():
    value = parse_date("Desde Estrasburgo, este 10 de julio (1538).")
    assert value.when == "1538-07-10" and value.cert == "medium"


@pytest.mark.parametrize(
    "written",
    ["Jan 5.", "October 12th.", "Hof den 23 August", "Sonnabend den 1. Juny.", "den 4ten Aprill",
     "Montag Abend. d. 15ten Xber", "Zürich den 4 Octob"],
)  # fmt: skip
def test_a_day_and_month_without_a_year_keep_their_text(written):
    value = parse_date(written)
    assert value is not None and value.when is None and value.iso is None and value.cert == "low"


@pytest.mark.parametrize(
    "text",
    [
        "Er kam am 5. Mai zurück",
        "we met on the 5 May and talked",
        "Via Maggio 12",
        "No. 5 of 1820",
        "page 12 of 1820",
        "Seite 27. Oct.",
        "Nr. 15. 2. 907",
        "Hauptstrasse 12, 1820 Wien",
        "Ooststraat 4-A.",
        "den 5 Mai 11 Uhr",
        "Thursday",
        "27bre 1620",
    ],
)
def test_numbers_that_are_not_dates(text):
    value = parse_date(text)
    assert value is None or (value.when is None and "Uhr" in text)


def test_a_dated_form_wins_over_a_yearless_one():
    found = find_date("Ricevute 3 maggio; scritta 27 aprile 1622")
    assert found.value.when == "1622-04-27"


def test_a_weekday_dateline_is_still_no_date():
    assert parse_date("Three Mile Cross Thursday") is None
    assert weekday_span("Three Mile Cross Thursday") == (17, 25)
