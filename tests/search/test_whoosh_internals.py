"""The Whoosh internals ``search.docsets`` reads, checked on a real index.

``docsets`` reads posting blocks, deletions and numeric columns through private attributes
of the pinned whoosh-reloaded, for speed, and falls back to slower public paths where those
are missing. A change of the pin could thus make search slow, or wrong, without a failure
anywhere else: these tests fail loudly instead, naming what changed.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching.wrappers import FilterMatcher

from search import docsets, indexer
from search.indexer import open_index
from tests.search.test_search_segments import card

#: the version these internals were read from (pyproject.toml pins it)
PINNED = "2.7.5"
BODY = "body_en"
#: more letters than one posting block holds (128), so a common word spans several blocks
LETTERS = 300


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("internals") / "index"
    cards = [
        card(n % 100, f"parcel number{n} reached Uppsala on Tuesday", ["Karin Lund"], ["Erik"])
        for n in range(LETTERS)
    ]
    for n, letter in enumerate(cards):
        letter.id = f"L-{n:04d}"
    indexer.update(path, cards)
    indexer.update(path, cards[:1])  # letter 0 deleted from the first segment, written anew
    return path


@pytest.fixture
def reader(index: Path):
    with open_index(index).searcher() as searcher:
        leaf, _offset = searcher.leaf_searchers()[0]
        yield leaf.reader()


def test_whoosh_is_the_version_whose_internals_docsets_reads():
    assert version("whoosh-reloaded") == PINNED, (
        "whoosh-reloaded changed: check every private attribute search/docsets.py reads "
        "(this file lists them), then update PINNED"
    )


def test_deleted_letters_are_read_from_the_per_document_reader(reader):
    assert reader.has_deletions()
    assert list(reader._perdoc.deleted_docs()) == [0]


def test_posting_blocks_are_read_where_whoosh_3_writes_them(reader):
    btext = reader.schema[BODY].to_bytes("parcel")
    matcher = reader.postings(BODY, btext)
    assert isinstance(matcher, FilterMatcher) and matcher._exclude  # deletions filtered
    inner = matcher.child
    for name in ("_postfile", "_dataoffset", "_nextoffset", "_compression", "_blocklength",
                 "_maxid", "_byteids", "_next_block"):  # fmt: skip
        assert hasattr(inner, name), f"the posting matcher has no {name}"
    postings = docsets.PostingList(inner)
    assert not postings._inline, "posting lists are read the slow way, one posting at a time"
    assert len(postings._blocks) > 1
    # every block's ids and weights come from the cut pickle, not a whole unpickling
    for block in postings._blocks:
        data = block.data()
        assert data.find(docsets._FIRST_VALUE) > 0, "a block's values no longer start so"
    ids, weights = postings.read()
    inner.reset()
    expected = []
    while inner.is_active():
        expected.append((inner.id(), inner.weight(), inner.value()))
        inner.next()
    assert ids.tolist() == [e[0] for e in expected]
    assert weights.tolist() == [e[1] for e in expected]
    assert postings.values(ids) == [e[2] for e in expected]  # positions, for phrases


def test_numeric_columns_and_field_lengths_are_read_as_arrays(reader):
    column = reader.schema["year"].column_type
    assert column._typecode and hasattr(column, "_default")
    col = reader.column_reader("year", translate=False)
    for name in ("_count", "_dbfile", "_basepos", "_fixedlen"):
        assert hasattr(col, name), f"the numeric column reader has no {name}"
    values = docsets.numeric_column(reader, "year")
    assert values is not None and values.tolist() == list(col)
    perdoc = reader._perdoc
    assert perdoc.has_column(f"_{BODY}_len")
    lengths = perdoc.column_reader(f"_{BODY}_len", LENGTHS_COLUMN)
    assert hasattr(lengths, "_dbfile")


def test_term_expansions_list_their_terms(reader):
    assert b"parcel" in list(q.Wildcard(BODY, "parc*")._btexts(reader))


def test_docsets_find_what_whoosh_finds(index):
    with open_index(index).searcher() as searcher:
        evaluation = docsets.Evaluation(searcher)
        for query in (
            q.Term(BODY, "parcel"),
            q.And([q.Term(BODY, "parcel"), q.Term(BODY, "number7")]),
            q.Phrase(BODY, ["reached", "uppsala"]),
            q.NumericRange("year", 1910, 1950),
        ):
            mine = evaluation.docs(query)
            theirs = np.array(sorted(searcher.search(query, limit=None).docs()))
            assert mine.tolist() == theirs.tolist(), query
