"""The expectation suites as Dagster asset checks: one check per guarded table.

Each check is declared with the asset it guards (`suite_check_spec` in its `check_specs`) and
emitted with its materialisation (`suite_check_result`, in the same step, on the run's staging
warehouse), with the suite's results and failing values in its metadata. A failed blocking
expectation fails the check with severity ERROR, which keeps kompetens_warehouse from being
published; a failed statistical one is a WARN.
"""

from pathlib import Path

import dagster as dg
import duckdb

from assets import helper_process
from assets.expectations.suites import Suite
from pipelines.resources import Warehouse

DATA_DOCS_FOLDER = "data_docs"
VALIDATE_SUITE = "assets.expectations.validation:validate_suite"


def data_docs_dir(warehouse: Warehouse) -> Path:
    """Where readers find the published Data Docs, beside the warehouse file:
    warehouse/data_docs/ for the default warehouse."""
    return warehouse.published_path.parent / DATA_DOCS_FOLDER


def staging_data_docs_dir(warehouse: Warehouse, run_id: str) -> Path:
    """Where a run builds its Data Docs: in its staging publication, swapped in with the rest."""
    return warehouse.staging_folder(run_id) / DATA_DOCS_FOLDER


def suite_check_spec(suite: Suite) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        suite.check_name,
        asset=dg.AssetKey(list(suite.asset_key)),
        blocking=suite.blocking,
        description=f"Great Expectations suite {suite.table}: {suite.description}",
    )


def suite_check_result(
    suite: Suite, con: duckdb.DuckDBPyConnection, run_id: str, warehouse: Warehouse
) -> dg.AssetCheckResult:
    """Validate the table `suite` guards, as the open staging connection `con` holds it. Great
    Expectations runs in the helper process."""
    frame = con.sql(suite.sql).df()
    outcome = helper_process.call(
        VALIDATE_SUITE, suite, frame, run_id, staging_data_docs_dir(warehouse, run_id)
    )
    # A failure is as severe as its most severe failed expectation; a pass shows the suite's.
    judged = outcome.failed or outcome.expectations
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(suite.asset_key)),
        check_name=suite.check_name,
        passed=not outcome.failed,
        severity=(
            dg.AssetCheckSeverity.ERROR
            if any(expectation.blocking for expectation in judged)
            else dg.AssetCheckSeverity.WARN
        ),
        metadata={
            "rows_validated": outcome.rows_validated,
            "expectations_evaluated": len(outcome.expectations),
            "expectations_failed": len(outcome.failed),
            "results": dg.MetadataValue.md(_results_table(outcome.expectations)),
            "failures": dg.MetadataValue.json(
                [
                    {
                        "expectation": failure.expectation,
                        "blocking": failure.blocking,
                        "unexpected_count": failure.unexpected_count,
                        "unexpected_values": failure.unexpected_values,
                        "failing_rows": failure.failing_rows,
                    }
                    for failure in outcome.failed
                ]
            ),
            # Where readers find them once the run publishes.
            "data_docs": dg.MetadataValue.path(str(data_docs_dir(warehouse) / "index.html")),
        },
    )


def _results_table(expectations) -> str:
    header = "| expectation | blocking | result | unexpected |\n| --- | --- | --- | --- |\n"
    return header + "\n".join(
        f"| {e.expectation} | {'yes' if e.blocking else 'no'} | {'pass' if e.success else 'FAIL'} "
        f"| {'' if e.unexpected_count is None else e.unexpected_count} |"
        for e in expectations
    )
