"""This checkout against an earlier revision, on the same machine, at the same time.

    python -m bench.versions --against b65ece2            # ingest, exports and search
    python -m bench.versions --against HEAD~5 --parts ingest --letters 300   # a quick look

The speed benchmarks' absolute figures depend on how busy the machine is; a change's cost is
best seen by running the old and the new code alternately under the same load. The earlier
revision and the later one (HEAD, committed) are each checked out in a temporary git
worktree and run with this virtualenv's Python (its own source first on ``sys.path``), so
both run on the same libraries. Measured, each
round in turn old then new (or new then old, alternating):

- ingest: the whole ``epistula ingest FOLDER --jobs 2`` command over the generated PDF and
  DOCX letters of ``bench/ingest_speed.py`` into a new archive;
- exports: ``epistula export --format F`` of every format, from an archive of the generated
  plain-text letters of ``bench/export_speed.py`` ingested by the same version;
- search: each version's own ``bench/search_speed.py --sizes N --no-results`` (Epistula's
  build against a bare Whoosh writer, and the query mix's latency).

Wall time and CPU time (user + system of the command and its worker processes) are both
given; CPU time is the steadier of the two on a shared machine. The figures go to the
``versions`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import export_speed, ingest_speed
from bench.results import write_section

ROOT = Path(__file__).resolve().parent.parent
CLI = "import sys; from archive.cli import main; sys.exit(main())"
FORMATS = ("tei", "teicorpus", "dc", "cmif", "bagit", "saf", "csv")


@dataclass
class Version:
    name: str  # "old" or "new"
    tree: Path
    label: str  # the revision, as git names it

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.tree)
        return env

    def epistula(self, *args: str | Path) -> list[str]:
        # -P: with -c, Python puts the current directory (this checkout) before PYTHONPATH,
        # so without it both versions ran this checkout's code
        return [sys.executable, "-P", "-c", CLI, *map(str, args)]


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` (and every process it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:])} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def checkout(name: str, revision: str, where: Path) -> Version:
    """``revision`` in a worktree of its own: the code measured does not change under the
    benchmark, whatever happens to this checkout meanwhile."""
    label = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), revision],
        capture_output=True,
        check=True,
    )
    return Version(name, where, label)


def in_turn(versions: list[Version], rounds: int) -> list[tuple[int, Version]]:
    """Rounds of both versions, the order alternating, so neither always runs first."""
    order = []
    for number in range(rounds):
        pair = versions if number % 2 == 0 else versions[::-1]
        order.extend((number, version) for version in pair)
    return order


def input_folder(files: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in files:
        ingest_speed.place_file(path, folder / path.name)
    return folder


def measure_ingest(
    versions: list[Version], letters: int, rounds: int, work: Path, corpus: Path
) -> dict[str, dict[str, Timing]]:
    timings: dict[str, dict[str, Timing]] = {}
    for fmt in ("pdf", "docx"):
        files = ingest_speed.make_corpus(corpus / fmt, fmt, letters)
        folder = input_folder(files, work / f"input-{fmt}")
        timings[fmt] = {v.name: Timing() for v in versions}
        for number, version in in_turn(versions, rounds):
            archive = work / f"ingest-{fmt}-{version.name}-{number}"
            command = version.epistula("--archive", archive, "ingest", folder, "--jobs", "2")
            wall, cpu = run([*command, "--json"], version.env())
            timings[fmt][version.name].add(wall, cpu)
            print(f"  ingest {fmt} {version.name}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    return timings


def measure_exports(
    versions: list[Version], letters: int, rounds: int, work: Path
) -> tuple[dict[str, dict[str, Timing]], dict[str, Timing]]:
    source = work / "txt"
    source.mkdir()
    export_speed.write_letters(source, letters, export_speed.SEED)
    archives = {}
    ingests = {v.name: Timing() for v in versions}
    for version in versions:
        archives[version.name] = work / f"export-archive-{version.name}"
        command = version.epistula("--archive", archives[version.name], "ingest", source)
        wall, cpu = run([*command, "--jobs", "2", "--json"], version.env())
        ingests[version.name].add(wall, cpu)
        print(f"  ingest txt {version.name}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    timings: dict[str, dict[str, Timing]] = {}
    for fmt in FORMATS:
        timings[fmt] = {v.name: Timing() for v in versions}
        for number, version in in_turn(versions, rounds):
            out = work / f"out-{version.name}-{fmt}-{number}"
            command = version.epistula("--archive", archives[version.name], "export")
            wall, cpu = run([*command, "--format", fmt, out], version.env())
            timings[fmt][version.name].add(wall, cpu)
        old, new = (statistics.median(timings[fmt][v].wall) for v in ("old", "new"))
        print(f"  export {fmt}: old {old:.2f} s, new {new:.2f} s")
    return timings, ingests


#: a row of search_speed's main table: | letters | build | bare | ratio | size | p50 | p95 |…
SEARCH_ROW = re.compile(
    r"^\| ([\d,]+) \| (\d+) letters/s \([^)]*\) \| (\d+) letters/s \([^)]*\) \| ([\d.]+)× \|"
    r" [^|]+ \| ([\d.]+) ms \| ([\d.]+) ms \|",
    re.MULTILINE,
)


def measure_search(versions: list[Version], size: int) -> dict[str, tuple[float, ...]]:
    figures = {}
    for version in versions:
        script = version.tree / "bench" / "search_speed.py"
        command = [sys.executable, str(script), "--sizes", str(size), "--no-results"]
        done = subprocess.run(command, env=version.env(), capture_output=True, text=True)
        match = SEARCH_ROW.search(done.stdout)
        if done.returncode not in (0, 1) or match is None:
            raise SystemExit(f"search_speed.py ({version.name}) failed:\n{done.stderr[-2000:]}")
        build, bare, ratio, p50, p95 = (float(g) for g in match.groups()[1:])
        figures[version.name] = (build, bare, ratio, p50, p95)
        print(f"  search {version.name}: build {build:.0f}/s (bare {bare:.0f}/s), p95 {p95} ms")
    return figures


def _ratio(new: float, old: float) -> str:
    return f"{new / old:.2f}" if old else "—"


def timing_rows(label: str, timing: dict[str, Timing]) -> str:
    old, new = timing["old"], timing["new"]
    ow, nw = statistics.median(old.wall), statistics.median(new.wall)
    oc, nc = statistics.median(old.cpu), statistics.median(new.cpu)
    return (
        f"| {label} | {ow:.2f} | {nw:.2f} | {_ratio(nw, ow)} | {oc:.2f} | {nc:.2f} "
        f"| {_ratio(nc, oc)} |"
    )


def report(
    versions: list[Version],
    args: argparse.Namespace,
    ingest: dict[str, dict[str, Timing]] | None,
    exports: tuple[dict[str, dict[str, Timing]], dict[str, Timing]] | None,
    search: dict[str, tuple[float, ...]] | None,
    load: tuple[float, float],
) -> str:
    old, new = versions
    lines = [
        "## This checkout against an earlier revision (`bench/versions.py`)",
        "",
        f"Old: `{old.label}`; new: `{new.label}`. Both run alternately on the same machine "
        "with the same libraries; medians of "
        f"{args.rounds} rounds (ratio = new / old; below 1 is faster). CPU time is user + "
        "system of the command and its workers, the steadier figure on a shared machine.",
        "",
        "| measurement | old wall s | new wall s | ratio | old CPU s | new CPU s | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if ingest:
        for fmt, timing in ingest.items():
            lines.append(timing_rows(f"ingest {args.letters:,} {fmt.upper()} (`--jobs 2`)", timing))
    if exports:
        formats, ingests = exports
        lines.append(timing_rows(f"ingest {args.exports:,} txt (once)", ingests))
        for fmt, timing in formats.items():
            lines.append(timing_rows(f"export `{fmt}` of {args.exports:,}", timing))
    if search:
        lines += [
            "",
            f"Search at {args.search:,} letters (each version's `bench/search_speed.py`, one run):",
            "",
            "| version | build letters/s | bare Whoosh letters/s | ratio | query p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for version in versions:
            build, bare, ratio, p50, p95 = search[version.name]
            lines.append(
                f"| {version.name} | {build:.0f} | {bare:.0f} | {ratio:.2f}× | {p50} | {p95} |"
            )
    lines += ["", f"Load average (1 min) at the start and end: {load[0]:.1f}, {load[1]:.1f}."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the earlier revision (git)")
    parser.add_argument("--new", default="HEAD", help="the later revision (default: HEAD)")
    parser.add_argument("--parts", default="ingest,exports,search")
    parser.add_argument("--letters", type=int, default=1000, help="letters per ingest format")
    parser.add_argument("--exports", type=int, default=3000, help="letters in the export archive")
    parser.add_argument("--search", type=int, default=10_000, help="letters in the search index")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(tempfile.gettempdir()) / "epistula-bench-ingest-speed",
        help="where ingest_speed.py's generated files are kept",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",")}
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="epistula-versions-") as tmp:
        work = Path(tmp)
        versions = [
            checkout("old", args.against, work / "old-tree"),
            checkout("new", args.new, work / "new-tree"),
        ]
        try:
            ingest = (
                measure_ingest(versions, args.letters, args.rounds, work, args.corpus)
                if "ingest" in parts
                else None
            )
            exports = (
                measure_exports(versions, args.exports, args.rounds, work)
                if "exports" in parts
                else None
            )
            search = measure_search(versions, args.search) if "search" in parts else None
        finally:
            for version in versions:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(version.tree)],
                    capture_output=True,
                    check=False,
                )
    markdown = report(versions, args, ingest, exports, search, (load_start, os.getloadavg()[0]))
    print(markdown)
    if not args.no_write:
        write_section("versions", markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
