"""Plain-text reader: encodings, line endings, paragraphs, hard wraps and bracketed footnotes.

Encodings: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when every other
byte is zero), and the Western code pages (Windows-1252, Mac Roman, DOS 850, Latin-1), which
are told apart by how plausible their letters look. UTF-8 that was once read as Windows-1252
("trÃ¨s") is repaired where the repair is certain.

A blank line separates paragraphs. Inside a paragraph, lines that wrap prose at a fixed width
are rejoined with spaces; short lines (an address, a signature) keep their hard breaks as
``"\\n"``. A form feed starts a new page. Footnotes written as ``[1] text`` at the end of the
file become notes, and their ``[1]`` callouts in the text become note spans.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.errors import UnsupportedFormat
from ingest.limits import Limits
from ingest.model import AnyBlock, Document, Note, PageBreak, Paragraph, Source, Span
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
        return _utf16_without_bom(head) is not None
    return from_bytes(head).best() is not None


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    document = document_from_text(decode_text(path, data), source_facts(path, MEDIA_TYPE, data))
    return document


def document_from_text(text: str, source: Source) -> Document:
    """The document a plain text holds (also an e-mail's text part): paragraphs, pages, notes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
    if len(pages) > 1:
        source = replace(source, pages=len(pages))
    return Document(source=source, blocks=tuple(blocks), notes=notes)


def decode_text(path: Path, data: bytes) -> str:
    """The file's text, its encoding found from its BOM or its bytes (see the module)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return repair_mojibake(data.decode(encoding, errors="replace"))
    utf16 = _utf16_without_bom(data[:4096])
    if utf16:
        return repair_mojibake(data.decode(utf16, errors="replace"))
    try:
        return repair_mojibake(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnsupportedFormat(path, "the file is neither text in a known encoding nor a document")
    if best.encoding in _LATIN_SINGLE_BYTE or best.encoding in _WESTERN:
        # short Western texts are easily mistaken for a sibling code page (å read as ĺ, ü as
        # Ÿ): the Western code pages are compared on how plausible their letters look, and
        # Windows-1252, by far the most common, wins a tie
        return repair_mojibake(_most_plausible(data))
    return repair_mojibake(str(best))


#: the Western code pages a letter is likely written in, most common first
_WESTERN = ("cp1252", "mac_roman", "cp850", "latin_1")
#: letters of Western European languages (a decoding that yields them is more likely right)
_COMMON_LETTERS = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒ")


def _most_plausible(data: bytes) -> str:
    best_text, best_score = "", None
    for encoding in _WESTERN:
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(decoded)
        if best_score is None or score > best_score:
            best_text, best_score = decoded, score
    return best_text


def _plausibility(text: str) -> int:
    """Higher for text whose non-ASCII characters look like what people write: common
    accented letters, in lower case inside words; lower for symbols and controls inside
    words and capitals between small letters ("MŸller", "K„ra")."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        ch, i = match.group(), match.start()
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        inside = before.isalpha() and after.isalpha()
        if unicodedata.category(ch).startswith("C"):
            score -= 5
        elif ch.isalpha():
            score += 2 if ch in _COMMON_LETTERS else 0
            if ch.isupper() and before.islower() and (after.islower() or not after.isalpha()):
                score -= 4
        elif inside:
            score -= 3
    return score


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text written without a byte order mark: every
    other byte of mostly-Latin text is zero."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even = sum(1 for b in head[0 : 2 * pairs : 2] if b == 0)
    odd = sum(1 for b in head[1 : 2 * pairs : 2] if b == 0)
    if odd >= 0.9 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _mojibake_pattern() -> re.Pattern[str]:
    """UTF-8 byte sequences read as Windows-1252 (or Latin-1): a lead byte's character
    followed by the right number of continuation bytes' characters ("Ã©" for "é")."""

    def char(byte: int) -> str:
        try:
            return bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            return bytes([byte]).decode("latin-1")

    def charset(low: int, high: int) -> str:
        return "[" + "".join(re.escape(char(b)) for b in range(low, high + 1)) + "]"

    cont = charset(0x80, 0xBF)
    return re.compile(
        f"(?:{charset(0xC2, 0xDF)}{cont}|{charset(0xE0, 0xEF)}{cont}{{2}}"
        f"|{charset(0xF0, 0xF4)}{cont}{{3}})+"
    )


_MOJIBAKE = _mojibake_pattern()


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("trÃ¨s" → "très"), but only where it is certain:
    each stretch of suspect characters must turn back into bytes that are valid UTF-8."""
    if text.isascii():
        return text

    def fix(match: re.Match[str]) -> str:
        raw = bytearray()
        for ch in match.group():
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                raw += ch.encode("latin-1")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    for _ in range(2):  # text encoded twice over is undone twice
        fixed = _MOJIBAKE.sub(fix, text)
        if fixed == text:
            break
        text = fixed
    return text


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
