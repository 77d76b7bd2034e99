"""TEI reader: an XML file whose root is ``<TEI>`` in the TEI namespace.

Epistula's own ``tei`` export is the main source of such files, so a TEI file is not run
through letter-part recognition: :func:`ingest.pipeline.letter_from_file` asks :func:`parse`
for the tree and hands it to :func:`ingest.tei.parse.letter_from_tei`, which reads the parts
and metadata the TEI already marks up. :func:`read` gives the plain :class:`Document` view
(one paragraph per text block) that every reader offers.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from lxml import etree

from ingest.errors import LimitExceeded, NotALetter, UnreadableSource, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import AnyBlock, Document, PageBreak, Paragraph, Span
from ingest.readers._common import normalise, source_facts
from metadata.xml import TEI_NS, safe_parser, tei

MEDIA_TYPE = "application/tei+xml"

_ROOTS = frozenset({tei("TEI"), tei("teiCorpus")})
#: elements whose text is one paragraph of the plain view
_BLOCKS = frozenset(
    tei(name)
    for name in (
        "fw", "dateline", "address", "head", "salute", "p", "item", "cell", "signed", "trailer",
        "ab", "l",
    )
)  # fmt: skip


def sniff(head: bytes, path: Path) -> bool:
    """True when the XML in ``head`` starts with TEI's ``<TEI>`` (or ``<teiCorpus>``)."""
    if b"<" not in head or TEI_NS.encode() not in head:
        return False
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    # the head may end mid-tag; the root's start event is all that is needed
    with contextlib.suppress(etree.XMLSyntaxError):
        parser.feed(head)
    for _event, element in parser.read_events():
        return element.tag in _ROOTS
    return False


def parse(path: Path, limits: Limits) -> etree._Element:
    """The ``<TEI>`` root of ``path``, read with the safe parser."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            path, f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}"
        )
    try:
        root = etree.parse(str(path), safe_parser()).getroot()
    except OSError as exc:
        raise UnreadableSource(path, f"the file could not be read ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        raise UnreadableSource(path, f"the TEI is not well-formed XML ({exc})") from exc
    if root.tag == tei("teiCorpus"):
        raise UnsupportedFormat(
            path,
            "a teiCorpus holds many letters and Epistula ingests one letter per file",
            "ingest the letters as single TEI files (epistula export --format tei)",
        )
    if root.tag != tei("TEI"):
        raise UnsupportedFormat(path, f"the XML's root is {root.tag}, not TEI's <TEI>")
    _refuse_metadata_only(root, path)
    return root


def _refuse_metadata_only(root: etree._Element, path: Path) -> None:
    """A CMIF file (correspSearch's interchange format) is TEI whose header describes many
    letters by their ``correspDesc`` and whose body is empty: it describes letters, it is
    not one."""
    described = root.findall(f"{tei('teiHeader')}/{tei('profileDesc')}/{tei('correspDesc')}")
    body = root.find(f"{tei('text')}/{tei('body')}")
    words = "".join(body.itertext()).strip() if body is not None else ""
    if len(described) > 1 or (described and not words):
        count = f"{len(described)} letters" if len(described) > 1 else "a letter"
        raise NotALetter(
            path,
            f"it is correspondence metadata (CMIF: the correspDesc of {count}), "
            "without the text of a letter",
            "ingest the letters' own files; use CMIF to look letters up, not to archive them",
        )


def read(path: Path, limits: Limits) -> Document:
    """The plain view of a TEI file: one paragraph per text block of its body, in order."""
    root = parse(path, limits)
    blocks: list[AnyBlock] = []
    body = root.find(f"{tei('text')}/{tei('body')}")
    if body is not None:
        for element in body.iter(tei("pb"), *_BLOCKS):
            if element.tag == tei("pb"):
                if (element.get("n") or "").isdigit():
                    blocks.append(PageBreak(int(element.get("n", "0"))))
            elif not any(a.tag in _BLOCKS for a in element.iterancestors()):
                text = normalise(" ".join("".join(element.itertext()).split()))
                if text:
                    blocks.append(Paragraph((Span(text),)))
    return Document(source=source_facts(path, MEDIA_TYPE, path.read_bytes()), blocks=tuple(blocks))
