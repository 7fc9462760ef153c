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

Exit codes: 0 when the warehouse is current or the run succeeded, 1 when the run failed.
"""

import sys

from assets import helper_process


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
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
