"""What `make refresh` prints: a short summary read from the published warehouse, the run's full
event log kept in the Dagster instance, not on the console."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import dagster as dg

from pipelines.resources import PROJECT_ROOT
from tests.landing_zone_fixture import EXPECTED_LEDGER, build_small_landing_zone
from tests.test_operations import count_in_fresh_process


def test_make_refresh_prints_a_short_summary_and_keeps_the_event_log_in_the_instance(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    # As `make` sets the instance up.
    shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.refresh"],
        check=False,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "KOMPETENS_RAW_DIR": str(raw),
            "KOMPETENS_WAREHOUSE": str(warehouse),
            "DAGSTER_HOME": str(dagster_home),
        },
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    output = completed.stdout + completed.stderr
    lines = output.splitlines()
    assert len(lines) <= 25, output
    assert "DEBUG" not in output

    statuses = Counter(status for status, _ in EXPECTED_LEDGER.values())
    assert f"Files in the ledger (quality.file_ledger): {len(EXPECTED_LEDGER)}" in lines
    for status in ("selected", "superseded", "duplicate", "conflict", "rejected", "ignored"):
        assert f"  {status:<18}{statuses[status]:>5}" in lines
    # Malmö 2016's caseworker block (19 + 2 is not 22) and Bjurholm 2016's half-answered one.
    assert (
        "Invalid blocks (core.block_status): 2, in 2 submissions; they count in no table" in lines
    )
    cells = count_in_fresh_process(warehouse, "SELECT count(*) FROM report.reconciliation")
    assert (
        f"Reconciliation with the published report (report.reconciliation): {cells} cells" in lines
    )
    for status in ("match", "within_tolerance"):
        count = count_in_fresh_process(
            warehouse, f"SELECT count(*) FROM report.reconciliation WHERE status = '{status}'"
        )
        assert f"  {status:<18}{count:>5}" in lines
    deviates = count_in_fresh_process(
        warehouse, "SELECT count(*) FROM report.reconciliation WHERE status = 'deviates'"
    )
    errata = count_in_fresh_process(
        warehouse, "SELECT count(note) FROM report.reconciliation WHERE status = 'deviates'"
    )
    assert (
        f"  {'deviates':<18}{deviates:>5}  ({errata} of them errors of the published report "
        "that ref.known_errata explains)"
    ) in lines
    # The first publication: nothing before it to revise.
    assert any(
        line.startswith("Publication (report.publiceringar): ")
        and line.endswith("; 0 figures revised since the one before (report.revisioner)")
        for line in lines
    ), output
    assert f"Warehouse:        {warehouse}" in lines
    assert f"Exports:          {warehouse.parent / 'exports'}" in lines
    assert f"Control reports:  {warehouse.parent / 'kontrollrapporter' / 'index.html'}" in lines
    assert f"Data Docs:        {warehouse.parent / 'data_docs' / 'index.html'}" in lines
    for line in lines:
        if line.startswith(("Exports:", "Control reports:", "Data Docs:")):
            assert Path(line.partition(":")[2].strip()).exists(), line

    # The full event log is in the instance's history, at every level.
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        (run,) = instance.get_runs()
        events = [entry.dagster_event for entry in instance.all_logs(run.run_id)]
    finally:
        instance.dispose()
    assert run.job_name == "refresh"
    assert run.is_success
    assert f"Full event log:   run {run.run_id} in the Dagster instance {dagster_home}" in lines[-1]
    event_types = {event.event_type for event in events if event is not None}
    assert {
        dg.DagsterEventType.RUN_START,  # logged at DEBUG
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.RUN_SUCCESS,
    } <= event_types
