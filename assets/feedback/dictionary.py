"""The data dictionary: a comment on every table, view and column of the warehouse.

One source of truth: the `COMMENT ON` statements beside each `CREATE` in warehouse/sql/, so
`SELECT * FROM duckdb_columns()` answers an analyst's questions. The only columns commented here
are the ones whose names are read from the reference when the table is built, since a comment
in SQL names its column literally: those of report.table_01 … table_14 (one per published
column, named by its col_key) from ref.published_tables, with the report's heading; those of
core.answers_wide (one per question) from ref.questions. `dictionary_markdown` renders what the
warehouse says about itself as warehouse/README.md, with its naming convention.
"""

from __future__ import annotations

import duckdb

from assets.tables import table_columns
from schemas.contract import UNITS

DOCUMENTED_SCHEMAS = ("ref", "core", "quality", "report")
LAID_OUT_TABLES = "^table_[0-9]{2}$"  # report.table_01 … table_14

# The warehouse's one naming convention for identifiers; warehouse/README.md and
# docs/ARCHITECTURE.md state it, tests/test_feedback_dictionary.py holds the warehouse to it.
NAMING_CONVENTION = (
    "Every schema, table, view and column is named in lower-case snake_case (`a`–`z`, digits, "
    "`_`), so no query has to quote a name. The words of the contract's domain (the form, the "
    "registers, the report) are Swedish, written without å, ä and ö, as the question ids of "
    "`ref.questions` are: `kommunkod`, `ar`, `inlamnad`, `andamal`, `lanskod`, "
    "`handl_socionom_lt1ar`. The structural words the contract names in English stay English: "
    "`path`, `status`, `severity`, `table_id`, `row_key`, `col_key`, `value`. A column of Swedish "
    "text for a reader ends in `_sv` (`label_sv`). The columns of `report.table_01` … `table_14` "
    "are named by the published column's `col_key` (`socionom_lt1ar_andel`), with the report's "
    "heading in the column's comment; the answer columns of `core.answers_wide` by the question "
    "id."
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def comment_columns_from_reference(con: duckdb.DuckDBPyConnection) -> int:
    """Comment the columns of report.table_NN and core.answers_wide that are named from the
    reference: each with its heading in the report, or its question, and its unit.

    Returns the number of columns commented.
    """
    comments = _laid_out_column_comments(con) + _answer_column_comments(con)
    for schema, table, column, comment in comments:
        con.execute(
            f"COMMENT ON COLUMN {schema}.{_identifier(table)}.{_identifier(column)} IS "
            + _literal(comment)
        )
    return len(comments)


def _laid_out_column_comments(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(schema, table, column, comment) of the columns of report.table_01 … table_14."""
    columns = con.execute(
        """
        SELECT DISTINCT c.table_name, c.column_name, l.table_id, l.col_label, l.col_kind, p.unit
        FROM duckdb_columns() AS c
        JOIN report.layout_cells AS l
            ON l.table_id = 'T' || right(c.table_name, 2) AND l.col_key = c.column_name
        JOIN ref.published_tables AS p USING (table_id, col_key)
        WHERE c.schema_name = 'report' AND regexp_full_match(c.table_name, ?)
        ORDER BY ALL
        """,
        [LAID_OUT_TABLES],
    ).fetchall()
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'report' AND regexp_full_match(table_name, ?)",
        [LAID_OUT_TABLES],
    ).fetchall()
    row_columns = {
        "row_key": "Radens nyckel som i report.tables_long (t.ex. delområde, område eller år).",
        "row_label": "Radens etikett som i rapporten (t.ex. delområde, område eller år).",
    }
    comments = [
        ("report", table, column, comment)
        for (table,) in tables
        for column, comment in row_columns.items()
    ]
    for table, column, table_id, col_label, col_kind, unit in columns:
        rounding = "heltal" if col_kind == "count" else "ej avrundat"
        comment = (
            f'Rubrik i rapporten och exporterna: "{col_label}". '
            f"{_sentence(UNITS[unit].label_sv)}, {rounding}. Samma värde som report.tables_long "
            f"där table_id = '{table_id}' och col_key = '{column}'."
        )
        comments.append(("report", table, column, comment))
    return comments


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _answer_column_comments(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(schema, table, column, comment) of the answer columns of core.answers_wide."""
    columns = con.execute(
        """
        SELECT c.column_name, q.label_sv, q.block, q.kind, q.years
        FROM duckdb_columns() AS c
        JOIN ref.questions AS q ON q.question_id = c.column_name AND q.block <> 'meta'
        WHERE c.schema_name = 'core' AND c.table_name = 'answers_wide'
        ORDER BY c.column_index
        """
    ).fetchall()
    return [
        (
            "core",
            "answers_wide",
            column,
            (
                f"{label_sv} (fråga {column}, block {block}, svarstyp {kind}, blanketterna "
                f"{years}). NULL där frågan inte besvarades, inte finns på årets blankett eller "
                "blocket är ogiltigt."
            ),
        )
        for column, label_sv, block, kind, years in columns
    ]


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


def uncommented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every documented table, view and column without a comment, as schema.table[.column]."""
    missing = [f"{s}.{name}" for s, name, _, comment in _objects(con) if not comment]
    missing += [
        f"{s}.{t}.{c}"
        for s, t, c, _, comment in table_columns(con, DOCUMENTED_SCHEMAS)
        if not comment
    ]
    return sorted(missing)


def dictionary_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """warehouse/README.md: every table and view with its columns, types and comments."""
    columns: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    for schema, table, column, data_type, comment in table_columns(con, DOCUMENTED_SCHEMAS):
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
            "columns of `report.table_01` … `table_14` are commented from `ref.published_tables`, "
            "the answer columns of `core.answers_wide` from `ref.questions`. "
            "Ask the warehouse directly:"
        ),
        "",
        "```sql",
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns()",
        "WHERE schema_name = 'report' ORDER BY table_name, column_index;",
        "```",
        "",
        "## Naming convention",
        "",
        NAMING_CONVENTION,
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
