"""The Dagster Definitions: every asset, check, job, schedule, sensor and resource.

The year-scoped assets are partitioned by year (assets/run_context/partitions.py). `make refresh`
builds the years that changed; one year, synchronously and without a daemon, in the project's
instance (the year must be a partition already: the sensor or `make refresh` adds it):
    DAGSTER_HOME=$PWD/.dagster_home .venv/bin/dagster asset materialize \
        -m pipelines.definitions --select 'raw/year_folder,*' --partition 2016

The resources read KOMPETENS_RAW_DIR and KOMPETENS_WAREHOUSE when a run starts (dg.EnvVar);
`make refresh`, `make dev` and `python -m pipelines.refresh` set their defaults
(pipelines/environment.py).
"""

import dagster as dg

from assets.feedback import assets as feedback
from assets.ingest import assets as ingest
from assets.publication import assets as publication
from assets.publication import profile_asset
from assets.report import assets as report
from assets.swap import assets as swap
from assets.swap.freshness_check import published_within_26_hours
from assets.validate import assets as validate
from pipelines.alerts import alerting_from_env, refresh_failed
from pipelines.asset_catalog import catalogued
from pipelines.environment import landing_zone_from_env, warehouse_from_env
from pipelines.freshness_schedule import warehouse_freshness_hourly, warehouse_freshness_job
from pipelines.jobs import refresh_job
from pipelines.sensors import landing_zone_changed, nightly_refresh
from pipelines.year_runs import single_run_backfills

# Kinds, owner, warehouse table, column schema and code version: pipelines/asset_catalog.py.
all_assets = catalogued(
    single_run_backfills(
        dg.load_assets_from_modules(
            [ingest, validate, report, feedback, swap, publication, profile_asset]
        )
    )
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=[published_within_26_hours],
    jobs=[refresh_job, warehouse_freshness_job],
    schedules=[nightly_refresh(all_assets), warehouse_freshness_hourly],
    sensors=[landing_zone_changed, refresh_failed],
    resources={
        "landing_zone": landing_zone_from_env(),
        "warehouse": warehouse_from_env(),
        "alerting": alerting_from_env(),
    },
    # One small graph on a 2-core machine: the multiprocess executor costs ~8 s of start-up
    # per run for no parallelism worth having.
    executor=dg.in_process_executor,
)
