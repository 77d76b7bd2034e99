"""What the serve tests share: generated letters, the real server in a subprocess, the schemas.

Letters are plain text files written here, with datelines, salutations, closings, signatures
and bracketed footnotes the text reader turns into TEI notes; they are ingested with the real
``epistula ingest``, and the server is the real ``epistula serve`` on a free loopback port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests.support import epistula_command, shared_path

HERE = Path(__file__).resolve().parent
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XS_NS = "http://www.w3.org/2001/XMLSchema"
NS = {"oai": OAI_NS, "dc": "http://purl.org/dc/elements/1.1/", "oai_dc": OAI_DC_NS}

SENDERS = ("Arthur Pemberton", "Clara Whitfield", "Edmund Hale", "Beatrice Lyle")
RECIPIENTS = ("Margaret", "Thomas", "Eleanor", "Robert")
PLACES = ("Dunkirk", "Bristol", "Edinburgh", "Norwich")
MONTHS = ("January", "March", "May", "July", "September", "November")
GERMAN_MONTHS = ("Januar", "März", "Mai", "Juli", "September", "November")
#: a word only the letters whose number is a multiple of 3 contain
RARE_WORD = "quinces"
SCRIPT = "<script>alert('boo')</script>"


def english_letter(number: int) -> str:
    year = 1850 + (number * 7) % 80
    fruit = f" and the {RARE_WORD} are ripe" if number % 3 == 0 else ""
    markup = f" I copied the tag {SCRIPT} from the printer's manual." if number == 1 else ""
    return (
        f"{PLACES[number % 4]}, {1 + number % 27} {MONTHS[number % 6]} {year}\n\n"
        f"Dear {RECIPIENTS[number % 4]},\n\n"
        f"The weather has turned at last and the orchard is in flower{fruit}.[1] We walked to "
        f"the harbour on Tuesday and counted {number + 3} ships at anchor.{markup}\n\n"
        "Tell Father that the parcel arrived safely, and that the tobacco was shared fairly.\n\n"
        "Yours ever,\n"
        f"{SENDERS[number % 4]}\n\n"
        f"[1] Letter {number}: the orchard belonged to the Dufour family, who fed us twice.\n"
    )


def german_letter(number: int) -> str:
    year = 1850 + (number * 7) % 80
    return (
        f"Leipzig, den {1 + number % 27}. {GERMAN_MONTHS[number % 6]} {year}\n\n"
        "Lieber Heinrich,\n\n"
        "ich danke Dir herzlich für Deinen Brief vom vorigen Monat. Die Reise nach Dresden "
        f"war anstrengend, aber die Musik im Theater hat alles wieder gutgemacht. ({number})\n\n"
        "Mit herzlichen Grüßen\n"
        "Dein Wilhelm Keller\n"
    )


def write_letters(folder: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` letters as text files; every fifth one is German."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        text = german_letter(number) if number % 5 == 4 else english_letter(number)
        path = folder / f"letter-{number:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def oai(self) -> str:
        return f"{self.url}/oai"

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


@contextmanager
def serving(archive: Path, *options: str) -> Iterator[Server]:
    """The real ``epistula serve`` over ``archive`` on a free loopback port, until the end."""
    port = free_port()
    log = archive.parent / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                *epistula_command(),
                "--archive",
                str(archive),
                "serve",
                "--port",
                str(port),
                *options,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"epistula serve exited: {server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.oai + "?verb=Identify", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"epistula serve did not answer in {seconds} s: {server.log.read_text()}")


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with the oai_dc.xsd of ../shared and the oai-identifier schema beside this
    file, as one schema (OAI-PMH.xsd's wildcards are strict: each namespace needs its own)."""
    folder = shared_path("corpus/schema")
    wrapper = etree.Element(f"{{{XS_NS}}}schema", nsmap={"xs": XS_NS})
    for namespace, path in (
        (OAI_NS, folder / "OAI-PMH.xsd"),
        (OAI_DC_NS, folder / "oai_dc.xsd"),
        (ID_NS, HERE / "oai-identifier.xsd"),
    ):
        etree.SubElement(
            wrapper, f"{{{XS_NS}}}import", namespace=namespace, schemaLocation=path.as_uri()
        )
    return etree.XMLSchema(wrapper)


def assert_valid(schema: etree.XMLSchema, data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert schema.validate(root), f"{schema.error_log}\n{data[:2000]!r}"
    return root
