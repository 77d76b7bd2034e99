"""Scans: pages without a usable text layer (none, or text that cannot be decoded) found,
refused without ``--ocr``, or read with Tesseract into the pages layout takes."""

from __future__ import annotations

import itertools
import logging
import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest import ocr
from ingest.errors import (
    NoTextLayer,
    UnreadableSource,
)
from ingest.limits import Limits
from ingest.readers._common import find_urls as _find_urls
from ingest.readers.pdf.extraction import Line, Page, Run, clean_text

#: a token of this many letters or more with this many changes of case is not a word
_GARBLED_LENGTH = 6
_GARBLED_FLIPS = 3


def pages_needing_ocr(pdf: pdfium.PdfDocument, pages: list[Page]) -> list[int]:
    """Indexes of the pages whose text must come from OCR: pages without text that show an
    image (a blank page needs nothing), and pages whose text layer is garbled."""
    needing = []
    for index, page in enumerate(pages):
        visible = [line for line in page.lines if line.text.strip()]
        if (not visible and _has_images(pdf, index)) or (visible and _garbled(visible)):
            needing.append(index)
    return needing


def _has_images(pdf: pdfium.PdfDocument, index: int) -> bool:
    page = pdf[index]
    try:
        for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
            kind = pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, i))
            if kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
                return True
        return False
    finally:
        page.close()


def _garbled(lines: list[Line]) -> bool:
    """Whether a page's text is glyph codes rather than words: most of it stands in long
    tokens that change case again and again or mix digits into letters
    ("3HQČåQtSURVWĜHGN" from a font whose ToUnicode map is wrong)."""
    tokens = " ".join(line.text for line in lines).split()
    total = sum(map(len, tokens))
    # words are lower case, capitalised or upper case; only the rest are looked at closely
    suspects = [
        token
        for token in tokens
        if len(token) >= _GARBLED_LENGTH
        and not (token.islower() or token.isupper() or token.istitle())
    ]
    odd = sum(len(token) for token in suspects if _garbled_token(token))
    return total > 0 and odd >= 0.5 * total


def _garbled_token(token: str) -> bool:
    if _find_urls(token) or "@" in token:
        return False
    cased = [ch.isupper() for ch in token if ch.isalpha() and ch.lower() != ch.upper()]
    flips = sum(a != b for a, b in itertools.pairwise(cased))
    mixed = re.search(r"[^\W\d_]\d+[^\W\d_]|\d[^\W\d_]+\d", token)
    return flips >= _GARBLED_FLIPS or (mixed is not None and flips >= 1)


def refuse_unreadable(path: Path, pages: list[Page], unreadable: list[int]) -> None:
    """Without OCR, a file with scanned or garbled pages is refused, naming the pages."""
    if not unreadable:
        return
    garbled = [i for i in unreadable if any(line.text.strip() for line in pages[i].lines)]
    scanned = [i for i in unreadable if i not in garbled]
    if garbled:
        reason = (
            f"the text layer of {_page_list(garbled)} does not decode to readable characters "
            "(its fonts map glyphs to the wrong letters)"
        )
    elif len(scanned) == len(pages):
        reason = "no page has a text layer (it is a scan)"
    else:
        reason = f"{_page_list(scanned)} of {len(pages)} have no text layer (scanned images)"
    raise NoTextLayer(path, reason)


def _page_list(indexes: list[int]) -> str:
    numbers = [str(i + 1) for i in indexes]
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if len(numbers) > 6:
        return f"{len(numbers)} pages ({', '.join(numbers[:5])}…)"
    return f"pages {', '.join(numbers[:-1])} and {numbers[-1]}"


def ocr_page(path: Path, pdf: pdfium.PdfDocument, index: int, limits: Limits) -> Page:
    """Render page ``index`` as the reader sees it (rotation applied) and read it with
    Tesseract; the page's text layer, if any, is replaced."""
    ocr.check_available(path, limits.ocr_languages)
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = limits.ocr_dpi / 72.0
        if width * height * scale * scale > limits.max_image_pixels:
            scale = math.sqrt(limits.max_image_pixels / max(width * height, 1.0))
        try:
            image = page.render(scale=scale, grayscale=True).to_pil()
        except pdfium.PdfiumError:
            raise UnreadableSource(path, f"page {index + 1} cannot be rendered for OCR") from None
    finally:
        page.close()
    result = ocr.recognise(
        image, path=path, languages=limits.ocr_languages, dpi=scale * 72.0,
        deadline=limits.deadline,
    )  # fmt: skip
    return page_from_ocr(index + 1, result)


def page_from_ocr(number: int, result: ocr.OcrPage) -> Page:
    """A page of lines from OCR, in the reading frame the layout works in (y up the page).

    Every word is a run; a line's words share its baseline and size, so nothing on it reads
    as raised. Sizes near the page's usual one (0.7 to 1.5 times it) are snapped to it:
    Tesseract measures each line a little differently, and a heading must stand out to be one.
    """
    sizes = sorted(line.size for line in result.lines)
    usual = sizes[len(sizes) // 2] if sizes else 12.0
    lines: list[Line] = []
    for ocr_line in result.lines:
        size = usual if 0.7 * usual <= ocr_line.size <= 1.5 * usual else ocr_line.size
        base = result.height - ocr_line.baseline
        words = ocr_line.words
        runs = [
            Run(
                text=clean_text(word.text) + (" " if k + 1 < len(words) else ""),
                first=-1,
                x0=word.x0,
                x1=word.x1,
                base=base,
                size=size,
                bold=False,
                italic=False,
                link=None,
            )
            for k, word in enumerate(words)
        ]
        lines.append(Line(runs, first_word=words[0].x1 - words[0].x0))
    return Page(number, lines, 0.0, result.width, 0.0, result.height)


def ocr_properties(limits: Limits, indexes: list[int]) -> dict[str, str]:
    return {
        "ocr": ocr.engine(),
        "ocr_languages": limits.ocr_languages,
        "ocr_pages": " ".join(str(i + 1) for i in indexes),
    }


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """pypdf logs (and pypdfium2 warns) about every repair it makes on a damaged file; the
    reader reports what matters as an IngestError, so their chatter is held back."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    # the level, not ``disabled``: pypdf logs through child loggers ("pypdf._reader"), which
    # inherit the level but not the flag
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
