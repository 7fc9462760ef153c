"""The grant registers `<raw>/<year>/rekvisitioner.csv` (contract section 6).

UTF-8 (BOM tolerated), `;`-delimited, header `kommunkod;andamal;fordelat_sek;rekvirerat_sek;
aterbetalt_sek`, whole non-negative kronor written as plain digits ("5000", not "5 000"), one
row per municipality and purpose, every municipality present.

The registers decide who is counted where, so any problem in them stops the refresh: a register
that is missing, unreadable, or has a bad, unknown or repeated row or a municipality missing would
shift every population. The readers here never raise; they return every problem, and
`stop_message` says them to the person who has to fix the files.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from assets.ingest.landing_zone import REGISTER_FILE_NAME, year_folders
from assets.ingest.reader import UTF8_BOM, normalize_kommunkod
from schemas.catalog import municipality_codes
from schemas.contract import GRANT_PURPOSES

REGISTER_COLUMNS = ("kommunkod", "andamal", "fordelat_sek", "rekvirerat_sek", "aterbetalt_sek")
AMOUNT_COLUMNS = REGISTER_COLUMNS[2:]
_HEADER = ";".join(REGISTER_COLUMNS)
# At most 18 digits: whole kronor that fit the warehouse BIGINT.
_WHOLE_KRONOR = re.compile(r"[0-9]{1,18}", re.ASCII)


class GrantRow(TypedDict):  # the columns of core.grant_register
    ar: int
    kommunkod: str
    andamal: str
    fordelat_sek: int
    rekvirerat_sek: int
    aterbetalt_sek: int


@dataclass(frozen=True)
class RegisterProblem:
    rule: str  # an id of schemas.rules.REGISTER_RULES
    path: str  # the register, relative to the raw dir: "2016/rekvisitioner.csv"
    line: int | None  # None where the problem is in no one line (a file or municipality missing)
    problem: str  # Swedish: what is wrong, and what to do about it

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} rad {self.line}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class RegisterRead:
    rows: list[GrantRow]  # the rows without a problem
    problems: list[RegisterProblem]


def register_path(ar: int) -> str:
    """The register of year `ar`, relative to the raw dir."""
    return f"{ar}/{REGISTER_FILE_NAME}"


def read_grant_registers(
    raw_dir: Path, years: Collection[int], years_with_submissions: Collection[int]
) -> RegisterRead:
    """The registers of the year folders of `years`, in year order.

    A year folder with no submission file needs no register: there is nobody to count. A symlink
    is never followed, so it is no register.
    """
    rows: list[GrantRow] = []
    problems: list[RegisterProblem] = []
    for ar in (ar for ar in year_folders(raw_dir) if ar in years):
        path = register_path(ar)
        register = raw_dir / path
        if register.is_symlink() or not register.is_file():
            if ar in years_with_submissions:
                problems.append(
                    RegisterProblem(
                        "register_missing",
                        path,
                        None,
                        "filen saknas (en symbolisk länk följs inte), men årsmappen har "
                        "inlämningar. Lägg in årets rekvisitionsregister.",
                    )
                )
            continue
        read = read_grant_register(register.read_bytes(), ar)
        rows.extend(read.rows)
        problems.extend(read.problems)
    return RegisterRead(rows=rows, problems=problems)


def stop_message(problems: list[RegisterProblem]) -> str:
    """Why the refresh stops: every problem, one a line, file and line first."""
    count = "ett problem" if len(problems) == 1 else f"{len(problems)} problem"
    return (
        f"Rekvisitionsregistren har {count}. Registren avgör vilka kommuner som räknas var, så "
        "uppdateringen stoppas och det publicerade lagret lämnas som det var. Rätta filerna och "
        "kör uppdateringen igen.\n" + "\n".join(f"- {problem}" for problem in problems)
    )


def read_grant_register(data: bytes, ar: int) -> RegisterRead:
    """The rows of one year's register and every problem in it.

    A file that cannot be decoded or has the wrong header gives no rows and one
    register_unreadable problem. A bad row (wrong number of fields, unknown purpose, an amount
    that is not whole non-negative kronor) and an unknown kommunkod are a problem each; a
    (kommunkod, andamal) on two or more rows is one, on its first line; the municipalities on no
    line at all are one together.
    """
    path = register_path(ar)
    try:
        lines = _data_lines(data)
    except _Unreadable as error:
        return RegisterRead(
            rows=[],
            problems=[RegisterProblem("register_unreadable", path, error.line, error.problem)],
        )
    except Exception as error:  # noqa: BLE001 - hostile bytes can break the csv module
        problem = f"filen går inte att tolka ({type(error).__name__}: {error})."
        return RegisterRead(
            rows=[], problems=[RegisterProblem("register_unreadable", path, None, problem)]
        )

    problems: list[RegisterProblem] = []
    mentioned: set[str] = set()
    # Each (kommunkod, andamal) a line is for, its amounts good or not.
    keys: set[tuple[str, str]] = set()
    rows_by_key: dict[tuple[str, str], list[tuple[int, GrantRow]]] = defaultdict(list)
    for line, cells in lines:
        kommunkod = normalize_kommunkod(cells[0])
        if kommunkod:
            mentioned.add(kommunkod)
            if len(cells) == len(REGISTER_COLUMNS):
                keys.add((kommunkod, cells[1].lower()))
        problem = _row_problem(path, line, cells, kommunkod)
        if problem is not None:
            problems.append(problem)
            continue
        amounts = [int(text) for text in cells[2:]]
        row = GrantRow(
            ar=ar,
            kommunkod=kommunkod,
            andamal=cells[1].lower(),
            fordelat_sek=amounts[0],
            rekvirerat_sek=amounts[1],
            aterbetalt_sek=amounts[2],
        )
        rows_by_key[(kommunkod, row["andamal"])].append((line, row))

    rows: list[GrantRow] = []
    for (kommunkod, andamal), numbered_rows in rows_by_key.items():
        if len(numbered_rows) == 1:
            rows.append(numbered_rows[0][1])
            continue
        line_numbers = [line for line, _ in numbered_rows]
        problems.append(
            RegisterProblem(
                "register_duplicate_row",
                path,
                line_numbers[0],
                f"kommun {kommunkod} har {len(numbered_rows)} rader för ändamålet {andamal} "
                f"(rad {_swedish_list(map(str, line_numbers))}). Behåll en rad per kommun och "
                "ändamål.",
            )
        )
    missing = sorted(municipality_codes() - mentioned)
    if missing:
        who = (
            f"kommun {missing[0]} saknas"
            if len(missing) == 1
            else f"{len(missing)} kommuner saknas: {_swedish_list(missing)}"
        )
        problems.append(
            RegisterProblem(
                "register_missing_municipality", path, None, f"{who}. {_ONE_ROW_PER_PURPOSE}"
            )
        )
    # A municipality on no line is missing as a whole (above), not row by row. A purpose is
    # expected of every municipality once the register uses it: the registers of 2014-2016 list
    # only kompetensutveckling (the inventory grant was paid in 2013), and that is no problem.
    used = {andamal for _kommunkod, andamal in keys}
    for andamal in (purpose for purpose in GRANT_PURPOSES if purpose in used):
        without = sorted(k for k in mentioned & municipality_codes() if (k, andamal) not in keys)
        if without:
            problems.append(
                RegisterProblem(
                    "register_missing_row",
                    path,
                    None,
                    f"ändamålet {andamal} saknas för {_municipalities(without)}. "
                    + _ONE_ROW_PER_PURPOSE,
                )
            )
    problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
    return RegisterRead(rows=rows, problems=problems)


_ONE_ROW_PER_PURPOSE = "Varje kommun ska ha en rad per ändamål, med 0 där inget rekvirerats."


def _municipalities(kommunkoder: list[str]) -> str:
    """["0114"] → "kommun 0114"; ["0114", "0115"] → "2 kommuner: 0114 och 0115"."""
    if len(kommunkoder) == 1:
        return f"kommun {kommunkoder[0]}"
    return f"{len(kommunkoder)} kommuner: {_swedish_list(kommunkoder)}"


class _Unreadable(Exception):
    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _data_lines(data: bytes) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank line after a valid header."""
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Unreadable(
            _line_of(data, error.start),
            f"filen är inte UTF-8 (byte {data[error.start]:#04x}). Spara den som UTF-8.",
        ) from None
    if "\x00" in text:
        raise _Unreadable(
            _line_of(data, data.index(b"\x00")),
            "filen innehåller NUL-tecken och är ingen textfil. Spara den som CSV i UTF-8.",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    lines = [
        (reader.line_num, [cell.strip() for cell in cells])
        for cells in reader
        if any(cell.strip() for cell in cells)
    ]
    if not lines:
        raise _Unreadable(None, f"filen är tom. Den ska börja med rubrikraden {_HEADER}.")
    header_line, header = lines[0]
    if tuple(cell.lower() for cell in header) != REGISTER_COLUMNS:
        raise _Unreadable(
            header_line, f"rubrikraden ska vara {_HEADER}, men är '{';'.join(header)[:120]}'."
        )
    return lines[1:]


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _row_problem(
    path: str, line: int, cells: list[str], kommunkod: str | None
) -> RegisterProblem | None:
    """What makes this data line unusable, or None if it is usable."""
    if len(cells) != len(REGISTER_COLUMNS):
        return RegisterProblem(
            "register_bad_row",
            path,
            line,
            f"raden har {len(cells)} fält men ska ha {len(REGISTER_COLUMNS)} ({_HEADER}).",
        )
    if kommunkod is None:
        return RegisterProblem(
            "register_unknown_municipality",
            path,
            line,
            f"kommunkoden '{cells[0][:20]}' är inte en av de {len(municipality_codes())} "
            "kommunkoderna. Ange kommunens fyrsiffriga kod.",
        )
    if cells[1].lower() not in GRANT_PURPOSES:
        return RegisterProblem(
            "register_bad_row",
            path,
            line,
            f"ändamålet '{cells[1][:40]}' är varken {_swedish_list(GRANT_PURPOSES, 'eller')}.",
        )
    for column, text in zip(AMOUNT_COLUMNS, cells[2:], strict=True):
        if not _WHOLE_KRONOR.fullmatch(text):
            return RegisterProblem(
                "register_bad_row",
                path,
                line,
                f"{column} '{text[:40]}' är inte ett helt antal kronor ≥ 0. Skriv bara siffror, "
                "utan mellanslag eller decimaler (5000).",
            )
    return None


def _swedish_list(items, conjunction: str = "och") -> str:
    """["2", "4", "9"] → "2, 4 och 9"."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
