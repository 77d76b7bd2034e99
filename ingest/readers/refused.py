"""Files that are recognisably not letters: JSON data and XML of kinds other than TEI or HTML.

Read as plain text they would be stored as letters full of markup, so they are refused, with
a message that says what the file is. (CMIF and teiCorpus files are TEI: the TEI reader
refuses them. Office formats Epistula does not read are left to the ``unsupported-format``
error of :func:`ingest.readers.reader_for`.)
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
from pathlib import Path

from lxml import etree

from ingest.errors import NotALetter
from ingest.limits import Limits
from ingest.model import Document

MEDIA_TYPE = "application/json, application/xml (refused)"

#: JSON opens with an object's first key or an array of values
_JSON_START = re.compile(
    rb'\A\s*(?:\{\s*(?:"|\})|\[\s*(?:[\[{"\]]|-?\d+(?:\.\d+)?\s*[,\]]|true|false|null))'
)
#: files this small are parsed whole to be sure they are JSON
_PARSED_WHOLE = 1 << 20
_XML_START = re.compile(
    rb"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<[A-Za-z_]", re.DOTALL
)


def sniff(head: bytes, path: Path) -> bool:
    head = head.removeprefix(codecs.BOM_UTF8)
    return _is_json(head, path) or _XML_START.match(head) is not None


def read(path: Path, limits: Limits) -> Document:
    head = path.read_bytes()[:8192].removeprefix(codecs.BOM_UTF8)
    if _is_json(head, path):
        raise NotALetter(
            path,
            "it is JSON data, not a letter",
            "ingest the letters themselves; to give letters metadata, use a sidecar "
            "file or --metadata CSV (see README)",
        )
    raise NotALetter(
        path,
        f"it is XML{_root_name(head)}, not a letter; Epistula reads XML only as TEI letters",
        "ingest the letter as TEI (one <TEI> per file), or in its original format",
    )


def _is_json(head: bytes, path: Path) -> bool:
    if not _JSON_START.match(head):
        return False
    try:
        size = path.stat().st_size
    except OSError:
        return True
    if size > _PARSED_WHOLE:
        return True
    try:
        json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return False
    return True


def _root_name(head: bytes) -> str:
    """ " (root element <name>)" from the head, when it can be seen."""
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    with contextlib.suppress(etree.XMLSyntaxError):
        parser.feed(head)
    for _event, element in parser.read_events():
        return f" (root element <{etree.QName(element).localname}>)"
    return ""
