"""Who writes a letter's new version, and why: the ``user`` and ``message`` of its OCFL version.

Every write of a letter — ingest, edit, withdraw, revert, a settings change, a reread — records
the person who asked for it and a reason, so ``epistula history`` can answer "who changed this,
and why?" years later. The user is the one given (``--user``), else ``EPISTULA_USER``, else the
login name; the message is the user's own (``--message``), else one generated from what was
done (``"edit: date, senders"``).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

#: the environment variable naming the user when ``--user`` is not given
USER_VARIABLE = "EPISTULA_USER"
#: the user of versions written when no login name can be found (a container without one)
FALLBACK_USER = "Epistula"


def default_user() -> str:
    """``EPISTULA_USER``, else the login name, else :data:`FALLBACK_USER`."""
    named = " ".join(os.environ.get(USER_VARIABLE, "").split())
    if named:
        return named
    try:
        return getpass.getuser() or FALLBACK_USER
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry for the uid
        return FALLBACK_USER


@dataclass(frozen=True)
class Actor:
    """The user a write is made for, and the reason they gave (None: a generated one)."""

    user: str = FALLBACK_USER
    message: str | None = None

    def message_for(self, generated: str) -> str:
        """The version's message: the user's reason, else ``generated``."""
        return self.message if self.message else generated


#: the actor of writes no user asked for by name (the API's callers that give none)
SYSTEM = Actor()
