"""Damaged and hostile files of every format read through the real ``epistula ingest``.

The ``--files`` part of ``bench/robustness.py``. For each format (txt, DOCX, PDF, TEI,
e-mail) a few good letters are made (the samples' plain text, ``bench/ingest_speed.py``'s
generated DOCX and PDF letters, Epistula's own TEI exported from them, and e-mails written
with the standard library's ``email`` package with a text part, an HTML part and an
attachment), and mutants are drawn from them with a fixed seed: bytes flipped, inserted,
deleted, duplicated, cut off or zeroed, two letters spliced; inside DOCX packages the XML
members are mutated and the package zipped again, so the damage reaches the readers past
the zip layer; in the text formats markup characters, control characters, stray encodings,
deep nesting and swapped lines. Identical mutants are kept once.

Each format's mutants are ingested in batches of :data:`BATCH` by the installed ``epistula``
command (``--json --jobs 2``, the default limits, and a time limit per file), then the
archive is checked with ``epistula validate --json``. Counted, per format: letters stored
with valid TEI, clean refusals (a failed file with its one-line error), tracebacks (target
0), hangs (a batch still running after :data:`HANG_SECONDS`; target 0), letters stored with
TEI that does not validate (target 0), and the peak memory of any process of the run.
"""

from __future__ import annotations

import io
import json
import random
import resource
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 1914
MUTANTS = 300
BATCH = 50
#: seconds a file may take (``ingest --timeout``) and a whole batch before it counts as hung
FILE_SECONDS = 20
HANG_SECONDS = 600
FORMATS = ("txt", "docx", "pdf", "tei", "eml")


# ---------------------------------------------------------------------------------------------
# Good letters to start from


def seeds(fmt: str, folder: Path, epistula: list[str]) -> list[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "txt":
        return [p.read_bytes() for p in sorted((ROOT / "samples" / "letters").glob("*.txt"))]
    if fmt in ("docx", "pdf"):
        from bench import ingest_speed  # (reportlab and python-docx: the benchmarks' extras)

        write = ingest_speed.write_docx if fmt == "docx" else ingest_speed.write_pdf
        made = []
        for number, letter in enumerate(ingest_speed.letters(4, seed=SEED)):
            path = folder / f"seed-{number}.{fmt}"
            write(letter, path)
            made.append(path.read_bytes())
        return made
    if fmt == "tei":
        return tei_seeds(folder, epistula)
    return [email_seed(number) for number in range(4)]


def tei_seeds(folder: Path, epistula: list[str]) -> list[bytes]:
    """Epistula's own TEI of the sample letters (what a user might feed back in)."""
    archive, out = folder / "archive", folder / "tei"
    samples = ROOT / "samples" / "letters"
    subprocess.run([*epistula, "--archive", str(archive), "ingest", str(samples)],
                   capture_output=True, check=True)  # fmt: skip
    subprocess.run([*epistula, "--archive", str(archive), "export", "--format", "tei", str(out)],
                   capture_output=True, check=True)  # fmt: skip
    return [p.read_bytes() for p in sorted(out.rglob("*.xml"))]


def email_seed(number: int) -> bytes:
    message = EmailMessage()
    names = [("Ada Hart", "ada@example.org"), ("Jonas Berg", "jonas@example.se")]
    sender, recipient = names[number % 2], names[(number + 1) % 2]
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = f"{recipient[0]} <{recipient[1]}>"
    message["Subject"] = f"The minutes of meeting {number}"
    message["Date"] = format_datetime(datetime(2019, 3, 1 + number, 10, 30, tzinfo=UTC))
    body = (
        f"Dear {recipient[0].split()[0]},\n\nThank you for the minutes of our meeting in "
        "Uppsala. I have added two remarks on the budget and one on the archive's new "
        "catalogue.\n\nWith best wishes,\n" + sender[0] + "\n"
    )
    message.set_content(body)
    html = "<p>" + body.replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    message.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf",
                           filename="minutes.pdf")  # fmt: skip
    return bytes(message)


# ---------------------------------------------------------------------------------------------
# Mutations

Mutation = Callable[[random.Random, bytes, list[bytes]], bytes]


def flip(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    out = bytearray(data)
    for _i in range(rng.randint(1, 20)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 4096)) + data[at:]


def delete(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, max(1, len(data) // 4)) :]


def duplicate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    chunk = data[at : at + rng.randint(1, 2048)]
    return data[:at] + chunk * rng.randint(2, 50) + data[at:]


def truncate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data[: rng.randint(0, max(0, len(data) - 1))]


def zero(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    length = rng.randint(1, 1024)
    return data[:at] + bytes(min(length, len(data) - at)) + data[at + length :]


def splice(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    other = rng.choice(others)
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


BYTE_MUTATIONS: tuple[Mutation, ...] = (flip, insert, delete, duplicate, truncate, zero, splice)

#: what a hostile text inserts: markup, entities, controls, other encodings, bidi controls
TEXT_SNIPPETS = (
    b"<", b">", b"&", b"&amp", b"&#0;", b"&#x110000;", b"]]>", b"<!--", b"<![CDATA[",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"\x00", b"\x1b[31m", b"\x0c",
    b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3\x28", b"\xe2\x80\xae", b"\r", b"\r\n\r\n",
    b"<p>" * 200, b"<hi rend='x'>" * 50, b"=?utf-8?b?w6TDtsO8?=", b"Content-Type: text/html\n",
    b"--boundary--\n", "Ünïcödé ✉ 書簡".encode(), b"\t" * 100,
)  # fmt: skip


def text_insert(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    out = data
    for _i in range(rng.randint(1, 5)):
        at = rng.randint(0, len(out))
        out = out[:at] + rng.choice(TEXT_SNIPPETS) + out[at:]
    return out


def swap_lines(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = data.split(b"\n")
    if len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


TEXT_MUTATIONS: tuple[Mutation, ...] = (text_insert, swap_lines, delete, duplicate, truncate)


def in_package(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """A DOCX whose XML members are damaged but still zipped as a package."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error):  # an earlier mutation's
        return flip(rng, data, others)
    xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".xml")]
    for index in rng.sample(xml, k=min(len(xml), rng.randint(1, 2))):
        info, body = members[index]
        mutate = rng.choice((*TEXT_MUTATIONS, flip, zero))
        members[index] = (info, mutate(rng, body, others))
    if rng.random() < 0.15 and members:  # a member missing
        members.pop(rng.randrange(len(members)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in members:
            target.writestr(info.filename, body)
    return out.getvalue()


def mutations_for(fmt: str) -> tuple[Mutation, ...]:
    if fmt == "docx":
        return (in_package, in_package, in_package, *BYTE_MUTATIONS)
    if fmt in ("txt", "tei", "eml"):
        return (*TEXT_MUTATIONS, *TEXT_MUTATIONS, *BYTE_MUTATIONS)
    return BYTE_MUTATIONS


def mutants(fmt: str, good: list[bytes], count: int, seed: int = SEED) -> list[bytes]:
    """``count`` distinct mutants of the good letters (one to three mutations each)."""
    rng = random.Random(f"{seed}-{fmt}")
    made: dict[bytes, bytes] = {}
    known = {sha256(g).digest() for g in good}
    operators = mutations_for(fmt)
    attempts = 0
    while len(made) < count and attempts < count * 20:
        attempts += 1
        data = rng.choice(good)
        for _i in range(rng.randint(1, 3)):
            data = rng.choice(operators)(rng, data, good)
        digest = sha256(data).digest()
        if digest not in known and digest not in made:
            made[digest] = data
    return list(made.values())


# ---------------------------------------------------------------------------------------------
# Running them


@dataclass
class Tally:
    fmt: str
    mutants: int = 0
    valid: int = 0
    refused: int = 0
    unchanged: int = 0
    tracebacks: int = 0
    hangs: int = 0
    invalid: int = 0
    unclear: int = 0  # a refusal whose message is empty or spans lines
    #: a refusal by the catch-all for a reader's own bug ("failed unexpectedly"): clean for
    #: the user, but a fault of Epistula's, so counted apart
    unexpected: int = 0
    seconds: float = 0.0
    codes: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


def run_format(fmt: str, work: Path, epistula: list[str], count: int) -> Tally:
    good = seeds(fmt, work / "seeds", epistula)
    made = mutants(fmt, good, count)
    suffix = "xml" if fmt == "tei" else fmt
    folder = work / "mutants"
    folder.mkdir(parents=True)
    paths = []
    for number, data in enumerate(made):
        path = folder / f"mutant-{number:03d}.{suffix}"
        path.write_bytes(data)
        paths.append(path)
    tally = Tally(fmt, mutants=len(paths))
    archive = work / "archive"
    started = time.perf_counter()
    for start in range(0, len(paths), BATCH):
        batch = paths[start : start + BATCH]
        command = [*epistula, "--archive", str(archive), "ingest", *map(str, batch)]
        command += ["--json", "--jobs", "2", "--timeout", str(FILE_SECONDS)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            tally.hangs += 1
            tally.examples.append(f"batch from {batch[0].name} still running after "
                                  f"{HANG_SECONDS} s")  # fmt: skip
            continue
        judge_batch(done, tally)
    tally.seconds = time.perf_counter() - started
    check_archive(archive, epistula, tally)
    return tally


def judge_batch(done: subprocess.CompletedProcess[str], tally: Tally) -> None:
    if "Traceback (most recent call last)" in done.stderr:
        tally.tracebacks += 1
        tally.examples.append(done.stderr.strip().splitlines()[-1][:160])
        return
    try:
        report = json.loads(done.stdout)
    except ValueError:
        tally.unclear += 1
        tally.examples.append(f"exit {done.returncode} without JSON: {done.stderr[:160]!r}")
        return
    for result in report.get("results", []):
        status = result.get("status")
        if status == "failed":
            message = result.get("error") or ""
            tally.refused += 1
            tally.codes[result.get("error_code") or "?"] += 1
            if "unexpectedly" in message:
                tally.unexpected += 1
                tally.examples.append(f"{result.get('file')}: {message[:160]}")
            if not message.strip() or "\n" in message:
                tally.unclear += 1
                tally.examples.append(f"{result.get('file')}: unclear error {message[:120]!r}")
        elif status == "unchanged":
            tally.unchanged += 1


def _json_of(
    epistula: list[str], archive: Path, command: str, tally: Tally
) -> dict[str, Any] | None:
    """``epistula COMMAND --json`` on ``archive``, parsed; None (and counted) on a traceback."""
    run = subprocess.run([*epistula, "--archive", str(archive), command, "--json"],
                         capture_output=True, text=True)  # fmt: skip
    if "Traceback" in run.stderr:
        tally.tracebacks += 1
        tally.examples.append(f"{command}: " + run.stderr.strip().splitlines()[-1][:160])
        return None
    return json.loads(run.stdout or "{}")


def check_archive(archive: Path, epistula: list[str], tally: Tally) -> None:
    """Letters stored: each with TEI that validates (``epistula validate --json``)."""
    if not archive.exists():
        return
    listing = _json_of(epistula, archive, "list", tally)
    if listing is None:
        return
    stored = listing.get("total", 0)
    check = _json_of(epistula, archive, "validate", tally)
    if check is None:
        return
    problems = check.get("problems", [])
    bad = {problem.get("id") for problem in problems}
    tally.invalid = len(bad)
    tally.valid = stored - len(bad)
    tally.examples += [f"invalid: {p}" for p in problems[:3]]


def files_part(count: int, epistula: list[str]) -> tuple[str, bool]:
    tallies = []
    for fmt in FORMATS:
        with tempfile.TemporaryDirectory(prefix=f"epistula-mutants-{fmt}-") as tmp:
            tally = run_format(fmt, Path(tmp), epistula, count)
        print(f"  {fmt}: {tally.mutants} mutants, {tally.valid} valid TEI, {tally.refused} "
              f"refused, {tally.tracebacks} tracebacks, {tally.hangs} hangs, "
              f"{tally.invalid} invalid TEI ({tally.seconds:.0f} s)")  # fmt: skip
        tallies.append(tally)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return report(tallies, count, peak_mb)


def report(tallies: list[Tally], count: int, peak_mb: float) -> tuple[str, bool]:
    lines = [
        "## Robustness: damaged and hostile files (`bench/robustness.py --files`)",
        "",
        f"Up to {count} distinct mutants per format (seed {SEED}), ingested by the real "
        f"`epistula ingest --json --jobs 2 --timeout {FILE_SECONDS}` in batches of {BATCH}, "
        "then `epistula validate --json`. Valid TEI: letters stored whose TEI validates; "
        "refused: a failed file with a one-line error; unchanged: a mutant whose letter "
        "was already stored; reader bugs caught: refusals by the catch-all for an unexpected "
        "exception in a reader (clean for the user, counted apart). Targets: tracebacks, "
        "hangs, invalid TEI and unclear errors 0.",
        "",
        "| format | mutants | valid TEI | refused | unchanged | tracebacks | hangs | invalid TEI "
        "| unclear errors | reader bugs caught | seconds | refusals by code (most common) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for t in tallies:
        codes = ", ".join(f"{code} {n}" for code, n in t.codes.most_common(5))
        lines.append(
            f"| {t.fmt} | {t.mutants} | {t.valid} | {t.refused} | {t.unchanged} | "
            f"{t.tracebacks} | {t.hangs} | {t.invalid} | {t.unclear} | {t.unexpected} | "
            f"{t.seconds:.0f} | {codes} |"
        )
    met = all(t.tracebacks == t.hangs == t.invalid == t.unclear == 0 for t in tallies)
    examples = [f"- {t.fmt}: {e}" for t in tallies for e in t.examples[:5]]
    if examples:
        lines += ["", "Examples of what missed a target:", "", *examples]
    lines += [
        "",
        f"Peak memory of any process of the run (maximum resident set): {peak_mb:.0f} MB.",
        "",
        f"Targets {'met' if met else '**not met**'}.",
    ]
    return "\n".join(lines), met
