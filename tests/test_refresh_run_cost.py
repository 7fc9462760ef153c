"""What `python -m pipelines.refresh` does around its Dagster run to keep the run's fixed cost
down (issue 16: a run with nothing changed within the floor + 2 s), without changing the run.
The instance's storages are Dagster's own, untouched (issue 22: public APIs only)."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from assets.parallel import helper_process
from assets.run_context.published import CONFIRMED_CURRENT, PUBLISHED_WAREHOUSE
from pipelines import refresh
from pipelines.environment import PROJECT_ROOT
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone


def sqlite_instance(dagster_home: Path) -> dg.DagsterInstance:
    # Dagster's default storage for a DAGSTER_HOME, as the project's instance has.
    dagster_home.mkdir(exist_ok=True)
    (dagster_home / "dagster.yaml").write_bytes(
        (PROJECT_ROOT / "pipelines/dagster.yaml").read_bytes()
    )
    return dg.DagsterInstance.from_config(str(dagster_home))


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
    # Of the published warehouse, beside those of the year folders (raw/year_folder).
    (observation,) = [
        event.event_specific_data.asset_observation
        for event in events
        if event is not None
        and event.event_type == dg.DagsterEventType.ASSET_OBSERVATION
        and event.asset_key == PUBLISHED_WAREHOUSE
    ]
    assert CONFIRMED_CURRENT in observation.metadata
