"""The file ledger (contract section 3): one status for every file of the landing zone.

Each file is decided by the first of five steps that applies, the contract's order (ignored,
rejected before content, duplicate, rejected on content, selected / superseded / conflict).
The orders are the contract's lists, never restated here: each step collects every reason that
applies and takes the first of its list. reason_code is set for rejected rows only.

The five steps in full: docs/ARCHITECTURE.md, «assets/ingest/ledger.py».
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from assets.ingest.landing_zone import LandingFile
from assets.ingest.reader import (
    SUBMISSION_SUFFIXES,
    ReadKey,
    ReadResult,
    file_suffix,
    read_key,
)
from schemas import contract
from schemas.contract import CONFLICT, DUPLICATE, IGNORED, REJECTED, SELECTED, SUPERSEDED

MAX_FILE_BYTES = 1_048_576  # 1 MiB on disk


@dataclass(frozen=True)
class LedgerRow:  # the columns of quality.file_ledger
    path: str
    sha256: str | None
    size_bytes: int | None
    kommunkod: str | None
    ar: int | None
    inlamnad: datetime | None
    status: str
    reason_code: str | None
    message: str


@dataclass(frozen=True)
class _Decision:
    status: str
    reason_code: str | None
    message: str


def needs_content(landing_file: LandingFile) -> bool:
    """Whether the file's content decides its status: it must then be hashed and read.
    False for what the ledger settles from the directory entry alone (steps 1 and 2)."""
    return not landing_file.is_dotfile and not _entry_problems(landing_file)


def build_ledger(
    files: list[LandingFile], sha256: dict[str, str], reads: dict[ReadKey, ReadResult]
) -> list[LedgerRow]:
    """One row per file, in path order.

    sha256: path → hash, for every file the caller could read (others may be missing);
    reads: (hash, suffix) → ReadResult (`reader.read_key`), for every file that `needs_content`.
    """
    files = sorted(files, key=lambda landing_file: landing_file.path)
    decisions: dict[str, _Decision] = {}
    first_path_of_content: dict[tuple[int, str], str] = {}
    candidates: dict[tuple[str, int], list[LandingFile]] = defaultdict(list)

    for landing_file in files:
        decision = _decision(landing_file, sha256, reads, first_path_of_content)
        if decision is None:
            read = reads[read_key(sha256[landing_file.path], landing_file.path)]
            candidates[(read.kommunkod, read.ar)].append(landing_file)
        else:
            decisions[landing_file.path] = decision

    for submissions in candidates.values():
        decisions.update(_supersession(submissions, sha256, reads))

    return [_row(f, decisions[f.path], sha256, reads) for f in files]


def _decision(
    landing_file: LandingFile,
    sha256: dict[str, str],
    reads: dict[ReadKey, ReadResult],
    first_path_of_content: dict[tuple[int, str], str],
) -> _Decision | None:
    """Steps 1–4; None for a readable submission in its right year folder (step 5 decides).
    `first_path_of_content` remembers, across calls, the first path of each content of each
    year folder."""
    if landing_file.is_dotfile:
        return _Decision(IGNORED, None, "Dold fil (namnet börjar med punkt); den läses inte.")
    problems = _entry_problems(landing_file)
    content_hash = sha256.get(landing_file.path)
    # A missing read is the caller's bug: KeyError.
    read = (
        reads[read_key(content_hash, landing_file.path)] if not problems and content_hash else None
    )
    if read is not None and read.reason_code in contract.FILE_REASONS:
        problems[read.reason_code] = read.message
    if problems:
        return _rejected(contract.FILE_REASONS, problems)
    if read is None:
        return _Decision(
            REJECTED,
            "unreadable",
            "Filen gick inte att läsa från disken (saknad behörighet eller borttagen under "
            "körningen). Kontrollera filen och kör igen.",
        )

    first_path = first_path_of_content.setdefault(
        (landing_file.year_folder, content_hash), landing_file.path
    )
    if first_path != landing_file.path:
        return _Decision(
            DUPLICATE,
            None,
            f"Filen är byte för byte identisk med {first_path} (samma SHA-256); bara den "
            "filen räknas. Ta bort kopian.",
        )

    if read.reason_code is not None:
        problems[read.reason_code] = read.message
    if read.ar is not None and read.ar != landing_file.year_folder:
        problems["year_mismatch"] = (
            f"Filen anger året {read.ar} men ligger i mappen {landing_file.year_folder}. "
            "Rätta året i filen eller lägg den i rätt årsmapp."
        )
    return _rejected(contract.CONTENT_REASONS, problems) if problems else None


def _entry_problems(landing_file: LandingFile) -> dict[str, str]:
    """Reason → message, for what the directory entry alone says of a file (step 2)."""
    problems = {}
    suffix = file_suffix(landing_file.path)
    if suffix not in SUBMISSION_SUFFIXES:
        problems["unsupported_type"] = (
            f"Filtypen {suffix or '(ingen filändelse)'} läses inte. "
            "Skicka in blanketten som .csv eller .xlsx."
        )
    if landing_file.is_symlink:
        problems["symlink"] = (
            "Filen är en symbolisk länk och följs aldrig. Lägg den riktiga filen i mappen."
        )
    elif landing_file.size_bytes > MAX_FILE_BYTES:
        problems["too_large"] = (
            f"Filen är {_grouped(landing_file.size_bytes)} byte, mer än gränsen 1 MiB "
            f"({_grouped(MAX_FILE_BYTES)} byte). Skicka bara blanketten."
        )
    return problems


def _rejected(order: tuple[str, ...], problems: dict[str, str]) -> _Decision:
    """Rejected for the first reason of `order` among the problems found."""
    reason_code = next(reason for reason in order if reason in problems)
    return _Decision(REJECTED, reason_code, problems[reason_code])


def _grouped(number: int) -> str:
    """1048576 → "1 048 576", the Swedish way."""
    return f"{number:,}".replace(",", " ")


def _supersession(
    submissions: list[LandingFile], sha256: dict[str, str], reads: dict[ReadKey, ReadResult]
) -> dict[str, _Decision]:
    """The files of one (kommunkod, ar): the latest inlamnad wins, unless it is shared."""

    def inlamnad(landing_file: LandingFile) -> datetime:
        return reads[read_key(sha256[landing_file.path], landing_file.path)].inlamnad

    latest_time = max(inlamnad(f) for f in submissions)
    latest = [f for f in submissions if inlamnad(f) == latest_time]
    latest_paths = " och ".join(f.path for f in latest)
    when = format_inlamnad(latest_time)
    decisions = {
        f.path: _Decision(SUPERSEDED, None, f"Ersatt av {latest_paths} (inlämnad {when}).")
        for f in submissions
        if inlamnad(f) != latest_time
    }
    if len(latest) == 1:
        decisions[latest[0].path] = _Decision(SELECTED, None, "")
        return decisions
    for landing_file in latest:
        others = " och ".join(f.path for f in latest if f is not landing_file)
        decisions[landing_file.path] = _Decision(
            CONFLICT,
            None,
            f"Filen och {others} har samma inlämningstid ({when}) men olika innehåll; ingen "
            "av dem används. Skicka in en rättad fil med senare inlämningstid.",
        )
    return decisions


def format_inlamnad(inlamnad: datetime) -> str:
    if inlamnad == datetime.combine(inlamnad.date(), datetime.min.time()):
        return inlamnad.date().isoformat()
    return inlamnad.isoformat(sep=" ")


def _row(
    landing_file: LandingFile,
    decision: _Decision,
    sha256: dict[str, str],
    reads: dict[ReadKey, ReadResult],
) -> LedgerRow:
    content_hash = sha256.get(landing_file.path)
    # Metadata is shown wherever the content was read, also for rejected and duplicate files.
    read = (
        reads.get(read_key(content_hash, landing_file.path))
        if content_hash and needs_content(landing_file)
        else None
    )
    return LedgerRow(
        path=landing_file.path,
        sha256=content_hash,
        size_bytes=landing_file.size_bytes,
        kommunkod=read.kommunkod if read else None,
        ar=read.ar if read else None,
        inlamnad=read.inlamnad if read else None,
        status=decision.status,
        reason_code=decision.reason_code,
        message=decision.message,
    )
