"""The report's checks and the data dictionary's, each seen to fail on a broken warehouse (issue
defect 8: checks that could not fail).

Fast tests run each check's query (assets/report/checks.py, assets/feedback/dictionary.py) on the
report SQL tests' main scenario, broken inside a transaction that is rolled back afterwards.
Whole-job tests show what a failure does to the publication.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.feedback.dictionary import comment_columns_from_reference, uncommented
from assets.report.build import SQL_DIR, build_report, load_reference
from assets.report.checks import (
    missing_contract_columns,
    published_cells_not_recomputed,
)
from schemas.catalog import SHIPPED_REFERENCE_DIR
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone
from tests.test_report_sql import MAIN_REGISTER, MAIN_SUBMISSIONS, build_core, build_warehouse

PUBLISHED = dg.AssetKey("kompetens_warehouse")
RECONCILIATION_SQL = SQL_DIR / "70_report_reconciliation.sql"


@pytest.fixture(scope="module")
def built() -> duckdb.DuckDBPyConnection:
    return build_warehouse(MAIN_SUBMISSIONS, MAIN_REGISTER)


@pytest.fixture
def main(built):
    """The main scenario's warehouse; whatever a test breaks is rolled back."""
    built.begin()
    yield built
    built.rollback()


def check_evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def published(result: dg.ExecuteInProcessResult) -> bool:
    return PUBLISHED in {event.asset_key for event in result.get_asset_materialization_events()}


# --- contract_tables_present (blocking) ---------------------------------------------------------


def test_contract_tables_present_names_a_missing_table_and_a_missing_column(main):
    assert missing_contract_columns(main) == []

    main.execute("ALTER TABLE report.text_figures DROP COLUMN n_kommuner")
    main.execute("DROP TABLE report.table_14")

    assert missing_contract_columns(main) == ["report.text_figures.n_kommuner", "report.table_14"]


def test_a_missing_contract_column_stops_the_publication(tmp_path, monkeypatch):
    import assets.report.assets as report_assets

    real_build = report_assets.build_report

    def build_without_n_kommuner_of_the_text_figures(con):
        real_build(con)
        con.execute("ALTER TABLE report.text_figures DROP COLUMN n_kommuner")

    monkeypatch.setattr(report_assets, "build_report", build_without_n_kommuner_of_the_text_figures)
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    check = check_evaluations(result)["contract_tables_present"]
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["missing"].value == ["report.text_figures.n_kommuner"]
    assert not published(result)
    assert not warehouse.exists()


# --- published_cells_recomputed (warning) --------------------------------------------------------


def test_published_cells_recomputed_names_a_published_cell_that_has_no_value(main):
    # Block D (Table 9) was answered, Tables 6 and 7 (C_psykologi, C_samhallsvetenskap) not:
    # their sums over nobody are 0, their shares NULL (contract section 5).
    not_recomputed = published_cells_not_recomputed(main)
    assert "T09 arbetsledare totalt" not in not_recomputed
    assert "T06 anknytningsteori grundlaggande_antal" not in not_recomputed
    assert "T06 anknytningsteori grundlaggande_andel" in not_recomputed

    # A fault that loses a figure: the cell is still there, with NULL.
    main.execute(
        "UPDATE report.tables_long SET value = NULL"
        " WHERE table_id = 'T09' AND row_key = 'arbetsledare' AND col_key = 'totalt'"
    )
    main.execute(RECONCILIATION_SQL.read_text(encoding="utf-8"))

    assert "T09 arbetsledare totalt" in published_cells_not_recomputed(main)


def test_published_cells_recomputed_names_every_published_cell_of_an_empty_landing_zone():
    con = duckdb.connect()
    build_core(con, [], [], [], [])
    load_reference(con, SHIPPED_REFERENCE_DIR)
    build_report(con)

    # Every cell but two text figures that count the 2013–2015 participants (there are none)
    # with something in 2016, the final inventory year of the reference data: 0.
    every_cell = con.execute(
        "SELECT concat_ws(' ', coalesce(table_id, 'text'), row_key, col_key) "
        "FROM report.reconciliation"
    ).fetchall()
    counts_of_nobody = {
        "text ej_svar_2016_kommuner value",
        "text webbformular_ej_deltagit_2016_kommuner value",
    }
    assert set(published_cells_not_recomputed(con)) == {c for (c,) in every_cell} - counts_of_nobody


def test_a_landing_zone_with_no_submissions_warns_and_still_publishes(tmp_path):
    # Contract section 8: where nothing can be computed the tables say NULL, and an empty landing
    # zone publishes empty tables. The check says so, as a warning.
    raw = tmp_path / "raw"
    raw.mkdir()
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    check = check_evaluations(result)["published_cells_recomputed"]
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["cells_not_recomputed"].value > 300
    assert published(result)
    assert warehouse.exists()


# --- every_column_commented (warning, feedback) --------------------------------------------------


def test_every_column_commented_names_a_table_and_a_column_without_a_comment(main):
    comment_columns_from_reference(main)
    assert uncommented(main) == []

    main.execute("CREATE TABLE report.unexplained (figure DOUBLE)")
    assert uncommented(main) == ["report.unexplained", "report.unexplained.figure"]

    main.execute("COMMENT ON TABLE report.unexplained IS 'En tabell utan kolumnkommentar.'")
    assert uncommented(main) == ["report.unexplained.figure"]
