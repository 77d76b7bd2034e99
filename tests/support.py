"""Test support: paths to shared inputs, the skip-or-fail rule, and running the real CLI.

Tests that need ``../shared/`` (the reference letter, the corpus, the official schemas) or a
system tool skip with the reason on a user's machine, but fail when ``CI=true``, so CI can
never hide a missing input.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test unless ``condition`` holds."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def shared_path(relative: str) -> Path:
    """A file or folder under ../shared/, or skip/fail as ``need`` does."""
    path = SHARED / relative
    need(path.exists(), f"../shared/{relative} is not present")
    return path


def need_tool(name: str) -> str:
    """The path of a system tool, or skip/fail as ``need`` does."""
    found = shutil.which(name)
    need(found is not None, f"system tool {name!r} is not installed")
    return found  # type: ignore[return-value]


def epistula_command() -> list[str]:
    """The installed ``epistula`` console script (beside this Python), as a user runs it."""
    script = Path(sys.executable).with_name("epistula")
    need(script.exists(), f"the epistula script is not installed beside {sys.executable}")
    return [str(script)]


def run_cli(archive: Path, *args: str, check_json: bool = False) -> subprocess.CompletedProcess:
    """Run ``epistula --archive ARCHIVE ARGS…`` as a real subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    result = subprocess.run(
        [*epistula_command(), "--archive", str(archive), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if check_json:
        json.loads(result.stdout)
    return result


def cli_json(archive: Path, *args: str) -> Any:
    result = run_cli(archive, *args, "--json")
    assert result.stdout, result.stderr
    return json.loads(result.stdout)
