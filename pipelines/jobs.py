"""The one job: refresh the whole warehouse from the landing zone."""

import dagster as dg

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all(),
    description="Read the landing zone, validate, rebuild the report tables and publish the warehouse.",
    executor_def=dg.in_process_executor,
    # Limited to one run at a time by the run queue (pipelines/dagster.yaml).
    tags={"kompetens/warehouse": "refresh"},
)
