"""The warehouse's freshness check goes WARN when it is late (issue 15, 4).

The check runs in its own job, as the hourly schedule runs it, against an instance holding a
materialisation of kompetens_warehouse (a stand-in asset of the same key: the check reads only
the instance) or a refresh's confirmation that it is current. The clock is set by the test.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from assets.run_context.published import CONFIRMED_CURRENT, PUBLISHED_WAREHOUSE
from assets.swap import freshness_check
from assets.swap.freshness_check import published_within_26_hours
from pipelines.alerts import REFRESH_FAILED
from pipelines.freshness_schedule import warehouse_freshness_job


@dg.asset(key=PUBLISHED_WAREHOUSE)
def published_warehouse():
    return dg.MaterializeResult()


DEFS = dg.Definitions(
    assets=[published_warehouse],
    asset_checks=[published_within_26_hours],
    jobs=[warehouse_freshness_job],
)


def publish(instance: dg.DagsterInstance) -> datetime:
    assert dg.materialize([published_warehouse], instance=instance).success
    entry = instance.get_latest_materialization_event(PUBLISHED_WAREHOUSE)
    return datetime.fromtimestamp(entry.timestamp, UTC)


def confirm_current(instance: dg.DagsterInstance) -> datetime:
    instance.report_runless_asset_event(
        dg.AssetObservation(asset_key=PUBLISHED_WAREHOUSE, metadata={CONFIRMED_CURRENT: "abc123"})
    )
    record = instance.fetch_observations(PUBLISHED_WAREHOUSE, limit=1).records[0]
    return datetime.fromtimestamp(record.timestamp, UTC)


def check_at(
    monkeypatch, instance: dg.DagsterInstance, moment: datetime
) -> dg.AssetCheckEvaluation:
    monkeypatch.setattr(freshness_check, "now", lambda: moment)
    result = DEFS.resolve_job_def("warehouse_freshness").execute_in_process(instance=instance)
    # A late warehouse is a warning, not a failed run: the run itself succeeds.
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "published_within_26_hours"
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.blocking is False
    return evaluation


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def test_a_warehouse_published_an_hour_ago_passes(monkeypatch, instance):
    published = publish(instance)

    evaluation = check_at(monkeypatch, instance, published + timedelta(hours=1))

    assert evaluation.passed
    assert evaluation.metadata["how"].value == "published"
    assert evaluation.metadata["age_hours"].value == 1.0
    assert evaluation.metadata["last_published_or_confirmed"].value == published.timestamp()


def test_a_warehouse_published_27_hours_ago_warns(monkeypatch, instance):
    published = publish(instance)

    evaluation = check_at(monkeypatch, instance, published + timedelta(hours=27))

    assert not evaluation.passed
    assert evaluation.metadata["age_hours"].value == 27.0
    assert evaluation.metadata["last_published"].value == published.timestamp()
    assert "27.0 hours ago" in evaluation.description


def test_a_warehouse_never_published_warns(monkeypatch, instance):
    # A failure alert is an observation of the warehouse too; it confirms nothing.
    instance.report_runless_asset_event(
        dg.AssetObservation(asset_key=PUBLISHED_WAREHOUSE, metadata={"alert": REFRESH_FAILED})
    )

    evaluation = check_at(monkeypatch, instance, datetime.now(UTC))

    assert not evaluation.passed
    assert "never been published" in evaluation.description
    assert evaluation.metadata["last_published_or_confirmed"].value == "never"


def test_a_refresh_that_found_nothing_changed_keeps_the_warehouse_fresh(monkeypatch, instance):
    published = publish(instance)
    time.sleep(0.01)  # the confirmation strictly after the publication
    confirmed = confirm_current(instance)
    assert confirmed > published
    # Late when counted from the publication, in time when counted from the confirmation.
    moment = published + timedelta(hours=26) + (confirmed - published) / 2

    evaluation = check_at(monkeypatch, instance, moment)

    assert evaluation.passed
    assert evaluation.metadata["how"].value == "confirmed current"
    assert evaluation.metadata["last_confirmed_current"].value == confirmed.timestamp()
    # And a confirmation ages like a publication.
    assert not check_at(monkeypatch, instance, confirmed + timedelta(hours=27)).passed


def test_the_newest_confirmation_is_found_behind_many_alerts(monkeypatch, instance):
    confirmed = confirm_current(instance)
    for _ in range(freshness_check.OBSERVATIONS_PAGE + 5):
        instance.report_runless_asset_event(
            dg.AssetObservation(asset_key=PUBLISHED_WAREHOUSE, metadata={"alert": REFRESH_FAILED})
        )

    evaluation = check_at(monkeypatch, instance, confirmed + timedelta(hours=2))

    assert evaluation.passed
    assert evaluation.metadata["how"].value == "confirmed current"


def test_the_definitions_check_hourly_without_the_warehouse():
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("warehouse_freshness_hourly")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "warehouse_freshness"
    job = defs.resolve_job_def("warehouse_freshness")
    # Only the check: no asset is materialised, and no warehouse lock is waited for.
    assert [node.name for node in job.graph.nodes] == [
        "kompetens_warehouse_published_within_26_hours"
    ]
    assert "warehouse" not in job.required_resource_keys


def test_a_refresh_that_finds_nothing_changed_confirms_the_warehouse_current(
    monkeypatch, tmp_path, instance
):
    """quality/build_inputs, finding the published build current, records the observation the
    check counts: the two agree on its asset and metadata key."""
    from assets.ingest import assets as ingest
    from assets.run_context.partitions import WHEN_CHANGED
    from assets.run_context.resources import LandingZone, Warehouse
    from pipelines.asset_catalog import with_code_on_gate

    class Unchanged:
        # What read_build_inputs says when the landing zone, reference and code are as published.
        published_build_is_current = True
        fingerprint = "f" * 64

    monkeypatch.setattr(ingest, "read_build_inputs", lambda *args: Unchanged())
    (tmp_path / "raw").mkdir()
    resources = {
        "landing_zone": LandingZone(raw_dir=str(tmp_path / "raw")),
        "warehouse": Warehouse(database=str(tmp_path / "kompetens.duckdb")),
    }
    # As the nightly schedule, the sensor and `make refresh` tag their runs.
    assert dg.materialize(
        with_code_on_gate([ingest.build_inputs]),
        instance=instance,
        resources=resources,
        tags=WHEN_CHANGED,
    ).success
    record = instance.fetch_observations(PUBLISHED_WAREHOUSE, limit=1).records[0]
    confirmed = datetime.fromtimestamp(record.timestamp, UTC)

    evaluation = check_at(monkeypatch, instance, confirmed + timedelta(hours=25))

    assert evaluation.passed
    assert evaluation.metadata["how"].value == "confirmed current"
    assert evaluation.metadata["last_published"].value == "never"
