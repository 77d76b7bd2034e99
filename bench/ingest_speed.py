"""How fast ``epistula ingest --jobs 2`` is, beside pdftotext and pandoc on the same files.

    python bench/ingest_speed.py                     # 1,000 and 10,000 letters per format
    python bench/ingest_speed.py --letters 200 --scale 0   # a quick look, no growth run
    python bench/ingest_speed.py --corpus /tmp/bench-corpus   # keep (and reuse) the files
    python bench/ingest_speed.py --repeats 5         # the median of five runs per figure

The corpus is generated with a fixed seed: letters in English, German, French and Swedish,
with datelines, addresses, optional subject lines, two to seven paragraphs of varied prose,
optional footnotes (PDF), closings, signatures with roles, postscripts and cc lines; written
as DOCX with python-docx and as PDF with reportlab (long letters run to several pages).

In one run, side by side on the same files:

- Epistula: ``epistula --archive NEW ingest FOLDER --jobs 2`` as a user runs it (the whole
  command: reading, letter parts, TEI, validation, the OCFL store and the index);
- ``pdftotext FILE OUT`` over the PDFs and ``pandoc -t tei FILE -o OUT`` over the DOCX files,
  one process per file as a user runs them, once one at a time and once two at a time (the
  same two cores ``--jobs 2`` uses); a tool that is not installed is skipped with a note;
- growth: Epistula on the first 1,000 letters and on all 10,000 (per-letter time ratio).

Targets (issue 4): PDF ingest within 2x the time of pdftotext, DOCX ingest at least 5x faster
than pandoc -t tei, and a per-letter time ratio (10,000 vs 1,000) within 1.3. The figures go
to the ``ingest_speed`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import machine, write_section

ROOT = Path(__file__).resolve().parent.parent

SEED = 4_2017
JOBS = 2
TARGET_PDF = 2.0  # Epistula's time at most this multiple of pdftotext's
TARGET_DOCX = 5.0  # pandoc's time at least this multiple of Epistula's
TARGET_GROWTH = 1.3  # per-letter time, 10,000 letters over 1,000

# ---------------------------------------------------------------------------------------------
# The letters


@dataclass
class Letter:
    """One generated letter: its parts, in reading order, as plain strings."""

    lang: str
    dateline: str
    address: list[str]
    subject: str | None
    salute: str
    paragraphs: list[str]
    closing: str
    signature: list[str]
    postscript: str | None = None
    cc: str | None = None
    #: footnote texts, called out as [n] at the end of the paragraph of the same index
    notes: dict[int, str] = field(default_factory=dict)


NAMES = {
    "en": (["Margaret", "Thomas", "Eleanor", "James", "Alice", "Henry", "Sarah", "William"],
           ["Whitfield", "Ashworth", "Pemberton", "Hargreaves", "Okafor", "Brennan", "Lowe"]),
    "de": (["Sabine", "Klaus", "Friederike", "Johann", "Ursula", "Matthias", "Greta", "Lukas"],
           ["Krause", "Müller", "Schäfer", "Weißmann", "Bergmann", "Köhler", "Zimmermann"]),
    "fr": (["Hélène", "Étienne", "Margot", "Lucien", "Céline", "Antoine", "Élodie", "Jules"],
           ["Moreau", "Lefèvre", "Durand", "Rousseau", "Girard", "Bérénger", "Chevalier"]),
    "sv": (["Karin", "Erik", "Ingrid", "Lars", "Astrid", "Nils", "Greta", "Olof"],
           ["Lindqvist", "Berg", "Sjöberg", "Åkesson", "Holm", "Nyström", "Ekdahl"]),
}  # fmt: skip
PLACES = {
    "en": ["London", "Manchester", "Edinburgh", "Bristol", "York", "Dublin", "Oxford"],
    "de": ["Berlin", "München", "Hamburg", "Köln", "Leipzig", "Dresden", "Göttingen"],
    "fr": ["Paris", "Lyon", "Marseille", "Bordeaux", "Nantes", "Rouen", "Lille"],
    "sv": ["Stockholm", "Uppsala", "Göteborg", "Lund", "Malmö", "Umeå", "Visby"],
}
STREETS = {
    "en": ["High Street", "Station Road", "Church Lane", "Mill Road"],
    "de": ["Hauptstraße", "Bahnhofstraße", "Kirchgasse", "Lindenallee"],
    "fr": ["rue Victor Hugo", "avenue de la Gare", "place de l'Église", "rue des Lilas"],
    "sv": ["Storgatan", "Kyrkogatan", "Drottninggatan", "Strandvägen"],
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
}
SALUTES = {
    "en": ["Dear {first} {last},", "Dear Mr {last},", "Dear Mrs {last},", "My dear {first},"],
    "de": ["Sehr geehrter Herr {last},", "Liebe {first},", "Sehr geehrte Frau {last},"],
    "fr": ["Cher {first},", "Madame,", "Monsieur,", "Chère amie,"],
    "sv": ["Kära {first},", "Bäste herr {last},", "Hej {first},"],
}
CLOSINGS = {
    "en": ["Yours sincerely,", "With kind regards,", "Yours faithfully,", "Ever yours,"],
    "de": ["Mit freundlichen Grüßen", "Herzliche Grüße", "Hochachtungsvoll"],
    "fr": ["Bien à vous,", "Je vous prie d'agréer mes salutations distinguées,", "Amitiés,"],
    "sv": ["Med vänliga hälsningar", "Hjärtliga hälsningar", "Din tillgivne"],
}
ROLES = {
    "en": ["Secretary", "Director", "Treasurer", "Chair of the Committee"],
    "de": ["Vorsitzender", "Geschäftsführerin", "Schriftführer"],
    "fr": ["Secrétaire générale", "Directeur", "Trésorier"],
    "sv": ["Ordförande", "Sekreterare", "Kassör"],
}
SUBJECTS = {
    "en": ["Re: the spring meeting", "Your application of last month", "The archive catalogue"],
    "de": ["Betreff: Ihre Anfrage", "Betr.: Mitgliederversammlung", "Betreff: Der Katalog"],
    "fr": ["Objet : la réunion de printemps", "Objet : votre demande", "Objet : le catalogue"],
    "sv": ["Ang. vårmötet", "Ang. er ansökan", "Ang. arkivets katalog"],
}
WORDS = {
    "en": "archive letter society collection garden river winter summer journey house family "
    "friend committee meeting proposal report budget members village harvest station railway "
    "library manuscript printer weather mountains orchard school hospital museum church",
    "de": "Archiv Brief Gesellschaft Sammlung Garten Fluss Winter Sommer Reise Haus Familie "
    "Freund Ausschuss Sitzung Vorschlag Bericht Mitglieder Dorf Ernte Bahnhof Bibliothek "
    "Handschrift Wetter Berge Schule Krankenhaus Museum Kirche",
    "fr": "archive lettre société collection jardin rivière hiver été voyage maison famille ami "
    "comité réunion proposition rapport membres village récolte gare bibliothèque manuscrit "
    "temps montagnes école hôpital musée église",
    "sv": "arkiv brev sällskap samling trädgård älv vinter sommar resa hus familj vän kommitté "
    "möte förslag rapport medlemmar by skörd station bibliotek handskrift väder berg skola "
    "sjukhus museum kyrka",
}
FRAMES = {
    "en": ["We have received your note about the {a} and the {b}.",
           "The {a} was discussed at length, together with the {b} and the {c}.",
           "It seems to me that the {a} will need more attention before the {b} can begin.",
           "Please let me know whether the {a} suits you, or whether the {b} is better.",
           "Since the {a} was moved, the {b} has been quiet, and the {c} with it."],
    "de": ["Wir haben Ihre Nachricht über das {a} und den {b} erhalten.",
           "Über {a} und {b} wurde lange gesprochen, ebenso über {c}.",
           "Mir scheint, dass {a} mehr Aufmerksamkeit braucht, bevor {b} beginnen kann.",
           "Bitte teilen Sie mir mit, ob Ihnen {a} passt oder ob {b} besser ist."],
    "fr": ["Nous avons bien reçu votre mot au sujet de {a} et de {b}.",
           "On a longuement parlé de {a}, ainsi que de {b} et de {c}.",
           "Il me semble que {a} demande encore du soin avant que {b} puisse commencer.",
           "Dites-moi si {a} vous convient, ou si {b} serait préférable."],
    "sv": ["Vi har fått ert meddelande om {a} och {b}.",
           "Man talade länge om {a}, och även om {b} och {c}.",
           "Det förefaller mig som om {a} behöver mer omsorg innan {b} kan börja.",
           "Meddela mig gärna om {a} passar er, eller om {b} vore bättre."],
}  # fmt: skip


def letters(count: int, seed: int = SEED) -> Iterator[Letter]:
    """``count`` varied letters, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        yield _letter(rng)


def _letter(rng: random.Random) -> Letter:
    lang = rng.choice(list(NAMES))
    firsts, lasts = NAMES[lang]
    sender = (rng.choice(firsts), rng.choice(lasts))
    recipient = (rng.choice(firsts), rng.choice(lasts))
    place = rng.choice(PLACES[lang])
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1850, 2020)
    month_name = MONTHS[lang].split()[month - 1]
    dateline = {
        "en": f"{place}, {day} {month_name} {year}",
        "de": f"{place}, den {day}. {month_name} {year}",
        "fr": f"{place}, le {day} {month_name} {year}",
        "sv": f"{place} den {day} {month_name} {year}",
    }[lang]
    address = [
        f"{recipient[0]} {recipient[1]}",
        f"{rng.randint(1, 120)} {rng.choice(STREETS[lang])}",
        f"{rng.randint(10000, 99999)} {rng.choice(PLACES[lang])}",
    ]
    words = WORDS[lang].split()
    paragraphs = []
    for _ in range(rng.randint(2, 7)):
        sentences = [
            rng.choice(FRAMES[lang]).format(
                a=rng.choice(words), b=rng.choice(words), c=rng.choice(words)
            )
            for _ in range(rng.randint(2, 7))
        ]
        paragraphs.append(" ".join(sentences))
    notes = {}
    if rng.random() < 0.3:
        notes[rng.randrange(len(paragraphs))] = (
            f"See the report of {rng.randint(1850, 2020)}, p. {rng.randint(2, 300)}, "
            f"https://example.org/archive/{rng.randint(1000, 9999)}"
        )
    return Letter(
        lang=lang,
        dateline=dateline,
        address=address,
        subject=rng.choice(SUBJECTS[lang]) if rng.random() < 0.4 else None,
        salute=rng.choice(SALUTES[lang]).format(first=recipient[0], last=recipient[1]),
        paragraphs=paragraphs,
        closing=rng.choice(CLOSINGS[lang]),
        signature=[f"{sender[0]} {sender[1]}"]
        + ([rng.choice(ROLES[lang])] if rng.random() < 0.5 else []),
        postscript=f"P.S. {rng.choice(FRAMES[lang]).format(a=words[0], b=words[1], c=words[2])}"
        if rng.random() < 0.2
        else None,
        cc="cc: " + rng.choice(words) if rng.random() < 0.15 else None,
        notes=notes,
    )


def write_docx(letter: Letter, target: Path) -> None:
    """The letter as Word writes it: one paragraph per block, line breaks inside blocks."""
    import docx

    document = docx.Document()
    document.core_properties.author = letter.signature[0]
    document.core_properties.language = letter.lang

    def block(lines: list[str], bold: bool = False) -> None:
        paragraph = document.add_paragraph()
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold = bold
            if index + 1 < len(lines):
                run.add_break()

    block([letter.dateline])
    block(letter.address)
    if letter.subject:
        block([letter.subject], bold=True)
    block([letter.salute])
    for index, text in enumerate(letter.paragraphs):
        if index in letter.notes:  # python-docx writes no footnotes: the note goes inline
            text += f" ({letter.notes[index]})"
        block([text])
    block([letter.closing])
    block(letter.signature)
    if letter.postscript:
        block([letter.postscript])
    if letter.cc:
        block([letter.cc])
    document.save(str(target))


def write_pdf(letter: Letter, target: Path) -> None:
    """The letter typeset with reportlab; footnotes at the page foot, called out in the text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    note_style = styles["BodyText"].clone("note", fontSize=8, leading=10)
    story: list[object] = []

    def block(lines: list[str], bold: bool = False) -> None:
        markup = "<br/>".join(escape(line) for line in lines)
        story.append(Paragraph(f"<b>{markup}</b>" if bold else markup, body))
        story.append(Spacer(1, 6))

    block([letter.dateline])
    block(letter.address)
    if letter.subject:
        block([letter.subject], bold=True)
    block([letter.salute])
    foot: list[str] = []
    for index, text in enumerate(letter.paragraphs):
        markup = escape(text)
        if index in letter.notes:
            foot.append(letter.notes[index])
            markup += f"<super>{len(foot)}</super>"
        story.append(Paragraph(markup, body))
        story.append(Spacer(1, 6))
    block([letter.closing])
    block(letter.signature)
    if letter.postscript:
        block([letter.postscript])
    if letter.cc:
        block([letter.cc])

    def footnotes(canvas: object, _doc: object) -> None:
        y = 50.0
        for number, note in reversed(list(enumerate(foot, start=1))):
            paragraph = Paragraph(f"<super>{number}</super> {escape(note)}", note_style)
            _width, height = paragraph.wrap(450, 60)
            paragraph.drawOn(canvas, 72, y)
            y += height + 2

    document = SimpleDocTemplate(
        str(target), pagesize=A4, invariant=1, title="", author=letter.signature[0]
    )
    document.build(story, onFirstPage=footnotes)


def _write_batch(args: tuple[int, int, int, str, str]) -> int:
    start, stop, seed, fmt, folder = args
    writer = write_pdf if fmt == "pdf" else write_docx
    for index, letter in enumerate(letters(stop, seed)):
        if index >= start:
            writer(letter, Path(folder) / f"letter-{index:05d}.{fmt}")
    return stop - start


def make_corpus(folder: Path, fmt: str, count: int) -> list[Path]:
    """``count`` letters as ``fmt`` files in ``folder`` (kept and reused between runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f".complete-{count}-{SEED}"
    if not marker.exists():
        chunk = 250
        batches = [
            (start, min(start + chunk, count), SEED, fmt, str(folder))
            for start in range(0, count, chunk)
        ]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(_write_batch, batches))
        marker.touch()
    return sorted(folder.glob(f"letter-*.{fmt}"))[:count]


# ---------------------------------------------------------------------------------------------
# Timing


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def settle(work: Path) -> None:
    """Put Epistula where a user's installation is after its first run: the project's modules
    compiled to bytecode (pip does that on install; this checkout may run with
    ``PYTHONDONTWRITEBYTECODE``, which would recompile them in every run) and the user cache
    (gazetteer index, language model) filled by one untimed run."""
    for package in ("archive", "ingest", "metadata", "search"):
        compileall.compile_dir(ROOT / package, quiet=1)
    letter = work / "settle" / "letter.txt"
    letter.parent.mkdir(parents=True)
    letter.write_text("Uppsala, 3 March 2015\n\nDear Erik,\n\nThank you.\n\nYours, Karin\n")
    epistula([letter], work / "settle")


def place_file(path: Path, target: Path) -> None:
    """``path`` in the input folder as a file of its own: a hard link where the filesystem
    allows one (ingest does not follow symbolic links, and never out of the folder given)."""
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)


def epistula(files: list[Path], work: Path, attempt: int = 1) -> float:
    """Wall time of ``epistula ingest --jobs 2`` over ``files`` into a new archive."""
    # nothing is deleted before the end of the benchmark: on ext4 without a journal, as here,
    # files created within minutes of deleting many others are slow to create (the kernel
    # skips recently freed inodes), which no user's ingest pays
    work = work / f"run-{len(files)}-{attempt}"
    folder = work / "input"
    folder.mkdir(parents=True)
    for path in files:  # the command is given one folder, as a user gives it
        place_file(path, folder / path.name)
    archive = work / "archive"
    command = [str(Path(sys.executable).with_name("epistula")), "--archive", str(archive)]
    command += ["ingest", str(folder), "--jobs", str(JOBS), "--json"]

    def run() -> None:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"epistula ingest failed:\n{done.stdout[-2000:]}{done.stderr}")

    return timed(run)


def tool(
    files: list[Path],
    command: Callable[[Path, Path], list[str]],
    parallel: int,
    out: Path,
    attempt: int = 1,
) -> float:
    """Wall time of one ``command`` process per file, ``parallel`` at a time, into ``out``."""
    out = out / f"run-{attempt}"
    out.mkdir(parents=True)

    def one(path: Path) -> None:
        subprocess.run(command(path, out / f"{path.stem}.out"), capture_output=True, check=False)

    def run() -> None:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(one, files))

    return timed(run)


def pdftotext(path: Path, out: Path) -> list[str]:
    return ["pdftotext", str(path), str(out)]


def pandoc(path: Path, out: Path) -> list[str]:
    return ["pandoc", "-t", "tei", str(path), "-o", str(out)]


def median_of(repeats: int, measure: Callable[[int], float], label: str) -> float:
    """The median of ``repeats`` runs of ``measure`` (given the attempt's number): single runs
    on this virtual machine vary by several per cent."""
    times = [measure(attempt) for attempt in range(1, repeats + 1)]
    print(f"    {label}: " + ", ".join(f"{t:.1f}" for t in times) + " s", flush=True)
    return statistics.median(times)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}"


def version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


# ---------------------------------------------------------------------------------------------
# The run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000, help="letters per format")
    parser.add_argument(
        "--scale", type=int, default=10_000, help="letters for the growth run (0: skip it)"
    )
    parser.add_argument("--formats", default="pdf,docx", help="formats to measure, of pdf and docx")
    parser.add_argument("--corpus", type=Path, help="where to keep the generated files")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each 1,000-letter measurement (median)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    options = parser.parse_args()
    formats = [f.strip() for f in options.formats.split(",") if f.strip()]
    corpus = options.corpus or Path(tempfile.gettempdir()) / "epistula-bench-ingest-speed"
    work = Path(tempfile.mkdtemp(prefix="epistula-bench-"))
    settle(work)
    load = os.getloadavg()[0]
    total = max(options.letters, options.scale)
    lines = [
        "## Ingest speed",
        "",
        f"Generated letters (seed {SEED}; English, German, French and Swedish; two to seven "
        "paragraphs, one in three with a footnote), DOCX written with python-docx and PDF "
        "with reportlab. Epistula is the whole `epistula ingest FOLDER --jobs 2` command into "
        "a new archive (reading, letter parts, TEI, validation, the OCFL store synced to "
        "disk, the index), installed as after a user's first run (modules compiled to "
        "bytecode, the gazetteer and language model in the user cache). pdftotext and pandoc "
        "run one process per file, one at a time (seq.) or two at a time (×2, the cores "
        "`--jobs 2` uses). Each figure for the first letters is the median of "
        f"{options.repeats} runs (single runs on this virtual machine vary by several per "
        "cent); the growth run is one run. Every run's files are kept until the end, and "
        "the benchmark is started at least five minutes after many files were deleted: "
        "ext4 without a "
        "journal, as on this machine, creates files several times slower while recently "
        "freed inodes are skipped.",
        "",
        "| format | letters | Epistula s | letters/s | tool | tool seq. s | tool ×2 s "
        "| ratio (seq.) | ratio (×2) | target | met |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    growth_lines: list[str] = []
    notes: list[str] = []
    verdicts: list[bool] = []
    for fmt in formats:
        print(f"[{fmt}] generating {total:,} letters in {corpus / fmt} …", flush=True)
        files = make_corpus(corpus / fmt, fmt, total)
        small = files[: options.letters]
        print(f"[{fmt}] epistula ingest --jobs {JOBS}: {len(small):,} letters …", flush=True)
        ours = median_of(options.repeats, partial(epistula, small, work / fmt), "epistula")
        print(f"    {ours:.1f} s, {rate(len(small), ours)} letters/s", flush=True)
        name, command = ("pdftotext", pdftotext) if fmt == "pdf" else ("pandoc -t tei", pandoc)
        program = name.split()[0]
        if shutil.which(program) is None:
            notes.append(f"`{program}` is not installed here: its comparison was skipped.")
            lines.append(
                f"| {fmt.upper()} | {len(small):,} | {ours:.1f} | {rate(len(small), ours)} "
                f"| {name} | – | – | – | – | – | skipped |"
            )
        else:
            sequential = median_of(
                options.repeats,
                partial(tool, small, command, 1, work / fmt / "tool-1"),
                f"{name} one at a time",
            )
            paired = median_of(
                options.repeats,
                partial(tool, small, command, JOBS, work / fmt / f"tool-{JOBS}"),
                f"{name} two at a time",
            )
            print(f"    {name}: {sequential:.1f} s one at a time, {paired:.1f} s two at a time")
            if fmt == "pdf":  # Epistula's time as a multiple of pdftotext's: at most 2
                ratios = (ours / sequential, ours / paired)
                target, met = f"≤ {TARGET_PDF:g}× (×2)", ratios[1] <= TARGET_PDF
            else:  # how many times faster than pandoc Epistula is: at least 5
                ratios = (sequential / ours, paired / ours)
                target, met = f"≥ {TARGET_DOCX:g}× faster (×2)", ratios[1] >= TARGET_DOCX
            verdicts.append(met)
            lines.append(
                f"| {fmt.upper()} | {len(small):,} | {ours:.1f} | {rate(len(small), ours)} "
                f"| {name} | {sequential:.1f} | {paired:.1f} | {ratios[0]:.2f} "
                f"| {ratios[1]:.2f} | {target} | {'yes' if met else 'no'} |"
            )
            notes.append(f"{program}: {version([program, '-v' if fmt == 'pdf' else '--version'])}")
        if options.scale > options.letters:
            print(f"[{fmt}] epistula ingest --jobs {JOBS}: {total:,} letters …", flush=True)
            big = epistula(files, work / fmt)
            growth = (big / len(files)) / (ours / len(small))
            met = growth <= TARGET_GROWTH
            verdicts.append(met)
            print(f"    {big:.1f} s, {rate(len(files), big)} letters/s, growth {growth:.2f}")
            growth_lines.append(
                f"| {fmt.upper()} | {ours / len(small) * 1000:.1f} | "
                f"{big / len(files) * 1000:.1f} | {growth:.2f} | ≤ {TARGET_GROWTH:g} "
                f"| {'yes' if met else 'no'} |"
            )
    if growth_lines:
        lines += [
            "",
            f"Growth: per-letter time of the same command on the first {options.letters:,} "
            f"letters and on all {total:,}.",
            "",
            f"| format | ms/letter ({options.letters:,}) | ms/letter ({total:,}) | ratio "
            "| target | met |",
            "| --- | ---: | ---: | ---: | --- | --- |",
            *growth_lines,
        ]
    if formats:
        # the command's fixed cost (start-up, loading models and the gazetteer once)
        one = epistula(make_corpus(corpus / formats[0], formats[0], total)[:1], work / "one")
        lines += [
            "",
            f"Fixed cost of one `epistula ingest` run (a single {formats[0].upper()} letter): "
            f"{one:.1f} s; it is part of every figure above.",
        ]
    lines += [
        "",
        f"Machine: {machine()}; load average {load:.1f} when the run started "
        f"({os.getloadavg()[0]:.1f} at its end).",
    ]
    lines += [f"{note}" for note in notes]
    markdown = "\n".join(lines)
    print()
    print(markdown)
    if not options.no_write:
        write_section("ingest_speed", markdown)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
