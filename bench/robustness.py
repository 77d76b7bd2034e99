"""How Epistula stands up to hostile input, through the real CLI.

    python -m bench.robustness --queries          # 200 hostile queries (a few minutes)
    python -m bench.robustness --queries --huge-mb 0   # without the pre-limit letters part

Each part writes its own section of ``bench/RESULTS.md`` and the script exits 1 when a part
misses its target.

``--queries`` (section ``robustness_queries``): 200 hostile queries, made with a fixed seed
(:func:`hostile_queries`: brackets and quotes left open, huge wildcards, deep nesting, ranges
with junk, Unicode controls and bytes that are not UTF-8, very long terms, every field with odd
values, fuzzy words, boosts and proximity out of bounds…), each one run as
``epistula --archive A search -- QUERY`` in its own process (``--json``, plain or ``--csv`` in
turn) against a small real archive made by ``epistula ingest``: the sample letters, the
Beethoven letters of ``../shared`` when present, and one letter as long as ingest accepts
(:data:`ingest.readers.MAX_LETTER_CHARS`) with a vocabulary of 20,000 words. Each query must
end in results (exit 0; valid JSON under ``--json``) or one clear ``Error:`` line (exit 1 or 2,
nothing on stdout); counted are tracebacks (target 0), other endings (0), queries over 2 s
(0: CPU seconds of the process, which a loaded machine does not inflate; wall seconds are
shown beside them) and the slowest query. Then, since ingest now refuses texts that long,
the letters of archives made before that limit: a 1.1 MB and a 50 MB letter indexed through
``search.indexer`` and searched through ``search.query.search`` as the CLI calls it, with the
issue's queries (``*e*`` once took 53 s there, ``tempor`` 13 minutes).

``--files`` (section ``robustness_files``): damaged and hostile files of every format (txt,
DOCX, PDF, TEI, e-mail), 300 distinct mutants each, through the real ``epistula ingest`` and
``epistula validate`` (:mod:`bench.mutants` says how they are made and judged).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.mutants import MUTANTS, files_part
from bench.results import write_section
from ingest.readers import MAX_LETTER_CHARS
from metadata.card import Card, SourceFacts
from search import indexer
from search.errors import QueryTooBroad
from search.query import search

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = 14
QUERIES = 200
#: a query may take at most this many CPU seconds (the whole ``epistula search`` process)
TARGET_SECONDS = 2.0
#: a query still running after this long is a hang
HANG_SECONDS = 120.0
#: every field name a user may type (``search.query.FIELD_NAMES`` and its aliases)
FIELDS = (
    "from", "sender", "senders", "to", "recipient", "recipients", "addressee", "people",
    "person", "name", "place", "places", "place_sent", "place_received", "from_place",
    "to_place", "date", "year", "lang", "language", "collection", "title", "subject", "heads",
    "text", "body", "format", "has_notes", "notes", "id", "sender_exact", "body_de",
)  # fmt: skip
ODD_VALUES = (
    "", "*", "?", "~", '"', "[", "]", ">", "<=", ">>1820", "=<1820", "\u202e1820", "1820~",
    "-1", "0", "99999999999999999999", "NaN", "inf", "(", ")", "TO", "[* TO *]", "{a TO b]",
    "[1820 TO", "[TO]", "ß*", "Ünïcödé~2", "\U0001f600", "1820-02-30", "0000-00-00", "\u200b",
    "\x1f", "'", "''", "a:b", "(((", "[1820 TO 1830] OR", "AND", "NOT", "^2", "x^", "\t",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The hostile queries


def hostile_queries(count: int = QUERIES, seed: int = SEED) -> list[str | bytes]:
    """``count`` hostile queries, the same ones on every run: a fixed list of kinds first,
    then random combinations of fields, odd values and syntax. A ``bytes`` query is what a
    terminal passes when it is not UTF-8."""
    rng = random.Random(seed)
    fixed: list[str | bytes] = [
        # brackets and quotes left open or stray
        "date:[1820 TO", "date:[1820", "year:{1820 TO", "[", "]", "{", "}", "(", ")",
        "((Brief", "Brief))", '"Brief', 'Brief"', '"a" "b', "date:1820 TO 1830]",
        "[1820 TO 1830 TO 1840]", "(]", "[)", '"[1820 TO"',
        # huge wildcards
        "*", "**", "*e*", "?*", "*?*?*", "*a*e*i*", "a*b*c*d*e*", "*" * 50, "?" * 50,
        "*" * 2000, "*e", "e*", "?", "??", "Br*f*", "text:*e*", "body:?*", "from:*",
        "place:*n*", "*:*",
        # deep nesting and long chains of operators
        "(" * 100 + "Brief" + ")" * 100, "(" * 5000 + "Brief" + ")" * 5000,
        "(" * 20000 + "x", "NOT " * 500 + "Brief", " AND ".join(["Brief"] * 2000),
        " OR ".join(f"w{n}*" for n in range(500)), "(a OR (b AND (c OR (d AND e))))" * 200,
        # ranges with junk
        "date:[abc TO xyz]", "date:[1820 TO 18x0]", "year:[-5 TO 99999999999]",
        "date:[1820-99-99 TO *]", "date:{* TO *}", "date:[* TO *]", "year:[* TO *]",
        "from:[\x01 TO \uffff]", "date:[1830 TO 1820]", "date:[1820 TO 1830 TO 1840]",
        "year:[1820.5 TO 1830]", "date:>1820-02-30", "date:<=0000", "year:>99999",
        "date:[1820T10 TO *]", "date:[ TO ]", "date:[TO]", "year:[TO 1820}",
        # unicode controls and bytes a terminal may send
        "\u202eBrief", "Br\u200bief", "\u2066Brief\u2069", "\x1f", "Brief\x1fWien", "\x7f",
        "\ufeffBrief", "\ufffe", "\U0010ffff", "Brief\u0301", "ｂｒｉｅｆ", "\x01\x02\x03",
        b"Brief\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"from:\xff",
        # very long terms
        "a" * 10_000, "Brief" * 2000, "x" * 100_000, "Kartierung~" + "2" * 100,
        "x" * 300 + "~2", "from:" + "Beethoven" * 1000, '"' + "Brief " * 3000 + '"',
        # fuzzy words, boosts and proximity out of bounds
        "Niinisto~", "Niinisto~9", "Niinisto~99999", "a~", "~~~", "Brief~0", "Brief~-1",
        "Brief^99999999999", "Brief^-1", "Brief^NaN", "^", "Brief^", "Brief^^2",
        '"Brief Wien"~9999999999', '"Brief Wien"~-1', '"a b"~', "Brief~2~2",
        # operators alone or in odd places
        "AND", "OR OR OR", "NOT NOT", "Brief ANDNOT", "ANDMAYBE Wien", "Brief AND (OR)",
        "NOT *", "-Brief", "+Brief", "!", "&&", "||",
        # field names chained, empty or unknown
        "from:to:place:x", "date:date:1820", ":", "::::", "a:b:c", "from::Lund",
        "unknown:field", "FROM:Beethoven", "Date:>1820", "10:30", "from:Lund to:",
    ]  # fmt: skip
    queries = list(dict.fromkeys(fixed))
    words = ("Brief", "Wien", "wetlands", "*e*", "Beethoven~")
    starts = ("1820", "*", "", "abc", "1820-13", "-1", "\u202e")
    ends = ("1830", "*", "", "xyz", "9999-12-31", "1820")
    noise = 'ab*?~"()[]{}:^<>= \u202e'

    def fielded() -> str:
        return f"{rng.choice(FIELDS)}:{rng.choice(ODD_VALUES)}"

    makers: list[Callable[[], str]] = [
        fielded,
        lambda: f"{fielded()} {fielded()}",
        lambda: f"({fielded()} OR {rng.choice(words)})",
        lambda: (
            f"{rng.choice(('date', 'year'))}:{rng.choice('[{')}{rng.choice(starts)} TO "
            f"{rng.choice(ends)}{rng.choice(']}')}"
        ),
        lambda: "".join(rng.choice(noise) for _ in range(rng.randint(1, 40))),
    ]
    while len(queries) < count:
        made = rng.choice(makers)()
        if made not in queries:
            queries.append(made)
    return queries[:count]


# ---------------------------------------------------------------------------------------------
# The archive the queries run against


def big_letter_text(chars: int, seed: int = SEED, words: int = 20_000) -> str:
    """A German-looking letter of about ``chars`` characters: a dateline, a salutation,
    paragraphs of words drawn (Zipf-like) from a vocabulary of ``words`` made-up words plus
    one word, "tempor", in every line, and a closing."""
    rng = random.Random(seed)
    syllables = "ba be bi bo bu da de di do en er ge ha he in ka le li ma me na ne ri sa sch "
    syllables += "se st te un ver wa we zu ä ö ü ß"
    parts = syllables.split()
    vocabulary = list(
        dict.fromkeys(
            "".join(rng.choice(parts) for _ in range(rng.randint(2, 5))) for _ in range(words)
        )
    )
    # cumulative weights made once: choices() would add up 20,000 weights per sentence
    weights = list(accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    lines = ["Wien, den 3. März 1820", "", "Lieber Freund,", ""]
    size = sum(len(line) + 1 for line in lines)
    closing = ["", "Dein treuer Ludwig"]
    while size < chars - 200:
        sentence = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(8, 14))
        line = " ".join(["tempor", *sentence]).capitalize() + "."
        lines.append(line)
        size += len(line) + 1
        if rng.random() < 0.15:
            lines.append("")
            size += 1
    return "\n".join(lines + closing) + "\n"


def make_archive(folder: Path, letters: Iterator[Path] | None = None) -> Path:
    """An archive made by ``epistula ingest`` of the samples, the Beethoven letters of
    ``../shared`` (when present) and one letter as long as ingest accepts."""
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    (inputs / "long-letter.txt").write_text(big_letter_text(MAX_LETTER_CHARS - 1000), "utf-8")
    paths = [ROOT / "samples" / "letters", inputs]
    beethoven = SHARED / "corpus" / "real-letters" / "txt"
    if beethoven.is_dir():
        paths.append(beethoven)
    archive = folder / "archive"
    result = subprocess.run(
        [*epistula(), "--archive", str(archive), "ingest", *map(str, paths), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = json.loads(result.stdout)
    failed = [r for r in report["results"] if r["status"] == "failed"]
    if failed or result.returncode != 0:
        raise SystemExit(f"the bench archive could not be made: {failed or result.stderr}")
    return archive


def epistula() -> list[str]:
    """The installed ``epistula`` script beside this Python, as a user runs it."""
    script = Path(sys.executable).with_name("epistula")
    if not script.exists():
        raise SystemExit(f"no epistula script beside {sys.executable}; pip install -e . first")
    return [str(script)]


# ---------------------------------------------------------------------------------------------
# Running one query


@dataclass
class Outcome:
    query: str | bytes
    mode: str
    #: "results", "error" (one clear line), "traceback", "hang" or "other"
    kind: str
    wall: float
    cpu: float
    detail: str = ""


MODES = ("--json", "", "--csv")


def run_query(archive: Path, query: str | bytes, mode: str) -> Outcome:
    """``epistula --archive ARCHIVE search QUERY [MODE]`` in its own process, judged."""
    # the query after "--", as a script passes any text (so "-Brief" is not an option)
    args: list[str | bytes] = [*epistula(), "--archive", str(archive), "search"]
    args += [mode, "--", query] if mode else ["--", query]
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        result = subprocess.run(args, capture_output=True, timeout=HANG_SECONDS, env=env)
    except subprocess.TimeoutExpired:
        return Outcome(query, mode, "hang", HANG_SECONDS, HANG_SECONDS)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    kind, detail = judge(result.returncode, out, err, mode)
    return Outcome(query, mode, kind, wall, cpu, detail)


def judge(code: int, out: str, err: str, mode: str) -> tuple[str, str]:
    """What a user saw: results, one clear error line, a traceback, or something else."""
    if "Traceback (most recent call last)" in err:
        return "traceback", err.strip().splitlines()[-1][:200]
    lines = err.strip().splitlines()
    if code in (1, 2):
        if not out and len(lines) == 1 and lines[0].startswith("Error: "):
            return "error", lines[0][:200]
        return "other", f"exit {code}: {err.strip()[:200]!r}"
    if code != 0:
        return "other", f"exit {code}: {err.strip()[:200]!r}"
    if mode == "--json":
        try:
            json.loads(out)
        except ValueError:
            return "other", f"exit 0 without JSON: {out[:200]!r}"
    return "results", ""


def shown(query: str | bytes, width: int = 60) -> str:
    """A query as a table cell: escaped, cut to ``width``, pipes guarded."""
    text = repr(query)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("|", "\\|").replace("`", "'")


# ---------------------------------------------------------------------------------------------
# The queries part


def queries_part(count: int, huge_mb: float, keep: Path | None) -> tuple[str, bool]:
    """Run the hostile queries; the section's Markdown and whether every target was met."""
    folder = keep or Path(tempfile.mkdtemp(prefix="epistula-robustness-"))
    try:
        archive = folder / "archive"
        if not archive.exists():
            print("making the archive…", file=sys.stderr)
            archive = make_archive(folder)
        letters = len(list((archive / "store").rglob("0=ocfl_object_1.1")))
        queries = hostile_queries(count)
        outcomes = []
        for number, query in enumerate(queries):
            outcome = run_query(archive, query, MODES[number % len(MODES)])
            outcomes.append(outcome)
            if outcome.kind not in ("results", "error") or outcome.cpu > TARGET_SECONDS:
                print(f"{outcome.kind} {outcome.cpu:.2f}s {shown(query)} {outcome.detail}")
        huge = pre_limit_letters(huge_mb) if huge_mb else []
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return report(outcomes, letters, huge)


def report(
    outcomes: list[Outcome], letters: int, huge: list[tuple[str, str, str, float, float]]
) -> tuple[str, bool]:
    kinds = {kind: sum(1 for o in outcomes if o.kind == kind) for kind in
             ("results", "error", "traceback", "hang", "other")}  # fmt: skip
    slow = [o for o in outcomes if o.cpu > TARGET_SECONDS]
    slowest = max(outcomes, key=lambda o: o.cpu)
    slowest_wall = max(outcomes, key=lambda o: o.wall)
    met = kinds["traceback"] == kinds["hang"] == kinds["other"] == 0 and not slow
    lines = [
        "## Hostile queries (`python -m bench.robustness --queries`)",
        "",
        f"{len(outcomes)} hostile queries (seed {SEED}), each an `epistula search` process "
        f"(`--json`, plain and `--csv` in turn) on an archive of {letters} letters made by "
        "`epistula ingest`, one of them as long as ingest accepts (150,000 characters, "
        "a vocabulary of 20,000 words).",
        "",
        "| outcome | queries | target |",
        "| --- | ---: | --- |",
        f"| results | {kinds['results']} | |",
        f"| one clear `Error:` line | {kinds['error']} | |",
        f"| traceback | {kinds['traceback']} | 0 |",
        f"| hang (over {HANG_SECONDS:.0f} s) | {kinds['hang']} | 0 |",
        f"| anything else | {kinds['other']} | 0 |",
        f"| over {TARGET_SECONDS:g} s of CPU | {len(slow)} | 0 |",
        "",
        f"Slowest: {slowest.cpu:.2f} s of CPU ({slowest.wall:.2f} s wall) for "
        f"`{shown(slowest.query)}`; slowest by the wall clock {slowest_wall.wall:.2f} s "
        f"(`{shown(slowest_wall.query)}`, {slowest_wall.cpu:.2f} s of CPU). The CPU time is the "
        "whole process, Python's start included; the wall time also holds the waits of a "
        "machine shared with other work.",
    ]
    bad = [o for o in outcomes if o.kind not in ("results", "error") or o.cpu > TARGET_SECONDS]
    if bad:
        lines += ["", "| query | outcome | CPU s | detail |", "| --- | --- | ---: | --- |"]
        lines += [
            f"| `{shown(o.query)}` | {o.kind} | {o.cpu:.2f} | {o.detail.replace('|', '/')} |"
            for o in bad
        ]
    if huge:
        lines += [
            "",
            "Letters of archives made before ingest refused texts this long, searched through "
            "`search.query.search` as the CLI calls it (10 hits with snippets; the index "
            "opened per query):",
            "",
            "| letter | query | matches | seconds (wall) | before |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        lines += [
            f"| {size} | `{query}` | {total} | {seconds:.2f} | {before} |"
            for size, query, total, seconds, before in _with_before(huge)
        ]
    return "\n".join(lines), met


def _with_before(
    huge: list[tuple[str, str, str, float, float]],
) -> Iterator[tuple[str, str, str, float, str]]:
    before = {("1.1 MB", "*e*"): "53 s (issue 14)", ("50 MB", "tempor"): "13 min (issue 14)"}
    for size, query, total, seconds, _cpu in huge:
        yield size, query, total, seconds, before.get((size, query), "")


def pre_limit_letters(huge_mb: float) -> list[tuple[str, str, str, float, float]]:
    """The issue's two cases on letters longer than ingest accepts: indexed straight from
    catalogue cards into a real Whoosh index, then searched as the CLI searches."""
    found = []
    for label, size in (("1.1 MB", 1_100_000), (f"{huge_mb:g} MB", int(huge_mb * 1_000_000))):
        with tempfile.TemporaryDirectory(prefix="epistula-huge-") as folder:
            index = Path(folder) / "index"
            text = big_letter_text(size, words=60_000)
            card = Card(
                id="L-1820-03-03-ludwig-freund-00000000",
                title="Letter from Ludwig, 3 March 1820",
                date="1820-03-03",
                senders=["Ludwig"],
                language="de",
                text=text,
                source=SourceFacts(filename="long.txt", sha256="0" * 64),
            )
            print(f"indexing a {label} letter…", file=sys.stderr)
            indexer.update(index, [card])
            for query in ("*e*", "tempor", "Brief*", "tempor Wien"):
                cpu, started = time.process_time(), time.perf_counter()
                try:
                    total = str(search(index, query, 10, facets=("sender", "year")).total)
                except QueryTooBroad:
                    total = "refused: too broad"
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                found.append((label, query, total, wall, cpu))
    return found


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", action="store_true", help="run the hostile queries")
    parser.add_argument("--files", action="store_true", help="file mutants of every format")
    parser.add_argument("--mutants", type=int, default=MUTANTS, help="mutants per format")
    parser.add_argument("--count", type=int, default=QUERIES, help="how many queries")
    parser.add_argument(
        "--huge-mb", type=float, default=50, help="the larger pre-limit letter (0: none)"
    )
    parser.add_argument("--keep", type=Path, help="make (or reuse) the archive in this folder")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    if not (args.queries or args.files):
        parser.error("choose a part: --queries (or --files)")
    met = True
    if args.files:
        markdown, files_met = files_part(args.mutants, epistula())
        print(markdown)
        if not args.no_results:
            write_section("robustness_files", markdown)
        met = met and files_met
    if args.queries:
        markdown, queries_met = queries_part(args.count, args.huge_mb, args.keep)
        print(markdown)
        if not args.no_results:
            write_section("robustness_queries", markdown)
        met = met and queries_met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
