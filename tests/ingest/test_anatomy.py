"""Letter parts recognised from small, real-looking letters (read by the real text reader)."""

from __future__ import annotations

from pathlib import Path

from ingest.letter.anatomy import recognise
from ingest.letter.model import Letter, Para, Section
from ingest.limits import Limits
from ingest.readers import read
from tests.support import SAMPLES


def letter_from(tmp_path: Path, text: str) -> Letter:
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    return recognise(read(path, Limits()))


def sample(name: str) -> Letter:
    return recognise(read(SAMPLES / "source" / name, Limits()))


def test_german_business_letter():
    letter = sample("de-geschaeftsbrief-mueller.txt")
    assert [p.text for p in letter.letterhead] == ["Stiftung Lebendige Ostsee"]
    assert letter.address == [
        "Herrn Dr. Klaus Müller", "Umweltbundesamt", "Wörlitzer Platz 1", "06844 Dessau-Roßlau",
    ]  # fmt: skip
    assert letter.dateline.text == "Berlin, 3. März 2021"
    assert letter.subject.text == "Betreff: Förderantrag Nr. 2021-17"
    assert letter.salute.text == "Sehr geehrter Herr Dr. Müller,"
    assert letter.closer_salute.text == "Mit freundlichen Grüßen"
    assert [p.text for p in letter.trailers] == ["Anlage: Projektskizze"]
    meta = letter.metadata
    assert meta.date.when == "2021-03-03" and meta.place_sent.name == "Berlin"
    assert meta.title == "Förderantrag Nr. 2021-17"
    assert [(a.name, a.roles, a.orgs) for a in meta.senders] == [
        ("Sabine Krause", ("Geschäftsführerin",), ("Stiftung Lebendige Ostsee",))
    ]
    assert meta.recipients[0].name == "Klaus Müller"
    assert meta.place_received.name == "Dessau-Roßlau"
    assert meta.language == "de"


def test_personal_letter_with_postscript():
    letter = sample("fr-lettre-chateaudun.txt")
    assert letter.dateline.text == "Châteaudun, le 14 juillet 1998"
    assert letter.metadata.place_sent.name == "Châteaudun"
    assert letter.closer_salute.text == "Je t'embrasse,"
    assert [s.agent.name for s in letter.signatories] == ["Margot"]
    assert [p.text for p in letter.postscript] == ["P.S. N'oublie pas les photos de Lisbonne."]
    assert letter.metadata.recipients[0].name == "Hélène"
    assert letter.metadata.language == "fr"


def test_finnish_inflected_place_of_writing():
    letter = sample("fi-kirje-tampere.txt")
    assert letter.metadata.place_sent.name == "Helsinki"
    assert letter.metadata.date.when == "2019-05-05"
    assert letter.closer_salute.text == "Ystävällisin terveisin"
    assert letter.metadata.recipients[0].orgs == ("Tampereen kaupunginkirjasto",)


def test_two_signatories_after_a_closing_formula(tmp_path):
    letter = letter_from(
        tmp_path,
        "Dear Ms Ellison,\n\n"
        "We are writing to ask for your support for the archive's digitisation programme, which "
        "has now reached its second year and covers more than four thousand letters.\n\n"
        "Yours sincerely,\n\nMary Smith\nDirector\nCounty Record Office\n\n"
        "John Brown\nArchivist\n",
    )
    assert letter.closer_salute.text == "Yours sincerely,"
    assert [s.agent.name for s in letter.signatories] == ["Mary Smith", "John Brown"]
    assert letter.signatories[0].agent.orgs == ("County Record Office",)
    assert letter.metadata.recipients[0].name == "Ellison"


def test_letter_without_salutation_keeps_its_paragraphs(tmp_path):
    letter = letter_from(
        tmp_path,
        "12 May 1920\n\n"
        "The shipment of books arrived this morning in good order and has been entered in the "
        "register of the library under the numbers you gave.\n\n"
        "The invoice will follow by the next post.\n",
    )
    assert letter.salute is None
    assert letter.metadata.date.when == "1920-05-12"
    assert [type(i) for i in letter.body] == [Para, Para]


def test_unparseable_text_is_plain_paragraphs(tmp_path):
    letter = letter_from(tmp_path, "just some words\n\nand more words here\n")
    assert letter.salute is None and letter.dateline is None and not letter.signatories
    assert [i.text for i in letter.body] == ["just some words", "and more words here"]
    assert set(letter.missing_parts()) >= {"dateline", "salute", "signed", "date", "sender"}


def test_section_headings_group_the_paragraphs_under_them(tmp_path):
    paragraph = "This paragraph is long enough to be prose in the body of the letter, with words."
    letter = letter_from(
        tmp_path,
        f"Dear Anna,\n\n{paragraph}\n\nOur requests\n\n{paragraph}\n\n{paragraph}\n\n"
        "Best wishes,\n\nKarin Lund\n",
    )
    assert isinstance(letter.body[0], Para)
    section = letter.body[1]
    assert isinstance(section, Section) and section.head.text == "Our requests"
    assert len(section.items) == 2
