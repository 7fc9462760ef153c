"""Operating the pipeline: Definitions, schedule, sensor, the atomic swap and the parse cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest

from assets.ingest.landing_zone import ContentHashes, year_fingerprints
from assets.run_context.resources import LandingZone, Warehouse
from pipelines.environment import PROJECT_ROOT
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import EXPECTED_LEDGER, build_small_landing_zone


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_in_fresh_process(database: Path, sql: str) -> int:
    """Query in another process: DuckDB caches open databases per path inside one process."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute(sys.argv[2]).fetchone()[0])"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, str(database), sql], check=True, capture_output=True, text=True
    )
    return int(output.stdout)


@pytest.fixture
def published_small_warehouse(tmp_path) -> tuple[Path, Path, dg.DagsterInstance]:
    """The small landing zone refreshed once: (raw dir, published warehouse, Dagster instance)."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_pipeline(raw, warehouse, instance).success
    return raw, warehouse, instance


def ledger_metadata(result: dg.ExecuteInProcessResult) -> dict:
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == dg.AssetKey(["quality", "file_ledger"]):
            return {key: value.value for key, value in materialization.metadata.items()}
    raise AssertionError("quality/file_ledger was not materialised")


def test_definitions_load_with_job_schedule_and_sensor():
    from pipelines.definitions import defs

    assert defs.resolve_job_def("refresh") is not None
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"
    assert defs.resolve_sensor_def("landing_zone_changed") is not None


def test_the_schedule_requests_a_refresh_of_every_year_every_night():
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("ar", ["2013", "2014", "2016"])
        # Left, the context would leave the instance's storage as the current one for every later
        # test, after the instance is gone.
        with dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC),
        ) as context:
            requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1
    assert requests[0].tags["dagster/asset_partition_range_start"] == "2013"
    assert requests[0].tags["dagster/asset_partition_range_end"] == "2016"


def sensor_tick(
    raw: Path,
    warehouse: Path,
    instance: dg.DagsterInstance,
    cursor: str | None,
    defs: dg.Definitions | None = None,
):
    """One evaluation of the sensor `landing_zone_changed` on these paths, of the project's
    Definitions or of `defs`."""
    if defs is None:
        from pipelines.definitions import defs

    with dg.build_sensor_context(
        cursor=cursor,
        instance=instance,
        definitions=defs,
        resources={
            "landing_zone": LandingZone(raw_dir=str(raw)),
            "warehouse": Warehouse(database=str(warehouse)),
        },
    ) as context:
        return defs.resolve_sensor_def("landing_zone_changed").evaluate_tick(context)


def test_the_sensor_fires_on_new_or_changed_content_only(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor):
        return sensor_tick(raw, warehouse, instance, cursor)

    first = tick(None)
    assert len(first.run_requests) == 1
    cursor = first.cursor
    assert tick(cursor).run_requests == []  # nothing changed

    # Touched but byte-identical: still nothing to do (content hash, not mtime).
    submission = raw / "2016" / "inventering" / "malmo.csv"
    os.utime(submission, (1, 1))
    assert tick(cursor).run_requests == []

    # A new file starts a refresh, keyed by the new content.
    shutil.copy(submission, raw / "2016" / "inventering" / "malmo_igen.csv")
    after_new_file = tick(cursor)
    assert len(after_new_file.run_requests) == 1
    assert after_new_file.run_requests[0].run_key == after_new_file.cursor != cursor

    # A changed grant register does too.
    register = raw / "2015" / "rekvisitioner.csv"
    register.write_text(
        register.read_text().replace(
            "0180;kompetensutveckling;1000000", "0180;kompetensutveckling;1000001"
        )
    )
    assert len(tick(after_new_file.cursor).run_requests) == 1


def test_a_landing_zone_changed_back_to_an_earlier_state_starts_a_refresh(tmp_path):
    # A wrongly added file removed again returns the landing zone to what an earlier refresh
    # read; the warehouse was refreshed with the file since, so it must be refreshed again.
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor):
        return sensor_tick(raw, warehouse, instance, cursor)

    state_a = tick(None)
    assert tick(state_a.cursor).run_requests == []  # unchanged
    wrongly_added = raw / "2016" / "inventering" / "fel_kommun.csv"
    shutil.copy(raw / "2016" / "inventering" / "malmo.csv", wrongly_added)
    state_b = tick(state_a.cursor)
    wrongly_added.unlink()
    back_to_a = tick(state_b.cursor)
    assert tick(back_to_a.cursor).run_requests == []  # unchanged

    run_keys = [
        request.run_key
        for evaluation in (state_a, state_b, back_to_a)
        for request in evaluation.run_requests
    ]
    assert len(run_keys) == 3
    assert len(set(run_keys)) == 3


def test_a_reader_keeps_the_old_warehouse_through_a_refresh_and_unchanged_files_are_not_read_again(
    tmp_path,
):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    first = materialize_pipeline(raw, warehouse, instance)
    assert first.success
    # 15 files, of which the dot-file, the .txt and the duplicate need no reading: 12.
    assert ledger_metadata(first)["files_read_this_run"] == 12

    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM quality.file_ledger").fetchone()[0]
        shutil.copy(
            raw / "2016" / "inventering" / "malmo.csv", raw / "2016" / "inventering" / "ny.csv"
        )

        second = materialize_pipeline(raw, warehouse, instance)
        assert second.success
        # Only the new file's content was read; it is byte-identical to malmo.csv, so nothing.
        assert ledger_metadata(second)["files_read_this_run"] == 0
        # The open connection still reads the version it opened, undisturbed.
        assert reader.execute("SELECT count(*) FROM quality.file_ledger").fetchone()[0] == before
        assert before == len(EXPECTED_LEDGER)
    finally:
        reader.close()
    assert (
        count_in_fresh_process(warehouse, "SELECT count(*) FROM quality.file_ledger") == before + 1
    )
    assert not list((warehouse.parent / ".staging").iterdir())


def test_a_failed_refresh_leaves_the_previous_warehouse_in_place(
    published_small_warehouse, monkeypatch
):
    raw, warehouse, instance = published_small_warehouse
    published = sha256(warehouse)

    import assets.report.assets as report_assets

    def broken_build(con):
        raise RuntimeError("the report SQL failed")

    monkeypatch.setattr(report_assets, "build_report", broken_build)
    (raw / "2016" / "inventering" / "malmo.csv").unlink()
    with pytest.raises(Exception, match="the report SQL failed"):
        materialize_pipeline(raw, warehouse, instance)
    assert sha256(warehouse) == published


def test_a_failing_blocking_check_stops_the_publication(published_small_warehouse, monkeypatch):
    raw, warehouse, instance = published_small_warehouse
    published = sha256(warehouse)

    import assets.report.assets as report_assets

    real_build = report_assets.build_report

    def build_missing_a_contract_column(con):
        real_build(con)
        con.execute("ALTER TABLE report.text_figures DROP COLUMN n_kommuner")

    monkeypatch.setattr(report_assets, "build_report", build_missing_a_contract_column)
    # A new file, so that the refresh has something to build.
    shutil.copy(raw / "2016" / "inventering" / "malmo.csv", raw / "2016" / "inventering" / "ny.csv")
    result = materialize_pipeline(raw, warehouse, instance, raise_on_error=False)
    checks = {
        evaluation.check_name: evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }
    assert checks["contract_tables_present"] is False
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("kompetens_warehouse") not in materialized
    assert sha256(warehouse) == published


def test_make_refresh_honours_the_environment_and_starts_no_run_when_nothing_changed(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "elsewhere" / "kompetens.duckdb"
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    env = {
        **os.environ,
        "KOMPETENS_RAW_DIR": str(raw),
        "KOMPETENS_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(dagster_home),
    }

    def refresh() -> subprocess.CompletedProcess:
        # The command `make refresh` runs.
        return subprocess.run(
            [sys.executable, "-m", "pipelines.refresh"],
            check=False,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    def runs_in_history() -> list[str]:
        instance = dg.DagsterInstance.from_config(str(dagster_home))
        try:
            return [run.job_name for run in instance.get_runs()]
        finally:
            instance.dispose()

    built = refresh()
    assert built.returncode == 0, built.stderr[-5000:]
    assert count_in_fresh_process(warehouse, "SELECT count(*) FROM quality.file_ledger") == len(
        EXPECTED_LEDGER
    )
    assert runs_in_history() == ["refresh"]
    published = sha256(warehouse)

    unchanged = refresh()
    assert unchanged.returncode == 0, unchanged.stderr[-5000:]
    assert "Nothing changed since the published build" in unchanged.stdout
    assert runs_in_history() == ["refresh"]
    assert sha256(warehouse) == published

    shutil.copy(raw / "2016" / "inventering" / "malmo.csv", raw / "2016" / "inventering" / "ny.csv")
    changed = refresh()
    assert changed.returncode == 0, changed.stderr[-5000:]
    assert runs_in_history() == ["refresh", "refresh"]
    assert sha256(warehouse) != published


def test_make_refresh_compares_nothing_before_the_first_build(tmp_path, monkeypatch):
    # With no published warehouse the run itself fingerprints the landing zone; comparing first
    # would hash every file twice (a long time at 1000× the shipped zone).
    import pipelines.definitions
    from assets.ingest import build_inputs
    from assets.parallel import helper_process
    from pipelines import refresh

    raw = build_small_landing_zone(tmp_path / "raw")
    monkeypatch.setenv("KOMPETENS_RAW_DIR", str(raw))
    monkeypatch.setenv("KOMPETENS_WAREHOUSE", str(tmp_path / "kompetens.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setattr(helper_process, "start", lambda: None)
    compared = []
    for name in ("read_build_inputs", "read_build_inputs_before_definitions"):
        monkeypatch.setattr(build_inputs, name, lambda *args: compared.append(args))
    runs = []

    class Job:
        def execute_in_process(self, **kwargs):
            runs.append(kwargs)
            return SimpleNamespace(success=True, run_id="a-run")

    monkeypatch.setattr(
        pipelines.definitions,
        "defs",
        SimpleNamespace(resolve_job_def=lambda name: Job(), resolve_all_asset_specs=list),
    )
    assert refresh.main() == 0
    assert compared == []
    assert len(runs) == 1


def test_make_refresh_exits_1_when_the_run_fails(tmp_path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.refresh"],
        check=False,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "KOMPETENS_RAW_DIR": str(tmp_path / "no_such_landing_zone"),
            "KOMPETENS_WAREHOUSE": str(tmp_path / "kompetens.duckdb"),
            "DAGSTER_HOME": str(dagster_home),
        },
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    # Said below the event log, not only in it.
    last_line = completed.stderr.rstrip().splitlines()[-1]
    assert last_line.startswith(
        f"Step quality__build_inputs: The landing zone {tmp_path / 'no_such_landing_zone'} "
        "does not exist"
    )
    assert not (tmp_path / "kompetens.duckdb").exists()


def test_make_refresh_says_why_the_run_failed_below_the_event_log_and_exits_1(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    register = raw / "2016" / "rekvisitioner.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    lines[1] = "0114;inventering;5 000;0;0"  # line 2 of the file
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.refresh"],
        check=False,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "KOMPETENS_RAW_DIR": str(raw),
            "KOMPETENS_WAREHOUSE": str(tmp_path / "kompetens.duckdb"),
            "DAGSTER_HOME": str(dagster_home),
        },
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    last_lines = completed.stderr.rstrip().splitlines()[-3:]
    assert last_lines[0].startswith("The refresh failed (run ")
    assert last_lines[1].startswith(
        "Step core__grant_register: Rekvisitionsregistren har ett problem. "
    )
    assert last_lines[2] == (
        "- 2016/rekvisitioner.csv rad 2: fordelat_sek '5 000' är inte ett helt antal kronor ≥ 0. "
        "Skriv bara siffror, utan mellanslag eller decimaler (5000)."
    )
    assert not (tmp_path / "kompetens.duckdb").exists()


def test_reading_and_validating_in_batches_gives_the_same_warehouse(
    tmp_path, monkeypatch, small_warehouse
):
    import assets.validate.assets as validate_assets
    from assets.ingest import parse_cache

    monkeypatch.setattr(parse_cache, "READ_BATCH_FILES", 2)
    monkeypatch.setattr(validate_assets, "SUBMISSIONS_PER_SLICE", 2)
    raw = build_small_landing_zone(tmp_path / "raw")
    sliced = tmp_path / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, sliced).success

    # The parse cache by path: the fixture's XLSX files differ in their creation time per build.
    by_path = {
        "core.file_reads": "SELECT l.path, r.* EXCLUDE (sha256) FROM core.file_reads AS r "
        "JOIN quality.file_ledger AS l USING (sha256)",
        "core.file_answers": "SELECT l.path, a.* EXCLUDE (sha256) FROM core.file_answers AS a "
        "JOIN quality.file_ledger AS l USING (sha256)",
        "core.file_findings": "SELECT l.path, f.* EXCLUDE (sha256) FROM core.file_findings AS f "
        "JOIN quality.file_ledger AS l USING (sha256)",
    }

    def contents(database: Path) -> dict:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return {
                table: sorted(
                    con.execute(by_path.get(table, f"SELECT * FROM {table}")).fetchall(), key=repr
                )
                for table in (
                    *by_path,
                    "core.block_status",
                    "core.answers",
                    "quality.issues",
                    "report.tables_long",
                )
            }
        finally:
            con.close()

    assert contents(sliced) == contents(small_warehouse)


def test_a_missing_landing_zone_fails_the_run_instead_of_publishing_an_empty_warehouse(
    published_small_warehouse, tmp_path
):
    _, warehouse, instance = published_small_warehouse
    published = sha256(warehouse)

    result = materialize_pipeline(
        tmp_path / "no_such_dir", warehouse, instance, raise_on_error=False
    )
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert "KOMPETENS_RAW_DIR" in failure.step_failure_data.error.message
    assert sha256(warehouse) == published


def test_the_run_queue_allows_one_run_of_the_warehouses_assets_at_a_time(tmp_path):
    import shutil

    from assets.run_context.resources import WAREHOUSE_POOL
    from pipelines.definitions import defs

    # Every asset is in the pool, so a run of any of them (the schedule's, the sensor's, one from
    # the UI or a backfill) is queued behind it; the hourly freshness check is not.
    # The observable source of the year folders (raw/year_folder) writes nothing and takes no pool.
    pools = {
        key: assets.op.pool
        for assets in defs.assets
        if isinstance(assets, dg.AssetsDefinition)
        for key in assets.keys
    }
    assert set(pools.values()) == {WAREHOUSE_POOL}
    freshness = defs.resolve_job_def("warehouse_freshness")
    assert not any(node.definition.pools for node in freshness.graph.nodes)
    # The instance holds the pool to one run at a time, for the whole run.
    shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.pool_granularity.value == "run"
        assert concurrency.pool_config.default_pool_limit == 1


def test_publishing_alone_changes_nothing_and_says_why(published_small_warehouse):
    from assets.swap.assets import kompetens_warehouse

    raw, warehouse, instance = published_small_warehouse
    published = sha256(warehouse)

    # Entered, so that Definitions built in the call read this instance's state storage.
    with instance:
        result = dg.materialize(
            [kompetens_warehouse],
            resources={
                "landing_zone": LandingZone(raw_dir=str(raw)),
                "warehouse": Warehouse(database=str(warehouse)),
            },
            instance=instance,
            raise_on_error=False,
        )
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert "nothing to publish" in failure.step_failure_data.error.message
    assert sha256(warehouse) == published


def executed_steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.step_key for event in result.all_events if event.event_type_value == "STEP_SUCCESS"
    }


def skipped_steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.step_key for event in result.all_events if event.event_type_value == "STEP_SKIPPED"
    }


def test_a_refresh_with_nothing_changed_rebuilds_nothing(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    first = materialize_pipeline(raw, warehouse, instance)
    assert "publication__exports" in executed_steps(first)
    published = sha256(warehouse)
    publication = (warehouse.parent / "publications" / "current").resolve()

    second = materialize_pipeline(raw, warehouse, instance)
    assert second.success
    # No year changed, so the run holds only what reads every year, and skips all of it.
    assert executed_steps(second) == {"quality__build_inputs"}
    # Every other asset and check is skipped, not failed: the run succeeds and publishes nothing.
    assert {"kompetens_warehouse", "publication__exports"} <= skipped_steps(second)
    assert sha256(warehouse) == published
    assert (warehouse.parent / "publications" / "current").resolve() == publication
    assert not list((warehouse.parent / ".staging").iterdir())


def test_a_changed_file_rebuilds_and_publishes(published_small_warehouse):
    raw, warehouse, instance = published_small_warehouse
    first = (warehouse.parent / "publications" / "current").resolve()

    # One new file: a new fingerprint, a full rebuild, and the ledger has the file.
    shutil.copy(raw / "2016" / "inventering" / "malmo.csv", raw / "2016" / "inventering" / "ny.csv")
    changed = materialize_pipeline(raw, warehouse, instance)
    assert {"submission_files", "kompetens_warehouse"} <= executed_steps(changed)
    assert (warehouse.parent / "publications" / "current").resolve() != first
    assert (
        count_in_fresh_process(
            warehouse, "SELECT count(*) FROM quality.file_ledger WHERE path LIKE '%ny.csv'"
        )
        == 1
    )


def test_every_years_fingerprint_covers_the_code_and_the_reference_data(tmp_path, monkeypatch):
    # A change of the year-scoped assets' code or of the reference data rebuilds every year, not
    # only the changed files' years.
    from assets.ingest import build_inputs
    from schemas.catalog import REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR

    raw = build_small_landing_zone(tmp_path / "raw")

    def years(code_years: str = "the year-scoped assets' code") -> dict[int, str]:
        return build_inputs.years_inputs(
            year_fingerprints(raw, ContentHashes()),
            code_years,
            build_inputs.reference_fingerprint(),
        )

    def all_changed(before: dict[int, str], after: dict[int, str]) -> bool:
        return before.keys() == after.keys() and all(before[ar] != after[ar] for ar in before)

    before = years()
    assert sorted(before) == [2013, 2014, 2015, 2016]
    assert years() == before
    assert all_changed(before, years("their code, edited"))

    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
    same_reference = years()
    (reference / "known_errata.csv").write_text("changed\n")
    other_reference = years()
    assert all_changed(same_reference, other_reference)

    # A file changes its own year only.
    (raw / "2015" / "inventering" / "goteborg-2015.csv").write_text("fraga;svar\n")
    changed = years()
    assert [ar for ar in changed if changed[ar] != other_reference[ar]] == [2015]


def test_a_build_keeps_duckdb_within_its_memory_limit_and_removes_spill_folders_of_killed_runs(
    tmp_path,
):
    warehouse = Warehouse(database=str(tmp_path / "kompetens.duckdb"), memory_limit="300MB")
    killed_runs_spill = tmp_path / ".staging" / "killed-run" / "kompetens.duckdb.tmp"
    killed_runs_spill.mkdir(parents=True)
    (killed_runs_spill / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    context = SimpleNamespace(
        run=SimpleNamespace(run_id="this-run"),
        log=logging.getLogger(),
        instance=dg.DagsterInstance.ephemeral(),
    )
    with warehouse.connect(context) as con:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
    assert limit == "286.1 MiB"  # DuckDB shows 300 000 000 bytes in MiB
    assert not killed_runs_spill.parent.exists()
