"""Format readers: ``read(path) -> Document``, chosen by sniffing the file's bytes.

Each reader module exposes ``MEDIA_TYPE``, ``sniff(head: bytes) -> bool`` and
``read(path, limits) -> Document``, and writes nothing. The registry below is the one place
that lists them; order matters (the text reader accepts almost anything, so it is last).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ingest.errors import EmptyDocument, LimitExceeded, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers import docx, image, pdf, tei, text

READERS: tuple[ModuleType, ...] = (pdf, docx, image, tei, text)

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
    known = ", ".join(r.MEDIA_TYPE for r in READERS)
    raise UnsupportedFormat(path, f"not a format Epistula reads (it reads {known})")


def read(path: Path, limits: Limits | None = None) -> Document:
    """Read ``path`` into a :class:`Document` with the reader its content calls for."""
    limits = limits or Limits()
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            path, f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}"
        )
    document = reader_for(path).read(path, limits)
    if not document.text.strip() and not document.notes:
        # a letter without a word in it would be archived as an empty TEI text
        raise EmptyDocument(path, "there is no text in it")
    return document
