"""One archive of generated letters, ingested with the real CLI, and the real server over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve.helpers import Server, serving, write_letters
from tests.support import cli_json, run_cli

#: letters in the shared archive: more than one page of the web's 20 and of OAI's 5
LETTERS = 24
#: records per OAI-PMH page in the shared server, so that every list takes several pages
OAI_PAGE = 5


@pytest.fixture(scope="session")
def served_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    paths = write_letters(root / "letters", LETTERS)
    archive = root / "archive"
    result = run_cli(archive, "ingest", *map(str, paths))
    assert result.returncode == 0, result.stderr
    return archive


@pytest.fixture(scope="session")
def server(served_archive: Path) -> Iterator[Server]:
    with serving(served_archive, "--page-size", str(OAI_PAGE)) as running:
        yield running


@pytest.fixture(scope="session")
def listed(served_archive: Path) -> dict[str, dict[str, Any]]:
    """Every letter as ``epistula list --json`` gives it (id, title, date, correspondents)."""
    return {item["id"]: item for item in cli_json(served_archive, "list")["letters"]}
