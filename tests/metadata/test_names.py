"""Signature and address lines: people, roles and organisations."""

from __future__ import annotations

import pytest

from metadata.names import (
    addressed_person,
    classify_line,
    display_order,
    person_from_address_line,
    person_from_salute,
    signature_name,
    split_title,
    surname,
    title_case,
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


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Bölsche, Wilhelm", "Wilhelm Bölsche"),
        ("Hofmannsthal, Hugo von", "Hugo von Hofmannsthal"),
        ("Beethoven, Ludwig van", "Ludwig van Beethoven"),
        ("van Gogh, Vincent", "Vincent van Gogh"),
        ("d'Annunzio, Gabriele", "Gabriele d'Annunzio"),
        ("Richter, J. P. F.", "J. P. F. Richter"),
        ("Smith, John, Jr.", "John Smith Jr."),
        ("BEETHOVEN, LUDWIG VAN", "LUDWIG VAN BEETHOVEN"),  # case is kept as written
        ("Wilhelm  Bölsche", "Wilhelm Bölsche"),
        ("J. P. F. Richter", "J. P. F. Richter"),
        ("BEETHOVEN", "BEETHOVEN"),
        # commas that set off something other than forenames
        ("Jules Mercier, notaire", "Jules Mercier, notaire"),
        ("Lindqvist, Minister", "Lindqvist, Minister"),
        ("Smith, Jr.", "Smith, Jr."),
        ("Müller, Dr.", "Müller, Dr."),
        ("Yours truly, John", "Yours truly, John"),
        ("Dein, Arthur", "Dein, Arthur"),
        ("Müller, 12 Hauptstraße", "Müller, 12 Hauptstraße"),
    ],
)
def test_display_order(written, shown):
    assert display_order(written) == shown


@pytest.mark.parametrize(
    ("name", "last"),
    [
        ("Hofmannsthal, Hugo von", "Hofmannsthal"),
        ("Hugo von Hofmannsthal", "Hofmannsthal"),
        ("Bölsche, Wilhelm", "Bölsche"),
        ("Mr. P. O'Donoghue", "O'Donoghue"),
    ],
)
def test_the_surname_of_a_name_in_either_order(name, last):
    assert surname(name) == last


@pytest.mark.parametrize(
    ("written", "cased"),
    [
        ("BEETHOVEN", "Beethoven"),
        ("LUDWIG VAN BEETHOVEN", "Ludwig van Beethoven"),
        ("J. P. F. RICHTER", "J. P. F. Richter"),
        ("E O'FARRELL", "E O'Farrell"),
        ("Beethoven", "Beethoven"),
    ],
)
def test_title_case_of_names_in_capitals(written, cased):
    assert title_case(written) == cased


@pytest.mark.parametrize(
    ("line", "person"),
    [
        ("Mr. P. O'Donoghue, 125, Queen's Road, Dublin", "P. O'Donoghue"),
        ("Bölsche, Wilhelm", "Wilhelm Bölsche"),
        ("Hofmannsthal, Hugo von", "Hugo von Hofmannsthal"),
        ("Nightingale, Florence", "Florence Nightingale"),  # a forename, not the town
        ("Herrn Gabriele d'Annunzio", "Gabriele d'Annunzio"),
        ("Viale Giovine Italia, 6", None),
    ],
)
def test_address_lines_in_either_order(line, person):
    assert person_from_address_line(line) == person


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("E O'Farrell", "person"),
        ("J. P. F. Richter", "person"),
        ("Hugo von Hofmannsthal", "person"),
        ("Gabriele d'Annunzio", "person"),
        ("Leonardo da Vinci", "person"),
        ("Your Obedient Servant,", "other"),
        ("Your Humble Servant", "other"),
    ],
)
def test_signature_lines(line, kind):
    assert classify_line(line) == kind


def test_signature_name_keeps_initials_and_capitals():
    assert signature_name("E O'Farrell") == "E O'Farrell"
    assert signature_name("J. P. F. Richter.") == "J. P. F. Richter"
    assert signature_name("Th H.") == "Th H."
    assert signature_name("BEETHOVEN.") == "BEETHOVEN"


@pytest.mark.parametrize(
    ("line", "person"),
    [("B.R. Haydon Esqr", "B.R. Haydon"), ("Sir Wm Elford Bart", "Wm Elford")],
)
def test_an_esquire_or_a_baronet_after_the_name_goes(line, person):
    assert person_from_address_line(line) == person
