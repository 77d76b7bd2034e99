"""Optical character recognition with the Tesseract command-line program.

Tesseract is called as a subprocess (``tesseract stdin stdout -l LANGS hocr``): the page image
goes in on stdin as an uncompressed PNM, the hOCR result comes back on stdout. hOCR gives each
line's box, baseline and character size and each word's box, which the PDF layout engine
needs to rebuild paragraphs the same way it does for a born-digital page. Everything is
returned in points with y growing down the page, as in the image.

Debian/Ubuntu: ``apt-get install tesseract-ocr tesseract-ocr-eng`` (plus ``-deu``, ``-fra``,
``-fin``, ``-swe``… for other languages).
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ingest.errors import OcrUnavailable, TimeLimitExceeded, UnreadableSource

if TYPE_CHECKING:
    from PIL.Image import Image

TESSERACT = "tesseract"

#: ISO 639-1 (and a few ISO 639-2/B) codes to Tesseract's traineddata names
_TESSERACT_CODES = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "fi": "fin",
    "sv": "swe",
    "no": "nor",
    "nb": "nor",
    "nn": "nor",
    "da": "dan",
    "nl": "nld",
    "it": "ita",
    "es": "spa",
    "pt": "por",
    "pl": "pol",
    "cs": "ces",
    "cz": "ces",
    "sk": "slk",
    "sl": "slv",
    "hu": "hun",
    "et": "est",
    "lv": "lav",
    "lt": "lit",
    "ru": "rus",
    "uk": "ukr",
    "el": "ell",
    "la": "lat",
    "is": "isl",
    "ga": "gle",
    "cy": "cym",
    "ca": "cat",
    "ro": "ron",
    "hr": "hrv",
    "sr": "srp",
    "bg": "bul",
    "tr": "tur",
    "ar": "ara",
    "he": "heb",
    "zh": "chi_sim",
    "ja": "jpn",
    "ko": "kor",
    "ger": "deu",
    "fre": "fra",
    "swe": "swe",
    "dut": "nld",
    "cze": "ces",
    "gre": "ell",
}
_CODE = re.compile(r"^[a-z]{2,3}(?:_[a-z]+)?$")
_HOCR_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_HOCR_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_HOCR_SIZE = re.compile(r"x_size ([\d.]+)")
_HOCR_CONFIDENCE = re.compile(r"x_wconf (\d+)")
#: words Tesseract is less sure of than this (0–100) are noise: specks, logos, rules
MIN_CONFIDENCE = 20
_LINE_CLASSES = ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption")


@dataclass(frozen=True)
class OcrWord:
    """A recognised word and its box, in points from the image's top left corner."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class OcrLine:
    """A line of words; ``baseline`` (y, points) and ``size`` (character size, points)."""

    words: tuple[OcrWord, ...]
    baseline: float
    size: float

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class OcrPage:
    """One recognised page: its size in points and its lines in Tesseract's reading order."""

    width: float
    height: float
    lines: tuple[OcrLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def tesseract_languages(spec: str) -> str:
    """Tesseract's name for a language list: "en", "eng", "en+de" or "en,deu" → "eng+deu"."""
    codes: list[str] = []
    for part in re.split(r"[+,\s]+", spec.strip().lower()):
        if not part:
            continue
        code = _TESSERACT_CODES.get(part.split("-")[0], part)
        if not _CODE.match(code):
            raise ValueError(f"{part!r} is not a language code (use e.g. en, de, eng, deu)")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValueError("no OCR language given (use e.g. --lang en or --lang eng+deu)")
    return "+".join(codes)


@functools.cache
def engine() -> str:
    """ "Tesseract 5.3.0": the program and version that read the pages (for the TEI)."""
    program = _program(Path(TESSERACT))
    result = subprocess.run(
        [program, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    first = (result.stdout or result.stderr).strip().splitlines()
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", first[0]) if first else None
    return f"Tesseract {match.group(1)}" if match else "Tesseract"


@functools.cache
def installed_languages() -> frozenset[str]:
    """The language packs Tesseract can load here."""
    program = _program(Path(TESSERACT))
    result = subprocess.run(
        [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    lines = (result.stdout + "\n" + result.stderr).splitlines()
    return frozenset(line.strip() for line in lines if _CODE.match(line.strip()))


def check_available(path: Path, languages: str) -> None:
    """Raise :class:`OcrUnavailable` (naming the package to install) unless OCR can run."""
    _program(path)
    missing = [code for code in languages.split("+") if code not in installed_languages()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code.replace('_', '-')}" for code in missing)
        raise OcrUnavailable(
            path,
            f"Tesseract has no language pack for {', '.join(missing)}",
            f"install it (apt-get install {packages}) or choose another --lang",
        )


def recognise(
    image: Image, *, path: Path, languages: str, dpi: float, deadline: float | None = None
) -> OcrPage:
    """Read ``image`` (a page scanned or rendered at ``dpi``) with Tesseract.

    ``deadline`` (``time.monotonic()``) bounds the run; past it Tesseract is stopped and
    :class:`TimeLimitExceeded` raised. ``path`` is the file being ingested, for messages.
    """
    check_available(path, languages)
    timeout = None
    if deadline is not None:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise TimeLimitExceeded(path, "reading it took longer than its time limit")
    command = [
        _program(path),
        "stdin",
        "stdout",
        "-l",
        languages,
        "--dpi",
        str(round(dpi)),
        "hocr",
    ]
    # one thread per Tesseract: parallel ingest already keeps the cores busy
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(
            command,
            input=_pnm(image),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TimeLimitExceeded(
            path, "reading it took longer than its time limit (Tesseract was stopped)"
        ) from None
    except OSError as exc:
        raise OcrUnavailable(path, f"Tesseract could not be started ({exc.strerror})") from None
    if result.returncode != 0:
        message = _last_line(result.stderr)
        raise UnreadableSource(
            path,
            f"Tesseract could not read the page image ({message or f'exit {result.returncode}'})",
        )
    return parse_hocr(result.stdout, dpi)


def parse_hocr(data: bytes, dpi: float) -> OcrPage:
    """An :class:`OcrPage` from Tesseract's hOCR output (pixel units scaled to points)."""
    scale = 72.0 / dpi
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    root = etree.fromstring(data, parser) if data.strip() else None
    if root is None:
        return OcrPage(0.0, 0.0, ())
    width = height = 0.0
    lines: list[OcrLine] = []
    for element in root.iter("{*}div", "{*}span"):
        classes = (element.get("class") or "").split()
        title = element.get("title") or ""
        if "ocr_page" in classes:
            box = _bbox(title)
            if box:
                width, height = box[2] * scale, box[3] * scale
        elif any(name in classes for name in _LINE_CLASSES):
            line = _line(element, title, scale)
            if line is not None:
                lines.append(line)
    return OcrPage(width, height, tuple(lines))


def _line(element: etree._Element, title: str, scale: float) -> OcrLine | None:
    box = _bbox(title)
    if box is None:
        return None
    words: list[OcrWord] = []
    for word in element.iter("{*}span"):
        if "ocrx_word" not in (word.get("class") or "").split():
            continue
        text = " ".join("".join(word.itertext()).split())
        word_title = word.get("title") or ""
        word_box = _bbox(word_title)
        confidence = _HOCR_CONFIDENCE.search(word_title)
        if confidence and int(confidence.group(1)) < MIN_CONFIDENCE:
            continue
        if text and word_box:
            x0, top, x1, bottom = word_box
            words.append(OcrWord(text, x0 * scale, x1 * scale, top * scale, bottom * scale))
    if not words:
        return None
    baseline = _HOCR_BASELINE.search(title)
    offset = float(baseline.group(2)) if baseline else 0.0
    size = _HOCR_SIZE.search(title)
    height = box[3] - box[1]
    return OcrLine(
        words=tuple(words),
        baseline=(box[3] + offset) * scale,
        size=(float(size.group(1)) if size else height) * scale,
    )


def _bbox(title: str) -> tuple[int, int, int, int] | None:
    match = _HOCR_BBOX.search(title)
    return tuple(int(v) for v in match.groups()) if match else None  # type: ignore[return-value]


def _pnm(image: Image) -> bytes:
    """The image as uncompressed PNM bytes (grey, or black and white), which Tesseract reads
    from stdin without the cost of compressing it first."""
    if image.mode not in ("1", "L"):
        image = image.convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    return buffer.getvalue()


def _program(path: Path) -> str:
    found = shutil.which(TESSERACT)
    if found is None:
        raise OcrUnavailable(path, "OCR was asked for but Tesseract is not installed")
    return found


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else ""
