"""Write a benchmark's figures into its own section of ``bench/RESULTS.md``.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``;
running one benchmark never touches another's figures.
"""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nWritten by the scripts in `bench/`; each section by one script.\n"


def machine() -> str:
    import os

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) the section ``name`` of RESULTS.md with ``markdown``."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"_Run {stamp} on {machine()}._"
    body = f"<!-- bench:{name} -->\n{markdown.rstrip()}\n\n{footer}\n<!-- /bench:{name} -->"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _m: body, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{body}\n"
    )
    RESULTS.write_text(text, encoding="utf-8")
