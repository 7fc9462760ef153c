"""Contract section 8 (amended 2026-11-25) over every output of the shipped raw/: an fte figure is
exactly its two-decimal form (542.49, never 542.4900000000001 or 4870.999999999999) and a count
(N, persons) is an integer (245, never 245.0), in report.tables_long, report.table_01 … table_14,
every CSV file (csv/ and csv_sv/ with its decimal comma), every Parquet file and the cells of
tabeller.xlsx. Shares are ratios and stay unrounded doubles.

Which cells are fte and which are counts is read from the published unit of their column
(ref.published_tables.unit), never listed here, so a column added to the report is checked too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from assets.publication.workbook import HEADING_ROW, N_ROW
from schemas.values import FTE_DECIMALS

FTE = "fte"
COUNT_UNITS = ("municipalities", "persons")
# Each output holds a few hundred fte cells: a check that finds none is looking in the wrong place.
FEWEST_FTE_CELLS = 30


def decimals_written(value: float | str) -> int:
    """The decimals a number has as written: '542,49' and 542.49 have 2, 4848.0 has 0,
    4870.999999999999 has 12. repr is the shortest text that reads back as the same double."""
    text = value if isinstance(value, str) else repr(float(value))
    try:
        exponent = Decimal(text.replace(",", ".")).normalize().as_tuple().exponent
    except InvalidOperation:
        return 99
    return max(0, -exponent) if isinstance(exponent, int) else 99


def is_integer(value: object) -> bool:
    """An integer as stored (an integer column, cell or type), or as written in a CSV file."""
    if isinstance(value, str):
        return re.fullmatch(r"-?[0-9]+", value) is not None
    return isinstance(value, int) and not isinstance(value, bool)


# A cell to check: where it is, its column's unit, and its value as the output holds it.
Cell = tuple[str, str, object]


def fte_cells(cells: list[Cell]) -> int:
    return sum(1 for _, unit, _ in cells if unit == FTE)


def inexact(cells: Iterable[Cell], counts_are_doubles: bool = False) -> list[Cell]:
    """The cells not written as their unit requires. `counts_are_doubles`: the cells of a long
    output, whose one value column holds every unit and is DOUBLE by contract (report.tables_long,
    and the breakdowns laid out the same way), so a count there need only be a whole number."""
    wrong = []
    for where, unit, value in cells:
        if unit == FTE:
            exact = decimals_written(value) <= FTE_DECIMALS
        elif unit in COUNT_UNITS:
            exact = decimals_written(value) == 0 if counts_are_doubles else is_integer(value)
        else:
            exact = True
        if not exact:
            wrong.append((where, unit, value))
    return wrong


# --- the outputs and the units of their columns -----------------------------------------------


@pytest.fixture(scope="module")
def db(shipped_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(shipped_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def exports(shipped_warehouse) -> Path:
    return shipped_warehouse.parent / "exports"


@pytest.fixture(scope="module")
def units(db) -> dict[tuple[str, str], str]:
    """(table_id, col_key) and (table_id, col_label) → the column's published unit."""
    rows = db.execute(
        "SELECT DISTINCT table_id, col_key, col_label, unit FROM ref.published_tables"
    ).fetchall()
    return {
        **{(table_id, col_key): unit for table_id, col_key, _, unit in rows},
        **{(table_id, col_label): unit for table_id, _, col_label, unit in rows},
    }


@pytest.fixture(scope="module")
def table_ids(db) -> list[str]:
    return [
        t for (t,) in db.execute("SELECT table_id FROM ref.report_layout ORDER BY 1").fetchall()
    ]


def laid_out_name(table_id: str) -> str:
    return f"table_{table_id[1:]}"


def long_cells(frame_rows: Iterable[dict], units, where: str) -> Iterator[Cell]:
    """Cells of a long output (table_id, col_key, value): tables_long and the breakdowns."""
    for number, row in enumerate(frame_rows, start=2):
        value = row["value"]
        if value is None or value in ("", "..", "–"):  # NULL, or hidden by disclosure control
            continue
        yield (f"{where} row {number}", units[(row["table_id"], row["col_key"])], value)


def laid_out_cells(
    columns: list[str], rows: Iterable[tuple], table_id, units, where
) -> Iterator[Cell]:
    """Cells of a laid-out table: its columns named by col_key (warehouse) or by the report's
    label (exports). The columns of no published unit are the row's key and label."""
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            unit = units.get((table_id, column))
            if unit is not None and value not in (None, ""):
                yield (f"{where} {row[0]!r} {column!r}", unit, value)


def unit_columns(columns: list[str], table_id: str, units) -> int:
    return sum(1 for column in columns if (table_id, column) in units)


# --- the warehouse -------------------------------------------------------------------------------


def test_tables_long_holds_exact_fte_sums_and_whole_counts(db, units):
    rows = db.sql("SELECT table_id, col_key, value FROM report.tables_long").pl()
    cells = list(long_cells(rows.iter_rows(named=True), units, "report.tables_long"))
    assert fte_cells(cells) >= FEWEST_FTE_CELLS
    assert inexact(cells, counts_are_doubles=True) == []


def test_the_laid_out_tables_hold_exact_fte_sums_and_integer_counts(db, units, table_ids):
    cells = []
    for table_id in table_ids:
        name = f"report.{laid_out_name(table_id)}"
        relation = db.sql(f"FROM {name}")
        # Every published column is there under its col_key; the others are the row's key and label.
        assert unit_columns(relation.columns, table_id, units) == len(relation.columns) - 2
        cells += laid_out_cells(relation.columns, relation.fetchall(), table_id, units, name)
    assert fte_cells(cells) >= FEWEST_FTE_CELLS
    assert inexact(cells) == []


# --- CSV, Parquet, workbook ------------------------------------------------------------------


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows as text, both variants: csv/ (',', UTF-8) and csv_sv/ (';', BOM)."""
    delimiter = ";" if path.parent.name == "csv_sv" else ","
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file, delimiter=delimiter))
    return header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("variant", ["csv", "csv_sv"])
def test_every_csv_file_writes_fte_with_two_decimals_at_most_and_counts_as_integers(
    exports, units, table_ids, variant
):
    folder = exports / variant
    _, tables_long = read_csv(folder / "tables_long.csv")
    _, breakdowns = read_csv(folder / "breakdowns.csv")
    long = [
        *long_cells(tables_long, units, f"{variant}/tables_long.csv"),
        *long_cells(breakdowns, units, f"{variant}/breakdowns.csv"),
    ]
    cells = [(f"{variant}/breakdowns.csv", COUNT_UNITS[0], r["n_kommuner"]) for r in breakdowns]
    for table_id in table_ids:
        name = f"{variant}/{laid_out_name(table_id)}.csv"
        header, rows = read_csv(folder / f"{laid_out_name(table_id)}.csv")
        assert unit_columns(header, table_id, units) == len(header) - 1, header  # and the row label
        cells += laid_out_cells(header, (list(r.values()) for r in rows), table_id, units, name)
    assert min(fte_cells(long), fte_cells(cells)) >= FEWEST_FTE_CELLS
    assert inexact(long, counts_are_doubles=True) + inexact(cells) == []


def test_every_parquet_file_holds_exact_fte_sums_and_integer_counts(exports, units, table_ids):
    folder = exports / "parquet"
    tables_long = pl.read_parquet(folder / "tables_long.parquet")
    breakdowns = pl.read_parquet(folder / "breakdowns.parquet")
    long = [
        *long_cells(tables_long.iter_rows(named=True), units, "tables_long.parquet"),
        *long_cells(breakdowns.iter_rows(named=True), units, "breakdowns.parquet"),
    ]
    cells = [("breakdowns.parquet", COUNT_UNITS[0], n) for n in breakdowns["n_kommuner"]]
    for table_id in table_ids:
        name = f"{laid_out_name(table_id)}.parquet"
        frame = pl.read_parquet(folder / name)
        assert unit_columns(frame.columns, table_id, units) == frame.width - 1, frame.columns
        cells += laid_out_cells(frame.columns, frame.iter_rows(), table_id, units, name)
    assert min(fte_cells(long), fte_cells(cells)) >= FEWEST_FTE_CELLS
    assert inexact(long, counts_are_doubles=True) + inexact(cells) == []


def test_the_workbook_cells_hold_exact_fte_sums_and_integer_counts(exports, units, table_ids):
    workbook = openpyxl.load_workbook(exports / "tabeller.xlsx")
    cells = []
    for table_id in table_ids:
        sheet = workbook[f"Tabell {int(table_id[1:])}"]
        n_cell = sheet.cell(N_ROW + 1, 1).value  # "N = 245" under the title, where one N holds
        if n_cell is not None:
            cells.append((f"{sheet.title} N", COUNT_UNITS[0], n_cell))
        headings = [cell.value for cell in sheet[HEADING_ROW + 1]]
        assert unit_columns(headings, table_id, units) == len(headings) - 1, headings
        body = sheet.iter_rows(min_row=HEADING_ROW + 2, values_only=True)
        cells += laid_out_cells(
            headings, (row[: len(headings)] for row in body), table_id, units, sheet.title
        )
    assert fte_cells(cells) >= FEWEST_FTE_CELLS
    assert inexact(cells) == []
