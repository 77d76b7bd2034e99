"""Typed ingest errors: each names the file, the fault and what the user can do about it."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
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


class UnsupportedFormat(IngestError):
    code = "unsupported-format"
    remedy = "convert it to plain text, DOCX or PDF"


class UnreadableSource(IngestError):
    """The file claims a known format but is damaged (truncated zip, broken PDF, bad XML)."""

    code = "unreadable"
    remedy = "check the file opens in its own application and re-save or re-export it"


class EncryptedDocument(IngestError):
    code = "encrypted"
    remedy = "give the password with --password, or ingest an unencrypted copy"


class NoTextLayer(IngestError):
    code = "no-text"
    remedy = "the file has no text to read; run OCR on it first or ingest a text rendition"


class EmptyDocument(IngestError):
    code = "empty"
    remedy = "the file holds no text; check it is the right file"


class LimitExceeded(IngestError):
    code = "limit-exceeded"
    remedy = "raise the limit if you trust the file, or split it"
