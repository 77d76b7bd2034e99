"""The fixed formulas letters are made of, in the languages Epistula reads: English, German,
French, Finnish, Swedish, Norwegian, Danish, Italian, Spanish and Dutch, from the eighteenth
century to today.

Each function answers one question about one short piece of text; the passes decide where to
ask it. A salutation opens with a greeting or an honorific ("Dear", "Sehr geehrte", "Hyvä",
"Illustrissimo"); a closing formula opens with one ("Yours sincerely", "Mit freundlichen
Grüßen", "Ystävällisin terveisin", "Votre dévoué") or, in older letters, is a sentence of
courtesy ("Veuillez agréer…", "I have the honour to be, Sir, your most obedient servant").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

from metadata.dates import find_date, weekday_span

_T = TypeVar("_T")

#: lines up to this long have their answers kept (see :func:`remembered`)
REMEMBERED_CHARS = 300


def remembered(question: Callable[[str], _T]) -> Callable[[str], _T]:
    """Keep the answers of a question about one short line: the passes ask the same ones
    about the same lines again and again. Only for questions whose answer depends on the line
    alone (and is immutable)."""
    cached = lru_cache(maxsize=8192)(question)

    @wraps(question)
    def ask(line: str) -> _T:
        return cached(line) if len(line) <= REMEMBERED_CHARS else question(line)

    return ask


def _words(text: str) -> str:
    return "|".join(sorted((w.replace(" ", r"\s+") for w in text.split("|")), key=len,
                           reverse=True))  # fmt: skip


_SALUTE_WORDS = _words(
    "dear|dearest|my dear|my dearest|hi|hello|sir|madam|madame|gentlemen|ladies|"
    "to whom it may concern|honoured|honored|respected|esteemed|highly esteemed|"
    "most honoured|best of|mr|mrs|ms|miss|dr|excellency|your excellency|good morning|"
    "sehr geehrte|sehr geehrter|sehr geehrtes|geehrte|geehrter|liebe|lieber|liebes|liebste|"
    "liebster|mein lieber|meine liebe|mein liebes|meine liebste|mein liebster|verehrte|"
    "verehrter|verehrtester|verehrteste|hochverehrte|hochverehrter|hochverehrtester|"
    "hochgeachtete|hochgeachteter|hochgeehrte|hochgeehrter|hochwohlgeborner|hochwohlgeborener|"
    "hochwohlgeboren|wohlgeborner|teure|teurer|theurer|theure|werte|werter|werther|guten tag|"
    "hallo|grüß gott|servus|hochwürdiger|euer hochwohlgeboren|cher|chère|chers|chères|"
    "mon cher|ma chère|mon très cher|ma très chère|mes chers|madame|monsieur|mesdames|"
    "messieurs|mademoiselle|bonjour|salut|hyvä|hyvät|arvoisa|arvoisat|rakas|rakkaat|hei|"
    "kunnioitettu|kära|käre|bästa|hej|hejsan|ärade|högtärade|min kära|min käre|kjære|kære|"
    "kjaere|ærede|høistærede|højtærede|min kjære|min kære|caro|cara|cari|care|carissimo|"
    "carissima|gentile|gentili|gentilissimo|gentilissima|egregio|egregia|egregi|spettabile|"
    "illustrissimo|illustrissima|illustre|stimatissimo|pregiatissimo|pregiatissima|ciao|"
    "mio caro|mia cara|estimado|estimada|estimados|estimadas|querido|querida|queridos|"
    "queridas|distinguido|distinguida|muy señor|muy señora|muy señores|apreciado|apreciada|"
    "hola|mi querido|mi querida|geachte|beste|lieve|hooggeachte|weledelgeboren|weledele|"
    "zeergeachte|waarde|hooggeleerde|zeer geachte|mijn lieve|mijn beste|beminde|"
    # the forms of address of older letters (16th to 19th century)
    "hochgeehrtester|hochgeehrteste|theuerster|theuerste|teuerster|teuerste|werthester|"
    "wertester|werteste|wertheste|liebwerther|geliebter|geliebte|geliebtester|"
    "mein bester|meine beste|gnädigster|gnädigste|gnädiger|gnädige|hochzuverehrender|"
    "hochzuverehrende|verehrungswürdigster|verehrungswürdiger|verehrungswerter|"
    "hochgebietender|euer wohlgeboren|euer hochwürden|euer excellenz|euer gnaden|"
    "ew. wohlgeboren|hochedelgeborner|hochedler|wohlgeborener|hochwürdigster|hochverehrtester|"
    "hochverehrteste|innigstgeliebter|theurer freund|serenissimo|serenissima|serenissimi|"
    "eccellentissimo|eccellentissima|eccellentissimi|illustrissimi|illustrissime|"
    "molto illustre|molto reverendo|reverendissimo|reverendissima|clarissimo|magnifico|"
    "molto magnifico|signor mio|signore mio|amatissimo|amatissima|dilettissimo|"
    "très cher|très chère|très chers|très chères|tres cher|monseigneur|messeigneurs|sire|"
    "très honoré|très honorée|très honorés|bien aimé|bien-aimé|bien aimés|chers frères|"
    "mes frères|mon frère|ma sœur|mon seigneur|señor mío|señora mía|señores míos|"
    "excelentísimo|excelentísima|ilustrísimo|ilustrísima|muy ilustre|muy querido|"
    "muy querida|muy estimado|muy estimada|muy amado|muy amada|carísimo|carísima|amado|"
    "amada|amados|honoured sir|honored sir|reverend sir|honoured madam|honored madam|"
    "dear madam|weledelgestrenge|hooggeboren|edelachtbare|zeer geliefde|geliefde|señor|señora|"
    "señores|señorita|seigneur|seigneurs|madamoiselle|queridísimo|queridísima|estimadísimo|"
    "estimadísima|amadísimo|amadísima|mis hermanos|mi hermano|hermanos|nobles"
)
_SALUTE = re.compile(rf"^(?:{_SALUTE_WORDS})\b", re.IGNORECASE)
#: possessives open salutations ("My dear Sir") and sentences alike: ask for more
_POSSESSIVE_OPENING = re.compile(
    r"^(?:my|mein|meine|mon|ma|mes|min|mina|mio|mia|mi|mijn)\b", re.IGNORECASE
)

#: salutations that open with an honorific alone end as salutations do ("Madame," not
#: "Madame Claire Duvernay", which is an address line)
_HONORIFIC_OPENING = re.compile(
    r"^(?:mr|mrs|ms|miss|dr|sir|madam|madame|monsieur|mesdames|messieurs|mademoiselle|"
    r"gentlemen|ladies|gentile|gentili|egregio|egregia|spettabile|illustre|señor|señora|"
    r"excellency|your excellency|herr|frau|señores|señorita|seigneur|seigneurs|nobles)\b\.?",
    re.IGNORECASE,
)

_CLOSING_WORDS = _words(
    "yours|your|ever|very truly|truly|sincerely|faithfully|respectfully|cordially|best|"
    "best regards|best wishes|kind regards|kindest regards|warm regards|warmest regards|"
    "regards|love|with love|all my love|all the best|cheers|thanks|thank you|many thanks|"
    "believe me|i remain|i am|we remain|we are|i have the honour|i have the honor|"
    "with best wishes|with kind regards|with every good wish|affectionately|most sincerely|"
    "most respectfully|god bless you|farewell|adieu|respectfully yours|sincerely yours|"
    "mit freundlichen grüßen|mit freundlichen grüssen|mit freundlichem gruß|"
    "mit freundlichem gruss|freundliche grüße|freundliche grüsse|mit besten grüßen|"
    "mit besten grüssen|beste grüße|beste grüsse|herzliche grüße|herzliche grüsse|herzlich|"
    "herzlichst|mit herzlichen grüßen|mit herzlichen grüssen|mit herzlichem gruß|"
    "mit herzlichem gruss|viele grüße|viele grüsse|liebe grüße|liebe grüsse|hochachtungsvoll|"
    "mit vorzüglicher hochachtung|mit größter hochachtung|mit grösster hochachtung|"
    "mit aller hochachtung|mit der vollkommensten hochachtung|mit vollkommener hochachtung|"
    "mit hochachtung|achtungsvoll|ergebenst|gehorsamst|dein|deine|deinem|ihr|ihre|ihrem|"
    "euer|eure|in eile|tausend grüße|tausend grüsse|gruß|gruss|grüße|grüsse|es grüßt|"
    "mit bestem gruß|mit bestem gruss|alles gute|lebe wohl|leben sie wohl|stets ihr|"
    "veuillez|je vous prie|recevez|agréez|cordialement|bien cordialement|bien à vous|"
    "bien à toi|amitiés|amicalement|sincères salutations|salutations|je t'embrasse|"
    "je vous embrasse|bises|grosses bises|votre|ton|ta|tout à vous|tout à toi|à vous|"
    "avec mes|dans l'attente|en attendant|ystävällisin terveisin|terveisin|"
    "parhain terveisin|kunnioittavasti|ystävällisesti|sydämellisin terveisin|"
    "lämpimin terveisin|sinun|teidän|rakastava|med vänliga hälsningar|vänliga hälsningar|"
    "hälsningar|med vänlig hälsning|vänligen|med utmärkt högaktning|högaktningsfullt|din|"
    "er|eder|tillgivne|hjärtliga hälsningar|många hälsningar|hälsa|med vennlig hilsen|"
    "vennlig hilsen|med venlig hilsen|venlig hilsen|hilsen|med hilsen|mange hilsener|"
    "kjærlig hilsen|kærlig hilsen|ærbødigst|ærbødig|deres|dit|hils|med høiagtelse|"
    "med højagtelse|med ærbødig hilsen|cordiali saluti|distinti saluti|saluti|"
    "un caro saluto|con i migliori saluti|con osservanza|con ossequio|coi sensi|con stima|"
    "suo|sua|tuo|tua|vostro|vostra|devotissimo|affezionatissimo|un abbraccio|ti abbraccio|"
    "baci|a presto|atentamente|saludos|un saludo|un cordial saludo|reciba|cordialmente|"
    "afectuosamente|un abrazo|abrazos|besos|tu|su|suyo|suya|quedo|sin otro particular|"
    "le saluda|se despide|met vriendelijke groet|met vriendelijke groeten|"
    "vriendelijke groeten|hoogachtend|met hartelijke groet|met hartelijke groeten|"
    "hartelijke groeten|groeten|met de meeste hoogachting|met hoogachting|uw|je|jouw|liefs|"
    "met groet|met collegiale groet|auf wiedersehen|auf baldiges wiedersehen|von herzen|in treue|"
    "alles herzliche|au revoir|à bientôt|arrivederci|hasta pronto|tot ziens|good bye|goodbye|"
    "good-bye|godbless|"
    # the closing formulas of older letters
    "achtungsvollst|ewig dein|ewig deine|ewig ihr|stets dein|stets deine|treu ergeben|"
    "unterthänigster|unterthänigst|unterthänigste|gehorsamster|gehorsamste|ergebenster|"
    "ergebener|ihrer durchlaucht|eurer|ew.|di vostra serenità|di vostra signoria|"
    "di v. s.|di vs|humilissimo|humilissima|umilissimo|umilissima|obligatissimo|"
    "obbligatissimo|affettionatissimo|servitore|servo|bacio le mani|gratie|vostre|"
    "votre humble|votre très humble|votre très obéissant|très humble|votre serviteur|"
    "votre frère|vostre frère|vostre humble|su afectísimo|su atento|su seguro servidor|"
    "vuestro|de v. m.|humilde|your most obedient|your obedient|your humble|your affectionate|"
    "your sincere|i am sir|i am, sir|i am, dear sir|believe me|ever your|ever yours|"
    "uw dienstwillige|uw onderdanige|uwe|deines|ihrige|ihriger|der ihrige|die ihrige|"
    "ganz der ihrige|ganz ihr|dich|vale|valete|tuus|tuissimus|totus tuus"
)
_CLOSING = re.compile(rf"^(?:{_CLOSING_WORDS})(?:\b|(?=\W)|$)", re.IGNORECASE)
#: a closing line made only of a possessive (and an adjective): "Dein", "Ihr getreuer"
_POSSESSIVE_CLOSING = re.compile(
    r"^(?:dein|deine|deinem|ihr|ihre|ihrem|euer|eure|your|yours|votre|ton|ta|suo|sua|tuo|tua|"
    r"vostro|din|dit|er|deres|sinun|teidän|tu|su|uw|je)\b",
    re.IGNORECASE,
)
#: a short line that ends in the writer's possessive, capitalised as a closing writes it ("In
#: Treue Dein", "Von Herzen Ihr", "Freundlich grüßt Dich Dein", "Herzlichst Ihr treuester")
_ENDS_POSSESSIVE = re.compile(
    r"(?:^|\s)(?:Dein|Deine|Deinem|Deiner|Ihr|Ihre|Ihrem|Ihrer|Euer|Eure|Eurem|Yours|Votre|"
    r"Vostro|Vostra|Uw)(?:\s+[a-zäöüß][\w.]*){0,2}[,.]?$"
)
#: words of courtesy that make a short paragraph a closing formula
STRONG_CLOSING_WORDS = frozenset(
    """
hochachtung hochachtungsvoll ergebenheit ergebener ergebenster ergebenst versicherung
gesinnungen verharre zeichne gehorsamster gehorsamst diener dienerin grüßend grüssend grüße
grüsse gruß gruss freundeshandschlag agréer agréez considération salutations sentiments
dévoué dévouée respectueux respectueuses obedient servant servants humble honour honor
remain respectfully faithfully sincerely affectionately affectionate devoted servitore
devotissimo ossequio ossequi stima saluti dienaar dienstw hoogachting hoogachtend groeten
groet ærbødigst ærbødig hilsen hälsningar högaktning terveisin kunnioittavasti servidor
saludos atentamente embrasse bises regards wishes
""".split()
)

_SUBJECT = re.compile(
    r"^(?:re|subject|subj|concerning|regarding|betreff|betrifft|betr|objet|oggetto|ogg|asia|"
    r"ämne|ärende|angående|angaaende|angår|emne|sak|vedr|vedrørende|asunto|onderwerp|ref|"
    r"referencia|riferimento|koskee)\s*[:.]\s*",
    re.IGNORECASE,
)

_POSTSCRIPT = re.compile(
    r"^\[?(?:p\.\s?p\.\s?s\.|p\.\s?s\.|p\.-s\.|p\.\s?d\.|pps\b|ps\b|n\.\s?b\.|nb\b|"
    r"nachschrift|post-?scriptum|postdata)\s*[:.,-]?",
    re.IGNORECASE,
)

_TRAILER_WORDS = (
    r"cc|c\.c\.|bcc|copy to|copies to|encl|enc|enclosures?|attachments?|anlagen?|beilagen?|"
    r"verteiler|pj|p\.\s?j\.|pièces? jointes?|copie|liitteet|liite|jakelu|tiedoksi|bilagor|"
    r"bilaga|bilag|kopia|kopi|vedlegg|allegati|allegato|anexos?|adjunto|copia|bijlagen?|kopie"
)
_TRAILER = re.compile(rf"^(?:{_TRAILER_WORDS})\s*[:.]", re.IGNORECASE)
#: a trailer heading on a line of its own ("Anlagen", then one enclosure per line)
_TRAILER_HEADING = re.compile(rf"^(?:{_TRAILER_WORDS})\s*:?$", re.IGNORECASE)

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)]*$")
_EDITORIAL = re.compile(r"^\[[^\[\]]*\]$", re.S)


def is_salute(text: str) -> bool:
    """A salutation: one short line opening with a greeting or an honorific."""
    line = text.strip().lstrip("_*")
    if "\n" in line or not line or len(line) > 90 or len(line.split()) > 10:
        return False
    if not _SALUTE.match(line) or line.endswith(".") or any(ch.isdigit() for ch in line):
        return False
    punctuated = bool(re.search(r"[,!:]\s*(?:[-–—]+)?$", line))
    if _POSSESSIVE_OPENING.match(line):
        return len(line.split()) <= 5 or punctuated
    if _HONORIFIC_OPENING.match(line):
        return punctuated
    return True


def is_bare_salute(text: str) -> bool:
    """A short line ending as salutations end ("Monsieur et Ami,", "BEST OF ALL TOBIASES,--")."""
    line = text.strip()
    return (
        "\n" not in line
        and 0 < len(line.split()) <= 6
        and not any(ch.isdigit() for ch in line)
        and bool(re.search(r"(?:[,!:]|[,!]?\s*[-–—]{1,2})$", line))
        and not subject_marker(line)
        and not is_closing(line)
    )


@remembered
def is_closing(text: str) -> bool:
    """A closing formula line: "Sincerely,", "Mit freundlichen Grüßen", "Votre dévoué"."""
    line = text.strip().lstrip("_*")
    if not line or "\n" in line or len(line) > 100 or len(line.split()) > 14:
        return False
    if re.search(r"[a-zß-ÿ]{2}[.!?]\s+[A-ZÀ-Þ]", line):  # more than one sentence
        return is_closing_sentence(line)
    if line.endswith(".") and len(line.split()) >= 5 and not strong_closing_words(line):
        return False  # "Quedo a la espera de su respuesta."
    if _CLOSING.match(line):
        long_possessive = bool(_POSSESSIVE_CLOSING.match(line)) and len(line.split()) > 6
        return not long_possessive or line.endswith(",") or strong_closing_words(line) > 0
    if _ends_in_possessive(line):
        return True
    if len(line.split()) <= 3 and strong_closing_words(line) >= 1:
        return True  # "Herzlichen Gruss.", "Viele treue Grüße!"
    return len(line.split()) <= 6 and strong_closing_words(line) >= 1 and not ends_sentence(line)


#: words after which a capitalised possessive is the object of a sentence, not the writer
#: ("Mit bestem Dank für Ihre", a line of prose broken before its noun)
_BEFORE_OBJECT = frozenset(
    "für an mit zu in bei nach aus über auf um es sie und oder wie daß dass ob".split()
)


#: an English closing ends in "yours" however much comes before it ("& I am ever most
#: sincerely & affectionately your's")
_ENDS_YOURS = re.compile(r"\b(?:yours|your's|your’s|yrs)[.,]?$", re.IGNORECASE)


def _ends_in_possessive(line: str) -> bool:
    words = line.split()
    if _ENDS_YOURS.search(line) and len(words) <= 12 and not re.search(r"\d", line):
        return True
    found = _ENDS_POSSESSIVE.search(line)
    if found is None or len(words) > 7 or re.search(r"\d", line):
        return False
    before = line[: found.start()].split()
    return not before or before[-1].lower() not in _BEFORE_OBJECT


@remembered
def opens_with_closing(text: str) -> bool:
    """A closing formula complete in itself: "Atentamente,", "Ever most affectionately yours"."""
    line = text.strip().lstrip("_*")
    return is_closing(line) and bool(_CLOSING.match(line)) and not is_possessive_closing(line)


@remembered
def is_possessive_closing(text: str) -> bool:
    """ "Dein", "Ihr getreuer", "als Ihr ganz ergebener:": a closing that only points at the
    signature below it."""
    line = re.sub(r"^(?:als|as|comme|come|como|als)\s+", "", text.strip(), flags=re.I)
    return bool(_POSSESSIVE_CLOSING.match(line)) and len(line.split()) <= 5


#: the stems of courtesy words German inflects and spells many ways ("Grüßen", "Gruße",
#: "grüssend", "Hochachtungsvollst", "ergebensten", "gehorsamer")
_STRONG_STEMS = (
    "grüß", "grüss", "gruß", "gruss", "hochacht", "ergeben", "gehorsam", "hochschätz", "verehrung",
)  # fmt: skip


def strong_closing_words(text: str) -> int:
    words = {w.lower() for w in re.findall(r"\w+", text)}
    stems = {w for w in words - STRONG_CLOSING_WORDS if w.startswith(_STRONG_STEMS)}
    return len(words & STRONG_CLOSING_WORDS) + len(stems)


@remembered
def is_closing_sentence(text: str) -> bool:
    """A short paragraph of courtesy that ends the letter's text: "Genehmigen Sie … die
    Versicherung meiner ausgezeichneten Hochachtung.", "…, womit ich mich zeichne"."""
    words = text.split()
    if not 0 < len(words) <= 45:
        return False
    open_ended = not ends_sentence(text) or text.rstrip().endswith((",", ":"))
    ending = strong_closing_words(" ".join(words[-8:]))
    if open_ended and bool(_CLOSING.match(text.strip())) and len(words) <= 30:
        return True
    return ending >= 1 and (strong_closing_words(text) >= 2 or len(words) <= 20 or open_ended)


def subject_marker(text: str) -> re.Match[str] | None:
    return _SUBJECT.match(text.strip())


def is_postscript(text: str) -> bool:
    return bool(_POSTSCRIPT.match(text.strip()))


def is_trailer(text: str) -> bool:
    text = text.strip()
    return bool(_TRAILER.match(text) or _TRAILER_HEADING.match(text.split("\n")[0].strip()))


def is_editorial(text: str) -> bool:
    """A paragraph wholly in square brackets: an editor's remark, not the writer's."""
    return bool(_EDITORIAL.match(text.strip()))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def is_date_line(line: str, language: str | None = None) -> bool:
    """A line that is a date with at most a place around it (a dateline)."""
    found = find_date(line, language)
    if found is None:
        return False
    rest = (line[: found.start] + " " + line[found.end :]).strip(" ,.;–—-")
    return len(rest) <= 40 and len(rest.split()) <= 6


@remembered
def is_weekday_line(line: str) -> bool:
    """ "Thursday", "Three Mile Cross Thursday", "Tuesday Morng": a dateline with no date."""
    span = weekday_span(line)
    if span is None:
        return False
    rest = (line[: span[0]] + line[span[1] :]).strip(" ,.;–—-")
    return len(line.split()) <= 6 and not ends_sentence(rest) and "\n" not in line


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
