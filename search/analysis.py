"""Analyzers: named chains of tokenizer | filters, so "Chateaudun" finds "Châteaudun".

Every chain starts the same way — words, lowercased and folded to plain letters — so a query
typed without accents matches text written with them, in any field. Letter bodies then go
through the Snowball stemmer of the letter's own language (``stemming_analyzer("de")``:
"Briefe" → "brief"); names, places and titles are folded but never stemmed.

Folding comes before stemming so that a word typed with or without accents is stemmed alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from whoosh.analysis import Analyzer, Filter, RegexTokenizer, Token
from whoosh.lang import has_stemmer, stemmer_for_language
from whoosh.support.charset import accent_map

#: a word: letters or digits; hyphens and apostrophes split ("Dessau-Roßlau", "l'été"), and the
#: query parser turns a query word that splits into a phrase ("d'Orléans" → "d orleans")
WORD = r"\w+"
#: one exact value in a multi-valued name field (values are joined with this separator)
SEPARATOR = "\x1f"

#: letters the accent map leaves alone or reduces too far, spelled out as readers type them
_SPELLED_OUT = {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ĳ": "ij", "ﬁ": "fi", "ﬂ": "fl"}
_FOLD = {**accent_map, **{ord(k): v for k, v in _SPELLED_OUT.items()}}

#: languages with a Snowball stemmer in Whoosh (ISO 639-1)
STEMMED_LANGUAGES = tuple(
    lang for lang in ("en", "de", "fr", "fi", "sv", "da", "no", "nl", "it", "es", "pt", "ro", "hu",
                      "ru", "ar") if has_stemmer(lang)
)  # fmt: skip
#: code for letters in a language without a stemmer (or none recorded): folded only
UNSTEMMED = "xx"


def fold(text: str) -> str:
    """Lowercase ``text`` and strip accents: "Roßlau Järvinen" → "rosslau jarvinen"."""
    return text.lower().translate(_FOLD)


class FoldingTokenizer(RegexTokenizer):
    """Words, lowercased and folded in one step: a ``RegexTokenizer`` whose tokens are folded
    as it makes them, at half the cost of a separate filter over its tokens."""

    def __init__(self, expression: str = WORD) -> None:
        super().__init__(expression)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        table = _FOLD
        matches = self.expression.finditer(value) if tokenize else [None]
        for pos, match in enumerate(matches):
            text = value if match is None else match.group(0)
            token.text = text.lower().translate(table)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + (0 if match is None else match.start())
                token.endchar = start_char + (len(value) if match is None else match.end())
            yield token


class SnowballFilter(Filter):
    """Stems each token with the Snowball stemmer of ``lang``, remembering every stem it made
    (Whoosh's ``StemFilter`` with a plain dict for a cache: stemming is most of indexing)."""

    is_morph = True

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._stem = stemmer_for_language(lang)
        self._cache = _stem_cache(lang)  # shared by every filter of the language

    def __getstate__(self) -> dict[str, object]:
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(str(state["lang"]))  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SnowballFilter) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash((type(self), self.lang))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        cache, stem = self._cache, self._stem
        for token in tokens:
            if not token.stopped:
                text = token.text
                stemmed = cache.get(text)
                if stemmed is None:
                    if len(cache) >= STEM_CACHE_SIZE:
                        cache.clear()
                    stemmed = cache[text] = stem(text)
                token.text = stemmed
            yield token


#: stems remembered per language before the memory is cleared
STEM_CACHE_SIZE = 500_000


@cache
def _stem_cache(lang: str) -> dict[str, str]:
    return {}


def stemmer(lang: str) -> Callable[[str], str]:
    """The stem of one folded word in ``lang``, as the body field of that language indexes
    it (the identity for languages without a stemmer)."""
    if lang not in STEMMED_LANGUAGES:
        return str
    stem, memory = stemmer_for_language(lang), _stem_cache(lang)

    def stemmed(word: str) -> str:
        found = memory.get(word)
        if found is None:
            if len(memory) >= STEM_CACHE_SIZE:
                memory.clear()
            found = memory[word] = stem(word)
        return found

    return stemmed


def folding_analyzer() -> Analyzer:
    """Words, lowercased and folded: "Järvinen's Châteaudun" → ["jarvinen's", "chateaudun"]."""
    return FoldingTokenizer()


def stemming_analyzer(lang: str) -> Analyzer:
    """Words, folded, then stemmed in ``lang``: ("de") "Briefe" → ["brief"]; ("en") "letters" →
    ["letter"]. A language without a stemmer gets the folding analyzer."""
    if lang not in STEMMED_LANGUAGES:
        return folding_analyzer()
    return FoldingTokenizer() | SnowballFilter(lang)


def exact_analyzer() -> Analyzer:
    """Whole values, folded: "Karin Lund\\x1fErik" → ["karin lund", "erik"] (for exact matches)."""
    return FoldingTokenizer(f"[^{SEPARATOR}]+") | StripFilter()


class StripFilter(Filter):
    """Trims spaces around a token and drops tokens left empty."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = " ".join(token.text.split())
            if text:
                token.text = text
                yield token


@cache
def body_language(lang: str | None) -> str:
    """The body field language for a letter's language code ("de-CH" → "de"; "la" → "xx")."""
    code = (lang or "").split("-")[0].lower()
    if code == "nb" or code == "nn":
        code = "no"
    return code if code in STEMMED_LANGUAGES else UNSTEMMED
