"""Reading many files at once (project issue 16): `read_submissions` gives what `read_submission`
gives file by file, and the parse cache is the same whether one process reads or a pool does."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import astuple, dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from assets import processes
from assets.ingest import parse_cache, reader
from assets.ingest.landing_zone import file_sha256, relative_path, scan_landing_zone
from assets.ingest.ledger import build_ledger
from assets.ingest.reader import file_suffix, read_submission, read_submissions
from assets.tables import create_tables
from assets.validate.blocks import validate_slices, validate_submissions
from schemas.catalog import REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR, load_catalog
from schemas.contract import REJECTED
from tests.conformance_zone import build_conformance_landing_zone
from tests.hostile.recipes import CORPUS, build_hostile_files
from tests.landing_zone_fixture import build_small_landing_zone

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_RAW = PROJECT_ROOT / "raw"


def _files(folder: Path) -> list[tuple[bytes, str]]:
    return [
        (path.read_bytes(), file_suffix(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    ]


def _one_by_one(files: list[tuple[bytes, str]]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The rows `read_submissions` must give, written out from `read_submission`'s results."""
    results = [read_submission(data, suffix) for data, suffix in files]
    reads = [
        (item, r.reason_code, r.message, r.kommunkod, r.ar, r.inlamnad)
        for item, r in enumerate(results)
    ]
    answers = [
        (item, question_id, text, r.unparseable.get(question_id), r.lines[question_id])
        for item, r in enumerate(results)
        for question_id, text in r.answers.items()
    ]
    findings = [(item, *astuple(f)) for item, r in enumerate(results) for f in r.findings]
    return reads, answers, findings


def _assert_read_alike(files: list[tuple[bytes, str]]) -> None:
    read = read_submissions(files)
    reads, answers, findings = _one_by_one(files)
    assert read.reads.rows() == reads
    assert read.answers.rows() == answers
    assert read.findings.rows() == findings


# --- the same result as read_submission ------------------------------------------------------


def test_the_shipped_landing_zone_is_read_alike():
    _assert_read_alike(_files(SHIPPED_RAW))


def test_the_small_conformance_and_hostile_zones_are_read_alike(tmp_path):
    build_small_landing_zone(tmp_path / "small")
    build_conformance_landing_zone(tmp_path / "conformance")
    build_hostile_files(tmp_path / "hostile")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    _assert_read_alike(_files(tmp_path))


META = [("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "2016-11-20")]
# Text that str.strip() and str.lower() treat in ways a columnar pass might not: white space
# beyond " " and "\t", a BOM, letters whose lower case is not ASCII or is ASCII though they
# are not (the Kelvin sign), and the characters a CSV reader treats specially.
AWKWARD = [
    "\xa0", "\x1c", "\x1f", "\x85", "\u2028", "\u3000", "\ufeff", "\x0b", "\x0c", "İ", "K",
    "Σ", "ß", '"', "\r", "\n", ";", ",", "\t", " ", "å", "Ä", "\x00",
]  # fmt: skip


def _fuzzed_csv(rng: random.Random, question_ids: list[str], odd: float) -> tuple[bytes, str]:
    """A CSV file of the questions, each of its rows made odd with probability `odd`."""
    plain = rng.random() > odd * 10
    delimiter = rng.choice([";", ",", "\t"])
    header = rng.choice([("fraga", "svar"), ("svar", "fraga"), (" Fraga ", "SVAR")])
    if not plain:
        header = rng.choice([header, ("fraga", "svar", "kommentar"), ("question", "answer")])
    rows = [header[0] + delimiter + delimiter.join(header[1:])]
    rows[:0] = rng.choice([[], [""], ["  "], [delimiter * 3], ["Kompetensinventering 2016"]])
    entries = [*META, *((q, rng.choice(["1", "2,5", "ja", "0", " 7 ", ""])) for q in question_ids)]
    rng.shuffle(entries)
    for question_id, answer in entries:
        if rng.random() < odd:
            question_id = question_id.upper()
        if rng.random() < odd:
            answer = answer + rng.choice(AWKWARD) + rng.choice(["", "5", " "])
        if rng.random() < odd:
            question_id = rng.choice(AWKWARD) + question_id
        svar_first = header[0].strip().lower() == "svar"
        fields = [answer, question_id] if svar_first else [question_id, answer]
        if rng.random() < odd:
            fields.append(rng.choice(["", " ", "x", "5"]))
        rows.append(delimiter.join(fields))
        if rng.random() < odd:
            rows.append(rng.choice(["", " ", delimiter, rows[-1]]))
    newline = rng.choice(["\n", "\r\n"] if plain else ["\n", "\r\n", "\r"])
    text = newline.join(rows) + rng.choice(["", newline])
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"] if plain else ["utf-8", "utf-16"])
    suffix = rng.choice([".csv", ".CSV"] if plain else [".csv", ".txt"])
    return text.encode(encoding, errors="replace"), suffix


def test_fuzzed_csv_files_are_read_alike():
    """Files built from the catalog's questions with the irregularities a columnar pass must
    either read exactly as read_submission does or leave to it; most of them plain."""
    rng = random.Random(16)
    question_ids = sorted(load_catalog().questions)
    files = []
    for _ in range(2000):
        chosen = rng.sample(question_ids, rng.randint(0, 40))
        chosen += rng.choice([[], ["okand_fraga"], [""], [rng.choice(question_ids)]])
        files.append(_fuzzed_csv(rng, chosen, odd=rng.choice([0.0, 0.002, 0.01, 0.05])))
    _assert_read_alike(files)


def test_plain_csv_files_are_read_in_the_columnar_pass(monkeypatch):
    """The columnar pass reads the plain CSV files of the shipped zone itself: only the others
    are read one by one."""
    files = _files(SHIPPED_RAW)
    plain_csv = [
        (data, suffix)
        for data, suffix in files
        if suffix == ".csv"
        and b'"' not in data
        and read_submission(data, suffix).reason_code is None
    ]
    assert len(plain_csv) > 300
    one_by_one = []
    read_one = reader._read

    def counted(data, suffix):
        one_by_one.append(data)
        return read_one(data, suffix)

    monkeypatch.setattr(reader, "_read", counted)
    read_submissions(plain_csv)
    assert len(one_by_one) < len(plain_csv) / 20
    read_submissions([(b"%PDF-1.4", ".pdf")])
    assert one_by_one[-1] == b"%PDF-1.4"  # what is not a plain CSV is read one by one


def test_an_empty_list_reads_as_empty_frames():
    read = read_submissions([])
    assert (read.reads.height, read.answers.height, read.findings.height) == (0, 0, 0)


# --- the parse cache, read by one process or by a pool ---------------------------------------


def _parse_cache_rows(raw: Path) -> dict[str, list[tuple]]:
    files = scan_landing_zone(raw)
    sha256 = {f.path: file_sha256(f.abs_path) for f in files if not f.is_symlink}
    con = duckdb.connect()
    try:
        create_tables(con)
        parse_cache.read_into_parse_cache(con, files, sha256)
        return {
            table: con.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("core.file_reads", "core.file_answers", "core.file_findings")
        }
    finally:
        con.close()


@pytest.fixture
def zone_of_every_kind(tmp_path) -> Path:
    raw = build_small_landing_zone(tmp_path / "raw")
    build_hostile_files(raw / "2016" / "inventering")
    shutil.copytree(CORPUS, raw / "2015" / "inventering" / "korpus")
    return raw


def test_a_pool_of_readers_fills_the_parse_cache_as_one_process_does(
    zone_of_every_kind, monkeypatch
):
    serial = _parse_cache_rows(zone_of_every_kind)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(parse_cache, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(parse_cache, "POOL_TASK_FILES", 3)  # many tasks, read ahead and in order
    started, submitted, read_here = [], [], []

    class Pool(processes.ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            started.append(workers)
            super().__init__(workers, **kwargs)

        def submit(self, function, *args):
            submitted.append(args)
            return super().submit(function, *args)

    class Here(processes._Here):
        def compute(self, function):
            read_here.append(self.task)
            super().compute(function)

    monkeypatch.setattr(processes, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(processes, "_Here", Here)

    assert _parse_cache_rows(zone_of_every_kind) == serial
    assert started == [1]  # a worker besides this process, which reads too
    assert submitted and read_here  # both read their share
    assert serial["core.file_answers"] and serial["core.file_findings"]


def test_a_pool_reads_against_the_reference_data_in_use(tmp_path, monkeypatch):
    """The workers are told which reference set to read against (KOMPETENS_REFERENCE_DIR as this
    process has it, not as it was when the process started)."""
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    # A register without Stockholm: its files are then of an unknown municipality.
    register = reference / "municipalities.csv"
    register.write_text(
        "".join(
            line
            for line in register.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("0180,")
        ),
        encoding="utf-8",
    )
    raw = build_small_landing_zone(tmp_path / "raw")
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
    serial = _parse_cache_rows(raw)
    assert any(row[3] == "unknown_municipality" for row in serial["core.file_reads"])
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(parse_cache, "POOL_MIN_FILES", 1)
    assert _parse_cache_rows(raw) == serial


@pytest.mark.parametrize(
    ("cores", "contents", "workers"),
    [({0}, 10**6, 1), ({0, 1}, 10**6, 2), ({0, 1}, 10, 1), ({0, 1, 2, 3}, 10**6, 4)],
)
def test_one_reader_per_core_this_process_may_use(monkeypatch, cores, contents, workers):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cores)
    assert parse_cache.reading_workers(contents) == workers


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this OS")
def test_a_process_bound_to_one_core_reads_alone():
    """As under `taskset -c 0`: the process's CPU affinity, not the machine's cores, counts."""
    script = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "from assets.ingest.parse_cache import reading_workers; print(reading_workers(10**6))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "1"


@pytest.mark.parametrize("cores", [{0}, {0, 1}])
def test_a_file_removed_after_it_was_hashed_is_unreadable_not_a_crash(
    zone_of_every_kind, monkeypatch, cores
):
    """Issue 22, item 1: bad input never crashes a run. A file gone between its hash and its read
    has no hash, so the ledger rejects it as unreadable, with one reader as with a pool."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cores)
    monkeypatch.setattr(parse_cache, "POOL_MIN_FILES", 1)
    files = scan_landing_zone(zone_of_every_kind)
    sha256 = {f.path: file_sha256(f.abs_path) for f in files if not f.is_symlink}
    gone = next(f for f in files if f.path.endswith(".csv"))
    gone.abs_path.unlink()
    con = duckdb.connect()
    create_tables(con)
    read = parse_cache.read_into_parse_cache(con, files, sha256)
    ledger = build_ledger(read.files, read.sha256, parse_cache.cached_reads(con))
    con.close()
    assert gone.path not in read.sha256
    (row,) = [row for row in ledger if row.path == gone.path]
    assert (row.status, row.reason_code) == (REJECTED, "unreadable")


# --- workbooks of a template read before --------------------------------------------------


def _template_parts(date1904: bool = False, strings_declared: bool = True) -> dict[str, bytes]:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Blankett")
    sheet.write_string(0, 0, "fraga")
    sheet.write_datetime(
        1, 1, dt.datetime(2016, 11, 20), workbook.add_format({"num_format": "yyyy-mm-dd"})
    )
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if date1904:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"<workbookPr", b'<workbookPr date1904="1"'
        )
    if not strings_declared:
        parts["[Content_Types].xml"] = re.sub(
            rb'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', b"", parts["[Content_Types].xml"]
        )
    return parts


def _odd_cell(rng: random.Random, reference: str, text: str, strings: list[str], odd: float) -> str:
    """A cell of `text`, as Excel or another program may write it."""
    r = (
        f' r="{reference}"'
        if rng.random() > odd
        else rng.choice(["", ' r="B"', ' r="A0"', ' r="ZZZZ1"'])
    )
    kind = rng.choice(["s"] * 6 + ["n", "date", "str", "inline", "b", "e", "d", "empty", "two"])
    if rng.random() > odd * 5:
        kind = "s" if not text.replace(".", "").isdigit() else rng.choice(["s", "n"])
    if kind == "s":
        strings.append(text)
        return f'<c{r} t="s"><v>{len(strings) - 1}</v></c>'
    if kind == "n":
        number = text
        if rng.random() < odd * 5:
            number = rng.choice([text + ".0", "1E3", "12.299999999999999", "-0", "abc", "1.5e-7"])
        return f"<c{r}><v>{number}</v></c>"
    if kind == "date":
        serial = rng.choice(["42694", "42694.5", "0.25", "59", "61", "99999999", "-1", "abc"])
        return f'<c{r} s="1"><v>{serial}</v></c>'
    if kind == "str":
        return f'<c{r} t="str"><f>A1&amp;""</f><v>{text}</v></c>'
    if kind == "inline":
        return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'
    if kind == "b":
        return f'<c{r} t="b"><v>{rng.choice(["0", "1", "2", "x"])}</v></c>'
    if kind == "e":
        return f'<c{r} t="e"><v>#N/A</v></c>'
    if kind == "d":
        return f'<c{r} t="d"><v>{rng.choice(["2016-11-20T10:00:00", "2016-11-20", "x"])}</v></c>'
    if kind == "empty":
        return f"<c{r}><v></v></c>"
    return f"<c{r}><v>{text}</v><v>7</v></c>"


SHEET_EXTRAS = [
    "", "", "", "", '<cols><col min="1" max="2" width="20" customWidth="1"/></cols>',
    '<cols><col min="x" max="2"/></cols>', '<sheetPr><tabColor rgb="FF00FF00"/></sheetPr>',
    '<sheetPr codeName="x" filterMode="maybe"/>', "<!-- kommentar -->",
]  # fmt: skip
SHEET_TAILS = [
    "", "", "", '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>',
    '<pageMargins left="x" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
    "<extLst/>", ('<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1">'
    "<formula>1</formula></cfRule></conditionalFormatting>"),
]  # fmt: skip
STRING_FORMS = [
    "<si><t>{}</t></si>", '<si><t xml:space="preserve">{}</t></si>', "<si><t>x</t><t>{}</t></si>",
    "<si><r><t>{}</t></r></si>", "<si><t>{}</t><rPh sb=\"0\" eb=\"1\"><t>y</t></rPh></si>",
    '<si foo="1"><t>{}</t></si>', "<si><t>{}_x000D_x005F_</t></si>",
]  # fmt: skip


def _fuzzed_xlsx(rng: random.Random, parts: dict[str, bytes], odd: float) -> bytes:
    question_ids = sorted(load_catalog().questions)
    rows = [
        (" Fraga " if rng.random() < odd else "fraga", "SVAR" if rng.random() < odd else "svar")
    ]
    rows += [("kommunkod", "180"), ("ar", "2016"), ("inlamnad", "2016-11-20")]
    rows += [(q, rng.choice(["1", "2.5", "ja", " 3 ", ""])) for q in rng.sample(question_ids, 12)]
    strings: list[str] = []
    xml_rows = []
    number = 0
    for question, answer in rows:
        number += 1
        if rng.random() < odd:
            number = rng.choice([number - 2, number + 3, 1_048_577, number])
        row_number = (
            f' r="{number}"' if rng.random() > odd else rng.choice(["", ' r="4.0"', ' r="4.5"'])
        )
        cells = _odd_cell(rng, f"A{number}", question, strings, odd)
        cells += _odd_cell(rng, f"B{number}", answer, strings, odd)
        if rng.random() < odd:
            cells += f'<c r="C{number}"><v>9</v></c>'
        xml_rows.append(f"<row{row_number}>{cells}</row>")
    if rng.random() < odd:
        xml_rows.insert(rng.randrange(len(xml_rows)), rng.choice(["<row/>", "<row><foo/></row>"]))
    dimension = '<dimension ref="A1:B20"/>'
    if rng.random() < odd * 5:
        dimension = rng.choice(['<dimension ref="A1:ZZZZ9"/>', ""])
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{rng.choice(SHEET_EXTRAS) if rng.random() < odd * 5 else ''}{dimension}"
        f"<sheetData>{''.join(xml_rows)}</sheetData>"
        f"{rng.choice(SHEET_TAILS) if rng.random() < odd * 5 else ''}</worksheet>"
    )
    if rng.random() < odd:
        sheet = sheet[: rng.randrange(len(sheet))]
    shared = "".join(
        (rng.choice(STRING_FORMS) if rng.random() < odd else "<si><t>{}</t></si>").format(text)
        for text in strings
    )
    if rng.random() < odd:
        shared = shared.replace("<si><t>", "<si><r><t>", 1).replace("</t></si>", "</t></r></si>", 1)
    varying = {
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{shared}</sst>'
        ).encode(),
    }
    if rng.random() < odd:
        varying["docProps/core.xml"] = rng.choice([b"", b"<x", parts["docProps/core.xml"][:-20]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, varying.get(name, content))
    return buffer.getvalue()


def test_workbooks_of_one_template_with_odd_parts_are_read_alike():
    """Workbooks made from a few templates, some with odd or broken parts, are read alike
    whether read together or one by one."""
    rng = random.Random(7)
    templates = [
        _template_parts(),
        _template_parts(date1904=True),
        _template_parts(strings_declared=False),
    ]
    files = [(_fuzzed_xlsx(rng, parts, odd=0.0), ".xlsx") for parts in templates]
    for _ in range(600):
        parts = rng.choices(templates, weights=[6, 3, 1])[0]
        odd = rng.choice([0.0, 0.0, 0.002, 0.005, 0.01, 0.03, 0.1])
        files.append((_fuzzed_xlsx(rng, parts, odd), ".xlsx"))
    _assert_read_alike(files)


# --- tasks across processes, in order ------------------------------------------------------


@dataclass
class _Described:
    number: int
    frames: tuple[pl.DataFrame, ...]


def _described(number: int, frame: pl.DataFrame) -> _Described:
    """A task for a worker: frames with texts, nulls and other types, as results hold them."""
    return _Described(number, (frame, frame.with_columns(pl.col("text").str.to_uppercase())))


def test_tasks_across_processes_come_back_in_task_order_and_unchanged(monkeypatch):
    monkeypatch.setattr(processes, "POOL_TASKS_AHEAD_PER_WORKER", 1)
    frames = [
        pl.DataFrame(
            {"text": [f"{number}", None, "å" * number], "value": [number, None, 1.5]},
            schema={"text": pl.String, "value": pl.Float64},
        )
        for number in range(12)
    ]
    frames.append(frames[0].clear())
    tasks = [(number, frame) for number, frame in enumerate(frames)]

    results = list(processes.in_task_order(_described, tasks, processes=3))

    assert [result.number for result in results] == list(range(len(frames)))
    for result, (number, frame) in zip(results, tasks, strict=True):
        expected = _described(number, frame)
        assert all(
            got.equals(want) and got.schema == want.schema
            for got, want in zip(result.frames, expected.frames, strict=True)
        )


def test_validating_slices_across_processes_gives_each_slices_validation(tmp_path, monkeypatch):
    raw = build_conformance_landing_zone(tmp_path / "raw")
    build_small_landing_zone(tmp_path / "small")
    paths = [
        path
        for path in sorted([*raw.rglob("*"), *(tmp_path / "small").rglob("*")])
        if path.is_file() and file_suffix(path) in (".csv", ".xlsx")
    ]
    read = read_submissions([(path.read_bytes(), file_suffix(path)) for path in paths])
    # As the landing zone names them (a name that is not UTF-8 is escaped).
    keys = pl.DataFrame(
        {"item": range(len(paths)), "path": [relative_path(tmp_path, p) for p in paths]}
    )
    submissions = (
        read.reads.filter(pl.col("reason_code").is_null())
        .join(keys, on="item")
        .select("path", sha256=pl.col("path"), kommunkod="kommunkod", ar="ar")
    )
    answers = read.answers.join(keys, on="item").select(
        sha256="path", question_id="question_id", answer_text="answer_text",
        unparseable_message="unparseable_message",
    )  # fmt: skip
    assert submissions.height > 12
    slices = [(submissions.slice(start, 4), answers) for start in range(0, submissions.height, 4)]
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})

    validations = list(validate_slices(iter(slices), len(slices)))

    assert len(validations) == len(slices)
    for validation, (submission_slice, slice_answers) in zip(validations, slices, strict=True):
        expected = validate_submissions(submission_slice, slice_answers)
        for name in ("block_status", "answers", "issues"):
            got, want = getattr(validation, name), getattr(expected, name)
            assert got.equals(want) and got.schema == want.schema
    assert any(validation.issues.height for validation in validations)
