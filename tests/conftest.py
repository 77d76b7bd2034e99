"""Shared fixtures (helpers live in tests/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import shared_path


@pytest.fixture
def seed() -> Path:
    """The folder holding the reference letter as .txt, .docx and .pdf."""
    return shared_path("seed")


@pytest.fixture
def schemas() -> Path:
    return shared_path("corpus/schema")
