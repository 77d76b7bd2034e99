"""``csv``: one row per letter, Dublin Core columns, for Archivematica and Omeka S.

``metadata.csv`` starts with a ``filename`` column, then one ``dc.<element>`` column per
element of the Dublin Core crosswalk (``dc.title``, ``dc.creator``, …); an element with several
values (two senders, two types) holds them joined by ``|``. The file name is the letter's
original as the ``bagit`` export lays it out (``objects/<id>/<file>``), so the same
rows serve as Archivematica's ``metadata/metadata.csv`` (they sit in the bag at
``data/metadata/metadata.csv``), and Omeka S CSV Import maps the ``dc.*`` columns to Dublin
Core properties and splits repeated values on ``|``. A value that a spreadsheet would run as
a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
with a leading ``'`` (:mod:`metadata.csvsafe`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from archive.exports.common import ExportJob, ExportLetter, each_letter, safe_file_name
from metadata.csvsafe import neutralise_cell
from metadata.dublin_core import CROSSWALK

FILENAME = "metadata.csv"
SEPARATOR = "|"
FILE_COLUMN = "filename"
#: the files a letter's folder holds beside the original (see :mod:`archive.exports.bagit_export`)
LETTER_FILES = frozenset({"tei.xml", "dc.xml", "mets.xml"})
COLUMNS: tuple[str, ...] = (
    FILE_COLUMN,
    *dict.fromkeys(f"dc.{row.element}" for row in CROSSWALK),
)


def write(job: ExportJob) -> None:
    """``metadata.csv``: a header row, then one row per letter."""
    job.out.write(FILENAME, csv_bytes(each_letter(job, lambda letter, _n, _files: row(letter))))


def letter_path(letter: ExportLetter) -> str:
    """Where the letter's original sits in the bagit export's payload (and in a transfer)."""
    return f"objects/{letter.id}/{original_name(letter)}"


def original_name(letter: ExportLetter) -> str:
    """The original's name in its letter's folder: kept (made safe for packages), unless
    another file there has it."""
    name = safe_file_name(letter.original_name)
    return f"original-{name}" if name in LETTER_FILES else name


def row(letter: ExportLetter) -> dict[str, str]:
    """The letter's row: its original's path and its Dublin Core, repeated values joined."""
    values: dict[str, list[str]] = {}
    for element, value in letter.dublin_core:
        values.setdefault(f"dc.{element}", []).append(value.replace(SEPARATOR, "/"))
    cells = {column: SEPARATOR.join(v) for column, v in values.items()}
    return {FILE_COLUMN: letter_path(letter), **cells}


def csv_bytes(rows: Iterable[dict[str, str]]) -> bytes:
    """UTF-8 CSV (RFC 4180: CRLF line ends, quoted where needed) with the :data:`COLUMNS`;
    a cell a spreadsheet would run as a formula (``=HYPERLINK(…)``) starts with ``'``."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows({k: neutralise_cell(v) for k, v in row.items()} for row in rows)
    return text.getvalue().encode("utf-8")
