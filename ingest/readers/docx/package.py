"""The package: a DOCX opened as a zip of parts, each unpacked against the zip-bomb
limit; relationships, content types, and Strict OOXML read as Transitional."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from ingest.errors import LimitExceeded, UnreadableSource
from ingest.limits import Limits
from ingest.readers.docx.wordml import R_NS, W_NS

_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

# ISO 29500 Strict renames the namespaces but keeps the vocabulary, so mapping the tags back
# to Transitional lets one code path read both.
_STRICT_TO_TRANSITIONAL = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": W_NS,
    "http://purl.oclc.org/ooxml/officeDocument/relationships": R_NS,
    "http://purl.oclc.org/ooxml/drawingml/main": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    "http://purl.oclc.org/ooxml/officeDocument/math": (
        "http://schemas.openxmlformats.org/officeDocument/2006/math"
    ),
}
#: what zipfile raises on damaged archives (ValueError: bad offsets, undecodable names)
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


@dataclass(frozen=True)
class _Rel:
    kind: str  # last segment of the relationship type, e.g. "footnotes", "hyperlink"
    target: str  # a part name, or the URL itself when external
    external: bool


class Package:
    """The zip archive, with every unpacked byte counted against the zip-bomb limit."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, limits: Limits) -> None:
        self._path = path
        self._archive = archive
        self._limit = limits.max_unzipped_bytes
        self._unpacked = 0
        # OPC part names are case-insensitive
        self._infos = {info.filename.lower(): info for info in archive.infolist()}
        self._rels: dict[str, dict[str, _Rel]] = {}

    def has(self, name: str) -> bool:
        return name.lower() in self._infos

    def fingerprint(self, name: str) -> tuple[int, int] | None:
        """The part's CRC-32 and size as the zip directory states them (no unpacking)."""
        info = self._infos.get(name.lower())
        return None if info is None else (info.CRC, info.file_size)

    def read(self, name: str) -> bytes | None:
        info = self._infos.get(name.lower())
        if info is None:
            return None
        if self._unpacked + info.file_size > self._limit:
            raise LimitExceeded(
                self._path,
                f"the DOCX unpacks to more than {self._limit:,} bytes (part {name} alone is "
                f"{info.file_size:,}); this looks like a zip bomb",
            )
        self._unpacked += info.file_size
        try:
            with self._archive.open(info) as fh:
                # never more than the size the directory declared, whatever the stream holds
                return fh.read(info.file_size)
        except NotImplementedError as exc:
            raise UnreadableSource(
                self._path, f"the DOCX stores part {name} with a zip compression Epistula lacks"
            ) from exc
        except RuntimeError as exc:  # zipfile's word for a password-protected entry
            raise UnreadableSource(
                self._path, f"the DOCX's part {name} is password-protected inside the zip"
            ) from exc
        except ZIP_ERRORS as exc:
            raise UnreadableSource(
                self._path, f"the DOCX is damaged (part {name} cannot be unpacked)"
            ) from exc

    def xml(self, name: str) -> etree._Element | None:
        data = self.read(name)
        if data is None:
            return None
        try:
            root = etree.fromstring(data, _xml_parser())
        except etree.XMLSyntaxError as exc:
            raise UnreadableSource(
                self._path, f"the DOCX is damaged (part {name} is not well-formed XML: {exc.msg})"
            ) from exc
        if root is None:
            raise UnreadableSource(self._path, f"the DOCX is damaged (part {name} is empty)")
        if b"purl.oclc.org/ooxml" in data:
            _to_transitional(root)
        return root

    def rels(self, part: str) -> dict[str, _Rel]:
        """The relationships of ``part`` ("" for the package itself), by id."""
        if part not in self._rels:
            directory, base = posixpath.split(part)
            root = self.xml(posixpath.join(directory, "_rels", f"{base}.rels"))
            found: dict[str, _Rel] = {}
            for rel in root.iter(f"{{{_PKG_RELS}}}Relationship") if root is not None else ():
                rel_id, target = rel.get("Id"), rel.get("Target")
                if not rel_id or target is None:
                    continue
                external = (rel.get("TargetMode") or "").lower() == "external"
                kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
                found[rel_id] = _Rel(kind, target if external else _resolve(part, target), external)
            self._rels[part] = found
        return self._rels[part]

    def related(self, part: str, kind: str) -> str | None:
        """The first internal part related to ``part`` by a relationship of ``kind``."""
        for rel in self.rels(part).values():
            if rel.kind == kind and not rel.external and self.has(rel.target):
                return rel.target
        return None


def _xml_parser() -> etree.XMLParser:
    # entities unresolved, no network, no DTD: a package is untrusted input
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        load_dtd=False,
    )


def _resolve(source_part: str, target: str) -> str:
    """The part name a relationship target points at, relative to the part that holds it."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _to_transitional(root: etree._Element) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.tag = _transitional_name(el.tag)
        for key in [k for k in el.attrib if k.startswith("{")]:
            new_key = _transitional_name(key)
            if new_key != key:
                el.set(new_key, el.attrib.pop(key))


def _transitional_name(name: str) -> str:
    if not name.startswith("{"):
        return name
    namespace, _, local = name[1:].partition("}")
    mapped = _STRICT_TO_TRANSITIONAL.get(namespace)
    return f"{{{mapped}}}{local}" if mapped else name
