"""The nightly schedule and the sensor that refreshes when the landing zone changes."""

from __future__ import annotations

import dagster as dg

from assets.ingest.landing_zone import ContentHashes, StatKey, landing_zone_fingerprint
from pipelines.jobs import refresh_job
from pipelines.resources import LandingZone

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# The sensor runs every 30 s in a long-lived code server: re-hashing files whose stat has not
# changed would make each tick cost a full read of the landing zone.
_known_hashes: dict[StatKey, str] = {}


@dg.sensor(
    name="landing_zone_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_zone_changed(context: dg.SensorEvaluationContext, landing_zone: LandingZone):
    """Request a refresh when a file in the landing zone is added, removed or changed.

    The cursor holds the fingerprint of the last landing zone a refresh was requested for, and
    the fingerprint is also the run key, so the same content never starts two refreshes.
    """
    if not landing_zone.path.is_dir():
        return dg.SkipReason(f"The landing zone {landing_zone.path} does not exist")
    hashes = ContentHashes(_known_hashes)
    fingerprint = landing_zone_fingerprint(landing_zone.path, hashes)
    # Only this tick's files are kept, so the cache never outgrows the landing zone.
    _known_hashes.clear()
    _known_hashes.update(hashes.seen)
    if fingerprint == context.cursor:
        return dg.SkipReason("No file in the landing zone was added or changed")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
