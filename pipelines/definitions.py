"""The Dagster Definitions: every asset, check, job, schedule, sensor and resource.

Materialise everything, synchronously and without a daemon, in the project's instance:
    DAGSTER_HOME=$PWD/.dagster_home .venv/bin/dagster asset materialize \
        -m pipelines.definitions --select '*'
"""

import dagster as dg

from assets.feedback import assets as feedback
from assets.ingest import assets as ingest
from assets.publication import assets as publication
from assets.publication import kommunprofiler
from assets.publish import assets as publish
from assets.report import assets as report
from assets.validate import assets as validate
from pipelines.jobs import refresh_job
from pipelines.resources import landing_zone_from_env, warehouse_from_env
from pipelines.sensors import landing_zone_changed, nightly_refresh

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(
        [ingest, validate, report, feedback, publish, publication, kommunprofiler]
    ),
    jobs=[refresh_job],
    schedules=[nightly_refresh],
    sensors=[landing_zone_changed],
    resources={"landing_zone": landing_zone_from_env(), "warehouse": warehouse_from_env()},
    # One small graph on a 2-core machine: the multiprocess executor costs ~8 s of start-up
    # per run for no parallelism worth having.
    executor=dg.in_process_executor,
)
