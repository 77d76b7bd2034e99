"""How fast exports are: ingest N generated letters, then time every export format.

    python bench/export_speed.py                # 10,000 letters (about ten minutes)
    python bench/export_speed.py --letters 500  # a quick look

The letters are plain-text files written with a fixed seed: English, German and French
letters with datelines in each language's manner, addresses, subject lines, salutations,
two to six paragraphs, footnotes, closings, signatures with roles and organisations,
postscripts and cc lines, so that ingest does its real work. The figures go to the
``export_speed`` section of ``bench/RESULTS.md``; the script fails (exit 1) unless every
export takes less than a tenth of the time the ingest took.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.api import Archive
from archive.exports import FORMATS
from bench.results import write_section

SEED = 20240501
#: an export must take less than this share of the ingest time
BUDGET = 0.1

FIRST = {
    "en": ["Margaret", "Thomas", "Eleanor", "James", "Alice", "Henry", "Sarah", "William"],
    "de": ["Sabine", "Klaus", "Friederike", "Johann", "Ursula", "Matthias", "Greta", "Lukas"],
    "fr": ["Hélène", "Étienne", "Margot", "Lucien", "Céline", "Antoine", "Élodie", "Jules"],
}
LAST = {
    "en": ["Whitfield", "Ashworth", "Pemberton", "Hargreaves", "Lindqvist", "Okafor", "Brennan"],
    "de": ["Krause", "Müller", "Schäfer", "Weißmann", "Bergmann", "Köhler", "Zimmermann"],
    "fr": ["Moreau", "Lefèvre", "Durand", "Rousseau", "Girard", "Bérénger", "Chevalier"],
}
PLACES = {
    "en": ["London", "Manchester", "Edinburgh", "Bristol", "York", "Dublin", "Oxford"],
    "de": ["Berlin", "München", "Hamburg", "Köln", "Leipzig", "Dresden", "Göttingen"],
    "fr": ["Paris", "Lyon", "Marseille", "Bordeaux", "Châteaudun", "Nantes", "Rouen"],
}
STREETS = {
    "en": ["High Street", "Station Road", "Church Lane"],
    "de": ["Hauptstraße", "Bahnhofstraße", "Kirchgasse"],
    "fr": ["rue Victor Hugo", "avenue de la Gare", "place de l'Église"],
}
ORGS = {
    "en": ["Northern Railway Company", "Society of Friends of the Library", "City Council"],
    "de": ["Stadtbibliothek", "Verein für Heimatkunde", "Deutsche Bahn AG", "Landesarchiv"],
    "fr": ["Société historique", "Mairie de la ville", "Bibliothèque municipale"],
}
ROLES = {
    "en": ["Secretary", "Director", "Treasurer", "Chair of the Committee"],
    "de": ["Geschäftsführerin", "Vorsitzender", "Referentin", "Direktor"],
    "fr": ["Secrétaire générale", "Directeur", "Présidente", "Trésorier"],
}
MONTHS = {
    "en": "January February March April May June July August September October November "
    "December".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November "
    "Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre".split(),
}
SALUTES = {
    "en": ["Dear {first},", "Dear Mr {last},", "Dear Ms {last},", "My dear {first},"],
    "de": ["Sehr geehrte Frau {last},", "Sehr geehrter Herr {last},", "Liebe {first},"],
    "fr": ["Chère Madame {last},", "Cher Monsieur {last},", "Cher {first},"],
}
CLOSINGS = {
    "en": ["Yours sincerely,", "With best wishes,", "Yours faithfully,", "Kind regards,"],
    "de": ["Mit freundlichen Grüßen", "Herzliche Grüße", "Mit besten Grüßen"],
    "fr": ["Bien cordialement,", "Je vous prie d'agréer mes salutations distinguées,"],
}
SUBJECTS = {
    "en": ["Re: The restoration of the old mill", "Re: Your application of last spring"],
    "de": ["Betreff: Ihr Antrag auf Förderung", "Betreff: Die Sanierung des Archivs"],
    "fr": ["Objet : La restauration du moulin", "Objet : Votre demande de subvention"],
}
SENTENCES = {
    "en": [
        "Thank you for your letter, which reached me only yesterday after a long delay.",
        "The committee met on Tuesday and discussed your proposal at some length.",
        "I am afraid the weather has been so poor that the work on the roof has stopped.",
        "We were delighted to hear that your mother is in better health again.",
        "The accounts for the last quarter are enclosed, and I hope you find them in order.",
        "Several members asked whether the library could open on Sunday afternoons.",
        "I shall travel north next month and would be glad to call on you.",
        "The children send their love and ask when you will visit us in the summer.",
        "Our survey found that eleven of the thirty sites had been drained since 1990.",
        "Please let me know whether the dates in March would suit you and your colleagues.",
    ],
    "de": [
        "Vielen Dank für Ihren Brief, der mich erst gestern erreicht hat.",
        "Der Vorstand hat Ihren Vorschlag in seiner letzten Sitzung ausführlich beraten.",
        "Leider mussten die Arbeiten am Dach wegen des schlechten Wetters ruhen.",
        "Wir freuen uns sehr, dass es Ihrer Mutter wieder besser geht.",
        "Die Abrechnung für das letzte Quartal liegt diesem Schreiben bei.",
        "Mehrere Mitglieder fragten, ob die Bibliothek auch sonntags öffnen könnte.",
        "Im nächsten Monat reise ich nach Norden und würde Sie gern besuchen.",
        "Die Kinder lassen herzlich grüßen und fragen, wann Sie uns im Sommer besuchen.",
        "Bitte teilen Sie mir mit, ob Ihnen die Termine im März passen.",
    ],
    "fr": [
        "Je vous remercie de votre lettre, qui ne m'est parvenue qu'hier.",
        "Le comité s'est réuni mardi et a longuement examiné votre proposition.",
        "Le mauvais temps a malheureusement interrompu les travaux de la toiture.",
        "Nous avons été heureux d'apprendre que votre mère se porte mieux.",
        "Vous trouverez ci-joint les comptes du dernier trimestre.",
        "Plusieurs membres ont demandé si la bibliothèque pourrait ouvrir le dimanche.",
        "Je voyagerai vers le nord le mois prochain et serais heureux de vous rendre visite.",
        "Les enfants vous embrassent et demandent quand vous viendrez cet été.",
        "Pourriez-vous me dire si les dates de mars vous conviennent ?",
    ],
}
FILE_NUMBER = {
    "en": "Our file number for this matter is {n}.",
    "de": "Unser Aktenzeichen lautet {n}.",
    "fr": "Notre numéro de dossier est le {n}.",
}
NOTES = {
    "en": "See the minutes of the meeting of {day} {month} {year}, item {n}.",
    "de": "Vgl. das Protokoll der Sitzung vom {day}. {month} {year}, Punkt {n}.",
    "fr": "Voir le procès-verbal de la séance du {day} {month} {year}, point {n}.",
}


def letter_text(rng: random.Random, number: int) -> str:
    """One plain-text letter, different from every other (it carries its own file number)."""
    lang = rng.choice(["en", "en", "de", "fr"])
    year, month, day = rng.randint(1850, 2023), rng.randint(1, 12), rng.randint(1, 28)
    month_name = MONTHS[lang][month - 1]
    place = rng.choice(PLACES[lang])
    dateline = {
        "en": rng.choice([f"{place}, {day} {month_name} {year}", f"{month_name} {day}, {year}"]),
        "de": f"{place}, den {day}. {month_name} {year}",
        "fr": f"{place}, le {day} {month_name} {year}",
    }[lang]
    sender = (rng.choice(FIRST[lang]), rng.choice(LAST[lang]))
    recipient = (rng.choice(FIRST[lang]), rng.choice(LAST[lang]))
    blocks = [dateline]
    if rng.random() < 0.7:
        town = rng.choice(PLACES[lang])
        blocks.append(
            "\n".join(
                [
                    f"{recipient[0]} {recipient[1]}",
                    rng.choice(ORGS[lang]),
                    f"{rng.randint(1, 120)} {rng.choice(STREETS[lang])}",
                    f"{rng.randint(10000, 99999)} {town}",
                ]
            )
        )
    if rng.random() < 0.3:
        blocks.append(rng.choice(SUBJECTS[lang]))
    blocks.append(rng.choice(SALUTES[lang]).format(first=recipient[0], last=recipient[1]))
    notes: list[str] = []
    for index in range(rng.randint(2, 6)):
        sentences = rng.sample(SENTENCES[lang], rng.randint(2, 5))
        if index == 0:
            sentences.append(FILE_NUMBER[lang].format(n=f"{year}/{number:05d}"))
        paragraph = " ".join(sentences)
        if rng.random() < 0.15:
            notes.append(
                NOTES[lang].format(day=day, month=month_name, year=year, n=rng.randint(1, 20))
            )
            paragraph += f"[{len(notes)}]"
        blocks.append(paragraph)
    blocks.append(rng.choice(CLOSINGS[lang]))
    signature = [f"{sender[0]} {sender[1]}"]
    if rng.random() < 0.5:
        signature += [rng.choice(ROLES[lang]), rng.choice(ORGS[lang])]
    blocks.append("\n".join(signature))
    if rng.random() < 0.15:
        blocks.append("P.S. " + rng.choice(SENTENCES[lang]))
    if rng.random() < 0.15:
        blocks.append(f"cc: {rng.choice(ORGS[lang])}")
    blocks += [f"[{i}] {text}" for i, text in enumerate(notes, start=1)]
    return "\n\n".join(blocks) + "\n"


def write_letters(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"letter-{number:05d}.txt"
        path.write_text(letter_text(rng, number), encoding="utf-8")
        paths.append(path)
    return paths


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="epistula-export-bench-") as tmp:
        work = Path(tmp)
        (work / "letters").mkdir()
        files = write_letters(work / "letters", args.letters, args.seed)
        archive = Archive(work / "archive")
        report = None

        def ingest() -> None:
            nonlocal report
            report = archive.ingest(files)

        ingest_seconds = timed(ingest)
        assert report is not None
        added = report.count("added")
        print(f"ingest: {added} letters added, {report.count('failed')} failed, "
              f"{ingest_seconds:.1f} s")  # fmt: skip
        moment = datetime(2024, 5, 1, tzinfo=UTC)
        rows = []
        ok = True
        for fmt in FORMATS:
            target = work / "out" / fmt
            seconds = timed(lambda fmt=fmt, target=target: archive.export(fmt, target, date=moment))
            share = seconds / ingest_seconds
            within = share < BUDGET
            ok = ok and within
            rows.append((fmt, seconds, share, within))
            print(f"export {fmt:<10} {seconds:7.2f} s  {share:6.1%} of ingest  "
                  f"{'ok' if within else 'TOO SLOW'}")  # fmt: skip
    total = sum(seconds for _f, seconds, _s, _w in rows)
    lines = [
        "## Export speed (`bench/export_speed.py`)",
        "",
        f"{added:,} generated plain-text letters (seed {args.seed}); ingest took "
        f"{ingest_seconds:.1f} s ({ingest_seconds / max(added, 1) * 1000:.1f} ms per letter). "
        f"Each export must take less than {BUDGET:.0%} of that. Run at least five minutes "
        "after many files were deleted: ext4 without a journal, as on this machine, creates "
        "files several times slower while recently freed inodes are skipped.",
        "",
        "| format | seconds | ms per letter | share of ingest | within budget |",
        "| --- | ---: | ---: | ---: | --- |",
        *(
            f"| `{fmt}` | {seconds:.2f} | {seconds / max(added, 1) * 1000:.2f} | {share:.1%} | "
            f"{'yes' if within else '**no**'} |"
            for fmt, seconds, share, within in rows
        ),
        f"| all seven | {total:.2f} | {total / max(added, 1) * 1000:.2f} | "
        f"{total / ingest_seconds:.1%} | |",
    ]
    if not args.no_results:
        write_section("export_speed", "\n".join(lines))
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
