"""Epistula's installed version, which every TEI (``appInfo``), export and ``--version`` print.

It sits below every other archive module so that the letters layer and the exports can read
it without importing the API above them.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version


@functools.cache
def app_version() -> str:
    """Epistula's installed version (read once: package metadata is slow to read)."""
    try:
        return version("epistula")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"
