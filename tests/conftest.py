"""Shared fixtures (helpers live in tests/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ingest.tei.schema import compile_schema
from tests.support import shared_path


@pytest.fixture
def seed() -> Path:
    """The folder holding the reference letter as .txt, .docx and .pdf."""
    return shared_path("seed")


@pytest.fixture
def schemas() -> Path:
    return shared_path("corpus/schema")


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    """The official tei_all RELAX NG, compiled once per test session (it takes seconds)."""
    return compile_schema(shared_path("corpus/schema/tei_all.rng").resolve())


@pytest.fixture(scope="session")
def oai_dc_schema() -> etree.XMLSchema:
    """The OAI-PMH oai_dc.xsd (it imports simpledc and xml.xsd from beside it)."""
    return etree.XMLSchema(etree.parse(str(shared_path("corpus/schema/oai_dc.xsd"))))
