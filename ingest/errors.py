"""Typed ingest errors: each names the file, the fault and what the user can do about it."""

from __future__ import annotations

from pathlib import Path

from metadata.errors import EpistulaError


class IngestError(EpistulaError):
    """Base class: a file could not be turned into a letter."""

    code = "ingest-error"
    remedy = ""

    def __init__(self, path: Path | str, reason: str, remedy: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        if remedy is not None:
            self.remedy = remedy
        super().__init__(str(self))

    def __str__(self) -> str:
        message = f"{self.path.name}: {self.reason}"
        return f"{message}; {self.remedy}" if self.remedy else message

    def __reduce__(self) -> tuple[type[IngestError], tuple[Path, str, str]]:
        # errors travel back from the worker processes that read files: pickle them by
        # their fields, not by the one formatted message Exception would keep
        return (type(self), (self.path, self.reason, self.remedy))


class UnsupportedFormat(IngestError):
    code = "unsupported-format"
    remedy = (
        "convert it to plain text, DOCX, ODT, RTF, HTML, PDF, e-mail (.eml) or an image "
        "(TIFF, PNG, JPEG)"
    )


class NotALetter(IngestError):
    """A file Epistula recognises as something other than a letter (JSON, XML of another
    kind, CMIF metadata): the reason says what it is, so that it is never stored as text."""

    code = "not-a-letter"
    remedy = "ingest the letters themselves, one file per letter"


class ManyLetters(IngestError):
    """A file that holds many letters (a Project Gutenberg volume, an mbox of many messages)."""

    code = "many-letters"
    remedy = "split it into one file per letter and ingest those"


class ConverterMissing(IngestError):
    """A format read through an external program that is not installed."""

    code = "converter-missing"
    remedy = "install antiword (apt-get install antiword) or LibreOffice, or save it as DOCX"


class UnreadableSource(IngestError):
    """The file claims a known format but is damaged (truncated zip, broken PDF, bad XML)."""

    code = "unreadable"
    remedy = "check the file opens in its own application and re-save or re-export it"


class EncryptedDocument(IngestError):
    code = "encrypted"
    remedy = "give the password with --password, or ingest an unencrypted copy"


class NoTextLayer(IngestError):
    """A scan (or a PDF whose text cannot be decoded) read without ``--ocr``."""

    code = "no-text"
    remedy = "ingest it with --ocr to read it with Tesseract (see README), or a text rendition"


class InvalidTei(IngestError):
    """Epistula built TEI its own schema rejects: a bug, reported instead of stored."""

    code = "invalid-tei"
    remedy = "please report this file to the Epistula developers"


class EmptyDocument(IngestError):
    code = "empty"
    remedy = "check it is the right file"


class LimitExceeded(IngestError):
    code = "limit-exceeded"
    remedy = "raise the limit if you trust the file, or split it"


class TooLong(LimitExceeded):
    """A text far longer than a letter: a book, a log or a dump, stored as one letter it would
    be useless to search and heavy to read back (see README, "Formats")."""

    code = "too-long"
    remedy = "split it into its letters (Epistula keeps one letter per file)"


class TimeLimitExceeded(LimitExceeded):
    """Reading the file took longer than ``--timeout``; the reader was stopped."""

    code = "time-limit"
    remedy = "raise --timeout if you trust the file (OCR takes seconds per page), or split it"


class MemoryLimitExceeded(LimitExceeded):
    code = "memory-limit"
    remedy = "raise --max-memory if you trust the file, or split it"


class ReaderCrashed(IngestError):
    """The worker process reading the file died (a crash in a parsing library)."""

    code = "reader-crashed"
    remedy = "check the file opens in its own application and re-save or re-export it"


class OcrUnavailable(IngestError):
    """``--ocr`` was asked for but Tesseract (or a language pack) is missing or failing."""

    code = "ocr-unavailable"
    remedy = "install Tesseract: apt-get install tesseract-ocr tesseract-ocr-eng (see README)"
