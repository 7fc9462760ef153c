"""Writing stage results into the warehouse: table definitions from SQL files, rows from frames."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

TABLES_SQL_DIR = Path(__file__).resolve().parents[1] / "warehouse" / "sql" / "tables"


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the stage tables defined in warehouse/sql/tables/ (idempotent)."""
    for sql_file in sorted(TABLES_SQL_DIR.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> int:
    """Replace the contents of `table` with `rows` (matched by column name)."""
    con.execute(f"DELETE FROM {table}")
    return append_rows(con, table, rows)


def append_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> int:
    if rows.height:
        con.register("incoming_rows", rows)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
        finally:
            con.unregister("incoming_rows")
    return rows.height


def scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None):
    """The single value of a query. fetchall, not fetchone: on duckdb 2 a half-fetched result
    keeps the connection busy and the next `con.sql` fails."""
    return con.execute(sql, parameters or []).fetchall()[0][0]


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return scalar(con, f"SELECT count(*) FROM {table}")


def table_columns(
    con: duckdb.DuckDBPyConnection, schemas: Sequence[str]
) -> list[tuple[str, str, str, str, str | None]]:
    """(schema, table, column, data type, comment) of every column of the tables and views of
    `schemas`, in their order: what the warehouse says about itself, for the data dictionary
    (assets/feedback/dictionary.py) and the Dagster column schemas (pipelines/asset_catalog.py)."""
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""
        SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns()
        WHERE schema_name IN ({placeholders}) AND NOT internal
        ORDER BY schema_name, table_name, column_index
        """,
        list(schemas),
    ).fetchall()


def preview(con: duckdb.DuckDBPyConnection, sql: str, limit: int = 10) -> str:
    """A Markdown preview of a query's first rows, for materialisation metadata."""
    frame = con.sql(f"SELECT * FROM ({sql}) LIMIT {limit}").pl()
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join([header, rule, *body])
