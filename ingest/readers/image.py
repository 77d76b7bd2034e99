"""Image reader: a scanned or photographed letter (TIFF, PNG, JPEG), read by OCR.

An image has no text layer, so it is read only when OCR is asked for (``--ocr``); without it
the file is refused with a message that says so. Each frame of a multi-page TIFF is a page.
Tesseract's lines go through the same layout engine as a PDF's (:mod:`ingest.readers.pdf`),
so paragraphs, hyphenated line ends and running heads are handled alike. Pixel counts are
checked before anything is decoded (a small file can declare a huge image).
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import ocr
from ingest.errors import LimitExceeded, NoTextLayer, UnreadableSource
from ingest.limits import Limits
from ingest.model import Document
from ingest.readers._common import check_deadline, normalise, source_facts
from ingest.readers.pdf.extraction import Page
from ingest.readers.pdf.layout import blocks_from_pages
from ingest.readers.pdf.scans import page_from_ocr

if TYPE_CHECKING:
    from PIL import Image

MEDIA_TYPE = "image/tiff, image/png, image/jpeg"

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
#: the resolution assumed when the file states none (or an implausible one)
DEFAULT_DPI = 300.0
_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?")
#: TIFF/EXIF tags worth keeping as metadata candidates
_TAGS = {270: "title", 315: "author", 306: "created"}


def sniff(head: bytes, path: Path) -> bool:
    """A PNG, JPEG or TIFF file, by its signature."""
    return _media_type(head) is not None


def _media_type(head: bytes) -> str | None:
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def read(path: Path, limits: Limits) -> Document:
    """OCR every page of the image into a :class:`Document` (only with ``limits.ocr``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(path, f"the file cannot be read ({exc.strerror})") from None
    media_type = _media_type(data[:16]) or "image/tiff"
    kind = media_type.split("/")[1].upper()
    if not limits.ocr:
        raise NoTextLayer(path, f"it is a {kind} image, whose text only OCR can read")
    ocr.check_available(path, limits.ocr_languages)
    # Pillow only once an image is read: most runs read none, and every run would import it
    from PIL import Image, ImageSequence, UnidentifiedImageError

    pages: list[Page] = []
    properties: dict[str, str] = {}
    with warnings.catch_warnings():
        # the pixel limit below is ours; Pillow's own warning would only repeat it
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            properties = _properties(image)
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise LimitExceeded(
                    path, f"the image has {frames:,} pages, over the limit of {limits.max_pages:,}"
                )
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                check_deadline(path, limits)
                pages.append(_page(path, number, frame, limits))
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise UnreadableSource(path, f"the {kind} image cannot be decoded ({exc})") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            reason = str(exc) or type(exc).__name__
            raise UnreadableSource(
                path, f"the {kind} image is damaged and cannot be decoded ({reason})"
            ) from None
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise NoTextLayer(
            path,
            "OCR found no text in the image",
            "check the scan is legible (300 dpi or more) and --lang names its language",
        )
    blocks, notes = blocks_from_pages(pages)
    properties.update(
        {
            "ocr": ocr.engine(),
            "ocr_languages": limits.ocr_languages,
            "ocr_pages": " ".join(str(page.number) for page in pages),
        }
    )
    return Document(
        source=source_facts(path, media_type, data, pages=len(pages)),
        blocks=tuple(blocks),
        notes=notes,
        properties=properties,
    )


def _page(path: Path, number: int, frame: Image.Image, limits: Limits) -> Page:
    width, height = frame.size
    if width * height > limits.max_image_pixels:
        raise LimitExceeded(
            path,
            f"page {number} is {width:,} × {height:,} pixels, over the limit of "
            f"{limits.max_image_pixels:,} pixels",
        )
    from PIL import ImageOps  # loaded already by read(), as Pillow is

    dpi = _dpi(frame)
    upright = ImageOps.exif_transpose(frame)  # a photo taken sideways is read upright
    if upright.mode not in ("1", "L"):
        upright = upright.convert("L")
    result = ocr.recognise(
        upright, path=path, languages=limits.ocr_languages, dpi=dpi, deadline=limits.deadline
    )
    return page_from_ocr(number, result)


def _dpi(image: Image.Image) -> float:
    value = image.info.get("dpi")
    try:
        dpi = float(value[0]) if value else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    return dpi if 70 <= dpi <= 2400 else DEFAULT_DPI


def _properties(image: Image.Image) -> dict[str, str]:
    """Title, author and date from the TIFF tags or EXIF data, when the scanner wrote them."""
    try:
        tags = dict(image.getexif())
    except MemoryError:  # out of its budget: fail the file, never lose text
        raise
    except Exception:  # a damaged EXIF block costs the metadata, not the letter
        return {}
    properties: dict[str, str] = {}
    for tag, key in _TAGS.items():
        value = tags.get(tag)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str):
            continue
        value = normalise(value).strip().strip("\x00")
        if key == "created":
            match = _EXIF_DATE.match(value)
            if not match:
                continue
            year, month, day, hour, minute, second = match.groups()
            value = f"{year}-{month}-{day}" + (f"T{hour}:{minute}:{second}" if hour else "")
        if value:
            properties[key] = value
    return properties
