"""RTF reader: a letter saved as Rich Text (WordPad, TextEdit, older word processors).

striprtf turns the RTF into its text (control words, font tables, pictures and hidden groups
gone; ``\\'xx`` and ``\\uN`` escapes decoded in the code page the file declares with
``\\ansicpg``). Each ``\\par`` is a paragraph, as a DOCX's paragraphs are; a form feed
(``\\page``) starts a new page. The ``{\\info}`` group gives the title, author and subject.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from ingest.errors import UnreadableSource
from ingest.limits import Limits
from ingest.model import AnyBlock, Document, PageBreak, Paragraph, Span
from ingest.readers._common import linkify, normalise, source_facts

MEDIA_TYPE = "application/rtf"

_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_PAGE = re.compile(r"\\page(?![a-z])(?: )?")
_INFO = {"title": "title", "author": "author", "subject": "subject", "keywords": "keywords"}


def sniff(head: bytes, path: Path) -> bool:
    return head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"{\\rtf")


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    encoding = _code_page(data)
    # RTF is 7-bit ASCII with escapes; any byte above it is read in the declared code page
    markup = data.decode(encoding, errors="replace")
    # a page break (\\page) comes through striprtf as a form feed, which starts a page
    markup = _PAGE.sub(r"\\u12?", markup)
    try:
        text = rtf_to_text(markup, encoding=encoding, errors="replace")
    except (ValueError, IndexError, OverflowError) as exc:
        raise UnreadableSource(path, f"the RTF cannot be read ({exc})") from exc
    blocks: list[AnyBlock] = []
    pages = text.replace("\r\n", "\n").split("\f")
    for number, page in enumerate(pages, start=1):
        if len(pages) > 1:
            blocks.append(PageBreak(number))
        for line in normalise(page).split("\n"):
            if line.strip():
                blocks.append(Paragraph(tuple(linkify([Span(line.strip())])), page=number))
    source = source_facts(path, MEDIA_TYPE, data, pages=len(pages) if len(pages) > 1 else None)
    return Document(source=source, blocks=tuple(blocks), properties=_properties(markup, encoding))


def _code_page(data: bytes) -> str:
    match = _CODE_PAGE.search(data[:4096])
    if match:
        encoding = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(encoding)
            return encoding
        except LookupError:
            pass
    return "cp1252"


def _properties(markup: str, encoding: str) -> dict[str, str]:
    """Title, author, subject and keywords from the ``{\\info}`` group, escapes decoded."""
    properties: dict[str, str] = {}
    for key, word in _INFO.items():
        match = re.search(r"\{\\" + word + r"\s([^{}]*)\}", markup)
        if match:
            value = rtf_to_text("{\\rtf1 " + match.group(1) + "}", encoding=encoding,
                                errors="replace")  # fmt: skip
            value = normalise(" ".join(value.split()))
            if value:
                properties[key] = value
    return properties
