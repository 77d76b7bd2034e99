"""The learned part labeller: the shipped model, training, and the failure classes it fixed.

The letters here are small and written for these tests (never taken from the corpus); each
stands for a kind of letter the rules alone misread.
"""

from __future__ import annotations

from pathlib import Path

import pycrfsuite
import pytest

from bench import corpus, train
from ingest.letter import formulas, labeller, signatures
from ingest.letter.anatomy import read_by_rules
from ingest.letter.features import line_features
from ingest.limits import Limits
from ingest.pipeline import letter_from_file
from ingest.readers import read
from tests.support import need, shared_path


def _letter(tmp_path: Path, text: str, period: tuple[int, int] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    return letter_from_file(path, Limits(period=period))


@pytest.fixture(autouse=True)
def _shipped_model():  # type: ignore[no-untyped-def]
    labeller.use_model(None)
    yield
    labeller.use_model(None)


def test_the_shipped_model_loads_and_labels_a_letter(tmp_path: Path) -> None:
    need(labeller.MODEL.exists(), "the model is not built (make model)")
    path = tmp_path / "letter.txt"
    path.write_text(
        "Lyon, le 4 mars 1872\n\nMon cher ami,\n\nJe vous remercie de votre lettre et des "
        "livres que vous m'avez envoyés la semaine passée ; ils sont arrivés en bon état.\n\n"
        "Croyez à mes sentiments les plus dévoués,\n\nPaul Girard\n",
        encoding="utf-8",
    )
    _, _, lines, by_rules = read_by_rules(read(path))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(labeller.MODEL))
    labels = tagger.tag(pycrfsuite.ItemSequence(line_features(lines, by_rules)))
    assert labels == ["dateline", "salute", "body", "closing", "signature"]


def test_training_on_a_small_slice_of_the_corpus_gives_a_working_model(tmp_path: Path) -> None:
    root = shared_path("corpus/letters")
    letters = corpus.load(root, limit_per_edition=15)
    found = train.examples(letters, ("txt",), jobs=1, folder=tmp_path / "renditions")
    assert len(found) >= 80
    model = train.train(found, tmp_path / "small.crfsuite")
    labeller.use_model(model)
    letter = _letter(
        tmp_path,
        "Graz, den 3. Mai 1902\n\nLieber Freund!\n\nHab Dank für Deinen Brief, der mich sehr "
        "gefreut hat. Ich komme am Sonntag nach Wien und hoffe, Dich dann zu sehen.\n\n"
        "Mit herzlichen Grüßen\nDein\n\nKarl Meinhard\n",
    )
    assert letter.dateline is not None and "1902" in letter.dateline.text
    assert letter.salute is not None and letter.salute.text == "Lieber Freund!"
    assert [s.agent.name for s in letter.signatories] == ["Karl Meinhard"]
    assert letter.metadata.date is not None and letter.metadata.date.when == "1902-05-03"


def test_a_dateline_of_an_old_italian_letter_is_not_a_heading(tmp_path: Path) -> None:
    letter = _letter(
        tmp_path,
        "Ribano 3 Novembre 1711\n\nIllustrissimo Signore\n\nRicevo la cortesissima sua delli "
        "28 del passato, e con essa le nuove della sua salute, delle quali mi rallegro "
        "infinitamente, pregandola a continuarmi la sua grazia.\n\nDi Vostra Signoria "
        "Illustrissima\ndevotissimo servitore\n\nGiovanni Battista Ferri\n",
    )
    assert letter.dateline is not None and letter.dateline.text == "Ribano 3 Novembre 1711"
    assert letter.metadata.date is not None and letter.metadata.date.when == "1711-11-03"
    assert letter.metadata.place_sent is not None and letter.metadata.place_sent.name == "Ribano"
    assert [a.name for a in letter.metadata.senders] == ["Giovanni Battista Ferri"]


def test_a_short_numeric_dateline_is_read_within_the_period(tmp_path: Path) -> None:
    letter = _letter(
        tmp_path,
        "Lieber Freund,\n\nich schicke Dir heute die versprochenen Bücher und hoffe, dass sie "
        "Dir Freude machen. Schreib mir bald, wie es Dir geht.\n\nDein\nOtto\n\n"
        "den 22./10. 98.\n",
        period=(1880, 1910),
    )
    assert letter.metadata.date is not None and letter.metadata.date.when == "1898-10-22"


def test_a_name_under_your_obedient_servant_is_the_sender(tmp_path: Path) -> None:
    letter = _letter(
        tmp_path,
        "Dublin, 14th March 1898\n\nDear Sir,\n\nI beg to acknowledge receipt of your letter "
        "of the 10th inst. and to say that the books will be forwarded to you by Monday "
        "next at the latest.\n\nYour Obedient Servant,\nE O'Farrell\n",
    )
    assert [a.name for a in letter.metadata.senders] == ["E O'Farrell"]
    assert letter.closer_salute is not None
    assert letter.closer_salute.text.rstrip(",") == "Your Obedient Servant"


def test_an_address_below_the_signature_names_the_addressee(tmp_path: Path) -> None:
    letter = _letter(
        tmp_path,
        "Cork, 2nd June 1899\n\nDear Sir,\n\nWe have received your order and shall send the "
        "seed potatoes by rail on Thursday, carriage paid, as arranged with your agent.\n\n"
        "Yours faithfully,\nJ. Murphy\n\nMr. P. O'Donoghue, 125, Queen's Road, Limerick\n",
    )
    assert [a.name for a in letter.metadata.recipients] == ["P. O'Donoghue"]
    assert [a.name for a in letter.metadata.senders] == ["J. Murphy"]


def test_a_text_with_no_letter_parts_stays_plain_paragraphs(tmp_path: Path) -> None:
    letter = _letter(
        tmp_path,
        "The survey of the northern meadows was finished in the second week of August and "
        "the results were sent to the committee.\n\nA second survey is planned for the "
        "spring, when the water stands higher and the birds return.\n",
    )
    assert len(letter.body) == 2
    assert {"dateline", "salute", "signed", "sender"} <= set(letter.missing_parts())


def test_the_generated_modern_letters_vary_as_todays_letters_do() -> None:
    letters = train.generated_letters(120)
    blocks = [
        (lines, labels[0])
        for letter in letters
        for lines, labels in zip(letter.sheet.blocks, letter.sheet.label_rows(), strict=True)
    ]
    heads = [lines for lines, label in blocks if label == "letterhead"]
    assert any(len(lines) >= 3 for lines in heads)  # an organisation's printed block
    assert any(len(lines) == 1 for lines in heads)  # a one-line letterhead
    signed = [lines for lines, label in blocks if label == "signature"]
    assert any(signatures.PROXY.match(lines[0]) for lines in signed)
    trailers = [lines[0] for lines, label in blocks if label == "trailer"]
    assert any(formulas.is_trailer(line) and not line.startswith("cc") for line in trailers)
    # the same generator gives the same letters, and their names follow their content
    again = train.generated_letters(120)
    assert [x.file for x in again] == [x.file for x in letters]
    assert train.generated_letters(3, seed=7)[0].file != letters[0].file
