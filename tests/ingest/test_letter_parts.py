"""Letter parts in many languages and centuries, each rule pinned by a small real-looking letter
(plain text read by the real text reader, or a document as the PDF and DOCX readers give it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.letter import formulas
from ingest.letter.anatomy import recognise
from ingest.letter.model import Letter
from ingest.limits import Limits
from ingest.model import Document, PageBreak, Paragraph, Source, Span, Table
from ingest.readers import read
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.card import card_from_tei
from metadata.dates import Years

PROSE = (
    "We have read your proposal with great interest and discussed it at length with the "
    "members of the committee, who were unanimous in their support for the project."
)


def letter_from(tmp_path: Path, text: str) -> Letter:
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    return recognise(read(path, Limits()))


def document(*blocks: Paragraph | Table) -> Document:
    return Document(Source("letter.pdf", "application/pdf", "0" * 64, 100), tuple(blocks))


def para(text: str) -> Paragraph:
    return Paragraph((Span(text),))


@pytest.mark.parametrize(
    ("salute", "closing"),
    [
        ("Dear Ms Roe,", "Yours sincerely,"),
        ("Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen"),
        ("Hochgeachteter Herr Bürgermeister!", "Mit vorzüglicher Hochachtung"),
        ("Madame la Directrice,", "Bien cordialement,"),
        ("Hyvä vastaanottaja,", "Ystävällisin terveisin"),
        ("Kära Erik,", "Med vänliga hälsningar"),
        ("Kjære Ingrid,", "Vennlig hilsen"),
        ("Kære Henrik", "Med venlig hilsen"),
        ("Illustrissimo Signor Conte,", "Distinti saluti,"),
        ("Querida hermana:", "Un abrazo,"),
        ("Geachte heer Van Dijk,", "Met vriendelijke groet,"),
        ("WelEdelGeboren Heer,", "Hoogachtend,"),
        ("HIGHLY ESTEEMED SIR,--", "Your obedient servant,"),
    ],
)
def test_salutation_and_closing_in_many_languages(tmp_path, salute, closing):
    letter = letter_from(tmp_path, f"{salute}\n\n{PROSE}\n\n{closing}\n\nAnna Berg\n")
    assert letter.salute.text == salute
    assert letter.closer_salute.text == closing
    assert [s.agent.name for s in letter.signatories] == ["Anna Berg"]


def test_a_closing_sentence_of_courtesy(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Monsieur,\n\n{PROSE}\n\nVeuillez agréer, Monsieur, l'expression de mes salutations "
        "distinguées.\n\nJean Dupont\n",
    )
    assert letter.closer_salute.text.startswith("Veuillez agréer")
    assert letter.metadata.senders[0].name == "Jean Dupont"


def test_a_closing_over_several_blocks_and_an_initial_as_signature(tmp_path):
    letter = letter_from(
        tmp_path, f"Mein lieber Freund!\n\n{PROSE}\n\nHerzlich grüßend\n\nDein\n\nF\n"
    )
    assert letter.closer_salute.text == "Herzlich grüßend\nDein"
    assert [s.lines for s in letter.signatories] == [(("person", "F"),)]


def test_name_and_closing_on_one_line(tmp_path):
    letter = letter_from(tmp_path, f"My dear Mary\n\n{PROSE}\n\nEver your's M. R. Mitford.\n")
    assert letter.closer_salute.text == "Ever your's"
    assert letter.metadata.senders[0].name == "M. R. Mitford"


def test_two_signatories_side_by_side_in_plain_text(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Dear Chairwoman Ellison:\n\n{PROSE}\n\nRespectfully,\n\n"
        "Angela Brooks          Samuel Okafor\n"
        "Executive Director     Policy Counsel\n",
    )
    assert [s.agent.name for s in letter.signatories] == ["Angela Brooks", "Samuel Okafor"]
    assert [s.agent.roles for s in letter.signatories] == [
        ("Executive Director",),
        ("Policy Counsel",),
    ]
    assert letter.metadata.recipients[0].name == "Ellison"


def test_two_signatories_in_a_word_or_pdf_table():
    cells = (
        (para("Birgitta Ahlgren\nOrdförande"),),
        (para("Lars-Erik Nordin\nKassör"),),
    )
    letter = recognise(
        document(para("Till Länsstyrelsen,"), para(PROSE), para("För föreningen"), Table((cells,)))
    )
    assert [s.agent.name for s in letter.signatories] == ["Birgitta Ahlgren", "Lars-Erik Nordin"]


def test_a_block_running_the_closing_into_the_body_is_cut():
    """PDF readers hand over the last paragraph, the closing and the signature as one block."""
    letter = recognise(
        document(
            para("Sehr geehrte Damen und Herren,"),
            para(f"{PROSE}\nMit freundlichen Grüßen\nUrsula Brenner\nPS: Die Kopie folgt."),
        )
    )
    assert letter.closer_salute.text == "Mit freundlichen Grüßen"
    assert letter.metadata.senders[0].name == "Ursula Brenner"
    assert [p.text for p in letter.postscript] == ["PS: Die Kopie folgt."]


def test_recipient_address_below_the_signature(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Sir,\n\n{PROSE}\n\nI have the honour to be, Sir,\nYour most obedient humble servant,\n\n"
        "Wm. Hargreaves\n\nTo Mr. Thomas Cadell\nBookseller\nStrand, London\n",
    )
    assert letter.closer_address == ["To Mr. Thomas Cadell", "Bookseller", "Strand, London"]
    assert letter.metadata.recipients[0].name == "Thomas Cadell"
    assert letter.metadata.senders[0].name == "Wm. Hargreaves"


def test_date_only_at_the_end(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Mon cher frère,\n\n{PROSE}\n\nTon frère qui t'embrasse,\n\nAuguste\n\n"
        "Niort, ce 28 septembre 1830.\n",
    )
    assert letter.dateline is None
    assert letter.closer_dateline.text == "Niort, ce 28 septembre 1830."
    assert letter.metadata.date.when == "1830-09-28"
    assert letter.metadata.place_sent.name == "Niort"
    assert "dateline" not in letter.missing_parts()


def test_signature_and_dateline_in_one_block(tmp_path):
    letter = letter_from(
        tmp_path, f"Lieber Herr Horner!\n\n{PROSE}\n\nAlfred Escher.\nBern\n2. Juli 1851.\n"
    )
    assert letter.metadata.senders[0].name == "Alfred Escher"
    assert letter.closer_dateline.text == "Bern\n2. Juli 1851."
    assert letter.metadata.date.when == "1851-07-02"


def test_weekday_only_dateline_and_a_frank_below(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Three Mile Cross Thursday\n\nMy dear Sir\n\n{PROSE}\n\nEver most sincerely your's,\n"
        "M.R. Mitford\n\nReading November twenty two 1821\nT. N. Talfourd Esqre.\n1 Pump Court\n",
    )
    assert letter.dateline.text == "Three Mile Cross Thursday"
    assert letter.metadata.place_sent.name == "Three Mile Cross"
    date = letter.metadata.date
    assert date.when == "1821-11-22" and date.cert == "medium"
    assert letter.metadata.recipients[0].name == "T. N. Talfourd"


def test_undated_letter_keeps_its_weekday_without_a_date(tmp_path):
    letter = letter_from(
        tmp_path, f"Wednesday evening\n\nDear Kitty,\n\n{PROSE}\n\nYours,\n\nHarriet\n"
    )
    assert letter.dateline.text == "Wednesday evening"
    assert letter.metadata.date.iso is None
    assert letter.metadata.recipients[0].name == "Kitty"


def test_approximate_date_in_brackets(tmp_path):
    letter = letter_from(
        tmp_path, f"[1. Hälfte Juni 1895]\n\nLieber Freund!\n\n{PROSE}\n\nDein\nRichard\n"
    )
    date = letter.metadata.date
    assert (date.not_before, date.not_after) == ("1895-06-01", "1895-06-15")


def test_finnish_inflected_place_and_subject(tmp_path):
    letter = letter_from(
        tmp_path,
        "Turussa 12. maaliskuuta 2020\n\nKansallisarkisto\nRauhankatu 17\n00170 Helsinki\n\n"
        f"Asia: Tutkimuslupahakemus\n\nArvoisa vastaanottaja,\n\n{PROSE}\n\n"
        "Ystävällisin terveisin\n\nKaisa Laaksonen\nprojektinjohtaja\n\nLiitteet: suunnitelma\n",
    )
    meta = letter.metadata
    assert (
        meta.place_sent.name == "Turku" and meta.place_sent.ref == "https://www.geonames.org/633679"
    )
    assert meta.title == "Tutkimuslupahakemus"
    assert meta.recipients[0].orgs == ("Kansallisarkisto",)
    assert [p.text for p in letter.trailers] == ["Liitteet: suunnitelma"]


@pytest.mark.parametrize(
    "subject", ["Re: Your order", "Betreff: Förderantrag", "Objet : demande", "Oggetto: prestito",
                "Asunto: Solicitud", "Onderwerp: bruikleen", "Ärende: Beställning"],
)  # fmt: skip
def test_subject_lines_with_markers(tmp_path, subject):
    letter = letter_from(
        tmp_path, f"3 March 2021\n\n{subject}\n\nDear Anna,\n\n{PROSE}\n\nBest,\n\nPer\n"
    )
    assert letter.subject.text == subject


def test_subject_without_marker_above_the_salutation(tmp_path):
    letter = letter_from(
        tmp_path,
        "Dresden, 08.02.2021\n\nSächsisches Staatsarchiv\nArchivstraße 14\n01097 Dresden\n\n"
        "Anfrage zu den Akten der Landesbühne\n\nSehr geehrte Damen und Herren,\n\n"
        "für eine Biografie der Schauspielerin Hanna Kühnel suche ich nach Unterlagen über ihr "
        "Engagement an der Landesbühne in den Jahren 1949 bis 1956.\n\n"
        "Mit freundlichen Grüßen\n\nUrsula Brenner\n",
    )
    assert letter.subject.text == "Anfrage zu den Akten der Landesbühne"
    assert letter.metadata.date.when == "2021-02-08" and letter.metadata.date.cert == "high"


def test_address_before_the_date_in_a_din_letter(tmp_path):
    letter = letter_from(
        tmp_path,
        "Rigsarkivet\nRigsdagsgården 9\n1218 København K\n\nAarhus, den 9. oktober 2019\n\n"
        "Kære Henrik Møller\n\nTak for dit hurtige svar angående kirkebøgerne fra Hammel sogn. "
        "Jeg har nu gennemgået de digitaliserede opslag og fundet min tipoldefars dåb i 1852.\n\n"
        "Med venlig hilsen\n\nJens Kristian Holm\n",
    )
    assert letter.address[0] == "Rigsarkivet"
    assert letter.metadata.recipients[0].name == "Henrik Møller"
    assert letter.metadata.place_sent.name == "Aarhus"


def test_english_letterhead_gives_the_place_of_writing(tmp_path):
    letter = letter_from(
        tmp_path,
        "St Anne's College\nWoodstock Road\nOxford OX2 6HS\n\n03/04/2019\n\n"
        f"To whom it may concern,\n\n{PROSE}\n\nYours faithfully,\n\nEleanor Whitcombe\n",
    )
    assert letter.address == [] and letter.metadata.recipients == []
    assert (
        letter.metadata.place_sent.name == "Oxford" and letter.metadata.place_sent.cert == "medium"
    )
    assert letter.metadata.date.when == "2019-04-03"


def test_us_address_makes_numeric_dates_month_first(tmp_path):
    letter = letter_from(
        tmp_path,
        "7/4/2019\n\nMs. Dana Whitfield\n55 Capitol Street\nAugusta, ME 04333\n\n"
        f"Dear Ms. Whitfield:\n\n{PROSE}\n\nSincerely,\n\nRobert Calloway\n",
    )
    assert letter.metadata.date.when == "2019-07-04"


def test_postscript_markers(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Querida hermana:\n\n{PROSE}\n\nTu hermana que te quiere,\n\nCarmen\n\n"
        "P.D. No olvides la receta.\n",
    )
    assert [p.text for p in letter.postscript] == ["P.D. No olvides la receta."]
    assert letter.metadata.senders[0].name == "Carmen"


def test_enclosure_list_without_colon(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Sehr geehrte Frau Sommer,\n\n{PROSE}\n\nMit freundlichen Grüßen\n\nMatthias Keller\n\n"
        "Anlagen\nGebührenordnung\nBenutzungsantrag\n",
    )
    assert [p.text for p in letter.trailers] == ["Anlagen\nGebührenordnung\nBenutzungsantrag"]


def test_an_editors_bracketed_note_is_not_the_signature(tmp_path):
    letter = letter_from(
        tmp_path,
        f"MY DEAR FRIEND,--\n\n{PROSE}\n\nYours cordially,\n\nBEETHOVEN.\n\n"
        "[Footnote 1: Probably the one in F, Op. 135.]\n",
    )
    assert letter.metadata.senders[0].name == "BEETHOVEN"
    assert [p.text for p in letter.trailers] == ["[Footnote 1: Probably the one in F, Op. 135.]"]


def test_heading_to_the_addressee(tmp_path):
    letter = letter_from(
        tmp_path, f"TO F. RIES,--LONDON.\n\nVienna, July 9, 1817.\n\n{PROSE}\n\nYours,\n\nLudwig\n"
    )
    assert letter.metadata.recipients[0].name == "F. Ries"
    assert letter.metadata.place_received.name == "London"
    assert letter.metadata.place_sent.name == "Vienna"


def test_organisation_signs(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Gentlemen,\n\n{PROSE}\n\nWe remain, Gentlemen, your obedient servants,\n\n"
        "Rathbone Brothers & Co.\n",
    )
    assert [(a.name, a.orgs) for a in letter.metadata.senders] == [
        (None, ("Rathbone Brothers & Co.",))
    ]


def test_letter_parts_below_the_signature_are_valid_tei(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Sir,\n\n{PROSE}\n\nYour obedient servant,\n\nWm. Hargreaves\n\nBath, 14th April 1795\n\n"
        "To Mr. Thomas Cadell\nBookseller\nStrand, London\n\n[Endorsed: answered 20 April]\n",
    )
    root = build_tei(letter, object_id="L-x", publication=Publication(), version="0.1.0")
    assert validate_tei(root) == []
    card = card_from_tei(root)
    assert card.date == "1795-04-14" and card.place_sent == "Bath"
    assert card.recipients == ["Thomas Cadell"]
    ref = root.xpath(
        "//*[local-name()='correspAction'][@type='sent']/*[local-name()='placeName']/@ref"
    )
    assert ref == ["https://www.geonames.org/2656173"]


# -- two-digit years and addressees (issue 3, follow-up) -----------------------------------------


def test_a_two_digit_year_takes_its_century_from_the_letter(tmp_path):
    letter = letter_from(
        tmp_path,
        "Graz, 3. XI. 11.\n\nLiebe Schwester!\n\nSeit dem Herbst 1909 habe ich nicht so viel "
        "gearbeitet wie in diesen Wochen; das Buch soll zu Ostern fertig sein.\n\n"
        "Herzlich grüßt Dich\nDein Franz\n",
    )
    date = letter.metadata.date
    assert date.when == "1911-11-03" and date.cert == "medium"
    root = build_tei(letter, object_id="L-x", publication=Publication(), version="0.1.0")
    assert validate_tei(root) == []
    sent = root.xpath("//*[local-name()='correspAction'][@type='sent']/*[local-name()='date']")
    assert sent[0].get("when") == "1911-11-03" and sent[0].get("cert") == "medium"


def test_a_two_digit_year_alone_gets_no_iso_date(tmp_path):
    letter = letter_from(
        tmp_path,
        "3/5/87\n\nDear Ann,\n\nThe parcel came this morning, thank you. I will write properly "
        "at the weekend.\n\nLove,\nMeg\n",
    )
    assert letter.metadata.date.text == "3/5/87" and letter.metadata.date.iso is None


def test_the_years_nearest_the_dateline_settle_a_tie(tmp_path):
    letter = letter_from(
        tmp_path,
        "Leeds, 3/5/87\n\nDear Ann,\n\nThe new edition of the 1887 catalogue is out; the old "
        "one, printed in 1787, is in the library.\n\nLove,\nMeg\n",
    )
    assert letter.metadata.date.when == "1887-05-03"


def test_the_address_below_the_signature_wins_over_a_letterhead_in_capitals(tmp_path):
    letter = letter_from(
        tmp_path,
        "BANQUE CANTONALE VAUDOISE\nPlace Saint-François\n\nLausanne, le 4 mai 1874\n\n"
        f"Monsieur le Président,\n\n{PROSE}\n\nVeuillez agréer, Monsieur le Président, "
        "l'assurance de notre haute considération.\n\nLe Directeur\nH. Rochat\n\n"
        "Monsieur le Dr Welti\nPrésident de la Confédération\nBerne\n",
    )
    assert [a.name for a in letter.metadata.recipients] == ["Welti"]


def test_a_french_address_below_the_signature(tmp_path):
    letter = letter_from(
        tmp_path,
        "Dijon, le 12 mars 1852.\n\nMonsieur,\n\nJ'ai bien reçu votre lettre du 8 et je vous en "
        "remercie.\n\nAgréez, Monsieur, mes salutations empressées.\n\nLouis Ferrand\n\n"
        "À Monsieur\nMonsieur Jules Mercier, notaire\nà Beaune\n",
    )
    assert [a.name for a in letter.metadata.recipients] == ["Jules Mercier"]


def test_an_esquire_above_the_dateline_is_the_addressee(tmp_path):
    letter = letter_from(
        tmp_path,
        f"John Keats Esq.\n\nHampstead, May 3rd 1819.\n\nMy dear Sir\n\n{PROSE}\n\n"
        "Yours ever\nC. W. Dilke\n",
    )
    assert [a.name for a in letter.metadata.recipients] == ["John Keats"]
    assert [a.name for a in letter.metadata.senders] == ["C. W. Dilke"]


@pytest.mark.parametrize(
    ("salute", "recipients"),
    [
        ("Hyvä professori Lindholm,", ["Lindholm"]),
        ("Liebe Großmutter!", []),
        ("Dear Granny,", []),
        ("Liebe Frau Geheimrätin!", []),
    ],
)
def test_titles_and_kinship_words_in_the_salutation(tmp_path, salute, recipients):
    letter = letter_from(tmp_path, f"{salute}\n\n{PROSE}\n\nHerzlich,\nKarl\n")
    assert [a.name for a in letter.metadata.recipients] == recipients


# -- closings, salutations, addresses and datelines of the edition letters ------------------

GERMAN_PROSE = (
    "Die Bücher sind gestern angekommen, und ich habe sie gleich durchgesehen; es fehlt nichts, "
    "und der Buchbinder hat seine Sache gut gemacht."
)


@pytest.mark.parametrize(
    ("closing", "signature", "sender"),
    [
        ("In Treue\nDein", "Paul Goldmann.", "Paul Goldmann"),
        ("Von Herzen Ihr", "A.", "A."),
        ("Freundlich grüßt Dich Dein", "J. Dubs.", "J. Dubs"),
        ("Mit ergebensten Grüssen Ihr", "R. A.", "R. A."),
        ("Herzlichst Ihr\ntreuester", "Salten", "Salten"),
    ],
)
def test_a_closing_that_ends_in_the_writers_possessive(tmp_path, closing, signature, sender):
    letter = letter_from(tmp_path, f"Lieber Freund,\n\n{GERMAN_PROSE}\n\n{closing}\n{signature}\n")
    assert letter.closer_salute is not None and letter.closer_salute.text == closing
    assert [a.name for a in letter.metadata.senders] == [sender]


def test_a_multi_line_closing_keeps_its_inflected_first_line(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Mein Lieber!\n\n{GERMAN_PROSE}\n\n"
        "Mit herzlichem Gruße u. treuer Liebe\n\nDein\n\nH. S.\n",
    )
    assert letter.closer_salute.text == "Mit herzlichem Gruße u. treuer Liebe\nDein"
    assert [s.agent.name for s in letter.signatories] == ["H. S."]


def test_a_salutation_below_an_archival_reference_is_found(tmp_path):
    letter = letter_from(
        tmp_path,
        "À Monsieur de Fallais\n\nOrig. autographe. Bibl. de Genève. Vol. 194.\n\nMonsieur,\n\n"
        "Je commenceray par vous faire nos excuses de ce que nous avons si longtemps différé "
        "à vous faire sçavoir de nos nouvelles, et je vous prie de nous pardonner.\n\n"
        "Vostre serviteur et entier amy,\n\nCHARLES D'ESPEVILLE.\n",
    )
    assert letter.salute is not None and letter.salute.text == "Monsieur,"


@pytest.mark.parametrize(
    "salute", ["Señor:", "Señor mío:", "Queridísimo hermano:", "Mis hermanos:", "Seigneur Jéhan,"]
)
def test_spanish_and_old_french_salutations(salute):
    assert formulas.is_salute(salute)


@pytest.mark.parametrize("line", ["Señor Juan Pérez", "Nobles personas", "Seigneurs de Genève"])
def test_a_form_of_address_without_its_punctuation_is_no_salutation(line):
    assert not formulas.is_salute(line)


def test_a_line_of_prose_broken_before_its_noun_is_no_closing():
    assert not formulas.is_closing("Mit bestem Dank für Ihre")
    assert not formulas.is_closing("Wie geht es Ihr")


def test_an_envelope_below_the_signature_names_the_addressee_and_the_town_is_the_place(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Hochgeehrtester Herr!\n\n{GERMAN_PROSE}\n\nIhr freundschaftlichst ergebener\n\n"
        "v Dusch\n\nCarlsruhe,\nden 16. April 1869.\n\nSeiner Hochwohlgeboren\n"
        "Herrn Präsidenten Alfred Escher\nin\nZürich.\n",
    )
    meta = letter.metadata
    assert [a.name for a in meta.senders] == ["v Dusch"]
    assert [a.name for a in meta.recipients] == ["Alfred Escher"]
    assert meta.place_sent is not None and meta.place_sent.name == "Carlsruhe"
    assert meta.date is not None and meta.date.when == "1869-04-16"


def test_a_year_wrapped_onto_its_own_line_stays_in_the_dateline(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Baireut den 1 ten Juni\n1821.\n\nGeliebter Max!\n\n{GERMAN_PROSE}\n\nDeine Mutter\n",
    )
    assert letter.metadata.date is not None and letter.metadata.date.when == "1821-06-01"


def test_a_dateline_run_into_the_last_paragraph_is_cut_off():
    letter = recognise(
        document(
            para("Serenissimo Principe"),
            para(
                "in questo punto vengo di ricever lettere del signor conte, che mi avvisa della "
                "sua partenza; et procurerò di salvarmi alla meglio che potrò colla "
                "sodisfattione publica. Gratie etc. Dall’Haya a’ 5 luglio 1617"
            ),
            para("di vostra Serenità\nhumilissimo et devotissimo servitore\nChristofforo Suriano"),
        )
    )
    assert letter.metadata.date is not None and letter.metadata.date.when == "1617-07-05"
    assert [p.text for p in (letter.dateline, letter.closer_dateline) if p] == [
        "Dall’Haya a’ 5 luglio 1617"
    ]


def test_a_pronoun_of_the_closing_is_no_signature(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Mein lieber Freund!\n\n{GERMAN_PROSE}\n\nMit herzlichen Grüßen ganz Dein\n\n"
        "Peyer im Hof\n",
    )
    assert letter.closer_salute.text == "Mit herzlichen Grüßen ganz Dein"
    assert [a.name for a in letter.metadata.senders] == ["Peyer im Hof"]


def test_an_english_closing_ends_in_yours_however_long(tmp_path):
    letter = letter_from(
        tmp_path,
        f"My dear friend,\n\n{PROSE}\n\n& I am ever most sincerely & affectionately your's\n\n"
        "M. R. Mitford.\n",
    )
    assert letter.closer_salute.text == "& I am ever most sincerely & affectionately your's"
    assert [a.name for a in letter.metadata.senders] == ["M. R. Mitford"]


def test_the_salutation_below_a_copyists_note(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Copy of a letter to William Macready Esq.\n\nMy dear Sir,\n\n{PROSE}\n\n"
        "Ever yours,\n\nM. R. Mitford\n",
    )
    assert letter.salute is not None and letter.salute.text == "My dear Sir,"
    assert [type(p).__name__ for p in letter.body] == ["Para"]


def test_an_address_below_the_signature_that_opens_with_esquire(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Dear Sir,\n\n{PROSE}\n\nYours faithfully,\n\nArthur J. Fenwick\n\n"
        "B. R. Haydon Esq.\nSt. John's Place\nLisson Grove North\n",
    )
    assert [a.name for a in letter.metadata.senders] == ["Arthur J. Fenwick"]
    assert [a.name for a in letter.metadata.recipients] == ["B. R. Haydon"]


def test_the_salutation_below_an_opening_blessing(tmp_path):
    letter = letter_from(
        tmp_path,
        "Aux Fidèles de Lyon\n\nLa grâce et la paix de Dieu nostre Père par nostre Seigneur "
        "Jésus-Christ, soit et demeure tousjours sur vous par la vertu de son Sainct-Esprit, "
        "maintenant et à jamais.\n\nTrès chers frères,\n\nnous désirerions d'avoir matière de "
        "vous escrire qui vous vînt à plus grande consolation, car quant quelque autre vous "
        "contristeroit, nous serions les premiers à vous resjouyr.\n\n"
        "Vostre humble frère,\n\nJÉHAN CALVIN\n",
    )
    assert letter.salute is not None and letter.salute.text == "Très chers frères,"
    assert len(letter.body) == 1


def test_a_role_cut_short_below_the_name_is_no_second_signatory(tmp_path):
    letter = letter_from(
        tmp_path,
        f"Hochgeachteter Herr!\n\n{GERMAN_PROSE}\n\nMit aufrichtiger Hochschätzung\n\n"
        "Joh Mohr\nPräs.\n",
    )
    assert [(a.name, a.roles) for a in letter.metadata.senders] == [("Joh Mohr", ("Präs.",))]
    assert letter.closer_salute.text == "Mit aufrichtiger Hochschätzung"


def test_a_dateline_above_the_closing_across_a_page_break():
    letter = recognise(
        document(
            para("Serenissimo Principe"),
            para(
                "vogli la Serenità vostra o ad uno d’essi commetter questo affare, concorrendo "
                "ambidoi d’una stessa volontà per servir al suo Principe. Gratie etc."
            ),
            para("Dall’Haya li 23 giugno 1620"),
            para("di vostra Serenità"),
            PageBreak(2),
            para("humilissimo, et devotissimo servitore"),
            para("Christofforo Suriano"),
        )
    )
    assert letter.metadata.date is not None and letter.metadata.date.when == "1620-06-23"
    assert letter.closer_salute.text == "di vostra Serenità\nhumilissimo, et devotissimo servitore"


def test_a_dateline_below_a_copyists_note_and_no_salutation(tmp_path):
    letter = letter_from(
        tmp_path,
        "Molly O'Donnell, The Life of Mary Russell Mitford, related in a selection from her "
        "letters to her friends, volume two, page forty.\n\nThree Mile Cross, February 8th "
        f"1821.\n\n{PROSE}\n\nMost gratefully yours\n\nM. R. Mitford\n",
    )
    assert letter.metadata.date is not None and letter.metadata.date.when == "1821-02-08"
    assert letter.dateline is not None and "1821" in letter.dateline.text


def test_a_line_of_honorifics_above_the_salutation_belongs_to_it(tmp_path):
    letter = letter_from(
        tmp_path,
        f"München Am 24. Nov. 1818.\n\nWohlgebohrner\nHochverehrtester Herr Legationsrath!\n\n"
        f"{GERMAN_PROSE}\n\nIhr gehorsamster Diener\n\nJulius von Yelin\n",
    )
    assert letter.salute.text == "Wohlgebohrner\nHochverehrtester Herr Legationsrath!"
    assert letter.dateline.text == "München Am 24. Nov. 1818."
    assert not letter.letterhead and not letter.address


def test_a_two_digit_year_in_a_period_over_two_centuries_takes_the_letters_own_century(
    tmp_path,
):
    path = tmp_path / "letter.txt"
    path.write_text(
        "Hof d. 9 Nov. 95.\n\nLieber Freund,\n\nDein Buch vom Sommer 1794 habe ich endlich "
        "gelesen, und es hat mir besser gefallen als alles, was ich sonst in diesem Jahre "
        "gelesen habe.\n\nDein\nRichter\n",
        encoding="utf-8",
    )
    letter = recognise(read(path, Limits(period=(1780, 1929))), Years(1780, 1929))
    assert letter.metadata.date is not None and letter.metadata.date.when == "1795-11-09"


def test_a_name_and_its_role_run_into_one_line_are_told_apart():
    letter = recognise(
        document(
            para("Hochgeachteter Herr!"),
            para(GERMAN_PROSE),
            para(
                "Genehmigen Sie schließlich die Versicherung meiner hochachtungsvollen Ergebenheit."
            ),
            para("Dr E. Escher Stadtschreiber"),
            para("Zürich den 31. October 1859."),
        )
    )
    assert [(a.name, a.roles) for a in letter.metadata.senders] == [
        ("E. Escher", ("Stadtschreiber",))
    ]
