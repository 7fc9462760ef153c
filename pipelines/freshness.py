"""The warehouse's freshness check, evaluated every hour in a job of its own.

A check that ran only inside a refresh would say nothing when the refresh never runs (the daemon
was down, the schedule was stopped), which is the lateness it is there to catch. The job selects
the check alone: it reads the Dagster instance, needs no resource, and is in no pool, so it is
never queued behind a refresh (pipelines/dagster.yaml).
"""

import dagster as dg

from assets.publish.freshness import published_within_26_hours

warehouse_freshness_job = dg.define_asset_job(
    name="warehouse_freshness",
    selection=dg.AssetSelection.checks(published_within_26_hours),
    description="Check that the warehouse was published, or confirmed current, within 26 hours.",
)

warehouse_freshness_hourly = dg.ScheduleDefinition(
    name="warehouse_freshness_hourly",
    job=warehouse_freshness_job,
    cron_schedule="15 * * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
