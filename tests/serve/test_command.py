"""``epistula serve`` as a user starts it: its options, its settings, its refusals."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import etree

from tests.serve.helpers import NS, get, serving, write_letters
from tests.support import epistula_command, run_cli

ID_NS = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"


def _archive(tmp_path: Path, settings: str | None = None) -> Path:
    archive = tmp_path / "archive"
    assert run_cli(archive, "ingest", *map(str, write_letters(tmp_path / "in", 2))).returncode == 0
    if settings is not None:
        (archive / "epistula.toml").write_text(settings, encoding="utf-8")
    return archive


def _serve_fails(archive: Path, *options: str) -> subprocess.CompletedProcess:
    """Run ``epistula serve`` expecting it to stop at once (a server that starts is killed)."""
    command = [*epistula_command(), "--archive", str(archive), "serve", "--port", "0", *options]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"epistula serve started instead of refusing: {err}") from None


def test_the_repository_identifier_and_contact_come_from_the_settings(tmp_path: Path) -> None:
    archive = _archive(
        tmp_path,
        '[archive]\nname = "Briefe der Familie Keller"\nrepository_id = "briefe.example.org"\n'
        'admin_email = "archiv@example.org"\n',
    )
    with serving(archive, "--base-url", "https://briefe.example.org/edition") as server:
        identify = etree.fromstring(get(server.oai + "?verb=Identify")[1])
        listed = etree.fromstring(get(server.oai + "?verb=ListIdentifiers&metadataPrefix=tei")[1])
        cmif = etree.fromstring(get(server.url + "/cmif.xml")[1])
    assert identify.findtext(f".//{ID_NS}repositoryIdentifier") == "briefe.example.org"
    assert identify.findtext(".//oai:adminEmail", namespaces=NS) == "archiv@example.org"
    assert identify.findtext(".//oai:repositoryName", namespaces=NS) == "Briefe der Familie Keller"
    base = "https://briefe.example.org/edition/oai"
    assert identify.findtext(".//oai:baseURL", namespaces=NS) == base
    assert identify.findtext("oai:request", namespaces=NS) == base
    identifiers = listed.xpath("//oai:identifier/text()", namespaces=NS)
    assert len(identifiers) == 2
    assert all(i.startswith("oai:briefe.example.org:L-") for i in identifiers)
    address = cmif.findtext(".//{http://www.tei-c.org/ns/1.0}idno[@type='url']")
    assert address == "https://briefe.example.org/edition/cmif.xml"


def test_the_default_repository_identifier_is_made_from_the_name(tmp_path: Path) -> None:
    archive = _archive(tmp_path, '[archive]\nname = "Ärchiv der Stadt 1914"\n')
    with serving(archive) as server:
        identify = etree.fromstring(get(server.oai + "?verb=Identify")[1])
    assert identify.findtext(f".//{ID_NS}repositoryIdentifier") == "archiv-der-stadt-1914.local"
    email = "archivist@archiv-der-stadt-1914.local"
    assert identify.findtext(".//oai:adminEmail", namespaces=NS) == email


def test_a_repository_identifier_that_is_no_domain_name_is_refused(tmp_path: Path) -> None:
    archive = _archive(tmp_path, '[archive]\nrepository_id = "my archive"\n')
    result = _serve_fails(archive)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "epistula.toml" in line and "repository_id" in line and "domain name" in line


def test_serving_what_is_no_archive_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = _serve_fails(tmp_path / "nothing")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and "not an Epistula archive" in result.stderr
    assert not (tmp_path / "nothing").exists(), "serving never creates an archive"


def test_a_base_url_must_be_http(tmp_path: Path) -> None:
    result = _serve_fails(_archive(tmp_path), "--base-url", "ftp://example.org")
    assert result.returncode == 2 and "--base-url" in result.stderr


def test_it_listens_on_loopback_by_default(tmp_path: Path) -> None:
    with serving(_archive(tmp_path)) as server:
        assert server.url.startswith("http://127.0.0.1:")
        lines = server.log_lines()
    assert any("Serving" in line and "127.0.0.1" in line for line in lines)
