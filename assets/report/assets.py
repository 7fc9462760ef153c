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
from assets.tables import preview, row_count
from assets.validate.assets import ANSWERS, BLOCK_STATUS
from pipelines.resources import Warehouse
from schemas.catalog import reference_dir

REFERENCE = dg.AssetKey(["ref", "reference_data"])
TABLES_LONG = dg.AssetKey(["report", "tables_long"])
TEXT_FIGURES = dg.AssetKey(["report", "text_figures"])
RECONCILIATION = dg.AssetKey(["report", "reconciliation"])
# report.table_01 … table_14 as one asset: one SQL build makes all fourteen from tables_long, and
# every asset costs each run Dagster events (planned, output, materialisation) of its own.
LAID_OUT_TABLES = dg.AssetKey(["report", "laid_out_tables"])
LAID_OUT_TABLE_NAMES = [f"report.table_{number:02d}" for number in range(1, 15)]
REPORT_TABLES = [TABLES_LONG, TEXT_FIGURES, RECONCILIATION, LAID_OUT_TABLES]

# Contract section 8: the tables and columns analysts are promised.
CONTRACT_COLUMNS = {
    "report.tables_long": ("table_id", "row_key", "col_key", "value"),
    "report.text_figures": ("figure_key", "value", "n_kommuner"),
    "report.reconciliation": ("published", "recomputed", "difference", "status", "note"),
    "quality.file_ledger": (
        "path",
        "sha256",
        "size_bytes",
        "kommunkod",
        "ar",
        "inlamnad",
        "status",
        "reason_code",
        "message",
    ),
    "quality.issues": (
        "path",
        "kommunkod",
        "ar",
        "block",
        "question_id",
        "rule",
        "severity",
        "message",
    ),
    **dict.fromkeys(LAID_OUT_TABLE_NAMES, ()),
}


@dg.asset(
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
    return dg.MaterializeResult(metadata={f"rows_{name}": rows for name, rows in tables})


@dg.multi_asset(
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
                "Tables 1–14 laid out like the report, with Swedish labels: report.table_01 … "
                "table_14."
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
        dg.AssetCheckSpec(
            "published_keys_present",
            asset=TABLES_LONG,
            blocking=True,
            description="Every key of the published tables and text figures has a row.",
        ),
        suite_check_spec(TABLES_LONG_SUITE),
        suite_check_spec(RECONCILIATION_SUITE),
        dg.AssetCheckSpec(
            "published_cells_reconcile",
            asset=RECONCILIATION,
            description=(
                "Every published cell is match or within_tolerance, except the cells the "
                "published report is known to get wrong (contract section 9)."
            ),
        ),
    ],
    group_name="report",
)
def report_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        build_report(con)
        missing_columns = _missing_contract_columns(con)
        missing_keys = con.execute(
            """
            SELECT p.table_id || ' ' || p.row_key || ' ' || p.col_key
            FROM ref.published_tables AS p
            ANTI JOIN report.tables_long AS t USING (table_id, row_key, col_key)
            UNION ALL
            SELECT p.figure_key
            FROM ref.published_text_figures AS p
            ANTI JOIN report.text_figures AS t USING (figure_key)
            ORDER BY 1
            """
        ).fetchall()
        status_counts = dict(
            con.execute(
                "SELECT status, count(*) FROM report.reconciliation GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        unexplained = con.execute(
            """
            SELECT table_id, row_key, col_key, published, recomputed
            FROM report.reconciliation
            WHERE status = 'deviates' AND note IS NULL
            ORDER BY ALL
            """
        ).fetchall()
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
        metadata={f"rows_{name.split('.')[1]}": rows for name, rows in laid_out_rows.items()},
    )

    yield dg.AssetCheckResult(
        check_name="contract_tables_present",
        asset_key=TABLES_LONG,
        passed=not missing_columns,
        metadata={"missing": missing_columns},
    )
    yield dg.AssetCheckResult(
        check_name="published_keys_present",
        asset_key=TABLES_LONG,
        passed=not missing_keys,
        metadata={
            "missing_keys": len(missing_keys),
            "first_missing": [k for (k,) in missing_keys[:20]],
        },
    )
    yield dg.AssetCheckResult(
        check_name="published_cells_reconcile",
        asset_key=RECONCILIATION,
        passed=not unexplained,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            **{f"cells_{status}": count for status, count in status_counts.items()},
            "unexplained_deviations": [" ".join(map(str, row)) for row in unexplained[:50]],
        },
    )
    yield from suites


def _missing_contract_columns(con) -> list[str]:
    present = {
        f"{schema}.{table}": set()
        for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    for schema, table, column in con.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns"
    ).fetchall():
        present[f"{schema}.{table}"].add(column)
    missing = []
    for table, columns in CONTRACT_COLUMNS.items():
        if table not in present:
            missing.append(table)
        else:
            missing.extend(
                f"{table}.{column}" for column in columns if column not in present[table]
            )
    return missing
