"""DOCX reader: a WordprocessingML package read directly with zipfile and lxml.

python-docx is not used for reading: it cannot open Strict OOXML or a main part that is not
``word/document.xml``, and it drops text inside tracked insertions, fields and text boxes.
Reading the parts ourselves also lets every byte we unpack count against the zip-bomb limit.

What the reader keeps is what Word shows once all tracked changes are accepted: inserted and
moved-to text, not deleted or moved-from text (with ``Limits.changes == "record"`` both are
kept, marked ``add`` and ``del``); field results, not field instructions; text boxes after
the paragraph that anchors them; footnotes, endnotes and comments as :class:`Note` objects
(comments, of kind ``comment``, unless ``Limits.comments == "omit"``). Headers and footers
are not body text (the first page's header becomes the ``letterhead`` property).

Documents made from one template share their style sheet byte for byte; parsed style sheets
are kept per process by the part's CRC and size, so a batch pays for each template once.

The reader's modules, lowest first: :mod:`.wordml` (names and small XML helpers),
:mod:`.package` (the zip package and its parts), :mod:`.styles` (styles and numbering),
:mod:`.assembly` (pieces to spans and blocks) and :mod:`.conversion` (the document walked
into blocks and notes); this module sniffs and reads.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from ingest.errors import UnreadableSource
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers._common import source_facts
from ingest.readers.docx.conversion import MAIN_CONTENT_TYPES, Converter
from ingest.readers.docx.package import ZIP_ERRORS, Package

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: [Content_Types].xml is small; a larger one is not worth unpacking just to sniff
_SNIFF_PART_LIMIT = 1024 * 1024


def sniff(head: bytes, path: Path) -> bool:
    """True when the file is a zip package holding a Word document."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    if _head_looks_like_word(head):
        return True  # the usual case, seen without reading the zip's directory
    try:
        with zipfile.ZipFile(path) as archive:
            return _is_word_package(archive)
    except ZIP_ERRORS:
        # A damaged archive has no readable central directory, but its first entries are
        # still visible in the head; claim it when they look like Word, so that the user
        # hears "damaged DOCX" rather than "not a format Epistula reads".
        return _head_looks_like_word(head)


def _is_word_package(archive: zipfile.ZipFile) -> bool:
    names = archive.namelist()
    if any(name.lower().startswith("word/") for name in names):
        return True
    for info in archive.infolist():
        if info.filename.lower() == "[content_types].xml" and info.file_size <= _SNIFF_PART_LIMIT:
            with archive.open(info) as fh:
                return _names_word_main_part(fh.read(_SNIFF_PART_LIMIT))
    return False


def _names_word_main_part(content_types: bytes) -> bool:
    lowered = content_types.lower()
    return any(ct.encode() in lowered for ct in MAIN_CONTENT_TYPES)


def _head_looks_like_word(head: bytes) -> bool:
    """Walk the zip local file headers inside ``head`` looking for Word part names."""
    pos = 0
    while pos + 30 <= len(head) and head[pos : pos + 4] == b"PK\x03\x04":
        flags = int.from_bytes(head[pos + 6 : pos + 8], "little")
        method = int.from_bytes(head[pos + 8 : pos + 10], "little")
        size = int.from_bytes(head[pos + 18 : pos + 22], "little")
        name_len = int.from_bytes(head[pos + 26 : pos + 28], "little")
        extra_len = int.from_bytes(head[pos + 28 : pos + 30], "little")
        name = head[pos + 30 : pos + 30 + name_len]
        start = pos + 30 + name_len + extra_len
        if name.lower().startswith(b"word/"):
            return True
        if name.lower() == b"[content_types].xml":
            chunk = head[start : start + size] if size else head[start:]
            if method == 8:
                try:
                    chunk = zlib.decompressobj(-15).decompress(chunk, _SNIFF_PART_LIMIT)
                except zlib.error:
                    chunk = b""
            if _names_word_main_part(chunk):
                return True
        if flags & 0x08 or not size:
            break  # sizes live in a trailing data descriptor: the next header cannot be found
        pos = start + size
    return False


def read(path: Path, limits: Limits) -> Document:
    """Read a DOCX file into a :class:`Document`; damage and limits raise :class:`IngestError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(path, f"the file could not be read ({exc.strerror or exc})") from exc
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise UnreadableSource(path, "the DOCX is damaged (not a complete zip archive)") from exc
    with archive:
        try:
            package = Package(path, archive, limits)
            converter = Converter(path, package, limits)
            return converter.document(source_facts(path, MEDIA_TYPE, data))
        except RecursionError as exc:
            raise UnreadableSource(path, "the DOCX's XML is nested too deeply to read") from exc
