"""Publish: swap the run's staging publication in, warehouse and every published file together.

The last asset of a run. Everything it publishes (assets upstream wrote it into the run's staging
folder) becomes visible in one atomic step, and only when every blocking check upstream passed:
`<warehouse dir>/kompetens.duckdb`, `exports/`, `kontrollrapporter/`, `data_docs/` and
`README.md` then show the new publication (pipelines/resources.py, `Warehouse.publish`), kept as
`publications/<publicering_id>/` under the id the exports asset listed it by in
report.publiceringar; a run whose build is the current publication's adds none.
"""

import dagster as dg

from assets.feedback.assets import FEEDBACK_ASSETS
from assets.publication.assets import EXPORTS
from assets.publication.kommunprofiler import KOMMUNPROFILER
from assets.publication.publications import new_publication
from assets.report.assets import REPORT_TABLES
from pipelines.resources import PUBLISHED_WAREHOUSE, WAREHOUSE_POOL, Warehouse


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=PUBLISHED_WAREHOUSE,
    # Every asset that writes into the run's staging publication runs before the swap.
    deps=[*REPORT_TABLES, *FEEDBACK_ASSETS, EXPORTS, KOMMUNPROFILER],
    group_name="publish",
    description=(
        "The published DuckDB warehouse, with the control reports, Data Docs, data dictionary "
        "and exports made from it. Built in a staging folder by the assets upstream and swapped "
        "in atomically, all together, so readers never see a half-built publication and a "
        "failed run leaves the previous one in place. Blocking checks upstream stop the swap."
    ),
)
def kompetens_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse):
    publication = None
    if warehouse.staging_path(context.run.run_id).exists():
        with warehouse.connect(context, read_only=True) as con:
            publication = new_publication(con, warehouse.published_path)
    published = warehouse.publish(context, publication.publicering_id if publication else None)
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
            "publication": dg.MetadataValue.path(str(warehouse.current_publication.resolve())),
            "size_bytes": published.stat().st_size,
            # None: the build equals the current publication's, so the run adds none.
            "publicering_id": publication.publicering_id if publication else None,
            "revised_figures": publication.revised_figures if publication else 0,
        }
    )
