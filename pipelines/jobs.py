"""The one job: refresh the whole warehouse from the landing zone."""

import warnings

import dagster as dg

from assets.swap.freshness_check import published_within_26_hours

# Said on every import of the Definitions, these would stand above every `make refresh` summary.
# `include_sources` is beta. And Dagster gives a partitioned observable source no backfill
# policy, so the job's own policy, the smallest of its assets', is one year per run: only a
# backfill of the job launched as such takes it (docs/ARCHITECTURE.md, "What the UI shows as
# stale"); the assets' own single-run policy holds everywhere else.
warnings.filterwarnings("ignore", message="Parameter `include_sources`", category=dg.BetaWarning)
warnings.filterwarnings(
    "ignore", message="Asset job refresh materializes assets with varying BackfillPolicies"
)

refresh_job = dg.define_asset_job(
    name="refresh",
    # The freshness check has its own hourly job (pipelines/freshness_schedule.py): right after a
    # publication it could only pass, at the cost of a step in every refresh. The year folders
    # (raw/year_folder, an observable source) are observed before the year-scoped assets (which depend on them), so the
    # year-scoped assets record the data version of the year's files as the run found them.
    selection=dg.AssetSelection.all(include_sources=True)
    - dg.AssetSelection.checks(published_within_26_hours),
    description="Observe the year folders, read the landing zone, validate, rebuild the report "
    "tables and publish the warehouse.",
    executor_def=dg.in_process_executor,
)
