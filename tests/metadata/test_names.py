"""Signature and address lines: people, roles and organisations."""

from __future__ import annotations

import pytest

from metadata.names import (
    addressed_person,
    classify_line,
    person_from_address_line,
    person_from_salute,
    split_title,
)


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


@pytest.mark.parametrize(
    ("line", "person"),
    [
        ("Herrn Dr. Klaus Müller", "Klaus Müller"),
        ("Aan de heer J. van Dijk", "J. van Dijk"),
        ("TO F. RIES,--LONDON.", "F. Ries"),
        ("Gentile Dott.ssa Laura Bianchi", "Laura Bianchi"),
        ("Sra. Dña. Pilar Gómez Serrano", "Pilar Gómez Serrano"),
        ("The Honorable Maria Ellison", "Maria Ellison"),
        ("Herr skibsreder Thor Dahl", "Thor Dahl"),
        ("Monsieur le Dr Escher", "Escher"),
        ("T. N. Talfourd Esqre.", "T. N. Talfourd"),
        ("Kansallisarkisto", None),
        ("Rauhankatu 17", None),
        ("Monsieur Jules Mercier, notaire", "Jules Mercier"),
        ("Frau Anna Kessler, geb. Hartmann", "Anna Kessler"),
        ("Viale Giovine Italia, 6", None),
        ("à Beaune", None),
        ("in Berlin", None),
        ("CREDITO FONDIARIO E COMMERCIALE", None),
        ("HERRN JOHANN WEBER", "Johann Weber"),
    ],
)
def test_addressee_from_an_address_line(line, person):
    assert person_from_address_line(line) == person


@pytest.mark.parametrize(
    ("salute", "person"),
    [
        ("Kære Henrik Møller", "Henrik Møller"),
        ("Mon cher Paul,", "Paul"),
        ("Ærede herr Dahl!", "Dahl"),
        ("Estimado señor Ruiz:", "Ruiz"),
        ("DEAR RIES,--", "Ries"),
        ("My dear Mother,", None),
        ("Verehrter Herr Doktor!", None),
        ("MY OLD AND WORTHY FRIEND,--", None),
        ("Rakas äiti!", None),
        ("Till Länsstyrelsen,", None),
        ("Hyvä professori Lindholm,", "Lindholm"),
        ("Cara zia Lucia,", "Lucia"),
        ("Sehr geehrter Herr Professor Brandt!", "Brandt"),
        ("Liebe Frau Geheimrätin!", None),
        ("Liebe Großmutter!", None),
        ("Dear Granny,", None),
        ("Kæreste Moder!", None),
    ],
)
def test_salutations_name_people_not_relations(salute, person):
    assert person_from_salute(salute) == person


def test_titles_before_a_name_do_not_make_it_a_role():
    assert classify_line("Prof. Dr. Sandra Richter") == "person"
    assert classify_line("Rathbone Brothers & Co.") == "org"
    assert classify_line("Departamento de Historia Moderna") == "org"


@pytest.mark.parametrize(
    ("line", "person"),
    [
        ("B. R. Haydon Esq.", "B. R. Haydon"),
        ("Mrs. Barbara Hofland", "Barbara Hofland"),
        ("Herrn Felix Salten", "Felix Salten"),
        ("Dr Eleanor Whitcombe", None),  # may be the writer's own letterhead
        ("Prof. Sandra Richter", None),
    ],
)
def test_a_courtesy_form_marks_someone_else(line, person):
    assert addressed_person(line) == person
