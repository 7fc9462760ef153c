"""What `python -m pipelines.refresh` does around its Dagster run to keep the run's fixed cost
down (issue 16: a run with nothing changed within the floor + 2 s), without changing the run."""

from __future__ import annotations

import gc
import sqlite3.dbapi2
from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from assets import helper_process
from assets.publish.freshness import CONFIRMED_CURRENT
from pipelines import refresh
from pipelines.resources import PROJECT_ROOT
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone

YEARS = dg.StaticPartitionsDefinition([str(ar) for ar in range(2010, 2020)])
# A run over every year, as the nightly schedule's.
EVERY_YEAR = {
    "dagster/asset_partition_range_start": YEARS.get_first_partition_key(),
    "dagster/asset_partition_range_end": YEARS.get_last_partition_key(),
}


@dg.asset(partitions_def=YEARS)
def a_year() -> None:
    pass


@dg.asset(deps=[a_year])
def every_year() -> None:
    pass


@dg.asset_check(asset=every_year)
def every_year_is_there() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


SMALL_JOB = dg.Definitions(
    assets=[a_year, every_year], asset_checks=[every_year_is_there]
).resolve_implicit_global_asset_job_def()


def sqlite_instance(dagster_home: Path) -> dg.DagsterInstance:
    # Dagster's default storage for a DAGSTER_HOME, as the project's instance has.
    dagster_home.mkdir(exist_ok=True)
    (dagster_home / "dagster.yaml").write_bytes(
        (PROJECT_ROOT / "pipelines/dagster.yaml").read_bytes()
    )
    return dg.DagsterInstance.from_config(str(dagster_home))


@pytest.fixture
def sqlite_connections(monkeypatch) -> Counter:
    """Database file name -> SQLite connections opened to it (through SQLAlchemy too)."""
    opened: Counter = Counter()
    # The module SQLAlchemy connects through.
    connect = sqlite3.dbapi2.connect

    def counting(database, *args, **kwargs):
        opened[Path(database).name] += 1
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3.dbapi2, "connect", counting)
    return opened


def test_a_run_writes_all_its_events_through_a_few_connections(tmp_path, sqlite_connections):
    instance = sqlite_instance(tmp_path / "dagster_home")
    sqlite_connections.clear()
    with refresh.storage_connections_kept(instance):
        result = SMALL_JOB.execute_in_process(instance=instance, tags=EVERY_YEAR)
        events_written = len(instance.all_logs(result.run_id))
    assert result.success
    # Planned (one per year), started, materialised, checked, finished: each one written, the
    # asset events to two files.
    assert events_written > 30
    # A handful, whatever the number of events: the ones Dagster opens to create a new run's
    # database, then the one kept open per file.
    assert max(sqlite_connections.values()) <= 8
    # Closed at the block's end: SQLite checkpoints a database and removes its WAL file when its
    # last connection closes.
    assert not list((tmp_path / "dagster_home").rglob("*.db-wal"))
    # The storages are Dagster's own again, and every event is there for another process to read.
    assert {"_connect", "has_table"}.isdisjoint(vars(instance.event_log_storage))
    assert "connect" not in vars(instance.run_storage)
    instance.dispose()
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as reader:
        assert len(reader.all_logs(result.run_id)) == events_written
        assert reader.get_run_by_id(result.run_id).is_success


def test_without_the_block_every_write_opens_a_connection(tmp_path, sqlite_connections):
    # What the block is for: Dagster's SQLite storages open (and close) one per transaction.
    instance = sqlite_instance(tmp_path / "dagster_home")
    sqlite_connections.clear()
    result = SMALL_JOB.execute_in_process(instance=instance, tags=EVERY_YEAR)
    assert result.success
    assert sqlite_connections[f"{result.run_id}.db"] > len(instance.all_logs(result.run_id))
    instance.dispose()


def test_the_imports_are_out_of_the_collectors_reach_until_the_block_ends():
    assert gc.isenabled()
    with refresh.imports_out_of_collection() as imported:
        assert not gc.isenabled()
        imported()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0

    with pytest.raises(RuntimeError), refresh.imports_out_of_collection():
        raise RuntimeError("an import failed")
    assert gc.isenabled()

    gc.disable()
    try:
        with refresh.imports_out_of_collection() as imported:
            imported()
            assert not gc.isenabled()  # a caller's choice is left alone
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_all_years_refresh_of_a_current_warehouse_is_a_run_that_confirms_it(
    tmp_path, monkeypatch
):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    dagster_home = tmp_path / "dagster_home"
    instance = sqlite_instance(dagster_home)
    assert materialize_pipeline(raw, warehouse, instance).success
    instance.dispose()
    monkeypatch.setenv("KOMPETENS_RAW_DIR", str(raw))
    monkeypatch.setenv("KOMPETENS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))

    assert refresh.main(["--all-years"]) == 0

    # Nothing for the helper to do: it was stopped, not left to import Great Expectations.
    assert helper_process._process is None
    with dg.DagsterInstance.get() as reader:
        run = reader.get_runs(limit=1)[0]
        assert run.is_success
        events = [record.dagster_event for record in reader.all_logs(run.run_id)]
    types = Counter(event.event_type for event in events if event is not None)
    assert types[dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED] > 0
    assert types[dg.DagsterEventType.ASSET_MATERIALIZATION] == 0
    assert types[dg.DagsterEventType.STEP_SKIPPED] > 0
    (observation,) = [
        event.event_specific_data.asset_observation
        for event in events
        if event is not None and event.event_type == dg.DagsterEventType.ASSET_OBSERVATION
    ]
    assert CONFIRMED_CURRENT in observation.metadata
