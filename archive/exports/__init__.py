"""Exports: the archive's letters in the forms repositories take in.

Every export is derived from the TEI in the archive, is built in a temporary sibling of the
target and renamed into place (a failure leaves nothing behind), and refuses a non-empty
target unless ``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError
from metadata.oai_dc import oai_dc
from metadata.xml import parse, serialise

if TYPE_CHECKING:
    from archive.api import Archive

FORMATS = ("tei", "dc")


class ExportTargetNotEmpty(ArchiveError):
    code = "target-not-empty"
    remedy = "choose an empty or new directory, or pass --force to replace its contents"


def export(archive: Archive, fmt: str, target: Path, *, force: bool = False) -> list[Path]:
    """Write one file per letter (``tei``: the TEI; ``dc``: its oai_dc record)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise ExportTargetNotEmpty(str(target), "already exists and is not empty")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for object_id in archive.ids():
            data = archive.tei_bytes(object_id)
            if fmt == "dc":
                data = serialise(oai_dc(parse(data)))
            (staging / f"{object_id}.xml").write_bytes(data)
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(target.iterdir())
