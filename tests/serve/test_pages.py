"""The reader's pages over HTTP: what they show, what they refuse, and what they never reach."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from pathlib import Path
from typing import Any

from lxml import html

from tests.serve.conftest import LETTERS
from tests.serve.helpers import RARE_WORD, SCRIPT, SENDERS, Server, get, serving, write_letters
from tests.support import cli_json, run_cli


def _page(server: Server, path: str) -> tuple[int, html.HtmlElement]:
    status, body, headers = get(server.url + path)
    assert headers["content-type"].startswith("text/html"), headers
    return status, html.fromstring(body)


def _search(server: Server, **params: str) -> tuple[int, html.HtmlElement]:
    return _page(server, "/?" + urllib.parse.urlencode(params))


def _raw_status(server: Server, path: str) -> int:
    """The status of a request for exactly ``path`` (no client normalising its dots)."""
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_search_finds_the_letters_the_cli_finds_with_snippets_marked(
    server: Server, served_archive: Path
) -> None:
    status, page = _search(server, q=RARE_WORD, size="50")
    assert status == 200
    expected = cli_json(served_archive, "search", RARE_WORD, "--limit", "50")
    links = page.xpath("//li[@class='hit']//h3/a/@href")
    assert sorted(links) == sorted(f"/letters/{hit['id']}" for hit in expected["hits"])
    # every third letter names the word, but not the German ones (every fifth)
    assert len(links) == sum(1 for n in range(LETTERS) if n % 3 == 0 and n % 5 != 4)
    marked = page.xpath("//p[@class='snippet']/mark/text()")
    assert marked and all(word.lower() == RARE_WORD for word in marked)
    assert page.xpath("string(//p[@class='total'])").startswith(f"{len(links)} letters match")


def test_facets_are_links_that_narrow_the_query(server: Server) -> None:
    _status, page = _search(server, q="harbour")
    senders = page.xpath("//section[@class='facet'][h2='Senders']//a")
    assert {a.text for a in senders} == set(SENDERS)
    link = senders[0].get("href")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["q"][0]
    assert query == f'harbour from:"{senders[0].text}"'
    _status, narrowed = _page(server, link)
    who = narrowed.xpath("//li[@class='hit']//span[@class='who']/text()")
    assert who and all(w.startswith(senders[0].text + " →") for w in who)


def test_timeline_counts_letters_per_year_for_the_query(
    server: Server, listed: dict[str, dict[str, Any]]
) -> None:
    _status, page = _search(server)
    bars = page.xpath("//figure[@class='timeline']//li")
    shown = {
        li.xpath("string(.//span[@class='year'])"): int(li.xpath("string(.//span[@class='count'])"))
        for li in bars
    }
    years: dict[str, int] = {}
    for item in listed.values():
        if item["date"]:
            years[item["date"][:4]] = years.get(item["date"][:4], 0) + 1
    assert shown == years
    assert list(shown) == sorted(shown), "oldest first"


def test_results_are_paged_and_sorted(server: Server, listed: dict[str, dict[str, Any]]) -> None:
    _status, first = _search(server, sort="date")
    _status, second = _search(server, sort="date", page="2")
    dates = [
        d
        for page in (first, second)
        for d in page.xpath("//li[@class='hit']//span[@class='date']/text()")
    ]
    assert len(dates) == LETTERS
    assert dates == sorted(item["date"] or "undated" for item in listed.values())
    _status, newest = _search(server, sort="-date")
    assert newest.xpath("//li[@class='hit']//span[@class='date']/text()")[0] == max(dates)
    assert second.xpath("//nav[@class='pages']/span[@class='current']/text()") == ["2"]


def test_a_letter_reads_like_a_letter_with_its_footnote_at_the_callout(
    server: Server, listed: dict[str, dict[str, Any]]
) -> None:
    letter_id = next(i for i, item in listed.items() if item["senders"] == [SENDERS[0]])
    status, page = _page(server, f"/letters/{letter_id}")
    assert status == 200
    letter = page.xpath("//div[@class='letter']")[0]
    assert re.search(r"\d{4}", letter.xpath("string(.//p[@class='dateline'])"))
    assert letter.xpath("string(.//p[@class='salute'])").startswith("Dear ")
    assert letter.xpath("string(.//div[@class='closer'])").strip().startswith("Yours ever")
    assert letter.xpath("string(.//p[@class='signed'])").strip() == SENDERS[0]
    callout = letter.xpath(".//sup[@class='callout']/a")[0]
    assert callout.get("href") == "#fn1"
    sentence = callout.getparent().getparent().text_content()
    assert "in flower" in sentence.split("We walked")[0]  # the callout sits after "flower"
    note = page.xpath("//ol[@class='footnotes']/li[@id='fn1']")[0]
    assert "Dufour family" in note.text_content()
    card = dict(zip(page.xpath("//aside//dt/text()"), page.xpath("//aside//dd"), strict=True))
    assert card["From"].text == SENDERS[0]
    assert card["Identifier"].text == letter_id


def test_a_letter_with_markup_in_it_shows_the_markup_as_text(server: Server) -> None:
    status, body, _ = get(server.url + "/?" + urllib.parse.urlencode({"q": '"printer\'s manual"'}))
    assert status == 200
    (link,) = html.fromstring(body).xpath("//li[@class='hit']//h3/a/@href")
    status, body, _ = get(server.url + link)
    assert status == 200
    assert b"<script" not in body.lower()
    assert b"&lt;script&gt;alert(" in body
    assert SCRIPT in html.fromstring(body).xpath("string(//div[@class='letter'])")


def test_downloads_are_the_archived_tei_dublin_core_and_original(
    server: Server, served_archive: Path, listed: dict[str, dict[str, Any]]
) -> None:
    letter_id = sorted(listed)[0]
    status, tei, headers = get(f"{server.url}/letters/{letter_id}/tei.xml")
    assert status == 200 and "attachment" in headers["content-disposition"]
    assert (
        tei.decode("utf-8") == run_cli(served_archive, "show", letter_id, "--format", "tei").stdout
    )
    status, dc, _ = get(f"{server.url}/letters/{letter_id}/dc.xml")
    assert dc.decode("utf-8") == run_cli(served_archive, "show", letter_id, "--format", "dc").stdout
    card = cli_json(served_archive, "show", letter_id)
    status, original, headers = get(f"{server.url}/letters/{letter_id}/original")
    source = served_archive.parent / "letters" / card["source"]["filename"]
    assert status == 200 and original == source.read_bytes()
    assert card["source"]["filename"] in headers["content-disposition"]


def test_lists_of_correspondents_and_places(
    server: Server, listed: dict[str, dict[str, Any]]
) -> None:
    _status, page = _page(server, "/correspondents")
    senders = page.xpath("//section[@class='names'][1]//a/text()")
    assert set(senders) == {s for item in listed.values() for s in item["senders"]}
    recipients = page.xpath("//section[@class='names'][2]//a/text()")
    assert set(recipients) == {r for item in listed.values() for r in item["recipients"]}
    _status, places = _page(server, "/places")
    assert {"Dunkirk", "Bristol", "Leipzig"} <= set(places.xpath("//section//a/text()"))


def test_a_query_the_parser_rejects_is_a_400_page_with_its_message(server: Server) -> None:
    for query in ("date:someday", "nosuchfield:x"):
        status, page = _search(server, q=query)
        assert status == 400
        message = page.xpath("string(//p[@class='message'])")
        assert message.startswith("cannot read the query") and query in message


def test_page_sizes_and_pages_are_bounded(server: Server) -> None:
    for params in ({"size": "5000"}, {"page": "100000"}, {"page": "0"}, {"sort": "random"}):
        status, page = _search(server, **params)
        assert status == 400, params
        assert page.xpath("string(//p[@class='message'])")
    assert _search(server, q="x" * 501)[0] == 400


def test_no_request_reaches_a_file_outside_the_letters(server: Server) -> None:
    for path in (
        "/letters/..%2F..%2Fepistula.toml",
        "/letters/%2e%2e/epistula.toml",
        "/letters/..%2Fepistula.toml/original",
        "/static/../epistula.toml",
        "/static/%2e%2e/%2e%2e/epistula.toml",
        "/letters/store/original",
        "/letters/0=ocfl_1.1/tei.xml",
        "/epistula.toml",
    ):
        assert _raw_status(server, path) == 404, path
    status, body, _ = get(server.url + "/letters/L-nothing-here")
    assert status == 404 and b"no letter" in body


def test_pages_load_nothing_from_the_network(server: Server, listed: dict[str, Any]) -> None:
    for path in ("/", "/correspondents", f"/letters/{sorted(listed)[0]}"):
        _status, page = _page(server, path)
        assert not page.xpath("//script"), "no scripts: the pages work without JavaScript"
        sources = page.xpath("//link/@href | //img/@src | //script/@src")
        assert sources and all(s.startswith("/") for s in sources), sources
    status, css, headers = get(server.url + "/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert b"@import" not in css and b"url(" not in css


def test_one_log_line_per_request(server: Server) -> None:
    marker = "/?q=logmarker"
    get(server.url + marker)
    lines = [line for line in server.log_lines() if "GET /?q=logmarker " in line]
    assert len(lines) == 1
    assert re.search(r"127\.0\.0\.1 GET /\?q=logmarker 200 \d+\.\dms$", lines[0])


def test_an_edit_in_another_process_shows_on_the_pages_without_a_restart(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 3))).returncode == 0
    letter_id = sorted(i["id"] for i in cli_json(archive, "list")["letters"])[0]
    with serving(archive) as server:
        _status, before = _search(server, q="harbour")
        assert "A letter retitled" not in before.xpath("string(//ol[@class='hits'])")
        assert "Collections" not in before.xpath("//aside//h2/text()")
        edited = run_cli(
            archive, "edit", letter_id, "--set", "title=A letter retitled",
            "--set", "collection=Nachlass Hale",
        )  # fmt: skip
        assert edited.returncode == 0, edited.stderr
        _status, after = _search(server, q="harbour")
        _status, letter = _page(server, f"/letters/{letter_id}")
    titles = after.xpath(
        "//li[@class='hit']//h3/a[@href=$link]/text()", link=f"/letters/{letter_id}"
    )
    assert titles == ["A letter retitled"]
    facets = dict(
        zip(after.xpath("//aside//h2/text()"), after.xpath("//aside//section"), strict=True)
    )
    assert facets["Collections"].xpath(".//a/text()") == ["Nachlass Hale"]
    assert "A letter retitled" in letter.xpath("string(//body)")
