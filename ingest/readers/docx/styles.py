"""Styles and numbering: the style sheet (inheritance, run properties, headings) and
list numbering, parsed once per template and kept per process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ingest.readers.docx.wordml import (
    MC_ALTERNATECONTENT,
    MC_FALLBACK,
    W_PPR,
    W_RPR,
    W_TYPE,
    W_VAL,
    child_val,
    in_points,
    int_value,
    is_on,
    w_name,
)

_HEADING_NAME = re.compile(r"heading\s*([1-9])")


@dataclass
class _Style:
    name: str
    based_on: str | None
    ppr: etree._Element | None
    rpr: etree._Element | None


class Styles:
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
        w_style_id, w_default = w_name("styleId"), w_name("default")
        for style in root.iter(w_name("style")):
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
        defaults = root.find(f"{w_name('docDefaults')}/{w_name('rPrDefault')}/{W_RPR}")
        self.default_run = properties_of_run(defaults)

    def _style(self, style_id: str) -> _Style | None:
        if style_id not in self._styles:
            element = self._elements.get(style_id)
            self._styles[style_id] = (
                None
                if element is None
                else _Style(
                    name=(child_val(element, "name") or "").strip().lower(),
                    based_on=child_val(element, "basedOn"),
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
        direct = int_value(child_val(ppr, "outlineLvl"))
        if direct is not None:
            return direct + 1 if 0 <= direct <= 8 else None
        for style in self.chain(style_id):
            match = _HEADING_NAME.fullmatch(style.name)
            if match:
                return int(match.group(1))
            if style.name == "title":
                return 1
            level = int_value(child_val(style.ppr, "outlineLvl"))
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
                found = candidate.find(w_name(name))
                if found is not None:
                    return found
        return None

    def run_properties(self, style_id: str | None) -> dict[str, object]:
        """Run properties a style contributes, base styles first so the derived ones win."""
        merged: dict[str, object] = {}
        for style in reversed(list(self.chain(style_id))):
            merged.update(properties_of_run(style.rpr))
        return merged


def properties_of_run(rpr: etree._Element | None) -> dict[str, object]:
    """The marks, size and visibility a ``w:rPr`` sets explicitly (absent means inherited)."""
    props: dict[str, object] = {}
    if rpr is None:
        return props
    for mark, names in (("bold", ("b", "bCs")), ("italic", ("i", "iCs"))):
        for name in names:  # the complex-script variant counts only when the plain one is absent
            value = is_on(rpr.find(w_name(name)))
            if value is not None:
                props[mark] = value
                break
    underline = rpr.find(w_name("u"))
    if underline is not None:
        props["underline"] = (underline.get(W_VAL) or "single").lower() != "none"
    vert = child_val(rpr, "vertAlign")
    if vert is not None:
        props["superscript"] = vert == "superscript"
    size = in_points(child_val(rpr, "sz"), per_point=2)
    if size:
        props["size"] = size
    hidden = is_on(rpr.find(w_name("vanish")))
    if hidden is not None:
        props["hidden"] = hidden
    return props


class Numbering:
    """numbering.xml: whether a list (numId, level) shows numbers or bullets."""

    def __init__(self, root: etree._Element | None, styles: Styles) -> None:
        self._formats: dict[str, dict[int, str]] = {}  # abstractNumId -> level -> numFmt
        self._links: dict[str, str] = {}  # abstractNumId -> numStyleLink style id
        self._nums: dict[str, tuple[str, dict[int, str]]] = {}
        self._styles = styles
        if root is None:
            return
        for abstract in root.iter(w_name("abstractNum")):
            abstract_id = abstract.get(w_name("abstractNumId")) or ""
            self._formats[abstract_id] = _level_formats(abstract)
            link = child_val(abstract, "numStyleLink")
            if link:
                self._links[abstract_id] = link
        for num in root.iter(w_name("num")):
            num_id = num.get(w_name("numId")) or ""
            overrides = {}
            for override in num.iter(w_name("lvlOverride")):
                level = override.find(w_name("lvl"))
                if level is not None:
                    overrides.update(_level_formats(override))
            self._nums[num_id] = (child_val(num, "abstractNumId") or "", overrides)

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
                linked = child_val(
                    style.ppr.find(w_name("numPr")) if style.ppr is not None else None, "numId"
                )
                if linked:
                    return self.format(linked, level, depth + 1)
        levels = self._formats.get(abstract_id)
        if levels is None:
            return None
        return levels.get(level, "decimal")


def _level_formats(parent: etree._Element) -> dict[int, str]:
    formats = {}
    for level in parent.iter(w_name("lvl")):
        ilvl = int_value(level.get(w_name("ilvl")))
        num_fmt = level.find(w_name("numFmt"))
        if num_fmt is None:  # Word 2010+ may keep it inside mc:AlternateContent
            num_fmt = level.find(f"{MC_ALTERNATECONTENT}/{MC_FALLBACK}/{w_name('numFmt')}")
        if ilvl is not None:
            formats[ilvl] = (num_fmt.get(W_VAL) if num_fmt is not None else None) or "decimal"
    return formats
