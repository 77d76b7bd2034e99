"""The language of a letter, as a BCP 47 code, from py3langid's model (no network, no hub).

py3langid ships its model LZMA-compressed, and unpacking it takes most of a second; so the
model, narrowed to :data:`LANGUAGES`, is kept uncompressed in the user's cache directory
(``$XDG_CACHE_HOME/epistula``, else ``~/.cache/epistula``) beside the gazetteer's index, and
read from there in a few hundredths of a second. It holds the packaged model's own numbers, so
it classifies exactly as the packaged model does; it is rebuilt from the packaged model whenever
the ``py3langid`` version, the cache format or :data:`LANGUAGES` change, or it cannot be read.
"""

from __future__ import annotations

import contextlib
from array import array
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from zipfile import BadZipFile

from metadata.user_cache import cache_file, write_whole

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# fmt: off
#: the languages Epistula expects letters in; narrowing the model makes short texts reliable
LANGUAGES = ("en", "de", "fr", "fi", "sv", "no", "da", "nn", "it", "es", "nl", "pt", "pl", "la",
             "cs", "ru", "et", "is", "zh")

NAMES = {
    "en": "English", "de": "German", "fr": "French", "fi": "Finnish", "sv": "Swedish",
    "no": "Norwegian", "nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk", "da": "Danish",
    "it": "Italian", "es": "Spanish", "nl": "Dutch", "pt": "Portuguese", "pl": "Polish",
    "la": "Latin", "cs": "Czech", "ru": "Russian", "et": "Estonian", "is": "Icelandic",
    "zh": "Chinese",
}
# fmt: on

#: the cached model's layout: change it and old caches are rebuilt
MODEL_FORMAT = 1


@cache
def _identifier() -> LanguageIdentifier:
    path = _cache_path()
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, EOFError, BadZipFile):
            return _from_cache(path)
    identifier = _packaged_identifier()
    if path is not None:
        with contextlib.suppress(OSError, ValueError):  # no cache is only slower
            _write_cache(path, identifier)
    return identifier


def _packaged_identifier() -> LanguageIdentifier:
    # py3langid (and numpy with it) is imported only when a text's language is wanted
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _cache_path() -> Path | None:
    return cache_file("py3langid", "langid", MODEL_FORMAT, ".npz")


def _write_cache(path: Path, identifier: LanguageIdentifier) -> None:
    """Write the narrowed model whole or not at all (a concurrent run may be writing it too)."""
    import numpy as np  # loaded already: py3langid has just used it

    arrays = {
        "languages": np.array(LANGUAGES),
        "ptc": np.ascontiguousarray(identifier.nb_ptc),
        "pc": np.asarray(identifier.nb_pc),
        "classes": np.array(identifier.nb_classes),
        # the DFA tables are stdlib arrays in py3langid; their typecode is kept as the dtype
        "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=identifier.tk_nextmove.typecode),
        "row": np.frombuffer(identifier.tk_row, dtype=identifier.tk_row.typecode),
        "output": np.asarray(identifier.tk_output, dtype=np.int32),
    }
    write_whole(path, lambda fh: np.savez(fh, allow_pickle=False, **arrays))


def _from_cache(path: Path) -> LanguageIdentifier:
    import numpy as np  # as in _packaged_identifier: only when a language is wanted
    from py3langid.langid import LanguageIdentifier

    # opened here, not by np.load: it leaves the file open when the file is not a model
    with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        if tuple(data["languages"].tolist()) != LANGUAGES:
            raise ValueError(f"{path}: cached for other languages")
        ptc, pc, classes = data["ptc"], data["pc"], data["classes"].tolist()
        nextmove, row, output = data["nextmove"], data["row"], data["output"].tolist()
    if not (
        ptc.ndim == 2
        and ptc.shape[1] == len(pc) == len(classes)
        and nextmove.ndim == row.ndim == 1
        and {nextmove.dtype.char, row.dtype.char} <= {"H", "I"}  # as py3langid's loader makes
        and len(row) == len(output)
    ):
        raise ValueError(f"{path}: the cached model does not hang together")
    identifier = LanguageIdentifier(
        ptc,
        pc,
        classes,
        _stdlib_array(nextmove),
        output,
        norm_probs=True,
        tk_row=_stdlib_array(row),
    )
    identifier.set_languages(list(LANGUAGES))  # already narrowed; this keeps every column
    return identifier


def _stdlib_array(values) -> array:  # type: ignore[no-untyped-def]
    """A NumPy integer array as the stdlib ``array`` py3langid walks its DFA with."""
    out = array(values.dtype.char)
    out.frombytes(memoryview(values).cast("B"))  # one copy, not two: the table is 40 MB
    return out


def detect_language(text: str) -> str | None:
    """The BCP 47 code of the text's language, or None when there is too little text."""
    sample = " ".join(text.split())[:5000]
    if len(sample) < 20:
        return None
    code, _probability = _identifier().classify(sample)
    return "no" if code == "nn" else code


def language_name(code: str) -> str:
    return NAMES.get(code, code)
