"""Train the part labeller from the edition letters: ``make model`` (``python -m bench.train``).

Every letter of ``../shared/corpus/letters/`` is rendered as an archivist receives it (plain
text, DOCX and PDF, :mod:`bench.corpus`), read back through Epistula's own readers and rules,
and each line the reader gives is labelled with the part the edition's markup says it is (the
rendition keeps a label per line; :func:`gold_labels` finds each line of the reader in it).
A linear-chain CRF (python-crfsuite) learns the labels from the features of
:mod:`ingest.letter.features`. The result is deterministic: the letters, their order and the
trainer's settings are fixed, and L-BFGS has no random start.

Suriano's 725 dispatches are nearly all alike, so at most :data:`PER_EDITION` letters of an
edition are taken (every edition is represented, none dominates).

The editions are all letters of the 16th to 20th century; the letters archivists receive today
(a printed letterhead, the recipient's postal address, a subject line, a cc line) are taught
by :data:`MODERN` generated letters (:func:`generated_letters`, from the generator of
``bench/ingest_speed.py``), always on the training side and never scored.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from bench import corpus, ingest_speed, renditions
from ingest.letter.anatomy import read_by_rules
from ingest.letter.features import Features, line_features
from ingest.letter.labeller import MODEL
from ingest.limits import Limits
from ingest.readers import read
from metadata.dates import Years

FORMATS = ("txt", "docx", "pdf")
#: letters per edition at most (the first ones, in the corpus's fixed order)
PER_EDITION = 400
#: generated modern letters added to every training set
MODERN = 300
MODERN_SEED = 1893

#: the trainer's settings: elastic net, enough iterations to converge on the whole corpus
PARAMS = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}


@dataclass
class Example:
    """One rendition's lines: features and gold labels."""

    edition: str
    file: str
    fmt: str
    features: list[Features]
    labels: list[str]


def _key(text: str) -> str:
    return "".join(re.findall(r"[^\W_]+", text.casefold()))


def gold_labels(sheet_lines: list[tuple[str, str]], reader_lines: list[str]) -> list[str] | None:
    """The label of each line the reader gave, from the rendition's ``(text, label)`` lines.

    The reader may join short lines or break long ones differently, so each of its lines is
    looked for in the rendition's text (letters and digits only), from where the previous one
    was found; it takes the label of the rendition line where it starts. None when too many
    lines cannot be found (a reader that changed the text: the rendition is left out)."""
    text = ""
    starts: list[tuple[int, str]] = []
    for line, label in sheet_lines:
        starts.append((len(text), label))
        text += _key(line)
    labels: list[str] = []
    cursor = 0
    missing = 0
    for line in reader_lines:
        key = _key(line)
        at = text.find(key[:60], cursor) if key else -1
        if at < 0:
            missing += 1
            labels.append(labels[-1] if labels else "other")
            continue
        cursor = at + len(key)
        label = next(lab for start, lab in reversed(starts) if start <= at)
        labels.append(label)
    if missing > max(2, len(reader_lines) // 5):
        return None
    return labels


def example(letter: corpus.CorpusLetter, path: Path, fmt: str) -> Example | None:
    document = read(path, Limits(period=letter.period))
    _, _, lines, by_rules = read_by_rules(document, Years(*letter.period))
    sheet_lines = [
        (text, label)
        for block, labels in zip(letter.sheet.blocks, letter.sheet.labels, strict=True)
        for text, label in zip(block, labels, strict=True)
    ]
    gold = gold_labels(sheet_lines, [line.text for line in lines])
    if gold is None or not lines:
        return None
    return Example(letter.edition, letter.file, fmt, line_features(lines, by_rules), gold)


def _examples_of(job: tuple[corpus.CorpusLetter, dict[str, Path]]) -> list[Example]:
    letter, paths = job
    found = []
    for fmt, path in paths.items():
        try:
            made = example(letter, path, fmt)
        except Exception as error:  # a rendition a reader refuses is left out, and counted
            print(f"  {letter.file} ({fmt}): {error}", file=sys.stderr)
            continue
        if made is not None:
            found.append(made)
    return found


def examples(
    letters: list[corpus.CorpusLetter],
    formats: Iterable[str] = FORMATS,
    jobs: int = 2,
    folder: Path = corpus.CACHE,
) -> list[Example]:
    """The training examples of ``letters`` in every format (rendered into ``folder`` first
    where need be)."""
    formats = tuple(formats)
    corpus.render_all(letters, folder, formats, jobs=jobs)
    work = [(x, {f: corpus.render(x, folder, f) for f in formats}) for x in letters]
    if jobs <= 1:
        return [ex for job in work for ex in _examples_of(job)]
    out: list[Example] = []
    with ProcessPoolExecutor(jobs) as pool:
        for found in pool.map(_examples_of, work, chunksize=8):
            out.extend(found)
    return out


def train(found: list[Example], target: Path) -> Path:
    """Train a CRF on ``found`` and write it to ``target``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in found:
        trainer.append(pycrfsuite.ItemSequence(ex.features), ex.labels)
    trainer.set_params(PARAMS)
    target.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(target))
    return target


#: what the generated letters' organisations are called, per language
ORGANISATIONS = {
    "en": ["Northfield Historical Society", "The Brennan Trust", "Ashworth & Lowe Ltd",
           "County Record Office", "Friends of the Pemberton Museum"],
    "de": ["Stiftung Lebendige Ostsee", "Verein für Ortsgeschichte e.V.",
           "Bergmann & Söhne GmbH", "Stadtarchiv", "Gesellschaft der Museumsfreunde"],
    "fr": ["Société d'histoire locale", "Archives départementales", "Éditions Girard et Fils",
           "Association des amis du musée", "Cabinet Moreau & Associés"],
    "sv": ["Föreningen för lokalhistoria", "Stadsarkivet", "Holm & Berg AB", "Länsmuseet",
           "Sällskapet Arkivets vänner"],
}  # fmt: skip
#: contact lines of a printed letterhead, per language
CONTACTS = {
    "en": ["Tel. 0161 496 0{n}", "Telephone: 020 7946 0{n}", "office@northfield.example.org"],
    "de": ["Telefon 030 1234 {n}", "Tel.: +49 89 765 {n}", "info@ortsgeschichte.example.de"],
    "fr": ["Tél. 01 23 45 {n}", "Téléphone : 04 78 12 {n}", "contact@societe.example.fr"],
    "sv": ["Tel. 08-123 {n}", "Telefon 018-47 {n}", "info@arkiv.example.se"],
}  # fmt: skip
#: a signature made for someone else, and on whose behalf
PROXIES = {
    "en": ["p.p. {name}", "For the Committee", "pp. {name}", "On behalf of the Trustees"],
    "de": ["i. A. {name}", "Im Auftrag", "i. V. {name}", "Für den Vorstand"],
    "fr": ["P.O. {name}", "Pour le Bureau", "Pour le directeur"],
    "sv": ["För styrelsen", "Enligt uppdrag", "För föreningen"],
}  # fmt: skip
#: enclosure lines, per language
ENCLOSURES = {
    "en": ["Enclosure: invoice", "Enclosures: 2", "Encl.: the minutes of the meeting"],
    "de": ["Anlage: Projektskizze", "Anlagen: 2", "Beilage: Rechnung"],
    "fr": ["P.J. : devis", "Pièces jointes : 2", "PJ : le compte rendu"],
    "sv": ["Bilaga: faktura", "Bilagor: 2", "Bilaga: protokollet"],
}  # fmt: skip


def _letterhead(rng: random.Random, letter: ingest_speed.Letter) -> list[str]:
    """A sender's letterhead: a name and town on one line, or an organisation's printed
    block (its name, street, postcode and town, a telephone or an e-mail address)."""
    lang = letter.lang
    place = rng.choice(ingest_speed.PLACES[lang])
    if rng.random() < 0.4:
        return [f"{letter.signature[0]} · {place}"]
    org = rng.choice(ORGANISATIONS[lang])
    lines = [org.upper() if rng.random() < 0.3 else org]
    street = f"{rng.randint(1, 120)} {rng.choice(ingest_speed.STREETS[lang])}"
    lines.append(street)
    lines.append(f"{rng.randint(10000, 99999)} {place}")
    for contact in rng.sample(CONTACTS[lang], rng.randint(0, 2)):
        lines.append(contact.format(n=rng.randint(100, 999)))
    if rng.random() < 0.3:  # the whole letterhead on one line, as a footer or a banner
        return [" · ".join(lines)]
    return lines


def _signature(rng: random.Random, letter: ingest_speed.Letter) -> list[str]:
    """The signature block: the name, a role and an organisation below it, or a proxy line
    above it ("p.p. Name", "i. A.", "For the Committee")."""
    lines = list(letter.signature)
    if rng.random() < 0.25:
        lines.append(rng.choice(ORGANISATIONS[letter.lang]))
    if rng.random() < 0.2:
        proxy = rng.choice(PROXIES[letter.lang]).format(name=letter.signature[0])
        lines = [proxy, *lines] if "{name}" not in proxy else [proxy, *lines[1:]]
    return lines


def _addressee_lines(rng: random.Random, letter: ingest_speed.Letter) -> list[str]:
    """The recipient's address, with a form of address or an organisation at times."""
    lines = list(letter.address)
    forms = {"en": "Mr", "de": "Herrn", "fr": "Monsieur", "sv": "Herr"}
    if rng.random() < 0.3:
        lines[0] = f"{forms[letter.lang]} {lines[0]}"
    if rng.random() < 0.25:
        lines.insert(1, rng.choice(ORGANISATIONS[letter.lang]))
    return lines


def generated_letters(count: int = MODERN, seed: int = MODERN_SEED) -> list[corpus.CorpusLetter]:
    """Modern letters, each line labelled as generated, in the layouts of today's letters: a
    sender's letterhead (a name and town, or an organisation's printed block) or none; the
    recipient's address above or below the dateline (as in DIN letters); a subject line;
    signatures with roles, organisations and proxy lines; cc and enclosure trailers. Each
    file name carries a digest of the letter, so a changed generator renders afresh."""
    out = []
    for index, letter in enumerate(ingest_speed.letters(count, seed)):
        rng = random.Random(f"{seed}-{index}")
        rows: list[tuple[list[str], str]] = []
        if rng.random() < 0.6:
            rows.append((_letterhead(rng, letter), "letterhead"))
        dateline = ([letter.dateline], "dateline")
        address = (_addressee_lines(rng, letter), "address")
        rows += [address, dateline] if rng.random() < 0.5 else [dateline, address]
        if letter.subject:
            rows.append(([letter.subject], "subject"))
        rows.append(([letter.salute], "salute"))
        rows += [([paragraph], "body") for paragraph in letter.paragraphs]
        rows.append(([letter.closing], "closing"))
        rows.append((_signature(rng, letter), "signature"))
        if letter.postscript:
            rows.append(([letter.postscript], "postscript"))
        trailers = [letter.cc] if letter.cc else []
        if rng.random() < 0.2:
            trailers.append(rng.choice(ENCLOSURES[letter.lang]))
        rng.shuffle(trailers)
        rows += [([line], "trailer") for line in trailers]
        sheet = renditions.Sheet(
            blocks=[lines for lines, _ in rows],
            labels=[[label] * len(lines) for lines, label in rows],
            layout=["left"] * len(rows),
        )
        digest = hashlib.sha1(repr(rows).encode("utf-8")).hexdigest()[:8]
        varied = renditions.vary_layout(sheet, f"generated-{index}")
        out.append(corpus.CorpusLetter(
            file=f"generated/{index:04d}-{digest}.xml", edition="generated",
            language=letter.lang, truth={}, period=(1850, 2020), sheet=varied,
        ))  # fmt: skip
    return out


def capped(letters: list[corpus.CorpusLetter], per_edition: int) -> list[corpus.CorpusLetter]:
    taken: Counter[str] = Counter()
    out = []
    for letter in letters:
        if taken[letter.edition] < per_edition:
            taken[letter.edition] += 1
            out.append(letter)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL, help="where to write the model")
    parser.add_argument("--per-edition", type=int, default=PER_EDITION)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not corpus.CORPUS.exists():
        print(
            f"no corpus at {corpus.CORPUS}: the model is trained from ../shared/", file=sys.stderr
        )
        return 2
    began = time.monotonic()
    letters = capped(corpus.load(), args.per_edition) + generated_letters()
    found = examples(letters, args.formats.split(","), jobs=args.jobs)
    counts = Counter(label for ex in found for label in ex.labels)
    print(f"{len(letters)} letters, {len(found)} renditions, {sum(counts.values())} lines")
    print("  " + ", ".join(f"{label} {n}" for label, n in counts.most_common()))
    train(found, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"model {args.out} ({size:.1f} MB) in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
