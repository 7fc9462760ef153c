"""Run one expectation suite with Great Expectations and rebuild the Data Docs.

Imported only in the helper process (assets/helper_process.py), which the checks send their
frames to: importing Great Expectations takes seconds, which the refresh's own process, loading
the Definitions or a unit test should not pay.

Each run keeps a small GX project of its own (in the system's temp dir) whose validation store
holds the results of this run's suites; every check adds its result and rebuilds the Data Docs
from that store, so after the last check the docs show every suite of the run. The helper process
keeps the run's GX context open between its suites, so the project is read once per run.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

# There is no network: GX must not try to send usage statistics. Set before the import.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column

from assets.expectations.suites import Expectation, ExpectationOutcome, Suite, SuiteOutcome

DOCS_SITE = "kompetens"
GX_PROJECTS_DIR = Path(tempfile.gettempdir()) / "kompetens-gx"
STALE_PROJECT_SECONDS = 24 * 3600
FAILING_ROWS_SHOWN = 20
# GX's page templates load Bootstrap, jQuery and friends from CDNs, and a logo from GX's S3
# bucket. Offline they never load and only delay the page, so they are removed: the pages keep
# GX's own inlined styles and read fine. Plain hyperlinks stay.
_EXTERNAL_ASSET_TAG = re.compile(
    r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>"
    r"|<(?:link|img)[^>]*\b(?:href|src)=\"https?://[^\"]*\"[^>]*/?>",
    re.IGNORECASE,
)


def validate_suite(
    suite: Suite, frame: pd.DataFrame, run_id: str, data_docs_dir: Path
) -> SuiteOutcome:
    """Validate `frame` against `suite`, store the result in this run's GX project and rebuild
    the Data Docs in `data_docs_dir`."""
    context = _run_context(run_id, data_docs_dir)
    batch_definition = (
        context.data_sources.add_or_update_pandas("warehouse")
        .add_dataframe_asset(suite.table)
        .add_batch_definition_whole_dataframe("staging warehouse")
    )
    gx_suite = context.suites.add(
        gx.ExpectationSuite(
            name=suite.table,
            expectations=[_gx_expectation(expectation) for expectation in suite.expectations],
            meta={"notes": suite.description},
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.table, data=batch_definition, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=suite.table,
            validation_definitions=[validation],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(suite.row_identity),
            },
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_id)
    )
    _make_self_contained(data_docs_dir)
    (validation_result,) = result.run_results.values()
    return SuiteOutcome(
        rows_validated=len(frame),
        expectations=[
            _outcome(expectation_result) for expectation_result in validation_result.results
        ],
        data_docs_index=data_docs_dir / "index.html",
    )


def _gx_expectation(expectation: Expectation):
    kwargs = dict(expectation.kwargs, meta={"blocking": expectation.blocking})
    if expectation.only_where is not None:
        column, value = expectation.only_where
        kwargs["row_condition"] = Column(column) == value
    return getattr(gx.expectations, expectation.kind)(**kwargs)


# (run id, Data Docs folder) -> the GX context of that run's project: the latest run only.
_open_context: dict[tuple[str, Path], object] = {}


def _run_context(run_id: str, data_docs_dir: Path):
    key = (run_id, data_docs_dir)
    if key not in _open_context:
        _open_context.clear()
        _open_context[key] = _open_run_context(run_id, data_docs_dir)
    return _open_context[key]


def _open_run_context(run_id: str, data_docs_dir: Path):
    project_dir = GX_PROJECTS_DIR / run_id
    first_suite_of_run = not project_dir.exists()
    if first_suite_of_run:
        _remove_stale_projects()
        # The docs describe the latest run only: pages of earlier runs would otherwise linger.
        shutil.rmtree(data_docs_dir, ignore_errors=True)
    project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=project_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if DOCS_SITE not in context.get_site_names():
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _remove_stale_projects() -> None:
    # A finished run's project is only its stored results; a day later nobody needs it.
    for project in GX_PROJECTS_DIR.glob("*"):
        try:
            stale = time.time() - project.stat().st_mtime > STALE_PROJECT_SECONDS
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(project, ignore_errors=True)


def _make_self_contained(data_docs_dir: Path) -> None:
    for page in data_docs_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        stripped = _EXTERNAL_ASSET_TAG.sub("", html)
        if stripped != html:
            page.write_text(stripped, encoding="utf-8")


def _outcome(expectation_result) -> ExpectationOutcome:
    config = expectation_result.expectation_config
    kwargs = config.kwargs
    columns = kwargs.get("column") or ", ".join(kwargs.get("column_list", []))
    details = expectation_result.result or {}
    failing_rows = details.get("unexpected_index_list") or []
    return ExpectationOutcome(
        expectation=f"{config.type}({columns})",
        blocking=bool(config.meta.get("blocking")),
        success=bool(expectation_result.success),
        unexpected_count=details.get("unexpected_count"),
        unexpected_values=_plain(details.get("partial_unexpected_list") or []),
        failing_rows=_plain(failing_rows[:FAILING_ROWS_SHOWN]),
    )


def _plain(values: list) -> list:
    """JSON-ready values for Dagster metadata (numpy scalars and NaN become plain Python)."""

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if pd.api.types.is_scalar(value) and pd.isna(value):
            return None
        return value.item() if hasattr(value, "item") else value

    return [plain(value) for value in values]
