"""OAI-PMH: the real server harvested by two real harvesters from PyPI, every response checked
against the official OAI-PMH schema, and each error condition provoked."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import oaipmh.client
import oaipmh.metadata
import pytest
from lxml import etree
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe
from oaipmh_scythe.exceptions import NoRecordsMatch

from tests.serve.conftest import LETTERS, OAI_PAGE
from tests.serve.helpers import (
    NS,
    Server,
    assert_valid,
    get,
    oai_schema,
    serving,
    write_letters,
)
from tests.support import cli_json, run_cli

REPOSITORY = "epistula-archive.local"
TEI_NS = "http://www.tei-c.org/ns/1.0"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return oai_schema()


class Recorder:
    """Every response a harvester's HTTP client receives, kept for validation."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, response: httpx2.Response) -> None:
        response.read()
        self.bodies.append(response.content)


@pytest.fixture
def scythe(server: Server) -> Iterator[tuple[Scythe, Recorder]]:
    recorder = Recorder()
    with Scythe(server.oai) as harvester:
        harvester.client.event_hooks["response"].append(recorder)
        yield harvester, recorder


def _oai_id(letter_id: str) -> str:
    return f"oai:{REPOSITORY}:{letter_id}"


def _c14n(element: etree._Element) -> bytes:
    # exclusive: a record's own namespaces, not those of the response around it
    return etree.tostring(element, method="c14n", exclusive=True)


def _request(server: Server, **arguments: str) -> etree._Element:
    status, body, headers = get(server.oai + "?" + urllib.parse.urlencode(arguments))
    assert status == 200 and headers["content-type"].startswith("text/xml")
    return etree.fromstring(body)


def _error(root: etree._Element) -> tuple[str, str]:
    error = root.find("oai:error", NS)
    assert error is not None, etree.tostring(root)[:500]
    return error.get("code"), error.text or ""


def test_scythe_harvests_every_letter_over_pages_and_every_page_is_valid(
    served_archive: Path,
    scythe: tuple[Scythe, Recorder],
    listed: dict[str, dict[str, Any]],
    schema: etree.XMLSchema,
) -> None:
    harvester, recorder = scythe
    records = list(harvester.list_records(metadata_prefix="oai_dc"))
    assert sorted(r.header.identifier for r in records) == sorted(map(_oai_id, listed))
    assert len(recorder.bodies) == -(-LETTERS // OAI_PAGE)  # 24 letters, 5 a page: 5 pages
    for body in recorder.bodies:
        assert_valid(schema, body)
    # each record is the letter's Dublin Core, exactly as `epistula show --format dc` gives it
    pages = [etree.fromstring(body) for body in recorder.bodies]
    sent = [record for page in pages for record in page.iterfind(".//oai:record", NS)]
    for record in sent[::4]:
        letter_id = record.findtext("oai:header/oai:identifier", namespaces=NS).rsplit(":", 1)[1]
        shown = run_cli(served_archive, "show", letter_id, "--format", "dc").stdout
        (metadata,) = record.find("oai:metadata", NS)
        assert _c14n(metadata) == _c14n(etree.fromstring(shown.encode("utf-8")))
    titles = {r.header.identifier: r.metadata["title"] for r in records}
    assert titles == {_oai_id(i): [item["title"]] for i, item in listed.items()}


def test_pages_carry_complete_list_size_and_cursor(server: Server) -> None:
    cursors = []
    arguments = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    seen: list[str] = []
    while True:
        root = _request(server, **arguments)
        seen += root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = root.find(".//oai:resumptionToken", NS)
        assert token is not None and token.get("completeListSize") == str(LETTERS)
        cursors.append(int(token.get("cursor")))
        if not token.text:
            break
        arguments = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert cursors == list(range(0, LETTERS, OAI_PAGE))
    assert len(seen) == len(set(seen)) == LETTERS


def test_list_identifiers_from_and_until_select_by_datestamp(
    scythe: tuple[Scythe, Recorder], schema: etree.XMLSchema
) -> None:
    harvester, recorder = scythe
    headers = list(harvester.list_identifiers(metadata_prefix="oai_dc"))
    stamps = sorted({h.datestamp for h in headers})
    assert all(s.endswith("Z") and len(s) == 20 for s in stamps)  # UTC, to the second
    first, last = stamps[0], stamps[-1]
    assert len(list(harvester.list_identifiers(from_=first, until=last))) == LETTERS
    newest = [h.identifier for h in headers if h.datestamp == last]
    assert sorted(h.identifier for h in harvester.list_identifiers(from_=last)) == sorted(newest)
    day = first[:10]
    assert len(list(harvester.list_identifiers(from_=day, until=day))) == sum(
        1 for h in headers if h.datestamp.startswith(day)
    )
    before = (datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ") - timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    with pytest.raises(NoRecordsMatch):
        list(harvester.list_identifiers(until=before))
    for body in recorder.bodies:
        assert_valid(schema, body)


def test_sets_are_years_and_languages_and_select_their_letters(
    served_archive: Path,
    scythe: tuple[Scythe, Recorder],
    listed: dict[str, dict[str, Any]],
    schema: etree.XMLSchema,
) -> None:
    harvester, recorder = scythe
    specs = {s.setSpec for s in harvester.list_sets()}
    assert {"year", "lang", "lang:en", "lang:de"} <= specs
    german = {
        h["id"] for h in cli_json(served_archive, "search", "lang:de", "--limit", "100")["hits"]
    }
    assert german, "the generated letters include German ones"
    harvested = {h.identifier for h in harvester.list_identifiers(set_="lang:de")}
    assert harvested == set(map(_oai_id, german))
    year = next(item["date"][:4] for item in listed.values() if item["date"])
    in_year = {i for i, item in listed.items() if (item["date"] or "").startswith(year)}
    records = list(harvester.list_records(set_=f"year:{year}"))
    assert {r.header.identifier for r in records} == set(map(_oai_id, in_year))
    assert all(f"year:{year}" in r.header.setSpecs for r in records)
    assert len(list(harvester.list_identifiers(set_="year"))) == sum(
        1 for item in listed.values() if item["date"]
    )
    for body in recorder.bodies:
        assert_valid(schema, body)


def test_get_record_gives_dublin_core_and_the_archived_tei(
    served_archive: Path,
    scythe: tuple[Scythe, Recorder],
    listed: dict[str, dict[str, Any]],
    schema: etree.XMLSchema,
) -> None:
    harvester, recorder = scythe
    letter_id = sorted(listed)[3]
    record = harvester.get_record(identifier=_oai_id(letter_id), metadata_prefix="oai_dc")
    assert record.metadata["identifier"] == [letter_id]
    assert_valid(schema, recorder.bodies[-1])
    harvester.get_record(identifier=_oai_id(letter_id), metadata_prefix="tei")
    # (the harvester's own tree has lost the TEI's white space: read the response itself)
    (tei,) = etree.fromstring(recorder.bodies[-1]).find(".//oai:metadata", NS)
    archived = run_cli(served_archive, "show", letter_id, "--format", "tei").stdout
    assert _c14n(tei) == _c14n(etree.fromstring(archived.encode("utf-8")))
    assert tei.tag == f"{{{TEI_NS}}}TEI"


def test_identify_list_formats_and_sets_are_valid(server: Server, schema: etree.XMLSchema) -> None:
    body = get(server.oai + "?verb=Identify")[1]
    root = assert_valid(schema, body)
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == server.oai
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    ident = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert root.findtext(f".//{ident}repositoryIdentifier") == REPOSITORY
    for query in ("verb=ListMetadataFormats", "verb=ListSets"):
        assert_valid(schema, get(f"{server.oai}?{query}")[1])
    formats = _request(server, verb="ListMetadataFormats")
    prefixes = formats.xpath("//oai:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "tei"]


class _LxmlForPyoai:
    """lxml as pyoai 2.5 expects it: it calls ``XPathEvaluator(…).evaluate``, which lxml 6 no
    longer has (it is the evaluator's call); everything else is lxml's own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(etree, name)

    @staticmethod
    def XPathEvaluator(*args: Any, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(evaluate=etree.XPathEvaluator(*args, **kwargs))


def test_pyoai_harvests_everything_again_over_post(
    server: Server, listed: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (oaipmh.client, oaipmh.metadata):
        monkeypatch.setattr(module, "etree", _LxmlForPyoai())
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(server.oai, registry)
    assert client.identify().repositoryName() == "Epistula archive"
    harvested = {}
    for header, metadata, _about in client.listRecords(metadataPrefix="oai_dc"):
        harvested[header.identifier()] = metadata.getField("title")
    assert harvested == {_oai_id(i): [item["title"]] for i, item in listed.items()}
    posts = [line for line in server.log_lines() if " POST /oai " in line]
    assert len(posts) >= -(-LETTERS // OAI_PAGE), "pyoai sends its requests as POST"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01",
             "until": "2021-01-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-02",
          "until": "2021-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "bm90IGEgdG9rZW4"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "x", "set": "lang"}, "badArgument"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "x", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        (
            {"verb": "GetRecord", "identifier": f"oai:{REPOSITORY}:L-nothing",
             "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:other:x"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "1990-01-01"},
         "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "tei", "set": "year:1066"},
         "noRecordsMatch"),
    ],
)  # fmt: skip
def test_each_error_code(
    server: Server, schema: etree.XMLSchema, arguments: dict[str, str], code: str
) -> None:
    status, body, _ = get(server.oai + "?" + urllib.parse.urlencode(arguments))
    assert status == 200
    root = assert_valid(schema, body)
    assert _error(root)[0] == code
    request = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}, "no arguments echoed for a bad request"
    else:
        assert request.get("verb") == arguments["verb"]


def test_a_repeated_argument_is_bad(server: Server, schema: etree.XMLSchema) -> None:
    query = "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=tei"
    assert _error(assert_valid(schema, get(f"{server.oai}?{query}")[1]))[0] == "badArgument"
    query = "verb=Identify&verb=Identify"
    assert _error(assert_valid(schema, get(f"{server.oai}?{query}")[1]))[0] == "badVerb"


def test_an_empty_archive_has_no_sets_and_no_records(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", str(bad)).returncode == 1  # the store exists, empty
    with serving(archive) as server:
        codes = {}
        for query in ("verb=ListSets", "verb=ListRecords&metadataPrefix=oai_dc",
                      "verb=ListIdentifiers&metadataPrefix=oai_dc&set=lang:en"):  # fmt: skip
            codes[query.split("&")[0]] = _error(
                assert_valid(schema, get(f"{server.oai}?{query}")[1])
            )[0]
    assert codes == {
        "verb=ListSets": "noSetHierarchy",
        "verb=ListRecords": "noRecordsMatch",
        "verb=ListIdentifiers": "noSetHierarchy",
    }


def test_a_letter_that_cannot_be_read_has_no_metadata_formats(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 2))).returncode == 0
    letter_id = sorted(cli_json(archive, "list")["letters"], key=lambda i: i["id"])[0]["id"]
    for content in (archive / "store" / letter_id).glob("v1/content/*.xml"):
        content.unlink()  # its TEI and Dublin Core are gone from the store
    with serving(archive) as server:
        query = f"verb=ListMetadataFormats&identifier=oai:{REPOSITORY}:{letter_id}"
        root = assert_valid(schema, get(f"{server.oai}?{query}")[1])
    assert _error(root)[0] == "noMetadataFormats"


def test_tokens_survive_a_restart_and_letters_added_meanwhile_come_at_the_end(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    archive = tmp_path / "archive"
    first = write_letters(tmp_path / "in", 6)
    assert run_cli(archive, "ingest", *map(str, first)).returncode == 0
    with serving(archive, "--page-size", "4") as server:
        page = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc")
        seen = page.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = page.findtext(".//oai:resumptionToken", namespaces=NS)
        newest = max(page.xpath("//oai:datestamp/text()", namespaces=NS))
    # a second later another process adds letters; the server is restarted meanwhile
    time.sleep(max(0.0, 1.05 - (datetime.now(UTC) - _parse(newest)).total_seconds()))
    added = write_letters(tmp_path / "more", 3, start=100)
    assert run_cli(archive, "ingest", *map(str, added)).returncode == 0
    with serving(archive, "--page-size", "4") as server:
        rest = []
        while token:
            body = get(f"{server.oai}?verb=ListIdentifiers&resumptionToken={token}")[1]
            page = assert_valid(schema, body)
            rest += page.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
            element = page.find(".//oai:resumptionToken", NS)
            assert element.get("completeListSize") == "9"
            token = element.text
        everything = {i["id"] for i in cli_json(archive, "list")["letters"]}
        assert sorted(seen + rest) == sorted(map(_oai_id, everything))
        assert len(seen + rest) == 9, "no letter twice, none left out"
        # the letters added are the newest: a harvest from after the first batch finds them
        since = (_parse(newest) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fresh = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
        assert len(fresh.xpath("//oai:header", namespaces=NS)) == 3


def test_the_server_sees_letters_ingested_while_it_runs(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 2))).returncode == 0
    with serving(archive) as server:
        before = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert len(before.xpath("//oai:header", namespaces=NS)) == 2
        added = write_letters(tmp_path / "more", 1, start=50)
        assert run_cli(archive, "ingest", *map(str, added)).returncode == 0
        after = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert len(after.xpath("//oai:header", namespaces=NS)) == 3
        status, body, _ = get(f"{server.url}/?q=harbour")
        assert status == 200 and b"3 letters match" in body


def test_cmif_file_lists_every_letter(server: Server, listed: dict[str, dict[str, Any]]) -> None:
    status, body, headers = get(f"{server.url}/cmif.xml")
    assert status == 200 and headers["content-type"].startswith("application/xml")
    root = etree.fromstring(body)
    keys = root.xpath("//tei:correspDesc/@key", namespaces={"tei": TEI_NS})
    assert sorted(keys) == sorted(listed)
    address = root.findtext(f".//{{{TEI_NS}}}idno[@type='url']")
    assert address == f"{server.url}/cmif.xml"


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_an_edited_letter_gets_a_new_datestamp_and_its_new_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 3))).returncode == 0
    letter_id = sorted(i["id"] for i in cli_json(archive, "list")["letters"])[0]
    with serving(archive) as server:
        before = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc")
        newest = max(before.xpath("//oai:datestamp/text()", namespaces=NS))
        time.sleep(max(0.0, 1.05 - (datetime.now(UTC) - _parse(newest)).total_seconds()))
        edited = run_cli(archive, "edit", letter_id, "--set", "title=A letter retitled")
        assert edited.returncode == 0, edited.stderr
        after = _request(server, verb="GetRecord", identifier=_oai_id(letter_id),
                         metadataPrefix="oai_dc")  # fmt: skip
        since = (_parse(newest) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fresh = _request(server, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert after.findtext(".//oai:datestamp", namespaces=NS) > newest
    assert after.xpath("string(//dc:title)", namespaces=NS) == "A letter retitled"
    assert fresh.xpath("//oai:identifier/text()", namespaces=NS) == [_oai_id(letter_id)]


def test_withdrawn_and_purged_letters_are_deleted_records(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 4))).returncode == 0
    ids = sorted(i["id"] for i in cli_json(archive, "list")["letters"])
    withdrawn, purged, kept = ids[0], ids[1], ids[2:]
    with serving(archive) as server:
        assert len(_request(server, verb="ListIdentifiers", metadataPrefix="oai_dc")
                   .xpath("//oai:header[@status]", namespaces=NS)) == 0  # fmt: skip
        result = run_cli(archive, "withdraw", withdrawn, "--reason", "family request")
        assert result.returncode == 0, result.stderr
        result = run_cli(archive, "purge", purged, "--reason", "court order", "--yes")
        assert result.returncode == 0, result.stderr
        body = get(f"{server.oai}?verb=ListRecords&metadataPrefix=oai_dc")[1]
        records = assert_valid(schema, body).findall(".//oai:record", NS)
        deleted = {
            r.findtext("oai:header/oai:identifier", namespaces=NS): r
            for r in records
            if r.find("oai:header", NS).get("status") == "deleted"
        }
        assert set(deleted) == {_oai_id(withdrawn), _oai_id(purged)}
        assert all(r.find("oai:metadata", NS) is None for r in deleted.values())
        live = {r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records} - set(
            deleted
        )
        assert live == set(map(_oai_id, kept))
        for letter_id in (withdrawn, purged):
            query = f"verb=GetRecord&identifier={_oai_id(letter_id)}&metadataPrefix=tei"
            got = assert_valid(schema, get(f"{server.oai}?{query}")[1])
            assert got.find(".//oai:header", NS).get("status") == "deleted"
            assert got.find(".//oai:metadata", NS) is None
        # the reader's pages no longer show the withdrawn letter
        assert get(f"{server.url}/letters/{withdrawn}")[0] == 410
        assert get(f"{server.url}/letters/{withdrawn}/tei.xml")[0] == 410
        assert get(f"{server.url}/letters/{purged}")[0] == 404
        assert withdrawn.encode() not in get(f"{server.url}/?q=harbour")[1]


def test_collections_are_sets_named_as_the_archive_names_them(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    archive = tmp_path / "archive"
    filed = write_letters(tmp_path / "filed", 2)
    loose = write_letters(tmp_path / "loose", 2, start=10)
    result = run_cli(archive, "ingest", *map(str, filed), "--set", "collection=Nachlass Müller")
    assert result.returncode == 0, result.stderr
    assert run_cli(archive, "ingest", *map(str, loose)).returncode == 0
    ids = {i["id"] for i in cli_json(archive, "search", 'collection:"Nachlass Müller"')["hits"]}
    assert len(ids) == 2
    with serving(archive) as server:
        sets = assert_valid(schema, get(f"{server.oai}?verb=ListSets")[1])
        names = {
            item.findtext("oai:setSpec", namespaces=NS): item.findtext("oai:setName", namespaces=NS)
            for item in sets.iterfind(".//oai:set", NS)
        }
        query = "verb=ListIdentifiers&metadataPrefix=oai_dc&set=collection:nachlass-muller"
        listed = assert_valid(schema, get(f"{server.oai}?{query}")[1])
    assert names["collection:nachlass-muller"] == "Nachlass Müller"
    assert "collection" in names
    found = set(listed.xpath("//oai:identifier/text()", namespaces=NS))
    assert found == set(map(_oai_id, ids))
