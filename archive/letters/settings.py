"""Archive settings: a small ``epistula.toml`` in the archive root.

Example::

    [archive]
    name = "Example Archive"
    publisher = "Example Archive"
    licence = "CC BY 4.0"
    licence_url = "https://creativecommons.org/licenses/by/4.0/"
    language = "en"
    repository_id = "letters.example.org"
    admin_email = "archivist@example.org"

``repository_id`` names the archive in OAI-PMH identifiers (``oai:letters.example.org:<id>``)
and ``admin_email`` is the contact ``epistula serve`` gives harvesters; both are derived from
the name when left empty (see :func:`repository_identifier`).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from archive.errors import ArchiveError

SETTINGS_FILE = "epistula.toml"
#: the form OAI-PMH's oai-identifier scheme requires of a repository identifier (a domain name)
REPOSITORY_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+")
#: the settings that may not be empty (a TEI header needs a publisher and a licence)
REQUIRED = ("name", "publisher", "licence", "licence_url", "language")
#: the form OAI-PMH.xsd requires of an adminEmail
EMAIL = re.compile(r"\S+@(\S+\.)+\S+")


class BadSettings(ArchiveError):
    code = "bad-settings"
    remedy = "fix the file (it is TOML with an [archive] table) or remove it to get the defaults"


@dataclass(frozen=True)
class Settings:
    name: str = "Epistula archive"
    publisher: str = "Epistula archive"
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    #: the language assumed when a letter's own cannot be detected
    language: str = "en"
    #: the OAI-PMH repository identifier (a domain name); "" derives one from ``name``
    repository_id: str = ""
    #: the contact ``epistula serve`` gives harvesters; "" derives one from the repository id
    admin_email: str = ""


def repository_identifier(settings: Settings) -> str:
    """The repository identifier: the setting, else the name made a domain-like word under
    ``.local`` ("Epistula archive" → ``epistula-archive.local``), which harvesters accept
    though it is registered nowhere; set ``repository_id`` to the archive's domain name."""
    if settings.repository_id:
        return settings.repository_id
    plain = unicodedata.normalize("NFKD", settings.name.casefold()).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", plain.decode())
    slug = "-".join(words).lstrip("0123456789-") or "epistula"
    return f"{slug}.local"


def admin_email(settings: Settings) -> str:
    return settings.admin_email or f"archivist@{repository_identifier(settings)}"


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("archive", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise BadSettings(str(path), f"cannot be read ({err})") from err
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise BadSettings(str(path), f"has unknown settings: {', '.join(unknown)}")
    if not all(isinstance(v, str) for v in table.values()):
        raise BadSettings(str(path), "every setting must be a quoted string")
    return check_settings(Settings(**table), str(path))


def check_settings(settings: Settings, where: str, remedy: str | None = None) -> Settings:
    """``settings`` if every value has its form; :class:`BadSettings` naming ``where`` else."""
    if settings.repository_id and not REPOSITORY_ID.fullmatch(settings.repository_id):
        raise BadSettings(
            where,
            f"repository_id {settings.repository_id!r} is not a domain name",
            remedy,
        )
    if settings.admin_email and not EMAIL.fullmatch(settings.admin_email):
        raise BadSettings(where, f"admin_email {settings.admin_email!r} is not an address", remedy)
    return settings


def changed(settings: Settings, values: dict[str, str], where: str = "--set") -> Settings:
    """``settings`` with ``values`` (setting name → new value) in place, checked."""
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise BadSettings(
            where,
            f"unknown setting {unknown[0]!r}",
            f"the settings are: {', '.join(sorted(known))}",
        )
    clean = {name: " ".join(value.split()) for name, value in values.items()}
    for name, value in clean.items():
        if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in value):
            raise BadSettings(where, f"{name} holds a control character", "remove it")
        if name in REQUIRED and not value:
            raise BadSettings(where, f"{name} may not be empty", f"give a value: {name}=…")
    return check_settings(
        replace(settings, **clean), where, "give a domain name (letters.example.org) or an address"
    )


def write_settings(root: Path, settings: Settings) -> None:
    """Write ``epistula.toml`` (strings are JSON-quoted, which TOML reads as basic strings)."""
    lines = ["# Epistula archive settings; printed in every letter's TEI publicationStmt.", ""]
    lines.append("[archive]")
    lines += [
        f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in asdict(settings).items()
    ]
    # written aside and renamed into place: a crash leaves the old settings or the new
    temporary = root / f".{SETTINGS_FILE}.{os.getpid()}.tmp"
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, root / SETTINGS_FILE)
