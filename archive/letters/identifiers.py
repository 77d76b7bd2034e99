"""Object identifiers: stable, readable, and tied to the original's bytes.

``L-2017-07-13-engesland-niinisto-818932f2``: date, first sender's and first addressee's
surnames, and the first eight hex digits of the SHA-256 of the bytes the letter was read from.
The same bytes always end in the same suffix, which is how a second ingest of a file is
recognised. A letter read from TEI is named by the TEI file's own digest, never by the
original's digest its ``sourceDesc`` claims (a crafted TEI could claim any file's). A letter
that already has an id (a re-ingested TEI export names its own) keeps it.
"""

from __future__ import annotations

import re
import unicodedata

from archive.store.constants import OBJECT_ID_PATTERN, RESERVED_OBJECT_IDS
from ingest.letter.model import Agent, Letter
from ingest.tei.parse import READ_SHA256
from metadata.names import surname

PREFIX = "L"
DIGEST_CHARS = 8
_SLUG_PART = 16


def slug(text: str) -> str:
    """ASCII, lowercase, hyphen-free: "Niinistö" → "niinisto"."""
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    ascii_text = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())[:_SLUG_PART]


def _agent_slug(agents: list[Agent]) -> str:
    for agent in agents:
        label = surname(agent.name) if agent.name else (agent.orgs[-1] if agent.orgs else "")
        if slug(label):
            return slug(label)
    return "unknown"


def object_id_for(letter: Letter) -> str:
    own = letter.object_id
    if own and OBJECT_ID_PATTERN.fullmatch(own) and own not in RESERVED_OBJECT_IDS:
        return own
    meta = letter.metadata
    when = meta.date.when if meta.date and meta.date.when else "undated"
    digest = read_digest(letter)[:DIGEST_CHARS]
    parts = [PREFIX, when, _agent_slug(meta.senders), _agent_slug(meta.recipients), digest]
    return "-".join(parts)


def read_digest(letter: Letter) -> str:
    """The SHA-256 of the bytes ``letter`` was read from: its identity."""
    return letter.document.properties.get(READ_SHA256) or letter.document.source.sha256


def claimed_digest(letter: Letter) -> str | None:
    """The original's SHA-256 a TEI letter names when it is not the TEI file's own."""
    claimed = letter.document.source.sha256
    return claimed if claimed != read_digest(letter) else None


def digest_suffix(sha256: str) -> str:
    return f"-{sha256[:DIGEST_CHARS]}"
