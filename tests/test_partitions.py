"""Yearly partitions (issue 15): new years become partitions, runs build the changed years and the
report, a backfill of every year is one run, and the resources take their paths from EnvVar."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.environment import PROJECT_ROOT
from tests.conftest import materialize_pipeline, paths_in_environment
from tests.landing_zone_fixture import (
    MALMO_2016,
    build_small_landing_zone,
    meta,
    write_csv,
    write_register,
)
from tests.test_operations import sensor_tick

FILE_LEDGER = dg.AssetKey(["quality", "file_ledger"])
PARTITIONED = [
    FILE_LEDGER,
    dg.AssetKey(["core", "file_answers"]),
    dg.AssetKey(["core", "grant_register"]),
    dg.AssetKey(["core", "block_status"]),
    dg.AssetKey(["core", "answers"]),
    dg.AssetKey(["quality", "issues"]),
]
WAREHOUSE = dg.AssetKey("kompetens_warehouse")
YEAR_FOLDER = dg.AssetKey(["raw", "year_folder"])
TABLES_LONG = dg.AssetKey(["report", "tables_long"])


def materialized(result_or_events) -> list[tuple[dg.AssetKey, str | None]]:
    """(asset, partition) of every materialisation of a run."""
    events = (
        result_or_events.get_asset_materialization_events()
        if hasattr(result_or_events, "get_asset_materialization_events")
        else result_or_events
    )
    return [
        (event.asset_key, event.step_materialization_data.materialization.partition)
        for event in events
    ]


def query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def add_malmo_2017(raw: Path) -> None:
    """A new year folder: Malmö's 2017 form (its 2016 answers) and the year's grant register."""
    write_register(raw / "2017" / "rekvisitioner.csv", 2017)
    rows = [row for row in MALMO_2016 if row[0] not in dict(meta("", "", ""))]
    write_csv(raw / "2017" / "inventering" / "malmo.csv", meta("1280", "2017", "2017-11-15") + rows)


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path, dg.DagsterInstance]:
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    first = materialize_pipeline(raw, warehouse, instance)
    assert first.success
    # The first build builds every year: each is a partition, in year order.
    assert instance.get_dynamic_partitions("ar") == ["2013", "2014", "2015", "2016"]
    assert {partition for key, partition in materialized(first) if key == FILE_LEDGER} == {
        "2013",
        "2014",
        "2015",
        "2016",
    }
    return raw, warehouse, instance


def test_the_year_scoped_assets_are_partitioned_by_year_and_the_report_is_not():
    from pipelines.definitions import defs

    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    built = [assets for assets in defs.assets if isinstance(assets, dg.AssetsDefinition)]
    built_keys = {key for assets in built for key in assets.keys}
    assert built_keys == specs.keys() - {YEAR_FOLDER}
    partitioned = {key for key in built_keys if specs[key].partitions_def}
    assert partitioned == set(PARTITIONED)
    # The year folders, observed, are partitioned as the assets that read them.
    for key in [*PARTITIONED, YEAR_FOLDER]:
        assert specs[key].partitions_def == dg.DynamicPartitionsDefinition(name="ar")
    # One run for any number of years, for every asset: a backfill ends in one publication.
    for assets in built:
        policy = assets.backfill_policy
        assert policy is not None
        assert policy == dg.BackfillPolicy.single_run()


def test_a_new_year_folder_becomes_a_partition_without_a_code_change(published):
    raw, warehouse, instance = published
    add_malmo_2017(raw)

    tick = sensor_tick(raw, warehouse, instance, cursor=None)
    assert [
        (request.partitions_def_name, list(request.partition_keys))
        for request in tick.dynamic_partitions_requests
    ] == [("ar", ["2017"])]
    # Only the new year is built, with the report.
    (request,) = tick.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2017"
    assert request.tags["dagster/asset_partition_range_end"] == "2017"

    # make refresh (the same plan) adds the partition itself and builds the year.
    result = materialize_pipeline(raw, warehouse, instance)
    assert result.success
    assert instance.get_dynamic_partitions("ar") == ["2013", "2014", "2015", "2016", "2017"]
    assert {partition for key, partition in materialized(result) if key in PARTITIONED} == {"2017"}
    assert query(
        warehouse, "SELECT path, status FROM quality.file_ledger WHERE path LIKE '2017/%'"
    ) == [("2017/inventering/malmo.csv", "selected")]


def test_a_refresh_after_a_change_in_one_year_builds_that_year_and_the_report_and_publishes_once(
    published,
):
    raw, warehouse, instance = published
    before = query(warehouse, "SELECT * FROM quality.file_ledger WHERE path NOT LIKE '2015/%'")
    before_answers = query(warehouse, "SELECT * FROM core.answers WHERE ar <> 2015 ORDER BY ALL")
    # Göteborg sends 2015's form again, later.
    shutil.copy(
        raw / "2015" / "inventering" / "goteborg-2015.csv",
        raw / "2015" / "inventering" / "goteborg-2015-igen.csv",
    )

    tick = sensor_tick(raw, warehouse, instance, cursor=None)
    (request,) = tick.run_requests
    assert (
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    ) == ("2015", "2015")
    assert tick.dynamic_partitions_requests == []

    result = materialize_pipeline(raw, warehouse, instance)
    assert result.success
    runs = materialized(result)
    assert {partition for key, partition in runs if key in PARTITIONED} == {"2015"}
    assert runs.count((WAREHOUSE, None)) == 1
    assert runs.count((TABLES_LONG, None)) == 1
    # The other years are as they were; 2015 has the new file.
    assert (
        query(warehouse, "SELECT * FROM quality.file_ledger WHERE path NOT LIKE '2015/%'") == before
    )
    assert (
        query(warehouse, "SELECT * FROM core.answers WHERE ar <> 2015 ORDER BY ALL")
        == before_answers
    )
    assert query(
        warehouse,
        "SELECT path, status FROM quality.file_ledger WHERE path LIKE '2015/%' ORDER BY path",
    ) == [
        # Byte-identical: the first by path is used (docs/INLAMNING.md, section 3).
        ("2015/inventering/goteborg-2015-igen.csv", "selected"),
        ("2015/inventering/goteborg-2015.csv", "duplicate"),
    ]
    # Nothing is left to build: the years' fingerprints are those of the landing zone.
    assert materialize_pipeline(raw, warehouse, instance).get_asset_materialization_events() == []


def test_one_partition_materialised_by_hand_rebuilds_that_year_and_the_report(published):
    # As `dagster asset materialize --select '*' --partition 2016` or the UI does it.
    from pipelines.definitions import defs

    raw, warehouse, instance = published
    malmo_2016 = "SELECT count(*) FROM core.answers WHERE kommunkod = '1280' AND ar = 2016"
    assert query(warehouse, malmo_2016)[0][0] > 0
    (raw / "2016" / "inventering" / "malmo.csv").unlink()
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, partition_key="2016"
        )
    assert result.success
    runs = materialized(result)
    assert {partition for key, partition in runs if key in PARTITIONED} == {"2016"}
    assert runs.count((WAREHOUSE, None)) == 1
    assert query(warehouse, malmo_2016) == [(0,)]
    assert query(warehouse, "SELECT count(*) FROM core.answers WHERE kommunkod = '1280'")[0][0] > 0


def test_a_run_without_the_publication_hands_its_build_to_the_next_run(published):
    # The UI's backfill of every asset splits into a run of the partitioned assets and a run of
    # the report (Dagster groups a backfill's runs by partitioning). The first run's work must be
    # published by the second, and not before.
    from pipelines.definitions import defs
    from pipelines.year_runs import unpartitioned_asset_keys

    raw, warehouse, instance = published
    (raw / "2016" / "inventering" / "malmo.csv").unlink()
    job = defs.resolve_job_def("refresh")
    with paths_in_environment(raw, warehouse):
        years = job.execute_in_process(
            instance=instance, partition_key="2016", asset_selection=PARTITIONED
        )
    assert years.success
    assert materialized(years)
    published_malmo = "SELECT count(*) FROM quality.file_ledger WHERE path LIKE '2016/%malmo%'"
    assert query(warehouse, published_malmo) == [(1,)]  # not yet published

    with paths_in_environment(raw, warehouse):
        report = job.execute_in_process(
            instance=instance,
            asset_selection=unpartitioned_asset_keys(defs.resolve_all_asset_specs()),
        )
    assert report.success
    assert (WAREHOUSE, None) in materialized(report)
    assert query(warehouse, published_malmo) == [(0,)]
    assert not list(warehouse.parent.glob("*.building"))


def test_a_backfill_of_every_year_is_one_run_with_paths_from_the_environment(tmp_path):
    # Dagster's own command line, in another process, with the paths only in the environment
    # (the resources' dg.EnvVar): a range of every year runs as one run and publishes once.
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "elsewhere" / "kompetens.duckdb"
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "KOMPETENS_RAW_DIR": str(raw),
        "KOMPETENS_WAREHOUSE": str(warehouse),
    }
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.add_dynamic_partitions("ar", ["2013", "2014", "2015", "2016"])
    dagster = Path(sys.executable).parent / "dagster"
    completed = subprocess.run(
        [
            str(dagster),
            "asset",
            "materialize",
            "-m",
            "pipelines.definitions",
            "--select",
            "*",
            "--partition-range",
            "2013...2016",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        events = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
        runs = [
            (
                record.event_log_entry.dagster_event.asset_key,
                record.event_log_entry.dagster_event.step_materialization_data.materialization.partition,
            )
            for record in events
        ]
    assert {partition for key, partition in runs if key == FILE_LEDGER} == {
        "2013",
        "2014",
        "2015",
        "2016",
    }
    assert runs.count((WAREHOUSE, None)) == 1
    assert query(warehouse, "SELECT count(*) FROM quality.file_ledger")[0][0] == 15


def test_the_resources_are_configured_from_environment_variables():
    from pipelines.definitions import defs

    # Resolved when a run starts, not at import: the Definitions hold the variables' names.
    assert defs.resources["landing_zone"].raw_dir == dg.EnvVar("KOMPETENS_RAW_DIR")
    assert defs.resources["warehouse"].database == dg.EnvVar("KOMPETENS_WAREHOUSE")
