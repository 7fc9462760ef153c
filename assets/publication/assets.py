"""Publication: the results in the forms analysts and the statistics office read.

One asset writes the whole set (the workbook tabeller.xlsx, flat CSV and Parquet files, charts,
rapport.html) into the exports folder of the run's staging publication, reading the run's staging
warehouse read-only once the report is built, after listing the publication it is part of in
report.publiceringar and its revisions in report.revisioner (publications.py). The publish asset swaps it in with the warehouse
it describes, after the blocking checks pass, so readers find it at `<warehouse dir>/exports/`
beside the warehouse it was made from; a failure in drawing or writing it publishes nothing.
The landing zone it looks at (to tell whether it is the synthetic one) is the one this run
builds from.
"""

import dagster as dg

from assets.ingest.landing_zone import is_synthetic_landing_zone
from assets.publication.content import read_publication
from assets.publication.exports import REPORT_NAME, WORKBOOK_NAME, write_publication
from assets.publication.publications import prepare_publication
from assets.report.assets import REPORT_TABLES
from pipelines.resources import EXPORTS_FOLDER, WAREHOUSE_POOL, LandingZone, Warehouse

EXPORTS = dg.AssetKey(["publication", "exports"])


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=EXPORTS,
    deps=REPORT_TABLES,
    group_name="publication",
    description=(
        "Tables 1–14 as the workbook tabeller.xlsx (one sheet per table, laid out like the "
        "report), flat CSV (also ; and decimal comma) and Parquet files, the breakdowns per county "
        "and SKR group after disclosure control, the figures revised since the previous "
        "publication (revisioner), charts (PNG, SVG) and the self-contained rapport.html, under "
        "<warehouse dir>/exports/."
    ),
)
def publication_exports(
    context: dg.AssetExecutionContext, landing_zone: LandingZone, warehouse: Warehouse
):
    synthetic = is_synthetic_landing_zone(landing_zone.path)
    # The history first, so the exports show the revisions of the publication they are part of.
    with warehouse.connect(context) as con:
        prepare_publication(con, warehouse.published_path, warehouse.publications_kept)
    with warehouse.connect(context, read_only=True) as con:
        publication = read_publication(con, synthetic=synthetic)
    counts = write_publication(
        warehouse.staging_publication(context) / EXPORTS_FOLDER,
        publication,
        previous=warehouse.current_publication / EXPORTS_FOLDER,
    )
    # Where readers find them once published.
    target = warehouse.exports_path
    return dg.MaterializeResult(
        metadata={
            # report.tables_long's rows, the asset's table (pipelines/asset_catalog.py).
            "dagster/row_count": publication.tables_long.height,
            **counts,
            "synthetic_landing_zone": synthetic,
            "suppressed_breakdown_cells": publication.breakdown_cells.filter(
                publication.breakdown_cells["disclosure"].is_in(["primary", "secondary"])
            ).height,
            "folder": dg.MetadataValue.path(str(target)),
            "workbook": dg.MetadataValue.path(str(target / WORKBOOK_NAME)),
            "report": dg.MetadataValue.path(str(target / REPORT_NAME)),
        }
    )
