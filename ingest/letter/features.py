"""What the part labeller sees of each line: the rules' knowledge as features.

Every feature is something the rules already know how to ask (is this a salutation formula,
a date, a person's name, a place in the gazetteer?), a fact of position and shape (how far down
the letter, how long, how it ends, capitals), or what the reader saw of the layout (alignment,
indent, font size, weight). The rules' own label for the line is a feature too: the model
learns where to trust it. Words are taken only at the edges of short lines (the first and last
word of "Ihr ergebener", "Yours truly,"), where formulas live; the body's vocabulary is left out
so that the model does not learn one edition's topics.

Features are ``{name: value}`` dictionaries as python-crfsuite takes them: a string value is a
categorical feature, a float a weighted one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from statistics import median

from ingest.letter import formulas, signatures
from ingest.letter.lines import Line
from metadata import gazetteer, names, places

Features = dict[str, str | float]

#: words an address line opens with, in the languages of the editions and beyond (folded)
_ADDRESS_WORDS = frozenset(
    """
herrn herr frau fraulein frl tit hh hhrn monsieur madame mademoiselle messieurs mr mrs miss
messrs dr signor signore sig sigr signora al alla all aux sr sra senor senora don dona mme mlle
illustrissimo illustrissima wohlgeboren hochwohlgeboren sa son seiner ihrer sua esq the
""".split()
)

#: lines longer than this are prose: the formula questions are not asked of them
SHORT = 160
_YEAR = re.compile(r"\b1[0-9]{3}\b|\b20[0-9]{2}\b")
_DIGITS = re.compile(r"\d")
_POSTCODE = re.compile(r"\b\d{4,5}\b")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if ch.isalpha())


def _bucket(value: float, edges: tuple[float, ...]) -> str:
    for index, edge in enumerate(edges):
        if value <= edge:
            return str(index)
    return str(len(edges))


def _shape(line: Line, inner: bool = False) -> Features:
    """What one line is, on its own. An ``inner`` line (in the body, between lines of prose)
    gets the questions of shape only: parts other than the body are not found there, and
    asking the formula questions of every line would slow ingest down by half."""
    text = line.text
    words = text.split()
    first = _fold(words[0]) if words else ""
    last = _fold(words[-1]) if words else ""
    f: Features = {
        "len": _bucket(len(text), (3, 12, 25, 40, 60, 90, SHORT, 400)),
        "words": _bucket(len(words), (1, 2, 3, 5, 8, 12, 25)),
        "kind": line.kind,
        "end": text[-1]
        if text and not text[-1].isalnum()
        else ("digit" if text[-1:].isdigit() else "alnum"),
        "start_upper": str(text[:1].isupper()),
        "caps": _bucket(
            sum(w[:1].isupper() for w in words[:40]) / max(1, min(40, len(words))), (0.2, 0.5, 0.8)
        ),
        "allcaps": str(text.isupper() and len(text) > 3),
        "digits": _bucket(len(_DIGITS.findall(text)), (0, 2, 4, 8)),
        "year": str(bool(_YEAR.search(text))),
        "in_block": "only"
        if line.count == 1
        else "first"
        if line.index == 0
        else ("last" if line.index == line.count - 1 else "mid"),
        "block_lines": _bucket(line.count, (1, 2, 3, 5, 8)),
        "bold": str(line.bold),
        "italic": str(line.italic),
        "align": line.align or "none",
        "indent": _bucket(line.indent or 0.0, (0.0, 30.0, 100.0, 200.0)),
    }
    if inner:
        f["inner"] = 1.0
        f["sentence"] = str(formulas.ends_sentence(text))
        return f
    if len(text) > SHORT:
        f["prose"] = 1.0
        f["sentence"] = str(formulas.ends_sentence(text))
        f["closing_sentence"] = str(formulas.is_closing_sentence(text[-300:]))
        return f
    f["w0"] = first
    f["wl"] = last
    if len(words) > 1:
        f["w01"] = f"{first} {_fold(words[1])}"
    flags = {
        "salute": formulas.is_salute(text),
        "bare_salute": formulas.is_bare_salute(text),
        "closing": formulas.is_closing(text),
        "opens_closing": formulas.opens_with_closing(text),
        "possessive_closing": formulas.is_possessive_closing(text),
        "strong_closing": formulas.strong_closing_words(text) > 0,
        "closing_sentence": formulas.is_closing_sentence(text),
        "postscript": formulas.is_postscript(text),
        "trailer": formulas.is_trailer(text),
        "subject": formulas.subject_marker(text) is not None,
        "editorial": formulas.is_editorial(text),
        "sentence": formulas.ends_sentence(text),
        "date": formulas.is_date_line(text),
        "weekday": formulas.is_weekday_line(text),
        "heading_like": formulas.is_heading_like(text),
        "sig_line": signatures.is_signature_line(text),
        "sig_name": signatures.is_signature_name(text),
        "closing_and_name": signatures.split_closing_and_name(text) is not None,
        "person": names.looks_like_person(text),
        "org": names.is_org(text),
        "role": names.is_role(text),
        "address_person": names.person_from_address_line(text) is not None,
        "address_marker": first in names.ADDRESS_MARKERS or first in _ADDRESS_WORDS,
        "salute_person": names.person_from_salute(text) is not None,
        "postal": places.is_postal_line(text) or bool(_POSTCODE.search(text)),
        "place": _is_place(text),
    }
    # conjunctions a linear model cannot form itself
    flags["name_alone"] = flags["sig_name"] and not flags["closing"] and not flags["salute"]
    flags["date_alone"] = flags["date"] and len(words) <= 6
    f.update({name: str(value) for name, value in flags.items()})
    return f


def _reads_as_prose(text: str) -> bool:
    return len(text) > SHORT or (len(text.split()) >= 12 and formulas.ends_sentence(text))


@lru_cache(maxsize=8192)
def _is_place(text: str) -> bool:
    """A line that opens with a place the gazetteer knows ("Wien,", "Dall'Haya a' …")."""
    head = re.split(r"[,;]|\d", text, maxsplit=1)[0].strip(" .")
    if not head or len(head) > 40:
        return False
    return gazetteer.is_known_place(head) or bool(places.place_from_dateline(head))


#: the features a line passes on to its neighbours
_CONTEXT = (
    "salute", "closing", "date", "sig_name", "name_alone", "sig_line", "len", "sentence",
    "rule", "prose", "address_person", "postscript", "in_block",
)  # fmt: skip


def line_features(lines: list[Line], rule_labels: list[str]) -> list[Features]:
    """The features of every line of a letter, with its neighbours' and its position's."""
    prose_lines = [i for i, line in enumerate(lines) if _reads_as_prose(line.text)]
    inner = set()
    if prose_lines:  # two lines of margin on each side: closings run into the last paragraph
        inner = set(range(prose_lines[0] + 2, prose_lines[-1] - 1))
    shapes = [_shape(line, i in inner) for i, line in enumerate(lines)]
    sizes = [line.font_size for line in lines if line.font_size]
    usual = median(sizes) if sizes else None
    total = len(lines)
    prose = [i for i, s in enumerate(shapes) if "prose" in s or s.get("sentence") == "True"]
    first_prose = prose[0] if prose else total
    last_prose = prose[-1] if prose else -1
    closing_seen = _seen(shapes, rule_labels, forward=True)
    salute_ahead = _seen(shapes, rule_labels, forward=False)
    out: list[Features] = []
    for index, (line, shape) in enumerate(zip(lines, shapes, strict=True)):
        f: Features = {"bias": 1.0, **shape, "rule": rule_labels[index]}
        f["from_start"] = _bucket(index, (0, 1, 2, 3, 5, 8))
        f["from_end"] = _bucket(total - 1 - index, (0, 1, 2, 3, 5, 8))
        f["position"] = _bucket(index / max(1, total - 1), (0.1, 0.25, 0.5, 0.75, 0.9))
        f["vs_prose"] = (
            "before" if index < first_prose else "after" if index > last_prose else "within"
        )
        if usual and line.font_size:
            f["size"] = _bucket(line.font_size / usual, (0.9, 1.1, 1.4))
        f["after_closing"] = str(closing_seen[index])
        f["salute_ahead"] = str(salute_ahead[index])
        same_item = index > 0 and lines[index - 1].item == line.item
        f["same_item_as_prev"] = str(same_item)
        for offset in (-2, -1, 1, 2):
            other = index + offset
            if 0 <= other < total:
                neighbour = {**shapes[other], "rule": rule_labels[other]}
                for name in _CONTEXT:
                    if name in neighbour:
                        f[f"{offset}:{name}"] = neighbour[name]
            else:
                f[f"{offset}:edge"] = 1.0
        out.append(f)
    return out


def _seen(shapes: list[Features], rule_labels: list[str], forward: bool) -> list[bool]:
    """For each line, whether a closing formula stands above it (``forward``), or a
    salutation below it: where in the letter's frame the line is."""
    wanted, flag = ("closing", "closing") if forward else ("salute", "salute")
    order = range(len(shapes)) if forward else range(len(shapes) - 1, -1, -1)
    out = [False] * len(shapes)
    seen = False
    for index in order:
        out[index] = seen
        seen = seen or rule_labels[index] == wanted or shapes[index].get(flag) == "True"
    return out
