"""Issue 22, item 5: a run someone asks for does what it selects, also when nothing changed; only
the runs of the nightly schedule, the sensor and `make refresh` take the cheap path; a run of the
year-scoped assets without a year is stopped before it builds anything, saying to pick years."""

from __future__ import annotations

import dagster as dg
import pytest

from tests.conftest import materialize_pipeline, paths_in_environment
from tests.test_partitions import (
    materialized,
    published,  # noqa: F401 - the fixture, through `zone`
    query,
)

YEARS = ["2013", "2014", "2015", "2016"]
YEAR_FOLDER = dg.AssetKey(["raw", "year_folder"])


@pytest.fixture
def zone(request):
    """test_partitions' published landing zone, warehouse and instance (a parameter named as the
    imported fixture would shadow it)."""
    return request.getfixturevalue("published")


def _every_asset_of_the_job(partitions: list[str]) -> set[tuple[dg.AssetKey, str | None]]:
    from pipelines.definitions import defs

    # The job `refresh` selects every asset (pipelines/jobs.py), and observes the year folders
    # (raw/year_folder), which are no asset it materialises.
    expected = set()
    for spec in defs.resolve_all_asset_specs():
        if spec.key == YEAR_FOLDER:
            continue
        if spec.partitions_def is None:
            expected.add((spec.key, None))
        else:
            expected.update((spec.key, partition) for partition in partitions)
    return expected


def test_an_explicit_materialisation_with_nothing_changed_records_every_selected_asset(zone):
    # As `dagster asset materialize -m pipelines.definitions --select '*' --partition 2016`.
    from pipelines.definitions import defs

    raw, warehouse, instance = zone
    ledger = query(warehouse, "SELECT * FROM quality.file_ledger ORDER BY path")
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, partition_key="2016"
        )
    assert result.success
    assert set(materialized(result)) == _every_asset_of_the_job(["2016"])
    # Built again from the parse cache, it comes out the same.
    assert query(warehouse, "SELECT * FROM quality.file_ledger ORDER BY path") == ledger


def test_a_backfills_run_of_every_year_with_nothing_changed_succeeds_and_records_every_year(
    zone,
):
    # A backfill of every asset and year (single-run policy) is a run tagged with the range, as
    # the UI launches it: no tag of the cheap path.
    from pipelines.definitions import defs

    raw, warehouse, instance = zone
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": YEARS[0],
                "dagster/asset_partition_range_end": YEARS[-1],
            },
        )
    assert result.success
    assert set(materialized(result)) == _every_asset_of_the_job(YEARS)


def test_the_schedules_run_with_nothing_changed_still_skips_every_step(zone):
    raw, warehouse, instance = zone
    result = materialize_pipeline(raw, warehouse, instance, all_years=True)
    assert result.success
    assert materialized(result) == []
    # It observes every year folder: what the UI shows as stale stays current.
    observed = [
        event.partition
        for event in result.get_asset_observation_events()
        if event.asset_key == YEAR_FOLDER
    ]
    assert sorted(observed) == YEARS


def test_the_job_without_a_partition_is_stopped_before_it_builds_saying_to_pick_years(zone):
    # As `dagster job execute -m pipelines.definitions -j refresh`, after a change.
    from pipelines.alerts import failure_reasons
    from pipelines.definitions import defs

    raw, warehouse, instance = zone
    (raw / "2016" / "inventering" / "malmo.csv").unlink()
    before = query(warehouse, "SELECT * FROM quality.file_ledger ORDER BY path")
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not result.success
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    assert failed == ["quality__build_inputs"]
    (reason,) = failure_reasons(result.all_events)
    assert "Pick the years to build" in reason
    assert materialized(result) == []
    assert query(warehouse, "SELECT * FROM quality.file_ledger ORDER BY path") == before
    assert not list(warehouse.parent.glob("*.building"))


@pytest.mark.parametrize("mapping", [None, dg.AllPartitionMapping()])
def test_dagster_cannot_run_a_partitioned_asset_of_a_partitioned_parent_without_a_partition(
    mapping,
):
    # Why the job without a partition is stopped rather than run over every year
    # (docs/ARCHITECTURE.md): its first year-scoped step could record each year's
    # materialisation, but Dagster fails the next one (core/grant_register's) before its code
    # runs. When an upgrade lifts this, this test fails: the run can then go over every year.
    years = dg.DynamicPartitionsDefinition(name="years")
    ran = []

    @dg.asset(partitions_def=years)
    def parent():
        yield from (dg.AssetMaterialization("parent", partition=year) for year in ("1", "2"))
        yield dg.MaterializeResult()

    @dg.asset(partitions_def=years, deps=[dg.AssetDep(parent, partition_mapping=mapping)])
    def child():
        ran.append("child")

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("years", ["1", "2"])
    result = dg.materialize([parent, child], instance=instance, raise_on_error=False)
    assert instance.get_materialized_partitions(dg.AssetKey("parent")) == {"1", "2"}
    (failure,) = (event for event in result.all_events if event.is_step_failure)
    assert failure.step_key == "child" and not ran
    assert "non-partitioned run" in str(failure.step_failure_data.error)


def test_the_report_alone_needs_no_year(zone):
    # What the sensor launches when only the README changed: the report, without a partition.
    from pipelines.definitions import defs
    from pipelines.year_runs import unpartitioned_asset_keys

    raw, warehouse, instance = zone
    report = unpartitioned_asset_keys(defs.resolve_all_asset_specs())
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, asset_selection=report
        )
    assert result.success
    assert set(materialized(result)) == {(key, None) for key in report}
