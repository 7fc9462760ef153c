"""Publication: the key figures per municipality as profile pages and flat exports (issue 17).

Runs after publication/exports, reading the *published* warehouse read-only like the exports do,
and writes `<warehouse dir>/exports/kommuner/` (one page per municipality and an index, swapped in
whole) and the key figures as exports/csv/nyckeltal.csv, csv_sv/nyckeltal.csv and
parquet/nyckeltal.parquet. The pages are assets/publication/profiles.py; the key figures'
disclosure control is assets/disclosure.

publication/exports swaps in an exports folder without these files, so the last set of each is
kept beside it (`<warehouse dir>/.kommuner.kept/`, `.nyckeltal.kept/`, hard links) and what did
not change since is taken from there instead of being made again (assets/incremental.py).
"""

import dagster as dg
import duckdb

from assets.publication.assets import EXPORTS
from assets.publication.profiles import (
    KEPT_KEY_FIGURES,
    KEPT_PROFILES,
    PROFILES_FOLDER,
    profile_problems,
    read_profile_data,
    write_key_figures,
    write_profiles,
)
from pipelines.resources import Warehouse

KOMMUNPROFILER = dg.AssetKey(["publication", "kommunprofiler"])
PROBLEMS_SHOWN = 50


@dg.asset(
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
    con = duckdb.connect(str(warehouse.published_path), read_only=True)
    try:
        data = read_profile_data(con)
        (fingerprint,) = con.execute("SELECT fingerprint FROM quality.build_inputs").fetchone()
    finally:
        con.close()
    exports = warehouse.exports_path
    # What did not change since the last refresh is taken from the copies kept beside the exports.
    kept = warehouse.published_path.parent
    flat_files = write_key_figures(exports, data.key_figures, kept / KEPT_KEY_FIGURES)
    target = exports / PROFILES_FOLDER
    written = write_profiles(target, data, kept=kept / KEPT_PROFILES)
    problems = profile_problems(target, [m.kommunkod for m in data.municipalities])
    # Last: the whole publication is written, so a refresh after failed pages rebuilds them.
    warehouse.mark_exported(fingerprint)
    yield dg.MaterializeResult(
        asset_key=KOMMUNPROFILER,
        metadata={
            # report.nyckeltal's rows, the asset's table (pipelines/asset_catalog.py).
            "dagster/row_count": data.key_figures.height,
            "profile_pages": len(data.municipalities),
            # Made anew or linked unchanged from the last set; the index counts as one.
            "profile_pages_made": len(written.made),
            "profile_pages_reused": len(written.reused),
            "key_figure_files": len(flat_files),
            "suppressed_key_figures": data.key_figures.filter(
                data.key_figures["disclosure"].is_in(["primary", "secondary"])
            ).height,
            "folder": dg.MetadataValue.path(str(target)),
        },
    )
    yield dg.AssetCheckResult(
        check_name="every_municipality_has_a_profile",
        asset_key=KOMMUNPROFILER,
        passed=not problems,
        metadata={"problems": len(problems), "first_problems": problems[:PROBLEMS_SHOWN]},
    )
