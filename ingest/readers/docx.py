"""DOCX reader: a WordprocessingML package read directly with zipfile and lxml.

python-docx is not used for reading: it cannot open Strict OOXML or a main part that is not
``word/document.xml``, and it drops text inside tracked insertions, fields and text boxes.
Reading the parts ourselves also lets every byte we unpack count against the zip-bomb limit.

What the reader keeps is what Word shows once all tracked changes are accepted: inserted and
moved-to text, not deleted or moved-from text (with ``Limits.changes == "record"`` both are
kept, marked ``add`` and ``del``); field results, not field instructions; text boxes after
the paragraph that anchors them; footnotes, endnotes and comments as :class:`Note` objects
(comments, of kind ``comment``, unless ``Limits.comments == "omit"``). Headers and footers
are not body text (the first page's header becomes the ``letterhead`` property).

Documents made from one template share their style sheet byte for byte; parsed style sheets
are kept per process by the part's CRC and size, so a batch pays for each template once.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from ingest.errors import LimitExceeded, UnreadableSource
from ingest.limits import Limits
from ingest.model import (
    AnyBlock,
    Block,
    Document,
    Heading,
    ListItem,
    Note,
    PageBreak,
    Paragraph,
    Source,
    Span,
    Table,
)
from ingest.readers._common import linkify, normalise, source_facts

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"

# ISO 29500 Strict renames the namespaces but keeps the vocabulary, so mapping the tags back
# to Transitional lets one code path read both.
_STRICT_TO_TRANSITIONAL = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": _W,
    "http://purl.oclc.org/ooxml/officeDocument/relationships": _R,
    "http://purl.oclc.org/ooxml/drawingml/main": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    "http://purl.oclc.org/ooxml/officeDocument/math": (
        "http://schemas.openxmlformats.org/officeDocument/2006/math"
    ),
}

#: content types of a WordprocessingML main part (document, macro-enabled, templates)
_MAIN_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
)

#: fonts whose code points are pictures, not letters (Word stores them as w:sym)
_SYMBOL_FONTS = ("symbol", "wingdings", "webdings", "zapf dingbats", "zapfdingbats", "marlett")

_HEADING_NAME = re.compile(r"heading\s*([1-9])")
_FIELD_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_MEASURE = re.compile(r"(-?\d+(?:\.\d+)?)(pt|in|cm|mm|pc|pi)?")
_UNIT_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "pi": 12.0}
_ALIGN = {
    "left": "left",
    "start": "left",
    "center": "center",
    "right": "right",
    "end": "right",
    "both": "justify",
    "distribute": "justify",
}
_NOTE_KINDS = {"footnote": "fn", "endnote": "en", "comment": "cm"}
#: what zipfile raises on damaged archives (ValueError: bad offsets, undecodable names)
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
#: [Content_Types].xml is small; a larger one is not worth unpacking just to sniff
_SNIFF_PART_LIMIT = 1024 * 1024


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


W_BODY, W_P, W_R, W_T, W_TBL, W_TR, W_TC = (
    _w(n) for n in ("body", "p", "r", "t", "tbl", "tr", "tc")
)
W_PPR, W_RPR, W_TRPR = _w("pPr"), _w("rPr"), _w("trPr")
W_HYPERLINK, W_FLDSIMPLE, W_FLDCHAR, W_INSTRTEXT = (
    _w(n) for n in ("hyperlink", "fldSimple", "fldChar", "instrText")
)
W_INS, W_DEL, W_MOVETO, W_MOVEFROM, W_SDT, W_SDTCONTENT = (
    _w(n) for n in ("ins", "del", "moveTo", "moveFrom", "sdt", "sdtContent")
)
W_DELTEXT, W_COMMENTREFERENCE = _w("delText"), _w("commentReference")
W_BR, W_CR, W_TAB, W_PTAB, W_NOBREAKHYPHEN, W_SYM = (
    _w(n) for n in ("br", "cr", "tab", "ptab", "noBreakHyphen", "sym")
)
W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE = _w("footnoteReference"), _w("endnoteReference")
_REFERENCE_KINDS = {
    W_FOOTNOTEREFERENCE: "footnote",
    W_ENDNOTEREFERENCE: "endnote",
    W_COMMENTREFERENCE: "comment",
}
W_DRAWING, W_PICT, W_OBJECT, W_TXBXCONTENT = (
    _w(n) for n in ("drawing", "pict", "object", "txbxContent")
)
W_SECTPR, W_VAL, W_TYPE, W_ID = _w("sectPr"), _w("val"), _w("type"), _w("id")
MC_ALTERNATECONTENT, MC_CHOICE, MC_FALLBACK = (
    f"{{{_MC}}}{n}" for n in ("AlternateContent", "Choice", "Fallback")
)
R_ID = f"{{{_R}}}id"

#: elements that only wrap inline content (runs, links, fields) and add nothing of their own
_INLINE_WRAPPERS = frozenset(
    _w(n) for n in ("ins", "moveTo", "smartTag", "customXml", "dir", "bdo")
)
#: elements that only wrap block content (paragraphs, tables)
_BLOCK_WRAPPERS = frozenset(_w(n) for n in ("ins", "moveTo", "customXml"))
#: tracked changes, and the TEI element each becomes when changes are recorded
_CHANGES = {W_INS: "add", W_MOVETO: "add", W_DEL: "del", W_MOVEFROM: "del"}


# --------------------------------------------------------------------------- sniffing


def sniff(head: bytes, path: Path) -> bool:
    """True when the file is a zip package holding a Word document."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    if _head_looks_like_word(head):
        return True  # the usual case, seen without reading the zip's directory
    try:
        with zipfile.ZipFile(path) as archive:
            return _is_word_package(archive)
    except _ZIP_ERRORS:
        # A damaged archive has no readable central directory, but its first entries are
        # still visible in the head; claim it when they look like Word, so that the user
        # hears "damaged DOCX" rather than "not a format Epistula reads".
        return _head_looks_like_word(head)


def _is_word_package(archive: zipfile.ZipFile) -> bool:
    names = archive.namelist()
    if any(name.lower().startswith("word/") for name in names):
        return True
    for info in archive.infolist():
        if info.filename.lower() == "[content_types].xml" and info.file_size <= _SNIFF_PART_LIMIT:
            with archive.open(info) as fh:
                return _names_word_main_part(fh.read(_SNIFF_PART_LIMIT))
    return False


def _names_word_main_part(content_types: bytes) -> bool:
    lowered = content_types.lower()
    return any(ct.encode() in lowered for ct in _MAIN_CONTENT_TYPES)


def _head_looks_like_word(head: bytes) -> bool:
    """Walk the zip local file headers inside ``head`` looking for Word part names."""
    pos = 0
    while pos + 30 <= len(head) and head[pos : pos + 4] == b"PK\x03\x04":
        flags = int.from_bytes(head[pos + 6 : pos + 8], "little")
        method = int.from_bytes(head[pos + 8 : pos + 10], "little")
        size = int.from_bytes(head[pos + 18 : pos + 22], "little")
        name_len = int.from_bytes(head[pos + 26 : pos + 28], "little")
        extra_len = int.from_bytes(head[pos + 28 : pos + 30], "little")
        name = head[pos + 30 : pos + 30 + name_len]
        start = pos + 30 + name_len + extra_len
        if name.lower().startswith(b"word/"):
            return True
        if name.lower() == b"[content_types].xml":
            chunk = head[start : start + size] if size else head[start:]
            if method == 8:
                try:
                    chunk = zlib.decompressobj(-15).decompress(chunk, _SNIFF_PART_LIMIT)
                except zlib.error:
                    chunk = b""
            if _names_word_main_part(chunk):
                return True
        if flags & 0x08 or not size:
            break  # sizes live in a trailing data descriptor: the next header cannot be found
        pos = start + size
    return False


# --------------------------------------------------------------------------- reading


def read(path: Path, limits: Limits) -> Document:
    """Read a DOCX file into a :class:`Document`; damage and limits raise :class:`IngestError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(path, f"the file could not be read ({exc.strerror or exc})") from exc
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise UnreadableSource(path, "the DOCX is damaged (not a complete zip archive)") from exc
    with archive:
        try:
            package = _Package(path, archive, limits)
            converter = _Converter(path, package, limits)
            return converter.document(source_facts(path, MEDIA_TYPE, data))
        except RecursionError as exc:
            raise UnreadableSource(path, "the DOCX's XML is nested too deeply to read") from exc


@dataclass(frozen=True)
class _Rel:
    kind: str  # last segment of the relationship type, e.g. "footnotes", "hyperlink"
    target: str  # a part name, or the URL itself when external
    external: bool


class _Package:
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
        except _ZIP_ERRORS as exc:
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


# --------------------------------------------------------------------------- small XML helpers


def _on(el: etree._Element | None) -> bool | None:
    """An ST_OnOff property: None when absent, else its truth (no value means on)."""
    if el is None:
        return None
    return (el.get(W_VAL) or "true").lower() not in ("0", "false", "off", "none")


def _val(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(_w(name))
    return None if child is None else child.get(W_VAL)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _points(value: str | None, per_point: float) -> float | None:
    """A measure in points: bare numbers are in 1/``per_point`` pt (twips, half-points)."""
    match = _MEASURE.fullmatch((value or "").strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return round(number * _UNIT_POINTS[unit] if unit else number / per_point, 2)


def _alternate_branch(alternate: etree._Element) -> etree._Element | None:
    # The fallback is written for readers that know only the base vocabulary, which is what
    # this reader is; taking exactly one branch keeps text from being read twice.
    fallback = alternate.find(MC_FALLBACK)
    return fallback if fallback is not None else alternate.find(MC_CHOICE)


def _field_link(instruction: str) -> str | None:
    """The URL of a HYPERLINK field instruction, None for other fields and in-document links."""
    tokens = [
        m.group(1) if m.group(1) is not None else m.group(2)
        for m in _FIELD_TOKEN.finditer(instruction)
    ]
    if not tokens or tokens[0].upper() != "HYPERLINK":
        return None
    url: str | None = None
    anchor: str | None = None
    i = 1
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("\\") and len(token) == 2:
            switch = token[1].lower()
            if switch in "lot" and i + 1 < len(tokens):  # switches that take an argument
                if switch == "l":
                    anchor = tokens[i + 1]
                i += 2
                continue
        elif url is None:
            url = token
        i += 1
    if not url:
        return None
    return f"{url}#{anchor}" if anchor else url


def _symbol_char(sym: etree._Element) -> str:
    font = (sym.get(_w("font")) or "").lower()
    code = _int_hex(sym.get(_w("char")))
    if code is None or font.startswith(_SYMBOL_FONTS):
        return ""
    if 0xE000 <= code <= 0xF8FF or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return ""  # private-use glyph slots only mean something in the font that defines them
    return chr(code)


def _own_text(el: etree._Element) -> str:
    """Text of ``el`` without what unresolved entity references (which we never expand) hide."""
    text = el.text or ""
    if len(el):
        text += "".join(child.tail or "" for child in el)
    return text


def _int_hex(value: str | None) -> int | None:
    try:
        return int(value, 16) if value else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- styles, numbering


@dataclass
class _Style:
    name: str
    based_on: str | None
    ppr: etree._Element | None
    rpr: etree._Element | None


class _Styles:
    """Paragraph and character styles from styles.xml, resolved along ``w:basedOn``.

    A template's style sheet defines hundreds of styles and a letter uses a handful, so each
    style is looked at only when it is first used.
    """

    def __init__(self, root: etree._Element | None) -> None:
        self._elements: dict[str, etree._Element] = {}
        self._styles: dict[str, _Style | None] = {}
        self.default_run: dict[str, object] = {}
        #: the style of paragraphs that name none ("Normal")
        self.default_paragraph: str | None = None
        if root is None:
            return
        w_style_id, w_default = _w("styleId"), _w("default")
        for style in root.iter(_w("style")):
            style_id = style.get(w_style_id)
            if not style_id:
                continue
            self._elements[style_id] = style
            if (
                self.default_paragraph is None
                and (style.get(w_default) or "").lower() in ("1", "true", "on")
                and style.get(W_TYPE) == "paragraph"
            ):
                self.default_paragraph = style_id
        defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{W_RPR}")
        self.default_run = _run_properties(defaults)

    def _style(self, style_id: str) -> _Style | None:
        if style_id not in self._styles:
            element = self._elements.get(style_id)
            self._styles[style_id] = (
                None
                if element is None
                else _Style(
                    name=(_val(element, "name") or "").strip().lower(),
                    based_on=_val(element, "basedOn"),
                    ppr=element.find(W_PPR),
                    rpr=element.find(W_RPR),
                )
            )
        return self._styles[style_id]

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        """The style and the styles it is based on, most specific first."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            style = self._style(style_id)
            if style is None:
                return
            seen.add(style_id)
            yield style
            style_id = style.based_on

    def heading_level(self, ppr: etree._Element | None, style_id: str | None) -> int | None:
        direct = _int(_val(ppr, "outlineLvl"))
        if direct is not None:
            return direct + 1 if 0 <= direct <= 8 else None
        for style in self.chain(style_id):
            match = _HEADING_NAME.fullmatch(style.name)
            if match:
                return int(match.group(1))
            if style.name == "title":
                return 1
            level = _int(_val(style.ppr, "outlineLvl"))
            if level is not None:
                return level + 1 if 0 <= level <= 8 else None
        # a style id with no definition: Word's own ids still say what was meant
        match = _HEADING_NAME.fullmatch((style_id or "").lower())
        return int(match.group(1)) if match else None

    def paragraph_property(
        self, ppr: etree._Element | None, style_id: str | None, name: str
    ) -> etree._Element | None:
        """The first ``name`` element found in the paragraph's own pPr, then its styles."""
        candidates = [ppr] + [style.ppr for style in self.chain(style_id)]
        for candidate in candidates:
            if candidate is not None:
                found = candidate.find(_w(name))
                if found is not None:
                    return found
        return None

    def run_properties(self, style_id: str | None) -> dict[str, object]:
        """Run properties a style contributes, base styles first so the derived ones win."""
        merged: dict[str, object] = {}
        for style in reversed(list(self.chain(style_id))):
            merged.update(_run_properties(style.rpr))
        return merged


def _run_properties(rpr: etree._Element | None) -> dict[str, object]:
    """The marks, size and visibility a ``w:rPr`` sets explicitly (absent means inherited)."""
    props: dict[str, object] = {}
    if rpr is None:
        return props
    for mark, names in (("bold", ("b", "bCs")), ("italic", ("i", "iCs"))):
        for name in names:  # the complex-script variant counts only when the plain one is absent
            value = _on(rpr.find(_w(name)))
            if value is not None:
                props[mark] = value
                break
    underline = rpr.find(_w("u"))
    if underline is not None:
        props["underline"] = (underline.get(W_VAL) or "single").lower() != "none"
    vert = _val(rpr, "vertAlign")
    if vert is not None:
        props["superscript"] = vert == "superscript"
    size = _points(_val(rpr, "sz"), per_point=2)
    if size:
        props["size"] = size
    hidden = _on(rpr.find(_w("vanish")))
    if hidden is not None:
        props["hidden"] = hidden
    return props


class _Numbering:
    """numbering.xml: whether a list (numId, level) shows numbers or bullets."""

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self._formats: dict[str, dict[int, str]] = {}  # abstractNumId -> level -> numFmt
        self._links: dict[str, str] = {}  # abstractNumId -> numStyleLink style id
        self._nums: dict[str, tuple[str, dict[int, str]]] = {}
        self._styles = styles
        if root is None:
            return
        for abstract in root.iter(_w("abstractNum")):
            abstract_id = abstract.get(_w("abstractNumId")) or ""
            self._formats[abstract_id] = _level_formats(abstract)
            link = _val(abstract, "numStyleLink")
            if link:
                self._links[abstract_id] = link
        for num in root.iter(_w("num")):
            num_id = num.get(_w("numId")) or ""
            overrides = {}
            for override in num.iter(_w("lvlOverride")):
                level = override.find(_w("lvl"))
                if level is not None:
                    overrides.update(_level_formats(override))
            self._nums[num_id] = (_val(num, "abstractNumId") or "", overrides)

    def format(self, num_id: str, level: int, depth: int = 0) -> str | None:
        """The numFmt of ``level`` in list ``num_id``, None when the list does not exist."""
        if num_id not in self._nums or depth > 3:
            return None
        abstract_id, overrides = self._nums[num_id]
        if level in overrides:
            return overrides[level]
        link = self._links.get(abstract_id)
        if link:  # the list's definition lives with a numbering style
            for style in self._styles.chain(link):
                linked = _val(
                    style.ppr.find(_w("numPr")) if style.ppr is not None else None, "numId"
                )
                if linked:
                    return self.format(linked, level, depth + 1)
        levels = self._formats.get(abstract_id)
        if levels is None:
            return None
        return levels.get(level, "decimal")


def _level_formats(parent: etree._Element) -> dict[int, str]:
    formats = {}
    for level in parent.iter(_w("lvl")):
        ilvl = _int(level.get(_w("ilvl")))
        num_fmt = level.find(_w("numFmt"))
        if num_fmt is None:  # Word 2010+ may keep it inside mc:AlternateContent
            num_fmt = level.find(f"{MC_ALTERNATECONTENT}/{MC_FALLBACK}/{_w('numFmt')}")
        if ilvl is not None:
            formats[ilvl] = (num_fmt.get(W_VAL) if num_fmt is not None else None) or "decimal"
    return formats


# --------------------------------------------------------------------------- conversion


class _HardBreak:
    """A page break found while converting; numbered once the whole body is known."""


_HARD_BREAK = _HardBreak()
_Piece = tuple[str, frozenset[str], str | None, str | None]  # text, marks, link, note


@dataclass
class _Field:
    instruction: list[str] = field(default_factory=list)
    in_result: bool = False
    link: str | None = None


@dataclass
class _Story:
    """One flow of text (body, a note, a header): its part, relationships and open fields."""

    part: str
    fields: list[_Field] = field(default_factory=list)


@dataclass
class _Inline:
    """What a paragraph's inline content produced."""

    pieces: list[_Piece | _HardBreak] = field(default_factory=list)
    floating: list[AnyBlock | _HardBreak] = field(default_factory=list)
    size: float | None = None


#: parsed style sheets and numbering, by the fingerprints of their parts
_STYLE_CACHE: OrderedDict[tuple[object, ...], tuple[_Styles, _Numbering]] = OrderedDict()
_STYLE_CACHE_SIZE = 32


class _Converter:
    def __init__(self, path: Path, package: _Package, limits: Limits) -> None:
        self.path = path
        self.package = package
        self.main = self._main_part()
        self.styles, self.numbering = self._styles_and_numbering()
        self.record_changes = limits.changes == "record"
        self.keep_comments = limits.comments == "keep"
        #: tracked changes around the content being read, innermost last ("add"/"del")
        self._changes: list[str] = []
        self.story = _Story(self.main)
        self._note_elements: dict[str, dict[str, etree._Element]] = {}
        self._note_parts: dict[str, str] = {}
        self._notes: dict[str, Note | None] = {}
        self._labels: dict[str, str] = {}

    # ---- package level

    def _main_part(self) -> str:
        part = self.package.related("", "officeDocument")
        if part:
            return part
        content_types = self.package.xml("[Content_Types].xml")
        if content_types is not None:
            for override in content_types.iter(f"{{{_CONTENT_TYPES}}}Override"):
                if (override.get("ContentType") or "").lower() in _MAIN_CONTENT_TYPES:
                    name = (override.get("PartName") or "").lstrip("/")
                    if self.package.has(name):
                        return name
        if self.package.has("word/document.xml"):
            return "word/document.xml"
        raise UnreadableSource(self.path, "the DOCX has no main document part (not a Word package)")

    def _optional_xml(self, kind: str) -> etree._Element | None:
        part = self.package.related(self.main, kind)
        return self.package.xml(part) if part else None

    def _styles_and_numbering(self) -> tuple[_Styles, _Numbering]:
        """The style sheet and list definitions, parsed once per process for each template."""
        parts = [self.package.related(self.main, kind) for kind in ("styles", "numbering")]
        key = tuple(self.package.fingerprint(part) if part else None for part in parts)
        cached = _STYLE_CACHE.get(key)
        if cached is not None:
            _STYLE_CACHE.move_to_end(key)
            return cached
        styles = _Styles(self._optional_xml("styles"))
        numbering = _Numbering(self._optional_xml("numbering"), styles)
        if any(key):
            _STYLE_CACHE[key] = (styles, numbering)
            if len(_STYLE_CACHE) > _STYLE_CACHE_SIZE:
                _STYLE_CACHE.popitem(last=False)
        return styles, numbering

    @contextmanager
    def _changed(self, change: str) -> Iterator[None]:
        """Read the content inside a tracked insertion ("add") or deletion ("del")."""
        self._changes.append(change)
        try:
            yield
        finally:
            self._changes.pop()

    def document(self, source: Source) -> Document:
        root = self.package.xml(self.main)
        if root is None or root.tag != _w("document"):
            raise UnreadableSource(
                self.path, f"the DOCX is damaged ({self.main} is not a WordprocessingML document)"
            )
        body = root.find(W_BODY)
        blocks = _number_pages(self._blocks(body)) if body is not None else []
        notes = {key: note for key, note in self._notes.items() if note is not None}
        properties = self._core_properties()
        letterhead = self._letterhead(body)
        if letterhead:
            properties["letterhead"] = letterhead
        return Document(source=source, blocks=tuple(blocks), notes=notes, properties=properties)

    def _core_properties(self) -> dict[str, str]:
        part = self.package.related("", "core-properties") or "docProps/core.xml"
        try:
            root = self.package.xml(part)
        except UnreadableSource:
            return {}  # metadata candidates only: a broken core part does not cost the letter
        if root is None:
            return {}
        wanted = {
            "title": f"{{{_DC}}}title",
            "author": f"{{{_DC}}}creator",
            "created": f"{{{_DCTERMS}}}created",
            "language": f"{{{_DC}}}language",
            "keywords": f"{{{_CORE}}}keywords",
            "subject": f"{{{_DC}}}subject",
            "description": f"{{{_DC}}}description",
        }
        properties = {}
        for key, tag in wanted.items():
            el = root.find(tag)
            value = normalise("".join(el.itertext())).strip() if el is not None else ""
            if value:
                properties[key] = value
        return properties

    def _letterhead(self, body: etree._Element | None) -> str:
        """The text of the header printed on the first page, if any."""
        section = next(body.iter(W_SECTPR), None) if body is not None else None
        if section is None:
            return ""
        refs = {
            ref.get(W_TYPE) or "default": ref.get(R_ID)
            for ref in section.iter(_w("headerReference"))
        }
        title_page = _on(section.find(_w("titlePg")))
        rel_id = (refs.get("first") if title_page else None) or refs.get("default")
        rel = self.package.rels(self.main).get(rel_id or "")
        if rel is None or rel.external:
            return ""
        try:
            root = self.package.xml(rel.target)
        except UnreadableSource:
            return ""  # a broken header is no reason to refuse the letter
        if root is None:
            return ""
        saved, self.story = self.story, _Story(rel.target)
        try:
            blocks = [b for b in self._blocks(root) if not isinstance(b, _HardBreak)]
        finally:
            self.story = saved
        return "\n".join(block.text for block in _flatten(blocks) if block.text.strip())

    # ---- blocks

    def _blocks(self, container: etree._Element) -> list[AnyBlock | _HardBreak]:
        out: list[AnyBlock | _HardBreak] = []
        for child in container:
            tag = child.tag
            if tag == W_P:
                out.extend(self._paragraph(child))
            elif tag == W_TBL:
                table = self._table(child)
                if table is not None:
                    out.append(table)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    out.extend(self._blocks(content))
            elif tag in _CHANGES and self.record_changes:
                with self._changed(_CHANGES[tag]):
                    out.extend(self._blocks(child))
            elif tag in _BLOCK_WRAPPERS:
                out.extend(self._blocks(child))
            elif tag == MC_ALTERNATECONTENT:
                branch = _alternate_branch(child)
                if branch is not None:
                    out.extend(self._blocks(branch))
            # w:del and w:moveFrom (when changes are accepted), w:sectPr, bookmarks, comment
            # ranges: nothing to show
        return out

    def _paragraph(self, p: etree._Element) -> list[AnyBlock | _HardBreak]:
        ppr = p.find(W_PPR)
        style_id = _val(ppr, "pStyle") or self.styles.default_paragraph
        inline = _Inline()
        self._inline(p, inline, link=None, base=self.styles.run_properties(style_id))
        make = self._block_factory(ppr, style_id, inline.size)

        out: list[AnyBlock | _HardBreak] = []
        if _on(ppr.find(_w("pageBreakBefore")) if ppr is not None else None):
            out.append(_HARD_BREAK)
        segment: list[_Piece] = []
        for piece in [*inline.pieces, _HARD_BREAK]:
            if isinstance(piece, _HardBreak):
                spans = _finish_spans(segment)
                if spans:
                    out.append(make(spans))
                out.append(piece)
                segment = []
            else:
                segment.append(piece)
        out.pop()  # the sentinel that closed the last segment
        out.extend(b for b in inline.floating if not isinstance(b, _HardBreak))
        section = ppr.find(W_SECTPR) if ppr is not None else None
        if section is not None and _val(section, "type") != "continuous":
            out.append(_HARD_BREAK)  # a section break starts a new page unless continuous
        return out

    def _block_factory(
        self, ppr: etree._Element | None, style_id: str | None, size: float | None
    ) -> Callable[[list[Span]], Block]:
        hints = {"font_size": size, **self._layout_hints(ppr, style_id)}
        level = self.styles.heading_level(ppr, style_id)
        if level is not None:
            return lambda spans: Heading(spans=tuple(spans), level=level, **hints)
        listed = self._list_kind(ppr, style_id)
        if listed is not None:
            ilvl, ordered = listed
            return lambda spans: ListItem(spans=tuple(spans), level=ilvl, ordered=ordered, **hints)
        return lambda spans: Paragraph(spans=tuple(spans), **hints)

    def _layout_hints(
        self, ppr: etree._Element | None, style_id: str | None
    ) -> dict[str, str | float | None]:
        jc = self.styles.paragraph_property(ppr, style_id, "jc")
        ind = self.styles.paragraph_property(ppr, style_id, "ind")
        indent = None
        if ind is not None:
            indent = _points(ind.get(_w("left")) or ind.get(_w("start")), per_point=20)
        align = _ALIGN.get((jc.get(W_VAL) or "").lower()) if jc is not None else None
        return {"align": align, "indent": indent}

    def _list_kind(
        self, ppr: etree._Element | None, style_id: str | None
    ) -> tuple[int, bool] | None:
        direct = ppr.find(_w("numPr")) if ppr is not None else None
        num_id = _val(direct, "numId")
        level = _int(_val(direct, "ilvl"))
        if num_id is None:
            for style in self.styles.chain(style_id):
                styled = style.ppr.find(_w("numPr")) if style.ppr is not None else None
                if styled is not None:
                    num_id = _val(styled, "numId")
                    level = level if level is not None else _int(_val(styled, "ilvl"))
                    break
        if not num_id or num_id == "0":  # numId 0 switches numbering off
            return None
        level = level if level is not None and 0 <= level <= 8 else 0
        fmt = self.numbering.format(num_id, level)
        if fmt is None:
            return None
        return level, fmt not in ("bullet", "none")

    def _table(self, tbl: etree._Element) -> Table | None:
        rows = []
        for tr in _children(tbl, W_TR):
            props = tr.find(W_TRPR)
            marks = [c.tag for c in (props if props is not None else ()) if c.tag in _CHANGES]
            change = _CHANGES[marks[0]] if marks else None
            if change == "del" and not self.record_changes:
                continue  # a tracked row deletion: gone once accepted
            with self._changed(change) if change and self.record_changes else nullcontext():
                cells = tuple(tuple(_flatten(self._blocks(tc))) for tc in _children(tr, W_TC))
            rows.append(cells)
        return Table(rows=tuple(rows)) if rows else None

    # ---- inline content

    def _inline(
        self, container: etree._Element, out: _Inline, link: str | None, base: dict[str, object]
    ) -> None:
        for child in container:
            tag = child.tag
            if tag == W_R:
                self._run(child, child, out, link, base)
            elif tag == W_HYPERLINK:
                self._inline(child, out, self._hyperlink_target(child) or link, base)
            elif tag == W_FLDSIMPLE:
                self._inline(child, out, _field_link(child.get(_w("instr")) or "") or link, base)
            elif tag in _CHANGES and self.record_changes:
                with self._changed(_CHANGES[tag]):
                    self._inline(child, out, link, base)
            elif tag in _INLINE_WRAPPERS:
                self._inline(child, out, link, base)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self._inline(content, out, link, base)
            elif tag == MC_ALTERNATECONTENT:
                branch = _alternate_branch(child)
                if branch is not None:
                    self._inline(branch, out, link, base)
            # w:del and w:moveFrom (when changes are accepted), w:pPr, bookmarks, comment
            # ranges: skipped

    def _hyperlink_target(self, hyperlink: etree._Element) -> str | None:
        rel = self.package.rels(self.story.part).get(hyperlink.get(R_ID) or "")
        if rel is None:
            return None  # w:anchor alone points inside the document: keep the text only
        target = rel.target
        anchor = hyperlink.get(_w("anchor"))
        return f"{target}#{anchor}" if anchor and "#" not in target else target

    def _run(
        self,
        run: etree._Element,
        container: etree._Element,
        out: _Inline,
        link: str | None,
        base: dict[str, object],
    ) -> None:
        rpr = run.find(W_RPR)
        props = {
            **self.styles.default_run,
            **base,
            **self.styles.run_properties(_val(rpr, "rStyle")),
            **_run_properties(rpr),
        }
        marks = frozenset(m for m in ("bold", "italic", "underline", "superscript") if props.get(m))
        if self._changes:
            marks |= {self._changes[-1]}
        hidden = bool(props.get("hidden"))
        for child in container:
            tag = child.tag
            if tag == W_T or (tag == W_DELTEXT and self._changes[-1:] == ["del"]):
                if not hidden:
                    self._text(out, _own_text(child), marks, link, props.get("size"))
            elif tag in (W_TAB, W_PTAB):
                self._text(out, "\t", marks, link, None)
            elif tag in (W_BR, W_CR):
                if (child.get(W_TYPE) or "") == "page":
                    out.pieces.append(_HARD_BREAK)
                else:  # text wrapping (and column) breaks end a line, not a page
                    self._text(out, "\n", marks, link, None)
            elif tag == W_NOBREAKHYPHEN:
                self._text(out, "-", marks, link, None)
            elif tag == W_SYM:
                self._text(out, _symbol_char(child), marks, link, props.get("size"))
            elif tag in (W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE):
                self._callout(child, out)
            elif tag == W_COMMENTREFERENCE:
                if self.keep_comments:
                    self._callout(child, out)
            elif tag == W_FLDCHAR:
                self._field_char(child.get(_w("fldCharType")))
            elif tag == W_INSTRTEXT:
                if self.story.fields and not self.story.fields[-1].in_result:
                    self.story.fields[-1].instruction.append(child.text or "")
            elif tag in (W_DRAWING, W_PICT, W_OBJECT):
                for box in _text_boxes(child):
                    out.floating.extend(self._blocks(box))
            elif tag == MC_ALTERNATECONTENT:
                branch = _alternate_branch(child)
                if branch is not None:
                    self._run(run, branch, out, link, base)
            # w:delText (when changes are accepted), w:footnoteRef and w:annotationRef (a
            # note's own mark), w:lastRenderedPageBreak, w:softHyphen, w:separator: nothing

    def _text(
        self,
        out: _Inline,
        text: str,
        marks: frozenset[str],
        link: str | None,
        size: object,
    ) -> None:
        if not text:
            return
        fields = self.story.fields
        if any(not f.in_result for f in fields):
            return  # field instructions are code, not text
        field_link = next((f.link for f in reversed(fields) if f.link), None)
        out.pieces.append((text, marks, field_link or link, None))
        if out.size is None and size and text.strip():
            out.size = size

    def _field_char(self, kind: str | None) -> None:
        fields = self.story.fields
        if kind == "begin":
            fields.append(_Field())
        elif kind == "separate" and fields:
            current = fields[-1]
            current.in_result = True
            current.link = _field_link("".join(current.instruction))
        elif kind == "end" and fields:
            fields.pop()

    # ---- notes

    def _callout(self, reference: etree._Element, out: _Inline) -> None:
        """A footnote, endnote or comment reference: the note is read at its first callout."""
        kind = _REFERENCE_KINDS[reference.tag]
        raw_id = reference.get(W_ID) or ""
        key = f"{_NOTE_KINDS[kind]}{raw_id}"
        if key not in self._labels:
            element = self._note_element(kind, raw_id)
            if element is None:
                return  # a reference to nothing would dangle in the TEI
            self._labels[key] = str(sum(k.startswith(_NOTE_KINDS[kind]) for k in self._labels) + 1)
            self._notes[key] = None  # reserve the place: notes are kept in order of first call
            self._notes[key] = self._note(key, kind, element)
        if not any(not f.in_result for f in self.story.fields):
            marks = frozenset() if kind == "comment" else frozenset({"superscript"})
            out.pieces.append((self._labels[key], marks, None, key))

    def _note_element(self, kind: str, raw_id: str) -> etree._Element | None:
        if kind not in self._note_elements:
            part = self.package.related(self.main, f"{kind}s")
            root = self.package.xml(part) if part else None
            self._note_parts[kind] = part or ""
            self._note_elements[kind] = {
                el.get(W_ID) or "": el
                for el in (root.iter(_w(kind)) if root is not None else ())
                if (el.get(W_TYPE) or "normal") == "normal"  # not the separator lines
            }
        return self._note_elements[kind].get(raw_id)

    def _note(self, key: str, kind: str, element: etree._Element) -> Note:
        saved, self.story = self.story, _Story(self._note_parts[kind])
        changes, self._changes = self._changes, []  # a note is not part of the change it sits in
        try:
            blocks = [b for b in self._blocks(element) if not isinstance(b, _HardBreak)]
        finally:
            self.story, self._changes = saved, changes
        return Note(id=key, label=self._labels[key], blocks=tuple(_flatten(blocks)), kind=kind)


# --------------------------------------------------------------------------- assembly helpers


def _children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """``tag`` children of ``parent``, looking through content controls and custom XML."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _children(child, tag)


def _text_boxes(el: etree._Element) -> Iterator[etree._Element]:
    """The outermost text box contents inside a drawing, one branch of each alternative."""
    for child in el:
        if child.tag == W_TXBXCONTENT:
            yield child  # boxes nested in it are read with it
        elif child.tag == MC_ALTERNATECONTENT:
            branch = _alternate_branch(child)
            if branch is not None:
                yield from _text_boxes(branch)
        elif isinstance(child.tag, str):
            yield from _text_boxes(child)


def _finish_spans(pieces: list[_Piece]) -> list[Span]:
    """Merge like pieces, normalise text, trim the block's edges, mark written-out URLs."""
    merged: list[list] = []
    for text, marks, link, note in pieces:
        last = merged[-1] if merged else None
        if last and note is None and last[3] is None and last[1] == marks and last[2] == link:
            last[0] += text
        else:
            merged.append([text, marks, link, note])
    for item in merged:
        if item[3] is None:
            item[0] = normalise(item[0])
    _trim(merged, 0, str.lstrip)
    _trim(merged, -1, str.rstrip)
    spans = [Span(text, marks, link, note) for text, marks, link, note in merged if text]
    if not any(span.note or span.text.strip() for span in spans):
        return []
    return linkify(spans)


def _trim(merged: list[list], end: int, strip: Callable[[str], str]) -> None:
    while merged and merged[end][3] is None:
        merged[end][0] = strip(merged[end][0])
        if merged[end][0]:
            return
        merged.pop(end)


def _flatten(blocks: Iterable[object]) -> list[Block]:
    """Paragraphs only: a table inside a cell or a note is reduced to its cells' paragraphs."""
    flat: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    flat.extend(cell)
        elif isinstance(block, Block):
            flat.append(
                block
                if type(block) is Paragraph
                else Paragraph(
                    spans=block.spans,
                    font_size=block.font_size,
                    align=block.align,
                    indent=block.indent,
                )
            )
    return flat


def _number_pages(blocks: list[AnyBlock | _HardBreak]) -> list[AnyBlock]:
    """Turn hard breaks into numbered :class:`PageBreak` blocks.

    Breaks before the first or after the last content are dropped (they start no page that
    holds text); if any break remains, the first page gets an explicit ``PageBreak(1)`` so
    that every block has a page to belong to.
    """
    first = next((i for i, b in enumerate(blocks) if not isinstance(b, _HardBreak)), None)
    if first is None:
        return []
    last = max(i for i, b in enumerate(blocks) if not isinstance(b, _HardBreak))
    trimmed = blocks[first : last + 1]
    if not any(isinstance(b, _HardBreak) for b in trimmed):
        return trimmed  # type: ignore[return-value]
    out: list[AnyBlock] = [PageBreak(1)]
    page = 1
    for block in trimmed:
        if isinstance(block, _HardBreak):
            page += 1
            out.append(PageBreak(page))
        else:
            out.append(block)
    return out
