"""Render evaluation letters to plain text, DOCX and PDF, the three formats Epistula reads.

A letter to render is a :class:`Sheet`: blocks of lines in reading order (a prose paragraph is
one line; a dateline, address or signature block keeps its short lines) and footnotes called
out as ``[n]`` in the text. Sheets come from plain-text letters (:func:`sheet_from_text`) or
from the ``<text>`` of a TEI edition (:func:`sheet_from_tei`), which renders what the writer
put on paper: abbreviations as written (``choice/abbr``), words broken across manuscript lines
rejoined, and editorial matter (commentary notes, deletions, gaps, registers) left out.

The writers are deterministic (fixed metadata dates, reportlab's invariant mode), so a run of
the benchmark reads the same bytes every time.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from ingest.letter import formulas, signatures

TEI = "{http://www.tei-c.org/ns/1.0}"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
CALLOUT = re.compile(r"\[(\d{1,3})\]")
_CALLOUT_SPLIT = re.compile(r"(\[\d{1,3}\])")
NOTE_LINE = re.compile(r"^\[(?P<label>\d{1,3})\]\s+(?P<text>\S.*)$", re.S)


@dataclass
class Sheet:
    """A letter ready to be written out: blocks of lines and footnotes by label.

    ``labels`` runs parallel to ``blocks`` (the letter part of each line, one of
    :data:`LABELS`), so a learned line labeller can be trained and scored on the very lines
    a rendition prints; ``layout`` gives each block's placement on the page ("left",
    "right", "center" or "indent"), which the writers honour. Both are filled in for
    sheets made by the functions here; for a sheet built by hand they default to "other"
    and "left" (:meth:`label_rows`, :meth:`placement`).
    """

    blocks: list[list[str]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    labels: list[list[str]] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)

    def label_rows(self) -> list[list[str]]:
        """One label per line of each block ("other" where none was given)."""
        rows = list(self.labels[: len(self.blocks)])
        rows += [["other"] * len(lines) for lines in self.blocks[len(rows) :]]
        return [
            (row + ["other"] * len(lines))[: len(lines)]
            for row, lines in zip(rows, self.blocks, strict=True)
        ]

    def placement(self, index: int) -> str:
        """The layout of block ``index`` ("left" where none was given)."""
        return self.layout[index] if index < len(self.layout) else "left"

    def text(self) -> str:
        body = "\n\n".join("\n".join(lines) for lines in self.blocks)
        notes = "\n\n".join(f"[{label}] {text}" for label, text in self.notes.items())
        return f"{body}\n\n{notes}\n" if notes else f"{body}\n"


# -- from plain text -------------------------------------------------------------------------


def sheet_from_text(text: str) -> Sheet:
    """Blank lines separate blocks; hard-wrapped prose is rejoined; trailing ``[n] …``
    paragraphs are footnotes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    groups = [g.split("\n") for g in re.split(r"\n[ \t]*\n", text.strip()) if g.strip()]
    sheet = Sheet()
    while groups:
        match = NOTE_LINE.match(" ".join(line.strip() for line in groups[-1]))
        if not match:
            break
        sheet.notes[match["label"]] = match["text"]
        groups.pop()
    sheet.notes = dict(sorted(sheet.notes.items(), key=lambda item: int(item[0])))
    width = max((len(line) for g in groups for line in g), default=0)
    for group in groups:
        lines = [line.strip() for line in group]
        wrapped = len(lines) > 1 and all(len(line) >= width * 0.6 for line in group[:-1])
        sheet.blocks.append([" ".join(lines)] if wrapped and width >= 60 else lines)
    sheet.labels = [["other"] * len(lines) for lines in sheet.blocks]
    sheet.layout = ["left"] * len(sheet.blocks)
    return sheet


# -- from a TEI edition ----------------------------------------------------------------------

#: editorial matter: never part of what the writer wrote
_SKIP = {
    "note", "del", "gap", "expan", "reg", "corr", "metamark", "listPerson", "listPlace",
    "listBibl", "listOrg", "listEvent", "figure", "fw", "anchor", "handShift", "surplus",
    "supplied",
}  # fmt: skip
#: divisions that are not the letter: picture sides, the editors' commentary (Jean Paul),
#: translations (Mondriaan), the chancery's receipt and transcriber's notes (Suriano),
#: enclosures (other documents sent along) and lists of witnesses (Mitford)
_SKIP_DIVS = {
    "context", "image", "comment", "translation", "secretarial", "notes", "attachment",
    "witness",
}  # fmt: skip
#: editorial headings that label the transcription, not the letter (Suriano)
_EDITORIAL_HEAD = re.compile(r"^(main|secretarial) text of letter$", re.I)
_BLOCKS = {"p", "ab", "dateline", "salute", "signed", "head", "trailer", "byline", "address"}
#: blocks whose manuscript line breaks are kept (short lines, not prose)
_LINED = {"dateline", "address", "signed", "salute", "closer", "opener", "byline"}
_LINED_DIVS = {"dateline", "signature", "opener", "address", "letterhead"}

#: the line labels of a :class:`Sheet`, the parts a letter is made of
LABELS = (
    "letterhead", "dateline", "address", "subject", "salute", "body", "heading", "closing",
    "signature", "postscript", "trailer", "other",
)  # fmt: skip
#: elements that hold running text: body text unless they sit inside a labelled part
_PROSE = {"p", "ab", "list", "table", "lg", "quote", "floatingText"}
#: markup that names a letter part (an edition that has none is labelled by _label_unmarked)
_PART_TAGS = {"opener", "closer", "salute", "dateline", "signed", "address", "postscript"}
_PART_DIVS = {"opener", "closer", "dateline", "signature", "letterhead", "address"}
#: internal labels, resolved from the lines' text once the block is known
_OPENER, _LETTERHEAD, _FRONT = "_opener", "_letterhead", "_front"


def _local(element: etree._Element) -> str | None:
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def sheet_from_tei(path: Path) -> Sheet:
    """The letter in a TEI edition's ``<text>``, as the writer put it on paper, each line
    labelled with the letter part the edition's markup puts it in (see :data:`LABELS`)."""
    root = etree.parse(str(path)).getroot()
    text = root.find(f"{TEI}text")
    sheet = Sheet()
    if text is None:
        return sheet
    for lines, labels in _blocks(text, None):
        kept = [(" ".join(line.split()), label) for line, label in zip(lines, labels, strict=True)]
        kept = [(line, label) for line, label in kept if _written(line, label)]
        if kept:
            sheet.blocks.append([line for line, _ in kept])
            sheet.labels.append([_resolve_line(line, label) for line, label in kept])
    for index, (lines, labels) in enumerate(zip(sheet.blocks, sheet.labels, strict=True)):
        if _OPENER in labels:
            sheet.labels[index] = _resolve_opener(lines, labels)
    if not _has_part_markup(text):
        sheet.labels = _label_unmarked(sheet.blocks, sheet.labels)
    _unmarked_signature(sheet)
    sheet.layout = ["left"] * len(sheet.blocks)
    return sheet


def _unmarked_signature(sheet: Sheet) -> None:
    """A name closing the closer, where the edition marks no signature, is the signature:
    Jean Paul's Berend letters put "Dein / Richter" all in ``closer/salute``."""
    labels = [label for row in sheet.labels for label in row]
    if "signature" in labels or "closing" not in labels:
        return
    rows = list(enumerate(zip(sheet.blocks, sheet.labels, strict=True)))
    for row, (lines, line_labels) in reversed(rows):
        if "closing" not in line_labels:
            continue
        last = max(i for i, label in enumerate(line_labels) if label == "closing")
        line = lines[last]
        if signatures.is_signature_name(line) and not formulas.is_closing(line):
            sheet.labels[row][last] = "signature"
        return


def _written(line: str, label: str | None) -> bool:
    """Whether a line is the writer's: not empty, not a lone full stop, and not a dateline
    the editors supplied in square brackets ("[Enviada a París]", Calvin)."""
    if not line or line == ".":
        return False
    return not (label == "dateline" and line.startswith("[") and line.rstrip(".").endswith("]"))


def _has_part_markup(text: etree._Element) -> bool:
    for element in text.iter():
        tag = _local(element)
        if tag in _PART_TAGS or (tag == "div" and element.get("type") in _PART_DIVS):
            return True
        if tag == "seg" and element.get("type") == "letterhead":
            return True
    return False


def _label(element: etree._Element, context: str | None) -> str | None:
    """The label of ``element``'s text: its own part, else the part it sits in."""
    tag, kind = _local(element), element.get("type")
    div = kind if tag == "div" else None
    if tag == "dateline" or div == "dateline":
        return "dateline"
    if tag == "salute":
        return "closing" if context == "closing" else "salute"
    if tag in {"address", "addrLine"} or div == "address":
        return "address"
    if tag == "signed" or div == "signature":
        return "signature"
    if tag == "closer" or div == "closer":
        return "closing"
    if tag == "opener" or div == "opener":
        return _OPENER
    if tag in {"postscript", "postScript"}:
        return "postscript"
    if tag == "trailer":
        return "trailer"
    if tag == "head":
        return "heading"
    if (tag == "seg" and kind == "letterhead") or div == "letterhead":
        return _LETTERHEAD
    if tag == "hi" and element.get("rend") == "printed" and context == _FRONT:
        return _LETTERHEAD  # Escher: a printed letterhead at the top of the sheet
    if tag == "front":
        return _FRONT
    if tag == "byline" or div in {"annotation"}:
        return "other"
    if tag in _PROSE:
        return context or "body"
    return context


def _blocks(element: etree._Element, context: str | None):  # type: ignore[no-untyped-def]
    """(lines, labels) of each block under ``element``, in reading order."""
    tag = _local(element)
    if tag is None or tag in _SKIP or (tag == "back" and _is_apparatus(element)):
        return
    if tag == "div" and element.get("type") in _SKIP_DIVS:
        return
    if tag == "head" and _EDITORIAL_HEAD.match(" ".join("".join(element.itertext()).split())):
        return
    label = _label(element, context)
    mixed = bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)
    if tag == "address":
        lines = [
            " ".join(" ".join(_inline(line, lined=False, label="address")[0]).split())
            for line in element
            if _local(line) == "addrLine"
        ]
        yield lines, ["address"] * len(lines)
        return
    if tag in _BLOCKS or mixed or not _has_blocks(element):
        yield _inline(element, lined=_is_lined(element), label=label)
        return
    for child in element:
        yield from _blocks(child, label)


def _has_blocks(element: etree._Element) -> bool:
    return any(_local(e) in _BLOCKS for e in element.iterdescendants())


def _is_apparatus(back: etree._Element) -> bool:
    """A ``<back>`` holding only registers (persons, places, works) is not letter text."""
    return all(_local(c) in _SKIP or _local(c) is None for c in back)


def _is_lined(element: etree._Element) -> bool:
    if _local(element) in _LINED:
        return True
    if any(
        _local(e) in {"signed", "salute", "dateline", "address"} for e in element.iterdescendants()
    ):
        return True
    for ancestor in element.iterancestors():
        if _local(ancestor) in {"front", "closer", "opener"}:
            return True
        if _local(ancestor) == "div" and ancestor.get("type") in _LINED_DIVS:
            return True
    return False


@dataclass
class _Pieces:
    """Text pieces with the label of the part each comes from."""

    parts: list[tuple[str, str | None]] = field(default_factory=list)
    #: inside an editor's ``[…]`` in a dateline: supplied, not written (Jean Paul)
    supplied: bool = False

    def add(self, text: str, label: str | None) -> None:
        if not self.supplied or text == "\n":
            self.parts.append((text, label))


def _inline(element: etree._Element, lined: bool, label: str | None) -> tuple[list[str], list[str]]:
    """The lines of a block and the label of each (the label most of its letters carry)."""
    pieces = _Pieces()
    _walk_children(element, pieces, lined, label)
    text = "".join(part for part, _ in pieces.parts)
    marks: list[str | None] = []
    for part, part_label in pieces.parts:
        marks.extend([part_label] * len(part))
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    lines, labels, offset = [], [], start
    for line in text[start:end].split("\n"):
        lines.append(line)
        labels.append(_majority(line, marks[offset : offset + len(line)]) or label or "other")
        offset += len(line) + 1
    return lines, labels


def _majority(line: str, marks: list[str | None]) -> str | None:
    counts: dict[str | None, int] = {}
    for char, mark in zip(line, marks, strict=False):
        if not char.isspace():
            counts[mark] = counts.get(mark, 0) + 1
    best = max(counts.values(), default=0)
    return next((mark for mark, count in counts.items() if count == best and mark), None)


def _walk_children(
    element: etree._Element, pieces: _Pieces, lined: bool, label: str | None
) -> None:
    if element.text:
        pieces.add(_spaces(element.text), label)
    for child in element:
        _walk(child, pieces, lined, label)
        if child.tail:
            pieces.add(_spaces(child.tail), label)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _walk(element: etree._Element, pieces: _Pieces, lined: bool, context: str | None) -> None:
    tag = _local(element)
    if tag == "metamark" and context == "dateline":
        mark = "".join(element.itertext()).strip()
        if mark == "[":
            pieces.supplied = True
        elif mark == "]":
            pieces.supplied = False
        return
    if tag is None or tag in _SKIP:
        return
    if tag == "ref" and element.get("type") == "letter":
        return
    if tag == "add" and element.get("hand"):
        return  # a later hand (an archivist's pencil), not the writer
    label = _label(element, context)
    if tag == "choice":
        kept = [c for c in element if _local(c) in {"abbr", "orig", "sic"}] or list(element)[:1]
        for child in kept[:1]:
            _walk_children(child, pieces, lined, label)
        return
    if tag == "lb":
        if element.get("break") != "no" and element.get("rendition") != "#hyphen":
            pieces.add("\n" if lined else " ", label)
        return
    if tag == "space":
        pieces.add(" ", label)
        return
    if tag in {"signed", "salute", "dateline", "address", "p"} and lined:
        pieces.add("\n", label)
        _walk_children(element, pieces, lined, label)
        pieces.add("\n", label)
        pieces.supplied = False  # an editor's bracket never runs past the dateline
        return
    _walk_children(element, pieces, lined, label)


# -- labels from the text of the lines -------------------------------------------------------

_MONTHS = (
    r"jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec|gen|giu|lug|ago|set|ott|"
    r"dic|genn?aro|febraro|maggio|giugno|luglio|agosto|ottobre|janv|févr|fevr|avr|juin|juil|"
    r"août|aout|déc|ene|abr|dic|mei|okt|maart|juni|juli"
)
#: a date as datelines write it: a year, "17. IX. 90", "3/4 92", "9 maggio"
_DATE = re.compile(
    rf"\b1[0-9]{{3}}\b|\b\d{{1,2}}\s*[./]\s*(?:[IVX]{{1,4}}|\d{{1,2}})\s*[./]\s*\d{{2,4}}\b"
    rf"|\b\d{{1,2}}\.?\s*(?:{_MONTHS})\w*\.?(?:\s|$)",
    re.I,
)
#: how salutations begin, in the corpus' languages
_SALUTE_START = re.compile(
    r"^(?:mein|meine|lieber|liebe|liebster|liebste|theurer|theure|teurer|theuerster|hoch\w*|"
    r"verehrt\w*|sehr|werth\w*|wert\w*|geehrt\w*|dear|dearest|my|sir|madam|cher|chère|chers|"
    r"mon|ma|caro|cara|carissim\w*|egregi\w*|pregiatissim\w*|stimatissim\w*|illustrissim\w*|"
    r"serenissim\w*|eccellentissim\w*|clarissim\w*|gentilissim\w*|amico|amica|signor\w*|"
    r"señor\w*|estimad\w*|querid\w*|beste|lieve|waarde|domine|vir)\b",
    re.I,
)
_ADDRESS_START = re.compile(
    r"^(?:herrn?|hrn?\.?|hherrn|mhherrn|tit\.?|à|a|an|al|alla|all'|to|monsieur\s+\S|madame\s+\S|"
    r"mr\.?|mrs\.?|messrs|messieurs|sr\.?|sig\.?|signor\s+\S+\s+\S|frau|fräulein|wohlgeb\w*)\b",
    re.I,
)
#: a source or archive line an edition put into the opener (Calvin: "Orig. autogr. Bibl. …")
_EDITORIAL_LINE = re.compile(r"^\[|\b(?:bibl\.|biblioth\w*|mss\.|orig\.|autogr\w*|copi[ae])", re.I)


def _resolve_line(line: str, label: str) -> str:
    """Labels that depend on the line's text: a letterhead line with the date is the dateline
    (Schnitzler's printed "Berlin, den … 189." filled in by hand)."""
    if label == _LETTERHEAD:
        return "dateline" if _DATE.search(line) else "letterhead"
    if label == _FRONT:
        return "other"
    if label == "salute" and _SUPERSCRIPTION.match(line):
        return "address"  # "To Sir W. Elford" (Mitford's salute): the superscription
    return label


#: a line naming whom the letter is for, not greeting them
_SUPERSCRIPTION = re.compile(r"^(?:To|An|À|A|Al|Alla|Aan)\s+\S")


def _salute_like(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 10 or _EDITORIAL_LINE.search(line):
        return False
    if re.fullmatch(r"(?i)(monsieur|madame|mademoiselle|sir|signore|señor)[,:!.]?", line):
        return True
    if _ADDRESS_START.match(line):
        return False
    return bool(_SALUTE_START.match(line)) or line.rstrip()[-1:] in {"!", ","}


def _resolve_opener(lines: list[str], labels: list[str]) -> list[str]:
    """An opener's loose lines (Escher's ``div[@type=opener]``, text directly in ``opener``):
    the salutation is the last line that reads like one; lines before it, and lines that
    name a person with "Herrn", "Monsieur", "Tit." or give a street, are the inside address;
    a date makes a dateline; an edition's source line is "other"."""
    loose = [i for i, label in enumerate(labels) if label == _OPENER]
    salute = next((i for i in reversed(loose) if _salute_like(lines[i])), None)
    out = list(labels)
    for i in loose:
        if i == salute:
            out[i] = "salute"
        elif _EDITORIAL_LINE.search(lines[i]):
            out[i] = "other"
        elif _DATE.search(lines[i]) and not _ADDRESS_START.match(lines[i]):
            out[i] = "dateline"
        elif salute is not None and i > salute and _salute_like(lines[i]):
            out[i] = "salute"
        else:
            out[i] = "address"
    return out


#: the subscription above a signature ("di vostra Serenità humilissimo et devotissimo servitore")
_SUBSCRIPTION = re.compile(
    r"\b(?:servitor\w*|serv\w*|devotissim\w*|humilissim\w*|umilissim\w*|humillissim\w*|"
    r"obedient|obliged|faithfully|sincerely|yours|serviteur|dévoué|ergeben\w*|gehorsam\w*|"
    r"diener|affezionatissim\w*|obligatissim\w*|servidor)\b"
    r"|^(?:di|della|de)\s+(?:vostra|v\.|vossignoria|la)\b",
    re.I,
)


def _label_unmarked(blocks: list[list[str]], labels: list[list[str]]) -> list[list[str]]:
    """Labels for a letter whose edition marks no parts (Suriano: every part is a ``<p>``).

    The prose paragraphs are the body; short paragraphs before the first of them are a
    salutation when they read like one (else "other": copy numbers like "2da", "n° 47
    comincia 46"); after the last of them come, in this order, a dateline (a place and a
    date), the subscription, the signature (a short name) and the address on the back
    ("Al serenissimo principe di Venetia"); anything else short there is "other"."""
    texts = [" ".join(lines) for lines in blocks]
    prose = [i for i, text in enumerate(texts) if len(text.split()) > 12]
    first = prose[0] if prose else len(texts)
    last = prose[-1] if prose else -1
    out = [list(block) for block in labels]

    def put(i: int, label: str) -> None:
        out[i] = [label] * len(blocks[i])

    for i in range(len(texts)):
        if first <= i <= last:
            put(i, "body" if out[i][0] in {"body", "other"} else out[i][0])
    salute_seen = False
    for i in range(first):
        is_salute = not salute_seen and _salute_like(texts[i]) and not _DATE.search(texts[i])
        put(i, "salute" if is_salute else "other")
        salute_seen = salute_seen or is_salute
    signed = False
    for i in range(last + 1, len(texts)):
        text = texts[i]
        words = text.split()
        if signed:
            put(i, "address" if _ADDRESS_START.match(text) else "other")
        elif _SUBSCRIPTION.search(text):
            put(i, "closing")
        elif _DATE.search(text) and len(words) <= 14:
            put(i, "dateline")
        elif _name_like(words):
            put(i, "signature")
            signed = True
        elif _ADDRESS_START.match(text):
            put(i, "address")
        else:
            put(i, "other")
    return out


def _name_like(words: list[str]) -> bool:
    """A signature: two to five words, capitalised but for particles, no digits."""
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for w in words for ch in w):
        return False
    capitals = [w for w in words if w[:1].isupper()]
    particles = {"de", "di", "da", "von", "van", "der", "la", "le"}
    return len(capitals) >= 1 and all(w[:1].isupper() or w.lower() in particles for w in words)


# -- layout ----------------------------------------------------------------------------------

#: the width a plain-text rendition right-aligns and centres to
TXT_WIDTH = 72
TXT_INDENT = 40
LAYOUTS = ("left", "right", "center", "indent")
#: labels placed together: a closing formula and its signature form one block on the page
_GROUP = {"closing": "signoff", "signature": "signoff"}


def vary_layout(sheet: Sheet, seed: str) -> Sheet:
    """The same letter laid out as one of the many ways real letters are: a new Sheet.

    Chosen per letter from ``seed`` (the letter's file name) through its SHA-256, never the
    global random state, so a rendition is the same on every run: the dateline right-aligned,
    centred or left; the closing and signature indented, right-aligned or left; a printed
    letterhead centred or left; the salutation and body always left. Only moves real letters
    make: an inside address above the salutation may go below the signature (as in many
    19th-century letters) or one below the signature up above the salutation, and a dateline
    at the head may go to the foot, below the signature. Blocks are first split where the
    part changes (a dateline and salutation in one opener become two blocks), and every line
    keeps its label wherever it moves.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    blocks: list[tuple[list[str], list[str]]] = []
    for lines, labels in zip(sheet.blocks, sheet.label_rows(), strict=True):
        blocks.extend(_split_parts(lines, labels))
    kinds = [_kind(labels) for _, labels in blocks]
    order = list(range(len(blocks)))
    moves = rng.random(), rng.random()
    order = _move_address(order, kinds, moves[0])
    order = _move_dateline(order, kinds, moves[1])
    placement = {
        "dateline": rng.choice(("right", "right", "left", "center")),
        "signoff": rng.choice(("indent", "right", "left")),
        "letterhead": rng.choice(("center", "left")),
        "address": rng.choice(("left", "left", "indent")),
    }
    varied = Sheet(notes=dict(sheet.notes))
    for index in order:
        lines, labels = blocks[index]
        varied.blocks.append(list(lines))
        varied.labels.append(list(labels))
        varied.layout.append(placement.get(kinds[index], "left"))
    return varied


def _split_parts(lines: list[str], labels: list[str]) -> list[tuple[list[str], list[str]]]:
    out: list[tuple[list[str], list[str]]] = []
    for line, label in zip(lines, labels, strict=True):
        if out and _GROUP.get(label, label) == _GROUP.get(out[-1][1][-1], out[-1][1][-1]):
            out[-1][0].append(line)
            out[-1][1].append(label)
        else:
            out.append(([line], [label]))
    return out


def _kind(labels: list[str]) -> str:
    return _GROUP.get(labels[0], labels[0])


def _move_address(order: list[int], kinds: list[str], chance: float) -> list[int]:
    """An inside address directly above the salutation moves below the signature (or the
    reverse) with a chance of one in three."""
    if chance >= 1 / 3 or "signoff" not in kinds:
        return order
    seq = [kinds[i] for i in order]
    last_signoff = max(p for p, kind in enumerate(seq) if kind == "signoff")
    if "salute" in seq:
        salute = seq.index("salute")
        top = salute
        while top > 0 and seq[top - 1] == "address":
            top -= 1
        if top < salute and last_signoff > salute:
            moved = order[top:salute]
            rest = order[:top] + order[salute:]
            at = rest.index(order[last_signoff]) + 1
            return rest[:at] + moved + rest[at:]
    end = last_signoff + 1
    while end < len(seq) and seq[end] == "address":
        end += 1
    if end > last_signoff + 1 and "address" not in seq[:last_signoff]:
        moved = order[last_signoff + 1 : end]
        rest = order[: last_signoff + 1] + order[end:]
        anchor = next((p for p, i in enumerate(rest) if kinds[i] in {"salute", "body"}), None)
        if anchor is not None:
            return rest[:anchor] + moved + rest[anchor:]
    return order


def _move_dateline(order: list[int], kinds: list[str], chance: float) -> list[int]:
    """A dateline at the head (before the body) moves below the signature, one time in five,
    when the letter has no dateline at its foot already."""
    if chance >= 0.2:
        return order
    seq = [kinds[i] for i in order]
    if "body" not in seq or "signoff" not in seq:
        return order
    first_body = seq.index("body")
    head = [p for p in range(first_body) if seq[p] == "dateline"]
    if len(head) != 1 or "dateline" in seq[first_body:]:
        return order
    moved = order[head[0]]
    rest = [i for i in order if i != moved]
    last_signoff = max(p for p, i in enumerate(rest) if kinds[i] == "signoff")
    return [*rest[: last_signoff + 1], moved, *rest[last_signoff + 1 :]]


def _txt_line(line: str, layout: str) -> str:
    if layout == "right" and len(line) < TXT_WIDTH:
        return line.rjust(TXT_WIDTH)
    if layout == "center" and len(line) < TXT_WIDTH:
        return line.center(TXT_WIDTH).rstrip()
    if layout == "indent":
        return " " * TXT_INDENT + line
    return line


# -- writers ---------------------------------------------------------------------------------


def write_txt(sheet: Sheet, target: Path) -> None:
    """Plain text; right-aligned and centred lines padded with spaces to a 72-column line,
    indented blocks set in by 40 spaces, as a typewriter letter places them."""
    body = "\n\n".join(
        "\n".join(_txt_line(line, sheet.placement(i)) for line in lines)
        for i, lines in enumerate(sheet.blocks)
    )
    notes = "\n\n".join(f"[{label}] {text}" for label, text in sheet.notes.items())
    target.write_text(f"{body}\n\n{notes}\n" if notes else f"{body}\n", encoding="utf-8")


def write_docx(sheet: Sheet, target: Path) -> None:
    """One Word paragraph per block, line breaks inside it, footnotes as real Word notes;
    a block's layout becomes the paragraph's alignment or a left indent of 8 cm."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    alignments = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
    document = Document()
    for index, lines in enumerate(sheet.blocks):
        paragraph = document.add_paragraph()
        layout = sheet.placement(index)
        if layout in alignments:
            paragraph.alignment = alignments[layout]
        elif layout == "indent":
            paragraph.paragraph_format.left_indent = Cm(8)
        for index, line in enumerate(lines):
            for piece in (p for p in _CALLOUT_SPLIT.split(line) if p):
                paragraph.add_run(piece)
            if index < len(lines) - 1:
                paragraph.runs[-1].add_break()
    core = document.core_properties
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        members = {name: package.read(name) for name in package.namelist()}
    if sheet.notes:
        members = _with_footnotes(members, sheet.notes)
    with zipfile.ZipFile(target, "w") as package:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _with_footnotes(members: dict[str, bytes], notes: dict[str, str]) -> dict[str, bytes]:
    document = etree.fromstring(members["word/document.xml"])
    for t in list(document.iter(_w("t"))):
        match = CALLOUT.fullmatch(t.text or "")
        if match and match[1] in notes:
            run = t.getparent()
            reference = etree.Element(_w("r"))
            rpr = etree.SubElement(reference, _w("rPr"))
            etree.SubElement(rpr, _w("vertAlign"), {_w("val"): "superscript"})
            etree.SubElement(reference, _w("footnoteReference"), {_w("id"): match[1]})
            run.getparent().replace(run, reference)
    footnotes = etree.Element(_w("footnotes"), nsmap={"w": W})
    for note_id, kind in (("-1", "separator"), ("0", "continuationSeparator")):
        note = etree.SubElement(footnotes, _w("footnote"), {_w("type"): kind, _w("id"): note_id})
        etree.SubElement(etree.SubElement(etree.SubElement(note, _w("p")), _w("r")), _w(kind))
    for label, text in notes.items():
        note = etree.SubElement(footnotes, _w("footnote"), {_w("id"): label})
        paragraph = etree.SubElement(note, _w("p"))
        ref_run = etree.SubElement(paragraph, _w("r"))
        rpr = etree.SubElement(ref_run, _w("rPr"))
        etree.SubElement(rpr, _w("vertAlign"), {_w("val"): "superscript"})
        etree.SubElement(ref_run, _w("footnoteRef"))
        t = etree.SubElement(etree.SubElement(paragraph, _w("r")), _w("t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = f" {text}"
    rels = etree.fromstring(members["word/_rels/document.xml.rels"])
    rel_ns = etree.QName(rels).namespace
    etree.SubElement(
        rels, f"{{{rel_ns}}}Relationship", Id="rIdFootnotes", Type=_FOOTNOTES_REL,
        Target="footnotes.xml",
    )  # fmt: skip
    types = etree.fromstring(members["[Content_Types].xml"])
    types_ns = etree.QName(types).namespace
    etree.SubElement(
        types, f"{{{types_ns}}}Override", PartName="/word/footnotes.xml",
        ContentType=_FOOTNOTES_TYPE,
    )  # fmt: skip
    out = dict(members)
    out["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    out["word/footnotes.xml"] = etree.tostring(footnotes, xml_declaration=True, encoding="UTF-8")
    out["word/_rels/document.xml.rels"] = etree.tostring(
        rels, xml_declaration=True, encoding="UTF-8"
    )
    out["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
    return out


def write_pdf(sheet: Sheet, target: Path) -> None:
    """A4 pages set by reportlab; footnotes at the foot of the page of their callout; each
    block aligned (or indented by 8 cm) as its layout says."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, spaceAfter=11)
    small = ParagraphStyle("note", fontName="Helvetica", fontSize=9, leading=11)
    pending: list[str] = []

    def callout(_canvas, _kind, label):  # type: ignore[no-untyped-def]
        pending.append(label)

    def begin(canvas, _doc):  # type: ignore[no-untyped-def]
        canvas.setNamedCB("footnote", callout)

    def end(canvas, doc):  # type: ignore[no-untyped-def]
        y = 2.3 * cm
        for label in reversed(pending):
            note = Paragraph(f"{label} {_markup(sheet.notes[label], callouts=False)}", small)
            _, height = note.wrap(doc.width, 3 * cm)
            note.drawOn(canvas, doc.leftMargin, y)
            y += height + 4
        if pending:
            canvas.line(doc.leftMargin, y + 2, doc.leftMargin + 5 * cm, y + 2)
        pending.clear()
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, str(doc.page))

    doc = BaseDocTemplate(
        str(target), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
        topMargin=2.5 * cm, bottomMargin=5 * cm, invariant=1, title="Letter",
    )  # fmt: skip
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="text",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates(PageTemplate("letter", [frame], onPage=begin, onPageEnd=end))
    styles = {
        "left": body,
        # set off by more space, so a reader sees where a placed block starts and ends
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT, spaceBefore=8),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER, spaceBefore=8),
        "indent": ParagraphStyle("indent", parent=body, leftIndent=8 * cm, spaceBefore=8),
    }
    story = [
        _pdf_block(lines, styles.get(sheet.placement(i), body), set(sheet.notes))
        for i, lines in enumerate(sheet.blocks)
    ]
    doc.build(story)


_COLUMN_GAP = re.compile(r"\s{3,}|\t+")


def _pdf_block(lines: list[str], style, labels: set[str]):  # type: ignore[no-untyped-def]
    """A paragraph; side-by-side lines (signatures in columns) as a table without rules."""
    from reportlab.platypus import Paragraph, Table

    if not any(_COLUMN_GAP.search(line.strip()) for line in lines):
        return Paragraph("<br/>".join(_markup(line, callouts=labels) for line in lines), style)
    columns = _columns(lines)
    cells = [Paragraph("<br/>".join(escape(x) for x in column), style) for column in columns]
    return Table([cells], hAlign="LEFT")


def _columns(lines: list[str]) -> list[list[str]]:
    """Lines split at runs of spaces, each piece in the column nearest its start."""
    widest = max(lines, key=lambda line: len(_COLUMN_GAP.split(line.strip())))
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s{3}))\S", widest)]
    columns: list[list[str]] = [[] for _ in starts]
    for line in lines:
        for match in re.finditer(r"\S+(?:\s{1,2}\S+)*", line):
            nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - match.start()))
            columns[nearest].append(match.group(0))
    return columns


_URL = re.compile(r"https?://\S+")


def _callout_markup(match: re.Match[str], labels: set[str] | bool) -> str:
    if isinstance(labels, set) and match[1] not in labels:
        return match[0]
    return f'<super>{match[1]}</super><onDraw name="footnote" label="{match[1]}"/>'


def _markup(line: str, *, callouts: set[str] | bool) -> str:
    text = escape(line)
    text = _URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', text)
    if callouts:
        text = CALLOUT.sub(lambda m: _callout_markup(m, callouts), text)
    return text


WRITERS = {"txt": write_txt, "docx": write_docx, "pdf": write_pdf}
