"""Helpers shared by the readers: source facts and text normalisation."""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import TimeLimitExceeded
from ingest.limits import Limits
from ingest.model import Source, Span

_URL = re.compile(r"https?://[^\s<>\"“”‘’]+[^\s<>\"“”‘’.,;:!?)\]]")


def source_facts(path: Path, media_type: str, data: bytes, pages: int | None = None) -> Source:
    """The original's identity: name, media type, SHA-256 and size."""
    return Source(
        filename=path.name,
        media_type=media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=pages,
    )


#: the characters of Unicode category Cc (C0, DEL and C1 controls) but tab and newline
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """Unicode NFC, no control characters except tab and newline, non-breaking spaces kept."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _CONTROLS.sub("", text)


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of every http(s) URL written out in ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _URL.finditer(text)]


def linkify(spans: list[Span]) -> list[Span]:
    """Split spans so that URLs written out in the text become link spans."""
    out: list[Span] = []
    for span in spans:
        if span.link or span.note:
            out.append(span)
            continue
        pos = 0
        for start, end, url in find_urls(span.text):
            if start > pos:
                out.append(Span(span.text[pos:start], span.marks))
            out.append(Span(url, span.marks, link=url))
            pos = end
        if pos < len(span.text):
            out.append(Span(span.text[pos:], span.marks))
    return out


def check_deadline(path: Path, limits: Limits) -> None:
    """Give up on a file whose time is up (readers call this between pages)."""
    if limits.deadline is not None and time.monotonic() > limits.deadline:
        raise TimeLimitExceeded(
            path, f"reading it took longer than the time limit of {limits.timeout or 0:g} s"
        )


@contextlib.contextmanager
def tolerated() -> Iterator[None]:
    """Suppress what a parsing library raises on damaged input, but never running out of
    memory: a reader stopped short by its budget would hand on a document with text missing
    (a page of CJK read without its font's map), which must fail the file instead."""
    try:
        yield
    except MemoryError:
        raise
    except Exception:  # damaged input costs only what the block was reading
        pass
