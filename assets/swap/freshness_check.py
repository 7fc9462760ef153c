"""The published warehouse's freshness: published, or confirmed current, within 26 hours.

The nightly refresh (02:00, pipelines/sensors.py) either publishes a new warehouse or, when its
inputs are unchanged, confirms the published one current: quality/build_inputs then records an
observation of kompetens_warehouse with the metadata key `confirmed_current`. Either counts as
fresh. 26 hours is a day and two hours of grace for a refresh queued behind another or slow.

The check reads only the Dagster instance, never the warehouse, so it takes no warehouse lock and
runs in a job of its own every hour (pipelines/freshness_schedule.py): a refresh that never starts is
reported late too, not only one that starts and fails. It also runs after the swap in a refresh.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.run_context.published import CONFIRMED_CURRENT, PUBLISHED_WAREHOUSE

MAX_AGE = timedelta(hours=26)
# Observations of the warehouse are read newest first, a page at a time, until a confirmation:
# the failure alerts (pipelines/alerts.py) are observations of it too.
OBSERVATIONS_PAGE = 100


def now() -> datetime:
    """The check's clock (a test sets it a day on)."""
    return datetime.now(UTC)


def last_published(instance: dg.DagsterInstance) -> datetime | None:
    entry = instance.get_latest_materialization_event(PUBLISHED_WAREHOUSE)
    return None if entry is None else datetime.fromtimestamp(entry.timestamp, UTC)


def last_confirmed_current(instance: dg.DagsterInstance) -> datetime | None:
    cursor = None
    while True:
        page = instance.fetch_observations(
            PUBLISHED_WAREHOUSE, limit=OBSERVATIONS_PAGE, cursor=cursor, ascending=False
        )
        for record in page.records:
            observation = record.asset_observation
            if observation is not None and CONFIRMED_CURRENT in observation.metadata:
                return datetime.fromtimestamp(record.timestamp, UTC)
        if not page.has_more:
            return None
        cursor = page.cursor


@dg.asset_check(
    asset=PUBLISHED_WAREHOUSE,
    name="published_within_26_hours",
    blocking=False,
    description=(
        "The warehouse was published, or a refresh confirmed it current, within the last 26 "
        "hours. WARN when the nightly refresh is late, failed or never ran."
    ),
)
def published_within_26_hours(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    published = last_published(context.instance)
    confirmed = last_confirmed_current(context.instance)
    known = [moment for moment in (published, confirmed) if moment is not None]
    if not known:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description="The warehouse has never been published in this Dagster instance.",
            metadata={"last_published_or_confirmed": "never"},
        )
    latest = max(known)
    age = now() - latest
    passed = age <= MAX_AGE
    how = "published" if latest == published else "confirmed current"
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"Last {how} {age.total_seconds() / 3600:.1f} hours ago"
            + ("" if passed else f", more than {MAX_AGE.total_seconds() / 3600:g} hours: late")
        ),
        metadata={
            "last_published_or_confirmed": dg.MetadataValue.timestamp(latest),
            "how": how,
            "age_hours": round(age.total_seconds() / 3600, 2),
            "max_age_hours": MAX_AGE.total_seconds() / 3600,
            "last_published": (
                dg.MetadataValue.timestamp(published) if published is not None else "never"
            ),
            "last_confirmed_current": (
                dg.MetadataValue.timestamp(confirmed) if confirmed is not None else "never"
            ),
        },
    )
