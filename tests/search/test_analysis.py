"""Analyzers: what a word becomes in the index, so that a reader's spelling finds it."""

from __future__ import annotations

import pickle

import pytest

from search.analysis import (
    body_language,
    exact_analyzer,
    fold,
    folding_analyzer,
    stemming_analyzer,
)


def words(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Châteaudun", "chateaudun"),
        ("Järvinen", "jarvinen"),
        ("Dessau-Roßlau", "dessau-rosslau"),
        ("Ærø Œuvre", "aero oeuvre"),
        ("ÉLODIE", "elodie"),
    ],
)
def test_folding_drops_case_and_accents(written, typed):
    assert fold(written) == typed


def test_hyphens_and_apostrophes_split_words():
    assert words(folding_analyzer(), "Dessau-Roßlau, l'été d'Orléans") == [
        "dessau", "rosslau", "l", "ete", "d", "orleans",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("de", ["Brief", "Briefe", "Briefes"]),
        ("en", ["letter", "letters", "Letter's"]),
        ("fr", ["lettre", "lettres"]),
        ("sv", ["brev", "breven"]),
        ("fi", ["kirje", "kirjeet", "kirjeitä"]),
    ],
)
def test_each_language_stems_its_own_word_forms_alike(lang, forms):
    stems = {tuple(words(stemming_analyzer(lang), form))[:1] for form in forms}
    assert len(stems) == 1, stems


def test_accents_do_not_change_the_stem():
    german = stemming_analyzer("de")
    assert words(german, "Förderanträge") == words(german, "Forderantrage")


def test_exact_names_stay_whole():
    assert words(exact_analyzer(), " Karin  Lund\x1fÉlodie Moreau") == [
        "karin lund",
        "elodie moreau",
    ]


@pytest.mark.parametrize(
    ("code", "field"), [("de", "de"), ("de-CH", "de"), ("nb", "no"), ("la", "xx"), (None, "xx")]
)
def test_body_language(code, field):
    assert body_language(code) == field


def test_analyzers_survive_the_index_table_of_contents():
    analyzer = stemming_analyzer("fr")
    assert words(pickle.loads(pickle.dumps(analyzer)), "lettres") == words(analyzer, "lettre")
