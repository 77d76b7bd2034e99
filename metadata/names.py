"""People, organisations and roles as letters write them.

Signature blocks and address blocks are lists of short lines: a person's name, a role
("Secretary General"), an organisation ("Human Rights Watch"). :func:`classify_line` tells
them apart with small multilingual vocabularies; no authority file is consulted, and no
identifier is ever invented for a person.
"""

from __future__ import annotations

import re

ROLE_WORDS = frozenset(
    """
secretary general director president vice chair chairman chairwoman chairperson executive
chief officer head manager professor prof minister ambassador editor coordinator advisor adviser
researcher counsel deputy senior founder ceo cfo coo treasurer representative spokesperson
mayor governor senator dean rector consul commissioner lecturer associate assistant
leiter leiterin geschäftsführer geschäftsführerin vorsitzender vorsitzende direktor direktorin
präsident präsidentin directeur directrice président présidente secrétaire
johtaja puheenjohtaja pääsihteeri toiminnanjohtaja generalsekretær generalsekreterare
ordförande styreleder direttore direttrice presidente segretario segretaria director directora
secretario secretaria voorzitter directeur-generaal
""".split()
)

ORG_WORDS = frozenset(
    """
committee commission council division department office ministry society association union
university college institute institution foundation trust bank company corporation group centre
center agency bureau federation league network coalition international national party church
school museum library archive archives press inc ltd llc plc gmbh ag e.v. verein stiftung
gesellschaft ministerium universität amt bundesamt watch rights amnesty board services partners
fund forum alliance organisation organization secretariat embassy parliament government chamber
court police directorate unit programme program project campaign
comité conseil fondation université ministère société syndicat
yhdistys liitto ministeriö yliopisto komitea säätiö
komité kommittén stiftelse förbund forbund universitet departement
associazione fondazione università ministero comitato
asociación fundación universidad ministerio
vereniging stichting universiteit ministerie
""".split()
)

HONORIFICS = frozenset(
    """
mr mrs ms miss mx dr prof sir madam dame lord lady rev hon herr frau fräulein monsieur madame
mademoiselle m mme mlle herrn signor signora sig sr sra don doña heer mevrouw dhr mevr
""".split()
)

_PARTICLES = "von|van|de|der|den|da|di|du|la|le|af|zu|y|bin|al"
_NAME_TOKEN = re.compile(rf"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’\-]*\.?|[A-Z]\.|(?:{_PARTICLES})$)$")


def words(line: str) -> list[str]:
    return [w.strip(",;:()") for w in line.split() if w.strip(",;:()")]


def _lower_words(line: str) -> set[str]:
    return {w.lower().rstrip(".") for w in words(line)} | {w.lower() for w in words(line)}


def is_role(line: str) -> bool:
    tokens = _lower_words(line)
    return bool(tokens & ROLE_WORDS) and not (tokens & ORG_WORDS - ROLE_WORDS and len(tokens) > 3)


#: endings of compound organisation words (Umweltbundesamt, kaupunginkirjasto, Riksarkivet)
ORG_SUFFIXES = (
    "amt",
    "ministerium",
    "verein",
    "stiftung",
    "gesellschaft",
    "kirjasto",
    "yliopisto",
    "ministeriö",
    "virasto",
    "yhdistys",
    "säätiö",
    "arkisto",
    "museo",
    "arkivet",
    "verket",
    "förbundet",
    "departementet",
    "universitetet",
    "bibliotek",
    "biblioteket",
    "museum",
)


def is_org(line: str) -> bool:
    tokens = _lower_words(line)
    return bool(tokens & ORG_WORDS) or any(len(t) > 6 and t.endswith(ORG_SUFFIXES) for t in tokens)


def strip_honorifics(name: str) -> str:
    """ "Mr. President Sauli Niinistö" → "President Sauli Niinistö" (roles are kept)."""
    tokens = words(name)
    while tokens and tokens[0].lower().rstrip(".") in HONORIFICS:
        tokens = tokens[1:]
    return " ".join(tokens)


def split_title(line: str) -> tuple[str, str]:
    """ "Minister Anna Lindqvist" → ("Minister", "Anna Lindqvist"): leading honorifics and
    role words apart from the name that follows them."""
    tokens = words(line)
    cut = 0
    while cut < len(tokens) - 1 and (
        tokens[cut].lower().rstrip(".") in HONORIFICS or tokens[cut].lower() in ROLE_WORDS
    ):
        cut += 1
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


def looks_like_person(line: str) -> bool:
    """Two to five capitalised name tokens, no digits, no role or organisation word."""
    tokens = words(strip_honorifics(line))
    if not 2 <= len(tokens) <= 5 or any(ch.isdigit() for ch in line):
        return False
    if is_org(line) or _lower_words(line) & ROLE_WORDS:
        return False
    return all(_NAME_TOKEN.match(token) for token in tokens) and tokens[-1][:1].isupper()


def classify_line(line: str, body_text: str = "") -> str:
    """ "person", "role", "org" or "other" for one line of a signature or address block.

    ``body_text`` helps with organisations the vocabulary does not know: a signatory's own
    name is rarely repeated in the letter, but the organisation it speaks for often is.
    """
    line = line.strip().rstrip(",")
    if is_role(line):
        return "role"
    if is_org(line):
        return "org"
    if looks_like_person(line):
        mentioned = body_text and len(words(line)) >= 3 and line in body_text
        return "org" if mentioned else "person"
    return "other"


def person_from_salute(salute: str) -> str | None:
    """The addressee a salutation names: "Dear Chairwoman Ellison:" → "Ellison"."""
    text = salute.strip().rstrip(",:;!").strip()
    text = re.sub(
        r"^(?:my\s+)?(?:dear(?:est)?|sehr geehrte[rs]?|liebe[rs]?|cher|chère|hyvä|arvoisa|kära|"
        r"bästa|kjære|kære|caro|cara|gentile|egregio|estimado|estimada|querido|querida|"
        r"geachte|beste|lieve|hello|hi|hallo|hei|hej)\b\s*",
        "",
        text,
        flags=re.IGNORECASE,
    )
    tokens = [t for t in words(text) if t.lower().rstrip(".") not in HONORIFICS]
    tokens = [t for t in tokens if t.lower() not in ROLE_WORDS]
    if not tokens or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    if len(tokens) == 1 and tokens[0].lower() in {"sir", "madam", "friend", "colleagues", "all"}:
        return None
    return " ".join(tokens)


def surname(name: str) -> str:
    tokens = words(strip_honorifics(name))
    return tokens[-1] if tokens else name
