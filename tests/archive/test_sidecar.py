"""Sidecar files and CSV manifests: what the user supplies beside the letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.services.sidecar import (
    BadMetadataFile,
    is_sidecar,
    load_manifest,
    load_sidecar,
    manifest_row,
    sidecar_for,
)


def test_json_and_yaml_sidecars(tmp_path):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4")
    (tmp_path / "letter.pdf.yaml").write_text(
        "date: 1890-05-01\nsenders:\n  - Ada Hart\n  - Tom Hart\nplace_sent: Leeds\n"
    )
    sidecar = sidecar_for(letter)
    assert sidecar == tmp_path / "letter.pdf.yaml" and is_sidecar(sidecar)
    assert load_sidecar(sidecar) == {
        "date": "1890-05-01", "senders": ["Ada Hart", "Tom Hart"], "place_sent": "Leeds",
    }  # fmt: skip
    (tmp_path / "other.txt.json").write_text('{"recipients": "Erik Lund|Karin Lund"}')
    assert load_sidecar(tmp_path / "other.txt.json") == {"recipients": "Erik Lund|Karin Lund"}
    assert not is_sidecar(tmp_path / "other.txt.json")  # no other.txt beside it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"colour": "red"}', "unknown field 'colour'"),
        ('["a", "b"]', "must hold one object"),
        ('{"date": ', "cannot be read"),
    ],
)
def test_bad_sidecars_name_the_file_and_the_fault(tmp_path, content, message):
    path = tmp_path / "letter.txt.json"
    path.write_text(content)
    with pytest.raises(BadMetadataFile) as caught:
        load_sidecar(path)
    assert str(caught.value).startswith("letter.txt.json: ") and message in str(caught.value)


def test_manifest_rows_match_files_by_path_or_name(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,date,senders,place_sent\n"
        "letters/a.txt,1901-02-03,Ada Hart|Tom Hart,\n"
        "b.docx,,,Bergen\n",
        encoding="utf-8",
    )
    rows = load_manifest(manifest)
    assert rows == {
        "letters/a.txt": {"date": "1901-02-03", "senders": "Ada Hart|Tom Hart"},
        "b.docx": {"place_sent": "Bergen"},
    }
    assert manifest_row(rows, tmp_path, tmp_path / "letters" / "a.txt")["date"] == "1901-02-03"
    assert manifest_row(rows, tmp_path, Path("/elsewhere/b.docx")) == {"place_sent": "Bergen"}
    assert manifest_row(rows, tmp_path, tmp_path / "c.pdf") == {}


def test_manifest_without_file_column_or_with_bad_field(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("name,date\na.txt,1901\n")
    with pytest.raises(BadMetadataFile, match="no 'file' column"):
        load_manifest(manifest)
    manifest.write_text("file,weather\na.txt,rainy\n")
    with pytest.raises(BadMetadataFile, match="row 2: unknown field 'weather'"):
        load_manifest(manifest)
