"""The shipped synthetic raw/ (project issue 3).

- The generator rewrites the committed raw/ byte for byte.
- Its calibration arithmetic, on cases worked out by hand.
- The pipeline, materialised on the committed raw/, reproduces the published report: every
  published cell `match` or `within_tolerance` but the report's own three inconsistencies, every
  file accounted for, and no contact person or e-mail address in the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tools.generate_raw.answers import share_numerator
from tools.generate_raw.calibrate import (
    apportion,
    apportion_in_steps,
    choose_within,
    rounding_interval,
)
from tools.generate_raw.generate import main
from tools.generate_raw.reference import PublishedCell, published_tables, published_text_figures

RAW_DIR = Path(__file__).resolve().parents[1] / "raw"

# Published figures that contradict other published figures (contract section 9 and the
# Stockholm decision letter: 250 000 + 3 056 887 is 3 306 887, not 3 307 887).
KNOWN_DEVIATIONS = {
    ("table", "T04", "planering_insatser", "grundlaggande_andel"),
    ("table", "T05", "offentlig_ratt", "totalt"),
    ("text_figure", None, "stockholm_2013_totalt_sek", "value"),
}


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_generator_rewrites_the_committed_raw_byte_for_byte(tmp_path):
    assert main(["--out", str(tmp_path / "raw")]) == 0
    assert file_hashes(tmp_path / "raw") == file_hashes(RAW_DIR)


def test_the_generator_never_overwrites_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["--out", str(tmp_path), "--replace"]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# ---------------------------------------------------------------- calibration arithmetic


def test_apportion_hits_the_total_by_largest_remainder():
    # 10 / 3 = 3.33 each; the one unit left over goes to the first of the equal remainders.
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    # 100 in the ratio 1:2:3:4 but the first capped at 5: the other 95 go 2:3:4 = 21.1, 31.7,
    # 42.2, so floors 21 + 31 + 42 = 94 and the unit left over goes to 31.7.
    assert apportion(100, [1, 2, 3, 4], upper=[5, None, None, None]) == [5, 21, 32, 42]


def test_apportion_is_an_allocation_key_with_a_floor_and_a_cap():
    # 600 000 kr, at least 50 000 and at most 250 000 each: the three smallest get the floor
    # (150 000), the largest the cap (250 000), and the fourth the remaining 200 000.
    amounts = apportion(
        600_000, [1, 10, 100, 1000, 100_000], upper=[250_000] * 5, lower=[50_000] * 5
    )
    assert amounts == [50_000, 50_000, 50_000, 200_000, 250_000]


def test_small_municipalities_report_whole_quarters_and_the_large_absorb_the_rest():
    # 1010 hundredths as 1:1:2 is 252.5, 252.5, 505. The two small ones (step 25) become 250
    # each; the large one (step 1) takes 1010 - 500 = 510.
    assert apportion_in_steps(1010, [1, 1, 2], steps=[25, 25, 1]) == [250, 250, 510]


def test_rounding_interval_holds_every_value_that_rounds_to_the_published_figure():
    assert rounding_interval("5390.5", 1) == (539045, 539055)  # 5390.45 … 5390.549
    assert rounding_interval("5390", 0) == (538950, 539050)  # 5389.50 … 5390.49
    assert rounding_interval("87.35", 2) == (8735, 8736)  # exactly 87.35


def test_rounded_parts_are_chosen_so_that_their_sum_rounds_to_the_published_total():
    # Familjerätt: 2464.5 + 627.1 + 1028.4 = 4120.0, but the report prints 4120.1.
    parts = [rounding_interval(v, 1) for v in ("2464.5", "627.1", "1028.4")]
    chosen = choose_within(parts, rounding_interval("4120.1", 1), [246450, 62710, 102840])
    for value, (low, high) in zip(chosen, parts, strict=True):
        assert low < value < high  # rounds to its published part, a hundredth clear of the edge
    assert 412005 < sum(chosen) < 412015  # rounds to 4120.1 (4120.05 … 4120.149)


def test_offentlig_ratt_parts_cannot_make_the_published_total():
    # Contract section 9: 3083.5 + 728.1 + 589.5 cannot round to 4400.8 however they are chosen.
    parts = [rounding_interval(v, 1) for v in ("3083.5", "728.1", "589.5")]
    assert choose_within(parts, rounding_interval("4400.8", 1), [308350, 72810, 58950]) is None


def test_a_share_without_its_numerator_gets_the_nearest_numerator_that_rounds_to_it():
    # Table 13, 2014: 66 % behov of 24.00 FTE supervisors: 15.84 FTE is 66.0 %.
    assert share_numerator(2400, PublishedCell("66", 0, "percent")) == 1584
    # Table 12, 2013: magister 10 % of 1184 persons: 118.4 → 118 persons, 9.97 %, prints as 10.
    assert share_numerator(1184, PublishedCell("10", 0, "percent")) == 118
    # Table 11, 2013: 10.5 % of 4871.00 FTE is 511.455: 511.45 (10.4997 %) still prints as 10.5.
    assert share_numerator(487100, PublishedCell("10.5", 1, "percent")) == 51145


# ---------------------------------------------------------------- the pipeline on the shipped raw/


@pytest.fixture
def shipped_db(shipped_warehouse):
    con = duckdb.connect(str(shipped_warehouse), read_only=True)
    yield con
    con.close()


def test_every_published_cell_reconciles_except_the_reports_own_inconsistencies(shipped_db):
    rows = shipped_db.execute(
        "SELECT source, table_id, row_key, col_key, status, note FROM report.reconciliation"
    ).fetchall()
    assert sum(1 for row in rows if row[0] == "table") == len(published_tables())
    assert sum(1 for row in rows if row[0] == "text_figure" and row[3] == "value") == len(
        published_text_figures()
    )
    deviating = {row[:4] for row in rows if row[4] == "deviates"}
    assert deviating == KNOWN_DEVIATIONS
    assert all(row[5] for row in rows if row[:4] in KNOWN_DEVIATIONS)  # each explained by a note
    # Text figures are counts and amounts: equal to the published value, not merely close.
    assert {
        row[4] for row in rows if row[0] == "text_figure" and row[:4] not in KNOWN_DEVIATIONS
    } == {"match"}


def test_the_stockholm_total_is_exactly_its_two_published_parts(shipped_db):
    figures = dict(
        shipped_db.execute(
            "SELECT figure_key, value FROM report.text_figures WHERE figure_key LIKE 'stockholm_2013_%'"
        ).fetchall()
    )
    assert figures == {
        "stockholm_2013_inventering_sek": 250_000,
        "stockholm_2013_kompetens_sek": 3_056_887,
        "stockholm_2013_totalt_sek": 3_306_887,  # published: 3 307 887
    }


def test_the_ledger_absorbs_every_upload_mishap_without_a_conflict(shipped_db):
    statuses = dict(
        shipped_db.execute(
            "SELECT status, count(*) FROM quality.file_ledger GROUP BY status"
        ).fetchall()
    )
    assert "conflict" not in statuses
    assert statuses["superseded"] >= 1 and statuses["duplicate"] >= 1
    rejected = {
        reason
        for (reason,) in shipped_db.execute(
            "SELECT DISTINCT reason_code FROM quality.file_ledger WHERE status = 'rejected'"
        ).fetchall()
    }
    assert rejected == {
        "bad_header",
        "bad_timestamp",
        "missing_metadata",
        "unknown_municipality",
        "unsupported_type",
        "year_mismatch",
    }
    warnings = {
        rule
        for (rule,) in shipped_db.execute(
            "SELECT DISTINCT rule FROM quality.issues WHERE severity = 'warning'"
        ).fetchall()
    }
    assert warnings == {
        "unknown_question",
        "question_not_in_form_year",
        "repeated_answer",
        "kompetens_over_handl_totalt",
    }


def personal_data_in(raw_dir: Path) -> set[str]:
    """Every kontaktperson and kontakt_epost answer written in the submission files."""
    found = set()
    for path in sorted(raw_dir.glob("*/inventering/*")):
        if path.suffix == ".xlsx":
            sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
            rows = [
                [cell for cell in row if cell is not None]
                for row in sheet.iter_rows(values_only=True)
            ]
        elif path.suffix == ".csv":
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
            delimiter = next(d for d in (";", "\t", ",") if d in text.splitlines()[1])
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        else:
            continue
        for row in rows:
            cells = [str(cell) for cell in row]
            for question_id in ("kontaktperson", "kontakt_epost"):
                if question_id in cells and len(cells) == 2 and all(cells):
                    found.add(cells[1 - cells.index(question_id)])
    return found


def test_contact_details_are_in_the_files_but_never_in_the_warehouse(shipped_db):
    personal = personal_data_in(RAW_DIR)
    assert len(personal) > 400  # a name and an address in nearly every file
    assert any("ö" in value or "å" in value for value in personal)
    tables = shipped_db.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
    ).fetchall()
    for schema, table in tables:
        text = str(shipped_db.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall())
        leaked = sorted(value for value in personal if value in text)
        assert not leaked, (schema, table, leaked[:5])
