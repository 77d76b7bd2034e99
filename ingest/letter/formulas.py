"""The fixed formulas letters are made of, in the languages Epistula reads.

Each function answers one question about one short piece of text; the passes in
``ingest.letter.anatomy`` decide where to ask it.
"""

from __future__ import annotations

import re

_SALUTE = re.compile(
    r"^(?:my\s+)?(?:dear(?:est)?|to whom it may concern|hi|hello|sir|madam|gentlemen|ladies|"
    r"mr\.?|mrs\.?|ms\.?|dr\.?|excellency|your excellency|sehr geehrte[rs]?|liebe[rs]?|hallo|"
    r"guten tag|cher|chère|chers|chères|madame|monsieur|mesdames|messieurs|hyvä|hyvät|arvoisa|"
    r"kära|bästa|hej|kjære|kære|hei|caro|cara|cari|gentile|gentili|egregio|spettabile|"
    r"estimado|estimada|estimados|querido|querida|distinguido|señor|señora|geachte|beste|"
    r"lieve|hooggeachte)\b",
    re.IGNORECASE,
)

_CLOSING = re.compile(
    r"^(?:(?:yours|ever|most|very|with|all|best|kind|warm|warmest|sincerely|respectfully|"
    r"faithfully|truly|cordially|regards|love|affectionately|your|believe me|i remain|"
    r"thank you|thanks|cheers|mit freundlichen grüßen|mit freundlichen grüssen|"
    r"freundliche grüße|beste grüße|herzliche grüße|hochachtungsvoll|viele grüße|dein|deine|"
    r"ihr|ihre|veuillez|je vous prie|cordialement|bien à vous|amitiés|sincères salutations|"
    r"ystävällisin terveisin|terveisin|parhain terveisin|kunnioittavasti|ystävällisesti|"
    r"med vänliga hälsningar|vänliga hälsningar|hälsningar|med venlig hilsen|venlig hilsen|"
    r"med vennlig hilsen|vennlig hilsen|hilsen|cordiali saluti|distinti saluti|saluti|"
    r"un caro saluto|atentamente|saludos|un saludo|cordialmente|met vriendelijke groet|"
    r"vriendelijke groeten|hoogachtend|met hartelijke groet)\b)",
    re.IGNORECASE,
)

_SUBJECT = re.compile(
    r"^(?:re|subject|subj|concerning|regarding|betreff|betrifft|betr|objet|oggetto|asia|"
    r"ämne|emne|asunto|onderwerp|ref)\s*[:.]\s*",
    re.IGNORECASE,
)

_POSTSCRIPT = re.compile(r"^(?:p\.\s?p\.\s?s\.|p\.\s?s\.|pps\b|ps\b|n\.\s?b\.|nb\b)\s*[:.,-]?",
                         re.IGNORECASE)

_TRAILER = re.compile(
    r"^(?:cc|c\.c\.|bcc|copy to|copies to|encl(?:osures?)?|enc|attachments?|anlagen?|verteiler|"
    r"pj|p\.j\.|pièces? jointes?|copie|liitteet|liite|jakelu|bilagor|bilaga|kopia|vedlegg|"
    r"kopi|allegati|allegato|anexos?|copia|bijlagen?|kopie)\s*[:.]",
    re.IGNORECASE,
)

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)]*$")


def is_salute(text: str) -> bool:
    """A salutation: short, one line, opening with a greeting or an honorific, or ending in , : !"""
    line = text.strip()
    if "\n" in line or not line or len(line) > 90:
        return False
    if _SALUTE.match(line):
        return len(line.split()) <= 10 and not line.endswith(".")
    return False


def is_closing(text: str) -> bool:
    """A closing formula: "Sincerely,", "Mit freundlichen Grüßen", "Ever your loving brother,"."""
    line = text.strip()
    return bool(line) and len(line) <= 80 and bool(_CLOSING.match(line)) and "\n" not in line


def subject_marker(text: str) -> re.Match[str] | None:
    return _SUBJECT.match(text.strip())


def is_postscript(text: str) -> bool:
    return bool(_POSTSCRIPT.match(text.strip()))


def is_trailer(text: str) -> bool:
    return bool(_TRAILER.match(text.strip()))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def is_heading_like(text: str) -> bool:
    """One short line that reads as a heading: capitalised, no closing punctuation."""
    line = text.strip()
    return (
        bool(line)
        and "\n" not in line
        and len(line) <= 120
        and len(line.split()) <= 16
        and line[:1].isupper()
        and not ends_sentence(line)
        and not line.endswith(",")
    )
