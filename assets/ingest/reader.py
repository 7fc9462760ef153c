"""One submission file's bytes → its metadata and answers (contract section 2): the plain reader.

`read_submission` never raises: whatever the bytes, the result is readable or rejected with a
contract reason code and a Swedish message. It reads content only (symlinks, size on disk and the
year folder are the ledger's). The reading stops at the first problem of the bytes and their
layout (unsupported_type, empty, too_large, unreadable, bad_header); of the checks on what was
read every one that fails is collected, and the first of `schemas.contract.CONTENT_REASONS` is
the file's reason. A rejected result keeps the metadata that could be read, no answers and no
findings. A CSV row with more fields than fraga and svar is never cut short: its answer keeps
every field and is unparseable. The CSV rows are split here, a workbook's by
assets/ingest/xlsx_sheet.py, the metadata parsed by assets/ingest/metadata.py; many files at
once are read by assets/ingest/csv_columnar.py, to what this module gives each.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from assets.ingest.metadata import METADATA
from assets.ingest.xlsx_sheet import BrokenWorkbook, first_sheet_rows
from schemas import contract
from schemas.catalog import (
    META_BLOCK,
    Question,
    load_catalog,
)
from schemas.quoting import (
    answer_at,
    answer_in_message,
    question_in_message,
    shown_answer,
    shown_question_id,
)
from schemas.values import parse_answer

MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024

SUBMISSION_SUFFIXES = (".csv", ".xlsx")  # in lower case: see file_suffix
# A read depends on the file's bytes and on its suffix in lower case (contract section 3: `.CSV`
# is a CSV), on nothing else of the file: the parse cache and the ledger key reads by both.
ReadKey = tuple[str, str]  # (sha256, suffix)


def file_suffix(path: str | PurePath) -> str:
    """The suffix a file is read by: "2016/inventering/a.CSV" → ".csv"; as PurePath.suffix
    has it (none for ".csv" or "a."), without making a path object: this runs for every file
    several times a refresh."""
    name = os.fspath(path).rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def read_key(sha256: str, path: str | PurePath) -> ReadKey:
    return sha256, file_suffix(path)


# The delimiters a CSV file may use, in the order they are tried, with their Swedish names.
CSV_DELIMITERS = {";": "semikolon", ",": "komma", "\t": "tabb"}
UTF8_BOM = b"\xef\xbb\xbf"
# No field length is too long below the file limit (contract section 2): the csv module's
# default limit (128 KiB) would make a long comment an unreadable file. A field is never longer
# than its file, which the ledger bounds; the setting is the process's, and only raised.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

NOTHING_BUT_SEPARATORS = re.compile(r'[\s;,"]*')
# The start of a CSV row without the file's delimiter that is read as a question's row: an id
# (white space around it ignored) and another of the delimiters.
_ID_AND_OTHER_DELIMITER = re.compile(r"\s*([A-Za-z0-9_]+)[ ]*([;,\t])")


@dataclass(frozen=True)
class Finding:  # a problem found in one file
    rule: str  # an id of schemas.rules.RULES
    # Only what schemas/quoting.py lets a message quote: an unknown id that looks like one, an
    # answer that looks like a small number; None otherwise (the message names the row).
    question_id: str | None
    value: str | None
    message: str  # Swedish, specific: what was found and what to do


@dataclass(frozen=True)
class ReadResult:
    reason_code: str | None  # a contract rejection code, None when readable
    message: str  # why rejected, or "" when readable
    kommunkod: str | None  # normalised: "0180"
    ar: int | None
    inlamnad: datetime | None  # naive Swedish local time (date only → midnight)
    # question_id (normalised) → stripped answer text, non-empty only; only catalog
    # questions of the file's year; no metadata, no personal data.
    answers: dict[str, str]
    findings: tuple[Finding, ...]  # warnings (unknown question, not in form year, repeated answer)
    # question_id → why its answer is unparseable whatever its text (Swedish): its CSV row had
    # more fields than fraga and svar. A subset of `answers`, which holds all the fields.
    unparseable: dict[str, str]
    # question_id → the row its answer is on (of the file; an XLSX's row number), for messages
    # that name the row of an answer they may not quote.
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    """One data row: its fraga and svar text. A CSV row with more fields than fraga and svar
    keeps them all in `answer`, joined back with the delimiter: it is never cut short, and
    never parsed. After `_entries`, the id is lower-cased and stripped, the answer stripped."""

    line: int
    question_id: str
    answer: str
    fields: int  # empty fields at the end of a row (Excel writes them) not counted
    delimiter: str  # of a CSV file; "" for an XLSX
    # A CSV row without the file's delimiter that starts with a catalog id and this other one
    # (`handl_kvinnor,6` in a `;` file): read as a row with extra fields.
    other_delimiter: str = ""
    undelimited: bool = False  # any other CSV row without a delimiter: only its number is kept

    @property
    def has_extra_fields(self) -> bool:
        return self.fields > 2


class _Rejected(Exception):
    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


def read_submission(data: bytes, suffix: str) -> ReadResult:
    """Read one submission (suffix ".csv" or ".xlsx", any case: see `file_suffix`).

    Bad input is a `_Rejected`, raised where the input error is caught by name (a decoding
    error, a CSV parse error, a broken workbook, too large); any other exception is a bug and
    is raised: it must fail the run, never become a verdict on the file."""
    try:
        rows = _table_rows(data, suffix.lower())
        return _interpret(_entries(rows))
    except _Rejected as rejection:
        return _rejected(rejection.reason_code, rejection.message)


# --- bytes → rows of text -------------------------------------------------------------------


def _table_rows(data: bytes, suffix: str) -> list[_Entry]:
    """Every row after the header."""
    if suffix not in SUBMISSION_SUFFIXES:
        raise _Rejected(
            "unsupported_type",
            f"Filtypen {suffix or '(ingen)'} läses inte. "
            "Skicka in blanketten som .csv eller .xlsx.",
        )
    if not data:
        raise _Rejected("empty", "Filen är tom (0 byte). Skicka in den ifyllda blanketten igen.")
    if b"\x00" in data and suffix == ".csv":
        raise _Rejected(
            "unreadable",
            "Filen innehåller NUL-tecken och är inte en textfil i UTF-8 eller Windows-1252 "
            "(kanske UTF-16). Spara om den som CSV (UTF-8).",
        )
    return _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data)


def csv_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (its BOM dropped), else Windows-1252. Raises the
    Windows-1252 attempt's UnicodeDecodeError when it is neither."""
    body = data.removeprefix(UTF8_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252")


def _csv_rows(data: bytes) -> list[_Entry]:
    try:
        text = csv_text(data)
    except UnicodeDecodeError as error:
        raise _Rejected(
            "unreadable",
            f"Filen är varken UTF-8 eller Windows-1252 (byte 0x{error.object[error.start]:02X} "
            f"på position {error.start}). Spara om den som CSV (UTF-8).",
        ) from None
    if NOTHING_BUT_SEPARATORS.fullmatch(text):
        raise _Rejected("empty", "Filen innehåller inga rader. Skicka in den ifyllda blanketten.")
    # The header line decides the delimiter: the first one under which it reads fraga, svar.
    for delimiter in CSV_DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = ((reader.line_num, row) for row in reader)
        try:
            rows = _rows_after_header(numbered, delimiter)
        except csv.Error as error:
            raise _Rejected(
                "unreadable",
                f"Filen går inte att läsa som CSV (rad {reader.line_num}: {error}). "
                "Spara om den som CSV (UTF-8) från blankettens mall.",
            ) from None
        if rows is not None:
            return rows
    names = list(CSV_DELIMITERS.values())
    raise _Rejected(
        "bad_header", _bad_header_message(", ".join(names[:-1]) + " eller " + names[-1])
    )


def _xlsx_rows(data: bytes) -> list[_Entry]:
    with _workbook_archive(data) as archive:
        try:
            rows = _rows_after_header(first_sheet_rows(archive), delimiter="")
        except BrokenWorkbook as broken:
            raise _Rejected("unreadable", broken.message) from None
    if rows is None:
        raise _Rejected("bad_header", _bad_header_message("i kolumn A och B"))
    return rows


def _workbook_archive(data: bytes) -> zipfile.ZipFile:
    """The open archive; rejects what is no zip archive, unpacks to too much, or is no
    workbook, before any part is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _Rejected(
            "unreadable",
            "Filen är ingen XLSX-fil (inte ett zip-arkiv). Spara om den som Excel-arbetsbok (.xlsx).",
        ) from None
    members = archive.infolist()
    # Declared sizes bound what zipfile will ever unpack, so this is checked before any
    # member is opened.
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        archive.close()
        raise _Rejected(
            "too_large",
            f"XLSX-filen packas upp till {unpacked / 1024 / 1024:.0f} MiB, mer än 20 MiB. "
            "Skicka bara blanketten, utan bilder eller andra flikar.",
        )
    if "[Content_Types].xml" not in {member.filename for member in members}:
        archive.close()
        raise _Rejected(
            "unreadable",
            "Filen är ett zip-arkiv men ingen Excel-arbetsbok. Spara om den som .xlsx.",
        )
    return archive


def _rows_after_header(
    numbered_rows: Iterable[tuple[int, list[str]]], delimiter: str
) -> list[_Entry] | None:
    """The rows after the header; None if the first non-blank row is not a header with fraga
    and svar (a CSV: in either order, among other columns; an XLSX: in columns A and B, its
    rows' other values after them). Blank rows are skipped."""
    rows = (row for row in numbered_rows if any(cell.strip() for cell in row[1]))
    first = next(rows, None)
    if first is None:
        raise _Rejected(
            "empty", "Filen innehåller inga ifyllda rader. Skicka in den ifyllda blanketten."
        )
    cells = first[1] if delimiter else first[1][:2]
    header = [cell.strip().removeprefix("\ufeff").strip().lower() for cell in filled_cells(cells)]
    if "fraga" not in header or "svar" not in header:
        return None
    return [_row(line, cells, header, delimiter) for line, cells in rows]


def filled_cells(cells: list[str]) -> list[str]:
    """The cells without the empty ones at the end (Excel writes `a;b;;` for a wider sheet)."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _row(line: int, cells: list[str], header: list[str], delimiter: str) -> _Entry:
    """A question id holds no delimiter, so the fields a row has beyond fraga and svar come from
    an answer with an unquoted delimiter (`handl_totalt,5,5`): where the question comes after
    the answer, it is the last field of a row that long. A CSV row with no delimiter at all is
    `_undelimited`. In an XLSX row, the values beyond column B follow A and B."""
    if delimiter and len(cells) == 1:
        return _undelimited(line, cells[0], delimiter)
    cells = filled_cells(cells)
    fraga, svar = header.index("fraga"), header.index("svar")
    if svar < fraga and delimiter:
        fraga += max(0, len(cells) - len(header))
    question = cells[fraga] if fraga < len(cells) else ""
    if len(cells) <= 2:
        answer = cells[svar] if svar < len(cells) else ""
    else:
        # An XLSX row's values are joined with ";", as a Swedish CSV would hold them.
        answer = (delimiter or ";").join(
            cell for position, cell in enumerate(cells) if position != fraga
        )
    return _Entry(line, question, answer, len(cells), delimiter)


def _undelimited(line: int, text: str, delimiter: str) -> _Entry:
    """A CSV row without the file's delimiter (contract section 2): where it starts with a
    catalog id and another delimiter (`handl_kvinnor,6` in a `;` file), that question's row with
    extra fields, whose answer is unparseable; any other, a row to warn about by its number."""
    match = _ID_AND_OTHER_DELIMITER.match(text)
    if match is not None and load_catalog().get(match.group(1).lower()) is not None:
        rest = text[match.end() :]
        return _Entry(line, match.group(1), rest, 3, delimiter, other_delimiter=match.group(2))
    return _Entry(line, "", "", 1, delimiter, undelimited=True)


def _bad_header_message(layout: str) -> str:
    return (
        "Den första ifyllda raden ska ha kolumnrubrikerna fraga och svar "
        f"({layout}). Använd blankettens mall."
    )


# --- rows → metadata, answers and findings --------------------------------------------------


def _entries(rows: list[_Entry]) -> list[_Entry]:
    """The rows to account for, in file order: those with an answer (a row with an answer but
    no id included), those with an id (an unknown id is a warning with or without an answer),
    and the rows without a delimiter. The id lower-cased and stripped, the answer stripped."""
    entries = []
    for row in rows:
        question_id, answer = row.question_id.strip().lower(), row.answer.strip()
        if answer or question_id or row.undelimited:
            # As dataclasses.replace would, at a fraction of its cost per row.
            entries.append(
                _Entry(
                    row.line,
                    question_id,
                    answer,
                    row.fields,
                    row.delimiter,
                    row.other_delimiter,
                    row.undelimited,
                )
            )
    return entries


def _ignored(question: Question | None, ar: int | None) -> bool:
    """An id outside the catalog, or outside the form of the file's year: warned about and
    otherwise ignored, in the duplicate-question rule too (contract section 2)."""
    return question is None or (
        ar is not None and question.block != META_BLOCK and not question.in_form(ar)
    )


def _interpret(entries: list[_Entry]) -> ReadResult:
    catalog = load_catalog()
    answered = [entry for entry in entries if entry.answer and not entry.undelimited]
    first: dict[str, _Entry] = {}
    for entry in answered:
        first.setdefault(entry.question_id, entry)

    metadata = {question_id: first.get(question_id) for question_id in METADATA}
    values = {question_id: _metadata_value(entry) for question_id, entry in metadata.items()}
    kommunkod, ar, inlamnad = values["kommunkod"], values["ar"], values["inlamnad"]

    contradictions: list[tuple[_Entry, _Entry]] = []
    for entry in answered:
        earlier = first[entry.question_id]
        question = catalog.get(entry.question_id)
        if (
            earlier.answer != entry.answer  # parsing is only needed where the texts differ
            and not _ignored(question, ar)
            and _meaning(question, earlier) != _meaning(question, entry)
        ):
            contradictions.append((earlier, entry))

    # Every content check that fails; the first in the contract's order rejects the file.
    problems: dict[str, str] = {}
    missing = [question_id for question_id, entry in metadata.items() if entry is None]
    if missing:
        problems["missing_metadata"] = (
            f"Uppgift saknas i filen: {', '.join(missing)}. "
            "Fyll i frågorna kommunkod, ar och inlamnad."
        )
    for question_id, entry in metadata.items():
        if entry is not None and values[question_id] is None:
            rule = METADATA[question_id]
            problems[rule.reason_code] = (
                _extra_fields_message(entry)
                if entry.has_extra_fields
                else rule.unparseable_message(answer_at(entry.answer, entry.line))
            )
    if contradictions:
        problems["duplicate_question"] = _contradictions_message(contradictions)
    reason_code = next((r for r in contract.CONTENT_REASONS if r in problems), None)
    if reason_code is not None:
        return _rejected(reason_code, problems[reason_code], kommunkod, ar, inlamnad)

    answers, findings = _answers_and_findings(entries, first, ar)
    unparseable = {
        question_id: _extra_fields_message(first[question_id])
        for question_id in answers
        if first[question_id].has_extra_fields
    }
    lines = {question_id: first[question_id].line for question_id in answers}
    return ReadResult(None, "", kommunkod, ar, inlamnad, answers, findings, unparseable, lines)


def _answers_and_findings(
    entries: list[_Entry], first: dict[str, _Entry], ar: int
) -> tuple[dict[str, str], tuple[Finding, ...]]:
    catalog = load_catalog()
    answers: dict[str, str] = {}
    findings: list[Finding] = []
    for entry in entries:
        question = catalog.get(entry.question_id)
        if entry.undelimited:
            findings.append(_row_without_delimiter(entry))
        elif not entry.question_id or question is None:
            findings.append(unknown_question(entry.line, entry.question_id))
        elif question.is_personal_data:
            continue  # never kept, never reported
        elif _ignored(question, ar):
            findings.append(not_in_form(entry.line, entry.question_id, entry.answer, ar))
        elif not entry.answer:
            continue  # not answered
        elif first[entry.question_id] is not entry:
            findings.append(
                Finding(
                    "repeated_answer",
                    entry.question_id,
                    shown_answer(entry.answer),
                    f"Rad {entry.line}: frågan {entry.question_id} finns redan på rad "
                    f"{first[entry.question_id].line} med samma svar; svaret används en gång. "
                    "Ta bort den extra raden.",
                )
            )
        elif question.block == META_BLOCK:
            continue
        else:
            answers[entry.question_id] = entry.answer
    return answers, tuple(findings)


def _row_without_delimiter(entry: _Entry) -> Finding:
    # The row's text is not echoed: it may be anything, a name included.
    return Finding(
        "row_without_delimiter",
        None,
        None,
        f"Rad {entry.line}: raden har inget {CSV_DELIMITERS[entry.delimiter]} mellan fråga och "
        "svar och har inte lästs in. Skriv frågans id, "
        f"{CSV_DELIMITERS[entry.delimiter]} och svaret, eller ta bort raden.",
    )


def unknown_question(line: int, question_id: str) -> Finding:
    if not question_id:
        # The answer of an unknown or missing id is not echoed: it may be anything, a name
        # included.
        return Finding(
            "unknown_question",
            None,
            None,
            f"Rad {line} har ett svar men ingen fråga (kolumnen fraga är tom); "
            "svaret har inte lästs in. Ange frågans id.",
        )
    return Finding(
        "unknown_question",
        shown_question_id(question_id),
        None,
        f"Rad {line}: {question_in_message(question_id)} finns inte i "
        "frågekatalogen och har inte lästs in. "
        "Kontrollera frågans id mot blankettens mall.",
    )


def not_in_form(line: int, question_id: str, answer: str, ar: int) -> Finding:
    return Finding(
        "question_not_in_form_year",
        question_id,
        shown_answer(answer),
        f"Rad {line}: frågan {question_id} ingår inte i blanketten för "
        f"{ar} och har inte lästs in. Kontrollera att det är {ar} års blankett.",
    )


def _metadata_value(entry: _Entry | None) -> str | int | datetime | None:
    """kommunkod, ar or inlamnad parsed; None when absent or not parseable."""
    if entry is None or entry.has_extra_fields:
        return None
    return METADATA[entry.question_id].parse(entry.answer)


def _extra_fields_message(entry: _Entry) -> str:
    if entry.other_delimiter:
        # The row's text is not echoed: the id is the catalog's, the rest may be anything.
        return (
            f"Rad {entry.line}: frågan {entry.question_id} följs av "
            f"{CSV_DELIMITERS[entry.other_delimiter]} i stället för "
            f"{CSV_DELIMITERS[entry.delimiter]}, så svaret går inte att tolka. Skriv frågan och "
            f"svaret med {CSV_DELIMITERS[entry.delimiter]} emellan, som på filens övriga rader."
        )
    if not entry.delimiter:
        return (
            f"Rad {entry.line}: frågan {entry.question_id} har värden utanför kolumn A och B, så "
            "svaret går inte att tolka. En rad ska bara ha fråga (kolumn A) och svar (kolumn B): "
            "flytta eller ta bort det som står i de andra kolumnerna."
        )
    written = answer_in_message(entry.answer, None)
    if entry.delimiter == ",":
        advice = (
            "I en fil med komma som avgränsare ska ett decimalkomma stå inom citattecken "
            f'("{shown_answer(entry.answer) or "5,5"}"), eller spara filen med semikolon som '
            "avgränsare."
        )
    else:
        advice = (
            "En rad ska bara ha fråga och svar: ta bort det som står i de extra fälten, eller "
            f"sätt svaret inom citattecken om det innehåller {CSV_DELIMITERS[entry.delimiter]}."
        )
    return (
        f"{entry.question_id} på rad {entry.line} har {entry.fields} fält i stället för två "
        f"(fraga och svar), så {written} går inte att tolka. {advice}"
    )


def _meaning(question: Question, entry: _Entry) -> tuple[str, object]:
    """What an answer says, to compare a question's repeated answers (contract section 3): its
    parsed value ("5,0" and "5.0", "Ja" and "ja", "180" and "0180"), or its text when it cannot
    be parsed."""
    if entry.has_extra_fields:
        value = None
    elif question.question_id in METADATA:
        value = METADATA[question.question_id].parse(entry.answer)
    elif question.is_personal_data:
        value = None
    else:
        parsed = parse_answer(question.kind, entry.answer)
        value = parsed.value if parsed.value is not None else parsed.value_text
    return ("text", entry.answer) if value is None else ("value", value)


def _contradictions_message(contradictions: list[tuple[_Entry, _Entry]]) -> str:
    catalog = load_catalog()
    described = []
    for earlier, later in contradictions:
        if catalog.get(earlier.question_id).is_personal_data:
            # Personal data: where, never what.
            described.append(f"{earlier.question_id} (rad {earlier.line} och {later.line})")
        else:
            described.append(
                f"{earlier.question_id} ({answer_in_message(earlier.answer, earlier.line)}, "
                f"{answer_in_message(later.answer, later.line)})"
            )
    return (
        "Samma fråga förekommer flera gånger med olika svar: "
        + "; ".join(described)
        + ". Behåll ett svar per fråga och skicka in filen igen."
    )


def _rejected(
    reason_code: str,
    message: str,
    kommunkod: str | None = None,
    ar: int | None = None,
    inlamnad: datetime | None = None,
) -> ReadResult:
    return ReadResult(reason_code, message, kommunkod, ar, inlamnad, {}, (), {})
