"""Metadata the user supplies beside the letters: sidecar files and CSV manifests.

* a sidecar sits next to its letter and is named after it: ``letter.pdf.json`` or
  ``letter.pdf.yaml`` — one object whose keys are ``show --json`` field names;
* a manifest (``ingest --metadata manifest.csv``) has one row per file: a ``file`` column
  (the path as given to ``ingest``, relative to the manifest, or just the file name) and
  one column per field; list fields separate values with ``|``; empty cells are ignored.

Precedence, lowest first: what Epistula recognised, the manifest, the sidecar, ``--set``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from archive.errors import ArchiveError
from metadata.edit import MetadataError, Value, normalise_fields

SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")


class BadMetadataFile(ArchiveError):
    code = "bad-metadata"
    remedy = "fix the file: field names as in 'epistula show --json', list values joined by |"


def sidecar_for(path: Path) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    """A ``.json``/``.yaml`` file named after a letter beside it."""
    return path.suffix in SIDECAR_SUFFIXES and path.with_name(path.stem).is_file()


def load_sidecar(path: Path) -> dict[str, Value]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as err:
        raise BadMetadataFile(path.name, f"cannot be read ({_first_line(err)})") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadMetadataFile(path.name, "must hold one object of field: value pairs")
    return _checked(path, {str(k): _value(v) for k, v in data.items() if v not in (None, "")})


def load_manifest(path: Path) -> dict[str, dict[str, Value]]:
    """Rows of a CSV manifest, keyed by the ``file`` column as written."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise BadMetadataFile(path.name, f"cannot be read ({_first_line(err)})") from err
    if rows and "file" not in rows[0]:
        raise BadMetadataFile(path.name, "has no 'file' column naming each letter's file")
    manifest: dict[str, dict[str, Value]] = {}
    for number, row in enumerate(rows, start=2):
        name = (row.pop("file") or "").strip()
        if not name:
            raise BadMetadataFile(path.name, f"row {number} has an empty 'file' cell")
        fields = {k.strip(): v for k, v in row.items() if k and v and v.strip()}
        manifest[name] = _checked(path, fields, f"row {number}: ")
    return manifest


def manifest_row(manifest: Mapping[str, dict[str, Value]], base: Path, path: Path) -> dict:
    """The manifest's row for ``path`` (matched as given, relative to ``base``, or by name)."""
    for key in (str(path), str(path.resolve()), path.name):
        if key in manifest:
            return manifest[key]
    for key, row in manifest.items():
        if (base / key).resolve() == path.resolve():
            return row
    return {}


def _value(value: object) -> Value:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def _checked(path: Path, fields: dict[str, Value], where: str = "") -> dict[str, Value]:
    try:
        normalise_fields(fields)
    except MetadataError as err:
        raise BadMetadataFile(path.name, f"{where}{err}") from err
    return fields


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
