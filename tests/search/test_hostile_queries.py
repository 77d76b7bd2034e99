"""Hostile queries through the real CLI: each ends in results or one clear ``Error:`` line,
never a traceback, as JSON, CSV or text in turn. They are a handful of the 200 of
``bench/robustness.py`` (the same seed), one or two of each kind, run against a real archive
of the sample letters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.api import Archive
from bench.robustness import MODES, hostile_queries, judge
from tests.support import SAMPLES, run_cli

QUERIES = hostile_queries()
CHOSEN = [
    "date:[1820 TO", '"Brief', "((Brief", "?*", "*e*", "(" * 100 + "Brief" + ")" * 100,
    "date:[abc TO xyz]", "year:[-5 TO 99999999999]", "\u202eBrief", "Brief\x1fWien",
    "x" * 100_000, "Niinisto~9", "Brief^NaN", '"Brief Wien"~9999999999', "OR OR OR",
    "from:to:place:x", "from:Lund to:", "-Brief",
]  # fmt: skip


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("hostile") / "archive"
    report = Archive(archive).ingest([SAMPLES / "letters"])
    assert report.count("failed") == 0, report.to_json()
    return archive


def test_the_chosen_queries_are_among_the_benchmarks():
    assert len(QUERIES) == 200 and all(query in QUERIES for query in CHOSEN)
    assert hostile_queries() == QUERIES  # the same on every run


@pytest.mark.parametrize(
    ("query", "mode"),
    [(query, MODES[number % len(MODES)]) for number, query in enumerate(CHOSEN)],
    ids=lambda value: repr(value)[:30],
)
def test_a_hostile_query_gives_results_or_one_error_line(samples, query, mode):
    args = ["search", *([mode] if mode else []), "--", query]
    result = run_cli(samples, *args)
    kind, detail = judge(result.returncode, result.stdout, result.stderr, mode)
    assert kind in ("results", "error"), f"{kind}: {detail}\n{result.stderr}"
    if kind == "error":
        assert result.returncode == 2 and result.stdout == ""
        assert len(result.stderr.splitlines()[0]) < 400  # a long query is not echoed whole


def test_bytes_that_are_not_utf8_are_read_or_refused_in_one_line(samples):
    result = run_cli(samples, "search", "--json", "--", "Brief\udcff\udcfe")
    kind, detail = judge(result.returncode, result.stdout, result.stderr, "--json")
    assert kind in ("results", "error"), detail
    if kind == "results":
        json.loads(result.stdout)
