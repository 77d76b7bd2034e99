"""Plain-text reader: encodings, line endings, paragraphs, hard wraps and bracketed footnotes.

A blank line separates paragraphs. Inside a paragraph, lines that wrap prose at a fixed width
are rejoined with spaces; short lines (an address, a signature) keep their hard breaks as
``"\\n"``. A form feed starts a new page. Footnotes written as ``[1] text`` at the end of the
file become notes, and their ``[1]`` callouts in the text become note spans.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.errors import UnsupportedFormat
from ingest.limits import Limits
from ingest.model import AnyBlock, Document, Note, PageBreak, Paragraph, Span
from ingest.readers._common import linkify, normalise, source_facts

MEDIA_TYPE = "text/plain"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LATIN_SINGLE_BYTE = frozenset(
    {
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "latin_1",
        "iso8859_2",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_15",
        "iso8859_16",
        "mac_latin2",
        "cp850",
        "cp437",
    }
)
_NOTE_DEFINITION = re.compile(r"^\[(\d{1,3})\]\s+(\S.*)$", re.DOTALL)
_CALLOUT = re.compile(r"\[(\d{1,3})\]")
#: a wrapped line is "full" when it reaches this share of the file's wrap width
_FULL_LINE = 0.65


def sniff(head: bytes, path: Path) -> bool:
    """Text when it starts with a Unicode BOM or holds no NUL byte and decodes as some charset."""
    if head.startswith(tuple(bom for bom, _ in _BOMS)):
        return True
    if b"\x00" in head:
        return False
    return from_bytes(head).best() is not None


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    text = _decode(path, data).replace("\r\n", "\n").replace("\r", "\n")
    pages = [normalise(page) for page in text.split("\f")]
    blocks: list[AnyBlock] = []
    wrap_width = _wrap_width("\n".join(pages))
    page_groups = [_paragraph_groups(page) for page in pages]
    # notes stand at the end of the file, but their callouts may be on any page
    page_groups[-1], notes = _split_notes(page_groups[-1])
    for number, groups in enumerate(page_groups, start=1):
        if len(pages) > 1:
            blocks.append(PageBreak(number))
        for lines in groups:
            blocks.append(Paragraph(_spans(_join_lines(lines, wrap_width), notes), page=number))
    source = source_facts(path, MEDIA_TYPE, data, pages=len(pages) if len(pages) > 1 else None)
    return Document(source=source, blocks=tuple(blocks), notes=notes)


def _decode(path: Path, data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnsupportedFormat(path, "the file is neither text in a known encoding nor a document")
    if best.encoding in _LATIN_SINGLE_BYTE:
        # short Western texts are easily mistaken for a sibling code page (å read as ĺ);
        # Windows-1252 is by far the most common legacy encoding of the letters we see
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


def _paragraph_groups(text: str) -> list[list[str]]:
    """Lines grouped by blank lines, right-stripped, empty groups dropped."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _wrap_width(text: str) -> int:
    """The width at which the file's prose is hard-wrapped (90th percentile of line lengths)."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if len(line.strip()) >= 20)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _join_lines(lines: list[str], wrap_width: int) -> str:
    """Rejoin hard-wrapped prose; keep short lines (address, signature) as line breaks."""
    if len(lines) == 1:
        return lines[0].strip()
    full = wrap_width >= 40 and all(len(line) >= wrap_width * _FULL_LINE for line in lines[:-1])
    if not full:
        return "\n".join(line.strip() for line in lines)
    joined = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if re.search(r"\w-$", joined) and line[:1].islower():
            joined = joined[:-1] + line
        else:
            joined = f"{joined} {line}"
    return joined


def _split_notes(groups: list[list[str]]) -> tuple[list[list[str]], dict[str, Note]]:
    """Take trailing ``[n] text`` paragraphs off the end as footnotes."""
    notes: list[Note] = []
    while groups:
        match = _NOTE_DEFINITION.match(" ".join(line.strip() for line in groups[-1]))
        if not match:
            break
        label, body = match.groups()
        spans = tuple(linkify([Span(body)]))
        notes.append(Note(id=f"fn{label}", label=label, blocks=(Paragraph(spans),)))
        groups = groups[:-1]
    return groups, {note.id: note for note in reversed(notes)}


def _spans(text: str, notes: dict[str, Note]) -> tuple[Span, ...]:
    """Spans for one paragraph: ``[n]`` callouts of known notes become note spans."""
    spans: list[Span] = []
    pos = 0
    for match in _CALLOUT.finditer(text):
        note_id = f"fn{match.group(1)}"
        if note_id not in notes:
            continue
        if match.start() > pos:
            spans.append(Span(text[pos : match.start()]))
        spans.append(Span(match.group(1), frozenset({"superscript"}), note=note_id))
        pos = match.end()
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return tuple(linkify(spans))
