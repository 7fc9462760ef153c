"""A refresh on a PostgreSQL-backed Dagster instance (pipelines/dagster_postgres.yaml), against a
real PostgreSQL server that the test starts with pgserver: the instance configuration a shared
deployment uses (docs/DEPLOYMENT.md) is the one tested here, not a mock of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pgserver
import psycopg2
import pytest
import yaml
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from pipelines.partitions import YEAR_PARTITIONS
from pipelines.resources import PROJECT_ROOT, PUBLISHED_WAREHOUSE
from tests.landing_zone_fixture import build_small_landing_zone

POSTGRES_YAML = PROJECT_ROOT / "pipelines" / "dagster_postgres.yaml"
SQLITE_YAML = PROJECT_ROOT / "pipelines" / "dagster.yaml"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The libpq URL of an empty database `dagster` on a PostgreSQL server of this test's own,
    stopped at the end. It listens on a Unix socket only, so parallel tests never share a port.

    As root, pgserver runs the server as a user of its own, which must be able to reach the data
    folder: not under pytest's base temp, which every pytest session that starts meanwhile makes
    private to root again."""
    with tempfile.TemporaryDirectory(prefix="kompetens-pg-") as folder:
        server = pgserver.get_server(Path(folder) / "pgdata", cleanup_mode="stop")
        try:
            # A database of its own, as a deployment has, rather than the server's `postgres`.
            connection = psycopg2.connect(server.get_uri())
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("CREATE DATABASE dagster")
            connection.close()
            yield server.get_uri(database="dagster")
        finally:
            server.cleanup()


def query(url: str, sql: str, parameters: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall()
    finally:
        connection.close()


def test_a_refresh_stores_its_run_events_and_materialisations_in_postgresql(
    tmp_path, postgres_url, monkeypatch
):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    # With the driver that dagster-postgres installs (pipelines/dagster_postgres.yaml).
    dagster_url = postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    # As a deployment sets the instance up (docs/DEPLOYMENT.md): the file as shipped, the
    # database's URL in the environment.
    shutil.copy(POSTGRES_YAML, dagster_home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "KOMPETENS_PG_URL": dagster_url,
        "KOMPETENS_RAW_DIR": str(raw),
        "KOMPETENS_WAREHOUSE": str(warehouse),
    }
    bin_dir = Path(sys.executable).parent

    migrated = subprocess.run(
        [str(bin_dir / "dagster"), "instance", "migrate"],
        check=False,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr[-5000:]
    tables = {name for (name,) in query(postgres_url, "SELECT tablename FROM pg_tables")}
    # Run, event-log and schedule storage: one table of each.
    assert {"runs", "event_logs", "instigators"} <= tables

    # The command `make refresh` runs.
    refreshed = subprocess.run(
        [sys.executable, "-m", "pipelines.refresh"],
        check=False,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refreshed.returncode == 0, refreshed.stderr[-5000:]
    assert warehouse.exists()

    runs = query(postgres_url, "SELECT run_id, pipeline_name, status FROM runs")
    assert [(job, status) for _, job, status in runs] == [("refresh", "SUCCESS")]
    run_id = runs[0][0]
    materialisations = query(
        postgres_url,
        'SELECT asset_key, "partition" FROM event_logs'
        " WHERE run_id = %s AND dagster_event_type = %s",
        (run_id, dg.DagsterEventType.ASSET_MATERIALIZATION.value),
    )
    assert PUBLISHED_WAREHOUSE.to_string() in {key for key, _ in materialisations}
    # The years too: each year folder is a partition of `ar`, and the first build materialised
    # every one of them, both kept in PostgreSQL for the sensor and the UI of every process.
    year_folders = sorted(path.name for path in raw.iterdir() if path.is_dir())
    partitions = query(
        postgres_url,
        'SELECT "partition" FROM dynamic_partitions WHERE partitions_def_name = %s',
        (YEAR_PARTITIONS.name,),
    )
    assert sorted(partition for (partition,) in partitions) == year_folders
    assert sorted({year for _, year in materialisations if year is not None}) == year_folders
    run_events = {
        event_type
        for (event_type,) in query(
            postgres_url, "SELECT dagster_event_type FROM event_logs WHERE run_id = %s", (run_id,)
        )
    }
    # The stored names (PIPELINE_START for RUN_START), as Dagster's own enum gives them.
    assert {
        dg.DagsterEventType.RUN_START.value,
        dg.DagsterEventType.STEP_SUCCESS.value,
        dg.DagsterEventType.RUN_SUCCESS.value,
    } <= run_events
    # Nothing went to SQLite beside it: the instance in DAGSTER_HOME keeps no database file.
    assert not [path for path in dagster_home.rglob("*") if path.suffix == ".db"]

    # What the webserver and the daemon of a deployment read: the same run and publication,
    # through Dagster's own instance on the same DAGSTER_HOME.
    monkeypatch.setenv("KOMPETENS_PG_URL", dagster_url)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert [run.run_id for run in instance.get_runs()] == [run_id]
        published = instance.get_latest_materialization_event(PUBLISHED_WAREHOUSE)
        assert published is not None and published.run_id == run_id


def test_the_postgresql_instance_queues_runs_as_the_sqlite_one_does():
    """The pool kompetens_warehouse, one run at a time, keeps two runs from building and swapping
    the warehouse at once; a deployment on PostgreSQL needs it as much as `make dev` does."""
    postgres = yaml.safe_load(POSTGRES_YAML.read_text())
    sqlite = yaml.safe_load(SQLITE_YAML.read_text())
    assert "storage" not in sqlite
    assert "postgres" in postgres["storage"]
    assert {key: value for key, value in postgres.items() if key != "storage"} == sqlite
