"""Contract section 8 (amended 2026-11-25): sums of fte answers are exact, computed in decimal
arithmetic, so a figure reads 542.49, never 542.4900000000001, in every table of the warehouse;
counts (n_kommuner, persons) are integers.

The answers below are chosen so that binary floating point cannot add them exactly, in whatever
order: 0.1 + 0.2 + 1.1 is 1.4000000000000001 and 0.2 + 0.4 + 2.2 is 2.8000000000000003.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.test_report_sql import (
    KOMP,
    Submission,
    arbetsledare,
    arbetsledare_utbildning,
    build_warehouse,
    competence,
    handlaggare,
    handlaggare_utbildning,
)

# The three storstäder: one SKR group (A1), three counties.
KOMMUNER = ("0180", "1280", "1480")
PARTS = (0.1, 0.2, 1.1)


def at_most_two_decimals(value: float) -> bool:
    """The float prints with at most two decimals: 542.49, not 542.4900000000001."""
    text = repr(value)
    return "e" not in text and len(text.partition(".")[2]) <= 2


@pytest.fixture(scope="module")
def warehouse() -> duckdb.DuckDBPyConnection:
    submissions = [
        Submission(
            kommunkod,
            2016,
            {
                **handlaggare(part, part, 2 * part, part, part, 0, part),
                **handlaggare_utbildning(3, 2, 1),
                **competence("C_socialt_arbete", 2016, (part, part, 0)),
                **competence("C_ebp_placerade_barn", 2016, (part, part, part)),
                **arbetsledare(part, part, 2 * part, part, part, part),
                **arbetsledare_utbildning(2, 1, 1),
            },
        )
        for kommunkod, part in zip(KOMMUNER, PARTS, strict=True)
    ]
    register = [
        (ar, kommunkod, KOMP, 100_000, 100_000, 0) for ar in (2015, 2016) for kommunkod in KOMMUNER
    ]
    return build_warehouse(submissions, register)


def test_fte_sums_of_tables_long_are_exact(warehouse):
    man, totalt = warehouse.execute(
        "SELECT value FROM report.tables_long WHERE table_id = 'T01' AND row_key = 'handlaggare'"
        " AND col_key IN ('man', 'totalt') ORDER BY col_key"
    ).fetchall()
    assert (man[0], totalt[0]) == (1.4, 2.8)  # not 1.4000000000000001, 2.8000000000000003
    figures = warehouse.execute(
        "SELECT table_id, row_key, col_key, value FROM report.tables_long"
        " WHERE value IS NOT NULL AND NOT ends_with(col_key, '_andel')"
    ).fetchall()
    assert len(figures) > 100
    assert [cell for cell in figures if not at_most_two_decimals(cell[3])] == []


def test_fte_sums_of_the_breakdowns_are_exact(warehouse):
    # The SKR group A1 holds all three; each county one.
    a1_totalt = warehouse.execute(
        "SELECT value FROM report.breakdown_cells_unsuppressed WHERE dimension = 'kommungrupp'"
        " AND group_code = 'A1' AND table_id = 'T01' AND col_key = 'totalt'"
    ).fetchall()
    assert a1_totalt == [(2.8,)]
    figures = warehouse.execute(
        "SELECT dimension, group_code, table_id, row_key, col_key, value"
        " FROM report.breakdown_cells_unsuppressed"
        " WHERE value IS NOT NULL AND NOT ends_with(col_key, '_andel')"
    ).fetchall()
    assert [cell for cell in figures if not at_most_two_decimals(cell[5])] == []
    n_kommuner_type = warehouse.execute(
        "SELECT data_type FROM duckdb_columns() WHERE schema_name = 'report'"
        " AND table_name = 'breakdown_cells_unsuppressed' AND column_name = 'n_kommuner'"
    ).fetchall()
    assert n_kommuner_type == [("BIGINT",)]


def test_the_text_figures_have_no_float_noise(warehouse):
    # The text figures hold no fte sum: counts of municipalities and kronor, whole numbers, and
    # shares (percent), which are ratios and stay unrounded.
    figures = warehouse.execute(
        "SELECT f.figure_key, f.value FROM report.text_figures AS f"
        " JOIN ref.published_text_figures AS p USING (figure_key)"
        " WHERE f.value IS NOT NULL AND p.unit <> 'percent'"
    ).fetchall()
    assert figures
    assert [figure for figure in figures if not at_most_two_decimals(figure[1])] == []


def test_laid_out_tables_have_exact_fte_sums_and_integer_counts(warehouse):
    columns = warehouse.execute(
        """
        SELECT c.table_name, c.column_name, c.data_type, p.unit
        FROM duckdb_columns() AS c
        JOIN (SELECT DISTINCT table_id, col_key, unit FROM ref.published_tables) AS p
            ON p.table_id = 'T' || right(c.table_name, 2) AND p.col_key = c.column_name
        WHERE c.schema_name = 'report' AND regexp_full_match(c.table_name, 'table_[0-9]{2}')
        ORDER BY ALL
        """
    ).fetchall()
    assert {table for table, *_ in columns} == {f"table_{n:02d}" for n in range(1, 15)}
    for table, column, data_type, unit in columns:
        if unit in ("municipalities", "persons"):
            assert data_type == "BIGINT", (table, column, data_type)
        else:
            assert data_type == "DOUBLE", (table, column, data_type)
        if unit == "fte":
            values = warehouse.execute(
                f"SELECT {column} FROM report.{table} WHERE {column} IS NOT NULL"
            ).fetchall()
            assert [v for (v,) in values if not at_most_two_decimals(v)] == [], (table, column)
    t01 = warehouse.sql("SELECT man, totalt, n_kommuner FROM report.table_01").fetchall()
    assert t01 == [(1.4, 2.8, 3)]


def test_the_largest_answers_the_contract_allows_still_build():
    # An answer may have 34 digits before the decimal mark (schemas/values.py): two such fte
    # answers, and a persons sum no integer column holds, build the report all the same.
    largest = 9.99e33
    submissions = [
        Submission(
            kommunkod,
            2016,
            {
                **handlaggare(largest, 0, largest, largest, 0, 0, 0),
                **handlaggare_utbildning(1e20, 1, 1),
            },
        )
        for kommunkod in KOMMUNER[:2]
    ]
    register = [
        (ar, kommunkod, KOMP, 100_000, 100_000, 0) for ar in (2015, 2016) for kommunkod in KOMMUNER
    ]
    con = build_warehouse(submissions, register)

    shares = con.execute(
        "SELECT value FROM report.tables_long WHERE table_id = 'T11' AND row_key = '2016'"
        " AND col_key = 'socionom_lt1ar_andel'"
    ).fetchall()
    assert shares == [(100.0,)]
    fortbildning = con.execute(
        "SELECT value FROM report.tables_long WHERE table_id = 'T02' AND col_key = 'fortbildning'"
    ).fetchall()
    assert fortbildning == [(2e20,)]
    # Beyond BIGINT, more persons than live on earth: no integer, NULL in the laid-out table.
    assert con.sql("SELECT fortbildning, n_kommuner FROM report.table_02").fetchall() == [(None, 2)]
