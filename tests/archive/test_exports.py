"""Exports as the receiving systems see them: each package checked with the validator they use.

The archive holds the project's sample letters and real Beethoven letters from the shared
corpus. Every format is exported once (with a pinned date) and checked: TEI and teiCorpus
against tei_all, Dublin Core against oai_dc.xsd, CMIF against cmi-customization.rng and the
five CMIF rules, the bag with bagit's full validation (and a tampered copy rejected), METS
against mets.xsd, SAF's structure, and the CSV with Python's csv reader.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from lxml import etree

from archive.api import Archive
from archive.cli import cli
from archive.exports import (
    FORMATS,
    MARKER,
    ExportError,
    ExportTargetNotADirectory,
    UnknownFormat,
    UnsuitableLicence,
)
from archive.exports import common as export_common
from archive.exports.cmif import cmif_problems
from archive.exports.mets import METS_NS, XLINK_NS, PackagedFile, build_mets, mets_for
from archive.letters.objects import LetterStore
from archive.letters.settings import Settings, write_settings
from metadata.xml import NS, TEI_NS, safe_parser, serialise, xml_attr
from tests.support import SAMPLES, run_cli, shared_path

DATE = "2024-05-01"
MOMENT = datetime(2024, 5, 1, tzinfo=UTC)
DC_ELEMENTS = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Sample letters (txt, DOCX, PDF) and the real Beethoven letters of the shared corpus."""
    beethoven = sorted(shared_path("corpus/real-letters/txt").glob("beethoven_*.txt"))
    assert len(beethoven) == 8
    archive = Archive(tmp_path_factory.mktemp("exports") / "archive")
    report = archive.ingest([SAMPLES / "letters", *beethoven])
    assert report.count("failed") == 0, report.to_json()
    return archive


@pytest.fixture(scope="module")
def exported(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format exported once, dated 2024-05-01."""
    root = tmp_path_factory.mktemp("out")
    for fmt in FORMATS:
        result = archive.export(fmt, root / fmt, date=MOMENT)
        assert result.letters == archive.ids()
    return {fmt: root / fmt for fmt in FORMATS}


def xml(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), safe_parser())


def listing(folder: Path) -> list[Path]:
    """What an export put in ``folder``, sorted, without the marker that lists it."""
    return sorted(p for p in folder.iterdir() if p.name != MARKER)


def invoke(archive: Archive, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--archive", str(archive.path), *args])
    return result.exit_code, result.stdout, result.stderr


# -- tei and teicorpus ---------------------------------------------------------------------------


def test_tei_is_one_valid_file_per_letter_named_by_id(archive, exported, tei_all):
    files = listing(exported["tei"])
    assert [f.name for f in files] == [f"{i}.xml" for i in archive.ids()]
    for file in files:
        assert tei_all.validate(xml(file)), (file.name, tei_all.error_log.last_error)
        assert file.read_bytes() == archive.tei_bytes(file.stem)


def test_teicorpus_holds_every_letter_under_a_corpus_header(archive, exported, tei_all):
    (file,) = listing(exported["teicorpus"])
    corpus = xml(file)
    assert tei_all.validate(corpus), tei_all.error_log.last_error
    root = corpus.getroot()
    assert root.tag == f"{{{TEI_NS}}}teiCorpus"
    letters = root.findall("tei:TEI", NS)
    assert [t.get(xml_attr("id")) for t in letters] == archive.ids()
    header = root.find("tei:teiHeader/tei:fileDesc", NS)
    assert header.find("tei:extent/tei:measure", NS).get("quantity") == str(len(letters))
    assert header.findtext("tei:titleStmt/tei:title", namespaces=NS) == "Epistula archive: letters"
    publication = header.find("tei:publicationStmt", NS)
    assert publication.findtext("tei:publisher", namespaces=NS) == "Epistula archive"
    assert publication.find("tei:date", NS).get("when") == DATE
    assert "creativecommons.org" in publication.find(".//tei:licence", NS).get("target")


# -- dc ------------------------------------------------------------------------------------------


def test_dc_records_are_valid_oai_dc_with_an_index(archive, exported, oai_dc_schema):
    out = exported["dc"]
    records = sorted(out.glob("L-*.xml"))
    assert [r.stem for r in records] == archive.ids()
    for record in records:
        assert oai_dc_schema.validate(xml(record)), (record, oai_dc_schema.error_log.last_error)
        # derived from the TEI, so equal to the record the archive keeps beside it
        assert record.read_bytes() == archive.dc_bytes(record.stem)
    with (out / "index.csv").open(encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    assert [row["file"] for row in index] == [r.name for r in records]
    lindqvist = next(row for row in index if row["identifier"].endswith("0700e4e6"))
    assert lindqvist["title"] == "Protection of the Västerbotten wetlands"
    assert lindqvist["date"] == "2021-03-04"


# -- cmif ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmif_schema() -> etree.RelaxNG:
    path = shared_path("corpus/schema/cmi-customization.rng")
    return etree.RelaxNG(etree.parse(str(path), safe_parser()))


def test_cmif_is_valid_and_passes_the_five_cmif_rules(archive, exported, cmif_schema):
    (file,) = listing(exported["cmif"])
    document = xml(file)
    assert cmif_schema.validate(document), cmif_schema.error_log.last_error
    root = document.getroot()
    assert cmif_problems(root) == []
    descs = root.findall(".//tei:correspDesc", NS)
    assert [d.get("key") for d in descs] == archive.ids()
    publication = root.find(".//tei:publicationStmt", NS)
    assert publication.find("tei:date", NS).get("when") == f"{DATE}T00:00:00Z"
    assert publication.find("tei:idno", NS).get("type") == "url"
    assert "creativecommons.org/licenses/by/4.0" in publication.find(".//tei:licence", NS).get(
        "target"
    )
    for action in root.iterfind(".//tei:correspAction", NS):
        assert {etree.QName(c).localname for c in action} <= {
            "persName", "orgName", "placeName", "date",
        }  # fmt: skip
    for date in root.iterfind(".//tei:correspAction/tei:date", NS):
        assert date.get("cert") is None
        for value in (date.get(a) for a in ("when", "notBefore", "notAfter")):
            assert value is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value)


def test_cmif_names_the_correspondents_or_says_unknown(exported):
    root = xml(listing(exported["cmif"])[0]).getroot()
    descs = {d.get("key"): d for d in root.iterfind(".//tei:correspDesc", NS)}
    moreau = next(d for key, d in descs.items() if key.endswith("0700e4e6"))
    sent = moreau.find("tei:correspAction[@type='sent']", NS)
    assert [p.text for p in sent.findall("tei:persName", NS)] == ["Élodie Moreau", "Jukka Järvinen"]
    assert sent.find("tei:date", NS).get("when") == "2021-03-04"
    rudolph = next(d for key, d in descs.items() if "rudolph" in key)
    sent = rudolph.find("tei:correspAction[@type='sent']", NS)
    assert sent.findtext("tei:persName", namespaces=NS) == "Unknown"
    assert sent.findtext("tei:placeName", namespaces=NS) == "Nussdorf"


def _break_received(root: etree._Element) -> None:
    desc = root.find(".//tei:correspDesc", NS)
    desc.remove(desc.find("tei:correspAction[@type='received']", NS))


def _break_sent(root: etree._Element) -> None:
    desc = root.find(".//tei:correspDesc", NS)
    desc.remove(desc.find("tei:correspAction[@type='sent']", NS))


def _break_source(root: etree._Element) -> None:
    root.find(".//tei:correspDesc", NS).set("source", "#nowhere")


def _break_date(root: etree._Element) -> None:
    date = root.find(".//tei:correspAction/tei:date", NS)
    for name in list(date.attrib):
        del date.attrib[name]


def _break_uuid(root: etree._Element) -> None:
    root.find(".//tei:sourceDesc/tei:bibl", NS).set(xml_attr("id"), "archive")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_sent, "no correspAction of type 'sent'"),
        (_break_received, "no correspAction of type 'received'"),
        (_break_source, "does not point at a sourceDesc/bibl"),
        (_break_date, "a date without @when"),
        (_break_uuid, "is not a UUID"),
    ],
)
def test_each_cmif_rule_catches_its_breakage(exported, breakage, message):
    root = copy.deepcopy(xml(listing(exported["cmif"])[0]).getroot())
    breakage(root)
    problems = cmif_problems(root)
    assert problems and any(message in p for p in problems), problems


def test_cmif_refuses_a_licence_correspsearch_does_not_take(archive, tmp_path):
    other = tmp_path / "archive"
    shutil.copytree(archive.path, other)
    write_settings(other, Settings(licence="All rights reserved", licence_url="https://x.org/"))
    with pytest.raises(UnsuitableLicence, match=r"CC BY 4\.0 or CC0"):
        Archive(other).export("cmif", tmp_path / "cmif")
    assert not (tmp_path / "cmif").exists()


# -- bagit and METS ------------------------------------------------------------------------------


def test_bag_is_bagit_1_0_and_passes_full_validation(archive, exported):
    out = exported["bagit"]
    bag = bagit.Bag(str(out))
    assert bag.validate()  # every file against both manifests and the tag manifests
    assert (out / "bagit.txt").read_text() == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    assert bag.version_info == (1, 0)
    assert [p.name for p in listing(out) if p.is_file()] == [
        "bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt",
        "tagmanifest-sha256.txt", "tagmanifest-sha512.txt",
    ]  # fmt: skip
    assert {"Source-Organization", "Bagging-Date", "Payload-Oxum", "External-Identifier",
            "Bag-Size"} <= set(bag.info)  # fmt: skip
    assert bag.info["Bagging-Date"] == DATE
    assert bag.info["Source-Organization"] == "Epistula archive"
    tagged = (out / "tagmanifest-sha512.txt").read_text().split()
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"} <= set(
        tagged
    )
    for object_id in archive.ids():
        folder = out / "data" / "objects" / object_id
        original = archive.original_path(object_id)
        assert (folder / original.name).read_bytes() == original.read_bytes()
        assert (folder / "tei.xml").read_bytes() == archive.tei_bytes(object_id)
        assert (folder / "dc.xml").read_bytes() == archive.dc_bytes(object_id)
    assert (out / "data" / "metadata" / "metadata.csv").is_file()


@pytest.mark.parametrize("target", ["data/objects/*/tei.xml", "bag-info.txt"])
def test_a_tampered_copy_of_the_bag_is_rejected(exported, tmp_path, target):
    copy_path = tmp_path / "bag"
    shutil.copytree(exported["bagit"], copy_path)
    victim = sorted(copy_path.glob(target))[0]
    victim.write_bytes(victim.read_bytes().replace(b"a", b"o", 1))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(copy_path)).validate()


def test_a_bag_missing_a_file_is_rejected(exported, tmp_path):
    copy_path = tmp_path / "bag"
    shutil.copytree(exported["bagit"], copy_path)
    sorted(copy_path.glob("data/objects/*/dc.xml"))[0].unlink()
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(copy_path)).validate()


def test_a_bag_of_originals_with_awkward_names_passes_full_validation(tmp_path):
    # RFC 8493 would percent-encode '%' and bagit.py would not decode it: the bag renames it
    letter = (SAMPLES / "letters").glob("*.txt").__next__().read_bytes()
    source = tmp_path / "in"
    source.mkdir()
    (source / "100% brev från Åbo.txt").write_bytes(letter)
    archive = Archive(tmp_path / "archive")
    assert archive.ingest([source]).count("added") == 1
    archive.export("bagit", tmp_path / "bag", date=MOMENT)
    bag = bagit.Bag(str(tmp_path / "bag"))
    assert bag.validate()
    (folder,) = (tmp_path / "bag" / "data" / "objects").iterdir()
    assert (folder / "100_ brev från Åbo.txt").read_bytes() == letter


def test_each_letter_has_mets_valid_against_mets_xsd(archive, exported):
    schema = etree.XMLSchema(etree.parse(str(shared_path("corpus/schema/mets.xsd"))))
    for object_id in archive.ids():
        folder = exported["bagit"] / "data" / "objects" / object_id
        mets = xml(folder / "mets.xml")
        assert schema.validate(mets), (object_id, schema.error_log.last_error)
        root = mets.getroot()
        assert root.get("OBJID") == object_id
        files = root.findall(f".//{{{METS_NS}}}file")
        assert {f.get("ID") for f in files} == {"file-original", "file-tei", "file-dc"}
        for entry in files:
            href = entry.find(f"{{{METS_NS}}}FLocat").get(f"{{{XLINK_NS}}}href")
            data = (folder / href).read_bytes()
            assert entry.get("CHECKSUM") == hashlib.sha256(data).hexdigest()
            assert entry.get("SIZE") == str(len(data))
        wrapped = root.find(f".//{{{METS_NS}}}xmlData/*")
        assert etree.QName(wrapped).localname == "dc"


# -- saf -----------------------------------------------------------------------------------------


def _check_saf_items(items: dict[str, dict[str, bytes]], count: int) -> None:
    """Each item: contents lists files that exist; dublin_core.xml names only DC elements."""
    assert sorted(items) == [f"item_{n:03d}" for n in range(1, count + 1)]
    for name, files in items.items():
        lines = files["contents"].decode("utf-8").splitlines()
        assert len(lines) == 2, name
        for line in lines:
            filename, *fields = line.split("\t")
            assert filename in files, (name, filename)
            assert "bundle:ORIGINAL" in fields
        dc = etree.fromstring(files["dublin_core.xml"], safe_parser())
        assert dc.tag == "dublin_core" and dc.get("schema") == "dc"
        assert {v.get("element") for v in dc} <= DC_ELEMENTS
        assert all(v.get("qualifier") and v.text for v in dc)


def test_saf_items_list_existing_files_and_only_dublin_core(archive, exported):
    out = exported["saf"]
    items = {item.name: {f.name: f.read_bytes() for f in item.iterdir()} for item in listing(out)}
    _check_saf_items(items, len(archive.ids()))
    first = items["item_001"]
    assert first[f"{archive.ids()[0]}.xml"] == archive.tei_bytes(archive.ids()[0])


def test_saf_zip_holds_the_same_items_with_collections(archive, tmp_path):
    code, _out, err = invoke(
        archive, "export", "--format", "saf", "--zip", "--collection", "123456789/2",
        "--date", DATE, str(tmp_path / "saf"),
    )  # fmt: skip
    assert code == 0, err
    assert [p.name for p in listing(tmp_path / "saf")] == ["saf.zip"]
    items: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(tmp_path / "saf" / "saf.zip") as zipped:
        assert zipped.testzip() is None
        for name in zipped.namelist():
            item, filename = name.split("/")
            items.setdefault(item, {})[filename] = zipped.read(name)
    assert all(files.pop("collections") == b"123456789/2\n" for files in items.values())
    _check_saf_items(items, len(archive.ids()))


# -- csv -----------------------------------------------------------------------------------------


def test_csv_has_one_row_per_letter_with_dc_columns(archive, exported):
    text = (exported["csv"] / "metadata.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(archive.ids())
    header = next(csv.reader(io.StringIO(text)))
    assert header[0] == "filename" and all(h.startswith("dc.") for h in header[1:])
    assert {"dc.title", "dc.creator", "dc.date", "dc.identifier"} <= set(header)
    assert [row["dc.identifier"] for row in rows] == archive.ids()
    moreau = next(row for row in rows if row["dc.identifier"].endswith("0700e4e6"))
    assert moreau["dc.creator"].split("|")[:2] == ["Élodie Moreau", "Jukka Järvinen"]
    assert moreau["dc.type"] == "Text|Letter"
    # the file column is where the bag holds the original: Archivematica's metadata.csv
    payload = exported["bagit"] / "data"
    assert all((payload / row["filename"]).is_file() for row in rows)
    in_bag = (payload / "metadata" / "metadata.csv").read_text(encoding="utf-8")
    assert in_bag == text


# -- what every export promises -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_same_archive_gives_byte_identical_exports(archive, exported, tmp_path, fmt):
    again = tmp_path / fmt
    archive.export(fmt, again, date=MOMENT)
    first = {p.relative_to(exported[fmt]): p.read_bytes() for p in exported[fmt].rglob("*")
             if p.is_file()}  # fmt: skip
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


def test_cli_json_lists_what_was_written_and_a_summary_goes_to_stderr(archive, tmp_path):
    target = tmp_path / "out"
    code, out, err = invoke(archive, "export", "--format", "dc", str(target), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["format"] == "dc" and report["directory"] == str(target)
    assert report["letters"] == archive.ids()
    assert sorted(report["files"]) == [str(p) for p in listing(target)]
    assert report["marker"] == str(target / MARKER)
    assert len(report["files"]) == len(archive.ids()) + 1  # and index.csv
    count = len(archive.ids())
    assert err == f"Exported {count} letters as dc to {target} ({count + 1} files)\n"


def test_export_refuses_a_non_empty_directory_unless_forced(archive, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, out, err = invoke(archive, "export", "--format", "tei", str(target))
    assert code == 1 and out == ""
    assert "not empty" in err and "--force" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    code, _out, _err = invoke(archive, "export", "--format", "tei", "--force", str(target))
    assert code == 0
    # --force replaces what an export wrote, and nothing else
    assert sorted(p.stem for p in listing(target)) == sorted([*archive.ids(), "notes"])
    assert (target / "notes.txt").read_text() == "mine"


def test_a_failed_export_leaves_the_target_as_it_was(archive, tmp_path):
    other = tmp_path / "archive"
    shutil.copytree(archive.path, other)
    write_settings(other, Settings(licence="All rights reserved", licence_url="https://x.org/"))
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.xml").write_text("old")
    result = run_cli(other, "export", "--format", "cmif", "--force", str(target))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the archive's licence 'All rights reserved'")
    assert [p.name for p in target.iterdir()] == ["old.xml"]
    result = run_cli(other, "export", "--format", "cmif", str(tmp_path / "new"))
    assert result.returncode == 1 and not (tmp_path / "new").exists()


def _package(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def in_workers(monkeypatch):
    """Exports of any size prepare their letters in worker processes (as large ones do)."""
    monkeypatch.setattr(export_common, "PARALLEL_FROM", 1)


def test_letters_prepared_in_worker_processes_make_the_same_packages(
    archive, exported, tmp_path, in_workers
):
    for fmt in FORMATS:
        result = archive.export(fmt, tmp_path / fmt, date=MOMENT)
        assert result.letters == archive.ids()
        assert _package(tmp_path / fmt) == _package(exported[fmt]), fmt
    assert bagit.Bag(str(tmp_path / "bagit")).validate()


@pytest.mark.parametrize("in_worker_processes", [False, True])
def test_every_export_lists_exactly_the_files_it_wrote(
    archive, tmp_path, monkeypatch, in_worker_processes
):
    # the list (the --json "files") is kept as files are written, not read back at the end
    if in_worker_processes:
        monkeypatch.setattr(export_common, "PARALLEL_FROM", 1)
    for fmt in FORMATS:
        result = archive.export(fmt, tmp_path / fmt, date=MOMENT, zip=fmt == "saf")
        on_disk = sorted(p for p in (tmp_path / fmt).rglob("*") if p.is_file())
        assert sorted([*result.files, result.marker]) == on_disk, fmt


def test_a_mets_filled_in_from_the_shared_skeleton_is_the_one_built_whole(archive):
    store = archive.store()
    options = export_common.ExportOptions(moment=MOMENT)
    for object_id in archive.ids():
        letter = export_common.ExportLetter(object_id, LetterStore(store).head(object_id).files)
        files = [
            PackagedFile("original", "original", f"{object_id} ü.txt", "text/plain", 12, "a" * 64),
            PackagedFile("tei", "transcription", "tei.xml", "application/tei+xml", 7, "b" * 64),
            PackagedFile("dc", "metadata", "dc.xml", "text/xml", 3, "c" * 64),
        ]
        titles, publishers = letter.dc_values("title"), letter.dc_values("publisher")
        label = titles[0] if titles else object_id
        whole = build_mets(object_id, label, publishers, letter.dc_record, files,
                           options.timestamp, "Epistula test")  # fmt: skip
        assert serialise(mets_for(letter, files, options, "Epistula test")) == serialise(whole)


def test_a_letter_failing_in_a_worker_fails_the_export_and_leaves_nothing(
    archive, tmp_path, in_workers
):
    other = tmp_path / "archive"
    shutil.copytree(archive.path, other)
    # the original is read only by the worker that packs the letter
    victim = sorted((other / "store").glob("*/v1/content/original/*"))[2]
    victim.unlink()
    with pytest.raises(ExportError, match=f"{re.escape(str(victim))}: could not be read"):
        Archive(other).export("bagit", tmp_path / "out", date=MOMENT)
    assert not (tmp_path / "out").exists()


def test_nothing_is_written_beside_the_target(archive, tmp_path):
    for fmt in FORMATS:
        archive.export(fmt, tmp_path / fmt, date=MOMENT)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FORMATS)
    for fmt in FORMATS:
        assert [p.name for p in (tmp_path / fmt).rglob(".*")] == [MARKER]


def test_export_refuses_a_file_and_an_unknown_format(archive, tmp_path):
    target = tmp_path / "file.xml"
    target.write_text("mine")
    with pytest.raises(ExportTargetNotADirectory, match="not a directory"):
        archive.export("tei", target, force=True)
    assert target.read_text() == "mine"
    with pytest.raises(UnknownFormat, match="choose tei, teicorpus, dc, cmif, bagit, saf, csv"):
        archive.export("mets", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_export_refuses_the_archive_itself(archive):
    code, _out, err = invoke(archive, "export", "--format", "tei", "--force", str(archive.path))
    assert code == 1 and "inside it or holds it" in err
    assert archive.ids()  # still there


def test_letters_can_be_chosen_by_id_or_by_query(archive, tmp_path):
    chosen = [i for i in archive.ids() if "lindqvist" in i or "margot" in i]
    code, out, _err = invoke(archive, "export", "--format", "tei", *chosen, str(tmp_path / "ids"),
                             "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["letters"] == sorted(chosen)
    code, out, _err = invoke(
        archive,
        "export",
        "--format",
        "csv",
        "--query",
        "from:Moreau",
        str(tmp_path / "q"),
        "--json",
    )
    assert code == 0
    assert [i.rsplit("-", 1)[1] for i in json.loads(out)["letters"]] == ["0700e4e6", "eb4bc3a5"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["L-1999-01-01-nobody-nobody-00000000"], 1, "is not in the archive"),
        (["--query", "zzqqxxnothing"], 1, "matches no letters"),
        (["--zip"], 2, "--zip applies to --format saf only"),
        (["--url", "https://example.org/c.xml"], 2, "--url applies to --format cmif only"),
        (["--query", "Moreau", "L-1"], 2, "not both"),
        (["--date", "yesterday"], 2, "--date"),
    ],
)
def test_usage_mistakes_and_empty_selections_are_refused(archive, tmp_path, args, code, message):
    exit_code, out, err = invoke(archive, "export", "--format", "tei", *args, str(tmp_path / "o"))
    assert exit_code == code and out == ""
    assert message in err
    assert not (tmp_path / "o").exists()


def test_the_installed_command_exports_a_bag(archive, tmp_path):
    result = run_cli(
        archive.path, "export", "--format", "bagit", "--date", DATE, str(tmp_path / "b")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert bagit.Bag(str(tmp_path / "b")).is_valid()
    assert result.stderr.startswith(f"Exported {len(archive.ids())} letters as bagit")
