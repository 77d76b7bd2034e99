"""Signature and address lines: people, roles and organisations."""

from __future__ import annotations

import pytest

from metadata.names import classify_line, person_from_salute, split_title


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Bjørn Engesland", "person"),
        ("Secretary General", "role"),
        ("Norwegian Helsinki Committee", "org"),
        ("Europe and Central Asia Division", "org"),
        ("Geschäftsführerin", "role"),
        ("Umweltbundesamt", "org"),
        ("Helsingin yliopisto", "org"),
        ("J. S. Mill", "person"),
        ("Ludwig van Beethoven", "person"),
    ],
)
def test_classify_line(line, kind):
    assert classify_line(line) == kind


def test_a_name_repeated_in_the_body_is_an_organisation():
    body = "On behalf of Human Rights Watch we write. Human Rights Watch has long..."
    assert classify_line("Human Rights Watch", body) == "org"


@pytest.mark.parametrize(
    ("salute", "person"),
    [
        ("Dear Chairwoman Ellison:", "Ellison"),
        ("Dear Minister Lindqvist,", "Lindqvist"),
        ("Sehr geehrter Herr Dr. Müller,", "Müller"),
        ("Chère Hélène,", "Hélène"),
        ("Dear Sir,", None),
    ],
)
def test_addressee_from_salutation(salute, person):
    assert person_from_salute(salute) == person


def test_title_is_split_from_the_name():
    assert split_title("Minister Anna Lindqvist") == ("Minister", "Anna Lindqvist")
    assert split_title("Herrn Dr. Klaus Müller") == ("Herrn Dr.", "Klaus Müller")
