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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("senders: &a [Ada Hart]\nrecipients: *a\n", None),  # an alias or two is fine
        ("x: &x [a]\n" + "".join(f"k{n}: *x\n" for n in range(101)), "more than 100 aliases"),
        ("title: " + "[" * 9 + "]" * 9 + "\n", "nested more than 8 levels"),
        ("senders:\n" + "".join(f" - name {n}\n" for n in range(3000)), "more than 2500 values"),
        ("senders:\n  - [Ada, Tom]\n", "must be a text or a list of texts"),
        ("title: {first: A}\n", "must be a text or a list of texts"),
    ],
)
def test_yaml_sidecars_are_read_with_aliases_depth_and_size_bounded(tmp_path, content, message):
    path = tmp_path / "letter.txt.yaml"
    path.write_text(content)
    if message is None:
        assert load_sidecar(path) == {"senders": ["Ada Hart"], "recipients": ["Ada Hart"]}
        return
    with pytest.raises(BadMetadataFile, match=message):
        load_sidecar(path)


def test_a_sidecar_is_refused_unread_past_its_size_limit(tmp_path):
    path = tmp_path / "letter.txt.json"
    path.write_bytes(b'{"title": "' + b"t" * (256 * 1024) + b'"}')
    with pytest.raises(BadMetadataFile, match="larger than 256 KiB"):
        load_sidecar(path)


def test_manifest_rows_with_extra_cells_or_bad_values_are_refused(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,date\na.txt,1901-02-03,surplus\n")
    with pytest.raises(BadMetadataFile, match="row 2 has more cells than the header"):
        load_manifest(manifest)
    manifest.write_text("file,date\na.txt,1901-02-29\n")
    with pytest.raises(BadMetadataFile, match="row 2: date='1901-02-29' cannot be used: no such"):
        load_manifest(manifest)
    manifest.write_text("file,title\na.txt,bell\x07\n")
    with pytest.raises(BadMetadataFile, match="control or invalid character"):
        load_manifest(manifest)
