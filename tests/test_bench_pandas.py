"""The pandas implementation of Tables 1–14 (tools/bench/pandas_tables.py) against the report SQL,
and the equality check that guards the benchmark's DuckDB/pandas ratio (project issue 8, item 6)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from assets.report.build import build_report, load_reference
from assets.tables import create_tables
from schemas.catalog import SHIPPED_REFERENCE_DIR
from tests.test_report_sql import MAIN_REGISTER, MAIN_SUBMISSIONS, build_warehouse
from tools.bench import pandas_tables
from tools.bench.pandas_tables import compare, load_inputs, tables_long

CELL_KEYS = ["table_id", "row_key", "col_key"]

# Table 1's kvinnor in the small landing zone (tests/landing_zone_fixture.py): the 2016 block A of
# Stockholm 44,25 + Bjurholm 3,5 + Göteborg 95 (Malmö's block A is invalid, Upplands Väsby is new
# in 2016 and so not counted).
STOCKHOLM_KVINNOR_2016 = 44.25
T01_KVINNOR = 142.75


def assert_same_cells(pandas_result: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> None:
    report_sql_result = (
        con.sql("SELECT table_id, row_key, col_key, value FROM report.tables_long")
        .df()
        .sort_values(CELL_KEYS)
        .reset_index(drop=True)
    )
    # NaN equals NaN here: a NULL of the SQL must be a NaN of pandas, and nothing else.
    pd.testing.assert_frame_equal(
        pandas_result.reset_index(drop=True), report_sql_result, rtol=1e-9, atol=0
    )


def test_pandas_tables_equal_the_report_sql_on_the_small_warehouse(small_db):
    result = tables_long(load_inputs(small_db))

    assert_same_cells(result, small_db)
    # Not vacuous: Tables 1–14 all there, with figures and with NULLs (shares of 0, cells of
    # C blocks nobody answered). Table 1's kvinnor is worked out at T01_KVINNOR above.
    assert set(result["table_id"]) == {f"T{number:02d}" for number in range(1, 15)}
    assert result["value"].isna().any()
    t01_kvinnor = result.set_index(CELL_KEYS).loc[("T01", "handlaggare", "kvinnor"), "value"]
    assert t01_kvinnor == pytest.approx(T01_KVINNOR)


def test_pandas_tables_equal_the_report_sql_on_the_report_sql_tests_main_scenario():
    # tests/test_report_sql.py's six municipalities: first-year rows 2013–2015, a municipality new
    # in 2016, invalid blocks, and juridik all 0 (shares of 0, NULL).
    con = build_warehouse(MAIN_SUBMISSIONS, MAIN_REGISTER)

    result = tables_long(load_inputs(con))

    assert_same_cells(result, con)
    assert pd.isna(result.set_index(CELL_KEYS).loc[("T05", "socialratt", "saknar_andel"), "value"])


def test_pandas_tables_equal_the_report_sql_on_an_empty_core():
    # No submissions, no register: no final inventory year, every published key NULL.
    con = duckdb.connect()
    create_tables(con)
    load_reference(con, SHIPPED_REFERENCE_DIR)
    build_report(con)

    result = tables_long(load_inputs(con))

    assert_same_cells(result, con)
    assert result["value"].isna().all()


def test_compare_times_both_sides_runs_times_on_a_copy(small_warehouse):
    before = small_warehouse.read_bytes()

    comparison = compare(small_warehouse, runs=2)

    assert len(comparison.duckdb_seconds) == len(comparison.pandas_seconds) == 2
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        assert (
            comparison.rows == con.execute("SELECT count(*) FROM report.tables_long").fetchone()[0]
        )
    finally:
        con.close()
    assert comparison.ratio > 0
    assert small_warehouse.read_bytes() == before


def test_compare_fails_listing_the_cell_when_one_answer_differs(small_warehouse, monkeypatch):
    # Stockholm's 2016 handl_kvinnor one more, on the pandas side only.
    def load_inputs_with_one_answer_changed(con):
        inputs = load_inputs(con)
        answers = inputs["answers"]
        stockholm_kvinnor = (
            (answers["kommunkod"] == "0180")
            & (answers["ar"] == 2016)
            & (answers["question_id"] == "handl_kvinnor")
        )
        assert answers.loc[stockholm_kvinnor, "value"].tolist() == [STOCKHOLM_KVINNOR_2016]
        answers.loc[stockholm_kvinnor, "value"] = STOCKHOLM_KVINNOR_2016 + 1
        return inputs

    monkeypatch.setattr(pandas_tables, "load_inputs", load_inputs_with_one_answer_changed)

    with pytest.raises(AssertionError) as failure:
        compare(small_warehouse, runs=1)

    # Only Table 1's kvinnor reads that answer (T11 reads handl_totalt, not kvinnor).
    assert str(failure.value).splitlines()[1:] == [
        f"T01/handlaggare/kvinnor: DuckDB {T01_KVINNOR}, pandas {T01_KVINNOR + 1}"
    ]


def test_compare_fails_on_a_null_cell_only_one_side_has(small_warehouse, monkeypatch):
    # A published key the SQL never saw: pandas adds it as NULL, DuckDB has no such cell.
    def load_inputs_with_one_more_published_key(con):
        inputs = load_inputs(con)
        extra_key = pd.DataFrame(
            {"table_id": ["T01"], "row_key": ["handlaggare"], "col_key": ["inte_publicerad"]}
        )
        inputs["published_tables"] = pd.concat([inputs["published_tables"], extra_key])
        return inputs

    monkeypatch.setattr(pandas_tables, "load_inputs", load_inputs_with_one_more_published_key)

    with pytest.raises(AssertionError) as failure:
        compare(small_warehouse, runs=1)

    assert str(failure.value).splitlines()[1:] == [
        "T01/handlaggare/inte_publicerad: only pandas has it (nan)"
    ]


def test_report_sql_through_an_unknown_file_is_refused():
    with pytest.raises(ValueError, match="99_missing.sql"):
        build_report(duckdb.connect(), through="99_missing.sql")
