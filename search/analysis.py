"""Analyzers: tokenizer | lowercase | accent folding, so "Niinisto" finds "Niinistö"."""

from __future__ import annotations

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map


def folding_analyzer() -> Analyzer:
    """Words, lowercased and stripped of accents: "Järvinen" → "jarvinen"."""
    return RegexTokenizer(r"\w+(?:[-'’]\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)
