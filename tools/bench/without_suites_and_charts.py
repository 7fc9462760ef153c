"""A counterfactual for the benchmark (scenario g): `make refresh` without the Great Expectations
suites and without the charts.

It measures what issues 4 (charts) and 6 (expectation suites and Data Docs in every refresh) cost
a cold refresh, and so the least a refresh could take if they left it. Nobody runs this to build a
warehouse: every suite check passes without validating anything.

    .venv/bin/python -m tools.bench.without_suites_and_charts

The benchmark checks afterwards that no Data Docs and no chart were written, so that a renamed
function cannot turn this back into a normal refresh unnoticed (`assert_left_out`).
"""

import sys
from pathlib import Path

import dagster as dg

import assets.ingest.assets as ingest_assets
import assets.report.assets as report_assets
import assets.validate.assets as validate_assets
from assets.expectations.checks import data_docs_dir
from assets.parallel import helper_process
from assets.publication import charts
from assets.publication.exports import CHARTS_FOLDER
from assets.run_context.resources import Warehouse
from pipelines.refresh import main


def _passing_without_validating(suite, con, run_id, warehouse) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(suite.asset_key)), check_name=suite.check_name, passed=True
    )


def _drawing_nothing(folder, publication, previous=None) -> dict:
    return {}


def leave_out_suites_and_charts() -> None:
    for module in (ingest_assets, validate_assets, report_assets):
        module.suite_check_result = _passing_without_validating
    helper_process.start = lambda: None
    charts.draw_charts = _drawing_nothing


def assert_left_out(database: Path) -> None:
    """Raise if the refresh into `database` wrote Data Docs or charts after all."""
    warehouse = Warehouse(database=str(database))
    written = [
        path
        for path in (data_docs_dir(warehouse), warehouse.exports_path / CHARTS_FOLDER)
        if path.exists()
    ]
    if written:
        raise RuntimeError(f"the counterfactual refresh still wrote {written}: update {__name__}")


if __name__ == "__main__":
    leave_out_suites_and_charts()
    sys.exit(main())
