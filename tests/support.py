"""Test support: paths to shared inputs and the skip-or-fail rule.

Tests that need ``../shared/`` (the reference letter, the corpus, the official schemas) or a
system tool skip with the reason on a user's machine, but fail when ``CI=true``, so CI can
never hide a missing input.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
