"""The one job: refresh the whole warehouse from the landing zone."""

import dagster as dg

from assets.publish.freshness import published_within_26_hours

refresh_job = dg.define_asset_job(
    name="refresh",
    # The freshness check has its own hourly job (pipelines/freshness.py): right after a
    # publication it could only pass, at the cost of a step in every refresh.
    selection=dg.AssetSelection.all() - dg.AssetSelection.checks(published_within_26_hours),
    description="Read the landing zone, validate, rebuild the report tables and publish the warehouse.",
    executor_def=dg.in_process_executor,
)
