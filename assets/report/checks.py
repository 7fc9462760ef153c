"""What the report's asset checks look for, each a query on a warehouse connection.

Pure: no Dagster. The checks of assets/report/assets.py run these on the staging warehouse; the
tests run them on small broken warehouses, so each check is seen to fail.
"""

from __future__ import annotations

import duckdb

LAID_OUT_TABLE_NAMES = [f"report.table_{number:02d}" for number in range(1, 15)]

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


def missing_contract_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of CONTRACT_COLUMNS that is missing, and every column missing from a table
    that is there: "schema.table" or "schema.table.column"."""
    present: dict[str, set[str]] = {}
    for schema, table, column in con.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns"
    ).fetchall():
        present.setdefault(f"{schema}.{table}", set()).add(column)
    missing = []
    for table, columns in CONTRACT_COLUMNS.items():
        if table not in present:
            missing.append(table)
        else:
            missing.extend(
                f"{table}.{column}" for column in columns if column not in present[table]
            )
    return missing


def published_cells_not_recomputed(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every cell the report publishes (Tables 1–14 and the text figures) whose recomputed value
    is NULL, as "T01 handlaggare kvinnor" or "text anslag_2013_sek value"."""
    return [
        cell
        for (cell,) in con.execute(
            """
            SELECT concat_ws(' ', coalesce(table_id, 'text'), row_key, col_key)
            FROM report.reconciliation
            WHERE recomputed IS NULL
            ORDER BY source, table_id, row_key, col_key
            """
        ).fetchall()
    ]
