"""The landing zone (contract section 1): which files lie under `<raw>/<year>/inventering/`.

Nothing here follows a symbolic link or opens a file it was not asked to hash: a symlink is
reported as what it is (the ledger rejects it), whether it points to a file or a folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

SUBMISSIONS_FOLDER = "inventering"
# Each year folder's grant register (contract section 6), beside its inventering/ folder.
REGISTER_FILE_NAME = "rekvisitioner.csv"
# The landing zone's own README. tools/generate_raw writes the marker line into the README.md of
# every landing zone it generates: a marker that travels with the files, unlike a path, so a copy
# of the synthetic zone is still known as synthetic, and a real zone placed at raw/ is not.
LANDING_ZONE_README = "README.md"
SYNTHETIC_MARKER = "<!-- kompetens: syntetiska data, skrivna av tools/generate_raw -->"
_YEAR_FOLDER = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class LandingFile:
    path: str  # relative to the raw dir, POSIX separators, e.g. "2016/inventering/a.csv"
    abs_path: Path
    year_folder: int  # the <year> folder it lies in
    size_bytes: int | None  # None for a symlink (never followed, never stat'ed through)
    is_symlink: bool
    # The file name, or a folder between inventering/ and the file, starts with "."
    # (".gitkeep", ".~lock.a.csv#", ".tmp/a.csv"): hidden things are not submissions.
    is_dotfile: bool


def year_folders(raw_dir: Path) -> list[int]:
    """The four-digit year folders of the raw dir, sorted. A symlinked folder does not count.

    A missing raw dir raises FileNotFoundError: that is a configuration error, not a file to
    report in the ledger.
    """
    with os.scandir(raw_dir) as entries:
        return sorted(
            int(entry.name)
            for entry in entries
            if _YEAR_FOLDER.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
        )


def scan_landing_zone(raw_dir: Path, years: Collection[int] | None = None) -> list[LandingFile]:
    """Every regular file and every symlink under `<raw>/<year>/inventering/`, sorted by path.

    Nested folders are descended into (their files are submissions too), except symlinked
    ones, which are reported as one symlink entry. A symlinked `<year>` or `inventering`
    folder is likewise reported as one symlink entry (path "2016" or "2016/inventering") so
    that its contents are not lost silently. Other non-regular entries (FIFOs, sockets,
    devices) are skipped: they are not files, and opening a FIFO would block the run.
    With `years`, only those year folders are scanned.
    """
    raw_dir = Path(raw_dir)
    found: list[LandingFile] = []
    with os.scandir(raw_dir) as entries:
        year_entries = [
            e
            for e in entries
            if _YEAR_FOLDER.fullmatch(e.name) and (years is None or int(e.name) in years)
        ]
    for year_entry in year_entries:
        year = int(year_entry.name)
        if year_entry.is_symlink():
            found.append(_symlink(raw_dir, Path(year_entry.path), year, is_dotfile=False))
            continue
        if not year_entry.is_dir(follow_symlinks=False):
            continue
        submissions_dir = Path(year_entry.path) / SUBMISSIONS_FOLDER
        if submissions_dir.is_symlink():
            found.append(_symlink(raw_dir, submissions_dir, year, is_dotfile=False))
        elif submissions_dir.is_dir():
            found.extend(_walk(raw_dir, submissions_dir, year, hidden=False))
    return sorted(found, key=lambda landing_file: landing_file.path)


def _walk(raw_dir: Path, folder: Path, year: int, hidden: bool) -> list[LandingFile]:
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            entry_hidden = hidden or entry.name.startswith(".")
            if entry.is_symlink():
                found.append(_symlink(raw_dir, Path(entry.path), year, entry_hidden))
            elif entry.is_dir(follow_symlinks=False):
                found.extend(_walk(raw_dir, Path(entry.path), year, entry_hidden))
            elif entry.is_file(follow_symlinks=False):
                found.append(
                    LandingFile(
                        path=relative_path(raw_dir, Path(entry.path)),
                        abs_path=Path(entry.path),
                        year_folder=year,
                        size_bytes=entry.stat(follow_symlinks=False).st_size,
                        is_symlink=False,
                        is_dotfile=entry_hidden,
                    )
                )
    return found


def _symlink(raw_dir: Path, link: Path, year: int, is_dotfile: bool) -> LandingFile:
    return LandingFile(
        path=relative_path(raw_dir, link),
        abs_path=link,
        year_folder=year,
        size_bytes=None,
        is_symlink=True,
        is_dotfile=is_dotfile,
    )


def relative_path(raw_dir: Path, path: Path) -> str:
    relative = path.relative_to(raw_dir).as_posix()
    # A name that is not valid UTF-8 arrives with lone surrogates (PEP 383), which no table,
    # log or report can store: it is shown with its undecodable bytes escaped ("\\xff").
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks. Refuses (OSError) to open a symlink."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_file(path: Path) -> bytes:
    """A file's bytes. Refuses (OSError) to open a symlink."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


# A file's relative path and the stat fields that change when it is written: size, mtime_ns,
# ctime_ns (which no user can set back) and inode.
StatKey = tuple[str, int, int, int, int]


class ContentHashes:
    """SHA-256 of landing-zone files, read again only for files whose stat changed.

    `known` holds earlier hashes by StatKey (the warehouse keeps them in core.file_hashes, the
    sensor in memory); `seen` collects this pass's, which is what to keep for the next one.
    """

    def __init__(self, known: dict[StatKey, str] | None = None):
        self.known = known or {}
        self.seen: dict[StatKey, str] = {}

    def sha256(self, relative: str, path: Path) -> str | None:
        """None when the file cannot be read (gone, unreadable, or a symlink after all)."""
        try:
            stat = os.stat(path, follow_symlinks=False)
            key = (relative, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            self.seen[key] = self.known.get(key) or file_sha256(path)
        except OSError:
            return None
        return self.seen[key]


def is_synthetic_landing_zone(raw_dir: Path) -> bool:
    """True when the landing zone's README.md carries the generator's marker line."""
    try:
        text = (raw_dir / LANDING_ZONE_README).read_text(encoding="utf-8", errors="replace")
    except OSError:  # no README.md: a landing zone as the municipalities fill it
        return False
    return SYNTHETIC_MARKER in text.splitlines()


def landing_zone_years(raw_dir: Path) -> list[int]:
    """The years of the landing zone, sorted: its year folders and any symlink at a year folder's
    place (which the ledger reports, so its year has a ledger too)."""
    return sorted(
        set(year_folders(raw_dir))
        | {f.year_folder for f in scan_landing_zone(raw_dir) if f.path == str(f.year_folder)}
    )


def year_fingerprints(raw_dir: Path, hashes: ContentHashes) -> dict[int, str]:
    """One hash per year of the landing zone as it lies now: `read_fingerprints` of every year
    folder's files and grant register."""
    files = scan_landing_zone(raw_dir)
    return read_fingerprints(
        raw_dir,
        year_folders(raw_dir),
        files,
        {
            f.path: content_hash
            for f in files
            if not f.is_symlink and (content_hash := hashes.sha256(f.path, f.abs_path))
        },
        hashes,
    )


def year_folder_versions(
    raw_dir: Path, hashes: ContentHashes, years: Collection[str]
) -> dict[str, str]:
    """The data version of each year of `years` (partition keys) as Dagster's observable source
    of the year folders records it: its `year_fingerprints`, the very hash of a year's files the
    gate takes; a year the landing zone no longer has, the hash of no files (as an emptied year
    folder's)."""
    fingerprints = year_fingerprints(raw_dir, hashes)
    return {key: fingerprints.get(int(key), _digest([])) for key in years}


def read_fingerprints(
    raw_dir: Path,
    years: Collection[int],
    files: list[LandingFile],
    sha256: dict[str, str],
    hashes: ContentHashes,
) -> dict[int, str]:
    """One hash per year of `years` and of `files` over what a build took of the year: every file
    under `<raw>/<year>/inventering/` by its path, size and content hash (a file with no hash in
    `sha256`: unreadable), and the year's grant register, hashed now. A refresh records the
    fingerprints of the files and bytes it read, not of a listing of its own, so a file that
    changes or lands while it runs makes the next refresh's fingerprint differ.

    A symlink is recorded as one, never followed (contract section 3): nothing of its target is
    read.
    """
    entries: dict[int, list[str]] = {year: [] for year in years}
    for landing_file in files:
        entries.setdefault(landing_file.year_folder, []).append(_file_entry(landing_file, sha256))
    for year in years:  # not a symlink at a year folder's place, which is never followed
        entries[year] += _path_entries(raw_dir, raw_dir / str(year) / REGISTER_FILE_NAME, hashes)
    return {year: _digest(entries[year]) for year in sorted(entries)}


def readme_fingerprint(raw_dir: Path, hashes: ContentHashes) -> str:
    """The hash of the landing zone's README (whose marker says whether the data are synthetic),
    which belongs to no year."""
    return _digest(_path_entries(raw_dir, raw_dir / LANDING_ZONE_README, hashes))


def _path_entries(raw_dir: Path, path: Path, hashes: ContentHashes) -> list[str]:
    """A file the build reads beside the submissions (a register, the README), as entries of a
    fingerprint: none when absent, a symlink by its target text."""
    relative = relative_path(raw_dir, path)
    if path.is_symlink():
        return [f"L\0{relative}\0{os.readlink(path)}"]
    if path.exists():
        return [f"F\0{relative}\0{hashes.sha256(relative, path) or 'unreadable'}"]
    return []


def _file_entry(landing_file: LandingFile, sha256: dict[str, str]) -> str:
    if landing_file.is_symlink:
        return f"L\0{landing_file.path}"
    content_hash = sha256.get(landing_file.path, "unreadable")
    return f"F\0{landing_file.path}\0{landing_file.size_bytes}\0{content_hash}"


def _digest(entries: list[str]) -> str:
    digest = hashlib.sha256()
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()
