"""Who writes a letter's new version, and why: the ``user`` and ``message`` of its OCFL version.

Every write of a letter — ingest, edit, withdraw, revert, a settings change, a reread — records
the person who asked for it and a reason, so ``epistula history`` can answer "who changed this,
and why?" years later. The user is the one given (``--user``), else ``EPISTULA_USER``, else the
login name; the message is the user's own (``--message``), else one generated from what was
done (``"edit: date, senders"``).

OCFL wants a user's address as well (a URI): ``"Ada Hart <ada@example.org>"`` gives one
(``mailto:ada@example.org``), as git's author does; the login name gets its local mailbox
(``mailto:login@host``). A name given without an address is recorded without one.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from dataclasses import dataclass

#: the environment variable naming the user when ``--user`` is not given
USER_VARIABLE = "EPISTULA_USER"
#: the user of versions written when no login name can be found (a container without one)
FALLBACK_USER = "Epistula"


#: "Name <address>", the address an e-mail address or a URI
_WITH_ADDRESS = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>")


def actor_for(user: str | None, message: str | None = None) -> Actor:
    """The actor for ``user`` as given (``"Name"`` or ``"Name <address>"``); None: the one
    :func:`default_user` names."""
    named = " ".join((user or "").split()) or " ".join(os.environ.get(USER_VARIABLE, "").split())
    if not named:
        return default_user(message)
    match = _WITH_ADDRESS.fullmatch(named)
    if match and match.group("name"):
        return Actor(match.group("name"), message, _uri(match.group("address")))
    return Actor(named, message)


def default_user(message: str | None = None) -> Actor:
    """The login name with its local mailbox, else :data:`FALLBACK_USER`."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry for the uid
        login = ""
    if not login:
        return Actor(FALLBACK_USER, message)
    return Actor(login, message, f"mailto:{login}@{socket.gethostname() or 'localhost'}")


def _uri(address: str) -> str:
    """An e-mail address as a ``mailto:`` URI; a URI as it is."""
    return address if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", address) else f"mailto:{address}"


@dataclass(frozen=True)
class Actor:
    """The user a write is made for, and the reason they gave (None: a generated one)."""

    user: str = FALLBACK_USER
    message: str | None = None
    #: the user's address, a URI (``mailto:…``), when known
    address: str | None = None

    def message_for(self, generated: str) -> str:
        """The version's message: the user's reason, else ``generated``."""
        return self.message if self.message else generated


#: the actor of writes no user asked for by name (the API's callers that give none)
SYSTEM = Actor()
