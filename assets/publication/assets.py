"""Publication: the results in the forms analysts and the statistics office read.

One asset writes the whole set into `<warehouse dir>/exports/` (the workbook tabeller.xlsx, flat
CSV and Parquet files, charts, rapport.html), built in a temporary folder and swapped in whole.

It runs after the publish asset and reads the *published* warehouse, read-only: the exports then
always describe the warehouse analysts can open, and a failure in drawing or writing them can
never hold back (or half-publish) a good warehouse. Runs are queued one at a time, so the file it
reads is the one this run published, and the landing zone it looks at (to tell whether it is the
synthetic one) is the one this run built from.
"""

import dagster as dg
import duckdb

from assets.ingest.landing_zone import is_synthetic_landing_zone
from assets.publication.content import read_publication
from assets.publication.exports import REPORT_NAME, WORKBOOK_NAME, write_publication
from pipelines.resources import LandingZone, Warehouse

EXPORTS = dg.AssetKey(["publication", "exports"])


@dg.asset(
    key=EXPORTS,
    deps=["kompetens_warehouse"],
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
    con = duckdb.connect(str(warehouse.published_path), read_only=True)
    try:
        publication = read_publication(con, synthetic=synthetic)
    finally:
        con.close()
    target = warehouse.exports_path
    counts = write_publication(target, publication)
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
