"""The pages in a real browser: headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.serve.conftest import LETTERS
from tests.serve.helpers import Server
from tests.support import run_cli

#: where the screenshot test writes its pictures (default: the test's own folder)
SCREENSHOTS = "EPISTULA_SCREENSHOTS"


def test_search_facet_page_letter_footnote_and_tei_download(
    page: Page, server: Server, served_archive: Path, tmp_path: Path
) -> None:
    page.goto(server.url + "/")
    page.fill("#q", "harbour")
    page.click("form.search button")
    expect(page.locator("p.total")).to_contain_text("letters match")
    total = int(page.locator("p.total").inner_text().split()[0])
    assert total == LETTERS - len(range(4, LETTERS, 5))  # every letter but the German ones

    facet = page.locator("section.facet", has_text="Senders").locator("a").first
    sender = facet.inner_text()
    facet.click()
    expect(page.locator("#q")).to_have_value(f'harbour from:"{sender}"')
    for who in page.locator("li.hit span.who").all_inner_texts():
        assert who.startswith(f"{sender} →")

    page.goto(server.url + "/?sort=date")
    page.locator("nav.pages a", has_text="2").first.click()
    expect(page.locator("nav.pages span.current")).to_have_text("2")
    assert page.locator("li.hit").count() == LETTERS - 20

    # the German letters (Wilhelm Keller's) have no footnotes
    page.locator("li.hit").filter(has_not_text="Wilhelm Keller").first.locator("h3 a").click()
    expect(page.locator("article.reading h1")).to_contain_text("Letter from")
    page.locator("sup.callout a").first.click()
    assert page.url.endswith("#fn1")
    note = page.locator("ol.footnotes li#fn1")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Dufour family")

    letter_id = page.url.split("/letters/")[1].split("#")[0]
    with page.expect_download() as info:
        page.click("ul.downloads a:text-is('TEI')")
    saved = tmp_path / "download.xml"
    info.value.save_as(saved)
    shown = run_cli(served_archive, "show", letter_id, "--format", "tei").stdout
    assert saved.read_text(encoding="utf-8") == shown


def test_a_rejected_query_shows_its_message(page: Page, server: Server) -> None:
    response = page.goto(server.url + "/?q=date%3Asomeday")
    assert response is not None and response.status == 400
    expect(page.locator("p.message")).to_contain_text("cannot read the query")


@pytest.mark.parametrize("width", [1280])
def test_screenshots_of_the_search_and_a_letter(
    page: Page, server: Server, listed: dict[str, Any], tmp_path: Path, width: int
) -> None:
    """Pictures for a person to look at (``EPISTULA_SCREENSHOTS=docs/screenshots`` keeps them
    where the README shows them)."""
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server.url + "/?q=orchard&sort=date")
    expect(page.locator("li.hit").first).to_be_visible()
    search = folder / "search.png"
    page.screenshot(path=str(search), full_page=False)
    letter = next(
        i for i, item in sorted(listed.items()) if item["senders"][:1] != ["Wilhelm Keller"]
    )
    page.goto(f"{server.url}/letters/{letter}")
    reading = folder / "letter.png"
    page.screenshot(path=str(reading), full_page=True)
    for picture in (search, reading):
        data = picture.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000, picture
