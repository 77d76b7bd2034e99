"""One base error type: the CLI catches EpistulaError alone, and decides by an error's code."""

from __future__ import annotations

import pickle

import pytest

from archive.errors import ArchiveError
from ingest.errors import EncryptedDocument, IngestError
from metadata.edit import MetadataError
from metadata.errors import EpistulaError
from search.errors import SearchError


@pytest.mark.parametrize("base", [IngestError, MetadataError, SearchError, ArchiveError])
def test_every_package_error_is_an_epistula_error_with_a_code(base):
    assert issubclass(base, EpistulaError)
    assert base.code and base.code != EpistulaError.code


def test_an_error_from_a_worker_keeps_its_code_and_remedy():
    err = pickle.loads(pickle.dumps(EncryptedDocument("a.pdf", "the PDF is encrypted")))
    assert (err.code, err.remedy) == ("encrypted", EncryptedDocument.remedy)
