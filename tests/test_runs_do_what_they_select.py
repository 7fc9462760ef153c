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


@pytest.fixture
def zone(request):
    """test_partitions' published landing zone, warehouse and instance (a parameter named as the
    imported fixture would shadow it)."""
    return request.getfixturevalue("published")


def _every_asset_of_the_job(partitions: list[str]) -> set[tuple[dg.AssetKey, str | None]]:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    expected = set()
    for key in defs.resolve_job_def("refresh").asset_layer.executable_asset_keys:
        if graph.get(key).partitions_def is None:
            expected.add((key, None))
        else:
            expected.update((key, partition) for partition in partitions)
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


def test_the_job_without_a_partition_is_stopped_before_it_builds_saying_to_pick_years(zone):
    # As `dagster job execute -m pipelines.definitions -j refresh`, after a change.
    from pipelines.definitions import defs
    from pipelines.refresh import failure_reasons

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


def test_the_report_alone_needs_no_year(zone):
    # What the sensor launches when only the README changed: the report, without a partition.
    from pipelines.definitions import defs
    from pipelines.partitions import unpartitioned_asset_keys

    raw, warehouse, instance = zone
    report = unpartitioned_asset_keys(defs.resolve_asset_graph())
    with paths_in_environment(raw, warehouse):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, asset_selection=report
        )
    assert result.success
    assert set(materialized(result)) == {(key, None) for key in report}
