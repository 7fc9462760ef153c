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

    Every change starts a refresh, also one back to an earlier state (a wrongly added file
    removed again): the warehouse was built from the state in between. So the run key is not the
    state but the change: the cursor, `<number of the change>:<fingerprint>`, is also the run key,
    and a change's number is one more than the last one's. A tick evaluated again, its cursor not
    yet stored, has the same key, so the same change never starts two refreshes.
    """
    if not landing_zone.path.is_dir():
        return dg.SkipReason(f"The landing zone {landing_zone.path} does not exist")
    hashes = ContentHashes(_known_hashes)
    fingerprint = landing_zone_fingerprint(landing_zone.path, hashes)
    # Only this tick's files are kept, so the cache never outgrows the landing zone.
    _known_hashes.clear()
    _known_hashes.update(hashes.seen)
    # A cursor of a sensor from before the changes were numbered is a bare fingerprint.
    last_change, _, last_fingerprint = (context.cursor or "").rpartition(":")
    if fingerprint == last_fingerprint:
        return dg.SkipReason("No file in the landing zone was added or changed")
    change = f"{int(last_change or 0) + 1}:{fingerprint}"
    context.update_cursor(change)
    return dg.RunRequest(run_key=change)
