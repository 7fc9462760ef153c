"""The nightly schedule and the sensor that refreshes the years whose files changed."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from assets.ingest.assets import BUILD_INPUTS, build_code
from assets.ingest.build_inputs import read_build_inputs
from assets.ingest.landing_zone import StatKey, landing_zone_years
from assets.run_context.partitions import WHEN_CHANGED, YEAR_PARTITIONS
from assets.run_context.resources import LandingZone, Warehouse
from pipelines.jobs import refresh_job
from pipelines.year_runs import YearsRun, plan_years_run, unpartitioned_asset_keys


def nightly_refresh(assets: Iterable) -> dg.ScheduleDefinition:
    """The nightly schedule of the Definitions' `assets`: a schedule's context has no public way
    to them (a sensor's has, `repository_def`), and it needs only which of them are built per
    year, which a change of code never changes."""
    report = unpartitioned_asset_keys(
        assets_def.get_asset_spec(key)
        for assets_def in assets
        if isinstance(assets_def, dg.AssetsDefinition)
        for key in assets_def.keys
    )

    @dg.schedule(
        name="nightly_refresh",
        job=refresh_job,
        cron_schedule="0 2 * * *",
        execution_timezone="Europe/Stockholm",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def nightly_refresh_schedule(context: dg.ScheduleEvaluationContext):
        """Every year, every night: the run's quality/build_inputs skips every step when nothing
        changed, and then confirms the published warehouse current (its freshness check counts
        it)."""
        partitions = context.instance.get_dynamic_partitions(YEAR_PARTITIONS.name)
        plan = plan_years_run(partitions, [int(key) for key in partitions], [])
        return _run_request(plan, report, run_key=None)

    return nightly_refresh_schedule


# The sensor runs every 30 s in a long-lived code server: re-hashing files whose stat has not
# changed since the last tick would make each tick cost a full read of the files that are new
# since the published build.
_known_hashes: dict[StatKey, str] = {}


@dg.sensor(
    name="landing_zone_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_zone_changed(
    context: dg.SensorEvaluationContext, landing_zone: LandingZone, warehouse: Warehouse
):
    """Request a refresh of the years whose files changed since the published build, adding a
    partition for each new year folder.

    Every change starts a refresh, also one back to an earlier state (a wrongly added file
    removed again): the warehouse was built from the state in between. So the run key is not the
    state but the change: the cursor, `<number of the change>:<fingerprint>`, is also the run key,
    and a change's number is one more than the last one's. A tick evaluated again, its cursor not
    yet stored, has the same key, so the same change never starts two refreshes.
    """
    if not landing_zone.path.is_dir():
        return dg.SkipReason(f"The landing zone {landing_zone.path} does not exist")
    specs = _asset_specs(context.repository_def)
    inputs = read_build_inputs(
        landing_zone.path, warehouse, build_code(specs[BUILD_INPUTS]), known_hashes=_known_hashes
    )
    # Only this tick's files are kept, so the cache never outgrows the landing zone.
    _known_hashes.clear()
    _known_hashes.update(inputs.hashes.seen)
    fingerprint = inputs.fingerprint
    # A cursor of a sensor from before the changes were numbered is a bare fingerprint.
    last_change, _, last_fingerprint = (context.cursor or "").rpartition(":")
    if fingerprint == last_fingerprint:
        return dg.SkipReason("No file in the landing zone was added or changed")
    change = f"{int(last_change or 0) + 1}:{fingerprint}"
    context.update_cursor(change)
    if inputs.published_build_is_current:
        return dg.SkipReason("The published warehouse is built from the landing zone as it is")
    plan = plan_years_run(
        context.instance.get_dynamic_partitions(YEAR_PARTITIONS.name),
        inputs.years_to_build,
        landing_zone_years(landing_zone.path),
    )
    return dg.SensorResult(
        run_requests=[_run_request(plan, unpartitioned_asset_keys(specs.values()), run_key=change)],
        dynamic_partitions_requests=[YEAR_PARTITIONS.build_add_request(plan.new_partitions)]
        if plan.new_partitions
        else [],
    )


def _asset_specs(repository_def: dg.RepositoryDefinition) -> dict[dg.AssetKey, dg.AssetSpec]:
    return {
        key: assets_def.get_asset_spec(key)
        for key, assets_def in repository_def.assets_defs_by_key.items()
    }


def _run_request(plan: YearsRun, report: list[dg.AssetKey], run_key: str | None) -> dg.RunRequest:
    """A run of the planned years and the report; of the `report` assets alone when no year is
    built. Either skips every step when it finds the published build current."""
    if plan.builds_years:
        return dg.RunRequest(run_key=run_key, tags={**plan.tags, **WHEN_CHANGED})
    return dg.RunRequest(run_key=run_key, tags=WHEN_CHANGED, asset_selection=report)
