"""``tei``: one TEI file per letter, named by its id, exactly as the archive holds it."""

from __future__ import annotations

from archive.exports.common import ExportJob


def write(job: ExportJob) -> None:
    """``<id>.xml`` for every letter: the TEI in the archive, byte for byte."""
    for letter in job.letters:
        job.out.write(f"{letter.id}.xml", letter.tei_bytes)
