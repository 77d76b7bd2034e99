"""WordprocessingML names (namespaces, the tags the reader looks for, Strict to
Transitional) and small XML helpers: on/off and numeric values, field links, symbols."""

from __future__ import annotations

import re

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

#: fonts whose code points are pictures, not letters (Word stores them as w:sym)
_SYMBOL_FONTS = ("symbol", "wingdings", "webdings", "zapf dingbats", "zapfdingbats", "marlett")
_FIELD_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_MEASURE = re.compile(r"(-?\d+(?:\.\d+)?)(pt|in|cm|mm|pc|pi)?")
_UNIT_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "pi": 12.0}


def w_name(name: str) -> str:
    return f"{{{W_NS}}}{name}"


W_BODY, W_P, W_R, W_T, W_TBL, W_TR, W_TC = (
    w_name(n) for n in ("body", "p", "r", "t", "tbl", "tr", "tc")
)
W_PPR, W_RPR, W_TRPR = w_name("pPr"), w_name("rPr"), w_name("trPr")
W_HYPERLINK, W_FLDSIMPLE, W_FLDCHAR, W_INSTRTEXT = (
    w_name(n) for n in ("hyperlink", "fldSimple", "fldChar", "instrText")
)
W_INS, W_DEL, W_MOVETO, W_MOVEFROM, W_SDT, W_SDTCONTENT = (
    w_name(n) for n in ("ins", "del", "moveTo", "moveFrom", "sdt", "sdtContent")
)
W_DELTEXT, W_COMMENTREFERENCE = w_name("delText"), w_name("commentReference")
W_BR, W_CR, W_TAB, W_PTAB, W_NOBREAKHYPHEN, W_SYM = (
    w_name(n) for n in ("br", "cr", "tab", "ptab", "noBreakHyphen", "sym")
)
W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE = w_name("footnoteReference"), w_name("endnoteReference")
W_DRAWING, W_PICT, W_OBJECT, W_TXBXCONTENT = (
    w_name(n) for n in ("drawing", "pict", "object", "txbxContent")
)
W_SECTPR, W_VAL, W_TYPE, W_ID = w_name("sectPr"), w_name("val"), w_name("type"), w_name("id")
MC_ALTERNATECONTENT, MC_CHOICE, MC_FALLBACK = (
    f"{{{_MC}}}{n}" for n in ("AlternateContent", "Choice", "Fallback")
)
R_ID = f"{{{R_NS}}}id"


def is_on(el: etree._Element | None) -> bool | None:
    """An ST_OnOff property: None when absent, else its truth (no value means on)."""
    if el is None:
        return None
    return (el.get(W_VAL) or "true").lower() not in ("0", "false", "off", "none")


def child_val(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(w_name(name))
    return None if child is None else child.get(W_VAL)


def int_value(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def in_points(value: str | None, per_point: float) -> float | None:
    """A measure in points: bare numbers are in 1/``per_point`` pt (twips, half-points)."""
    match = _MEASURE.fullmatch((value or "").strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return round(number * _UNIT_POINTS[unit] if unit else number / per_point, 2)


def alternate_branch(alternate: etree._Element) -> etree._Element | None:
    # The fallback is written for readers that know only the base vocabulary, which is what
    # this reader is; taking exactly one branch keeps text from being read twice.
    fallback = alternate.find(MC_FALLBACK)
    return fallback if fallback is not None else alternate.find(MC_CHOICE)


def hyperlink_of_field(instruction: str) -> str | None:
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


def symbol_char(sym: etree._Element) -> str:
    font = (sym.get(w_name("font")) or "").lower()
    code = _int_hex(sym.get(w_name("char")))
    if code is None or font.startswith(_SYMBOL_FONTS):
        return ""
    if 0xE000 <= code <= 0xF8FF or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return ""  # private-use glyph slots only mean something in the font that defines them
    return chr(code)


def own_text(el: etree._Element) -> str:
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
