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
#: the largest sidecar read: a sidecar holds a few fields (the values are bounded by
#: metadata.edit), and it is read in the main process, outside the readers' time limit
MAX_SIDECAR_BYTES = 256 * 1024
#: how deep a sidecar may nest (an object of lists is 2 deep) and how many YAML aliases it
#: may use (each can stand for a whole subtree, so a few kilobytes could expand to gigabytes)
MAX_DEPTH = 8
MAX_ALIASES = 100
#: and how many YAML nodes (keys, values, list items) it may hold: more than the fields and
#: their names can use, and few enough that PyYAML (pure Python here) reads them in moments
MAX_NODES = 2500


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
    text = _bounded_text(path)
    try:
        data = json.loads(text) if path.suffix == ".json" else _load_yaml(text)
    except RecursionError as err:  # (JSON: the C parser stops at Python's recursion limit)
        raise BadMetadataFile(path.name, "is nested too deeply to be field: value pairs") from err
    except (ValueError, yaml.YAMLError) as err:
        raise BadMetadataFile(path.name, f"cannot be read ({_first_line(err)})") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadMetadataFile(path.name, "must hold one object of field: value pairs")
    fields: dict[str, Value] = {}
    for key, value in data.items():
        if value in (None, ""):
            continue
        fields[str(key)] = _value(path, str(key), value)
    return _checked(path, fields)


def _bounded_text(path: Path) -> str:
    """The sidecar's text, refused unread past :data:`MAX_SIDECAR_BYTES`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SIDECAR_BYTES + 1)
        if len(data) > MAX_SIDECAR_BYTES:
            raise BadMetadataFile(
                path.name,
                f"is larger than {MAX_SIDECAR_BYTES // 1024} KiB, too large for a letter's "
                "metadata",
                "keep a sidecar to the fields of one letter (long texts belong in the letter)",
            )
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BadMetadataFile(path.name, f"cannot be read ({_first_line(err)})") from err


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader (the pure Python one: its depth is checked, not the C stack's)
    with the nesting and the number of aliases bounded while the document is composed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name)")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise yaml.YAMLError(f"more than {MAX_NODES} values")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _load_yaml(text: str) -> object:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


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
        if None in row:  # csv.DictReader keeps cells past the header's under None
            raise BadMetadataFile(path.name, f"row {number} has more cells than the header")
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


def _value(path: Path, name: str, value: object) -> Value:
    """A field's value: a scalar, or a list of scalars (as text)."""
    if isinstance(value, list) and not any(isinstance(v, list | dict) for v in value):
        return [str(v) for v in value]
    if isinstance(value, list | dict):
        raise BadMetadataFile(path.name, f"field {name[:60]!r} must be a text or a list of texts")
    return str(value)


def _checked(path: Path, fields: dict[str, Value], where: str = "") -> dict[str, Value]:
    try:
        normalise_fields(fields)
    except MetadataError as err:
        raise BadMetadataFile(path.name, f"{where}{err}") from err
    return fields


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
