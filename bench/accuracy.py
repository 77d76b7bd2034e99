"""Accuracy of letter-part and metadata recognition, per field and per format.

The evaluation set (at least 60 letters, in at least five languages, each read as plain text,
DOCX and PDF):

* the real letters of ``../shared/corpus/real-letters/``: the TEI editions (Escher, Schnitzler,
  Mitford) rendered from their ``<text>`` and the Beethoven plain-text letters; sender,
  addressee, date and place come from its ``ground_truth.json`` (Escher's swapped ``@type``s are
  already corrected there from the titles), the other fields from ``bench/eval/labels.json``;
* the project's sample letters (``samples/source/`` and their renditions in ``samples/letters/``);
* letters written for this benchmark (``bench/eval/*.txt``, labelled in ``labels.json``).

A separate **held-out** set (``bench/eval/heldout/*.txt``, labelled in its own ``labels.json``)
was written and labelled by hand before the tool was ever run on it, and is never used to tune
the rules; it is scored apart and reported in its own table.

Missing DOCX and PDF renditions are made in a temporary folder at run time
(:mod:`bench.renditions`). Every document goes through the real pipeline —
``ingest.pipeline.letter_from_file``, ``ingest.tei.build.build_tei`` and
``metadata.card.card_from_tei`` — and is compared with its labels by the rules of
:mod:`bench.matching`. Each TEI is validated against Epistula's profile (and tei_all when the
shared schema is present); failures are counted.

Run ``python -m bench.accuracy`` (``--misses [FIELD …]`` lists every miss with file, format,
expected and found value; ``--details`` adds validation failures; ``--no-write`` leaves
``bench/RESULTS.md`` alone).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from lxml import etree

from bench import editions, matching, renditions
from bench.results import write_section
from ingest.limits import Limits
from ingest.pipeline import letter_from_file
from ingest.tei.build import Publication, build_tei
from ingest.tei.schema import validate_tei
from metadata.card import Card, card_from_tei
from metadata.xml import NS

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "bench" / "eval"
HELDOUT = EVAL / "heldout"
SAMPLES = ROOT / "samples"
REAL = ROOT.parent / "shared" / "corpus" / "real-letters"
TEI_ALL = ROOT.parent / "shared" / "corpus" / "schema" / "tei_all.rng"
FORMATS = ("txt", "docx", "pdf")
FIELDS = (
    "date", "sender", "addressee", "place_sent", "salute", "closing", "signatories", "subject",
    "footnotes",
)  # fmt: skip
#: acceptance targets (per cent of letters with the field right)
TARGETS = {
    "date": 95, "sender": 90, "addressee": 90, "place_sent": 85, "salute": 95, "closing": 95,
    "footnotes": 100,
}  # fmt: skip
FORMAT_GAP = 5


@dataclass
class Case:
    """One labelled letter and where each of its renditions comes from."""

    name: str
    group: str
    labels: dict[str, Any]
    sheet: renditions.Sheet
    files: dict[str, Path] = field(default_factory=dict)  # existing renditions by format
    #: the years its collection spans, as an archivist gives them (``ingest --period``)
    period: tuple[int, int] | None = None


# -- the evaluation set ----------------------------------------------------------------------


def load_cases() -> list[Case]:
    labels = json.loads((EVAL / "labels.json").read_text(encoding="utf-8"))
    cases = [_own_case(name, value) for name, value in labels["own"].items()]
    cases += [_sample_case(name, value) for name, value in labels["samples"].items()]
    if (REAL / "ground_truth.json").exists():
        truth = json.loads((REAL / "ground_truth.json").read_text(encoding="utf-8"))
        by_file = {entry["file"].removeprefix("real-letters/"): entry for entry in truth}
        cases += [_real_case(name, value, by_file[name]) for name, value in labels["real"].items()]
    return cases


def load_heldout() -> list[Case]:
    path = HELDOUT / "labels.json"
    if not path.exists():
        return []
    labels = json.loads(path.read_text(encoding="utf-8"))
    return [_own_case(name, value, HELDOUT, "heldout") for name, value in labels["heldout"].items()]


def _own_case(name: str, labels: dict[str, Any], folder: Path = EVAL, group: str = "own") -> Case:
    path = folder / name
    sheet = renditions.sheet_from_text(path.read_text(encoding="utf-8"))
    return Case(Path(name).stem, group, labels, sheet, {"txt": path})


def _sample_case(name: str, labels: dict[str, Any]) -> Case:
    path = SAMPLES / "source" / name
    sheet = renditions.sheet_from_text(path.read_text(encoding="utf-8"))
    files = {"txt": path}
    for fmt in ("docx", "pdf"):
        rendition = SAMPLES / "letters" / f"{path.stem}.{fmt}"
        if rendition.exists():
            files[fmt] = rendition
    return Case(path.stem, "samples", labels, sheet, files)


#: the span of each real collection: its writer's or recipient's lifetime, known to anyone
#: who archives it (Alfred Escher, Arthur Schnitzler, Mary Russell Mitford, Beethoven)
COLLECTION_PERIODS = {
    "escher": (1819, 1882),
    "schnitzler": (1862, 1931),
    "mitford": (1787, 1855),
    "beethoven": (1770, 1827),
}


def _real_case(name: str, labels: dict[str, Any], truth: dict[str, Any]) -> Case:
    path = REAL / name
    collection = path.parent.name if path.suffix == ".xml" else path.name.split("_")[0]
    period = COLLECTION_PERIODS[collection]
    merged = {
        **labels,
        "language": truth["language"][:2],
        "date": truth["date"],
        "senders": [_forename_first(n) for n in truth["sender"]],
        "addressees": [_forename_first(n) for n in truth["recipient"]],
        "place_sent": truth["place_sent"],
    }
    if path.suffix == ".xml":
        return Case(path.stem, "real-tei", merged, renditions.sheet_from_tei(path), period=period)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return Case(
        path.stem,
        "real-txt",
        merged,
        renditions.sheet_from_text(text),
        {"txt": path},
        period=period,
    )


def _forename_first(name: str) -> str:
    """ "Hofmannsthal, Hugo von" → "Hugo von Hofmannsthal" (the register form of an edition)."""
    surname, comma, forenames = name.partition(",")
    return f"{forenames.strip()} {surname.strip()}" if comma else name


def render(case: Case, folder: Path) -> dict[str, Path]:
    """A file per format: the existing ones, and the others written into ``folder``."""
    files = dict(case.files)
    for fmt in FORMATS:
        if fmt not in files:
            target = folder / f"{case.name}.{fmt}"
            renditions.WRITERS[fmt](case.sheet, target)
            files[fmt] = target
    return files


# -- what the pipeline recognised ------------------------------------------------------------


@dataclass
class Found:
    card: Card
    date_range: tuple[str | None, str | None]
    signatories: list[str]
    profile_errors: list[str]
    tei_all_errors: list[str]


def recognise(path: Path, tei_all: Path | None, period: tuple[int, int] | None = None) -> Found:
    letter = letter_from_file(path, Limits(period=period))
    root = build_tei(
        letter, object_id="L-bench", publication=Publication(), version=metadata.version("epistula")
    )
    card = card_from_tei(root)
    date = root.find(".//tei:correspAction[@type='sent']/tei:date", NS)
    date_range = (None, None) if date is None else (date.get("notBefore"), date.get("notAfter"))
    signed = root.xpath("//tei:div[@type='letter']/tei:closer/tei:signed", namespaces=NS)
    return Found(
        card=card,
        date_range=date_range,
        signatories=[s for s in (_signatory(e) for e in signed) if s],
        profile_errors=validate_tei(root),
        tei_all_errors=validate_tei(root, schema=tei_all) if tei_all else [],
    )


def _signatory(signed: etree._Element) -> str | None:
    for tag in ("persName", "orgName"):
        names = signed.findall(f"tei:{tag}", NS)
        if names:
            return " ".join("".join(names[0].itertext()).split())
    return None


# -- scoring ---------------------------------------------------------------------------------


@dataclass
class Score:
    """True positives, false positives, false negatives and letters right, for one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    right: int = 0
    total: int = 0

    def add(self, tp: int, fp: int, fn: int) -> bool:
        self.tp, self.fp, self.fn, self.total = (
            self.tp + tp,
            self.fp + fp,
            self.fn + fn,
            self.total + 1,
        )
        ok = fp == 0 and fn == 0
        self.right += ok
        return ok

    @property
    def precision(self) -> float:
        return 100.0 * self.tp / (self.tp + self.fp) if self.tp + self.fp else 100.0

    @property
    def recall(self) -> float:
        return 100.0 * self.tp / (self.tp + self.fn) if self.tp + self.fn else 100.0

    @property
    def accuracy(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0


def _single(found: Any, expected: Any, same: Any) -> tuple[int, int, int]:
    if found and expected and same(found, expected):
        return 1, 0, 0
    return 0, int(bool(found)), int(bool(expected))


def _several(found: list[str], expected: list[str], same: Any) -> tuple[int, int, int]:
    matched = matching.pair_up(found, expected, same)
    return matched, len(found) - matched, len(expected) - matched


def _people(names: list[str], orgs: list[str]) -> list[str]:
    return names or orgs[-1:]


def compare(found: Found, labels: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    card = found.card
    date_ok = card.date == labels["date"]
    if date_ok and labels.get("date_range"):
        date_ok = list(found.date_range) == labels["date_range"]
    date = (
        (1, 0, 0) if date_ok and card.date else (0, int(bool(card.date)), int(bool(labels["date"])))
    )
    return {
        "date": (0, 0, 0) if date_ok and not card.date else date,
        "sender": _several(
            _people(card.senders, card.sender_orgs), labels["senders"], matching.names_match
        ),
        "addressee": _several(
            _people(card.recipients, card.recipient_orgs),
            labels["addressees"],
            matching.names_match,
        ),
        "place_sent": _single(card.place_sent, labels["place_sent"], matching.places_match),
        "salute": _single(card.salute, labels["salute"], matching.formulas_match),
        "closing": _single(card.closer_salute, labels["closing"], matching.formulas_match),
        "signatories": _several(found.signatories, labels["signatories"], matching.names_match),
        "subject": _single(card.subject, labels["subject"], matching.subjects_match),
        "footnotes": _several(card.notes, labels["footnotes"], matching.formulas_match),
    }


def _shown(found: Found, fld: str) -> Any:
    card = found.card
    return {
        "date": (card.date, found.date_range, card.date_text),
        "sender": card.senders or card.sender_orgs,
        "addressee": card.recipients or card.recipient_orgs,
        "place_sent": card.place_sent,
        "salute": card.salute,
        "closing": card.closer_salute,
        "signatories": found.signatories,
        "subject": card.subject,
        "footnotes": card.notes,
    }[fld]


_LABEL_KEYS = {"sender": "senders", "addressee": "addressees", "closing": "closing"}


@dataclass(frozen=True)
class Miss:
    """One field of one document that does not match its label."""

    group: str
    name: str
    fmt: str
    fld: str
    expected: Any
    found: Any
    not_stated: bool

    def line(self) -> str:
        flag = "  (not stated in the text)" if self.not_stated else ""
        return (
            f"{self.group}/{self.name} [{self.fmt}] {self.fld}: expected {self.expected!r}, "
            f"found {self.found!r}{flag}"
        )


# -- the run ---------------------------------------------------------------------------------


@dataclass
class Run:
    by_field: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_format: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    by_group: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    #: only the values the letter states (see ``not_stated`` in labels.json)
    stated: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    #: the date with each real collection's period given (``ingest --period``)
    dated_in_period: Score = field(default_factory=Score)
    documents: int = 0
    profile_failures: list[str] = field(default_factory=list)
    tei_all_failures: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    letters: int = 0


def run(cases: list[Case], tei_all: Path | None) -> Run:
    result = Run()
    with tempfile.TemporaryDirectory(prefix="epistula-bench-") as tmp:
        for case in cases:
            result.letters += 1
            result.languages.add(case.labels["language"])
            for fmt, path in render(case, Path(tmp)).items():
                found = recognise(path, tei_all)
                result.documents += 1
                if found.profile_errors:
                    result.profile_failures.append(f"{case.name}.{fmt}: {found.profile_errors[0]}")
                if found.tei_all_errors:
                    result.tei_all_failures.append(f"{case.name}.{fmt}: {found.tei_all_errors[0]}")
                scores = compare(found, case.labels)
                in_period = recognise(path, None, case.period) if case.period else found
                result.dated_in_period.add(*compare(in_period, case.labels)["date"])
                for fld, counts in scores.items():
                    result.by_format[(fld, fmt)].add(*counts)
                    result.by_group[(fld, case.group)].add(*counts)
                    if fld not in case.labels.get("not_stated", ()):
                        result.stated[fld].add(*counts)
                    if not result.by_field[fld].add(*counts):
                        label = case.labels.get(_LABEL_KEYS.get(fld, fld))
                        if fld == "date" and case.labels.get("date_range"):
                            label = (label, case.labels["date_range"])
                        result.misses.append(
                            Miss(case.group, case.name, fmt, fld, label, _shown(found, fld),
                                 fld in case.labels.get("not_stated", ()))
                        )  # fmt: skip
    return result


def heldout_report(result: Run) -> list[str]:
    """The held-out letters' own table (written after the rules; never used to tune them)."""
    if not result.letters:
        return []
    lines = [
        "### Held-out letters",
        "",
        f"{result.letters} letters in {len(result.languages)} languages "
        f"({', '.join(sorted(result.languages))}), each as txt, DOCX and PDF "
        f"({result.documents} documents), in `bench/eval/heldout/`: written and labelled by hand "
        "before the tool was ever run on them (after the rules of the first round, before "
        "those of the second), and not used to tune any rule since. They are not part of the "
        "figures above.",
        "",
        "| field | right % | precision % | recall % | txt | docx | pdf |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fld in FIELDS:
        score = result.by_field[fld]
        per_format = " | ".join(f"{result.by_format[(fld, f)].accuracy:.1f}" for f in FORMATS)
        lines.append(
            f"| {fld} | {score.accuracy:.1f} | {score.precision:.1f} | {score.recall:.1f} | "
            f"{per_format} |"
        )
    failures = len(result.profile_failures) + len(result.tei_all_failures)
    lines += ["", f"TEI validation failures on the held-out letters: {failures}", ""]
    return lines


def report(result: Run, heldout: Run | None = None) -> str:
    lines = [
        "## Letter anatomy and metadata accuracy",
        "",
        f"{result.letters} letters in {len(result.languages)} languages "
        f"({', '.join(sorted(result.languages))}), each as txt, DOCX and PDF: "
        f"{result.documents} documents. A field is *right* for a document when everything "
        "recognised matches the labels and nothing labelled is missing (an absent value is right "
        "when the letter has none). Precision and recall count single values (date, place, "
        "formulas) and list items (senders, addressees, signatories, footnotes).",
        "",
        "| field | right % | precision % | recall % | target | txt | docx | pdf |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fld in FIELDS:
        score = result.by_field[fld]
        target = f"≥ {TARGETS[fld]}" if fld in TARGETS else "–"
        per_format = " | ".join(f"{result.by_format[(fld, f)].accuracy:.1f}" for f in FORMATS)
        lines.append(
            f"| {fld} | {score.accuracy:.1f} | {score.precision:.1f} | {score.recall:.1f} | "
            f"{target} | {per_format} |"
        )
    overall = {f: _mean(result, f) for f in FORMATS}
    lines += [
        f"| **all fields** | | | | | {' | '.join(f'{overall[f]:.1f}' for f in FORMATS)} |",
        "",
        f"TEI outside Epistula's profile: {len(result.profile_failures)} of {result.documents}"
        + (f"; outside tei_all: {len(result.tei_all_failures)}" if _checked_tei_all() else ""),
        "",
        "### By source of the letters (right %)",
        "",
        *_group_table(result),
        "",
        "The rules were developed while reading the misses on this whole set, so the figures on "
        "the letters written for the benchmark and on the samples are optimistic; the real "
        "letters (TEI editions and Beethoven) are the harder and more independent measure.",
        "",
        "### On the values the letters state",
        "",
        "Some ground-truth values of the real letters are not written in their text: the "
        "editions know them from a postmark, an envelope or research (no date or place of "
        "writing, a two-digit or abbreviated year, a signature of initials, a salutation "
        "without a name; `not_stated` in `bench/eval/labels.json`). Leaving those out:",
        "",
        "| field | right % | letters × formats |",
        "| --- | ---: | ---: |",
        *[
            f"| {fld} | {result.stated[fld].accuracy:.1f} | {result.stated[fld].total} |"
            for fld in FIELDS
            if result.stated[fld].total != result.by_field[fld].total
        ],
        "",
        "### With each collection's period given",
        "",
        'A two-digit year ("25. X. 90", "VI.18.31") names no century, and these letters '
        "write no four-digit year to take one from. An archivist knows the span of the "
        "collection being ingested and can give it (`ingest --period 1862-1931`): given the "
        "writers' lifetimes (Escher 1819–1882, Schnitzler 1862–1931, Mitford 1787–1855, "
        f"Beethoven 1770–1827), the date is right for {result.dated_in_period.accuracy:.1f} % "
        f"of the {result.dated_in_period.total} documents. The letters with no date written "
        "at all stay undated.",
        "",
        "### Against the acceptance targets",
        "",
    ]
    lines += [f"- {line}" for line in acceptance(result, overall)]
    if heldout is not None and heldout.letters:
        lines += ["", *heldout_report(heldout)]
        while lines[-1] == "":
            lines.pop()
    return "\n".join(lines)


GROUPS = {
    "own": "written for the benchmark",
    "samples": "Epistula's samples",
    "real-tei": "real: TEI editions",
    "real-txt": "real: Beethoven",
}


def _group_table(result: Run) -> list[str]:
    groups = [g for g in GROUPS if result.by_group[("date", g)].total]
    header = (
        "| field | "
        + " | ".join(
            f"{GROUPS[g]} ({result.by_group[('date', g)].total // len(FORMATS)})" for g in groups
        )
        + " |"
    )
    lines = [header, "| --- |" + " ---: |" * len(groups)]
    for fld in FIELDS:
        cells = " | ".join(f"{result.by_group[(fld, g)].accuracy:.1f}" for g in groups)
        lines.append(f"| {fld} | {cells} |")
    return lines


def _mean(result: Run, fmt: str) -> float:
    scores = [result.by_format[(fld, fmt)] for fld in FIELDS]
    return 100.0 * sum(s.right for s in scores) / max(sum(s.total for s in scores), 1)


def _checked_tei_all() -> bool:
    return TEI_ALL.exists()


def acceptance(result: Run, overall: dict[str, float]) -> list[str]:
    out = []
    for fld, target in TARGETS.items():
        value = result.by_field[fld].accuracy
        line = f"{fld}: {value:.1f} % (target ≥ {target} %) — {_verdict(value >= target)}"
        missed = [m for m in result.misses if m.fld == fld]
        if value < target and missed:
            unstated = sum(m.not_stated for m in missed)
            line += (
                f" ({unstated} of the {len(missed)} missed documents have a label the letter's "
                "text does not state)"
            )
        out.append(line)
    gap = max(overall.values()) - min(overall.values())
    out.append(f"largest gap between formats: {gap:.1f} points (target ≤ {FORMAT_GAP}) — "
               f"{_verdict(gap <= FORMAT_GAP)}")  # fmt: skip
    failures = len(result.profile_failures) + len(result.tei_all_failures)
    out.append(f"TEI validation failures: {failures} (target 0) — {_verdict(failures == 0)}")
    return out


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _editions(args: argparse.Namespace) -> int:
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="epistula-loeo-") as models:
        report = editions.run(args.per_edition, formats, models=Path(models))
        rules_only = editions.rescore(None, args.per_edition, formats)
    markdown = editions.markdown(report, rules_only)
    print(markdown)
    if args.misses is not None:
        print(editions.misses(report, args.misses or editions.FIELDS))
    if not args.no_write and not args.per_edition and args.formats == ",".join(FORMATS):
        write_section("accuracy_editions", markdown)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every miss and failure")
    parser.add_argument(
        "--misses",
        nargs="*",
        metavar="FIELD",
        help="print every miss (file, format, expected, found), of these fields or all",
    )
    parser.add_argument("--no-heldout", action="store_true", help="skip the held-out letters")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument("--only", help="only letters whose name contains this text")
    parser.add_argument("--no-tei-all", action="store_true", help="skip the tei_all check")
    parser.add_argument(
        "--editions",
        action="store_true",
        help="leave-one-edition-out on ../shared/corpus/letters/ (one model per edition)",
    )
    parser.add_argument("--per-edition", type=int, help="with --editions: at most N letters each")
    parser.add_argument("--formats", default=",".join(FORMATS), help="with --editions: formats")
    args = parser.parse_args(argv)
    if args.editions:
        return _editions(args)
    cases = [c for c in load_cases() if not args.only or args.only in c.name]
    tei_all = None if args.no_tei_all or not _checked_tei_all() else TEI_ALL
    result = run(cases, tei_all)
    heldout_cases = [] if args.no_heldout else load_heldout()
    heldout_cases = [c for c in heldout_cases if not args.only or args.only in c.name]
    heldout = run(heldout_cases, tei_all)
    markdown = report(result, heldout)
    print(markdown)
    if args.misses is not None or args.details:
        wanted = set(args.misses or FIELDS)
        shown = [m.line() for m in result.misses + heldout.misses if m.fld in wanted]
        print("\n".join(["", f"Misses ({len(shown)}):", *shown]))
    if args.details:
        print("\n".join(["", "Validation failures:", *result.profile_failures,
                         *result.tei_all_failures, *heldout.profile_failures,
                         *heldout.tei_all_failures]))  # fmt: skip
    if not args.no_write and not args.only:
        write_section("accuracy", markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
