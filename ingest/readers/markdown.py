"""Markdown reader: a letter written in Markdown, read as its text without the syntax.

markdown-it-py renders the file (CommonMark, with tables; raw HTML in it stays text, never
markup), and the HTML reader turns the rendering into blocks, so that ``**word**`` is bold,
``[text](url)`` a link, ``# Heading`` a heading and ``- item`` a list item.

Markdown is plain text, so it is told by its syntax, not by a signature: a file is Markdown
when it uses two kinds of Markdown syntax (headings, emphasis, links, lists, quotes, fences,
rules), or one kind and its name ends in ``.md`` or ``.markdown``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

from ingest.limits import Limits
from ingest.model import Document
from ingest.readers._common import source_facts
from ingest.readers.html import document_from_html
from ingest.readers.text import decode_text

MEDIA_TYPE = "text/markdown"

_SYNTAX = {
    "heading": re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE),
    "emphasis": re.compile(r"(\*\*|__)[^\s*_][^\n]*?\1|(?<![\w*])\*[^\s*][^*\n]*\*(?![\w*])"),
    "link": re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    "list": re.compile(r"^[ ]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+\S", re.MULTILINE),
    "quote": re.compile(r"^[ ]{0,3}>[ \t]?\S", re.MULTILINE),
    "fence": re.compile(r"^[ ]{0,3}```", re.MULTILINE),
    "rule": re.compile(r"^[ ]{0,3}(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE),
}
_SUFFIXES = (".md", ".markdown")


def sniff(head: bytes, path: Path) -> bool:
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")
    kinds = sum(1 for pattern in _SYNTAX.values() if pattern.search(text))
    return kinds >= 2 or (kinds >= 1 and path.suffix.lower() in _SUFFIXES)


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    rendered = _renderer().render(decode_text(path, data))
    return document_from_html(rendered, source_facts(path, MEDIA_TYPE, data), path)


@cache
def _renderer() -> MarkdownIt:
    # html=False: HTML written in the Markdown is shown as text, never parsed as markup
    return MarkdownIt("commonmark", {"html": False}).enable("table")
