"""People, organisations and roles as letters write them.

Signature blocks and address blocks are lists of short lines: a person's name, a role
("Secretary General"), an organisation ("Human Rights Watch"). :func:`classify_line` tells
them apart with small multilingual vocabularies; no authority file is consulted, and no
identifier is ever invented for a person.

The questions about one line are cached (``lru_cache``): the anatomy passes and the part
labeller's features ask the same ones of the same lines, and the answers depend on the line
alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from metadata import gazetteer

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
secretario secretaria voorzitter directeur-generaal archivist archivar archivarin
archivoberrat archivrat bibliothekar bibliothekarin kassör kassörer sekreterare tutkija
projektinjohtaja direktør direktor daglig leder formand kasserer segretario tesoriere
chairwoman policy captain lieutenant colonel major general regierungsrath regierungsrat
bürgermeister stadtrat konsul professorin dozent dozentin historian conservator curator
kurator intendant rektor rector dekan decano direttrice presidenta voorzitster penningmeester
secretaris archivaris conservateur conservatrice skibsreder
oberst oberstlieut oberstlieutenant obrist hauptmann lehrer pfarrer advokat advocat avocat
notar notaire fürsprech fürsprecher landschreiber ldschrbr oberrichter bundesrath bundesrat
nationalrath nationalrat ständerath ständerat landammann statthalter kanzler staatsschreiber
stadtschreiber ingenieur oberingenieur kaufmann conseiller juge député ministre schüler
cantonsfürsprech kantonsfürsprech regierungspräsident stadtpräsident gemeindepräsident
""".split()
)
#: endings of German compound titles ("Oberrechnungsrath", "Bezirksrichter", "Postmeister")
ROLE_SUFFIXES = ("rath", "meister", "schreiber", "lehrer", "richter", "präsident", "direktor",
                 "sekretär", "ingenieur", "inspektor", "verwalter", "kommandant")  # fmt: skip

ORG_WORDS = frozenset(
    """
committee commission council division department office ministry society association union
university college institute institution foundation trust bank company corporation group centre
center agency bureau federation league network coalition international national party church
school museum library archive archives press inc ltd llc plc gmbh ag e.v. verein stiftung
gesellschaft ministerium universität amt bundesamt watch rights amnesty board services partners
fund forum alliance organisation organization secretariat embassy parliament government chamber
court police directorate unit programme program project campaign departamento département
dipartimento abteilung afdeling avdelning laitos instituto istituto facultad faculté facoltà
fakultät
comité conseil fondation université ministère société syndicat
yhdistys liitto ministeriö yliopisto komitea säätiö
komité kommittén stiftelse förbund forbund universitet departement
associazione fondazione università ministero comitato
asociación fundación universidad ministerio
vereniging stichting universiteit ministerie
archiv archive archives archivio archivo arkiv archief bibliothek bibliothèque biblioteca
bibliotheek hotel hôtel società sociedad société editorial co. brothers bros a/s
oy oyj s.l. s.a. s.p.a. srl coalition soprintendenza commissione fondazione
staatsarchiv stadtarchiv landesarchiv literaturarchiv rigsarkivet riksarkivet länsstyrelsen
kulturstiftung akademie academy académie accademia academia seminar seminario verlag
""".split()
)

HONORIFICS = frozenset(
    """
mr mrs ms miss mx dr prof sir madam dame lord lady rev hon herr frau fräulein monsieur madame
mademoiselle mme mlle herrn signor signora sig sr sra don doña heer mevrouw dhr mevr
hr hrn fru fröken frk d dña srta dott dott.ssa dottssa dottoressa dottore prof.ssa profssa
sig.ra sigra ing avv the honorable honourable esq esqre jr messrs rouva herra neiti
gentile gent.le gent.ma egregio egr. spett.le spettabile chiar.mo illustre
""".split()
)

#: "v" and "v." are "von" as letters abbreviate it ("v Dusch", "J. v. Müller")
_PARTICLES = (
    "von|van|de|der|den|da|di|du|la|le|af|zu|im|vom|zum|y|bin|al|del|della|dos|das|ten|ter|v|v\\."
)
_PARTICLE_SET = frozenset(_PARTICLES.replace("\\", "").split("|"))
_NAME_TOKEN = re.compile(
    rf"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’\-]*\.?|(?:[A-ZÀ-ÖØ-Þ]\.){{1,3}}|(?:{_PARTICLES})|"
    r"(?:d|l|dall|dell|degli|dei)['’][A-ZÀ-ÖØ-Þ][\w'’\-]*)$"
)
#: words of a closing formula, never of a name ("Your Obedient Servant", "Ihr ergebener")
_CLOSING_WORDS = frozenset(
    """
your yours yr yrs ever truly faithfully sincerely obedient humble servant affectionately
cordially respectfully devoted ihr ihre dein deine euer eure ergebener ergebenster treuer
votre vôtre tout dévoué vostro vostra suo sua servitore devotissimo affezionatissimo
""".split()
)


def words(line: str) -> list[str]:
    return [w.strip(",;:()") for w in line.split() if w.strip(",;:()")]


def _lower_words(line: str) -> set[str]:
    return {w.lower().rstrip(".") for w in words(line)} | {w.lower() for w in words(line)}


@lru_cache(maxsize=8192)
def is_role(line: str) -> bool:
    tokens = _lower_words(line)
    if tokens & ORG_WORDS - ROLE_WORDS and len(tokens) > 3:
        return False
    compound = any(
        t.endswith(ROLE_SUFFIXES)
        and len(t) > max(len(x) for x in ROLE_SUFFIXES if t.endswith(x)) + 2
        for t in tokens
    )
    return bool(tokens & ROLE_WORDS) or compound


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
    "archiv",
    "arkivet",
    "archief",
    "styrelsen",
    "föreningen",
    "foreningen",
    "selskab",
    "selskap",
    "verksted",
    "stiftelsen",
    "instituut",
    "institut",
    "seura",
    "bibliothek",
)


@lru_cache(maxsize=8192)
def is_org(line: str) -> bool:
    tokens = _lower_words(line)
    return bool(tokens & ORG_WORDS) or any(len(t) > 6 and t.endswith(ORG_SUFFIXES) for t in tokens)


_NAME_SUFFIXES = frozenset("esq esqr esqre jr jun sen sr bart bt".split())


def _is_honorific(token: str) -> bool:
    lowered = token.lower()
    return lowered.rstrip(".") in HONORIFICS or lowered.replace(".", "") in HONORIFICS


@lru_cache(maxsize=8192)
def strip_honorifics(name: str) -> str:
    """ "Mr. President Sauli Niinistö" → "President Sauli Niinistö" (roles are kept);
    trailing "Esq." and the like go too."""
    tokens = words(name)
    while tokens and _is_honorific(tokens[0]):
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1].lower().replace(".", "") in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return " ".join(tokens)


def split_title(line: str) -> tuple[str, str]:
    """ "Minister Anna Lindqvist" → ("Minister", "Anna Lindqvist"): leading honorifics and
    role words apart from the name that follows them."""
    tokens = words(line)
    cut = 0
    while cut < len(tokens) - 1 and (
        _is_honorific(tokens[cut])
        or tokens[cut].lower() in ROLE_WORDS
        or (tokens[cut][:1].islower() and tokens[cut].lower() not in _PARTICLE_SET)
    ):
        cut += 1
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


@lru_cache(maxsize=8192)
def looks_like_person(line: str) -> bool:
    """Two to five capitalised name tokens, no digits, no role or organisation word."""
    tokens = words(strip_honorifics(line))
    if not 2 <= len(tokens) <= 5 or any(ch.isdigit() for ch in line):
        return False
    lowered = _lower_words(" ".join(tokens))
    if is_org(line) or lowered & ROLE_WORDS or lowered & _CLOSING_WORDS:
        return False
    last = tokens[-1]
    return all(_NAME_TOKEN.match(token) for token in tokens) and (
        last[:1].isupper() or bool(_ELIDED.match(last))  # "Gabriele d'Annunzio"
    )


def classify_line(line: str, body_text: str = "") -> str:
    """ "person", "role", "org" or "other" for one line of a signature or address block.

    ``body_text`` helps with organisations the vocabulary does not know: a signatory's own
    name is rarely repeated in the letter, but the organisation it speaks for often is.
    """
    line = line.strip().rstrip(",")
    titled = strip_honorifics(line)
    if titled != " ".join(words(line)) and looks_like_person(titled) and not is_org(line):
        return "person"  # "Prof. Dr. Sandra Richter"
    if is_role(line):
        return "role"
    if is_org(line):
        return "org"
    if looks_like_person(line):
        mentioned = body_text and len(words(line)) >= 3 and line in body_text
        return "org" if mentioned else "person"
    return "other"


#: words a salutation opens with before the name it addresses
_SALUTE_OPENING = re.compile(
    r"^(?:(?:my|mein|meine|mon|ma|mes|min|mina|mio|mia|mi|mijn|moj|very|most|highly|much|"
    r"dear(?:est)?|sehr|hoch|hochverehrte[rs]?|hochgeachtete[rs]?|hochgeehrte[rs]?|"
    r"verehrte[rs]?|verehrtester|geehrte[rs]?|liebe[rs]?|liebste[rs]?|lieber|teure[rs]?|"
    r"werte[rs]?|cher|chère|chers|chères|très|hyvä|hyvät|arvoisa|rakas|kära|käre|bästa|"
    r"ärade|kjære|kære|ærede|caro|cara|cari|care|carissim[oa]|gentile|gentilissim[oa]|"
    r"egregi[oa]|illustrissim[oa]|estimad[oa]s?|querid[oa]s?|distinguid[oa]|apreciad[oa]|"
    r"geachte|beste|lieve|waarde|hooggeachte|zeergeachte|hello|hi|hallo|hei|hej|ciao|hola|"
    r"dag|to|till|an|à|a|al|kæreste|kjæreste|käraste|kjæraste|dyre|dyreste|esteemed|honoured|honored|respected|valued|much-valued|worthy|"
    r"old|good|kind|beloved|best|of|all|and|und|et|og|och|e|y|en|gnädige|gnädiger|"
    r"hochgeschätzte[rs]?|geschätzte[rs]?)\b[\s,]*)+",
    re.IGNORECASE,
)
#: nouns a salutation addresses people by that are not their names
SALUTE_NOUNS = frozenset(
    """
sir sirs madam madame gentlemen ladies friend friends colleague colleagues all everyone
mother father mamma papa mama mum mom dad brother sister son daughter cousin aunt uncle
grandmother grandfather wife husband child children doctor doktor professor president
herr herren frau freund freundin freunde mutter vater bruder schwester sohn tochter
kollege kollegin vetter onkel tante damen monsieur messieurs mesdames ami amie amis frère
sœur soeur mère père fils fille cousin cousine oncle docteur maître collègue
vastaanottaja äiti isä veli sisko ystävä ystävät herra rouva fader moder far mor bror
søster syster son sønn søn datter dotter ven venn vän vänner kollega amico amica amici
fratello sorella madre padre figlio figlia dottore dottoressa conte contessa signore signora
direttore direttrice hermano hermana amigo amiga señor señora señores hijo hija doctor
vriend vriendin vader moeder broer zus zuster heer mevrouw heren dames vrienden weledelgeboren
weledele hochwohlgeborner hochwohlgeboren regierungsrath regierungsrat bürgermeister
conseiller directeur directrice excellency excellence chairman chairwoman minister
grandmother grandfather grandmamma grandpapa grandma grandpa granny grannie mummy mammy daddy
nephew niece godmother godfather großmutter grossmutter großvater grossvater großmama
großpapa oma opa neffe nichte schwager schwägerin patin pate mama papa mutti vati
grand-mère grand-père grand-maman grand-papa maman neveu nièce marraine parrain
nonna nonno zia zio nipote babbo mamma mamà zía tía tío abuela abuelo sobrino sobrina mamá
papá grootmoeder grootvader oma opa tante oom neef nicht mormor farmor morfar farfar moster
faster morbror farbror mummo vaari isoäiti isoisä täti setä eno bestemor bestefar
bedstemor bedstefar faster moster onkel tante dotter fru herre hr
herzog herzogin fürst fürstin graf gräfin baron baronin könig königin prinz prinzessin
principe principessa duca duchessa marchese marchesa doge signoria serenità eccellenza
excellenz durchlaucht majestät hoheit gnaden wohlgeboren hochwürden monseigneur seigneur
seigneurs sire duc duchesse comte comtesse marquis marquise roi reine prince princesse lord
lady duke duchess earl king queen majesty highness grace señoría excelencia majestad alteza
abbé pfarrer pastor rektor redakteur redacteur herausgeber kamerad gevatter landammann
bundesrath bundesrat präsident praesident tit gönner gönnerin patron patronne mécène
""".split()
)
#: the first word of a salutation that is an adjective of address, not a name ("Teuerster
#: Freund", "Gnädigster Herzog", "Serenissimo Principe", "Excelentísimo Señor")
_ADDRESS_ADJECTIVE = re.compile(
    r"(?:ster|stes|ste|ter|tes|ner|ener|iger|ige|ssim[oaie]|ísim[oa]s?|issim[oaie])$", re.I
)
_POSSESSIVE_ADDRESS = frozenset(
    "euer eure ew ihre vostra vostro votre vuestra vuestro your".split()
)
#: endings of German titles that stand in a salutation without a name ("Liebe Frau
#: Geheimrätin!", "Hochverehrter Herr Hofrath!")
_TITLE_ENDINGS = ("rat", "rath", "rätin", "räthin", "ratin")


@lru_cache(maxsize=8192)
def person_from_salute(salute: str) -> str | None:
    """The addressee a salutation names: "Dear Chairwoman Ellison:" → "Ellison";
    none for "Dear Sir," or "Mein lieber Freund!"."""
    text = re.sub(r"[-–—]+$", "", salute.strip()).strip().rstrip(",:;!").strip()
    if text.isupper():
        text = text.title()
    opened = _SALUTE_OPENING.sub("", text)
    tokens = words(opened)
    if opened == text:  # nothing greeted first: the salutation may open with an adjective
        while tokens and (
            tokens[0].lower() in _POSSESSIVE_ADDRESS or _ADDRESS_ADJECTIVE.search(tokens[0])
        ):
            tokens = tokens[1:]
    tokens = [t for t in tokens if not _is_honorific(t)]
    tokens = [t for t in tokens if t.lower() not in ROLE_WORDS]
    tokens = [t for t in tokens if t.lower().rstrip(".") not in SALUTE_NOUNS]
    tokens = [t for t in tokens if not (len(t) > 6 and t.lower().endswith(_TITLE_ENDINGS))]
    # titles and kinship words written in lower case before the name ("Hyvä professori
    # Lindholm", "Cara zia Lucia", "Geachte mevrouw De Vries")
    while len(tokens) > 1 and tokens[0][:1].islower() and tokens[0].lower() not in _PARTICLE_SET:
        tokens = tokens[1:]
    if not tokens or len(tokens) > 4 or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    if is_org(" ".join(tokens)):
        return None
    return " ".join(tokens)


#: words that introduce an address without being part of it
ADDRESS_MARKERS = frozenset("to an à a al alla till aan per til att attn attention for".split())


_ARTICLES = frozenset("le la il lo el the".split())


#: words before a place in an address ("à Beaune", "in Berlin", "bei Wien")
_PLACE_PREPOSITIONS = frozenset("à a in i bei zu en per nach".split())


@lru_cache(maxsize=8192)
def person_from_address_line(line: str) -> str | None:
    """The person an address line names: "Herrn Dr. Klaus Müller" → "Klaus Müller",
    "Aan de heer J. van Dijk" → "J. van Dijk", "TO F. RIES,--LONDON." → "F. Ries",
    "Monsieur Jules Mercier, notaire" → "Jules Mercier" (an apposition after a comma goes).

    A line in capitals names a person only with a title or a marker ("TO …", "HERRN …"):
    letterheads are set in capitals. A single name needs a title, or a marker that is not a
    place preposition before a known place ("à Beaune" is where the addressee lives).
    """
    whole = re.split(r",?\s*[-–—]{2,}", re.sub(r"\[\d+\]", "", line).strip())[0]
    line = whole.rstrip(" ,.")
    tokens = words(line)
    honoured = any(_is_honorific(t) for t in tokens[:4])
    marked = any(t.lower() in ADDRESS_MARKERS for t in tokens[:4])
    titled = honoured or marked
    if not titled and line.isupper() and len(tokens) > 1:
        return None
    inverted = _inverted(whole.rstrip(" ,"))
    if inverted and not _is_town(inverted[1]):  # "Müller, Berlin" names a place, not Berlin
        person = _person_from_tokens(words(display_order(whole.rstrip(" ,"))), titled=True)
        if person:
            return person
    head, comma, _apposition = line.partition(",")
    # a street number after the comma is no name ("Via Roma, 6"), unless a title says the
    # line opens with one ("Mr. P. O'Donoghue, 125, Queen's Road, …")
    if comma and head.strip() and (honoured or not any(ch.isdigit() for ch in line)):
        person = _person_from_tokens(words(head), titled=titled)
        if person and (len(person.split()) > 1 or honoured):
            return person
    person = _person_from_tokens(tokens, titled=titled)
    if person and len(person.split()) == 1 and not honoured:
        place_word = tokens[0].lower() in _PLACE_PREPOSITIONS
        if place_word or gazetteer.is_known_place(person):
            return None
    return person


#: a place after a comma this large is a town, not a forename ("Müller, Berlin"); smaller
#: places share their names with forenames too often ("Vincent", "Wilhelm")
_TOWN_POPULATION = 50_000


def _is_town(name: str) -> bool:
    city = gazetteer.lookup(name)
    return city is not None and city.population >= _TOWN_POPULATION


#: forms of address on envelopes that are neither names nor honorifics elsewhere
_ENVELOPE_WORDS = frozenset(
    """
tit tit. hherrn hrn hrn. hn hn. sr. s. wohlgeb wohlgeb. mhherren mhherrn hherren mhh mhh. & und
seiner ihrer sr hochwohlgeboren
wohlgeboren hochwohlgebornen wohlgebornen hochwohlgeborn wohlgeborn hochedelgeboren
hochedelgebornen hochwürden excellenz exzellenz durchlaucht
""".split()
)


def _is_form_of_address(token: str, rest: int) -> bool:
    """A token an address puts before the name: an honorific, a title or a role ("Tit.",
    "HHerrn", "Präsident", "Hofrath", "Commandeur"), as long as a name follows."""
    lower = token.lower()
    if lower in _ENVELOPE_WORDS or lower.rstrip(".") in _ENVELOPE_WORDS:
        return True
    return (
        rest > 0
        and token[:1].isupper()
        and (lower.rstrip(".") in SALUTE_NOUNS or is_role(token) or _inflected_role(token))
    )


def _inflected_role(token: str) -> bool:
    """A German role in the dative an address writes ("Herrn Präsidenten", "Herrn Professorn")."""
    if token.endswith("en") and is_role(token[:-2]):
        return True
    return token.endswith("n") and is_role(token[:-1])


def _person_from_tokens(tokens: list[str], *, titled: bool) -> str | None:
    given = len(tokens)
    while tokens:
        marker = tokens[0].lower() in ADDRESS_MARKERS | _ARTICLES
        # after a title an "A" is an initial ("Dr A Escher"), not the Italian "to"
        if not (
            (marker and (len(tokens[0]) > 1 or len(tokens) == given))
            or _is_honorific(tokens[0])
            or (tokens[0].lower() in {"de", "den"} and len(tokens) > 1 and _is_honorific(tokens[1]))
            or _is_form_of_address(tokens[0], len(tokens) - 1)
        ):
            break
        tokens = tokens[1:]
    # after a form of address, the name ends before a lower-case word that is no particle
    # ("Herrn A. Escher dahier", "Herrn Dr. Meyer in Bern")
    for index, token in enumerate(tokens[1:] if len(tokens) < given else [], start=1):
        if token[:1].islower() and token.lower() not in _PARTICLE_SET and "'" not in token[:3]:
            tokens = tokens[:index]
            break
    _title, name = split_title(" ".join(tokens))
    name = strip_honorifics(name)
    if name.isupper() and len(name) > 3:
        name = " ".join(t if len(t.rstrip(".")) <= 1 else t.capitalize() for t in name.split())
    if looks_like_person(name):
        return name
    single = titled and len(name.split()) == 1 and _NAME_TOKEN.match(name) and len(name) > 2
    return name if single and not is_org(name) and name.lower() not in SALUTE_NOUNS else None


#: forms of address people give others and not themselves ("Dr", "Prof." head letterheads too)
_COURTESY = frozenset(
    """
mr mrs miss messrs esq esqr esqre herrn monsieur madame mademoiselle mme mlle signor signora
sig sigra señor señora sr sra srta don doña heer mevrouw dhr mevr rouva herra neiti
""".split()
)


def addressed_person(line: str) -> str | None:
    """The person a line names with a courtesy form one does not give oneself: "B. R. Haydon
    Esq.", "Mrs. Hofland", "Herrn Felix Salten" (not "Dr Eleanor Whitcombe", which may be the
    writer's own letterhead)."""
    person = person_from_address_line(line)
    tokens = [t.lower().replace(".", "") for t in words(line)]
    return person if person and any(t in _COURTESY for t in tokens) else None


@lru_cache(maxsize=8192)
def signature_name(line: str) -> str:
    """A signature as a name: "= Arthur" → "Arthur", "BEETHOVEN." → "BEETHOVEN"."""
    name = line.strip().strip("=–—-_").strip()
    if name.endswith(".") and not re.search(r"\b\w\.$", name):
        name = name[:-1]
    return name.strip()


def surname(name: str) -> str:
    """The surname of a name in either order: "Hugo von Hofmannsthal" and "Hofmannsthal, Hugo
    von" → "Hofmannsthal" (what a letter's id is made of)."""
    tokens = words(strip_honorifics(display_order(name)))
    return tokens[-1] if tokens else name


#: a surname behind an elided particle: "d'Annunzio", "dell'Acqua"
_ELIDED = re.compile(r"^\w+['’][A-ZÀ-ÖØ-Þ]")
_NAME_SUFFIX_PART = re.compile(r"^(?:jr|jun|junior|sen|senior|sr|esq|esqre|[ivx]+)\.?$", re.I)


def _inverted(name: str) -> tuple[str, str, str] | None:
    """(surname, forenames, suffix) of a name written "Surname, Forenames[, Jr.]"; None for a
    name in display order or a line whose comma sets off something else ("Jules Mercier,
    notaire", "Lindqvist, Minister", "Müller, Dr.")."""
    parts = [part.strip() for part in name.split(",")]
    suffix = ""
    if len(parts) == 3 and _NAME_SUFFIX_PART.match(parts[2]):
        suffix = parts.pop()
    if len(parts) != 2 or not all(parts) or any(ch.isdigit() for ch in name):
        return None
    head, tail = parts[0].split(), parts[1].split()
    if not 1 <= len(head) <= 3 or not 1 <= len(tail) <= 5:
        return None
    if not all(_NAME_TOKEN.match(t) for t in head + tail):
        return None
    # the surname is capitalised (or starts with a particle: "van Gogh, Vincent"); the
    # forenames are names or initials, with any particle after them ("Hugo von")
    if not any(t[:1].isupper() or _ELIDED.match(t) for t in head) or not tail[0][:1].isupper():
        return None
    if _NAME_SUFFIX_PART.match(parts[1]) or all(_is_honorific(t) for t in tail):
        return None  # "Smith, Jr.", "Müller, Dr."
    lowered = _lower_words(name)
    if lowered & (ROLE_WORDS | _CLOSING_WORDS) or is_org(name):
        return None
    return parts[0], parts[1], suffix


def display_order(name: str) -> str:
    """A name as it is shown: "Bölsche, Wilhelm" → "Wilhelm Bölsche", "Hofmannsthal, Hugo von"
    → "Hugo von Hofmannsthal", "Richter, J. P. F." → "J. P. F. Richter", "Smith, John, Jr." →
    "John Smith Jr."; a name already in that order, or one whose comma is not an inversion
    ("Jules Mercier, notaire"), is returned as written (spaces collapsed). Case and spelling
    are never changed: "BEETHOVEN, LUDWIG VAN" → "LUDWIG VAN BEETHOVEN"."""
    inverted = _inverted(name)
    if inverted is None:
        return " ".join(name.split())
    last, first, suffix = inverted
    return " ".join(" ".join((first, last, suffix)).split())


#: where a name's parts begin: at its start and after an apostrophe or hyphen
_CAPITALS = re.compile(r"(^|['’\-])(\w)")


def title_case(name: str) -> str:
    """A name written in capitals as it is usually written: "BEETHOVEN" → "Beethoven", "LUDWIG
    VAN BEETHOVEN" → "Ludwig van Beethoven", "J. P. F. RICHTER" → "J. P. F. Richter",
    "O'FARRELL" → "O'Farrell"; a name not all in capitals is returned as written."""
    if not name.isupper():
        return name
    out = []
    for token in name.split():
        lowered = token.lower()
        if lowered in _PARTICLE_SET:
            out.append(lowered)
        elif len(token.rstrip(".")) <= 1:
            out.append(token)  # an initial
        else:
            # each part after an apostrophe or hyphen is capitalised: O'Farrell, Hans-Peter
            out.append(_CAPITALS.sub(lambda m: m.group(1) + m.group(2).upper(), lowered))
    return " ".join(out)
