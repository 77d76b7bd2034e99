"""py3langid's model, kept unpacked in the user's cache: the same languages as the packaged one."""

from pathlib import Path

import pytest

from metadata import language

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture
def fresh_model(tmp_path, monkeypatch):
    """The language model with its cache in tmp_path and nothing loaded yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    language._identifier.cache_clear()
    yield tmp_path / "epistula"
    language._identifier.cache_clear()


def _texts() -> list[tuple[str, str]]:
    """(file name, text) of the sample letters, whole and in pieces of a line or two."""
    texts = []
    for path in sorted((SAMPLES / "source").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append((path.name, text))
        lines = [line for line in text.splitlines() if len(line.strip()) >= 20]
        texts += [(f"{path.name}:{n}", line) for n, line in enumerate(lines[:12])]
    return texts


def test_the_cached_model_gives_the_packaged_models_answers(fresh_model):
    packaged = language._packaged_identifier()
    assert language.detect_language("Ich schreibe Ihnen heute aus Leipzig.") == "de"
    (cache,) = fresh_model.glob("langid-*.npz")
    language._identifier.cache_clear()
    cached = language._identifier()  # now from the cache
    assert cached is not packaged
    texts = _texts()
    assert len(texts) > 40
    for name, text in texts:
        sample = " ".join(text.split())[:5000]
        assert cached.classify(sample) == packaged.classify(sample), name  # language and score
    first = {name.split("-")[0] for name, text in texts if ":" not in name}
    assert first == {"de", "en", "fi", "fr", "sv"}
    for name, text in texts:
        if ":" not in name:
            assert language.detect_language(text) == name.split("-")[0], name
    assert cache.stat().st_size > 1_000_000


@pytest.mark.parametrize(
    "damage",
    [
        lambda cache: cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2]),
        lambda cache: cache.write_bytes(b""),
        lambda cache: cache.write_text("not a model", encoding="utf-8"),
    ],
    ids=["cut-short", "empty", "garbage"],
)
def test_a_damaged_model_cache_is_rebuilt(fresh_model, damage):
    french = (SAMPLES / "source" / "fr-lettre-chateaudun.txt").read_text(encoding="utf-8")
    assert language.detect_language(french) == "fr"
    (cache,) = fresh_model.glob("langid-*.npz")
    size = cache.stat().st_size
    damage(cache)
    language._identifier.cache_clear()
    assert language.detect_language(french) == "fr"
    assert cache.stat().st_size == size  # written whole again
    language._identifier.cache_clear()
    assert language.detect_language(french) == "fr"  # and read back


def test_a_cache_for_other_languages_is_not_used(fresh_model, monkeypatch):
    swedish = (SAMPLES / "source" / "sv-brev-uppsala.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(language, "LANGUAGES", ("en", "de"))
    assert language.detect_language(swedish) in {"en", "de"}
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(fresh_model.parent))
    language._identifier.cache_clear()
    assert language.detect_language(swedish) == "sv"
