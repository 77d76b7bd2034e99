"""The learned part labeller: a linear-chain CRF over a letter's lines.

The model (``parts.crfsuite`` beside this module, built by ``make model`` from the edition
letters; see ``bench/train.py``) labels every line of a letter with one of
:data:`ingest.letter.lines.LABELS` from the features of :mod:`ingest.letter.features`, which
include the rules' own label. Where the model is unsure of a line (its marginal probability
below :data:`CONFIDENT`) the rules' label stands: the rules are the fallback, line by line.

The model is loaded once per process, on first use. Without a model file (a checkout before
``make model``), :func:`label` returns the rules' labels unchanged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from ingest.letter.features import line_features
from ingest.letter.lines import Line

MODEL = Path(__file__).with_name("parts.crfsuite")
#: the model's label replaces the rules' only when it is at least this sure of it
CONFIDENT = 0.9
#: labels the model may give but never in place of the rules' ("other" is the editions'
#: editorial matter, shelf marks and copy markers: in a letter read today it is text)
_NEVER_OVERRIDES = frozenset({"other"})

_lock = threading.Lock()
_state: dict[str, object] = {}


@dataclass(frozen=True)
class Labels:
    """What each line is, and whether the model (not the rules) decided any of it."""

    labels: list[str]
    by_model: bool
    #: the lines the model was unsure of (their rules' label was kept)
    unsure: int = 0


def use_model(path: Path | None) -> None:
    """Label with the model at ``path`` from now on in this process (None: the shipped one).
    The benchmarks use it to score a model trained without the edition being scored."""
    with _lock:
        _state.clear()
        if path is not None:
            _state["path"] = path


def _tagger() -> pycrfsuite.Tagger | None:
    with _lock:
        if "tagger" not in _state:
            path = _state.get("path", MODEL)
            assert isinstance(path, Path)
            tagger = None
            if path.exists():
                tagger = pycrfsuite.Tagger()
                tagger.open(str(path))
            _state["tagger"] = tagger
        return _state["tagger"]  # type: ignore[return-value]


def label(lines: list[Line], rule_labels: list[str]) -> Labels:
    """The label of every line: the model's where it is confident, else the rules'."""
    tagger = _tagger()
    if tagger is None or not lines:
        return Labels(list(rule_labels), by_model=False)
    with _lock:  # a Tagger holds one sequence at a time
        tagger.set(pycrfsuite.ItemSequence(line_features(lines, rule_labels)))
        predicted = tagger.tag()
        # a table or a list keeps the rules' label: its structure is the writer's, not a part
        sure = [
            y not in _NEVER_OVERRIDES
            and lines[i].kind in ("paragraph", "heading")
            and tagger.marginal(y, i) >= CONFIDENT
            for i, y in enumerate(predicted)
        ]
    labels = [p if ok else r for p, ok, r in zip(predicted, sure, rule_labels, strict=True)]
    return Labels(labels, by_model=labels != list(rule_labels), unsure=sure.count(False))
