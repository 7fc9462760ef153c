"""The first worksheet of an XLSX submission as numbered rows of cell text (contract section 2).

Read with zipfile and an XML parser, no spreadsheet library: the reader needs the cells' values
and nothing else of a workbook (styles only to tell a date from a number), and a library's
private code is no place to lean on (docs/ARCHITECTURE.md, "Public APIs only"). The sheet is
parsed as a stream, row by row, so a hostile sheet costs time and memory in proportion to its
bytes, which the reader bounds (20 MiB unpacked) before anything is unpacked.

Every value of a row is kept, in column order, not just columns A and B: a value beyond column B
makes the row's answer unparseable (contract section 2), and is never dropped.

What a broken workbook does (not a zip archive, a part missing or encrypted, XML that does not
parse or declares a DTD, a cell or row reference that is no reference, a number that is no
number) raises `BrokenWorkbook` with a Swedish message. Nothing else is caught here: any other
exception is a bug of this module and must fail the run.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from posixpath import dirname, join, normpath
from xml.etree import ElementTree

import defusedxml
import defusedxml.ElementTree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

# Excel's last row and column (XFD).
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384

_OFFICE_DOCUMENT = "/officeDocument"  # the end of the relationship types, in both OOXML variants
_WORKSHEET, _SHARED_STRINGS, _STYLES = "/worksheet", "/sharedStrings", "/styles"
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
# xsd:double as Excel writes a number cell's <v>.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# An XML part in UTF-8 (an XML declaration naming no other encoding) without "<!" declares no
# DTD, so no entities: the standard library's C parser reads it, about four times faster than
# defusedxml's. Any other part (a DTD, a comment, another encoding) is read by defusedxml, which
# refuses a DTD.
_UTF8_XML = re.compile(
    rb'(?:\xef\xbb\xbf)?(?:<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?'
    rb'(?: standalone="(?:yes|no)")?\s*\?>\s*)?<[A-Za-z_]'
)
_CHUNK = 64 * 1024


class BrokenWorkbook(Exception):
    """The workbook cannot be read; `message` says why, in Swedish."""

    def __init__(self, message: str, forbidden_xml: bool = False):
        super().__init__(message)
        self.message = message
        self.forbidden_xml = forbidden_xml


def first_sheet_rows(archive) -> Iterator[tuple[int, list[str]]]:
    """(row number, [text of column A, text of column B, the other values in column order])
    for every row of the workbook's first worksheet that holds a cell; an empty cell is "".
    `archive`: an open zipfile.ZipFile, whose declared sizes the caller has checked."""
    workbook = _target(archive, "_rels/.rels", "", _OFFICE_DOCUMENT)
    if workbook is None:
        raise BrokenWorkbook("Zip-arkivet är ingen Excel-arbetsbok (arbetsboken saknas).")
    relationships = _relationships(archive, _rels_of(workbook))
    root = _parse(archive, workbook)
    sheet = None
    epoch = CALENDAR_WINDOWS_1900
    for element in root.iter():
        name = _local(element.tag)
        if name == "workbookPr" and element.get("date1904", "").lower() in ("1", "true"):
            epoch = CALENDAR_MAC_1904
        elif name == "sheet" and sheet is None:
            relationship = relationships.get(_attribute(element, "id"))
            if relationship is not None and relationship[0].endswith(_WORKSHEET):
                sheet = _resolve(workbook, relationship[1])
    if sheet is None:
        raise BrokenWorkbook("Arbetsboken har inget kalkylblad.")
    by_type = {kind: _resolve(workbook, target) for kind, target in relationships.values()}
    strings_part = next((p for t, p in by_type.items() if t.endswith(_SHARED_STRINGS)), None)
    styles_part = next((p for t, p in by_type.items() if t.endswith(_STYLES)), None)
    strings = _shared_strings(archive, strings_part) if strings_part else []
    dates = _date_styles(archive, styles_part) if styles_part else {}
    return _rows(archive, sheet, strings, dates, epoch)


# --- parts and relationships ---------------------------------------------------------------------


def _local(tag: str) -> str:
    """A tag or attribute name without its namespace: the strict and the transitional OOXML
    namespaces name the same elements."""
    return tag.rpartition("}")[2]


def _attribute(element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _bytes(archive, part: str) -> bytes:
    try:
        info = archive.getinfo(part)
    except KeyError:
        raise BrokenWorkbook(f"Delen {part} saknas i arbetsboken.") from None
    if info.flag_bits & 0x1:
        raise BrokenWorkbook("Arbetsboken är krypterad (lösenordsskyddad).")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as error:
        # a damaged member, a compression method zipfile does not know
        raise BrokenWorkbook(
            f"Delen {part} går inte att packa upp ({type(error).__name__})."
        ) from None


def _events(archive, part: str) -> Iterator[tuple[str, ElementTree.Element]]:
    """The part's "start" and "end" events, streamed."""
    data = _bytes(archive, part)
    try:
        if _UTF8_XML.match(data) and b"<!" not in data:
            parser = ElementTree.XMLPullParser(events=("start", "end"))
            for offset in range(0, len(data), _CHUNK):
                parser.feed(data[offset : offset + _CHUNK])
                yield from parser.read_events()
            parser.close()
            yield from parser.read_events()
        else:
            yield from defusedxml.ElementTree.iterparse(
                io.BytesIO(data), events=("start", "end"), forbid_dtd=True
            )
    except defusedxml.DefusedXmlException:
        raise BrokenWorkbook(
            "XLSX-filen innehåller XML-entiteter eller en DTD, vilket en Excel-arbetsbok "
            "aldrig gör; den läses inte av säkerhetsskäl. Spara om blanketten i Excel.",
            forbidden_xml=True,
        ) from None
    except (ElementTree.ParseError, LookupError, UnicodeError) as error:
        # LookupError: an encoding that Python does not know; UnicodeError: bytes not in it.
        raise BrokenWorkbook(f"Delen {part} är inte giltig XML ({_first_line(error)}).") from None


def _parse(archive, part: str) -> ElementTree.Element:
    root = None
    for event, element in _events(archive, part):
        if root is None:
            root = element
    return root


def _rels_of(part: str) -> str:
    return join(dirname(part), "_rels", part.rpartition("/")[2] + ".rels")


def _relationships(archive, rels: str) -> dict[str | None, tuple[str, str]]:
    """Id → (type, target) of a relationships part; none when the part is absent."""
    if rels not in archive.NameToInfo:
        return {}
    return {
        element.get("Id"): (element.get("Type", ""), element.get("Target", ""))
        for element in _parse(archive, rels).iter()
        if _local(element.tag) == "Relationship"
    }


def _target(archive, rels: str, source: str, kind: str) -> str | None:
    for relationship_type, target in _relationships(archive, rels).values():
        if relationship_type.endswith(kind):
            return _resolve(source, target)
    return None


def _resolve(source: str, target: str) -> str:
    """A relationship's target as a member name of the archive."""
    if target.startswith("/"):
        return target[1:]
    return normpath(join(dirname(source), target)).lstrip("/")


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__


# --- shared strings and date styles ------------------------------------------------------------


def _text(element) -> str:
    """The text of a string item (<si>, <is>): its <t>, or its runs' <t>, not phonetic hints."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive, part: str) -> list[str]:
    strings = []
    for event, element in _events(archive, part):
        if event == "end" and _local(element.tag) == "si":
            strings.append(_text(element))
            element.clear()
    return strings


def _date_styles(archive, part: str) -> dict[int, bool]:
    """Cell style index → whether its number format shows a duration (True) or a date or time
    (False), for the styles whose format is one of those."""
    root = _parse(archive, part)
    formats = dict(BUILTIN_FORMATS)
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            formats[_integer(element.get("numFmtId"), "numFmtId")] = element.get("formatCode", "")
    styles: dict[int, bool] = {}
    for cell_formats in (e for e in root if _local(e.tag) == "cellXfs"):
        for index, xf in enumerate(e for e in cell_formats if _local(e.tag) == "xf"):
            code = formats.get(_integer(xf.get("numFmtId", "0"), "numFmtId"), "")
            if is_date_format(code):
                styles[index] = is_timedelta_format(code)
    return styles


def _integer(text: str | None, what: str) -> int:
    if text is None or not text.isascii() or not text.isdigit():
        raise BrokenWorkbook(f"Arbetsboken har ett ogiltigt värde för {what}: {str(text)[:20]!r}.")
    return int(text)


# --- the sheet -----------------------------------------------------------------------------------


def _rows(archive, sheet: str, strings: list[str], dates: dict[int, bool], epoch: datetime):
    number = 0
    sheet_data = None
    for event, element in _events(archive, sheet):
        if event == "start" and _local(element.tag) == "sheetData":
            sheet_data = element
        if event != "end" or _local(element.tag) != "row":
            continue
        written = element.get("r")
        number = number + 1 if written is None else _integer(written, "radnummer")
        if not 1 <= number <= EXCEL_MAX_ROWS:
            raise BrokenWorkbook(f"Arbetsboken har en rad numrerad {number}, utanför Excels rader.")
        values: dict[int, str] = {}
        column = 0
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            column = _column(cell.get("r"), number) if cell.get("r") else column + 1
            if column > EXCEL_MAX_COLUMNS:
                raise BrokenWorkbook("Arbetsboken har en cell utanför Excels kolumner.")
            values[column] = _cell_text(cell, strings, dates, epoch)
        if sheet_data is not None:
            del sheet_data[:]  # the rows read: a long sheet is never held whole
        if values:
            extra = [values[c] for c in sorted(values) if c > 2 and values[c].strip()]
            yield number, [values.get(1, ""), values.get(2, ""), *extra]


def _column(reference: str, row: int) -> int:
    match = _REFERENCE.fullmatch(reference)
    if match is None or int(match.group(2)) != row:
        raise BrokenWorkbook(f"Arbetsboken har en ogiltig cellreferens: {reference[:20]!r}.")
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return column


def _cell_text(cell, strings: list[str], dates: dict[int, bool], epoch: datetime) -> str:
    """The cell's value as the text a person would have typed: a number in plain decimal
    notation as written (`180`, `12.299999999999999`, `0.0000001`; the value parser rounds), a
    date cell as ISO 8601, a boolean as TRUE or FALSE, an error as Excel shows it."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = next((c for c in cell if _local(c.tag) == "is"), None)
        return "" if inline is None else _text(inline)
    value = next((c.text or "" for c in cell if _local(c.tag) == "v"), "")
    if value == "":
        return ""
    if kind == "s":
        index = _integer(value, "delad textsträng")
        if index >= len(strings):
            raise BrokenWorkbook(f"Arbetsboken hänvisar till textsträng {index}, som saknas.")
        return strings[index]
    if kind == "b":
        return "TRUE" if value.strip() in ("1", "true") else "FALSE"
    if kind in ("str", "e", "d"):  # a formula's text, an error (#N/A), an ISO 8601 date
        return value
    if kind != "n" or not _NUMBER.fullmatch(value.strip()):
        raise BrokenWorkbook(f"Arbetsboken har ett tal som inte är ett tal: {value[:20]!r}.")
    number = Decimal(value.strip())
    style = cell.get("s")
    if style is not None and _integer(style, "cellformat") in dates:
        try:
            moment = from_excel(float(number), epoch, timedelta=dates[int(style)])
        except (OverflowError, ValueError):
            return "#VALUE!"  # as Excel shows a date out of its range
        return _moment_text(moment)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _moment_text(moment: datetime | date | time | timedelta) -> str:
    if isinstance(moment, timedelta):
        return str(moment)
    return moment.isoformat()
