"""Resource limits that protect ingest from hostile or broken files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one file may cost to read."""

    max_file_bytes: int = 200 * 1024 * 1024
    #: total uncompressed bytes of a DOCX package (zip-bomb guard)
    max_unzipped_bytes: int = 500 * 1024 * 1024
    max_pages: int = 2000
    #: PDF password to try after the empty one
    password: str | None = None
