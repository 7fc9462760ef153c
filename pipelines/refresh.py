"""`make refresh`: run the job `refresh` once, in this process, unless the published build is
current.

    python -m pipelines.refresh

Before Dagster is started, the build inputs (landing zone, reference data, code) are
fingerprinted exactly as the asset `quality/build_inputs` does it. When the published warehouse,
control reports and exports were built from the same inputs, there is nothing to do, and the
command says so in about a second: no run is created, since creating one (loading the instance,
planning every step, writing their events) would cost seconds more to skip every step. Otherwise
the job runs with the instance in DAGSTER_HOME, so the run is in the same history as the
schedule's and the sensor's runs, and the asset `quality/build_inputs` decides again, in the run.

The same graph can be materialised with Dagster's own command line; it skips the build in the
run instead:

    dagster asset materialize -m pipelines.definitions --select '*'

Exit codes: 0 when the warehouse is current or the run succeeded, 1 when the run failed. A failed
run ends with its reasons on stderr, below the event log: each failed step and why it failed (a
register problem names file, line and problem).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from assets import helper_process

if TYPE_CHECKING:
    import dagster as dg


def main() -> int:
    # Started first, before the imports below, on the chance of a build: the helper's import of
    # Great Expectations then overlaps the comparison, the Definitions' import and the run's
    # set-up (assets/helper_process.py). If nothing changed, it is stopped unused.
    helper_process.start()
    from assets.ingest.build_inputs import nothing_changed_message, read_build_inputs
    from pipelines.resources import landing_zone_from_env, warehouse_from_env

    landing_zone = landing_zone_from_env()
    warehouse = warehouse_from_env()
    # A missing landing zone is the run's to report, with its reason (quality/build_inputs).
    # Before the first build there is nothing to compare with, and fingerprinting here would
    # hash every file of the landing zone twice, here and again in the run.
    if landing_zone.path.is_dir() and warehouse.published_path.exists():
        inputs = read_build_inputs(landing_zone.path, warehouse)
        if inputs.published_build_is_current:
            helper_process.stop()
            print(nothing_changed_message(inputs.fingerprint))
            return 0
    # Imported only for a build: the Definitions are most of the second a skipped refresh costs.
    import dagster as dg

    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.get_job_def("refresh").execute_in_process(
            instance=instance, raise_on_error=False
        )
    if result.success:
        return 0
    print(f"The refresh failed (run {result.run_id}).", file=sys.stderr)
    for reason in failure_reasons(result.all_events):
        print(reason, file=sys.stderr)
    return 1


def failure_reasons(events: list[dg.DagsterEvent]) -> list[str]:
    """Why a run failed, for a person: each failed step with its reason (a dg.Failure's
    description, or the error the step's code raised); else the errors of the run itself, such as
    a resource that could not start (the warehouse lock)."""
    reasons = []
    for event in events:
        if event.is_step_failure:
            failure = event.step_failure_data
            user_failure = failure.user_failure_data
            reason = (
                user_failure.description
                if user_failure is not None and user_failure.description
                else _innermost_message(failure.error)
            )
            reasons.append(f"Step {event.step_key}: {reason}")
    if reasons:
        return reasons
    # Several events of the run carry the same error.
    return list(
        dict.fromkeys(
            _innermost_message(error)
            for event in events
            if (error := getattr(event.event_specific_data, "error", None)) is not None
        )
    )


def _innermost_message(error) -> str:
    # Dagster wraps what the step's code raised; its message is the one to read.
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    # A Failure's message is its description after the class's full name, which says nothing.
    return message.partition(": ")[2] if error.cls_name == "Failure" else message


if __name__ == "__main__":
    sys.exit(main())
