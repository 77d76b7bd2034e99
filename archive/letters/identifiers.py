"""Object identifiers: stable, readable, and tied to the original's bytes.

``L-2017-07-13-engesland-niinisto-818932f2``: date, first sender's and first addressee's
surnames, and the first eight hex digits of the original's SHA-256. The same bytes always end
in the same suffix, which is how a second ingest of a file is recognised. A letter that already
has an id (a re-ingested TEI export names its own) keeps it.
"""

from __future__ import annotations

import re
import unicodedata

from archive.store.constants import OBJECT_ID_PATTERN, RESERVED_OBJECT_IDS
from ingest.letter.model import Agent, Letter
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
    digest = letter.document.source.sha256[:DIGEST_CHARS]
    parts = [PREFIX, when, _agent_slug(meta.senders), _agent_slug(meta.recipients), digest]
    return "-".join(parts)


def digest_suffix(sha256: str) -> str:
    return f"-{sha256[:DIGEST_CHARS]}"
