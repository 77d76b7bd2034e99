"""Format readers: ``read(path) -> Document``, chosen by sniffing the file's bytes.

Each reader module exposes ``MEDIA_TYPE``, ``sniff(head: bytes) -> bool`` and
``read(path, limits) -> Document``, and writes nothing. The registry below is the one place
that lists them; order matters (the text reader accepts almost anything, so it is last, with
Markdown, told from text by its syntax, just before it; files recognisably not letters, JSON
and XML of other kinds, are claimed before them by :mod:`ingest.readers.refused`).

Whatever the format, a document is a letter only up to :data:`MAX_LETTER_CHARS` characters,
and a Project Gutenberg book is never one: a file that holds a book or many letters is
refused rather than stored as one letter.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from ingest.errors import EmptyDocument, LimitExceeded, ManyLetters, TooLong, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers import (
    doc,
    docx,
    html,
    image,
    mail,
    markdown,
    odt,
    pdf,
    refused,
    rtf,
    tei,
    text,
)

READERS: tuple[ModuleType, ...] = (
    pdf, docx, odt, doc, image, tei, rtf, mail, html, refused, markdown, text,
)  # fmt: skip
#: the longest text read as one letter: about 40,000 words or 100 printed pages, twice the
#: longest of the 3,261 edition letters in the test corpus (a Venetian envoy's dispatch of
#: 127,000 characters with its notes; most letters hold under 10,000); a longer text is a
#: book, a collection or a dump, not a letter
MAX_LETTER_CHARS = 250_000
#: a plain text this many bytes long holds more characters than a letter may (UTF-8 and
#: UTF-16 spend at most four bytes on a character), so it is refused before it is read
_MAX_TEXT_BYTES = 4 * MAX_LETTER_CHARS
_GUTENBERG = re.compile(r"\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)

SNIFF_BYTES = 8192


def reader_for(path: Path) -> ModuleType:
    """The reader whose format the file's first bytes show; the suffix is never trusted alone."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise EmptyDocument(path, "the file is empty (0 bytes)")
    for reader in READERS:
        if reader.sniff(head, path):
            return reader
    known = ", ".join(r.MEDIA_TYPE for r in READERS if r is not refused)
    raise UnsupportedFormat(path, f"not a format Epistula reads (it reads {known})")


def read(path: Path, limits: Limits | None = None) -> Document:
    """Read ``path`` into a :class:`Document` with the reader its content calls for."""
    limits = limits or Limits()
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            path, f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}"
        )
    reader = reader_for(path)
    if reader in (text, markdown) and size > _MAX_TEXT_BYTES:
        raise too_long(path, f"{size:,} bytes")
    document = reader.read(path, limits)
    if not document.text.strip() and not document.notes:
        # a letter without a word in it would be archived as an empty TEI text
        raise EmptyDocument(path, "there is no text in it")
    check_length(path, document.text)
    return document


def check_length(path: Path, written: str) -> None:
    """Refuse a text that is a book or far longer than a letter (see :data:`MAX_LETTER_CHARS`)."""
    if _GUTENBERG.search(written):
        raise ManyLetters(
            path,
            "it is a Project Gutenberg book, not one letter",
            "cut the letters out of it, one file each, and ingest those",
        )
    if len(written) > MAX_LETTER_CHARS:
        raise too_long(path, f"{len(written):,} characters")


def too_long(path: Path, length: str) -> TooLong:
    return TooLong(
        path,
        f"it is {length} long, far longer than a letter (Epistula reads a letter of up to "
        f"{MAX_LETTER_CHARS:,} characters)",
    )
