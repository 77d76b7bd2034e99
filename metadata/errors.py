"""The one base class of every error Epistula reports to its user.

It lives here because ``metadata`` is the lowest package: ``ingest``, ``search`` and
``archive`` all import it, so each package's own base error (``IngestError``,
``MetadataError``, ``SearchError``, ``ArchiveError``) can derive from this one without an
import pointing up. The CLI catches :class:`EpistulaError` alone; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations


class EpistulaError(Exception):
    """Base class: Epistula could not do what was asked; ``str()`` is one line for the user."""

    #: a stable name for the kind of failure (``encrypted``, ``object-not-found``…), for
    #: scripts and for decisions the CLI makes (never parse the message for those)
    code = "epistula-error"
    #: what the user can do about it ("" when the message already says)
    remedy = ""
