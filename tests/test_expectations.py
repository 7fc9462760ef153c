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
import pytest

from pipelines.resources import PROJECT_ROOT
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
