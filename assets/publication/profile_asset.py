"""Publication: the key figures per municipality as profile pages and flat exports (issue 17).

Runs after publication/exports, reading the run's staging warehouse read-only like the exports
do, and writes into the exports of the run's staging publication: `kommuner/` (one page per
municipality and an index) and the key figures as csv/nyckeltal.csv, csv_sv/nyckeltal.csv and
parquet/nyckeltal.parquet. The pages: profile_data.py (what a page shows), profile_html.py (as
HTML), profile_pages.py (written, only the changed ones); the key figures'
disclosure control is assets/disclosure (solved once per build: report.nyckeltal_publicerad). What
did not change since the current publication is linked from it instead of being made again
(assets/output_sets.py).
"""

import dagster as dg

from assets.publication.assets import EXPORTS
from assets.publication.profile_data import read_profile_data
from assets.publication.profile_pages import (
    KEY_FIGURES_SET,
    PROFILES_FOLDER,
    profile_problems,
    write_key_figures,
    write_profiles,
)
from assets.run_context.resources import EXPORTS_FOLDER, WAREHOUSE_POOL, Warehouse

KOMMUNPROFILER = dg.AssetKey(["publication", "kommunprofiler"])
PROBLEMS_SHOWN = 50


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=KOMMUNPROFILER,
    deps=[EXPORTS],
    group_name="publication",
    description=(
        "A profile page per municipality in Swedish (key figures beside county, SKR group and "
        "nation with charts, the change since its first inventory, grant history, submissions "
        "and control reports) and a searchable index under <warehouse dir>/exports/kommuner/, "
        "and the key figures after disclosure control as exports nyckeltal.csv / .parquet."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            "every_municipality_has_a_profile",
            asset=KOMMUNPROFILER,
            description=(
                "Every municipality of the register has its page, the index is there, and no "
                "page refers to anything outside the machine."
            ),
        )
    ],
)
def kommunprofiler(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context, read_only=True) as con:
        data = read_profile_data(con)
    staging, current = warehouse.staging_publication(context), warehouse.current_publication
    exports = staging / EXPORTS_FOLDER
    flat_files = write_key_figures(
        exports, data.key_figures, staging / KEY_FIGURES_SET, current / KEY_FIGURES_SET
    )
    target = exports / PROFILES_FOLDER
    written = write_profiles(target, data, previous=current / EXPORTS_FOLDER / PROFILES_FOLDER)
    problems = profile_problems(target, [m.kommunkod for m in data.municipalities])
    yield dg.MaterializeResult(
        asset_key=KOMMUNPROFILER,
        metadata={
            # report.nyckeltal's rows, the asset's table (pipelines/asset_catalog.py).
            "dagster/row_count": data.key_figures.height,
            "profile_pages": len(data.municipalities),
            # Made anew or linked unchanged from the published set; the index counts as one.
            "profile_pages_made": len(written.made),
            "profile_pages_reused": len(written.reused),
            "key_figure_files": len(flat_files),
            "suppressed_key_figures": data.key_figures.filter(
                data.key_figures["disclosure"].is_in(["primary", "secondary"])
            ).height,
            # Where readers find the pages once published.
            "folder": dg.MetadataValue.path(str(warehouse.exports_path / PROFILES_FOLDER)),
        },
    )
    yield dg.AssetCheckResult(
        check_name="every_municipality_has_a_profile",
        asset_key=KOMMUNPROFILER,
        passed=not problems,
        metadata={"problems": len(problems), "first_problems": problems[:PROBLEMS_SHOWN]},
    )
