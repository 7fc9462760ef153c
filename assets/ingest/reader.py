"""One submission file's bytes → its metadata and answers (contract section 2).

Content only: whether the file is a symlink, too large on disk, or lies in the wrong year
folder is decided by the ledger. `read_submission` never raises: whatever the bytes, the
result is either readable or rejected with a contract reason code and a Swedish message.

When several rejections apply, the first in the contract's order wins (contract section 3,
`schemas.contract.REJECTION_REASONS`). The reading stops at the first problem of the bytes and
their layout (unsupported_type, empty, too_large for an XLSX that unpacks to over 20 MiB,
unreadable, bad_header), each checked as soon as it can be. Of the checks on what was read (the
metadata, repeated questions) every one that fails is collected, and the first of
`schemas.contract.CONTENT_REASONS` is the file's reason. The ledger adds year_mismatch, which
needs the year folder, and decides the reasons of `FILE_REASONS` before duplicates.
A rejected result keeps whichever of kommunkod, ar and inlamnad could be read, but no
answers and no findings: the file must be fixed and sent in again before its content counts.

A CSV row with more fields than fraga and svar (`handl_totalt,5,5`: an unquoted decimal
comma) is never cut short: its answer keeps all the fields and is unparseable, whatever its
text. For a metadata question that rejects the file with the question's reason code; for an
answer, `unparseable` says why, and the validation reports it.

`inlamnad` with a UTC offset ("2016-11-20T09:15Z", "…+01:00") is converted to Swedish
local time (Europe/Stockholm) and stored naive, so that it orders correctly against the
usual offset-less timestamps, which are taken as Swedish local time as written.

`read_submissions` reads many files at once, to exactly what `read_submission` gives each: the
plain CSV files in one columnar pass, and workbooks made from a template it has read before
without openpyxl's full load (see the sections at the end of this module).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from pathlib import PurePath
from zoneinfo import ZoneInfo

import polars as pl

from assets.ingest.xlsx_sheet import BrokenWorkbook, first_sheet_rows
from schemas import contract
from schemas.catalog import (
    META_BLOCK,
    Question,
    load_catalog,
    municipality_codes,
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
SWEDISH_LOCAL_TIME = ZoneInfo("Europe/Stockholm")

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

_KOMMUNKOD = re.compile(r"([0-9]{1,4})(?:\.0+)?", re.ASCII)
_AR = re.compile(r"([0-9]{4})(?:\.0+)?", re.ASCII)
# The forms of `inlamnad` the contract accepts (section 2): a calendar date, extended or basic;
# then, after T or a space, a time of at least hours and minutes, extended or basic, seconds with
# a fraction after . or ,; then Z or an offset. Letters in either case.
_ISO_TIMESTAMP = re.compile(
    r"(?P<year>[0-9]{4})(?P<dash>-?)(?P<month>[0-9]{2})(?P=dash)(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2})(?P<colon>:?)(?P<minute>[0-9]{2})"
    r"(?:(?P=colon)(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<offset_hours>[0-9]{2})(?::?(?P<offset_minutes>[0-9]{2}))?)?)?",
    re.ASCII,
)
_NOTHING_BUT_SEPARATORS = re.compile(r'[\s;,"]*')
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
    """Read one submission (suffix ".csv" or ".xlsx", any case: see `file_suffix`)."""
    return _read(data, suffix)


def _read(data: bytes, suffix: str) -> ReadResult:
    """Bad input is a `_Rejected`, raised where the input error is caught by name (a decoding
    error, a CSV parse error, a broken workbook, too large); any other exception is a bug and
    is raised: it must fail the run, never become a verdict on the file."""
    try:
        rows = _table_rows(data, suffix.lower())
        return _interpret(_entries(rows))
    except _Rejected as rejection:
        return _rejected(rejection.reason_code, rejection.message)


# --- metadata text (normalize_kommunkod is shared with the grant register) --------


def normalize_kommunkod(text: str) -> str | None:
    """The kommunkod as four digits: "0180", "180" or "180.0" (Excel drops the leading
    zero) → "0180". None if it is not one of the 290 municipality codes."""
    match = _KOMMUNKOD.fullmatch(text.strip())
    if match is None:
        return None
    kommunkod = match.group(1).zfill(4)
    return kommunkod if kommunkod in municipality_codes() else None


def parse_ar(text: str) -> int | None:
    """The year: "2016" or "2016.0" (an Excel number) → 2016. None unless four digits."""
    match = _AR.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def parse_inlamnad(text: str) -> datetime | None:
    """An ISO 8601 calendar date, or date and time, in a form the contract accepts (see
    `_ISO_TIMESTAMP`) → naive Swedish local time; None if not such a timestamp. A time without
    an offset is Swedish local time as written; one made ambiguous by the change from summer
    time is the first of the two (fold 0), which is what naive local time orders as."""
    match = _ISO_TIMESTAMP.fullmatch(text.strip())
    if match is None:
        return None
    part = match.groupdict()
    seconds = Decimal(part["second"] or 0) + Decimal("0." + (part["fraction"] or "0"))
    offset_minutes = int(part["offset_hours"] or 0) * 60 + int(part["offset_minutes"] or 0)
    try:
        timestamp = datetime(
            int(part["year"]),
            int(part["month"]),
            int(part["day"]),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
        ) + timedelta(microseconds=int((seconds * 1_000_000).to_integral_value(ROUND_DOWN)))
        if part["hour"] is not None and (int(part["hour"]) > 23 or seconds >= 60):
            return None
        if offset_minutes >= 24 * 60:
            return None
        if part["zone"] is not None:
            sign = -1 if part["sign"] == "-" else 1
            zone = timezone(sign * timedelta(minutes=offset_minutes))
            timestamp = (
                timestamp.replace(tzinfo=zone).astimezone(SWEDISH_LOCAL_TIME).replace(tzinfo=None)
            )
    except (ValueError, OverflowError):  # the right shape but no such date, e.g. 2016-02-30
        return None
    return timestamp


@dataclass(frozen=True)
class _MetadataRule:
    parse: Callable[[str], str | int | datetime | None]  # None: not parseable
    reason_code: str  # the file's rejection when the answer is there but cannot be parsed
    # The Swedish message, of where the answer is ("'9999' på rad 4", schemas.quoting.answer_at)
    unparseable_message: Callable[[str], str]


# The metadata questions (contract section 2), in the order a missing one is named.
_METADATA = {
    "kommunkod": _MetadataRule(
        normalize_kommunkod,
        "unknown_municipality",
        lambda written: (
            f"Kommunkoden {written} är inte en av landets 290 kommunkoder. Ange "
            "kommunens fyrsiffriga kod, till exempel 0180 för Stockholm."
        ),
    ),
    "ar": _MetadataRule(
        parse_ar,
        "bad_year",
        lambda written: f"Året {written} är inte ett år med fyra siffror. Ange till exempel 2016.",
    ),
    "inlamnad": _MetadataRule(
        parse_inlamnad,
        "bad_timestamp",
        lambda written: (
            f"Inlämningsdatumet {written} går inte att tolka. Ange det som "
            "ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DD TT:MM (ISO 8601), till exempel 2016-11-20."
        ),
    ),
}


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


def _csv_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (its BOM dropped), else Windows-1252. Raises the
    Windows-1252 attempt's UnicodeDecodeError when it is neither."""
    body = data.removeprefix(UTF8_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252")


def _csv_rows(data: bytes) -> list[_Entry]:
    try:
        text = _csv_text(data)
    except UnicodeDecodeError as error:
        raise _Rejected(
            "unreadable",
            f"Filen är varken UTF-8 eller Windows-1252 (byte 0x{error.object[error.start]:02X} "
            f"på position {error.start}). Spara om den som CSV (UTF-8).",
        ) from None
    if _NOTHING_BUT_SEPARATORS.fullmatch(text):
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
    header = [cell.strip().removeprefix("\ufeff").strip().lower() for cell in _filled(cells)]
    if "fraga" not in header or "svar" not in header:
        return None
    return [_row(line, cells, header, delimiter) for line, cells in rows]


def _filled(cells: list[str]) -> list[str]:
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
    cells = _filled(cells)
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

    metadata = {question_id: first.get(question_id) for question_id in _METADATA}
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
            rule = _METADATA[question_id]
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
            findings.append(_unknown_question(entry.line, entry.question_id))
        elif question.is_personal_data:
            continue  # never kept, never reported
        elif _ignored(question, ar):
            findings.append(_not_in_form(entry.line, entry.question_id, entry.answer, ar))
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


def _unknown_question(line: int, question_id: str) -> Finding:
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


def _not_in_form(line: int, question_id: str, answer: str, ar: int) -> Finding:
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
    return _METADATA[entry.question_id].parse(entry.answer)


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
    elif question.question_id in _METADATA:
        value = _METADATA[question.question_id].parse(entry.answer)
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


# --- many files at once ---------------------------------------------------------------------
#
# Most submissions are plain CSV: one encoding, no quotes, fraga and svar as the only columns,
# each question once. Those are split and matched against the catalog in one columnar pass over
# all of them; every other file, and any plain file the pass finds something unusual in (extra
# fields, a repeated question, missing or unparseable metadata, a question id that is not
# ASCII), is read by `read_submission`. Either way the result is what `read_submission` gives,
# which tests/test_parallel_reading.py checks file by file.

READS_SCHEMA = {
    "item": pl.Int64,  # the file's position in the list read
    "reason_code": pl.Utf8,
    "message": pl.Utf8,
    "kommunkod": pl.Utf8,
    "ar": pl.Int32,
    "inlamnad": pl.Datetime("us"),
}
ANSWERS_SCHEMA = {
    "item": pl.Int64,
    "question_id": pl.Utf8,
    "answer_text": pl.Utf8,
    "unparseable_message": pl.Utf8,
    "line": pl.Int64,  # ReadResult.lines
}
FINDINGS_SCHEMA = {
    "item": pl.Int64,
    "rule": pl.Utf8,
    "question_id": pl.Utf8,
    "value": pl.Utf8,
    "message": pl.Utf8,
}

# The characters str.strip() takes for white space besides " ", "\t" and the line breaks, and
# the BOM the header's cells lose: a plain CSV has none of them, so that stripping " \t" in
# the columnar pass is what str.strip() does.
_NOT_PLAIN_CSV = re.compile(
    '["\ufeff\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]'
)
_PLAIN_HEADERS = {("fraga", "svar"): False, ("svar", "fraga"): True}  # → svar comes first
_PLAIN_BLANK = " \t"
# A field of a plain CSV row beyond its first two that holds more than blanks and delimiters:
# the row has more fields than fraga and svar (`_filled` drops only blank fields at the end).
_NOT_BLANK_UNDER = {
    delimiter: f"[^{escaped}{_PLAIN_BLANK}]"
    for delimiter, escaped in ((";", ";"), (",", ","), ("\t", r"\t"))
}


@dataclass(frozen=True)
class SubmissionReads:
    """What `read_submission` gives for each file of a list, as frames: one row per file in
    `reads`, its answers (in the order of `ReadResult.answers`) and findings (in theirs),
    keyed by `item`, the file's position in the list, and in item order."""

    reads: pl.DataFrame
    answers: pl.DataFrame
    findings: pl.DataFrame


@dataclass(frozen=True)
class _PlainCsv:
    text: str  # decoded, "\r\n" made "\n"
    delimiter: str
    svar_first: bool
    header_line: int  # 1-based; the rows after it are the data


def read_submissions(files: list[tuple[bytes, str]]) -> SubmissionReads:
    """Read many submissions, each (bytes, suffix) as for `read_submission`."""
    plain = {}
    for item, (data, suffix) in enumerate(files):
        if (layout := _plain_csv(data, suffix)) is not None:
            plain[item] = layout
    columnar, unsettled = _settle(_plain_csv_entries(plain), list(plain))
    one_by_one = {
        item: _read(data, suffix)
        for item, (data, suffix) in enumerate(files)
        if item in unsettled or item not in plain
    }
    parts = [columnar, _frames_of(one_by_one)]
    return SubmissionReads(
        *(
            pl.concat([part[index] for part in parts]).sort("item", maintain_order=True)
            for index in range(3)
        )
    )


def _plain_csv(data: bytes, suffix: str) -> _PlainCsv | None:
    """The layout of a plain CSV (see above), or None when the file is anything else."""
    if suffix.lower() != ".csv" or not data or b"\x00" in data:
        return None
    try:
        text = _csv_text(data)
    except UnicodeDecodeError:
        return None
    if (
        text.count("\r") != text.count("\r\n")
        or _NOT_PLAIN_CSV.search(text)
        or _NOTHING_BUT_SEPARATORS.fullmatch(text)
    ):
        return None
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    # As _csv_rows: the first delimiter under which the first non-blank row is a header.
    for delimiter in CSV_DELIMITERS:
        for number, line in enumerate(lines, start=1):
            cells = line.split(delimiter)
            if any(cell.strip() for cell in cells):
                break
        else:
            return None
        header = [cell.strip().lower() for cell in _filled(cells)]
        if "fraga" in header and "svar" in header:
            svar_first = _PLAIN_HEADERS.get(tuple(header))
            if svar_first is None:
                return None
            return _PlainCsv(text, delimiter, svar_first, number)
    return None


def _plain_csv_entries(plain: dict[int, _PlainCsv]) -> pl.DataFrame:
    """The answered rows of the plain CSVs, split in one columnar pass (as `_csv_rows` and
    `_entries` would), `unsettled` on every row of a file with something the pass does not
    read as they would (more fields than two, a question id that is not ASCII)."""
    lines = (
        pl.LazyFrame(
            {
                "item": list(plain),
                "delimiter": [layout.delimiter for layout in plain.values()],
                "svar_first": [layout.svar_first for layout in plain.values()],
                "header_line": [layout.header_line for layout in plain.values()],
                "text": [layout.text for layout in plain.values()],
            },
            schema={
                "item": pl.Int64,
                "delimiter": pl.Utf8,
                "svar_first": pl.Boolean,
                "header_line": pl.Int64,
                "text": pl.Utf8,
            },
        )
        .with_columns(pl.col("text").str.split("\n"))
        .explode("text")
        .with_columns(line=pl.int_range(1, pl.len() + 1).over("item"))
        .filter(pl.col("line") > pl.col("header_line"))
    )
    rows = pl.concat(
        [
            lines.filter(pl.col("delimiter") == delimiter)
            .with_columns(pl.col("text").str.splitn(delimiter, 3).alias("fields"))
            .unnest("fields")
            .with_columns(extra_fields=pl.col("field_2").str.contains(not_blank).fill_null(False))
            for delimiter, not_blank in _NOT_BLANK_UNDER.items()
        ]
    ).sort("item", maintain_order=True)  # back in file order: an item has one delimiter
    question = pl.when("svar_first").then(pl.col("field_1")).otherwise(pl.col("field_0"))
    answer = pl.when("svar_first").then(pl.col("field_0")).otherwise(pl.col("field_1"))
    stripped_question = question.fill_null("").str.strip_chars(_PLAIN_BLANK)
    entries = (
        rows.with_columns(
            question_id=stripped_question.str.to_lowercase(),
            answer_text=answer.fill_null("").str.strip_chars(_PLAIN_BLANK),
            not_ascii=stripped_question.str.contains(r"[^\x00-\x7F]"),
            undelimited=pl.col("field_1").is_null()
            & (pl.col("text").str.strip_chars(_PLAIN_BLANK) != ""),
        )
        # As `_entries`: a row with neither id nor answer is no entry; a row with extra fields
        # or without a delimiter is kept to be seen below.
        .filter(
            (pl.col("answer_text") != "")
            | (pl.col("question_id") != "")
            | pl.col("extra_fields")
            | pl.col("undelimited")
        )
        .with_columns(
            unsettled=(pl.col("extra_fields") | pl.col("undelimited") | pl.col("not_ascii"))
            .any()
            .over("item")
        )
        .select(list(_ENTRY_COLUMNS))
        .collect()
    )
    return entries


_ENTRY_COLUMNS = {
    "item": pl.Int64,
    "line": pl.Int64,
    "question_id": pl.Utf8,
    "answer_text": pl.Utf8,
    "unsettled": pl.Boolean,
}


def _settle(entries: pl.DataFrame, items: list[int]) -> tuple[tuple[pl.DataFrame, ...], set[int]]:
    """The three frames of the files whose answered rows are `entries` (all of `items`), read as
    `_interpret` reads them, and the items left to `read_submission`: a file whose rows are
    unsettled, that repeats a question, or that lacks valid metadata (it is rejected, with
    `_interpret`'s reason and message)."""
    # A question twice, answered or not: `_interpret` decides which rule applies.
    repeated = (pl.col("question_id") != "") & pl.struct("item", "question_id").is_duplicated()
    unsettled = set(entries.filter(pl.col("unsettled") | repeated)["item"])
    entries = entries.filter(~pl.col("item").is_in(unsettled))
    # Each question once from here, so its metadata are the file's.
    metadata: dict[int, dict[str, str]] = {item: {} for item in items if item not in unsettled}
    for item, question_id, answer_text in (
        entries.filter(pl.col("question_id").is_in(list(_METADATA)))
        .select("item", "question_id", "answer_text")
        .iter_rows()
    ):
        metadata[item][question_id] = answer_text
    reads = []
    for item, written in metadata.items():
        values = [
            _METADATA[question_id].parse(written[question_id]) if question_id in written else None
            for question_id in _METADATA
        ]
        if None in values:  # rejected: its reason and message are read_submission's
            unsettled.add(item)
        else:
            reads.append((item, None, "", *values))
    reads_frame = pl.DataFrame(reads, schema=READS_SCHEMA, orient="row")
    # The inner join leaves out the unsettled files, which have no read here.
    entries = entries.join(reads_frame.select("item", "ar"), on="item", maintain_order="left").join(
        _catalog_frame(), on="question_id", how="left", maintain_order="left"
    )
    in_form = pl.col("ar").is_between(pl.col("first_year"), pl.col("last_year"))
    kept = ~pl.col("personal_data") & (pl.col("block") != META_BLOCK)
    answers = entries.filter(kept & in_form & (pl.col("answer_text") != "")).select(
        "item",
        "question_id",
        "answer_text",
        unparseable_message=pl.lit(None, pl.Utf8),
        line="line",
    )
    findings = []
    for item, line, question_id, answer_text, ar, known in (
        entries.filter(pl.col("block").is_null() | (kept & ~in_form))
        .select("item", "line", "question_id", "answer_text", "ar", pl.col("block").is_not_null())
        .iter_rows()
    ):
        finding = (
            _not_in_form(line, question_id, answer_text, ar)
            if known
            else _unknown_question(line, question_id)
        )
        findings.append((item, *astuple(finding)))
    return (
        reads_frame,
        answers.cast(ANSWERS_SCHEMA),  # type: ignore[arg-type]
        pl.DataFrame(findings, schema=FINDINGS_SCHEMA, orient="row"),
    ), unsettled


def _catalog_frame() -> pl.DataFrame:
    questions = load_catalog().questions.values()
    return pl.DataFrame(
        {
            "question_id": [q.question_id for q in questions],
            "block": [q.block for q in questions],
            "personal_data": [q.is_personal_data for q in questions],
            "first_year": [q.first_year for q in questions],
            "last_year": [q.last_year for q in questions],
        },
        schema={
            "question_id": pl.Utf8,
            "block": pl.Utf8,
            "personal_data": pl.Boolean,
            "first_year": pl.Int32,
            "last_year": pl.Int32,
        },
    )


def _frames_of(results: dict[int, ReadResult]) -> tuple[pl.DataFrame, ...]:
    reads = [
        (item, r.reason_code, r.message, r.kommunkod, r.ar, r.inlamnad)
        for item, r in results.items()
    ]
    answers = [
        (item, question_id, text, r.unparseable.get(question_id), r.lines.get(question_id))
        for item, r in results.items()
        for question_id, text in r.answers.items()
    ]
    findings = [(item, *astuple(f)) for item, r in results.items() for f in r.findings]
    return tuple(
        pl.DataFrame(rows, schema=schema, orient="row")
        for rows, schema in (
            (reads, READS_SCHEMA),
            (answers, ANSWERS_SCHEMA),
            (findings, FINDINGS_SCHEMA),
        )
    )
