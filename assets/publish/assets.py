"""Publish: swap the run's staging warehouse in as warehouse/kompetens.duckdb."""

import dagster as dg

from assets.feedback.assets import FEEDBACK_ASSETS
from assets.report.assets import REPORT_TABLES
from pipelines.resources import PUBLISHED_WAREHOUSE, WAREHOUSE_POOL, Warehouse


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=PUBLISHED_WAREHOUSE,
    # The feedback assets read (and comment) this run's staging file, so they run before the swap.
    deps=[*REPORT_TABLES, *FEEDBACK_ASSETS],
    group_name="publish",
    description=(
        "The published DuckDB warehouse. Built in a staging file by the assets upstream and "
        "swapped in atomically, so readers never see a half-built warehouse and a failed run "
        "leaves the previous one in place. Blocking checks upstream stop the swap."
    ),
)
def kompetens_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse):
    published = warehouse.publish(context)
    if published is None:
        raise dg.Failure(
            description="No asset of this run built anything, so there is nothing to publish; "
            "the published warehouse is unchanged. Materialise the assets upstream with it "
            "(for example --select '*')."
        )
    # quality.build_inputs, the asset's table (pipelines/asset_catalog.py): the build it holds.
    ((builds,),) = warehouse.read_published("SELECT count(*) FROM quality.build_inputs")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": builds,
            "path": dg.MetadataValue.path(str(published)),
            "size_bytes": published.stat().st_size,
        }
    )
