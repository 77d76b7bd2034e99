"""One archive of generated letters, ingested with the real CLI, and the real server over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.serve.helpers import Server, serving, write_letters
from tests.support import cli_json, need, run_cli

CHROMIUM = Path("/usr/bin/chromium")
#: how the browser tests start Debian's Chromium (playwright's own browsers are never fetched)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (its own browsers are never fetched)."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
