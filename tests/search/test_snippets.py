"""Snippets as a reader sees them: the densest run of matched words, blocks kept apart, and
a letter of any size or any number of matches answered without reading it over and over."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from archive.api import Archive
from metadata.card import card_from_tei
from search import snippets
from search.snippets import MARK_END, MARK_START, snippet
from tests.support import run_cli, shared_path

TEI = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>
<title type="main">A letter</title></titleStmt><publicationStmt><idno>L-1</idno>
</publicationStmt><sourceDesc><bibl/></sourceDesc></fileDesc></teiHeader><text><body>
<div type="letter"><fw type="letterhead">ADDRESS UNKNOWN.</fw><opener><dateline>Baden,
<date when="1821-09-27">Sept. 27, 1821</date>.</dateline><salute>Sir,</salute></opener>
<p>I hope you will forgive me.</p><closer><salute>Your friend,</salute><signed>BEETHOVEN.
</signed></closer><postscript><p>Immediate.</p></postscript><trailer>The end.</trailer>
</div></body></text></TEI>"""


def marked(text: str) -> list[str]:
    return re.findall(re.escape(MARK_START) + r"(.+?)" + re.escape(MARK_END), text)


def test_blocks_stay_apart_in_the_text_snippets_are_cut_from():
    text = card_from_tei(etree.fromstring(TEI)).text
    assert "UNKNOWN. Baden" in text
    assert "Sir, I hope" in text and "friend, BEETHOVEN." in text and "Immediate. The end." in text
    assert "ADDRESS UNKNOWN. **Baden**," in snippet(text, {"baden"}, "en")


def test_the_beethoven_letter_snippet_does_not_run_blocks_together(tmp_path):
    letter = shared_path(
        "corpus/real-letters/txt/beethoven_303_address-unknown_baden_1821-09-27.txt"
    )
    archive = tmp_path / "archive"
    assert Archive(archive).ingest([letter]).count("added") == 1
    result = run_cli(archive, "search", "Baden", "--json")
    hit = json.loads(result.stdout)["hits"][0]
    assert "UNKNOWN.Baden" not in hit["snippet"]
    assert "UNKNOWN. Baden" in hit["snippet"]


def test_the_window_holds_the_densest_run_of_matches():
    scattered = " ".join(["Brief"] + ["und"] * 60 + ["Briefe"] + ["und"] * 60)
    dense = "Ein Brief, zwei Briefe, drei Briefe am Tag."
    text = f"{scattered} {dense} " + " ".join(["und"] * 60)
    found = snippet(text, {"brief"}, "de")
    assert marked(found) == ["Brief", "Briefe", "Briefe"] and "drei" in found
    assert found.startswith("… ") and found.endswith(" …")


def test_words_folded_longer_than_written_are_marked_in_place():
    text = "Die Straße nach Baden. " * 3 + "Die Strasse."
    assert marked(snippet(text, {"strass"}, "de")) == ["Straße", "Straße", "Straße", "Strasse"]


def test_a_short_stem_is_found_among_longer_words():
    # a stem shorter than three letters: any word stemmed to it counts, whatever follows
    assert marked(snippet("Er las ein Buch und ging.", {"ging"}, "de")) == ["ging"]
    assert marked(snippet("She is going home; he goes.", {"go"}, "en")) == ["going"]


def test_a_huge_letter_full_of_matches_gives_a_snippet_from_a_bounded_read(monkeypatch):
    line = "Lorem ipsum dolor sit amet, consectetur tempor incididunt ut labore.\n"
    text = line * 800_000  # 54 MB, 800,000 matches: the window search was quadratic in them
    read: list[int] = []
    pieces = snippets._pieces

    def counted(whole: str):
        for offset, piece in pieces(whole):
            read.append(len(piece))
            yield offset, piece

    monkeypatch.setattr(snippets, "_pieces", counted)
    found = snippet(text, {"tempor"}, "en")
    assert marked(found) == ["tempor", "tempor"] and len(found) < 2 * snippets.SNIPPET_CHARS
    # reading stopped once enough matches were seen, not at the letter's end
    assert sum(read) <= snippets.MAX_MATCHES * len(line) + snippets.CHUNK_CHARS


@pytest.mark.parametrize("terms", [{"tempor"}, {f"word{n}" for n in range(200)}])
def test_a_match_only_at_the_end_of_a_long_text_is_found(terms):
    text = "lorem ipsum dolor " * 200_000 + "tempor word7 word150 end"
    found = snippet(text, terms, "en")
    assert marked(found) and found.endswith("end")
