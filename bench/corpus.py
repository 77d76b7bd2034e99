"""The TEI letter corpus (``../shared/corpus/letters``) as training and evaluation data.

Each of the 3,261 letters of eight editions becomes a :class:`CorpusLetter`: its
ground-truth row from ``truth.jsonl``, the period an archivist would give ``ingest
--period`` for its edition, and a :class:`bench.renditions.Sheet` whose every line is
labelled with its letter part and whose layout is varied per letter
(:func:`bench.renditions.vary_layout`), so a line labeller can be trained on some editions
and scored on another (leave one edition out).

:func:`expected` gives the values a run should find and whether the rendered text states
each of them at all (a recipient known only from the envelope cannot be read off the
letter); :func:`score` says per field whether an Epistula card got it right, by the rules
of :mod:`bench.matching`.

``python -m bench.corpus --baseline`` renders every letter as txt, DOCX and PDF (cached in
``bench/.cache/renditions/``), reads each through today's pipeline exactly as
:func:`bench.accuracy.recognise` does, and prints the share of letters right per edition
and field, over all letters and over the letters that state the value, per format and per
language. It prints only; it writes nothing but the cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench import matching, renditions
from metadata import gazetteer
from metadata.card import Card

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "letters"
CACHE = Path(__file__).resolve().parent / ".cache" / "renditions"
FORMATS = ("txt", "docx", "pdf")
FIELDS = ("date", "senders", "recipients", "place_sent", "salute", "closing")
#: editions this small are left out of the average (Mitford, Calvin, Mondriaan, ProHD are
#: reported, but one letter more or less moves their figures by whole points)
AVERAGE_MIN = 50
_STAMP = ".renditions-version"


@dataclass
class CorpusLetter:
    """One letter of the corpus, ready to render and score."""

    file: str  # relative to the corpus folder
    edition: str
    language: str
    truth: dict[str, Any]
    #: the years given as ``ingest --period`` (see :func:`edition_periods`)
    period: tuple[int, int]
    sheet: renditions.Sheet

    @property
    def stem(self) -> str:
        return Path(self.file).stem


# -- loading ---------------------------------------------------------------------------------


def truth_rows(root: Path = CORPUS) -> list[dict[str, Any]]:
    """The rows of ``truth.jsonl``, in file order."""
    with (root / "truth.jsonl").open(encoding="utf-8") as rows:
        return [json.loads(line) for line in rows if line.strip()]


def _years(date: str | None) -> list[int]:
    """The years an ISO date or interval names ("1000-…" is Escher's unknown-year mark)."""
    found = [int(y) for y in re.findall(r"(?<![\d-])(\d{4})(?=-|$|/)", date or "")]
    return [year for year in found if year >= 1400]


def edition_periods(
    rows: Iterable[dict[str, Any]], corrections: Corrections | None = None
) -> dict[str, tuple[int, int]]:
    """Each edition's period: the span of its dated letters in truth.jsonl, widened to whole
    decades (1831–1882 → 1830–1889), with the project's ``corrections`` of the dates where
    given (one slip of a century in the truth would otherwise make every two-digit year of
    an edition ambiguous).

    This rather than the principal correspondent's lifetime, because it is the same rule for
    every edition (Suriano's dispatches, Mondriaan's trial batch and Jean Paul's circle
    have no one lifetime that fits) and is what an archivist ingesting a run of letters
    knows: roughly which decades they come from.
    """
    spans: dict[str, list[int]] = defaultdict(list)
    fixed = corrections.letters if corrections is not None else {}
    for row in rows:
        spans[row["edition"]].extend(_years(fixed.get((row["file"], "date"), row.get("date"))))
    return {
        edition: (min(years) // 10 * 10, max(years) // 10 * 10 + 9)
        for edition, years in spans.items()
        if years
    }


def load(
    root: Path = CORPUS,
    editions: Sequence[str] | None = None,
    limit_per_edition: int | None = None,
    skipped: Counter[str] | None = None,
) -> list[CorpusLetter]:
    """The corpus letters, sorted by edition and file.

    ``limit_per_edition`` takes that many letters of each edition spread over it (in SHA-1
    order of the file name, not the first files alphabetically, which in Jean Paul would be
    only letters to him). Letters whose rendition would be empty are left out and counted
    per edition in ``skipped`` when given.
    """
    rows = truth_rows(root)
    periods = edition_periods(rows, Corrections.load())
    wanted = set(editions) if editions else None
    by_edition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if wanted is None or row["edition"] in wanted:
            by_edition[row["edition"]].append(row)
    letters = []
    for edition in sorted(by_edition):
        chosen = sorted(by_edition[edition], key=lambda row: _sha1(row["file"]))
        if limit_per_edition is not None:
            chosen = chosen[:limit_per_edition]
        for row in sorted(chosen, key=lambda row: row["file"]):
            sheet = renditions.sheet_from_tei(root / row["file"])
            if not sheet.blocks:
                if skipped is not None:
                    skipped[edition] += 1
                continue
            letters.append(
                CorpusLetter(
                    file=row["file"],
                    edition=edition,
                    language=row["language"],
                    truth=row,
                    period=periods.get(edition, (1000, 2100)),
                    sheet=renditions.vary_layout(sheet, Path(row["file"]).name),
                )
            )
    return letters


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# -- rendering -------------------------------------------------------------------------------


def _version() -> str:
    """A digest of the rendering code: the cache is only reused while it is unchanged."""
    source = Path(renditions.__file__).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def _fresh(folder: Path) -> bool:
    stamp = folder / _STAMP
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == _version()


def _stamp(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _STAMP).write_text(_version() + "\n", encoding="utf-8")


def render(letter: CorpusLetter, folder: Path = CACHE, fmt: str = "txt") -> Path:
    """``<folder>/<edition>/<stem>.<fmt>``, written unless a file made by the same rendering
    code is already there (the folder is a cache: a changed ``renditions.py`` renders
    afresh)."""
    target = folder / letter.edition / f"{letter.stem}.{fmt}"
    if target.exists() and _fresh(folder):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    renditions.WRITERS[fmt](letter.sheet, partial)
    partial.replace(target)
    return target


def _render_one(job: tuple[CorpusLetter, Path, tuple[str, ...]]) -> list[Path]:
    letter, folder, formats = job
    return [render(letter, folder, fmt) for fmt in formats]


def render_all(
    letters: Sequence[CorpusLetter],
    folder: Path = CACHE,
    formats: Sequence[str] = FORMATS,
    jobs: int = 2,
) -> list[list[Path]]:
    """Every letter in every format (cached), over ``jobs`` worker processes."""
    if not _fresh(folder):
        for old in folder.glob("*/*"):
            if old.suffix.lstrip(".") in renditions.WRITERS:
                old.unlink()
    jobs_list = [(letter, folder, tuple(formats)) for letter in letters]
    if jobs <= 1:
        paths = [_render_one(job) for job in jobs_list]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            paths = list(pool.map(_render_one, jobs_list, chunksize=8))
    _stamp(folder)
    return paths


# -- expected values -------------------------------------------------------------------------

#: how Jean Paul signs besides his pen name (the edition names him Johann Paul Friedrich
#: Richter; truth says "Jean Paul")
_ALSO_SIGNS = {"jean paul": ("richter",)}


def _lines_of(letter: CorpusLetter, label: str) -> str | None:
    rows = letter.sheet.label_rows()
    found = [
        line
        for lines, labels in zip(letter.sheet.blocks, rows, strict=True)
        for line, line_label in zip(lines, labels, strict=True)
        if line_label == label
    ]
    return " ".join(found) or None


#: the parts in which a letter states who writes, to whom, when and where; a name or date
#: that only the body mentions ("Grüßen Sie Richter", "Ihr Brief vom 3. Mai") is not stated
FRAME = frozenset({"letterhead", "dateline", "address", "subject", "salute", "closing",
                   "signature", "trailer"})  # fmt: skip


def _frame_text(letter: CorpusLetter) -> str:
    return "\n".join(
        line
        for lines, labels in zip(letter.sheet.blocks, letter.sheet.label_rows(), strict=True)
        for line, label in zip(lines, labels, strict=True)
        if label in FRAME
    )


def _text_words(letter: CorpusLetter) -> set[str]:
    return set(matching.words(_frame_text(letter)))


def _name_stated(name: str, words: set[str]) -> bool:
    """The surname or the given name (three letters or more) of ``name`` (or of one of its
    aliases, ``Name|Alias``) is in the text."""
    if _ALIAS in name:
        return any(_name_stated(alias, words) for alias in name.split(_ALIAS))
    tokens = [t for t in matching.words(name) if t not in matching.TITLES]
    keys = {t for t in tokens[:1] + tokens[-1:] if len(t) >= 3}
    keys |= set(_ALSO_SIGNS.get(" ".join(tokens), ()))
    return bool(keys & words)


def _date_stated(date: str | None, text: str) -> bool:
    """A full ISO day whose day number and year (four digits, or its last two) are both in
    the text. Roman-numeral years, spelt-out numbers and years left out ("Jan 5.") count as
    not stated: a simple rule, erring on the side of "not stated"."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date or "")
    if not match:
        return False
    numbers = set(re.findall(r"\d+", text))
    year, day = match[1], str(int(match[3]))
    return (day in numbers or day.zfill(2) in numbers) and (year in numbers or year[2:] in numbers)


@lru_cache(maxsize=200_000)
def _city_ids(name: str) -> frozenset[int]:
    return frozenset(city.geonames_id for city in gazetteer.candidates(name))


def _place_stated(place: str | None, text: str) -> bool:
    """The place, or another name of the same GeoNames city ("Firenze" for Florence), is in
    the text: the place as written, else any capitalised word or pair of words of the text
    that may name one of its cities."""
    if not place:
        return False
    folded = " ".join(matching.words(text))
    name = " ".join(matching.words(place))
    if name and re.search(rf"\b{re.escape(name)}\b", folded):
        return True
    wanted = _city_ids(place)
    if not wanted:
        return False
    tokens = re.findall(r"[^\W\d_][^\W_'’-]*", text)
    for i, token in enumerate(tokens):
        if not token[:1].isupper():
            continue
        if _city_ids(token) & wanted:
            return True
        if i + 1 < len(tokens) and _city_ids(f"{token} {tokens[i + 1]}") & wanted:
            return True
    return False


def expected(letter: CorpusLetter, corrections: Corrections | None = None) -> dict[str, Any]:
    """What a run should find, and per field whether the letter states it in its frame (the
    parts outside the body, :data:`FRAME`), with the project's ``corrections`` of the truth
    if given."""
    truth = corrections.truth(letter) if corrections is not None else letter.truth
    text = _frame_text(letter)
    words = _text_words(letter)
    salute, closing = _lines_of(letter, "salute"), _lines_of(letter, "closing")
    senders, recipients = list(truth["senders"]), list(truth["recipients"])
    return {
        "date": truth["date"],
        "senders": senders,
        "recipients": recipients,
        "place_sent": truth["place_sent"],
        "salute": salute,
        "closing": closing,
        "stated": {
            "date": _date_stated(truth["date"], text),
            "senders": bool(senders) and all(_name_stated(n, words) for n in senders),
            "recipients": bool(recipients) and all(_name_stated(n, words) for n in recipients),
            "place_sent": _place_stated(truth["place_sent"], text),
            "salute": salute is not None,
            "closing": closing is not None,
        },
    }


# -- scoring ---------------------------------------------------------------------------------


def _people(names: list[str], orgs: list[str]) -> list[str]:
    return names or orgs[-1:]


def _names_right(found: list[str], wanted: list[str]) -> bool:
    matched = matching.pair_up(found, wanted, _same_person)
    return matched == len(wanted) == len(found)


#: the corrections' name aliases are written into a wanted name as "Name|Alias|Alias"
_ALIAS = "|"


def _same_person(found: str, wanted: str) -> bool:
    return any(matching.names_match(found, name) for name in wanted.split(_ALIAS))


CORRECTIONS = Path(__file__).resolve().parent / "eval" / "corrections.json"


@dataclass(frozen=True)
class Corrections:
    """The project's corrections of the ground truth (``bench/eval/corrections.json``)."""

    aliases: dict[tuple[str, str], tuple[str, ...]]
    letters: dict[tuple[str, str], Any]

    @classmethod
    def load(cls, path: Path = CORRECTIONS) -> Corrections:
        data = json.loads(path.read_text(encoding="utf-8"))
        aliases = {(a["edition"], a["name"]): tuple(a["also"]) for a in data["aliases"]}
        letters = {(c["file"], c["field"]): c["corrected"] for c in data["letters"]}
        return cls(aliases, letters)

    def truth(self, letter: CorpusLetter) -> dict[str, Any]:
        """``letter``'s truth with the corrections applied."""
        truth = dict(letter.truth)
        for fld in ("senders", "recipients"):
            truth[fld] = [
                _ALIAS.join((name, *self.aliases.get((letter.edition, name), ())))
                for name in truth[fld]
            ]
        for (file, fld), value in self.letters.items():
            if file == letter.file:
                truth[fld] = value
        return truth


def _date_right(
    card: Card, truth: str | None, date_range: tuple[str | None, str | None] | None
) -> bool:
    if truth is None:
        return not card.date
    if "/" in truth:
        start, _, end = truth.partition("/")
        wanted = (None if start == ".." else start, None if end == ".." else end)
        if date_range is not None:
            return tuple(date_range) == wanted
        return card.date == wanted[0]
    return card.date == truth


def _closing_with_signature(card: Card, wanted: str | None) -> bool:
    """An edition that puts the signature inside its closer ("Dein ganz Egbr", Escher) is
    matched by the closing formula and the signature Epistula told apart."""
    if not wanted or not card.closer_salute or not card.senders:
        return False
    return matching.formulas_match(f"{card.closer_salute} {card.senders[0]}", wanted)


def score(
    card: Card,
    letter: CorpusLetter,
    date_range: tuple[str | None, str | None] | None = None,
    corrections: Corrections | None = None,
) -> dict[str, bool]:
    """Per field whether ``card`` (what Epistula recognised in a rendition) is right.

    A date is right when it equals the truth (a reduced-precision "1880-03" must be found as
    "1880-03"); an interval ``a/b`` is right when the letter's ``notBefore``/``notAfter``
    (``date_range``, as :func:`bench.accuracy.recognise` reads it) are ``a`` and ``b`` (or,
    without a range, when the card's date is ``a``); no date is right when none was found.
    Senders and recipients are right when every truth name matches a found one and nothing
    more was found (people, else the last organisation, as :mod:`bench.accuracy` counts
    them). No place, salutation or closing is right when none was found. With
    ``corrections``, the truth is the project's corrected one.
    """
    want = expected(letter, corrections)

    def single(found: str | None, wanted: str | None, same: Any) -> bool:
        return same(found, wanted) if wanted else not found

    return {
        "date": _date_right(card, want["date"], date_range),
        "senders": _names_right(_people(card.senders, card.sender_orgs), want["senders"]),
        "recipients": _names_right(
            _people(card.recipients, card.recipient_orgs), want["recipients"]
        ),
        "place_sent": single(card.place_sent, want["place_sent"], matching.places_match),
        "salute": single(card.salute, want["salute"], matching.formulas_match),
        "closing": single(card.closer_salute, want["closing"], matching.formulas_match)
        or _closing_with_signature(card, want["closing"]),
    }


# -- the baseline run ------------------------------------------------------------------------


@dataclass
class Outcome:
    """One rendition of one letter, scored."""

    edition: str
    language: str
    fmt: str
    right: dict[str, bool]
    stated: dict[str, bool]
    error: str | None = None


def _baseline_one(job: tuple[CorpusLetter, Path, tuple[str, ...]]) -> list[Outcome]:
    from bench.accuracy import recognise

    letter, folder, formats = job
    stated = expected(letter)["stated"]
    out = []
    for fmt in formats:
        try:
            found = recognise(render(letter, folder, fmt), None, letter.period)
            right = score(found.card, letter, found.date_range)
            out.append(Outcome(letter.edition, letter.language, fmt, right, stated))
        except Exception as error:  # a crash is a miss on every field, and is counted
            right = dict.fromkeys(FIELDS, False)
            out.append(Outcome(letter.edition, letter.language, fmt, right, stated, repr(error)))
    return out


def baseline(
    letters: Sequence[CorpusLetter],
    folder: Path = CACHE,
    formats: Sequence[str] = FORMATS,
    jobs: int = 2,
) -> list[Outcome]:
    """Every rendition of every letter through today's pipeline, scored."""
    render_all(letters, folder, formats, jobs)
    work = [(letter, folder, tuple(formats)) for letter in letters]
    if jobs <= 1:
        return [o for job in work for o in _baseline_one(job)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [o for batch in pool.map(_baseline_one, work, chunksize=4) for o in batch]


def _pct(outcomes: list[Outcome], fld: str, stated_only: bool = False) -> tuple[float, int]:
    chosen = [o for o in outcomes if o.stated[fld] or not stated_only]
    if not chosen:
        return float("nan"), 0
    return 100.0 * sum(o.right[fld] for o in chosen) / len(chosen), len(chosen)


def _cell(outcomes: list[Outcome], fld: str) -> str:
    every, _ = _pct(outcomes, fld)
    stated, n = _pct(outcomes, fld, stated_only=True)
    return f"{every:5.1f} / {stated:5.1f} ({n})" if n else f"{every:5.1f} /   –   (0)"


def report(outcomes: list[Outcome], letters: int) -> str:
    """The baseline tables, as Markdown."""
    lines = [
        f"Baseline of today's rules on {letters} corpus letters "
        f"({len(outcomes)} renditions). Cells: right % over all renditions / right % over "
        "those whose text states the value (their number).",
        "",
    ]
    header = "| " + " | ".join(FIELDS) + " |"
    rule = "| --- " * (len(FIELDS) + 2) + "|"

    def table(title: str, key: Any, groups: list[str]) -> None:
        lines.extend([f"### {title}", "", f"| {title.split()[-1]} | n {header}", rule])
        for group in groups:
            chosen = [o for o in outcomes if key(o) == group]
            cells = " | ".join(_cell(chosen, fld) for fld in FIELDS)
            lines.append(f"| {group} | {len(chosen)} | {cells} |")
        lines.append("")

    editions = sorted({o.edition for o in outcomes})
    table("By edition", lambda o: o.edition, editions)
    table("By format", lambda o: o.fmt, [f for f in FORMATS if any(o.fmt == f for o in outcomes)])
    table("By language", lambda o: o.language, sorted({o.language for o in outcomes}))
    per_letter = Counter(o.edition for o in outcomes)
    formats = max(len({o.fmt for o in outcomes}), 1)
    big = [e for e in editions if per_letter[e] // formats >= AVERAGE_MIN]
    if big:
        cells = []
        for fld in FIELDS:
            every = [_pct([o for o in outcomes if o.edition == e], fld)[0] for e in big]
            stated = [_pct([o for o in outcomes if o.edition == e], fld, True) for e in big]
            stated_values = [value for value, n in stated if n]
            mean_stated = sum(stated_values) / len(stated_values) if stated_values else 0.0
            cells.append(f"{sum(every) / len(every):5.1f} / {mean_stated:5.1f}")
        lines += [
            f"### Mean over editions with ≥ {AVERAGE_MIN} letters ({', '.join(big)})",
            "",
            header.replace("| ", "| editions | ", 1),
            "| --- " * (len(FIELDS) + 1) + "|",
            f"| {len(big)} | " + " | ".join(cells) + " |",
            "",
        ]
    errors = [o for o in outcomes if o.error]
    if errors:
        lines.append(f"Renditions that failed to read: {len(errors)} (e.g. {errors[0].error})")
    return "\n".join(lines)


def label_counts(letters: Sequence[CorpusLetter]) -> dict[str, Counter[str]]:
    """How many lines of each label each edition has."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for letter in letters:
        for labels in letter.sheet.label_rows():
            counts[letter.edition].update(labels)
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="store_true", help="score today's rules")
    parser.add_argument("--labels", action="store_true", help="print line counts per label")
    parser.add_argument("--editions", help="comma-separated editions (default: all)")
    parser.add_argument("--limit", type=int, help="at most this many letters per edition")
    parser.add_argument("--formats", default=",".join(FORMATS), help="txt,docx,pdf")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--cache", type=Path, default=CACHE, help="renditions folder")
    args = parser.parse_args(argv)
    if not (args.baseline or args.labels):
        parser.error("nothing to do: give --baseline or --labels")
    editions = args.editions.split(",") if args.editions else None
    skipped: Counter[str] = Counter()
    letters = load(CORPUS, editions, args.limit, skipped)
    if skipped:
        print(f"Skipped (empty rendition): {dict(skipped)}\n")
    if args.labels:
        counts = label_counts(letters)
        print("| edition | " + " | ".join(renditions.LABELS) + " |")
        print("| --- " * (len(renditions.LABELS) + 1) + "|")
        for edition, counter in sorted(counts.items()):
            print(f"| {edition} | " + " | ".join(str(counter[x]) for x in renditions.LABELS) + " |")
        print()
    if args.baseline:
        formats = [f for f in args.formats.split(",") if f]
        outcomes = baseline(letters, args.cache, formats, args.jobs)
        print(report(outcomes, len(letters)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
