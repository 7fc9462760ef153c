"""Publish: swap the run's staging warehouse in as warehouse/kompetens.duckdb."""

import dagster as dg

from assets.feedback.assets import FEEDBACK_ASSETS
from assets.publish.publications import keep_publication, prepare_publication
from assets.report.assets import REPORT_TABLES
from pipelines.resources import PUBLISHED_WAREHOUSE, Warehouse


@dg.asset(
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
    publication = None
    if warehouse.staging_path(context.run.run_id).exists():
        with warehouse.connect(context) as con:
            publication = prepare_publication(
                con, warehouse.published_path, warehouse.publications_kept
            )
    published = warehouse.publish(context)
    if published is None:
        raise dg.Failure(
            description="No asset of this run built anything, so there is nothing to publish; "
            "the published warehouse is unchanged. Materialise the assets upstream with it "
            "(for example --select '*')."
        )
    if publication is not None:
        keep_publication(published, publication)
    # quality.build_inputs, the asset's table (pipelines/asset_catalog.py): the build it holds.
    ((builds,),) = warehouse.read_published("SELECT count(*) FROM quality.build_inputs")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": builds,
            "path": dg.MetadataValue.path(str(published)),
            "size_bytes": published.stat().st_size,
            # None: the build equals the last publication's, so it adds none.
            "publicering_id": publication.publicering_id if publication else None,
            "revised_figures": publication.revised_figures if publication else 0,
        }
    )
