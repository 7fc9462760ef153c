"""scan_landing_zone, year_folders, file_sha256: contract section 1 and the start of section 3."""

from __future__ import annotations

import hashlib
import os

import pytest

from assets.ingest import landing_zone
from assets.ingest.landing_zone import (
    ContentHashes,
    LandingFile,
    file_sha256,
    scan_landing_zone,
    year_folders,
)


def write(path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_year_folders_are_the_four_digit_folders_sorted(tmp_path):
    for name in ("2016", "2013", "2015"):
        (tmp_path / name).mkdir()
    (tmp_path / "16").mkdir()
    (tmp_path / "arkiv").mkdir()
    write(tmp_path / "2017")  # a file, not a folder
    (tmp_path / "2014").symlink_to(tmp_path / "2013")  # never followed
    assert year_folders(tmp_path) == [2013, 2015, 2016]


def test_missing_raw_dir_is_an_error_not_an_empty_landing_zone(tmp_path):
    with pytest.raises(FileNotFoundError):
        year_folders(tmp_path / "saknas")
    with pytest.raises(FileNotFoundError):
        scan_landing_zone(tmp_path / "saknas")


def test_every_file_under_inventering_sorted_by_path_nested_included(tmp_path):
    write(tmp_path / "2016/inventering/b.csv", b"12345")
    write(tmp_path / "2016/inventering/a.xlsx")
    write(tmp_path / "2016/inventering/sub/c.csv")
    write(tmp_path / "2013/inventering/z.txt")
    write(tmp_path / "2016/rekvisitioner.csv")  # not a submission
    write(tmp_path / "2016/annat/d.csv")  # not under inventering
    write(tmp_path / "ovrigt/inventering/e.csv")  # not a year folder
    files = scan_landing_zone(tmp_path)
    assert [f.path for f in files] == [
        "2013/inventering/z.txt",
        "2016/inventering/a.xlsx",
        "2016/inventering/b.csv",
        "2016/inventering/sub/c.csv",
    ]
    assert files[2] == LandingFile(
        path="2016/inventering/b.csv",
        abs_path=tmp_path / "2016/inventering/b.csv",
        year_folder=2016,
        size_bytes=5,
        is_symlink=False,
        is_dotfile=False,
    )
    assert files[0].year_folder == 2013


def test_dot_files_and_files_in_dot_folders_are_flagged(tmp_path):
    write(tmp_path / "2016/inventering/.gitkeep", b"")
    write(tmp_path / "2016/inventering/.cache/a.csv")
    write(tmp_path / "2016/inventering/a.csv")
    flags = {f.path: f.is_dotfile for f in scan_landing_zone(tmp_path)}
    assert flags == {
        "2016/inventering/.cache/a.csv": True,
        "2016/inventering/.gitkeep": True,
        "2016/inventering/a.csv": False,
    }


def test_symlinks_are_reported_never_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "secret.csv", b"secret")
    raw = tmp_path / "raw"
    write(raw / "2016/inventering/a.csv")
    os.symlink(outside / "secret.csv", raw / "2016/inventering/link.csv")
    os.symlink(outside, raw / "2016/inventering/linked_folder")
    os.symlink(outside / "missing.csv", raw / "2016/inventering/dangling.csv")
    files = {f.path: f for f in scan_landing_zone(raw)}
    assert sorted(files) == [
        "2016/inventering/a.csv",
        "2016/inventering/dangling.csv",
        "2016/inventering/link.csv",
        "2016/inventering/linked_folder",  # one entry, not descended into
    ]
    for path in ("link.csv", "linked_folder", "dangling.csv"):
        link = files[f"2016/inventering/{path}"]
        assert link.is_symlink and link.size_bytes is None


def test_symlinked_inventering_or_year_folder_is_one_symlink_entry(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "inventering/a.csv")
    raw = tmp_path / "raw"
    (raw / "2015").mkdir(parents=True)
    os.symlink(outside / "inventering", raw / "2015/inventering")
    os.symlink(outside, raw / "2016")
    files = scan_landing_zone(raw)
    assert [(f.path, f.year_folder, f.is_symlink) for f in files] == [
        ("2015/inventering", 2015, True),
        ("2016", 2016, True),
    ]


def test_fifo_is_skipped_not_opened(tmp_path):
    write(tmp_path / "2016/inventering/a.csv")
    os.mkfifo(tmp_path / "2016/inventering/pipe.csv")
    assert [f.path for f in scan_landing_zone(tmp_path)] == ["2016/inventering/a.csv"]


def test_file_sha256_matches_hashlib_and_refuses_symlinks(tmp_path):
    data = b"fraga;svar\r\n" * 100_000  # more than one read chunk
    write(tmp_path / "a.csv", data)
    assert file_sha256(tmp_path / "a.csv") == hashlib.sha256(data).hexdigest()
    os.symlink(tmp_path / "a.csv", tmp_path / "link.csv")
    with pytest.raises(OSError):
        file_sha256(tmp_path / "link.csv")


def test_a_file_is_hashed_again_only_when_its_stat_changed(tmp_path, monkeypatch):
    reads = []
    monkeypatch.setattr(
        landing_zone, "file_sha256", lambda path: reads.append(path.name) or file_sha256(path)
    )
    unchanged, rewritten = tmp_path / "a.csv", tmp_path / "b.csv"
    unchanged.write_bytes(b"fraga;svar\n")
    rewritten.write_bytes(b"fraga;svar\n")

    first = ContentHashes()
    assert first.sha256("a.csv", unchanged) == hashlib.sha256(b"fraga;svar\n").hexdigest()
    first.sha256("b.csv", rewritten)
    assert reads == ["a.csv", "b.csv"]

    rewritten.write_bytes(b"fraga;svar\nar;2016\n")
    second = ContentHashes(first.seen)
    second.sha256("a.csv", unchanged)
    assert second.sha256("b.csv", rewritten) == hashlib.sha256(b"fraga;svar\nar;2016\n").hexdigest()
    assert reads == ["a.csv", "b.csv", "b.csv"]
    # What to keep is this pass's files, the rewritten one under its new stat only.
    assert len(second.seen) == 2


def test_a_file_gone_before_it_is_hashed_has_no_hash(tmp_path):
    assert ContentHashes().sha256("gone.csv", tmp_path / "gone.csv") is None


def test_the_fingerprint_changes_with_the_landing_zone_readme(tmp_path):
    # The README's marker decides whether the publication says the data are synthetic, so adding
    # or removing it must rebuild the exports.
    from assets.ingest.landing_zone import (
        SYNTHETIC_MARKER,
        ContentHashes,
        is_synthetic_landing_zone,
        readme_fingerprint,
    )

    (tmp_path / "2016" / "inventering").mkdir(parents=True)
    plain = readme_fingerprint(tmp_path, ContentHashes({}))
    (tmp_path / "README.md").write_text(SYNTHETIC_MARKER + "\n# raw/\n", encoding="utf-8")
    assert is_synthetic_landing_zone(tmp_path)
    assert readme_fingerprint(tmp_path, ContentHashes({})) != plain
