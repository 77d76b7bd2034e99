"""Keyword-in-context snippets, cut from a hit's stored text.

Only the hits shown get a snippet. The text is read once, a word at a time, each word folded
and stemmed as the letter's body field indexes it (so "Briefe" is marked where the query asked
for "Brief"); the window of about :data:`SNIPPET_CHARS` characters holding the most matched
words is cut at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from search.analysis import WORD, fold, stemmer

SNIPPET_CHARS = 160
#: markers around highlighted words (the CLI turns them into colour, JSON drops them)
MARK_START, MARK_END = "**", "**"
ELLIPSIS = "…"
_WORD = re.compile(WORD)


def snippet(text: str, terms: Iterable[str], lang: str, width: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the words whose indexed form (folded, stemmed in ``lang``)
    is in ``terms``, marked. Empty when no word matches."""
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
    """Spans of the words of ``text`` whose folded stem is in ``wanted``, in order."""
    # a stem keeps its word's first letters: only words starting like a wanted stem are stemmed
    starts = {term[:3] for term in wanted}
    folded = _fold_text(text)
    if len(folded) != len(text):  # "ß" → "ss": folded offsets are not the text's
        return _matches_word_by_word(text, wanted, starts, stem)
    # folding never drops a character, so equal lengths mean one folded character for each
    # of the text's: the folded text shows where words start like a stem, and only the words
    # there are looked at (not the 400 words of a letter one by one)
    pattern = "(?=" + "|".join(re.escape(start) for start in sorted(starts)) + ")"
    spans = []
    for candidate in re.finditer(pattern, folded):
        at = candidate.start()
        if at > 0 and _WORD.match(text, at - 1):
            continue  # inside a word
        word = _WORD.match(text, at)
        if word is not None and stem(fold(word.group())) in wanted:
            spans.append(word.span())
    return spans


def _fold_text(text: str) -> str:
    """``fold(text)``, faster for a long text with few accented letters: the table changes no
    ASCII letter once lowercased, so only the runs of other characters are translated."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _NOT_ASCII.sub(lambda run: fold(run.group()), lowered)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _matches_word_by_word(
    text: str, wanted: set[str], starts: set[str], stem: Callable[[str], str]
) -> list[tuple[int, int]]:
    lengths = sorted({len(start) for start in starts})
    spans = []
    for match in _WORD.finditer(text):
        folded = fold(match.group())
        if any(folded[:n] in starts for n in lengths) and stem(folded) in wanted:
            spans.append(match.span())
    return spans


def opening(text: str, width: int = SNIPPET_CHARS) -> str:
    """The beginning of ``text``, cut at a word boundary."""
    text = " ".join(text[: width * 2].split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0] + " " + ELLIPSIS


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width`` characters starting a little before a match, holding the most matches."""
    lead = width // 4
    best, best_count = 0, -1
    for index, (first, _last) in enumerate(spans):
        reach = max(0, first - lead) + width
        count = sum(1 for _f, last in spans[index:] if last <= reach)
        if count > best_count:
            best, best_count = index, count
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
