"""The Great Expectations suites that guard the warehouse (issue 6).

Each pipeline run here costs seconds (and the first one the Great Expectations import), so the
passing run is shared by the module and each broken table gets one run of its own.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import uuid

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.environment import PROJECT_ROOT
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone

PUBLISHED = dg.AssetKey("kompetens_warehouse")


def suite_evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        evaluation.check_name: evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name.endswith("_expectations")
    }


def failures(evaluation: dg.AssetCheckEvaluation) -> dict[str, dict]:
    return {failure["expectation"]: failure for failure in evaluation.metadata["failures"].value}


def published(result: dg.ExecuteInProcessResult) -> bool:
    return PUBLISHED in {event.asset_key for event in result.get_asset_materialization_events()}


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("expectations")
    raw = build_small_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse)
    return result, warehouse


def test_the_structural_and_statistical_suites_pass_on_the_small_landing_zone(passing_run):
    result, _ = passing_run
    evaluations = suite_evaluations(result)
    assert set(evaluations) == {
        "file_ledger_expectations",
        "grant_register_expectations",
        "answers_expectations",
        "tables_long_expectations",
        "reconciliation_expectations",
    }
    for name in (
        "file_ledger_expectations",
        "grant_register_expectations",
        "tables_long_expectations",
    ):
        assert evaluations[name].passed, evaluations[name].metadata["failures"].value
        assert evaluations[name].severity == dg.AssetCheckSeverity.ERROR  # a blocking suite
    assert evaluations["answers_expectations"].passed
    # The small landing zone reproduces none of the published figures: the reconciliation suite
    # fails, but only as a warning, and the warehouse is published all the same.
    reconciliation = evaluations["reconciliation_expectations"]
    assert not reconciliation.passed
    assert reconciliation.severity == dg.AssetCheckSeverity.WARN
    failing_rows = failures(reconciliation)["expect_column_values_to_be_in_set(status)"][
        "failing_rows"
    ]
    assert {
        "status": "deviates",
        "table_id": "T01",
        "row_key": "handlaggare",
        "col_key": "kvinnor",
    } in failing_rows
    assert published(result)


def test_the_data_docs_are_built_beside_the_warehouse_and_load_nothing_from_the_network(
    passing_run,
):
    _, warehouse = passing_run
    index = warehouse.parent / "data_docs" / "index.html"
    assert index.is_file()
    index_html = index.read_text(encoding="utf-8")
    for table in (
        "quality.file_ledger",
        "core.grant_register",
        "core.answers",
        "report.tables_long",
    ):
        assert table in index_html
    for page in index.parent.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'src="http' not in html, page
        assert '<link rel="stylesheet" href="http' not in html, page


def test_an_out_of_contract_ledger_status_fails_the_blocking_suite_and_stops_the_publication(
    tmp_path, monkeypatch
):
    import assets.ingest.assets as ingest_assets

    real_build_ledger = ingest_assets.build_ledger

    def ledger_with_unknown_status_and_reason(files, sha256, reads):
        rows = real_build_ledger(files, sha256, reads)
        broken = {
            "2016/inventering/stockholm_2016_utkast.csv": {"status": "accepted"},
            "2016/inventering/fel_rubrik.csv": {"reason_code": "wrong_header"},
        }
        return [dataclasses.replace(row, **broken.get(row.path, {})) for row in rows]

    monkeypatch.setattr(ingest_assets, "build_ledger", ledger_with_unknown_status_and_reason)
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    ledger = suite_evaluations(result)["file_ledger_expectations"]
    assert not ledger.passed
    assert ledger.severity == dg.AssetCheckSeverity.ERROR
    failed = failures(ledger)
    assert failed["expect_column_values_to_be_in_set(status)"]["unexpected_values"] == ["accepted"]
    assert failed["expect_column_values_to_be_in_set(status)"]["failing_rows"] == [
        {"status": "accepted", "path": "2016/inventering/stockholm_2016_utkast.csv"}
    ]
    assert failed["expect_column_values_to_be_in_set(reason_code)"]["unexpected_values"] == [
        "wrong_header"
    ]
    assert not published(result)
    assert not warehouse.exists()


def test_a_share_of_130_fails_the_tables_long_suite_as_a_warning_only(tmp_path, monkeypatch):
    import assets.report.assets as report_assets

    real_build = report_assets.build_report

    def build_with_a_share_of_130(con):
        real_build(con)
        con.execute(
            "UPDATE report.tables_long SET value = 130 "
            "WHERE table_id = 'T11' AND row_key = '2016' AND col_key = 'utan_socionom_andel'"
        )

    monkeypatch.setattr(report_assets, "build_report", build_with_a_share_of_130)
    raw = build_small_landing_zone(tmp_path / "raw")
    result = materialize_pipeline(
        raw, tmp_path / "warehouse" / "kompetens.duckdb", raise_on_error=False
    )

    tables_long = suite_evaluations(result)["tables_long_expectations"]
    assert not tables_long.passed
    assert tables_long.severity == dg.AssetCheckSeverity.WARN
    (failure,) = failures(tables_long).values()
    assert failure["expectation"] == "expect_column_values_to_be_between(share)"
    assert failure["unexpected_values"] == [130.0]
    assert failure["failing_rows"] == [
        {"share": 130.0, "table_id": "T11", "row_key": "2016", "col_key": "utan_socionom_andel"}
    ]
    assert published(result)


def test_importing_the_definitions_does_not_import_great_expectations():
    code = "import sys, pipelines.definitions; print('great_expectations' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    )
    assert output.stdout.strip() == "False"


def test_fte_answers_are_validated_per_value_with_a_count_and_the_first_answer(tmp_path):
    from assets.expectations.suites import ANSWERS_SUITE
    from assets.expectations.validation import validate_suite

    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute(
        "CREATE TABLE core.answers (kommunkod VARCHAR, ar INTEGER, question_id VARCHAR, value DOUBLE)"
    )
    con.execute(
        """
        INSERT INTO core.answers VALUES
            ('0180', 2016, 'handl_kvinnor', 1.5), ('0114', 2016, 'handl_man', 1.5),
            ('1480', 2016, 'handl_kvinnor', 2.125), ('1480', 2015, 'handl_man', 2.125),
            ('0114', 2016, 'handl_totalt', -1),
            ('0114', 2016, 'plan_handlaggare', 0.001)
        """
    )
    frame = con.sql(ANSWERS_SUITE.sql).df()
    # Three fte values (plan_handlaggare is not an fte question): one row each.
    assert sorted(frame["value_as_text"]) == ["-1.0", "1.5", "2.125"]

    outcome = validate_suite(
        ANSWERS_SUITE, frame, f"answers-{uuid.uuid4()}", tmp_path / "data_docs"
    )
    failed = {failure.expectation: failure for failure in outcome.failed}
    assert failed["expect_column_values_to_match_regex(value_as_text)"].failing_rows == [
        {"value_as_text": "2.125", "first_answer": "1480 2015 handl_man", "answers": 2}
    ]
    assert failed["expect_column_values_to_be_between(value)"].unexpected_values == [-1.0]


# --- each suite fails on a broken table ---------------------------------------------------------


def failed_expectations(suite, con: duckdb.DuckDBPyConnection, tmp_path) -> list:
    """The failed expectations of `suite` on the table as `con` holds it, in the suite's order."""
    from assets.expectations.validation import validate_suite

    outcome = validate_suite(
        suite, con.sql(suite.sql).df(), f"{suite.check_name}-{uuid.uuid4()}", tmp_path / "docs"
    )
    return outcome.failed


def test_the_grant_register_suite_fails_on_an_unknown_municipality_and_an_unknown_purpose(
    tmp_path,
):
    from assets.expectations.suites import GRANT_REGISTER_SUITE

    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.grant_register (ar INTEGER, kommunkod VARCHAR, andamal VARCHAR)")
    con.execute(
        """
        INSERT INTO core.grant_register VALUES
            (2016, '0180', 'kompetensutveckling'), (2016, '9999', 'kompetensutveckling'),
            (2016, '0114', 'forskning')
        """
    )

    failed = {f.expectation: f for f in failed_expectations(GRANT_REGISTER_SUITE, con, tmp_path)}

    assert set(failed) == {
        "expect_column_values_to_be_in_set(kommunkod)",
        "expect_column_values_to_be_in_set(andamal)",
    }
    assert failed["expect_column_values_to_be_in_set(kommunkod)"].failing_rows == [
        {"kommunkod": "9999", "ar": 2016, "andamal": "kompetensutveckling"}
    ]
    assert all(failure.blocking for failure in failed.values())


def test_the_tables_long_suite_fails_on_a_repeated_cell_and_a_share_above_100(tmp_path):
    from assets.expectations.suites import TABLES_LONG_SUITE

    con = duckdb.connect()
    con.execute("CREATE SCHEMA report")
    con.execute(
        "CREATE TABLE report.tables_long (table_id VARCHAR, row_key VARCHAR, col_key VARCHAR,"
        " value DOUBLE)"
    )
    con.execute(
        """
        INSERT INTO report.tables_long VALUES
            ('T01', 'handlaggare', 'kvinnor', 4848), ('T01', 'handlaggare', 'kvinnor', 4848),
            ('T11', '2016', 'utan_socionom_andel', 130), ('T11', '2016', 'antal_handlaggare', 130)
        """
    )

    failed = {f.expectation: f for f in failed_expectations(TABLES_LONG_SUITE, con, tmp_path)}

    repeated = failed["expect_compound_columns_to_be_unique(table_id, row_key, col_key)"]
    assert repeated.blocking and repeated.unexpected_count == 2
    share = failed["expect_column_values_to_be_between(share)"]
    assert not share.blocking and share.unexpected_values == [130.0]


def test_the_reconciliation_suite_fails_on_an_unknown_status_and_an_unexplained_deviation(
    tmp_path,
):
    from assets.expectations.suites import RECONCILIATION_SUITE

    con = duckdb.connect()
    con.execute("CREATE SCHEMA report")
    con.execute(
        "CREATE TABLE report.reconciliation (table_id VARCHAR, row_key VARCHAR, col_key VARCHAR,"
        " status VARCHAR, note VARCHAR)"
    )
    con.execute(
        """
        INSERT INTO report.reconciliation VALUES
            ('T01', 'handlaggare', 'kvinnor', 'match', NULL),
            ('T01', 'handlaggare', 'man', 'approximately', NULL),
            ('T01', 'handlaggare', 'totalt', 'deviates', NULL),
            ('T05', 'offentlig_ratt', 'totalt', 'deviates', 'Publicerat totalt 4 400,8 ...')
        """
    )

    in_the_contract, reconciled = failed_expectations(RECONCILIATION_SUITE, con, tmp_path)

    assert in_the_contract.unexpected_values == ["approximately"]
    # Every status but match and within_tolerance, except where the report is known to be wrong.
    assert sorted(reconciled.unexpected_values) == ["approximately", "deviates"]
    assert not in_the_contract.blocking and not reconciled.blocking


# --- a failed blocking suite stops the publication ---------------------------------------------


def test_a_register_row_of_an_unknown_municipality_stops_the_publication(tmp_path, monkeypatch):
    # The register reader rejects such rows (contract section 6); the suite guards the table
    # whatever wrote it.
    import assets.ingest.assets as ingest_assets

    real_append_rows = ingest_assets.append_rows

    def append_rows_with_stockholm_as_9999(con, table, rows):
        if table == "core.grant_register":
            rows = rows.with_columns(
                kommunkod=pl.when(pl.col("kommunkod") == "0180")
                .then(pl.lit("9999"))
                .otherwise(pl.col("kommunkod"))
            )
        return real_append_rows(con, table, rows)

    monkeypatch.setattr(ingest_assets, "append_rows", append_rows_with_stockholm_as_9999)
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    register = suite_evaluations(result)["grant_register_expectations"]
    assert not register.passed
    assert register.severity == dg.AssetCheckSeverity.ERROR
    assert set(failures(register)) == {"expect_column_values_to_be_in_set(kommunkod)"}
    assert not published(result)
    assert not warehouse.exists()


def test_a_repeated_cell_of_tables_long_fails_the_blocking_suite_and_stops_the_publication(
    tmp_path, monkeypatch
):
    import assets.report.assets as report_assets

    real_build = report_assets.build_report

    def build_with_a_repeated_cell(con):
        real_build(con)
        con.execute(
            "INSERT INTO report.tables_long SELECT * FROM report.tables_long"
            " WHERE table_id = 'T01' AND col_key = 'kvinnor'"
        )

    monkeypatch.setattr(report_assets, "build_report", build_with_a_repeated_cell)
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    tables_long = suite_evaluations(result)["tables_long_expectations"]
    assert not tables_long.passed
    assert tables_long.severity == dg.AssetCheckSeverity.ERROR
    (failure,) = failures(tables_long).values()
    assert failure["failing_rows"] == [
        {"table_id": "T01", "row_key": "handlaggare", "col_key": "kvinnor"},
        {"table_id": "T01", "row_key": "handlaggare", "col_key": "kvinnor"},
    ]
    assert not published(result)
    assert not warehouse.exists()
