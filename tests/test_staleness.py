"""Issue 22, item 5: what Dagster's UI shows as stale follows the data. A year rebuilt from a
corrected file leaves the report stale until the report is rebuilt; a year rebuilt from the same
files does not. Read as the UI reads it, through Dagster's GraphQL API (the `dagster-graphql`
command, against the instance in DAGSTER_HOME)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import materialize_pipeline, paths_in_environment
from tests.landing_zone_fixture import MALMO_2016, build_small_landing_zone, write_csv

REPORT = dg.AssetKey(["report", "tables_long"])
BUILD_INPUTS = dg.AssetKey(["quality", "build_inputs"])
DAGSTER_GRAPHQL = Path(sys.executable).parent / "dagster-graphql"
STALENESS_QUERY = """
query ($key: AssetKeyInput!) {
  assetNodes(assetKeys: [$key]) { staleStatus staleCauses { reason } }
}
"""


@pytest.fixture
def zone(tmp_path, monkeypatch) -> tuple[Path, Path, dg.DagsterInstance]:
    """A published build, its runs stored in a DAGSTER_HOME that another process can read."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.get()
    assert materialize_pipeline(raw, warehouse, instance).success
    return raw, warehouse, instance


def _ui_staleness(raw: Path, warehouse: Path, key: dg.AssetKey) -> tuple[str, list[str]]:
    """The asset's stale status and causes, as the UI asks for them."""
    answer = raw.parent / "graphql.json"
    with paths_in_environment(raw, warehouse):
        subprocess.run(
            [
                str(DAGSTER_GRAPHQL),
                "-m",
                "pipelines.definitions",
                "-t",
                STALENESS_QUERY,
                "-v",
                json.dumps({"key": {"path": key.path}}),
                # Its code server logs to stdout.
                "-o",
                str(answer),
            ],
            capture_output=True,
            check=True,
            env=os.environ,
        )
    (node,) = json.loads(answer.read_text())["data"]["assetNodes"]
    return node["staleStatus"], [cause["reason"] for cause in node["staleCauses"]]


def _build_year_without_report(raw: Path, warehouse: Path, instance, ar: str) -> None:
    """One year's assets and the fingerprint, asked for by hand (the UI): not the report."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    year_scoped = [key for key in graph.get_all_asset_keys() if graph.get(key).partitions_def]
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, partition_key=ar, asset_selection=[BUILD_INPUTS, *year_scoped]
        )
    assert result.success


def _build_report(raw: Path, warehouse: Path, instance) -> None:
    from pipelines.definitions import defs
    from pipelines.year_runs import unpartitioned_asset_keys

    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance,
            asset_selection=unpartitioned_asset_keys(defs.resolve_all_asset_specs()),
        )
    assert result.success


def test_a_corrected_year_leaves_the_report_stale_until_rebuilt_and_an_unchanged_one_does_not(
    zone,
):
    raw, warehouse, instance = zone
    assert _ui_staleness(raw, warehouse, REPORT) == ("FRESH", [])

    corrected = [
        ("uppf_medarbetarsamtal", "ja") if q == "uppf_medarbetarsamtal" else (q, a)
        for q, a in MALMO_2016
    ]
    write_csv(raw / "2016" / "inventering" / "malmo.csv", corrected)
    _build_year_without_report(raw, warehouse, instance, "2016")
    status, causes = _ui_staleness(raw, warehouse, REPORT)
    assert status == "STALE"
    assert "has a new data version" in causes

    _build_report(raw, warehouse, instance)
    assert _ui_staleness(raw, warehouse, REPORT) == ("FRESH", [])

    # The same files again: the year comes out the same, and the report stays fresh.
    _build_year_without_report(raw, warehouse, instance, "2016")
    assert _ui_staleness(raw, warehouse, REPORT) == ("FRESH", [])
