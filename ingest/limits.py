"""What reading one file may cost, and the reading options a user chooses.

Every bound protects ingest from hostile or broken files and fails with a clear message
(:class:`ingest.errors.LimitExceeded` and its kinds). ``None`` switches a bound off. The
time and memory bounds are enforced around the worker process that reads the file
(:func:`ingest.pipeline.letters_from_files`); the others by the readers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024

#: what ``--changes`` accepts: Word's tracked changes accepted, or kept as TEI add/del
CHANGES = ("accept", "record")
#: what ``--comments`` accepts: Word comments as TEI note[@type='comment'], or left out
COMMENTS = ("keep", "omit")


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one file may cost to read, and how to read it."""

    max_file_bytes: int = 200 * MIB
    #: total uncompressed bytes of a DOCX package (zip-bomb guard)
    max_unzipped_bytes: int = 500 * MIB
    max_pages: int = 2000
    #: PDF password to try after the empty one
    password: str | None = None
    #: seconds one file may take to read (OCR included); the reader is stopped past it
    timeout: float | None = 120.0
    #: bytes of address space the process reading one file may use
    max_memory_bytes: int | None = 2048 * MIB
    #: pixels of one image or rendered page (decompression-bomb guard)
    max_image_pixels: int = 150_000_000
    #: read pages without a text layer (scans, images) with Tesseract
    ocr: bool = False
    #: Tesseract language codes joined by "+" (e.g. "eng+deu"); see :mod:`ingest.ocr`
    ocr_languages: str = "eng"
    #: resolution at which PDF pages are rendered for OCR
    ocr_dpi: int = 300
    #: DOCX tracked changes: "accept" (the text as Word shows it accepted) or "record"
    changes: str = "accept"
    #: DOCX comments: "keep" (as notes of type comment) or "omit"
    comments: str = "keep"
    #: the first and last year the letters were written in, when the user knows (a
    #: collection's span): a two-digit year ("25. X. 90") is read as the one year in it
    period: tuple[int, int] | None = None
    #: time.monotonic() by which the current file must be read (set per file by the pipeline)
    deadline: float | None = None

    def __post_init__(self) -> None:
        if self.period is not None and not 0 < self.period[0] <= self.period[1]:
            raise ValueError(f"period must run from an earlier year to a later one: {self.period}")
        if self.changes not in CHANGES:
            raise ValueError(f"changes must be one of {', '.join(CHANGES)}, not {self.changes!r}")
        if self.comments not in COMMENTS:
            raise ValueError(
                f"comments must be one of {', '.join(COMMENTS)}, not {self.comments!r}"
            )
