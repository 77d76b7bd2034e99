"""Validate TEI against Epistula's own RELAX NG profile (or any other RELAX NG schema).

``epistula.rng`` (packaged next to this module) describes exactly the TEI that
:mod:`ingest.tei.build` emits and is a strict subset of the official ``tei_all.rng``: every
document it accepts, tei_all accepts too. It compiles in milliseconds, so every document is
checked before it is written. Each schema is compiled once per process.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lxml import etree

from metadata.xml import safe_parser

#: the packaged profile's file name inside ``ingest.tei``
PROFILE = "epistula.rng"


def validate_tei(root: etree._Element, schema: Path | None = None) -> list[str]:
    """The validation errors of ``root``, each ``"where: message"``; empty when it is valid.

    ``where`` is the source line when ``root`` was parsed from a file, else the element's path
    (``TEI/text/body/div/closer``) for trees built in memory. ``schema`` is any RELAX NG file
    in XML syntax (e.g. a user's ``tei_all.rng``); by default the packaged Epistula profile.
    """
    relaxng = _profile() if schema is None else compile_schema(Path(schema).resolve())
    if relaxng.validate(root):
        return []
    return [f"{_where(root, error)}: {error.message}" for error in relaxng.error_log]


@functools.cache
def _profile() -> etree.RelaxNG:
    """The packaged profile, read through importlib.resources (works from wheels and zips)."""
    with resources.as_file(resources.files("ingest.tei").joinpath(PROFILE)) as path:
        return compile_schema(Path(path).resolve())


@functools.cache
def compile_schema(path: Path) -> etree.RelaxNG:
    """The compiled RELAX NG schema at ``path`` (tei_all takes seconds: compile it once)."""
    return etree.RelaxNG(etree.parse(str(path), safe_parser()))


def _where(root: etree._Element, error: etree._LogEntry) -> str:
    if error.line:
        return str(error.line)
    try:
        found = root.getroottree().xpath(error.path) if error.path else []
    except etree.XPathError:
        found = []
    if not found or not isinstance(found[0], etree._Element):
        return error.path or "?"
    return _readable_path(found[0])


def _readable_path(element: etree._Element) -> str:
    """``TEI/teiHeader/profileDesc/correspDesc/correspAction[2]``: local names, 1-based."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        step = name
        if parent is not None:
            same = [child for child in parent if child.tag == node.tag]
            if len(same) > 1:
                step = f"{name}[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/".join(reversed(steps))
