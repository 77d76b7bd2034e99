"""Safe inputs and outputs, through the real ``epistula`` command: what an attacker or an
accident can make of a folder of letters and of an export's target.

Symbolic links are not followed unless asked, and never out of the folder given; CSV cells
cannot run as formulas; names in packages carry no bidirectional controls; ``--force``
replaces only what an export wrote; an export that cannot write says so in one line and
leaves nothing, hidden or not; a killed export leaves no process and does not block the next.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import bagit
import pytest

from archive.api import Archive
from tests.support import SAMPLES, epistula_command, need, run_cli

LETTERS = SAMPLES / "letters"
MARKER = ".epistula-export.json"
STAGING_PREFIX = ".epistula-export-"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def letter_text(number: int) -> str:
    """A short letter of its own (no two numbers give the same bytes)."""
    day = number % 28 + 1
    return (
        f"Uppsala, {day} March 1915\n\nDear Erik,\n\nThis is letter number {number}. The river "
        f"froze again on day {day}, and the {number} sheep are in the barn until spring.\n\n"
        "Yours sincerely,\n\nKarin Lund\n"
    )


def ingest_json(archive: Path, *args: str) -> tuple[int, dict, str]:
    result = run_cli(archive, "ingest", *args, "--json")
    return result.returncode, json.loads(result.stdout), result.stderr


def one_error_line(stderr: str) -> str:
    """The one ``Error:`` line a failing command printed (and nothing else on stderr)."""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def everything_under(folder: Path) -> list[str]:
    """Every entry under ``folder``, hidden ones included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three sample letters."""
    path = tmp_path_factory.mktemp("safe") / "archive"
    for name in ("fr-lettre-chateaudun.txt", "sv-brev-uppsala.txt", "fi-kirje-tampere.txt"):
        assert run_cli(path, "ingest", str(LETTERS / name)).returncode == 0
    return path


# -- symbolic links and what a folder holds ------------------------------------------------------


@pytest.fixture
def folder_with_links(tmp_path: Path) -> Path:
    """A folder with a letter, a link to it, a link out of the folder and a link to a folder."""
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text(letter_text(1), encoding="utf-8")
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "a-letter.txt").write_text(letter_text(2), encoding="utf-8")
    (folder / "b-inside.txt").symlink_to("a-letter.txt")
    (folder / "c-passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "d-up.txt").symlink_to("../private/secret.txt")
    return folder


def test_links_in_a_folder_are_not_followed_and_are_reported(folder_with_links, tmp_path):
    code, report, err = ingest_json(tmp_path / "a", str(folder_with_links))
    assert code == 0
    assert [(Path(r["file"]).name, r["status"]) for r in report["results"]] == [
        ("a-letter.txt", "added")
    ]
    assert [(Path(s["file"]).name, s["reason"]) for s in report["skipped"]] == [
        ("b-inside.txt", "symlink"), ("c-passwd.txt", "symlink"), ("d-up.txt", "symlink"),
    ]  # fmt: skip
    assert "Skipped 3 symbolic links (pass --follow-symlinks to follow them)" in err
    assert "Number 1" not in Archive(tmp_path / "a").text(report["results"][0]["id"])


def test_followed_links_never_leave_the_folder_given(folder_with_links, tmp_path):
    archive = tmp_path / "a"
    code, report, err = ingest_json(archive, str(folder_with_links), "--follow-symlinks")
    assert code == 0
    results = [(Path(r["file"]).name, r["status"], r["same_as"]) for r in report["results"]]
    first = str(folder_with_links / "a-letter.txt")
    assert results == [("a-letter.txt", "added", None), ("b-inside.txt", "unchanged", first)]
    skipped = {Path(s["file"]).name: s for s in report["skipped"]}
    assert sorted(skipped) == ["c-passwd.txt", "d-up.txt"]
    assert {s["reason"] for s in skipped.values()} == {"symlink-outside"}
    assert "never followed" in err
    texts = [Archive(archive).text(i) for i in Archive(archive).ids()]
    assert len(texts) == 1 and "letter number 2" in texts[0]


def test_a_named_link_is_followed_only_when_asked(folder_with_links, tmp_path):
    link = folder_with_links / "c-passwd.txt"
    code, report, err = ingest_json(tmp_path / "a", str(link))
    # nothing else to ingest: the command fails, naming what it skipped
    assert code == 1 and report["results"] == []
    assert [s["reason"] for s in report["skipped"]] == ["symlink"]
    assert err.splitlines()[-1] == (
        f"Error: nothing to ingest in {link}: every entry was skipped; pass --follow-symlinks to "
        "follow the links"
    )
    code, report, _err = ingest_json(tmp_path / "a", str(link), "--follow-symlinks")
    assert code == 0 and [r["status"] for r in report["results"]] == ["added"]


def test_a_folder_of_subfolders_without_recursive_says_what_it_skipped(tmp_path):
    folder = tmp_path / "letters"
    for name in ("1915", "1916"):
        (folder / name).mkdir(parents=True)
        (folder / name / "letter.txt").write_text(letter_text(int(name)), encoding="utf-8")
    result = run_cli(tmp_path / "a", "ingest", str(folder))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Skipped 2 subfolders (pass --recursive to ingest them too): {folder / '1915'}, "
        f"{folder / '1916'}",
        f"Error: nothing to ingest in {folder}: every entry was skipped; pass --recursive to "
        "ingest the subfolders",
    ]
    result = run_cli(tmp_path / "a", "ingest", str(folder), "--recursive")
    assert result.returncode == 0 and result.stdout.count("added") == 2


def test_a_pipe_in_a_folder_is_skipped_not_read(tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "letter.txt").write_text(letter_text(3), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")  # reading it would wait for ever
    code, report, err = ingest_json(tmp_path / "a", str(folder))
    assert code == 0 and [r["status"] for r in report["results"]] == ["added"]
    assert report["skipped"] == [
        {"file": str(folder / "pipe.txt"), "reason": "not-a-regular-file",
         "message": "not a regular file"},
    ]  # fmt: skip
    assert f"Skipped {folder / 'pipe.txt'}: not a regular file" in err


def test_a_folder_that_cannot_be_read_is_skipped_and_named(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any folder")
    folder = tmp_path / "letters"
    (folder / "locked").mkdir(parents=True)
    (folder / "letter.txt").write_text(letter_text(4), encoding="utf-8")
    (folder / "locked").chmod(0)
    try:
        code, report, err = ingest_json(tmp_path / "a", str(folder), "--recursive")
    finally:
        (folder / "locked").chmod(0o755)
    assert code == 0 and [r["status"] for r in report["results"]] == ["added"]
    assert [s["reason"] for s in report["skipped"]] == ["unreadable-folder"]
    assert f"Skipped {folder / 'locked'}: cannot be read (Permission denied)" in err


def test_a_batch_is_read_in_natural_order_and_a_duplicate_names_its_twin(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in (1, 2, 10, 100):
        (folder / f"b_{number}.txt").write_text(letter_text(number), encoding="utf-8")
    shutil.copy(folder / "b_2.txt", folder / "b_20.txt")
    result = run_cli(tmp_path / "a", "ingest", str(folder))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == [
        str(folder / f"b_{n}.txt") for n in (1, 2, 10, 20, 100)
    ]
    twin = lines[3].split()
    assert twin[0] == "unchanged" and lines[3].endswith(f"(same bytes as {folder / 'b_2.txt'})")
    assert twin[2] == lines[1].split()[2]  # the id of b_2
    again = json.loads(run_cli(tmp_path / "a", "ingest", str(folder), "--json").stdout)
    # a later batch: every file is already archived, none is the twin of another
    assert {r["status"] for r in again["results"]} == {"unchanged"}
    assert [r["same_as"] for r in again["results"]] == [None] * 5


# -- CSV cells and package names ---------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "=1+1", "@SUM(A1)"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Letters titled with formulas, one with a right-to-left override in its file name."""
    root = tmp_path_factory.mktemp("hostile")
    archive = root / "archive"
    for number, title in enumerate(FORMULAS):
        letter = root / f"letter{number}.txt"
        letter.write_text(letter_text(40 + number), encoding="utf-8")
        assert run_cli(archive, "ingest", str(letter), "--set", f"title={title}").returncode == 0
    tricky = root / "letter\u202etxt.exe"
    tricky.write_text(letter_text(50), encoding="utf-8")
    assert run_cli(archive, "ingest", str(tricky), "--set", "title=-2+3").returncode == 0
    return archive


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_csv_exports_write_no_cell_a_spreadsheet_would_run(hostile, tmp_path):
    for fmt, name in (("csv", "metadata.csv"), ("dc", "index.csv"),
                      ("bagit", "data/metadata/metadata.csv")):  # fmt: skip
        assert run_cli(hostile, "export", "--format", fmt, str(tmp_path / fmt)).returncode == 0
        cells = csv_cells(tmp_path / fmt / name)
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], fmt
        for title in [*FORMULAS, "-2+3"]:
            # the Dublin Core table joins repeated values with '|', so a '|' in one is a '/'
            shown = title if fmt == "dc" else title.replace("|", "/")
            assert f"'{shown}" in cells, (fmt, title)
    # the archive keeps the titles as given: only the CSV cells are neutralised
    titles = {Archive(hostile).card(i).title for i in Archive(hostile).ids()}
    assert titles == {*FORMULAS, "-2+3"}


def test_package_file_names_lose_bidi_controls(hostile, tmp_path):
    for fmt in ("bagit", "saf"):
        assert run_cli(hostile, "export", "--format", fmt, str(tmp_path / fmt)).returncode == 0
        names = everything_under(tmp_path / fmt)
        assert not [n for n in names if set(n) & set(BIDI)], fmt
        assert [n for n in names if n.endswith("/lettertxt.exe")], fmt
    manifest = (tmp_path / "bagit" / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert not set(manifest) & set(BIDI)
    assert bagit.Bag(str(tmp_path / "bagit")).validate()
    contents = [p.read_text(encoding="utf-8") for p in (tmp_path / "saf").glob("*/contents")]
    assert any(line.startswith("lettertxt.exe\t") for c in contents for line in c.splitlines())
    # the TEI still names the original as it was
    sources = {Archive(hostile).card(i).source.filename for i in Archive(hostile).ids()}
    assert "letter\u202etxt.exe" in sources


# -- --force ---------------------------------------------------------------------------------


def test_force_replaces_only_what_an_export_wrote(archive, tmp_path):
    target = tmp_path / "out"
    assert run_cli(archive, "export", "--format", "tei", str(target)).returncode == 0
    ids = Archive(archive).ids()
    (target / "notes.txt").write_text("my notes")
    (target / "mine").mkdir()
    (target / "mine" / "draft.xml").write_text("<draft/>")
    result = run_cli(archive, "export", "--format", "tei", "--force", ids[0], str(target))
    assert result.returncode == 0, result.stderr
    # the letters the first export wrote are gone, the user's files stay
    assert everything_under(target) == sorted(
        [MARKER, f"{ids[0]}.xml", "mine", "mine/draft.xml", "notes.txt"]
    )
    assert json.loads((target / MARKER).read_text())["files"] == [f"{ids[0]}.xml"]
    # another format in its place: the tei file goes, the user's files stay
    result = run_cli(archive, "export", "--format", "csv", "--force", str(target))
    assert result.returncode == 0, result.stderr
    assert everything_under(target) == sorted(
        [MARKER, "metadata.csv", "mine", "mine/draft.xml", "notes.txt"]
    )


def test_force_refuses_to_replace_a_file_no_export_wrote(archive, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "metadata.csv").write_text("my own table")
    result = run_cli(archive, "export", "--format", "csv", "--force", str(target))
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"Error: {target / 'metadata.csv'}: holds files no Epistula export wrote "
        "(metadata.csv); move them out of the way, or choose another directory"
    )
    assert everything_under(target) == ["metadata.csv"]
    assert (target / "metadata.csv").read_text() == "my own table"


def test_force_never_follows_a_link_the_user_put_in_place_of_an_exported_folder(archive, tmp_path):
    target = tmp_path / "bag"
    assert run_cli(archive, "export", "--format", "bagit", str(target)).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(target / "data", elsewhere)
    (target / "data").symlink_to(elsewhere)
    before = everything_under(elsewhere)
    result = run_cli(archive, "export", "--format", "bagit", "--force", str(target))
    assert result.returncode == 1
    assert "holds files no Epistula export wrote (data)" in one_error_line(result.stderr)
    assert everything_under(elsewhere) == before


# -- exports that cannot write ---------------------------------------------------------------


def test_a_dangling_link_as_out_is_one_line_and_creates_nothing(archive, tmp_path):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone" / "away")
    result = run_cli(archive, "export", "--format", "tei", str(link))
    assert result.returncode == 1 and result.stdout == ""
    assert one_error_line(result.stderr) == (
        f"Error: {link}: is a symbolic link to {tmp_path / 'gone' / 'away'}, which does not "
        "exist; give a directory that exists, or remove the link"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not link.exists()


@contextlib.contextmanager
def mounted_tmpfs(where: Path, *options: str) -> Iterator[Path]:
    """A small tmpfs at ``where`` (root only), unmounted afterwards."""
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    need(done.returncode == 0, f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


@contextlib.contextmanager
def read_only_folder(where: Path) -> Iterator[Path]:
    """An empty folder this user cannot write in: a read-only mount for root (whom
    permissions do not stop), else a folder without write permission."""
    if os.geteuid() == 0:
        with mounted_tmpfs(where, "ro", "size=1m") as folder:
            yield folder
        return
    where.mkdir()
    where.chmod(0o555)
    try:
        yield where
    finally:
        where.chmod(0o755)


def test_a_read_only_out_is_one_line_and_left_empty(archive, tmp_path):
    with read_only_folder(tmp_path / "ro") as target:
        result = run_cli(archive, "export", "--format", "bagit", str(target))
        assert result.returncode == 1 and result.stdout == ""
        line = one_error_line(result.stderr)
        assert line.startswith(f"Error: {target}: cannot be written (")
        assert line.endswith(
            "nothing was left behind; choose a directory you may write to, or change its "
            "permissions"
        )
        assert everything_under(target) == []
        result = run_cli(archive, "export", "--format", "tei", str(target / "sub" / "out"))
        assert result.returncode == 1
        assert one_error_line(result.stderr).startswith(f"Error: {target / 'sub' / 'out'}: ")
        assert everything_under(target) == []


def test_a_full_disk_is_one_line_and_leaves_nothing(archive, tmp_path):
    need(os.geteuid() == 0, "a full disk is made with a small tmpfs, which needs root")
    # the TEI alone is about 20 KB, a bag of the letters about 100 KB
    with mounted_tmpfs(tmp_path / "small", "size=16k") as disk:
        (disk / "kept.txt").write_text("the user's")
        for fmt in ("bagit", "teicorpus", "tei"):
            target = disk / fmt
            result = run_cli(archive, "export", "--format", fmt, str(target))
            assert result.returncode == 1 and result.stdout == "", fmt
            line = one_error_line(result.stderr)
            assert line.startswith(f"Error: {target}: the disk is full ("), line
            assert line.endswith(
                "nothing was left behind; free some space, or export to another disk"
            )
            assert everything_under(disk) == ["kept.txt"], fmt


def test_a_write_over_the_file_size_limit_is_one_line_and_leaves_nothing(archive, tmp_path):
    target = tmp_path / "new" / "folders" / "out"  # all three are made, and removed again
    corpus_size = sum(len(Archive(archive).tei_bytes(i)) for i in Archive(archive).ids())

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (corpus_size // 2, corpus_size // 2))

    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    result = subprocess.run(
        [*epistula_command(), "--archive", str(archive), "export", "--format", "teicorpus",
         str(target)],
        capture_output=True, text=True, env=env, timeout=120, preexec_fn=limit_file_size,
    )  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    line = one_error_line(result.stderr)
    assert line.startswith(f"Error: {target}: a file grew larger than this system allows")
    assert not target.exists() and list(tmp_path.iterdir()) == []


# -- interrupted and concurrent exports ------------------------------------------------------


def test_a_stale_staging_folder_is_purged_not_taken_for_content(archive, tmp_path):
    target = tmp_path / "out"
    stale = target / f"{STAGING_PREFIX}k1lled"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "half.xml").write_text("<half")
    (target / f"{STAGING_PREFIX}k1lled.marker").write_text("{")
    result = run_cli(archive, "export", "--format", "tei", str(target))
    assert result.returncode == 0, result.stderr
    ids = Archive(archive).ids()
    assert everything_under(target) == sorted([MARKER, *(f"{i}.xml" for i in ids)])


def test_an_export_into_a_target_another_export_holds_is_refused(archive, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    fd = os.open(target, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running export holds it
        result = run_cli(archive, "export", "--format", "tei", str(target))
    finally:
        os.close(fd)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"Error: {target}: another export is writing into it; wait until that export has "
        "finished, or choose another directory"
    )
    assert everything_under(target) == []


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 240 letters: an export of it prepares letters in worker processes."""
    root = tmp_path_factory.mktemp("large")
    folder = root / "letters"
    folder.mkdir()
    for number in range(240):
        (folder / f"letter_{number}.txt").write_text(letter_text(number), encoding="utf-8")
    report = Archive(root / "archive").ingest([folder], jobs=2)
    assert report.count("added") == 240, report.to_json()
    return root / "archive"


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigkill_mid_export_leaves_no_process_and_the_same_export_then_succeeds(large, tmp_path):
    need(Path("/proc").is_dir(), "the processes are found through /proc")
    target = tmp_path / "bag"
    env = {k: v for k, v in os.environ.items() if k != "EPISTULA_ARCHIVE"}
    command = [*epistula_command(), "--archive", str(large), "export", "--format", "bagit",
               str(target)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    written = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            workers |= children_of(process.pid)
            stages = list(target.glob(f"{STAGING_PREFIX}*/data/objects/*"))
            written = len(stages)
            if workers and written >= 20:
                break
            time.sleep(0.005)
        assert process.poll() is None, "the export ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert 20 <= written < 240 and workers
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "workers outlived the killed export"
    assert list(target.glob(f"{STAGING_PREFIX}*")), "the kill left no staging (too late?)"
    result = run_cli(large, "export", "--format", "bagit", str(target))
    assert result.returncode == 0, result.stderr
    assert not list(target.glob(f"{STAGING_PREFIX}*"))
    assert bagit.Bag(str(target)).validate()
    assert len(list((target / "data" / "objects").iterdir())) == 240
