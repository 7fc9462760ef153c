"""Being told that a refresh failed: every failed run is recorded in the Dagster instance and,
when a webhook is configured, posted to it.

The record is an observation of kompetens_warehouse with the metadata `alert: refresh_failed`,
the reason, the failing steps and blocking checks, the run's id and its link, so the warehouse's
page in the UI lists each failure beside its publications, and it outlives the sensor's own tick
log. A refresh stopped by a failing blocking check, or one that could not take the warehouse
lock, fails its run, so it is recorded the same way.

The webhook (KOMPETENS_ALERT_WEBHOOK) receives the same alert as JSON. It is optional, and a
webhook that cannot be reached is logged, never allowed to stop the sensor: the record in the
instance is written first.
"""

import http.client
import json
import urllib.parse
import urllib.request

import dagster as dg

from pipelines.refresh import failure_reasons
from pipelines.resources import PUBLISHED_WAREHOUSE

REFRESH_FAILED = "refresh_failed"
WEBHOOK_TIMEOUT_SECONDS = 10
# A reason in an alert is the first line of what a failed step or check said, cut to this length:
# a register problem lists every municipality missing from a register (289 codes, 1.5 KB), which
# belongs in the run's log that the alert links to, not in a chat message.
REASON_LENGTH = 200


class Alerting(dg.ConfigurableResource):
    """Where a failure alert links to, and where it is posted (Definitions: `alerting_from_env`).

    `dagster_url` is the webserver as the alert's reader opens it (KOMPETENS_DAGSTER_URL), for the
    run's link; `webhook` a URL the alert is posted to as JSON (KOMPETENS_ALERT_WEBHOOK), none when
    empty. `dg.EnvVar` has no default: the entry points set DEFAULT_ENVIRONMENT's
    (pipelines/resources.py)."""

    dagster_url: str
    webhook: str = ""

    def base_url(self) -> str:
        return self.dagster_url.rstrip("/")

    def webhook_url(self) -> str | None:
        return self.webhook or None


def alerting_from_env() -> Alerting:
    """The alerting as the Definitions configure it, from the environment (the UI shows the
    variables' names on the resource's page)."""
    return Alerting(
        dagster_url=dg.EnvVar("KOMPETENS_DAGSTER_URL"), webhook=dg.EnvVar("KOMPETENS_ALERT_WEBHOOK")
    )


def short_reason(reason: str) -> str:
    """A reason's first line, at most REASON_LENGTH characters, saying how much more the run's log
    has."""
    first, *rest = reason.strip().splitlines() or [""]
    if len(first) > REASON_LENGTH:
        first = first[: REASON_LENGTH - 1].rstrip() + "…"
    return f"{first} (and {len(rest)} more lines in the run's log)" if rest else first


def failed_blocking_checks(events: list[dg.DagsterEvent]) -> list[dg.AssetCheckEvaluation]:
    """The blocking checks that failed in a run. Their step fails with only their names
    (DagsterAssetCheckFailedError), so failure_reasons cannot tell why; their descriptions can."""
    evaluations = (
        event.event_specific_data
        for event in events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )
    return [
        evaluation
        for evaluation in evaluations
        if not evaluation.passed
        and evaluation.severity == dg.AssetCheckSeverity.ERROR
        and evaluation.blocking
    ]


def failure_alert(
    run: dg.DagsterRun, events: list[dg.DagsterEvent], base_url: str, run_message: str
) -> dict:
    """The alert for a failed run, as it is recorded and posted. `run_message` (the run failure
    event's) is the reason when the events name none, as for a run whose process died. Each
    reason is short (short_reason): the run's link leads to the whole of it."""
    checks = failed_blocking_checks(events)
    reasons = [
        short_reason(reason)
        for reason in [
            *failure_reasons(events),
            *(
                f"Check {check.check_name} ({check.asset_key.to_user_string()}): "
                f"{check.description}"
                for check in checks
                if check.description
            ),
        ]
        or [run_message]
    ]
    steps = list(dict.fromkeys(event.step_key for event in events if event.is_step_failure))
    run_url = f"{base_url}/runs/{run.run_id}"
    return {
        "alert": REFRESH_FAILED,
        "job": run.job_name,
        "run_id": run.run_id,
        "run_url": run_url,
        "reason": "\n".join(reasons),
        "failing_steps": steps,
        "failing_checks": [
            f"{check.asset_key.to_user_string()}:{check.check_name}" for check in checks
        ],
        # The whole alert in one message, the field a chat webhook (Slack, Mattermost) shows.
        "text": f"Run {run.run_id} of {run.job_name} failed: {'; '.join(reasons)} ({run_url})",
    }


def alert_observation(alert: dict) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=PUBLISHED_WAREHOUSE,
        description=f"The run {alert['run_id']} failed",
        metadata={
            "alert": alert["alert"],
            "job": alert["job"],
            "run_id": alert["run_id"],
            "run_url": dg.MetadataValue.url(alert["run_url"]),
            "reason": dg.MetadataValue.text(alert["reason"]),
            "failing_steps": dg.MetadataValue.json(alert["failing_steps"]),
            "failing_checks": dg.MetadataValue.json(alert["failing_checks"]),
        },
    )


def post_alert(url: str, alert: dict, log) -> bool:
    """POST the alert as JSON; False, with the error logged, when the webhook fails."""
    request = urllib.request.Request(
        url,
        data=json.dumps(alert).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read()
    # Refused, timed out or an HTTP error (OSError), a malformed URL (ValueError) or reply
    # (HTTPException): the alert is already in the instance and the sensor goes on.
    except (OSError, ValueError, http.client.HTTPException) as error:
        # A webhook's path is often its secret (a chat token): only its host is logged.
        host = urllib.parse.urlsplit(url).netloc or "(no host)"
        log.error(f"The alert for run {alert['run_id']} could not be posted to {host}: {error}")
        return False
    return True


@dg.run_failure_sensor(
    name="refresh_failed",
    description=(
        "Records every failed run of this code location (a refresh stopped by a step, a blocking "
        "check or the warehouse lock) as an observation of kompetens_warehouse, with the reason, "
        "the failing steps and checks and the run's link; posts it to KOMPETENS_ALERT_WEBHOOK "
        "when that is set."
    ),
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def refresh_failed(context: dg.RunFailureSensorContext, alerting: Alerting) -> None:
    run = context.dagster_run
    events = [
        entry.dagster_event
        for entry in context.instance.all_logs(run.run_id)
        if entry.dagster_event is not None
    ]
    alert = failure_alert(run, events, alerting.base_url(), context.failure_event.message or "")
    context.instance.report_runless_asset_event(alert_observation(alert))
    context.log.error(alert["text"])
    webhook = alerting.webhook_url()
    if webhook:
        post_alert(webhook, alert, context.log)
