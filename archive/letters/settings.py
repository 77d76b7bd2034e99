"""Archive settings: a small ``epistula.toml`` in the archive root.

Example::

    [archive]
    name = "Example Archive"
    publisher = "Example Archive"
    licence = "CC BY 4.0"
    licence_url = "https://creativecommons.org/licenses/by/4.0/"
    language = "en"
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from archive.errors import ArchiveError

SETTINGS_FILE = "epistula.toml"


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
    return Settings(**table)


def write_settings(root: Path, settings: Settings) -> None:
    """Write ``epistula.toml`` (strings are JSON-quoted, which TOML reads as basic strings)."""
    lines = ["# Epistula archive settings; printed in every letter's TEI publicationStmt.", ""]
    lines.append("[archive]")
    lines += [
        f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in asdict(settings).items()
    ]
    (root / SETTINGS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
