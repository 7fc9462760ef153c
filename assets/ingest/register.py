"""The grant register `<raw>/<year>/rekvisitioner.csv` (contract section 6).

UTF-8 (BOM tolerated), `;`-delimited, header `kommunkod;andamal;fordelat_sek;rekvirerat_sek;
aterbetalt_sek`, whole non-negative kronor written as plain digits ("5000", not "5 000").
A row that breaks a rule is left out with a finding; `read_grant_register` never raises.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypedDict

from assets.ingest.reader import UTF8_BOM, normalize_kommunkod
from schemas.catalog import municipality_codes
from schemas.contract import GRANT_PURPOSES

REGISTER_COLUMNS = ("kommunkod", "andamal", "fordelat_sek", "rekvirerat_sek", "aterbetalt_sek")
AMOUNT_COLUMNS = REGISTER_COLUMNS[2:]
# At most 18 digits: whole kronor that fit the warehouse BIGINT.
_WHOLE_KRONOR = re.compile(r"[0-9]{1,18}", re.ASCII)


class GrantRow(TypedDict):  # the columns of core.grant_register
    ar: int
    kommunkod: str
    andamal: str
    fordelat_sek: int
    rekvirerat_sek: int
    aterbetalt_sek: int


class RegisterFinding(TypedDict):
    rule: str  # an id of schemas.rules.REGISTER_RULES
    kommunkod: str | None  # a valid kommunkod, or None (unreadable file, unknown code)
    line: int | None  # the line in the file, None where the finding is about no line
    message: str


@dataclass(frozen=True)
class RegisterRead:
    rows: list[GrantRow] = field(default_factory=list)
    findings: list[RegisterFinding] = field(default_factory=list)


class _Unreadable(Exception):
    pass


def read_grant_register(data: bytes, ar: int) -> RegisterRead:
    """The usable rows of one year's register and a finding for every problem.

    A file that cannot be decoded or has the wrong header gives no rows and one
    register_unreadable finding. A bad row (wrong number of fields, unknown purpose, an
    amount that is not whole non-negative kronor) and an unknown kommunkod leave that row
    out; a (kommunkod, andamal) on two or more rows leaves all of them out (one finding,
    on the first line); a municipality on no line at all gets a warning and counts as having
    requisitioned nothing.
    """
    try:
        lines = _data_lines(data)
    except _Unreadable as error:
        return RegisterRead(findings=[_finding("register_unreadable", None, None, str(error))])
    except Exception as error:  # noqa: BLE001 - hostile bytes can break the csv module
        message = f"Registret gick inte att tolka ({type(error).__name__}: {error})."
        return RegisterRead(findings=[_finding("register_unreadable", None, None, message)])

    findings: list[RegisterFinding] = []
    mentioned: set[str] = set()
    rows_by_key: dict[tuple[str, str], list[tuple[int, GrantRow]]] = defaultdict(list)
    for line, cells in lines:
        kommunkod = normalize_kommunkod(cells[0])
        if kommunkod:
            mentioned.add(kommunkod)
        problem = _row_problem(line, cells, kommunkod)
        if problem is not None:
            findings.append(problem)
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
        findings.append(
            _finding(
                "register_duplicate_row",
                kommunkod,
                line_numbers[0],
                f"Kommun {kommunkod} har {len(numbered_rows)} rader för ändamålet {andamal} "
                f"(rad {', '.join(map(str, line_numbers))}); ingen av dem används. "
                "Behåll en rad per kommun och ändamål.",
            )
        )
    findings.extend(
        _finding(
            "register_missing_municipality",
            kommunkod,
            None,
            f"Kommun {kommunkod} saknas i registret för {ar}; den räknas som att den inte "
            "rekvirerat något. Lägg till kommunens rader (0 där inget rekvirerats).",
        )
        for kommunkod in sorted(municipality_codes() - mentioned)
    )
    findings.sort(key=lambda finding: (finding["line"] is None, finding["line"] or 0))
    return RegisterRead(rows=rows, findings=findings)


def _data_lines(data: bytes) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank line after a valid header."""
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Unreadable(
            f"Registret är inte UTF-8 (byte på position {error.start}). Spara det som UTF-8."
        ) from None
    if "\x00" in text:
        raise _Unreadable("Registret innehåller NUL-tecken och är inte en textfil i UTF-8.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    lines = [
        (reader.line_num, [cell.strip() for cell in cells])
        for cells in reader
        if any(cell.strip() for cell in cells)
    ]
    if not lines:
        raise _Unreadable("Registret är tomt.")
    header_line, header = lines[0]
    if tuple(cell.lower() for cell in header) != REGISTER_COLUMNS:
        raise _Unreadable(
            f"Rad {header_line} ska vara rubrikraden {';'.join(REGISTER_COLUMNS)}, "
            f"men är '{';'.join(header)[:120]}'."
        )
    return lines[1:]


def _row_problem(line: int, cells: list[str], kommunkod: str | None) -> RegisterFinding | None:
    """Why this data line cannot be used, or None if it can."""
    if len(cells) != len(REGISTER_COLUMNS):
        return _finding(
            "register_bad_row",
            kommunkod,
            line,
            f"Rad {line} har {len(cells)} fält men ska ha {len(REGISTER_COLUMNS)} "
            f"({';'.join(REGISTER_COLUMNS)}); raden används inte.",
        )
    if kommunkod is None:
        return _finding(
            "register_unknown_municipality",
            None,
            line,
            f"Rad {line}: kommunkoden '{cells[0][:20]}' är inte en av de 290; raden används inte.",
        )
    if cells[1].lower() not in GRANT_PURPOSES:
        return _finding(
            "register_bad_row",
            kommunkod,
            line,
            f"Rad {line}: ändamålet '{cells[1][:40]}' är varken inventering eller "
            "kompetensutveckling; raden används inte.",
        )
    for column, text in zip(AMOUNT_COLUMNS, cells[2:], strict=True):
        if not _WHOLE_KRONOR.fullmatch(text):
            return _finding(
                "register_bad_row",
                kommunkod,
                line,
                f"Rad {line}: {column} '{text[:40]}' är inte ett helt antal kronor ≥ 0 "
                "(ange bara siffror, utan mellanslag eller decimaler); raden används inte.",
            )
    return None


def _finding(rule: str, kommunkod: str | None, line: int | None, message: str) -> RegisterFinding:
    return {"rule": rule, "kommunkod": kommunkod, "line": line, "message": message}
