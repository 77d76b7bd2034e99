"""The language of a letter, as a BCP 47 code, from py3langid's model (no network, no hub)."""

from __future__ import annotations

from functools import cache

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


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """The BCP 47 code of the text's language, or None when there is too little text."""
    sample = " ".join(text.split())[:5000]
    if len(sample) < 20:
        return None
    code, _probability = _identifier().classify(sample)
    return "no" if code == "nn" else code


def language_name(code: str) -> str:
    return NAMES.get(code, code)
