"""Word 97–2003 reader (``.doc``): the binary format, read through antiword or LibreOffice.

Neither is a Python package, so the text comes from whichever is installed (antiword first:
it starts in milliseconds, LibreOffice in seconds), within the file's time limit; without
either the file is refused with an error that names the install. The text they give is read
as plain text is (paragraphs, hard line breaks). A compound file that is not a Word document
(an Excel workbook, an Outlook ``.msg``) is refused as such.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ingest.errors import (
    ConverterMissing,
    EncryptedDocument,
    NotALetter,
    TimeLimitExceeded,
    UnreadableSource,
)
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers._common import source_facts
from ingest.readers.text import document_from_text

MEDIA_TYPE = "application/msword"

#: the signature of an OLE2 compound file
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the stream every Word 97–2003 document has, as its directory entry spells it
_WORD_STREAM = "WordDocument".encode("utf-16-le")
#: seconds a converter may take when the file has no time limit of its own
_DEFAULT_TIMEOUT = 300.0


def sniff(head: bytes, path: Path) -> bool:
    return head.startswith(OLE2)


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    if _WORD_STREAM not in data:
        raise NotALetter(
            path,
            "it is an OLE2 compound file (an Excel workbook, an Outlook .msg or a similar "
            "Office file), not a Word document",
            "save the letter as DOCX, ODT, PDF or plain text",
        )
    if shutil.which("antiword"):
        text = _antiword(path, limits)
    elif shutil.which("soffice") or shutil.which("libreoffice"):
        text = _libreoffice(path, limits)
    else:
        raise ConverterMissing(
            path, "it is a Word 97–2003 document (.doc), read through antiword or LibreOffice"
        )
    return document_from_text(text, source_facts(path, MEDIA_TYPE, data))


def _antiword(path: Path, limits: Limits) -> str:
    # -w 0: each paragraph on one line, as written (no wrapping at 80 columns)
    done = _run(["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)], path, limits)
    if done.returncode < 0:  # a crafted file can crash it: that file alone fails
        raise UnreadableSource(
            path, f"antiword crashed reading the Word document (signal {-done.returncode})"
        )
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
        message = message or f"exit status {done.returncode}"
        if "encrypt" in message.lower():
            raise EncryptedDocument(
                path, "the Word document is encrypted", "save an unencrypted copy and ingest it"
            )
        raise UnreadableSource(path, f"antiword cannot read the Word document ({message})")
    return done.stdout.decode("utf-8", "replace")


def _libreoffice(path: Path, limits: Limits) -> str:
    program = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    with tempfile.TemporaryDirectory(prefix="epistula-doc-") as folder:
        # a profile of its own: a user's running LibreOffice would otherwise take the job
        profile = Path(folder, "profile").as_uri()
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                   "txt:Text (encoded):UTF8", "--outdir", folder, str(path)]  # fmt: skip
        done = _run(command, path, limits)
        out = Path(folder, path.with_suffix(".txt").name)
        if done.returncode != 0 or not out.is_file():
            message = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
            raise UnreadableSource(path, f"LibreOffice cannot read the Word document ({message})")
        return out.read_bytes().decode("utf-8-sig", "replace")


def _run(command: list[str], path: Path, limits: Limits) -> subprocess.CompletedProcess[bytes]:
    timeout = _DEFAULT_TIMEOUT
    if limits.deadline is not None:
        timeout = max(0.1, limits.deadline - time.monotonic())
    try:
        return subprocess.run(
            command,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        raise TimeLimitExceeded(
            path, f"converting the Word document took longer than {timeout:.0f} s"
        ) from exc
    except OSError as exc:
        raise ConverterMissing(path, f"the converter could not be started ({exc})") from exc
