"""Leave-one-edition-out accuracy on the edition letters (``python -m bench.accuracy --editions``).

For each edition of ``../shared/corpus/letters/`` with at least :data:`MIN_LETTERS` letters, a
part labeller is trained on all the other editions (:mod:`bench.train`) and every letter of the
held-out edition is read with it, as plain text, DOCX and PDF, with the edition's period given
as ``ingest --period`` would. Smaller editions are always on the training side; they are scored
with the model trained on every edition and reported apart, as not held out.

Each field is scored against the edition's ground truth (``truth.jsonl``, with the project's
corrections in ``bench/eval/corrections.json`` where the truth contradicts the letter's own
words) by :func:`bench.corpus.score`, twice: over the values the letter's text states, and over
all values. The salutation and closing formula come from the edition's own markup.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bench import corpus, train
from ingest.errors import IngestError
from ingest.letter import labeller
from ingest.limits import Limits
from ingest.pipeline import letter_from_file
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.card import card_from_tei
from metadata.xml import NS

MIN_LETTERS = 50
FIELDS = ("date", "senders", "recipients", "place_sent", "salute", "closing")
TARGETS = {"date": 95, "senders": 92, "recipients": 90, "place_sent": 90, "salute": 95,
           "closing": 95}  # fmt: skip
EDITION_FLOOR = 80
FORMAT_GAP = 3


@dataclass(frozen=True)
class Scored:
    """One rendition of one letter, field by field."""

    edition: str
    file: str
    fmt: str
    language: str
    held_out: bool
    right: dict[str, bool]
    stated: dict[str, bool]
    invalid: str | None = None
    #: the same with the project's corrections of the truth (bench/eval/corrections.json)
    corrected: dict[str, bool] = field(default_factory=dict)
    corrected_stated: dict[str, bool] = field(default_factory=dict)


def _init(model: str | None) -> None:
    labeller.use_model(Path(model) if model else None)


_CORRECTIONS = corpus.Corrections.load()
#: a model path that does not exist: the labeller steps aside and the rules' reading stands
_NO_MODEL = Path("/nonexistent/no-model.crfsuite")


def _score_one(job: tuple[corpus.CorpusLetter, str, Path, bool]) -> Scored:
    letter, fmt, path, held_out = job
    stated = corpus.expected(letter)["stated"]
    fixed_stated = corpus.expected(letter, _CORRECTIONS)["stated"]
    try:
        read = letter_from_file(path, Limits(period=letter.period))
    except IngestError as error:  # a rendition Epistula refuses: every field is wrong
        return Scored(letter.edition, letter.file, fmt, letter.language, held_out,
                      dict.fromkeys(FIELDS, False), {f: bool(stated.get(f, True)) for f in FIELDS},
                      f"not read: {error}", dict.fromkeys(FIELDS, False),
                      {f: bool(fixed_stated.get(f, True)) for f in FIELDS})  # fmt: skip
    root = build_tei(read, object_id="L-bench", publication=Publication(),
                     version=metadata.version("epistula"))  # fmt: skip
    errors = validate_tei(root)
    card = card_from_tei(root)
    date = root.find(".//tei:correspAction[@type='sent']/tei:date", NS)
    span = None if date is None else (date.get("notBefore"), date.get("notAfter"))
    right = corpus.score(card, letter, span)
    fixed = corpus.score(card, letter, span, _CORRECTIONS)
    return Scored(
        letter.edition, letter.file, fmt, letter.language, held_out,
        {f: bool(right[f]) for f in FIELDS if right.get(f) is not None},
        {f: bool(stated.get(f, True)) for f in FIELDS},
        errors[0] if errors else None,
        {f: bool(fixed[f]) for f in FIELDS if fixed.get(f) is not None},
        {f: bool(fixed_stated.get(f, True)) for f in FIELDS},
    )  # fmt: skip


def score(
    letters: list[corpus.CorpusLetter],
    model: Path | None,
    formats: Iterable[str],
    held_out: bool,
    jobs: int = 2,
) -> list[Scored]:
    """Every rendition of ``letters`` read with ``model`` and scored."""
    work = [(x, f, corpus.render(x, corpus.CACHE, f), held_out) for x in letters for f in formats]
    with ProcessPoolExecutor(
        jobs, initializer=_init, initargs=(str(model) if model else None,)
    ) as pool:
        return list(pool.map(_score_one, work, chunksize=8))


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else float("nan")


@dataclass
class Report:
    rows: list[Scored] = field(default_factory=list)

    def table(
        self, key, stated_only: bool, corrected: bool = False
    ) -> dict[tuple[str, str], Tally]:  # type: ignore[no-untyped-def]
        tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
        for row in self.rows:
            right = row.corrected if corrected else row.right
            stated = row.corrected_stated if corrected else row.stated
            for fld, ok in right.items():
                if stated_only and not stated.get(fld, True):
                    continue
                tallies[(key(row), fld)].add(ok)
        return tallies


def run(
    per_edition: int | None = None,
    formats: Iterable[str] = train.FORMATS,
    jobs: int = 2,
    editions: Iterable[str] | None = None,
    models: Path | None = None,
) -> Report:
    """Train one model per held-out edition, score it on that edition; the small editions with
    the model of all. The models are kept in ``models`` if given (to score again without
    training: :func:`rescore`)."""
    formats = tuple(formats)
    letters = corpus.load(limit_per_edition=per_edition)
    by_edition: dict[str, list[corpus.CorpusLetter]] = defaultdict(list)
    for letter in letters:
        by_edition[letter.edition].append(letter)
    training = train.capped(letters, train.PER_EDITION) + train.generated_letters()
    examples = train.examples(training, formats, jobs=jobs)
    report = Report()
    wanted = set(editions) if editions else set(by_edition)
    with tempfile.TemporaryDirectory(prefix="epistula-loeo-") as scratch:
        tmp = models or Path(scratch)
        for edition, members in sorted(by_edition.items()):
            if edition not in wanted or len(members) < MIN_LETTERS:
                continue
            model = train.train([e for e in examples if e.edition != edition],
                                Path(tmp) / f"without-{edition}.crfsuite")  # fmt: skip
            report.rows += score(members, model, formats, held_out=True, jobs=jobs)
            print(f"  {edition}: {len(members)} letters scored", flush=True)
        small = [
            x for e, m in by_edition.items() if len(m) < MIN_LETTERS and e in wanted for x in m
        ]
        if small:
            model = train.train(examples, Path(tmp) / "all.crfsuite")
            report.rows += score(small, model, formats, held_out=False, jobs=jobs)
    return report


def rescore(
    models: Path,
    per_edition: int | None = None,
    formats: Iterable[str] = train.FORMATS,
    jobs: int = 2,
) -> Report:
    """Score again with the models :func:`run` kept in ``models`` (after a change that does not
    touch the labeller's features)."""
    letters = corpus.load(limit_per_edition=per_edition)
    report = Report()
    for edition in sorted({x.edition for x in letters}):
        members = [x for x in letters if x.edition == edition]
        held_out = len(members) >= MIN_LETTERS
        name = f"without-{edition}.crfsuite" if held_out else "all.crfsuite"
        model = models / name if models is not None else _NO_MODEL
        report.rows += score(members, model, tuple(formats), held_out=held_out, jobs=jobs)
    return report


def markdown(report: Report, rules_only: Report | None = None) -> str:
    held = Report([r for r in report.rows if r.held_out])
    small = Report([r for r in report.rows if not r.held_out])
    lines = ["## Leave-one-edition-out accuracy on the edition letters", ""]
    editions = sorted({r.edition for r in held.rows})
    counts = {e: len({r.file for r in held.rows if r.edition == e}) for e in editions}
    formats = sorted({r.fmt for r in report.rows})
    lines.append(
        f"Editions with at least {MIN_LETTERS} letters, each held out in turn: the part labeller "
        "is trained on the other editions and scores every letter of the held-out one as "
        f"{', '.join(formats)}, with the edition's period given. "
        + ", ".join(f"{e} {n}" for e, n in counts.items())
        + " letters."
    )
    for title, stated in (("Values the letter's text states", True), ("All values", False)):
        by_edition = held.table(lambda r: r.edition, stated)
        lines += ["", f"### {title} (right %)", "",
                  "| edition | " + " | ".join(FIELDS) + " |",
                  "| --- |" + " ---: |" * len(FIELDS)]  # fmt: skip
        means = _edition_rows(by_edition, editions, lines)
        target = " | ".join(f"≥ {TARGETS[f]}" for f in FIELDS)
        lines.append(f"| target | {target} |")
        by_format = held.table(lambda r: f"{r.edition}/{r.fmt}", stated)
        for fmt in formats:
            cells = [f"{_mean(by_format[(f'{e}/{fmt}', f)].percent for e in editions):.1f}"
                     for f in FIELDS]  # fmt: skip
            lines.append(f"| format {fmt} | " + " | ".join(cells) + " |")
        by_language = held.table(lambda r: r.language, stated)
        for language in sorted({r.language for r in held.rows}):
            cells = [f"{by_language[(language, f)].percent:.1f}" for f in FIELDS]
            n = len({r.file for r in held.rows if r.language == language})
            lines.append(f"| language {language} ({n}) | " + " | ".join(cells) + " |")
        if stated:
            lines += ["", *_verdicts(held, editions, formats, means)]
    fixed = held.table(lambda r: r.edition, True, corrected=True)
    lines += ["", "### With the project's corrections of the ground truth (stated values, right %)",
              "", "`bench/eval/corrections.json` lists each correction with the letter's words as "
              "evidence.", "", "| edition | " + " | ".join(FIELDS) + " |",
              "| --- |" + " ---: |" * len(FIELDS)]  # fmt: skip
    _edition_rows(fixed, editions, lines)
    if rules_only is not None:
        alone = Report([r for r in rules_only.rows if r.held_out])
        title = "### The rules alone, without the labeller (the same letters and scoring)"
        lines += ["", title, "", "| values | " + " | ".join(FIELDS) + " |",
                  "| --- |" + " ---: |" * len(FIELDS)]  # fmt: skip
        for title, stated in (("stated", True), ("all", False)):
            table = alone.table(lambda r: r.edition, stated)
            cells = [f"{_mean(table[(e, f)].percent for e in editions):.1f}" for f in FIELDS]
            lines.append(f"| {title}, mean of editions | " + " | ".join(cells) + " |")
    if small.rows:
        table = small.table(lambda r: r.edition, True)
        title = "### Small editions (always on the training side: not held out; stated values)"
        lines += ["", title, "",
                  "| edition | letters | " + " | ".join(FIELDS) + " |",
                  "| --- | ---: |" + " ---: |" * len(FIELDS)]  # fmt: skip
        for edition in sorted({r.edition for r in small.rows}):
            n = len({r.file for r in small.rows if r.edition == edition})
            cells = [f"{table[(edition, f)].percent:.1f}" for f in FIELDS]
            lines.append(f"| {edition} | {n} | " + " | ".join(cells) + " |")
    invalid = [r for r in report.rows if r.invalid]
    lines += ["", f"TEI outside Epistula's profile: {len(invalid)} of {len(report.rows)}"]
    return "\n".join(lines) + "\n"


def _edition_rows(
    table: dict[tuple[str, str], Tally], editions: list[str], lines: list[str]
) -> dict[str, float]:
    """One row per edition and the row of their means, appended to ``lines``; the means."""
    for edition in editions:
        cells = [f"{table[(edition, f)].percent:.1f}" for f in FIELDS]
        lines.append(f"| {edition} | " + " | ".join(cells) + " |")
    means = {f: _mean(table[(e, f)].percent for e in editions) for f in FIELDS}
    lines.append(
        "| **mean of editions** | " + " | ".join(f"**{means[f]:.1f}**" for f in FIELDS) + " |"
    )
    return means


def _mean(values: Iterable[float]) -> float:
    values = [v for v in values if v == v]
    return sum(values) / len(values) if values else float("nan")


def _verdicts(
    held: Report, editions: list[str], formats: list[str], means: dict[str, float]
) -> list[str]:
    out = ["Against the acceptance targets (values the text states):", ""]
    for f in FIELDS:
        out.append(f"- {f}: {means[f]:.1f} % (target ≥ {TARGETS[f]}) — "
                   f"{'met' if means[f] >= TARGETS[f] else '**not met**'}")  # fmt: skip
    by_edition = held.table(lambda r: r.edition, True)
    worst = min(
        ((by_edition[(e, f)].percent, e, f) for e in editions for f in FIELDS), default=None
    )
    if worst:
        ok = worst[0] >= EDITION_FLOOR
        out.append(f"- lowest edition × field: {worst[1]} {worst[2]} {worst[0]:.1f} % "
                   f"(floor {EDITION_FLOOR}) — {'met' if ok else '**not met**'}")  # fmt: skip
    by_format = held.table(lambda r: f"{r.edition}/{r.fmt}", True)
    gaps = []
    for f in FIELDS:
        per = [_mean(by_format[(f"{e}/{fmt}", f)].percent for e in editions) for fmt in formats]
        gaps.append((max(per) - min(per), f))
    gap = max(gaps)
    out.append(f"- largest gap between formats: {gap[0]:.1f} points ({gap[1]}; target ≤ "
               f"{FORMAT_GAP}) — {'met' if gap[0] <= FORMAT_GAP else '**not met**'}")  # fmt: skip
    return out


def misses(report: Report, fields: Iterable[str]) -> str:
    """One line per rendition whose value is wrong though its text states it."""
    wanted = set(fields)
    lines = [
        f"{row.edition}/{row.file} {row.fmt} {fld}"
        for row in report.rows
        for fld, ok in row.right.items()
        if fld in wanted and not ok and row.stated.get(fld, True)
    ]
    return "\n".join([f"Misses ({len(lines)}):", *lines])
