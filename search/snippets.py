"""Keyword-in-context snippets, cut from a hit's stored text.

Only the hits shown get a snippet. The text is read once, a word at a time, each word folded
and stemmed as the letter's body field indexes it (so "Briefe" is marked where the query asked
for "Brief"); the window of about :data:`SNIPPET_CHARS` characters holding the most matched
words is cut at word boundaries.

Nothing here is quadratic in a letter's size: the text is read in pieces, each distinct word
stemmed once, reading stops after :data:`MAX_MATCHES` matched words, and the best window is
found in one pass over them (a 50 MB letter full of the word searched for once took minutes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from search.analysis import WORD, fold, stemmer

SNIPPET_CHARS = 160
#: the matched words weighed for the window: the best window among the first this many is
#: as good as any for a letter, and a huge text full of matches costs no more than this
MAX_MATCHES = 1000
#: the text is read in pieces of about this many characters, so that reading stops with the
#: piece where :data:`MAX_MATCHES` is reached rather than after a 50 MB letter's last word
CHUNK_CHARS = 1 << 16
#: more distinct word starts than this are looked for word by word (one regular expression
#: of hundreds of alternatives, tried at every character, would be slower)
MAX_STARTS = 24
#: markers around highlighted words (the CLI turns them into colour, JSON drops them)
MARK_START, MARK_END = "**", "**"
ELLIPSIS = "…"
_WORD = re.compile(WORD)


def snippet(text: str, terms: Iterable[str], lang: str, width: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the words whose indexed form (folded, stemmed in ``lang``)
    is in ``terms``, marked. Empty when no word matches. The cost is linear in the text read,
    and reading stops after :data:`MAX_MATCHES` matches."""
    wanted = set(terms)
    if not wanted or not text:
        return ""
    spans = _matches(text, wanted, stemmer(lang))
    if not spans:
        return ""
    start, end = _window(text, spans, width)
    parts: list[str] = [ELLIPSIS + " " if start > 0 else ""]
    at = start
    for first, last in spans:
        if first < start or last > end:
            continue
        parts += [text[at:first], MARK_START, text[first:last], MARK_END]
        at = last
    parts.append(text[at:end])
    if end < len(text):
        parts.append(" " + ELLIPSIS)
    return " ".join("".join(parts).split())


def _matches(text: str, wanted: set[str], stem: Callable[[str], str]) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` whose folded stem is in ``wanted``, in order, at most
    :data:`MAX_MATCHES` of them."""
    # a stem keeps its word's first letters: only words starting like a wanted stem are stemmed
    starts = {term[:3] for term in wanted}
    lengths = sorted({len(start) for start in starts})
    pattern = (
        re.compile("(?=" + "|".join(re.escape(start) for start in sorted(starts)) + ")")
        if len(starts) <= MAX_STARTS
        else None
    )
    # each distinct word is folded and stemmed once, however often the text repeats it
    verdicts: dict[str, bool] = {}

    def matches(word: str) -> bool:
        found = verdicts.get(word)
        if found is None:
            folded = fold(word)
            found = any(folded[:n] in starts for n in lengths) and stem(folded) in wanted
            verdicts[word] = found
        return found

    spans: list[tuple[int, int]] = []
    for offset, piece in _pieces(text):
        spans += _piece_matches(piece, offset, pattern, matches)
        if len(spans) >= MAX_MATCHES:
            return spans[:MAX_MATCHES]
    return spans


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """``text`` in pieces of about :data:`CHUNK_CHARS`, each cut after a space (so no word is
    cut in two unless one is longer than a piece), with each piece's offset."""
    at = 0
    while at < len(text):
        end = min(len(text), at + CHUNK_CHARS)
        if end < len(text):
            space = _last_space(text, at, end)
            end = space + 1 if space > at else end
        yield at, text[at:end]
        at = end


def _last_space(text: str, start: int, end: int) -> int:
    for at in range(end - 1, max(start, end - 256) - 1, -1):
        if text[at].isspace():
            return at
    return -1


def _piece_matches(
    piece: str, offset: int, pattern: re.Pattern[str] | None, matches: Callable[[str], bool]
) -> list[tuple[int, int]]:
    folded = _fold_text(piece) if pattern is not None else ""
    if pattern is None or len(folded) != len(piece):  # "ß" → "ss": folded offsets differ
        return [
            (offset + word.start(), offset + word.end())
            for word in _WORD.finditer(piece)
            if matches(word.group())
        ]
    # folding never drops a character, so equal lengths mean one folded character for each
    # of the text's: the folded text shows where words start like a stem, and only the words
    # there are looked at (not the 400 words of a letter one by one)
    spans = []
    for candidate in pattern.finditer(folded):
        at = candidate.start()
        if at > 0 and _WORD.match(piece, at - 1):
            continue  # inside a word
        word = _WORD.match(piece, at)
        if word is not None and matches(word.group()):
            spans.append((offset + word.start(), offset + word.end()))
    return spans


def _fold_text(text: str) -> str:
    """``fold(text)``, faster for a long text with few accented letters: the table changes no
    ASCII letter once lowercased, so only the runs of other characters are translated."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _NOT_ASCII.sub(lambda run: fold(run.group()), lowered)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def opening(text: str, width: int = SNIPPET_CHARS) -> str:
    """The beginning of ``text``, cut at a word boundary."""
    text = " ".join(text[: width * 2].split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0] + " " + ELLIPSIS


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width`` characters starting a little before a match, holding the most matches
    (one pass: the spans are in order, so the last one inside a window only moves on)."""
    lead = width // 4
    best, best_count = 0, -1
    inside = 0  # the first span past the current window's reach
    for index, (first, _last) in enumerate(spans):
        reach = max(0, first - lead) + width
        inside = max(inside, index)
        while inside < len(spans) and spans[inside][1] <= reach:
            inside += 1
        if inside - index > best_count:
            best, best_count = index, inside - index
    first = spans[best][0]
    start = max(0, first - lead)
    if start > 0:  # begin at a word
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    end = min(len(text), start + width)
    if end < len(text):  # end at a word, never before the match
        space = text.rfind(" ", spans[best][1], end)
        end = space if space > 0 else end
    return start, end
