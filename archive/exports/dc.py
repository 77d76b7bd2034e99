"""``dc``: one ``oai_dc:dc`` record per letter (valid against ``oai_dc.xsd``) and an index.

Each record is the Dublin Core crosswalk of the letter's TEI (:mod:`metadata.oai_dc`), named
``<id>.xml``. ``index.csv`` lists one row per record: its file and its Dublin Core identifier,
title and date (a cell that would run as a formula in a spreadsheet starts with ``'``).
"""

from __future__ import annotations

import csv
import io

from archive.exports.common import ExportJob, ExportLetter, FileWriter, each_letter
from metadata.csvsafe import neutralise_row

INDEX = "index.csv"
INDEX_COLUMNS = ("file", "identifier", "title", "date")
#: the Dublin Core element each index column after ``file`` shows
INDEX_ELEMENTS = INDEX_COLUMNS[1:]


def write(job: ExportJob) -> None:
    """``<id>.xml`` per letter and ``index.csv``."""
    index = io.StringIO(newline="")
    rows = csv.writer(index, lineterminator="\r\n")
    rows.writerow(INDEX_COLUMNS)
    rows.writerows(neutralise_row(row) for row in each_letter(job, _record))
    job.out.write(INDEX, index.getvalue().encode("utf-8"))


def _record(letter: ExportLetter, _number: int, files: FileWriter) -> tuple[str, ...]:
    """Write the letter's record; its row of the index."""
    name = f"{letter.id}.xml"
    files.write(name, letter.dc_bytes)
    return (name, *(", ".join(letter.dc_values(e)) for e in INDEX_ELEMENTS))
