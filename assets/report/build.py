"""Build the report part of the warehouse by running the SQL files of `warehouse/sql/`.

Pure: no Dagster. The report assets, the tests and an analyst at a DuckDB prompt all run the same
SQL. The files run in the order of their names:

- the core input tables the ingest and validate stages fill are defined in
  `warehouse/sql/tables/` (`assets.tables.create_tables`);
- `NN_ref_*.sql` load the `ref` schema from the reference CSVs (`load_reference`);
- every other file builds `core.participation`, `core.population`, ... and `report.*`
  (`build_report`), each with `CREATE OR REPLACE`, so a build can be run again on the same database.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from schemas import contract, rules
from schemas.catalog import CATALOG_FILE_NAME, MUNICIPALITIES_FILE_NAME

SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "sql"
# Contract section 5: the final inventory year, a setting of the reference data.
FINAL_INVENTORY_YEAR_FILE_NAME = "final_inventory_year.csv"


def _reference_sql_files() -> list[Path]:
    return sorted(SQL_DIR.glob("[0-9][0-9]_ref_*.sql"))


def _report_sql_files() -> list[Path]:
    excluded = set(_reference_sql_files())
    return [path for path in sorted(SQL_DIR.glob("[0-9][0-9]_*.sql")) if path not in excluded]


def _run_sql_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(path.read_text(encoding="utf-8"))


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """(Re)create the `ref` schema from the question catalog and the reference CSVs.

    The ref SQL reads each file through a DuckDB variable (`getvariable('questions_csv')`),
    set here as a prepared-statement parameter, so no path is ever pasted into SQL text.
    Every column is read as text: kommunkod "0180" keeps its leading zero.
    """
    csv_files = {
        "questions_csv": reference_dir / CATALOG_FILE_NAME,
        "municipalities_csv": reference_dir / MUNICIPALITIES_FILE_NAME,
        "published_tables_csv": reference_dir / "published_tables.csv",
        "published_text_figures_csv": reference_dir / "published_text_figures.csv",
        "known_errata_csv": reference_dir / "known_errata.csv",
        "kommungrupp_csv": reference_dir / "kommungrupp.csv",
        "report_layout_csv": reference_dir / "report_layout.csv",
        "nyckeltal_csv": reference_dir / "nyckeltal.csv",
        "population_csv": reference_dir / "population_2013_2017.csv",
        "final_inventory_year_csv": reference_dir / FINAL_INVENTORY_YEAR_FILE_NAME,
    }
    for variable, path in csv_files.items():
        con.execute(f"SET VARIABLE {variable} = ?", [str(path)])
    try:
        for path in _reference_sql_files():
            _run_sql_file(con, path)
    finally:
        for variable in csv_files:
            con.execute(f"RESET VARIABLE {variable}")
    _load_contract_lists(con)


# rules.py's dictionaries by the kind of rule an analyst filters on in ref.rules.
_RULE_KINDS = {
    "rejection": rules.LEDGER_RULES,
    "conflict": rules.CONFLICT_RULES,
    "reading": rules.READ_RULES,
    "block": rules.BLOCK_RULES,
    "warning": rules.WARNING_RULES,
    "register": rules.REGISTER_RULES,
}


def _load_contract_lists(con: duckdb.DuckDBPyConnection) -> None:
    """ref.ledger_statuses, ref.block_statuses, ref.grant_purposes and ref.rules, written from
    their one home (schemas/contract.py, schemas/rules.py) so that SQL and analysts read the
    same lists as the code."""
    frames = {
        "ref.ledger_statuses": pl.DataFrame(
            {
                "status": list(contract.LEDGER_STATUSES),
                "position": range(1, len(contract.LEDGER_STATUSES) + 1),
                "description_sv": list(contract.LEDGER_STATUSES.values()),
            }
        ),
        "ref.block_statuses": pl.DataFrame(
            {
                "status": list(contract.BLOCK_STATUSES),
                "description_sv": list(contract.BLOCK_STATUSES.values()),
            }
        ),
        "ref.units": pl.DataFrame(
            [
                {
                    "unit": unit,
                    "label_sv": spec.label_sv,
                    "decimals": spec.decimals,
                    "whole_number": spec.whole_number,
                    "answer_kind": spec.answer_kind,
                }
                for unit, spec in contract.UNITS.items()
            ]
        ),
        "ref.grant_purposes": pl.DataFrame(
            {
                "andamal": list(contract.GRANT_PURPOSES),
                "key_word": list(contract.GRANT_PURPOSES.values()),
            }
        ),
        "ref.rules": pl.DataFrame(
            [
                {
                    "rule": rule.rule_id,
                    "kind": kind,
                    "position": position,
                    "severity": rule.severity,
                    "name_sv": rule.name,
                    "description_sv": rule.description,
                }
                for kind, kind_rules in _RULE_KINDS.items()
                for position, rule in enumerate(kind_rules.values(), start=1)
            ]
        ),
    }
    for table, frame in frames.items():
        con.register("contract_list", frame)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM contract_list")
        finally:
            con.unregister("contract_list")
    _run_sql_file(con, SQL_DIR / "contract_lists.sql")


def build_report(con: duckdb.DuckDBPyConnection, through: str | None = None) -> None:
    """(Re)build participation, populations and every `report.*` table from core and ref.

    Needs the core input tables (`assets.tables.create_tables`, filled by the earlier stages) and the
    ref schema (`load_reference`). `through` stops after that file: a file reads only tables that
    files numbered before it build, so through "40_report_tables_long.sql" rebuilds Tables 1–14
    (`report.tables_long`) and what they are made of, and nothing after them (the benchmark,
    tools/bench/pandas_tables.py, times them this way).
    """
    report_files = _report_sql_files()
    if through is not None:
        names = [path.name for path in report_files]
        if through not in names:
            raise ValueError(f"{through} is not one of the report SQL files in {SQL_DIR}")
        report_files = report_files[: names.index(through) + 1]
    for path in report_files:
        _run_sql_file(con, path)
