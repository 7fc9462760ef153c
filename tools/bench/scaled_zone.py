"""Scaled landing zones for the growth benchmark (project issue 8, item 5).

Run from the project root: `.venv/bin/python -m tools.bench.scaled_zone FACTOR OUT`, then point
the pipeline at it with KOMPETENS_RAW_DIR=OUT/raw and KOMPETENS_REFERENCE_DIR=OUT/reference.

A zone of factor k holds k times the shipped zone's municipality-years (290 × 4 = 1 160), as
municipalities × years:

- municipalities are whole copies of the 290 (round robin: municipality i copies the i mod 290-th
  in kommunkod order), at most 32 copies (9 280): kommunkod has four digits, and the codes no
  municipality has are needed for the copies of the file rejected for an unknown kommunkod;
- years start in 2013 and are never fewer than the shipped four;
- as many municipalities as possible: k copies when k ≤ 32, else the largest number of copies
  c ≤ 32 that divides 4k, with 4k / c years. So 1× = 290 × 4, 10× = 2 900 × 4,
  100× = 7 250 × 16 (2013–2028) and 1000× = 9 280 × 125 (2013–2137).

What a zone holds:

- `reference/`: every file of the shipped reference set; `municipalities.csv`, `kommungrupp.csv`
  and `population_2013_2017.csv` list the generated municipalities (a copy takes its template's
  county, group and population; years after the last shipped one repeat its last population), and
  in `questions.csv` a question asked in 2016 is asked through the last generated year (the later
  forms repeat the 2016 form; questions that ended before 2016 keep their years), and
  `final_inventory_year.csv` names the zone's last year.
- `raw/<year>/`: the shipped files as templates. Years after 2016 cycle through the shipped years
  so that the last generated year is always a copy of 2016 (the final inventory the report counts
  is then shaped like 2016's): year y copies 2016 − ((last − y) mod 4). A zone of 4n years thus
  holds every shipped year n times, and the files, their formats and the ledger's statuses
  (superseded, duplicate, every rejection) scale with the factor. A 2013–2015 file copied into a
  later year leaves out the rows of the questions that year's form no longer asks
  (komp_uppfoljning_utvardering_*), as a municipality filling in that year's form would.
- Each copied file carries its municipality's kommunkod, the year and an inlämnad moved by as
  many years as the file (a multiple of four: the date stays valid), written the template's way
  (zero-padded or an Excel number, ISO text or an Excel date). Its name keeps the template's
  style with the new year, kommunkod or name; names that carry neither ("export (4).csv") are
  numbered on per copy. A copy's name is its template's with the copy number: "Boden 2".
- A file rejected for an unknown kommunkod gets, in each copy, another code that no municipality
  of the zone has, so that the copies stay distinct files (identical bytes would be duplicates).
  What is not a field stays as in the template: contact persons, the heading above a bad header.
- `rekvisitioner.csv` of year y: the template year's rows of each municipality's template.

Everything is deterministic. Templates are parsed once; each output file is the template's bytes
cut at the kommunkod, joined with the new code (XLSX: the sheet XML, zipped again stored, with
the template's fixed entry dates), so a file costs a join and a write.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import re
import shutil
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import defusedxml.ElementTree

from assets.ingest.landing_zone import REGISTER_FILE_NAME, SUBMISSIONS_FOLDER
from assets.report.build import FINAL_INVENTORY_YEAR_FILE_NAME
from schemas.catalog import (
    CATALOG_FILE_NAME,
    MUNICIPALITIES_FILE_NAME,
    SHIPPED_REFERENCE_DIR,
    load_catalog,
)
from tools.generate_raw.files import ascii_fold

SHIPPED_RAW_DIR = Path(__file__).resolve().parents[2] / "raw"
SHIPPED_YEARS = (2013, 2014, 2015, 2016)
FIRST_YEAR, LAST_SHIPPED_YEAR = SHIPPED_YEARS[0], SHIPPED_YEARS[-1]
SHIPPED_MUNICIPALITIES = 290
MAX_COPIES = 32
MAX_MUNICIPALITIES = SHIPPED_MUNICIPALITIES * MAX_COPIES
KOMMUNGRUPP_FILE_NAME = "kommungrupp.csv"
POPULATION_FILE_NAME = "population_2013_2017.csv"
CSV_DELIMITERS = (b";", b",", b"\t")
UTF8_BOM = b"\xef\xbb\xbf"
EXCEL_EPOCH = date(1899, 12, 30)  # serial 0 of Excel's 1900 date system
META_FIELDS = ("kommunkod", "ar", "inlamnad")

_GENERIC_COPY_NUMBER = re.compile(r"^(?P<stem>.*?)(?: \((?P<n>[0-9]+)\))?(?P<suffix>\.[^.]*)$")
_XLSX_ROW = re.compile(rb"<row [^>]*>.*?</row>|<row [^>]*/>", re.DOTALL)
_XLSX_QUESTION_CELL = re.compile(rb'<c r="A[0-9]+"[^>]* t="s"[^>]*><v>([0-9]+)</v></c>')
# A number in column B (no t= attribute): how xlsxwriter writes kommunkod, ar and inlamnad.
_XLSX_NUMBER_CELL = re.compile(rb'<c r="B[0-9]+"(?: s="[0-9]+")?><v>([^<]*)</v></c>')


@dataclass(frozen=True)
class ScaledZone:
    raw_dir: Path  # KOMPETENS_RAW_DIR
    reference_dir: Path  # KOMPETENS_REFERENCE_DIR
    municipalities: int
    years: tuple[int, ...]
    files: int  # submission files written under raw/<year>/inventering/

    @property
    def municipality_years(self) -> int:
        """The zone's size in the unit of the factor: 1 160 per factor."""
        return self.municipalities * len(self.years)


def zone_size(factor: int) -> tuple[int, int]:
    """(municipalities, years) of a factor, by the rule of the module docstring."""
    if factor < 1:
        raise ValueError(f"the factor must be a whole number ≥ 1, not {factor}")
    municipality_years = len(SHIPPED_YEARS) * factor  # in units of the 290
    copies = max(c for c in range(1, min(factor, MAX_COPIES) + 1) if municipality_years % c == 0)
    return SHIPPED_MUNICIPALITIES * copies, municipality_years // copies


def template_year(ar: int, last_year: int) -> int:
    """The shipped year whose files year `ar` copies (the last year copies 2016)."""
    if ar <= LAST_SHIPPED_YEAR:
        return ar
    return LAST_SHIPPED_YEAR - (last_year - ar) % len(SHIPPED_YEARS)


def build_scaled_zone(factor: int, out: Path) -> ScaledZone:
    """Write the zone of `factor` (1, 10, 100, 1000, …) under `out` (new or empty)."""
    municipalities, years = zone_size(factor)
    return build_zone(municipalities, years, out)


def build_zone(municipalities: int, years: int, out: Path) -> ScaledZone:
    """Write a zone of `municipalities` (1 … 9 280) over `years` years from 2013 under `out`."""
    if not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValueError(f"municipalities must be 1 … {MAX_MUNICIPALITIES}, not {municipalities}")
    if years < 1:
        raise ValueError(f"years must be ≥ 1, not {years}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    all_years = tuple(range(FIRST_YEAR, FIRST_YEAR + years))
    templates = _load_templates()
    zone = _Municipalities.generate(municipalities, templates.typo_codes)

    reference_dir = out / "reference"
    _write_reference(reference_dir, zone, all_years)
    catalog = load_catalog(reference_dir / CATALOG_FILE_NAME)
    forms = {ar: {q.question_id for q in catalog.form(ar)} for ar in (*SHIPPED_YEARS, *all_years)}

    raw_dir = out / "raw"
    files = 0
    for ar in all_years:
        shipped_year = template_year(ar, all_years[-1])
        year_dir = raw_dir / str(ar)
        (year_dir / SUBMISSIONS_FOLDER).mkdir(parents=True)
        (year_dir / REGISTER_FILE_NAME).write_bytes(
            templates.registers[shipped_year].render(zone.members)
        )
        not_asked = forms[shipped_year] - forms[ar]
        for template in templates.by_year[shipped_year]:
            files += _write_copies(template, ar, not_asked, zone, year_dir / SUBMISSIONS_FOLDER)
    return ScaledZone(raw_dir, reference_dir, municipalities, all_years, files)


# ---------------------------------------------------------------- the municipalities


@dataclass(frozen=True)
class _Municipality:
    kommunkod: str
    kommun: str
    template: str  # kommunkod of the shipped municipality it copies
    copy: int  # 0: the shipped municipality itself

    @property
    def fold(self) -> str:  # the name as the shipped file names spell it
        return ascii_fold(self.kommun)

    @property
    def slug(self) -> str:
        return self.fold.replace(" ", "_")


@dataclass(frozen=True)
class _Municipalities:
    members: tuple[_Municipality, ...]  # in kommunkod order
    copies_of: dict[str, tuple[_Municipality, ...]]  # template kommunkod → its copies, by copy
    unknown_codes: tuple[str, ...]  # four-digit codes of no municipality, nor of any template

    @classmethod
    def generate(cls, count: int, reserved: frozenset[str]) -> _Municipalities:
        _, shipped = _read_csv(SHIPPED_REFERENCE_DIR / MUNICIPALITIES_FILE_NAME)
        shipped_codes = {row["kommunkod"] for row in shipped}
        # "0000" is left out: as an Excel number it would be 0.
        free = (f"{n:04d}" for n in range(1, 10_000))
        free_codes = [c for c in free if c not in shipped_codes and c not in reserved]
        members = []
        for index in range(count):
            template = shipped[index % SHIPPED_MUNICIPALITIES]
            copy = index // SHIPPED_MUNICIPALITIES
            if copy == 0:
                kommunkod, kommun = template["kommunkod"], template["kommun"]
            else:
                kommunkod = free_codes[index - SHIPPED_MUNICIPALITIES]
                kommun = f"{template['kommun']} {copy + 1}"
            members.append(_Municipality(kommunkod, kommun, template["kommunkod"], copy))
        copies_of: dict[str, list[_Municipality]] = defaultdict(list)
        for member in members:
            copies_of[member.template].append(member)
        return cls(
            members=tuple(sorted(members, key=lambda m: m.kommunkod)),
            copies_of={code: tuple(copies) for code, copies in copies_of.items()},
            unknown_codes=tuple(free_codes[max(0, count - SHIPPED_MUNICIPALITIES) :]),
        )


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a reference CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _write_csv(path: Path, header: list[str], rows: Iterator[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _write_reference(reference_dir: Path, zone: _Municipalities, years: tuple[int, ...]) -> None:
    reference_dir.mkdir(parents=True)
    for shipped in sorted(SHIPPED_REFERENCE_DIR.iterdir()):
        if shipped.is_file():
            shutil.copyfile(shipped, reference_dir / shipped.name)

    header, shipped = _read_csv(SHIPPED_REFERENCE_DIR / MUNICIPALITIES_FILE_NAME)
    municipality = {row["kommunkod"]: row for row in shipped}
    _write_csv(
        reference_dir / MUNICIPALITIES_FILE_NAME,
        header,
        (
            {**municipality[m.template], "kommunkod": m.kommunkod, "kommun": m.kommun}
            for m in zone.members
        ),
    )
    header, shipped = _read_csv(SHIPPED_REFERENCE_DIR / KOMMUNGRUPP_FILE_NAME)
    group = {row["kommunkod"]: row for row in shipped}
    _write_csv(
        reference_dir / KOMMUNGRUPP_FILE_NAME,
        header,
        ({**group[m.template], "kommunkod": m.kommunkod} for m in zone.members),
    )
    header, shipped = _read_csv(SHIPPED_REFERENCE_DIR / POPULATION_FILE_NAME)
    populations: dict[str, dict[int, str]] = defaultdict(dict)
    for row in shipped:
        populations[row["kommunkod"]][int(row["year"])] = row["population"]
    last_known = max(int(row["year"]) for row in shipped)
    population_years = range(FIRST_YEAR, max(last_known, years[-1]) + 1)
    _write_csv(
        reference_dir / POPULATION_FILE_NAME,
        header,
        (
            {
                "kommunkod": m.kommunkod,
                "year": str(year),
                "population": populations[m.template][min(year, last_known)],
            }
            for m in zone.members
            for year in population_years
        ),
    )
    header, questions = _read_csv(SHIPPED_REFERENCE_DIR / CATALOG_FILE_NAME)
    _write_csv(
        reference_dir / CATALOG_FILE_NAME,
        header,
        ({**row, "years": _stretched(row["years"], years[-1])} for row in questions),
    )
    # The zone's final inventory is its last year, a copy of 2016 (see above); the shipped years
    # keep the shipped file as it is.
    header, (final,) = _read_csv(SHIPPED_REFERENCE_DIR / FINAL_INVENTORY_YEAR_FILE_NAME)
    if years[-1] != LAST_SHIPPED_YEAR:
        final = {
            **final,
            "final_inventory_year": str(years[-1]),
            "source": "the scaled zone's last year, a copy of 2016 (tools/bench)",
        }
    _write_csv(reference_dir / FINAL_INVENTORY_YEAR_FILE_NAME, header, iter([final]))


def _stretched(years: str, last_year: int) -> str:
    """A catalog year range with the 2016 form repeated through `last_year`."""
    first, _, last = years.partition("-")
    if int(last or first) != LAST_SHIPPED_YEAR or last_year <= LAST_SHIPPED_YEAR:
        return years
    return f"{first}-{last_year}"


# ---------------------------------------------------------------- the templates


@dataclass(frozen=True)
class _Slot:
    """A metadata value inside a template, replaced in every copy."""

    field: str  # kommunkod | ar | inlamnad
    text: str  # as the template writes it
    excel: bool  # a number in an XLSX cell (kommunkod without its zero, inlamnad a date serial)


@dataclass(frozen=True)
class _Row:
    """A line of a CSV template or a <row> of an XLSX sheet (question None: any other bytes)."""

    question_id: str | None
    pieces: tuple[bytes | _Slot, ...]


@dataclass(frozen=True)
class _FileName:
    """The template's file name as a str.format pattern over ar, kommunkod, slug, fold, lower and
    number. `generic` (number, how many share the name in the folder) for a name that carries
    neither kommunkod nor name ("export (4).csv"): it is numbered on per copy."""

    pattern: str
    generic: tuple[int, int] | None

    def render(self, ar: int, municipality: _Municipality) -> str:
        number = ""
        if self.generic is not None:
            position, count = self.generic
            copy_number = municipality.copy * count + position
            number = "" if copy_number == 1 else f" ({copy_number})"
        return self.pattern.format(
            ar=ar,
            kommunkod=municipality.kommunkod,
            fold=municipality.fold,
            slug=municipality.slug,
            lower=municipality.slug.lower(),
            number=number,
        )


@dataclass(frozen=True)
class _Template:
    ar: int  # its year folder
    owner: str  # kommunkod of the municipality that sent it
    name: _FileName
    verbatim: bytes | None  # a file the ledger rejects by its name alone (a PDF): copied as is
    rows: tuple[_Row, ...]  # CSV lines or the XLSX sheet's parts, in order
    archive: tuple[tuple[zipfile.ZipInfo, bytes | None], ...]  # XLSX: entries, None = the sheet
    kommunkod_written: str | None  # the kommunkod as the template writes it ("0114", "114")
    kommunkod_is_known: bool  # False: the unknown_municipality typo of the shipped zone


@dataclass(frozen=True)
class _Register:
    """rekvisitioner.csv of a shipped year: its header and each municipality's rows."""

    header: bytes
    rows: dict[str, tuple[bytes, ...]]  # kommunkod → the bytes after the kommunkod of each line

    def render(self, members: tuple[_Municipality, ...]) -> bytes:
        lines = [self.header]
        for member in members:
            code = member.kommunkod.encode("ascii")
            lines.extend(code + rest for rest in self.rows.get(member.template, ()))
        return b"".join(lines)


@dataclass(frozen=True)
class _Templates:
    by_year: dict[int, tuple[_Template, ...]]
    registers: dict[int, _Register]
    typo_codes: frozenset[str]  # kommunkoder in the templates that are no municipality's


def _load_templates() -> _Templates:
    _, shipped = _read_csv(SHIPPED_REFERENCE_DIR / MUNICIPALITIES_FILE_NAME)
    names = {row["kommunkod"]: ascii_fold(row["kommun"]) for row in shipped}
    by_year: dict[int, tuple[_Template, ...]] = {}
    registers: dict[int, _Register] = {}
    typo_codes: set[str] = set()
    for ar in SHIPPED_YEARS:
        folder = SHIPPED_RAW_DIR / str(ar) / SUBMISSIONS_FOLDER
        paths = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        generic_counts = Counter(_generic_base(p.name) for p in paths)
        templates = []
        for path in paths:
            template = _template(path, ar, names, generic_counts)
            templates.append(template)
            if template.kommunkod_written and not template.kommunkod_is_known:
                typo_codes.add(template.kommunkod_written.zfill(4))
        by_year[ar] = tuple(templates)
        registers[ar] = _register(SHIPPED_RAW_DIR / str(ar) / REGISTER_FILE_NAME)
    return _Templates(by_year, registers, frozenset(typo_codes))


def _register(path: Path) -> _Register:
    header, *lines = path.read_bytes().splitlines(keepends=True)
    rows: dict[str, list[bytes]] = defaultdict(list)
    for line in lines:
        code, separator, rest = line.partition(b";")
        rows[code.decode("ascii")].append(separator + rest)
    return _Register(header, {code: tuple(rest) for code, rest in rows.items()})


def _template(
    path: Path, ar: int, names: dict[str, str], generic_counts: Counter[str]
) -> _Template:
    data = path.read_bytes()
    suffix = path.suffix.lower()
    archive: tuple[tuple[zipfile.ZipInfo, bytes | None], ...] = ()
    if suffix == ".csv":
        rows, verbatim = _csv_rows(data, path), None
    elif suffix == ".xlsx":
        archive, rows = _xlsx_parts(data, path)
        verbatim = None
    else:
        rows, verbatim = (), data
    written = {
        piece.text
        for row in rows
        for piece in row.pieces
        if isinstance(piece, _Slot) and piece.field == "kommunkod"
    }
    # Copies of a file without a kommunkod would be byte-identical: duplicates, not copies.
    if verbatim is None and len(written) != 1:
        raise ValueError(f"{path}: a template needs one kommunkod to vary, found {written}")
    kommunkod_written = next(iter(written), None)
    owner = kommunkod_written.zfill(4) if kommunkod_written else None
    kommunkod_is_known = owner in names
    if not kommunkod_is_known:  # a typo, or no content to read: the file name says whose it is
        owner = _owner_by_name(path.name, names)
    name = _file_name(path.name, ar, owner, names[owner], generic_counts)
    return _Template(
        ar, owner, name, verbatim, rows, archive, kommunkod_written, kommunkod_is_known
    )


def _owner_by_name(file_name: str, names: dict[str, str]) -> str:
    found = [
        (len(fold), code)
        for code, fold in names.items()
        if any(_name_match(file_name, form) for form in _name_forms(fold))
    ]
    if not found:
        raise ValueError(
            f"{file_name}: no municipality's kommunkod in the file nor name in its name"
        )
    return max(found)[1]


def _name_forms(fold: str) -> tuple[str, str, str]:
    slug = fold.replace(" ", "_")
    return slug, fold, slug.lower()


def _name_match(file_name: str, form: str) -> re.Match[str] | None:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", file_name)


def _generic_base(file_name: str) -> str:
    match = _GENERIC_COPY_NUMBER.match(file_name)
    return match["stem"] + match["suffix"]


def _file_name(
    file_name: str, ar: int, owner: str, fold: str, generic_counts: Counter[str]
) -> _FileName:
    pattern = file_name.replace("{", "{{").replace("}", "}}")
    pattern = re.sub(rf"(?<![0-9]){ar}(?![0-9])", "{ar}", pattern)
    pattern, with_code = re.subn(rf"(?<![0-9]){owner}(?![0-9])", "{kommunkod}", pattern)
    for form in _name_forms(fold):
        match = _name_match(pattern, form)
        if match:
            # The separator before the name tells how the template spelled it (generate_raw):
            # "Inventering_Upplands_Vasby", "kompetensinventering Upplands Vasby 2016",
            # "kompetensinventering-upplands_vasby-2016".
            before = pattern[match.start() - 1] if match.start() else " "
            slot = {"_": "{slug}", "-": "{lower}"}.get(before, "{fold}")
            return _FileName(pattern[: match.start()] + slot + pattern[match.end() :], None)
    if with_code:
        return _FileName(pattern, None)
    parts = _GENERIC_COPY_NUMBER.match(pattern)
    generic = (int(parts["n"] or 1), generic_counts[_generic_base(file_name)])
    return _FileName(parts["stem"] + "{number}" + parts["suffix"], generic)


def _slot(field: str, text: str, excel: bool) -> _Slot | None:
    """The slot for a metadata value, or None when the value is not one a copy can vary
    (a missing or unparseable date stays as the template has it: "vecka 45")."""
    if field == "kommunkod":
        ok = re.fullmatch(r"[0-9]{1,4}", text) is not None
    elif field == "ar":
        ok = re.fullmatch(r"[0-9]{4}", text) is not None
    elif excel:
        ok = re.fullmatch(r"[0-9]+(\.[0-9]+)?", text) is not None
    else:
        ok = _iso_date(text) is not None
    return _Slot(field, text, excel) if ok else None


def _iso_date(text: str) -> date | None:
    if len(text) > 10 and text[10] not in "T ":
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _csv_rows(data: bytes, path: Path) -> tuple[_Row, ...]:
    lines = data.splitlines(keepends=True)
    for header_index, line in enumerate(lines):
        layout = _csv_layout(line.removeprefix(UTF8_BOM).rstrip(b"\r\n"))
        if layout is not None:
            break
    else:
        raise ValueError(f"{path}: no header line with fraga and svar")
    delimiter, answer_first = layout
    rows = [_Row(None, (line,)) for line in lines[: header_index + 1]]
    for line in lines[header_index + 1 :]:
        body = line.rstrip(b"\r\n")
        ending = line[len(body) :]
        question_cell = (
            body.rsplit(delimiter, 1)[-1] if answer_first else body.split(delimiter, 1)[0]
        )
        question_id = question_cell.decode("ascii", "replace").strip().lower()
        pieces: tuple[bytes | _Slot, ...] = (line,)
        if question_id in META_FIELDS and body.count(delimiter) == 1:
            answer_cell = body.split(delimiter)[0 if answer_first else 1]
            slot = _slot(question_id, answer_cell.decode("ascii", "replace"), excel=False)
            if slot is not None:
                pieces = (
                    (slot, delimiter + question_cell)
                    if answer_first
                    else (question_cell + delimiter, slot)
                )
                pieces += (ending,)
        rows.append(_Row(question_id, pieces))
    return tuple(rows)


def _csv_layout(header: bytes) -> tuple[bytes, bool] | None:
    """(delimiter, svar before fraga) when `header` is the line with fraga and svar."""
    for delimiter in CSV_DELIMITERS:
        cells = [cell.strip().lower() for cell in header.split(delimiter)]
        if cells == [b"fraga", b"svar"] or cells == [b"svar", b"fraga"]:
            return delimiter, cells[0] == b"svar"
    return None


def _xlsx_parts(
    data: bytes, path: Path
) -> tuple[tuple[tuple[zipfile.ZipInfo, bytes | None], ...], tuple[_Row, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    contents = {info.filename: content for info, content in entries}
    strings = [
        "".join(item.itertext())
        for item in defusedxml.ElementTree.fromstring(contents["xl/sharedStrings.xml"])
    ]
    sheet_name = "xl/worksheets/sheet1.xml"
    if sheet_name not in contents:
        raise ValueError(f"{path}: no {sheet_name}")
    sheet = contents[sheet_name]
    rows, position = [], 0
    for match in _XLSX_ROW.finditer(sheet):
        rows.append(_Row(None, (sheet[position : match.start()],)))
        position = match.end()
        row = match.group()
        question = _XLSX_QUESTION_CELL.search(row)
        question_id = strings[int(question[1])].strip().lower() if question else None
        pieces: tuple[bytes | _Slot, ...] = (row,)
        number = _XLSX_NUMBER_CELL.search(row)
        if question_id in META_FIELDS and number is not None:
            slot = _slot(question_id, number[1].decode("ascii"), excel=True)
            if slot is not None:
                pieces = (row[: number.start(1)], slot, row[number.end(1) :])
        rows.append(_Row(question_id, pieces))
    rows.append(_Row(None, (sheet[position:],)))
    archive_parts = tuple(
        (info, None if info.filename == sheet_name else content) for info, content in entries
    )
    return archive_parts, tuple(rows)


# ---------------------------------------------------------------- the copies


def _write_copies(
    template: _Template, ar: int, not_asked: set[str], zone: _Municipalities, folder: Path
) -> int:
    """Write the copies of `template` into year `ar`; the number of files written."""
    copies = zone.copies_of.get(template.owner, ())
    if template.verbatim is not None:
        for municipality in copies:
            (folder / template.name.render(ar, municipality)).write_bytes(template.verbatim)
        return len(copies)
    shift = ar - template.ar
    # The content between the kommunkod slots, with ar and inlamnad already in place.
    chunks, current, excel = [], [], False
    for row in template.rows:
        if row.question_id in not_asked:
            continue
        for piece in row.pieces:
            if isinstance(piece, bytes):
                current.append(piece)
            elif piece.field == "kommunkod":
                chunks.append(b"".join(current))
                current, excel = [], piece.excel
            else:
                current.append(_shifted(piece, shift).encode("ascii"))
    chunks.append(b"".join(current))
    for municipality in copies:
        kommunkod = _kommunkod_text(template, municipality, zone, excel)
        content = kommunkod.encode("ascii").join(chunks)
        if template.archive:
            content = _zipped(template.archive, content)
        (folder / template.name.render(ar, municipality)).write_bytes(content)
    return len(copies)


def _kommunkod_text(
    template: _Template, municipality: _Municipality, zone: _Municipalities, excel: bool
) -> str:
    written = template.kommunkod_written
    if template.kommunkod_is_known:
        code = municipality.kommunkod
    elif municipality.copy == 0:
        return written
    else:
        code = zone.unknown_codes[municipality.copy - 1]
    # Excel drops the zero of 0114; a CSV keeps the template's way of writing it.
    return str(int(code)) if excel or len(written) < 4 else code


def _shifted(slot: _Slot, years: int) -> str:
    """An ar or inlamnad value moved `years` years on, written as in the template."""
    if slot.field == "ar":
        return str(int(slot.text) + years)
    if slot.excel:
        whole, dot, fraction = slot.text.partition(".")
        day = EXCEL_EPOCH + timedelta(days=int(whole))
        moved = _years_later(day, years)
        return f"{int(whole) + (moved - day).days}{dot}{fraction}"
    day = date.fromisoformat(slot.text[:10])
    return _years_later(day, years).isoformat() + slot.text[10:]


def _years_later(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def _zipped(archive: tuple[tuple[zipfile.ZipInfo, bytes | None], ...], sheet: bytes) -> bytes:
    """The template's archive with its sheet replaced, every entry as the template stored it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info, content in archive:
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.create_system = info.create_system
            entry.external_attr = info.external_attr
            entry.compress_type = info.compress_type
            target.writestr(entry, sheet if content is None else content)
    return buffer.getvalue()


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench.scaled_zone",
        description="Write a landing zone FACTOR times the shipped one, with its reference set.",
    )
    parser.add_argument("factor", type=int, help="1, 10, 100, 1000, …")
    parser.add_argument("out", type=Path, help="a new or empty folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        zone = build_scaled_zone(args.factor, args.out)
    except (ValueError, FileExistsError) as error:
        print(error, file=sys.stderr)
        return 2
    print(
        f"{zone.municipalities} municipalities × {len(zone.years)} years "
        f"({zone.years[0]}–{zone.years[-1]}) = {zone.municipality_years} municipality-years, "
        f"{zone.files} submission files in {time.perf_counter() - started:.1f} s\n"
        f"KOMPETENS_RAW_DIR={zone.raw_dir} KOMPETENS_REFERENCE_DIR={zone.reference_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
