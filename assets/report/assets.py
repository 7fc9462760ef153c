"""Report: Tables 1–14, the text figures and the reconciliation against the published report.

Contract sections 5, 7, 8 and 9. The figures are defined in the SQL files of warehouse/sql/
(run by assets/report/build.py); this module runs them in the staging warehouse and checks
that what the contract promises analysts is there.
"""

import dagster as dg

from assets.expectations.checks import suite_check_result, suite_check_spec
from assets.expectations.suites import RECONCILIATION_SUITE, TABLES_LONG_SUITE
from assets.ingest.assets import BUILD_INPUTS, GRANT_REGISTER
from assets.report.build import build_report, load_reference
from assets.report.checks import (
    LAID_OUT_TABLE_NAMES,
    missing_contract_columns,
    published_cells_not_recomputed,
)
from assets.report.disclosure import (
    DISCLOSURE_AUDIT_SPEC,
    disclosure_audit_result,
    store_published,
    stored_years,
)
from assets.report.nyckeltal import NYCKELTAL, NYCKELTAL_CHECK_SPECS, nyckeltal_check_results
from assets.run_context.resources import WAREHOUSE_POOL, Warehouse
from assets.tables import preview, row_count
from assets.validate.assets import ANSWERS, BLOCK_STATUS
from schemas.catalog import reference_dir

REFERENCE = dg.AssetKey(["ref", "reference_data"])
TABLES_LONG = dg.AssetKey(["report", "tables_long"])
TEXT_FIGURES = dg.AssetKey(["report", "text_figures"])
RECONCILIATION = dg.AssetKey(["report", "reconciliation"])
# report.table_01 … table_14 as one asset: one SQL build makes all fourteen from tables_long, and
# every asset costs each run Dagster events (planned, output, materialisation) of its own.
LAID_OUT_TABLES = dg.AssetKey(["report", "laid_out_tables"])
REPORT_TABLES = [TABLES_LONG, TEXT_FIGURES, RECONCILIATION, LAID_OUT_TABLES, NYCKELTAL]
# The first cells a failed check lists in its metadata.
CELLS_SHOWN = 50


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=REFERENCE,
    deps=[BUILD_INPUTS],
    group_name="report",
    description=(
        "Reference data copied into the project (schemas/): the form catalog, the 290 "
        "municipalities, the published figures and the known errata of the published report."
    ),
)
def reference_data(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        load_reference(con, reference_dir())
        tables = con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'ref' ORDER BY 1"
        ).fetchall()
        # The asset's table in the catalog (pipelines/asset_catalog.py): the form catalog.
        questions = row_count(con, "ref.questions")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": questions,
            **{f"rows_{name}": rows for name, rows in tables},
        }
    )


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[
        dg.AssetSpec(
            TABLES_LONG,
            deps=[BLOCK_STATUS, ANSWERS, GRANT_REGISTER, REFERENCE],
            description="Every figure of Tables 1–14, one row per (table_id, row_key, col_key).",
        ),
        dg.AssetSpec(
            TEXT_FIGURES,
            deps=[BLOCK_STATUS, ANSWERS, GRANT_REGISTER, REFERENCE],
            description="The figures the report quotes in its text, with their N.",
        ),
        dg.AssetSpec(
            RECONCILIATION,
            deps=[TABLES_LONG, TEXT_FIGURES],
            description="Every published cell beside its recomputed value, with a status.",
        ),
        dg.AssetSpec(
            LAID_OUT_TABLES,
            deps=[TABLES_LONG],
            description=(
                "Tables 1–14 laid out like the report, with snake_case columns whose comments "
                "hold the report's headings: report.table_01 … table_14."
            ),
        ),
        dg.AssetSpec(
            NYCKELTAL,
            deps=[BLOCK_STATUS, ANSWERS, GRANT_REGISTER, REFERENCE],
            description=(
                "Key figures per municipality, county, SKR group and the nation, per year and sex "
                "(report.nyckeltal, defined in schemas/reference/nyckeltal.csv), and each "
                "municipality beside its county, group, the nation and its first inventory "
                "(report.jamforelse)."
            ),
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "contract_tables_present",
            asset=TABLES_LONG,
            blocking=True,
            description="Every table and column of contract section 8 exists.",
        ),
        suite_check_spec(TABLES_LONG_SUITE),
        suite_check_spec(RECONCILIATION_SUITE),
        dg.AssetCheckSpec(
            "published_cells_recomputed",
            asset=RECONCILIATION,
            description=(
                "Every cell the report publishes (Tables 1–14 and the text figures) has a "
                "recomputed value, not NULL. A warning, not blocking: NULL is also what the "
                "contract publishes where nothing can be computed (section 8), for a landing zone "
                "with no submissions, a population where nobody counts or a share whose "
                "denominator is 0, so a person judges whether a NULL is the data's or a fault."
            ),
        ),
        *NYCKELTAL_CHECK_SPECS,
        DISCLOSURE_AUDIT_SPEC,
    ],
    group_name="report",
)
def report_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        # The last build's disclosure result, before the report's SQL makes its tables empty.
        stored_disclosure = stored_years(con)
        build_report(con)
        missing_columns = missing_contract_columns(con)
        not_recomputed = published_cells_not_recomputed(con)
        status_counts = dict(
            con.execute(
                "SELECT status, count(*) FROM report.reconciliation GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        row_counts = {
            name: row_count(con, name)
            for name in ("report.tables_long", "report.text_figures", "report.reconciliation")
        }
        laid_out_rows = {name: row_count(con, name) for name in LAID_OUT_TABLE_NAMES}
        reconciliation_preview = preview(
            con,
            "SELECT table_id, row_key, col_key, published, recomputed, status, note "
            "FROM report.reconciliation WHERE status <> 'match' ORDER BY status, table_id, row_key",
            limit=20,
        )
        nyckeltal_rows = row_count(con, "report.nyckeltal")
        nyckeltal_checks = nyckeltal_check_results(con)
        published_key_figures, disclosure_audit = disclosure_audit_result(
            con, stored=stored_disclosure
        )
        store_published(con, published_key_figures)
        suites = [
            suite_check_result(suite, con, context.run.run_id, warehouse)
            for suite in (TABLES_LONG_SUITE, RECONCILIATION_SUITE)
        ]

    for key in (TABLES_LONG, TEXT_FIGURES):
        yield dg.MaterializeResult(
            asset_key=key, metadata={"dagster/row_count": row_counts[".".join(key.path)]}
        )
    yield dg.MaterializeResult(
        asset_key=RECONCILIATION,
        metadata={
            "dagster/row_count": row_counts["report.reconciliation"],
            **{f"cells_{status}": count for status, count in status_counts.items()},
            "not_matching": dg.MetadataValue.md(reconciliation_preview),
        },
    )
    yield dg.MaterializeResult(
        asset_key=LAID_OUT_TABLES,
        metadata={
            # The first of the fourteen is the asset's table (pipelines/asset_catalog.py).
            "dagster/row_count": laid_out_rows[LAID_OUT_TABLE_NAMES[0]],
            **{f"rows_{name.split('.')[1]}": rows for name, rows in laid_out_rows.items()},
        },
    )

    yield dg.MaterializeResult(asset_key=NYCKELTAL, metadata={"dagster/row_count": nyckeltal_rows})

    yield dg.AssetCheckResult(
        check_name="contract_tables_present",
        asset_key=TABLES_LONG,
        passed=not missing_columns,
        metadata={"missing": missing_columns},
    )
    yield dg.AssetCheckResult(
        check_name="published_cells_recomputed",
        asset_key=RECONCILIATION,
        passed=not not_recomputed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "cells_not_recomputed": len(not_recomputed),
            "first_not_recomputed": not_recomputed[:CELLS_SHOWN],
        },
    )
    yield from nyckeltal_checks
    yield disclosure_audit
    yield from suites
