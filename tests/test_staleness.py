"""Issue 22, item 5: what Dagster's UI shows as stale follows the data. A year rebuilt from a
corrected file leaves the report stale until the report is rebuilt; a year rebuilt from the same
files does not. A corrected file, once the year folders are observed (raw/year_folder, whose data
version is the hash of a year's files), leaves that year's assets stale until a refresh rebuilds
it. Read as the UI reads it, through Dagster's GraphQL API (the `dagster-graphql` command,
against the instance in DAGSTER_HOME)."""

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
YEAR_FOLDER = dg.AssetKey(["raw", "year_folder"])
YEARS = ["2013", "2014", "2015", "2016"]
# Each year's stale status and causes of the year-scoped assets that read the year folder (Dagster
# calls stale what reads a changed input directly), and each year folder's data version.
YEARS_QUERY = """
query ($years: [String!]) {
  readers: assetNodes(assetKeys: [
    {path: ["quality", "file_ledger"]}, {path: ["core", "file_answers"]},
    {path: ["core", "grant_register"]}
  ]) {
    assetKey { path }
    staleStatusByPartition(partitions: $years)
    staleCausesByPartition(partitions: $years) { key { path } partitionKey reason category }
  }
  source: assetNodes(assetKeys: [{path: ["raw", "year_folder"]}]) {
    dataVersionByPartition(partitions: $years)
  }
}
"""
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
    (node,) = _ui_query(raw, warehouse, STALENESS_QUERY, {"key": {"path": key.path}})["assetNodes"]
    return node["staleStatus"], [cause["reason"] for cause in node["staleCauses"]]


def _ui_query(raw: Path, warehouse: Path, query: str, variables: dict) -> dict:
    """The answer of Dagster's GraphQL API to `query`, as the UI gets it."""
    answer = raw.parent / "graphql.json"
    with paths_in_environment(raw, warehouse):
        subprocess.run(
            [
                str(DAGSTER_GRAPHQL),
                "-m",
                "pipelines.definitions",
                "-t",
                query,
                "-v",
                json.dumps(variables),
                # Its code server logs to stdout.
                "-o",
                str(answer),
            ],
            capture_output=True,
            check=True,
            env=os.environ,
        )
    return json.loads(answer.read_text())["data"]


def _build_year_without_report(raw: Path, warehouse: Path, instance, ar: str) -> None:
    """One year's assets and the fingerprint, asked for by hand (the UI): not the report."""
    from pipelines.definitions import defs

    year_scoped = [spec.key for spec in defs.resolve_all_asset_specs() if spec.partitions_def]
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


def _years_in_ui(raw: Path, warehouse: Path) -> tuple[dict, dict[str, str]]:
    """{(asset, year): (stale status, causes as (asset, year, reason))} of the assets that read
    the year folders, and each year folder's data version."""
    data = _ui_query(raw, warehouse, YEARS_QUERY, {"years": YEARS})
    staleness = {
        ("/".join(node["assetKey"]["path"]), ar): (
            status,
            [("/".join(c["key"]["path"]), c["partitionKey"], c["reason"]) for c in causes],
        )
        for node in data["readers"]
        for ar, status, causes in zip(
            YEARS, node["staleStatusByPartition"], node["staleCausesByPartition"], strict=True
        )
    }
    (source,) = data["source"]
    return staleness, dict(zip(YEARS, source["dataVersionByPartition"], strict=True))


def _observe_year_folders(raw: Path, warehouse: Path, instance) -> None:
    """Observe raw/year_folder alone, as the UI's "Observe" button does."""
    from pipelines.definitions import defs

    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, asset_selection=[YEAR_FOLDER]
        )
    assert result.success


def test_a_corrected_file_observed_leaves_its_years_assets_stale_until_a_refresh_rebuilds_it(
    zone,
):
    raw, warehouse, instance = zone
    _, published_versions = _years_in_ui(raw, warehouse)

    # The same bytes written again (a new mtime and ctime) are not a new data version.
    same = raw / "2015" / "inventering" / "goteborg-2015.csv"
    same.write_bytes(same.read_bytes())
    os.utime(same, ns=(same.stat().st_atime_ns, same.stat().st_mtime_ns + 10**9))
    corrected = [
        ("uppf_medarbetarsamtal", "ja") if q == "uppf_medarbetarsamtal" else (q, a)
        for q, a in MALMO_2016
    ]
    write_csv(raw / "2016" / "inventering" / "malmo.csv", corrected)
    _observe_year_folders(raw, warehouse, instance)
    staleness, versions = _years_in_ui(raw, warehouse)
    assert {ar: versions[ar] == published_versions[ar] for ar in YEARS} == {
        "2013": True,
        "2014": True,
        "2015": True,
        "2016": False,
    }
    new_version = ("raw/year_folder", "2016", "has a new data version")
    for (asset, ar), (status, causes) in staleness.items():
        if ar == "2016":
            assert (asset, status, causes) == (asset, "STALE", [new_version])
        else:
            assert (asset, ar, status, causes) == (asset, ar, "FRESH", [])

    # As `make refresh` does it: it rebuilds 2016, observing the year folders first.
    assert materialize_pipeline(raw, warehouse, instance).success
    staleness, after_refresh = _years_in_ui(raw, warehouse)
    assert after_refresh == versions
    assert {status for status, _ in staleness.values()} == {"FRESH"}


def test_dagster_gives_a_partitioned_observable_source_no_backfill_policy():
    """Pinned (docs/ARCHITECTURE.md): with raw/year_folder in it, the job `refresh`'s own backfill
    policy is one year per run, since Dagster 1.13 gives an observable source no backfill policy
    and takes the smallest of a job's. When this fails, the source can have the single-run policy
    of the assets that read it."""
    years = dg.DynamicPartitionsDefinition(name="ar")

    @dg.observable_source_asset(partitions_def=years)
    def folder():
        return dg.DataVersionsByPartition({})

    @dg.asset(partitions_def=years, deps=[folder], backfill_policy=dg.BackfillPolicy.single_run())
    def reads_folder():
        return None

    job = dg.define_asset_job("observes", selection=dg.AssetSelection.all(include_sources=True))
    with pytest.warns(UserWarning, match="varying BackfillPolicies"):
        dg.Definitions(assets=[folder, reads_folder], jobs=[job]).resolve_job_def("observes")
