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
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath, PurePosixPath
from zoneinfo import ZoneInfo

import defusedxml
import openpyxl
import openpyxl.xml

from schemas import contract
from schemas.catalog import (
    META_BLOCK,
    Question,
    load_catalog,
    municipality_codes,
    reading_fingerprint,
)
from schemas.values import parse_answer

# Bump when reading rules change: cached reads are then redone.
PARSER_VERSION = "5"

MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
# Excel's last row. A hostile sheet can number a row 2 000 000 000, and openpyxl fills
# every missing row before it with an empty one.
EXCEL_MAX_ROWS = 1_048_576
SWEDISH_LOCAL_TIME = ZoneInfo("Europe/Stockholm")

SUBMISSION_SUFFIXES = (".csv", ".xlsx")  # in lower case: see file_suffix
# A read depends on the file's bytes and on its suffix in lower case (contract section 3: `.CSV`
# is a CSV), on nothing else of the file: the parse cache and the ledger key reads by both.
ReadKey = tuple[str, str]  # (sha256, suffix)


def file_suffix(path: str | PurePath) -> str:
    """The suffix a file is read by: "2016/inventering/a.CSV" → ".csv"."""
    return PurePosixPath(path).suffix.lower()


def read_key(sha256: str, path: str | PurePath) -> ReadKey:
    return sha256, file_suffix(path)


def reading_version() -> str:
    """What a cached read is valid for: this reader's version and the reference data it checks
    answers against (the catalog and the municipality register in use)."""
    return f"{PARSER_VERSION}/{reading_fingerprint()}"


# The delimiters a CSV file may use, in the order they are tried, with their Swedish names.
CSV_DELIMITERS = {";": "semikolon", ",": "komma", "\t": "tabb"}
UTF8_BOM = b"\xef\xbb\xbf"
# XLSX parts are XML; openpyxl parses them with defusedxml (entity expansion and external
# entities forbidden) only when it finds it at import. Without it, refuse to start.
if not openpyxl.xml.DEFUSEDXML:
    raise ImportError("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not 'False')")

_KOMMUNKOD = re.compile(r"([0-9]{1,4})(?:\.0+)?", re.ASCII)
_AR = re.compile(r"([0-9]{4})(?:\.0+)?", re.ASCII)
_ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?",
    re.ASCII,
)
_NOTHING_BUT_SEPARATORS = re.compile(r'[\s;,"]*')


@dataclass(frozen=True)
class Finding:  # a problem found in one file
    rule: str  # an id of schemas.rules.RULES
    question_id: str | None
    value: str | None  # the answer text found, where it helps (never personal data)
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
    try:
        rows = _table_rows(data, suffix.lower())
        return _interpret(_entries(rows))
    except _Rejected as rejection:
        return _rejected(rejection.reason_code, rejection.message)
    except Exception as error:  # noqa: BLE001 - hostile bytes can break any parser in any way
        return _rejected(
            "unreadable",
            f"Filen gick inte att tolka ({type(error).__name__}: {_one_line(error, 120)}). "
            "Spara om den som CSV (UTF-8) eller XLSX från blankettens mall.",
        )


# --- cell and metadata text (normalize_kommunkod is shared with the grant register) --------


def cell_text(value: object) -> str:
    """An XLSX cell value as the text a person would have typed.

    Numbers in plain decimal notation (180.0 → "180", 1e-07 → "0.0000001"; float artefacts
    such as 12.299999999999999 are kept: the value parser rounds), dates as ISO 8601,
    booleans as "TRUE"/"FALSE", an empty cell as "".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


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
    """ISO 8601 date or date-time (T or space, optional seconds, fraction and UTC offset)
    → naive Swedish local time; None if not such a timestamp."""
    text = text.strip()
    if not _ISO_TIMESTAMP.fullmatch(text):
        return None
    try:
        timestamp = datetime.fromisoformat(text)
    except ValueError:  # the right shape but no such date or time, e.g. 2016-02-30
        return None
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(SWEDISH_LOCAL_TIME).replace(tzinfo=None)
    return timestamp


@dataclass(frozen=True)
class _MetadataRule:
    parse: Callable[[str], str | int | datetime | None]  # None: not parseable
    reason_code: str  # the file's rejection when the answer is there but cannot be parsed
    unparseable_message: Callable[[str], str]  # the Swedish message, of the quoted answer


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
    return _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data)


def _csv_rows(data: bytes) -> list[_Entry]:
    if b"\x00" in data:
        raise _Rejected(
            "unreadable",
            "Filen innehåller NUL-tecken och är inte en textfil i UTF-8 eller Windows-1252 "
            "(kanske UTF-16). Spara om den som CSV (UTF-8).",
        )
    body = data.removeprefix(UTF8_BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError as error:
            raise _Rejected(
                "unreadable",
                f"Filen är varken UTF-8 eller Windows-1252 (byte 0x{body[error.start]:02X} "
                f"på position {error.start}). Spara om den som CSV (UTF-8).",
            ) from None
    if _NOTHING_BUT_SEPARATORS.fullmatch(text):
        raise _Rejected("empty", "Filen innehåller inga rader. Skicka in den ifyllda blanketten.")
    # The header line decides the delimiter: the first one under which it reads fraga, svar.
    for delimiter in CSV_DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = ((reader.line_num, row) for row in reader)
        rows = _rows_after_header(numbered, delimiter)
        if rows is not None:
            return rows
    names = list(CSV_DELIMITERS.values())
    raise _Rejected(
        "bad_header", _bad_header_message(", ".join(names[:-1]) + " eller " + names[-1])
    )


def _xlsx_rows(data: bytes) -> list[_Entry]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise _Rejected(
            "unreadable",
            "Filen är ingen XLSX-fil (inte ett zip-arkiv). Spara om den som Excel-arbetsbok (.xlsx).",
        ) from None
    # Declared sizes bound what zipfile will ever unpack, so this is checked before any
    # member is opened.
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _Rejected(
            "too_large",
            f"XLSX-filen packas upp till {unpacked / 1024 / 1024:.0f} MiB, mer än 20 MiB. "
            "Skicka bara blanketten, utan bilder eller andra flikar.",
        )
    if "[Content_Types].xml" not in {member.filename for member in members}:
        raise _Rejected(
            "unreadable",
            "Filen är ett zip-arkiv men ingen Excel-arbetsbok. Spara om den som .xlsx.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not need
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise _Rejected("unreadable", "Arbetsboken har inget kalkylblad.")
                sheet = workbook.worksheets[0]
                cells = sheet.iter_rows(
                    min_row=1, max_row=EXCEL_MAX_ROWS, min_col=1, max_col=2, values_only=True
                )
                numbered = (
                    (line, [cell_text(value) for value in row])
                    for line, row in enumerate(cells, start=1)
                    if row != (None, None)  # cheap skip of openpyxl's filler rows
                )
                rows = _rows_after_header(numbered, delimiter="")
            finally:
                workbook.close()
    except Exception as error:
        if not _caused_by_forbidden_xml(error):
            raise
        raise _Rejected(
            "unreadable",
            "XLSX-filen innehåller XML-entiteter eller en DTD, vilket en Excel-arbetsbok "
            "aldrig gör; den läses inte av säkerhetsskäl. Spara om blanketten i Excel.",
        ) from None
    if rows is None:
        raise _Rejected("bad_header", _bad_header_message("i kolumn A och B"))
    return rows


def _caused_by_forbidden_xml(error: BaseException | None) -> bool:
    """openpyxl wraps parser errors in its own ValueError: look down the chain."""
    while error is not None:
        if isinstance(error, defusedxml.DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _rows_after_header(
    numbered_rows: Iterable[tuple[int, list[str]]], delimiter: str
) -> list[_Entry] | None:
    """The rows after the header; None if the first non-blank row is not a header with fraga
    and svar (in either order, among other columns). Blank rows are skipped."""
    rows = (row for row in numbered_rows if any(cell.strip() for cell in row[1]))
    first = next(rows, None)
    if first is None:
        raise _Rejected(
            "empty", "Filen innehåller inga ifyllda rader. Skicka in den ifyllda blanketten."
        )
    header = [cell.strip().removeprefix("\ufeff").strip().lower() for cell in _filled(first[1])]
    if "fraga" not in header or "svar" not in header:
        return None
    return [_row(line, _filled(cells), header, delimiter) for line, cells in rows]


def _filled(cells: list[str]) -> list[str]:
    """The cells without the empty ones at the end (Excel writes `a;b;;` for a wider sheet)."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _row(line: int, cells: list[str], header: list[str], delimiter: str) -> _Entry:
    """A question id holds no delimiter, so the fields a row has beyond fraga and svar come from
    an answer with an unquoted delimiter (`handl_totalt,5,5`): where the question comes after
    the answer, it is the last field of a row that long."""
    fraga, svar = header.index("fraga"), header.index("svar")
    if svar < fraga:
        fraga += max(0, len(cells) - len(header))
    question = cells[fraga] if fraga < len(cells) else ""
    if len(cells) <= 2:
        answer = cells[svar] if svar < len(cells) else ""
    else:
        answer = delimiter.join(cell for position, cell in enumerate(cells) if position != fraga)
    return _Entry(line, question, answer, len(cells), delimiter)


def _bad_header_message(layout: str) -> str:
    return (
        "Den första ifyllda raden ska ha kolumnrubrikerna fraga och svar "
        f"({layout}). Använd blankettens mall."
    )


# --- rows → metadata, answers and findings --------------------------------------------------


def _entries(rows: list[_Entry]) -> list[_Entry]:
    """The answered rows, in file order (a row with an answer but no id included)."""
    return [
        replace(row, question_id=row.question_id.strip().lower(), answer=row.answer.strip())
        for row in rows
        if row.answer.strip()  # an empty answer means not answered
    ]


def _interpret(entries: list[_Entry]) -> ReadResult:
    catalog = load_catalog()
    first: dict[str, _Entry] = {}
    contradictions: list[tuple[_Entry, _Entry]] = []
    for entry in entries:
        earlier = first.setdefault(entry.question_id, entry)
        question = catalog.get(entry.question_id)
        if (
            earlier.answer != entry.answer  # parsing is only needed where the texts differ
            and question is not None
            and _meaning(question, earlier) != _meaning(question, entry)
        ):
            contradictions.append((earlier, entry))

    metadata = {question_id: first.get(question_id) for question_id in _METADATA}
    values = {question_id: _metadata_value(entry) for question_id, entry in metadata.items()}
    kommunkod, ar, inlamnad = values["kommunkod"], values["ar"], values["inlamnad"]

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
                else rule.unparseable_message(_quote(entry.answer))
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
    return ReadResult(None, "", kommunkod, ar, inlamnad, answers, findings, unparseable)


def _answers_and_findings(
    entries: list[_Entry], first: dict[str, _Entry], ar: int
) -> tuple[dict[str, str], tuple[Finding, ...]]:
    catalog = load_catalog()
    answers: dict[str, str] = {}
    findings: list[Finding] = []
    for entry in entries:
        question = catalog.get(entry.question_id)
        if not entry.question_id:
            # The answer of an unknown or missing id is not echoed: it may be anything, a
            # name included.
            findings.append(
                Finding(
                    "unknown_question",
                    None,
                    None,
                    f"Rad {entry.line} har ett svar men ingen fråga (kolumnen fraga är tom); "
                    "svaret har inte lästs in. Ange frågans id.",
                )
            )
        elif question is None:
            findings.append(
                Finding(
                    "unknown_question",
                    entry.question_id,
                    None,
                    f"Rad {entry.line}: frågan {_quote(entry.question_id)} finns inte i "
                    "frågekatalogen och har inte lästs in. "
                    "Kontrollera frågans id mot blankettens mall.",
                )
            )
        elif question.is_personal_data:
            continue  # never kept, never reported
        elif first[entry.question_id] is not entry:
            findings.append(
                Finding(
                    "repeated_answer",
                    entry.question_id,
                    entry.answer,
                    f"Rad {entry.line}: frågan {entry.question_id} finns redan på rad "
                    f"{first[entry.question_id].line} med samma svar; svaret används en gång. "
                    "Ta bort den extra raden.",
                )
            )
        elif question.block == META_BLOCK:
            continue
        elif not question.in_form(ar):
            findings.append(
                Finding(
                    "question_not_in_form_year",
                    entry.question_id,
                    entry.answer,
                    f"Rad {entry.line}: frågan {entry.question_id} ingår inte i blanketten för "
                    f"{ar} och har inte lästs in. Kontrollera att det är {ar} års blankett.",
                )
            )
        else:
            answers[entry.question_id] = entry.answer
    return answers, tuple(findings)


def _metadata_value(entry: _Entry | None) -> str | int | datetime | None:
    """kommunkod, ar or inlamnad parsed; None when absent or not parseable."""
    if entry is None or entry.has_extra_fields:
        return None
    return _METADATA[entry.question_id].parse(entry.answer)


def _extra_fields_message(entry: _Entry) -> str:
    written = _shorten(entry.answer, 40)
    if entry.delimiter == ",":
        advice = (
            "I en fil med komma som avgränsare ska ett decimalkomma stå inom citattecken "
            f'("{written}"), eller spara filen med semikolon som avgränsare.'
        )
    else:
        advice = (
            "En rad ska bara ha fråga och svar: ta bort det som står i de extra fälten, eller "
            f"sätt svaret inom citattecken om det innehåller {CSV_DELIMITERS[entry.delimiter]}."
        )
    return (
        f"{entry.question_id} på rad {entry.line} har {entry.fields} fält i stället för två "
        f'(fraga och svar), så svaret "{written}" går inte att tolka. {advice}'
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
                f"{earlier.question_id} (rad {earlier.line}: {_quote(earlier.answer)}, "
                f"rad {later.line}: {_quote(later.answer)})"
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


def _quote(text: str, limit: int = 40) -> str:
    return f"'{_shorten(text, limit)}'"


def _one_line(error: Exception, limit: int) -> str:
    return _shorten(" ".join(str(error).split()), limit)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
