"""Signature blocks: which short lines sign the letter, and who signs.

One ``<signed>`` per signatory: a person's line starts a signatory, role and organisation lines
attach to the person above them (lines before the first person, "For the Committee", attach to
the first). Two signatories side by side are two columns: in plain text separated by runs of
spaces or a tab, in Word or PDF a table whose cells are signature blocks.
"""

from __future__ import annotations

import re

from ingest.letter import formulas
from ingest.letter.model import Signatory
from ingest.model import Table
from metadata import names

#: the most lines a signature block has
MAX_LINES = 8
_COLUMN_GAP = re.compile(r"\t+|\s{3,}")
_SENTENCE_BREAK = re.compile(r"[.!?]\s")
#: a signature "for"/"on behalf of" an organisation, or signed by an assistant
PROXY = re.compile(
    r"^(?:for|per|pour|für|för|on behalf of|namens|i\.\s?a\.|im auftrag|p\.\s?p\.|pp\.?|"
    r"p\.\s?o\.|i\.\s?v\.|in vertretung|by)\b",
    re.IGNORECASE,
)
#: nouns that end a closing formula and are not the writer's name ("Ihr treuer Schüler")
CLOSING_NOUNS = frozenset(
    """
servant servants friend friends son daughter brother sister nephew niece cousin pupil scholar
diener dienerin freund freundin schüler schülerin sohn tochter bruder schwester neffe nichte
vetter verehrer verehrerin søn datter broder bror søster ven veninde venn tjener serviteur
serviteurs ami amie fils fille frère sœur soeur neveu élève servitore amico amica figlio
figlia fratello sorella nipote servidor servidora amigo amiga hijo hija hermano hermana
sobrino dienaar dienares vriend vriendin zoon dochter broer zuster neef poikasi tyttäresi
veljesi sisaresi ystäväsi ihrige ihriger ihrigen deinige deiniger deinigen seinige
""".split()
)


#: one capitalised word of three to five letters cut short with a period ("Präs.", "Sekr.")
_ROLE_ABBREVIATION = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]{2,4}\.$")
#: the writer's and the reader's pronouns German capitalises in a closing formula
_PRONOUNS = frozenset(
    "dein deine deinem deinen deiner deines ihr ihre ihrem ihren ihrer ihres euer eure eurem "
    "euren dich dir ganz".split()
)
#: closing phrases whose capitalised words could pass for a name
_COURTESY_PHRASE = re.compile(
    r"^(?:auf (?:baldiges )?wiedersehen|von herzen|in treue|in eile|alles gute|alles herzliche|"
    r"herzlichst|herzlich)\b",
    re.IGNORECASE,
)


@formulas.remembered
def is_signature_line(line: str) -> bool:
    """A line that may stand in a signature block: short, not a sentence, not a date."""
    line = line.strip()
    if not line or len(line) > 70 or len(line.split()) > 9 or re.search(r"[?!]", line):
        return False
    if formulas.is_date_line(line) or formulas.is_weekday_line(line):
        return False
    words = line.split()
    if len(words) >= 4 and sum(w[:1].islower() for w in words) * 2 > len(words):
        return False  # a phrase, not a name, role or organisation
    if is_signature_name(line):
        return True
    return not formulas.ends_sentence(line) or _ends_with_initial(line) or line.endswith(".)")


def _ends_with_initial(line: str) -> bool:
    """ "J. S. Mill", "R. Etzensberger.", "Th H." end with a period without ending a sentence."""
    tokens = line.split()
    if not tokens:
        return False
    last = tokens[-1]
    short = len(last.rstrip(".")) <= 3 and last.endswith(".")
    return short or (len(tokens) <= 4 and names.looks_like_person(line.rstrip(".")))


@formulas.remembered
def is_signature_name(line: str) -> bool:
    """A line that names who signs: a person, initials, a lone name ("Margot", "BEETHOVEN.")."""
    name = names.signature_name(line)
    if not name or any(ch.isdigit() for ch in name) or PROXY.match(name):
        return False
    if formulas.strong_closing_words(name) or _COURTESY_PHRASE.match(name):
        return False  # "Herzlichen Gruss", "Von Herzen": capitalised, yet no one's name
    if any(token.lower().strip(".,") in _PRONOUNS for token in name.split()):
        return False  # "Dein", "Ganz Ihr", "Dich Dein": the formula's, not a name
    if names.looks_like_person(name):
        return True
    tokens = names.strip_honorifics(name).split()
    if not 0 < len(tokens) <= 3 or names.is_role(name) or names.is_org(name):
        return False
    if any(t.lower().rstrip(".,") in CLOSING_NOUNS or t.lower() in names.SALUTE_NOUNS
           for t in tokens):  # fmt: skip
        return False
    return all(re.match(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’\-]*\.?|(?:[A-Z]\.){1,3}[A-Z]?)$", t)
               for t in tokens)  # fmt: skip


@formulas.remembered
def split_closing_and_name(line: str) -> tuple[str, str] | None:
    """ "Ever your's M. R. Mitford." → ("Ever your's", "M. R. Mitford."); "Ihr treuer Arthur"
    → ("Ihr treuer", "Arthur"); None when the line holds no name after its formula."""
    tokens = line.split()
    # the name is at most four words: only the last four cuts can give one
    for cut in range(max(1, len(tokens) - 4), len(tokens)):
        head, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        if tail.endswith(",") or not tail[:1].isupper() or _SENTENCE_BREAK.search(head):
            continue
        if formulas.is_closing(head) and is_signature_name(tail):
            return head, tail
    return None


def columns(lines: list[str]) -> list[list[str]]:
    """Side-by-side signature lines split into columns (one column when there is no gap)."""
    if not any(_COLUMN_GAP.search(line.strip()) for line in lines):
        return [lines]
    widest = max(lines, key=lambda line: len(_pieces(line)))
    starts = [start for start, _ in _pieces(widest)]
    out: list[list[str]] = [[] for _ in starts]
    for line in lines:
        for start, piece in _pieces(line):
            nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - start))
            out[nearest].append(piece)
    return [column for column in out if column]


def _pieces(line: str) -> list[tuple[int, str]]:
    pieces, position = [], 0
    for part in _COLUMN_GAP.split(line.rstrip()):
        start = line.index(part, position) if part else position
        if part.strip():
            pieces.append((start, part.strip()))
        position = start + len(part)
    return pieces


def table_columns(table: Table) -> list[list[str]]:
    """The cells of a signature table, column by column."""
    width = max((len(row) for row in table.rows), default=0)
    out: list[list[str]] = [[] for _ in range(width)]
    for row in table.rows:
        for index, cell in enumerate(row):
            for block in cell:
                out[index].extend(block.lines)
    return [column for column in out if column]


def is_signature_table(table: Table) -> bool:
    cells = table_columns(table)
    return (
        1 < len(cells) <= 4
        and all(
            len(cell) <= MAX_LINES and all(is_signature_line(line) for line in cell)
            for cell in cells
        )
        and any(is_signature_name(cell[0]) for cell in cells)
    )


def group_signatories(groups: list[list[str]], body_text: str = "") -> list[Signatory]:
    """One signatory per person named; role and organisation lines attach to the name above,
    and lines before the first name ("For the Committee") to the first name."""
    signatories: list[list[tuple[str, str]]] = []
    pending: list[tuple[str, str]] = []
    for lines in groups:
        for column in columns(lines):
            for line in [piece for text in column for piece in _name_and_role(text)]:
                kind = _kind(line, body_text)
                current = signatories[-1] if signatories else None
                if kind == "person" and current and _ROLE_ABBREVIATION.match(line.strip()):
                    kind = "role"  # "Joh Mohr / Präs.": a role cut short below the name
                if kind == "person" and (current is None or any(k == "person" for k, _ in current)):
                    signatories.append([*pending, (kind, line)])
                    pending = []
                elif current is None:
                    pending.append((kind, line))
                else:
                    current.append((kind, line))
    if pending:
        signatories.append(pending)
    return [Signatory(tuple(lines)) for lines in signatories if lines]


def _name_and_role(line: str) -> list[str]:
    """ "Dr E. Escher Stadtschreiber" (a PDF reader's one line of two): the name, then the role."""
    words = line.split()
    if len(words) < 3 or not names.is_role(words[-1]):
        return [line]
    head = " ".join(words[:-1])
    if names.is_role(head) or not names.looks_like_person(names.strip_honorifics(head)):
        return [line]
    return [head, words[-1]]


def _kind(line: str, body: str) -> str:
    if PROXY.match(line.strip()):
        return "org" if names.is_org(line) else "other"
    if formulas.is_closing(line):
        return "other"
    kind = names.classify_line(line, body)
    if kind == "other" and is_signature_name(line):
        return "person"
    return kind
