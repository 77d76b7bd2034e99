"""E-mail reader: a message saved as ``.eml`` (RFC 5322), or an mbox holding one message.

The headers are the letter's metadata: ``From`` its senders, ``To`` and ``Cc`` its
addressees, ``Date`` its date, ``Subject`` its title. They travel in the document's
properties (``email_from``, ``email_to``: one correspondent per line; ``email_date``: the
date as written and ``email_when``: as ISO 8601; ``title``), and
:func:`ingest.pipeline.letter_from_file` puts them on the letter after its parts are
recognised, since headers say for certain what recognition could only guess.

The body is the message's text part, or its HTML part when it has no text part (read by the
HTML reader). Attachments are not letters and are not stored; they are listed in a last
paragraph ("Attachments: report.pdf (application/pdf, 12,345 bytes)"). An mbox that holds more
than one message is refused: Epistula stores one letter per file.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from email.message import EmailMessage, Message
from pathlib import Path

from ingest.errors import EmptyDocument, ManyLetters, UnreadableSource
from ingest.limits import Limits
from ingest.model import Document, Paragraph, Source, Span
from ingest.readers._common import normalise, source_facts
from ingest.readers.html import decode_html, document_from_html
from ingest.readers.text import document_from_text

MEDIA_TYPE = "message/rfc822"
MBOX_MEDIA_TYPE = "application/mbox"

#: the properties this reader sets (read by :func:`ingest.pipeline.letter_from_file`)
FROM, TO, DATE_TEXT, DATE_WHEN = "email_from", "email_to", "email_date", "email_when"

_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]{0,60}):[ \t]", re.MULTILINE)
#: headers only a mail program writes (a typed memo has From:, To: and Subject: too)
_MAIL_ONLY = frozenset(
    b"message-id mime-version received return-path delivered-to content-type in-reply-to "
    b"references".split()
)
_KNOWN = _MAIL_ONLY | frozenset(b"from to cc subject date reply-to sender".split())
_MBOX_FROM = re.compile(rb"^From \S+", re.MULTILINE)


def sniff(head: bytes, path: Path) -> bool:
    """Headers first: a block of ``Name: value`` lines (an mbox's ``From `` line before it)
    with a header only mail programs write, or a ``From:`` with an address in it."""
    if b"\x00" in head:
        return False
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    if block.startswith(b"From "):
        block = block.split(b"\n", 1)[-1]
    first = _HEADER_LINE.match(block)
    if first is None:
        return False
    names = {m.group(1).lower() for m in _HEADER_LINE.finditer(block)}
    if len(names & _KNOWN) < 2:
        return False
    sender = re.search(rb"^from:[^\n]*@[^\n]*$", block, re.IGNORECASE | re.MULTILINE)
    return bool(names & _MAIL_ONLY) or sender is not None


def read(path: Path, limits: Limits) -> Document:
    data = path.read_bytes()
    if data.startswith(b"From "):
        return _read_mbox(path, data)
    return _document(path, _parse(path, data), source_facts(path, MEDIA_TYPE, data))


def _read_mbox(path: Path, data: bytes) -> Document:
    # a message's own lines that begin with "From " are escaped (">From ") in an mbox, so
    # each line that begins so starts a message
    starts = [m.start() for m in _MBOX_FROM.finditer(data)]
    if len(starts) > 1:
        raise ManyLetters(
            path,
            f"it is a mailbox (mbox) of {len(starts)} messages",
            "save each message as its own .eml file (most mail programs can: drag the "
            "messages to a folder) and ingest the folder",
        )
    message = data.split(b"\n", 1)[1] if b"\n" in data else b""
    return _document(path, _parse(path, message), source_facts(path, MBOX_MEDIA_TYPE, data))


def _parse(path: Path, data: bytes) -> EmailMessage:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        raise UnreadableSource(path, f"the e-mail cannot be read ({exc})") from exc
    assert isinstance(message, EmailMessage)
    return message


def _document(path: Path, message: EmailMessage, source: Source) -> Document:
    body = _body(path, message, source)
    attachments = _attachments(message)
    blocks = body.blocks
    if attachments:
        listed = "; ".join(attachments)
        blocks = (*blocks, Paragraph((Span(f"Attachments: {listed}"),)))
    if not blocks:
        raise EmptyDocument(path, "the e-mail has no text part and no HTML part")
    properties = {**body.properties, **_headers(message)}
    return Document(source=source, blocks=blocks, notes=body.notes, properties=properties)


def _body(path: Path, message: EmailMessage, source: Source) -> Document:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, TypeError, IndexError, LookupError):
        part = None
    if part is None:
        return Document(source=source, blocks=())
    text = _content(part)
    if part.get_content_subtype() == "html":
        return document_from_html(text, source, path)
    return document_from_text(text, source)


def _content(part: Message) -> str:
    """The part's text, its transfer encoding undone and its charset decoded (an unknown or
    wrong charset read as UTF-8 with replacement characters rather than lost)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    charset = part.get_content_charset()
    if part.get_content_subtype() == "html":
        return decode_html(payload, charset)
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return payload.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return payload.decode("cp1252", errors="replace")


def _attachments(message: EmailMessage) -> list[str]:
    listed = []
    try:
        for part in message.iter_attachments():
            name = part.get_filename() or "unnamed"
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            listed.append(f"{_clean(name)} ({part.get_content_type()}, {size:,} bytes)")
    except (KeyError, ValueError, TypeError, IndexError, LookupError):
        pass  # a damaged attachment header costs the list, not the letter
    return listed


def _headers(message: EmailMessage) -> dict[str, str]:
    properties: dict[str, str] = {}
    senders = _people(message, "from")
    recipients = _people(message, "to") + _people(message, "cc")
    if senders:
        properties[FROM] = "\n".join(senders)
    if recipients:
        properties[TO] = "\n".join(dict.fromkeys(recipients))
    subject = _header(message, "subject")
    if subject:
        properties["title"] = subject
    date = _header(message, "date")
    if date:
        properties[DATE_TEXT] = date
        try:
            when = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None:
            properties[DATE_WHEN] = when.date().isoformat()
    return properties


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""
    return _clean(str(value)) if value is not None else ""


def _people(message: EmailMessage, name: str) -> list[str]:
    """Each correspondent a header names: the display name, else the address."""
    try:
        values = message.get_all(name) or []
        pairs = email.utils.getaddresses([str(v) for v in values])
    except (ValueError, TypeError, IndexError, LookupError):
        return []
    people = []
    for display, address in pairs:
        who = _clean(display) or _clean(address)
        if who and ("@" in who or any(ch.isalpha() for ch in who)):
            people.append(who)
    return people


def _clean(value: str) -> str:
    """One line of normalised text (headers may fold, and carry controls)."""
    return normalise(" ".join(value.split()))
