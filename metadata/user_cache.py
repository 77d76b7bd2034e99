"""Files kept in the user's cache directory (``$XDG_CACHE_HOME/epistula``, else
``~/.cache/epistula``): data derived from an installed package that is slow to build each run
(the gazetteer's index, the language model unpacked) and safe to delete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO


def cache_file(package: str, stem: str, layout: int, suffix: str) -> Path | None:
    """The cache made from ``package``: named after the package's installed version and the
    cache's ``layout``, so a change of either makes a new file. None when it is not installed."""
    try:
        source = version(package)
    except PackageNotFoundError:  # pragma: no cover - a dependency, always installed
        return None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "epistula" / f"{stem}-{source}-{layout}{suffix}"


def write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` with ``write`` whole or not at all (another run may be writing it too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
