"""From a file to a :class:`Letter`: read it with the right reader, then recognise its parts.

This is the one entry point the archive (and its worker processes) call per file.
"""

from __future__ import annotations

from pathlib import Path

from ingest.letter.anatomy import recognise
from ingest.letter.model import Letter
from ingest.limits import Limits
from ingest.readers import read


def letter_from_file(path: Path, limits: Limits | None = None) -> Letter:
    """The letter in ``path``; raises an :class:`ingest.errors.IngestError` for a bad file."""
    return recognise(read(path, limits or Limits()))
