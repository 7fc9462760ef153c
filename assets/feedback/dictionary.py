"""The data dictionary: a comment on every table, view and column of the warehouse.

One source of truth: the `COMMENT ON` statements beside each `CREATE` in warehouse/sql/, so
`SELECT * FROM duckdb_columns()` answers an analyst's questions. The only columns written here
are those of report.table_01 … table_14, whose names are the published column labels: their
comments are made from the same reference (ref.published_tables) the columns are made from.
`dictionary_markdown` renders what the warehouse says about itself as warehouse/README.md.
"""

from __future__ import annotations

import duckdb

from schemas.contract import UNITS

DOCUMENTED_SCHEMAS = ("ref", "core", "quality", "report")
LAID_OUT_TABLES = "^table_[0-9]{2}$"  # report.table_01 … table_14


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def comment_laid_out_tables(con: duckdb.DuckDBPyConnection) -> int:
    """Comment the label-named columns of report.table_NN from ref.published_tables.

    Returns the number of columns commented.
    """
    columns = con.execute(
        """
        SELECT c.table_name, c.column_name, p.table_id, p.col_key, p.unit
        FROM duckdb_columns() AS c
        JOIN (
            SELECT DISTINCT table_id, col_key, col_label, unit FROM ref.published_tables
        ) AS p
            ON p.table_id = 'T' || right(c.table_name, 2) AND p.col_label = c.column_name
        WHERE c.schema_name = 'report' AND regexp_full_match(c.table_name, ?)
        ORDER BY ALL
        """,
        [LAID_OUT_TABLES],
    ).fetchall()
    row_label_tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'report' AND regexp_full_match(table_name, ?)",
        [LAID_OUT_TABLES],
    ).fetchall()
    for (table_name,) in row_label_tables:
        con.execute(
            f"COMMENT ON COLUMN report.{_identifier(table_name)}.rad IS "
            + _literal("Radens etikett som i rapporten (delområde, område eller år).")
        )
    for table_name, column_name, table_id, col_key, unit in columns:
        comment = (
            f"{column_name}: {UNITS[unit].label_sv}, ej avrundat. Samma värde som "
            f"report.tables_long där table_id = '{table_id}' och col_key = '{col_key}'."
        )
        con.execute(
            f"COMMENT ON COLUMN report.{_identifier(table_name)}.{_identifier(column_name)} IS "
            + _literal(comment)
        )
    return len(columns)


def _objects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None]]:
    """(schema, name, 'tabell' | 'vy', comment) of every documented table and view."""
    placeholders = ", ".join("?" for _ in DOCUMENTED_SCHEMAS)
    return con.execute(
        f"""
        SELECT schema_name, table_name, 'tabell', comment FROM duckdb_tables()
        WHERE schema_name IN ({placeholders}) AND NOT internal
        UNION ALL
        SELECT schema_name, view_name, 'vy', comment FROM duckdb_views()
        WHERE schema_name IN ({placeholders}) AND NOT internal
        """,
        [*DOCUMENTED_SCHEMAS, *DOCUMENTED_SCHEMAS],
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str | None]]:
    placeholders = ", ".join("?" for _ in DOCUMENTED_SCHEMAS)
    return con.execute(
        f"""
        SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns()
        WHERE schema_name IN ({placeholders}) AND NOT internal
        ORDER BY schema_name, table_name, column_index
        """,
        list(DOCUMENTED_SCHEMAS),
    ).fetchall()


def uncommented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every documented table, view and column without a comment, as schema.table[.column]."""
    missing = [f"{s}.{name}" for s, name, _, comment in _objects(con) if not comment]
    missing += [f"{s}.{t}.{c}" for s, t, c, _, comment in _columns(con) if not comment]
    return sorted(missing)


def dictionary_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """warehouse/README.md: every table and view with its columns, types and comments."""
    columns: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    for schema, table, column, data_type, comment in _columns(con):
        columns.setdefault((schema, table), []).append((column, data_type, comment))
    schema_order = {schema: position for position, schema in enumerate(DOCUMENTED_SCHEMAS)}
    objects = sorted(_objects(con), key=lambda o: (schema_order[o[0]], o[1]))
    lines = [
        "# Warehouse data dictionary",
        "",
        (
            "Generated from the warehouse itself (`duckdb_tables()`, `duckdb_views()`, "
            "`duckdb_columns()`) by `assets/feedback/dictionary.py`; do not edit by hand. The comments "
            "are written by the `COMMENT ON` statements beside each `CREATE` in `warehouse/sql/`; the "
            "columns of `report.table_01` … `table_14` are commented from `ref.published_tables`. "
            "Ask the warehouse directly:"
        ),
        "",
        "```sql",
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns()",
        "WHERE schema_name = 'report' ORDER BY table_name, column_index;",
        "```",
        "",
    ]
    for schema, name, kind, comment in objects:
        lines += [f"## `{schema}.{name}` ({kind})", "", _cell(comment or ""), ""]
        lines += ["| kolumn | typ | beskrivning |", "| --- | --- | --- |"]
        lines += [
            f"| `{column}` | {data_type} | {_cell(comment or '')} |"
            for column, data_type, comment in columns.get((schema, name), [])
        ]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
