"""``tei``: one TEI file per letter, named by its id, exactly as the archive holds it."""

from __future__ import annotations

from archive.exports.common import ExportJob, ExportLetter, FileWriter, each_letter


def write(job: ExportJob) -> None:
    """``<id>.xml`` for every letter: the TEI in the archive, byte for byte."""
    for _ in each_letter(job, _copy):
        pass


def _copy(letter: ExportLetter, _number: int, files: FileWriter) -> None:
    files.write(f"{letter.id}.xml", letter.tei_bytes)
