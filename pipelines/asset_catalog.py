"""What the Dagster UI shows of each asset: its kinds, owner, warehouse table, column schema and
code version, applied to the Definitions' assets in one place (`catalogued`).

Table names. `dagster/table_name` is `<catalog>.<schema>.<table>`. DuckDB names a database
file's catalog by the file's name up to its first dot, so the published kompetens.duckdb and a
run's staging copy kompetens.duckdb.<run_id>.building are both the catalog `kompetens`
(`WAREHOUSE_CATALOG`). An asset that writes several tables names its main one:
ref/reference_data the form catalog `ref.questions` (it also writes every other `ref.*`
table), report/laid_out_tables `report.table_01` (the first of `report.table_01` … `table_14`).

Assets that write files, not a table, name the warehouse table they publish, and `dagster/uri`
says where their files lie, relative to the folder of the warehouse file:
- kompetens_warehouse: `quality.build_inputs`, the row saying which build the published file
  holds; uri `kompetens.duckdb`;
- publication/exports: `report.tables_long`, the figures of Tables 1–14 that the workbook, the
  CSV and Parquet files, the charts and rapport.html show; uri `exports/`;
- publication/kommunprofiler: `report.nyckeltal`, the key figures the profile pages show and
  nyckeltal.csv / .parquet export; uri `exports/kommuner/`;
- feedback/kontrollrapporter: `quality.file_ledger_kommun`, one control report per row;
  uri `kontrollrapporter/`;
- feedback/data_dictionary: `core.answers_wide`, the table whose columns it comments (it also
  comments those of report.table_NN) and that the dictionary describes with every other;
  uri `README.md`.
Every materialisation's `dagster/row_count` is the number of rows of that table
(tests/test_asset_metadata.py holds them to it).

Column schemas. `dagster/column_schema` is what the warehouse says about itself: the project's
own build (`create_tables`, `load_reference`, `build_report`, `comment_columns_from_reference`)
run into an in-memory DuckDB, read back through `table_columns` (duckdb_columns(): name, type,
comment). That build takes ~0.6 s, a quarter of the import of the Definitions, so its result is
kept in a cache file beside this module's bytecode, keyed by a hash of everything the build
reads (the SQL files, the reference set, the Python modules that run them, the DuckDB version):
an import then reads the cache, and any change to those inputs builds anew.

Code versions. `code_version` hashes an asset's module, the project modules it imports (not
through another asset's module: an upstream asset has a version of its own) and the SQL files it
runs, so the UI marks an asset whose code changed since its last materialisation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from assets.feedback import assets as feedback
from assets.feedback.dictionary import DOCUMENTED_SCHEMAS, comment_columns_from_reference
from assets.ingest.assets import BUILD_INPUTS, FILE_ANSWERS, FILE_LEDGER, GRANT_REGISTER
from assets.publication.assets import EXPORTS
from assets.publication.kommunprofiler import KOMMUNPROFILER
from assets.publication.profiles import PROFILES_FOLDER
from assets.publish.assets import kompetens_warehouse
from assets.report.assets import (
    LAID_OUT_TABLES,
    RECONCILIATION,
    REFERENCE,
    TABLES_LONG,
    TEXT_FIGURES,
)
from assets.report.build import SQL_DIR, build_report, load_reference
from assets.report.nyckeltal import NYCKELTAL
from assets.source_code import files_digest, project_modules
from assets.tables import create_tables, table_columns
from assets.validate.assets import ANSWERS, BLOCK_STATUS, ISSUES
from pipelines.resources import DEFAULT_WAREHOUSE, EXPORTS_FOLDER, PROJECT_ROOT
from schemas.catalog import reference_dir

OWNER = "team:kompetens-data"
WAREHOUSE_CATALOG = DEFAULT_WAREHOUSE.name.split(".")[0]
CODE_VERSION_LENGTH = 12
SCHEMA_CACHE_DIR = Path(__file__).resolve().parent / "__pycache__"
SCHEMA_CACHE_PREFIX = "column_schemas-"
SCHEMA_CACHES_KEPT = 4

# SQL files an asset runs, as globs under warehouse/sql/.
STAGE_TABLES_SQL = ("tables/*.sql",)
REFERENCE_SQL = ("[0-9][0-9]_ref_*.sql", "contract_lists.sql")
REPORT_SQL = ("[0-9][0-9]_*.sql",)


@dataclass(frozen=True)
class Entry:
    kinds: frozenset[str]
    table: str  # schema.table in the warehouse
    uri: str | None = None  # where the asset's files lie, relative to the warehouse's folder
    sql: tuple[str, ...] = ()


def _entry(kinds: str, table: str, uri: str | None = None, sql: tuple[str, ...] = ()) -> Entry:
    return Entry(frozenset(kinds.split()), table, uri, sql)


CATALOG: dict[dg.AssetKey, Entry] = {
    BUILD_INPUTS: _entry("python duckdb polars", "quality.build_inputs", sql=STAGE_TABLES_SQL),
    FILE_LEDGER: _entry(
        "duckdb polars csv xlsx great_expectations", "quality.file_ledger", sql=STAGE_TABLES_SQL
    ),
    FILE_ANSWERS: _entry("duckdb polars csv xlsx", "core.file_answers", sql=STAGE_TABLES_SQL),
    GRANT_REGISTER: _entry(
        "duckdb polars csv great_expectations", "core.grant_register", sql=STAGE_TABLES_SQL
    ),
    BLOCK_STATUS: _entry("duckdb polars pandera", "core.block_status", sql=STAGE_TABLES_SQL),
    ANSWERS: _entry(
        "duckdb polars pandera great_expectations", "core.answers", sql=STAGE_TABLES_SQL
    ),
    ISSUES: _entry("duckdb polars pandera", "quality.issues", sql=STAGE_TABLES_SQL),
    REFERENCE: _entry("duckdb sql csv polars", "ref.questions", sql=REFERENCE_SQL),
    TABLES_LONG: _entry("duckdb sql great_expectations", "report.tables_long", sql=REPORT_SQL),
    TEXT_FIGURES: _entry("duckdb sql", "report.text_figures", sql=REPORT_SQL),
    RECONCILIATION: _entry(
        "duckdb sql great_expectations", "report.reconciliation", sql=REPORT_SQL
    ),
    LAID_OUT_TABLES: _entry("duckdb sql", "report.table_01", sql=REPORT_SQL),
    NYCKELTAL: _entry("duckdb sql", "report.nyckeltal", sql=REPORT_SQL),
    feedback.CONTROL_REPORTS: _entry(
        "duckdb html markdown",
        "quality.file_ledger_kommun",
        uri=f"{feedback.CONTROL_REPORTS_FOLDER}/",
    ),
    feedback.DATA_DICTIONARY: _entry(
        "duckdb markdown", "core.answers_wide", uri=feedback.DICTIONARY_FILE
    ),
    kompetens_warehouse.key: _entry("duckdb", "quality.build_inputs", uri=DEFAULT_WAREHOUSE.name),
    EXPORTS: _entry(
        "duckdb polars xlsx csv parquet html matplotlib",
        "report.tables_long",
        uri=f"{EXPORTS_FOLDER}/",
    ),
    KOMMUNPROFILER: _entry(
        "duckdb polars html csv parquet",
        "report.nyckeltal",
        uri=f"{EXPORTS_FOLDER}/{PROFILES_FOLDER}/",
    ),
}


def catalogued(assets: Sequence) -> list:
    """The assets with their catalog entries applied (kinds, table name, column schema, uri),
    and every one with the owner and its code version. An asset the catalog lacks keeps its
    spec otherwise; tests/test_asset_metadata.py fails on it."""
    schemas = column_schemas()
    asset_modules = {_module_of(a) for a in assets if isinstance(a, dg.AssetsDefinition)}

    # The specs of one multi-asset share their module, and mostly their SQL.
    version_of = functools.cache(
        lambda module, sql: code_version(module, sql, asset_modules - {module})
    )

    def describe(spec: dg.AssetSpec, module: str) -> dg.AssetSpec:
        entry = CATALOG.get(spec.key)
        version = version_of(module, entry.sql if entry else ())
        if entry is None:
            return spec.merge_attributes(owners=[OWNER]).replace_attributes(code_version=version)
        if entry.table not in schemas:
            raise KeyError(
                f"The catalog names {entry.table} for {spec.key.to_user_string()}, a table the "
                f"warehouse's SQL (warehouse/sql/) does not define"
            )
        metadata = {
            "dagster/table_name": f"{WAREHOUSE_CATALOG}.{entry.table}",
            "dagster/column_schema": schemas[entry.table],
        }
        if entry.uri:
            metadata["dagster/uri"] = entry.uri
        return spec.merge_attributes(
            kinds=set(entry.kinds), owners=[OWNER], metadata=metadata
        ).replace_attributes(code_version=version)

    return [
        a.map_asset_specs(functools.partial(describe, module=_module_of(a)))
        if isinstance(a, dg.AssetsDefinition)
        else a
        for a in assets
    ]


def _module_of(assets_def: dg.AssetsDefinition) -> str:
    return assets_def.op.compute_fn.decorated_fn.__module__


def code_version(
    module: str,
    sql: Iterable[str] = (),
    boundary: Collection[str] = (),
    root: Path = PROJECT_ROOT,
) -> str:
    """A short hash of an asset's code: the source of `module` and of the project modules it
    imports, directly or through each other, short of the modules of `boundary` (the other
    assets' modules, imported for their keys), and the SQL files (globs `sql` under
    warehouse/sql/) it runs."""
    sql_dir = root / SQL_DIR.relative_to(PROJECT_ROOT)
    files = project_modules([module], boundary, root)
    files |= {
        f"sql/{path.relative_to(sql_dir)}": path
        for pattern in sql
        for path in sql_dir.glob(pattern)
    }
    return files_digest(files)[:CODE_VERSION_LENGTH]


def column_schemas() -> dict[str, dg.TableSchema]:
    """schema.table -> the columns of every table and view of the warehouse's documented
    schemas, with their types and comments."""
    tables: dict[str, list[dg.TableColumn]] = {}
    for schema, table, column, data_type, comment in _warehouse_columns():
        tables.setdefault(f"{schema}.{table}", []).append(
            dg.TableColumn(name=column, type=data_type, description=comment)
        )
    return {table: dg.TableSchema(columns=columns) for table, columns in tables.items()}


def _warehouse_columns() -> list[tuple[str, str, str, str, str | None]]:
    """table_columns of the warehouse an empty landing zone builds, from the cache when one was
    built from the same inputs."""
    cache = SCHEMA_CACHE_DIR / f"{SCHEMA_CACHE_PREFIX}{_schema_inputs_hash()}.json"
    try:
        return [tuple(row) for row in json.loads(cache.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        pass
    columns = build_warehouse_columns()
    _write_cache(cache, columns)
    return columns


def build_warehouse_columns() -> list[tuple[str, str, str, str, str | None]]:
    """Build the warehouse's tables and views, empty, in memory, as a refresh builds them, and
    read back their columns."""
    con = duckdb.connect(":memory:")
    try:
        create_tables(con)
        load_reference(con, reference_dir())
        build_report(con)
        comment_columns_from_reference(con)
        return table_columns(con, DOCUMENTED_SCHEMAS)
    finally:
        con.close()


def _schema_inputs_hash() -> str:
    builders = (
        create_tables,
        load_reference,
        build_report,
        comment_columns_from_reference,
        table_columns,
    )
    files = project_modules({f.__module__ for f in builders}, (), PROJECT_ROOT)
    # This module's own source, for build_warehouse_columns and the cache's format; not the
    # modules it imports, which are the assets'.
    files[__name__] = Path(__file__)
    files |= {f"sql/{path.relative_to(SQL_DIR)}": path for path in SQL_DIR.rglob("*.sql")}
    files |= {
        f"reference/{path.name}": path for path in reference_dir().iterdir() if path.is_file()
    }
    return hashlib.sha256(
        f"{files_digest(files)} duckdb {duckdb.__version__}".encode()
    ).hexdigest()[:32]


def _write_cache(cache: Path, columns: list[tuple]) -> None:
    # A cache that cannot be written (a read-only install) only costs the next import the build.
    try:
        cache.parent.mkdir(exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, cache)
        older = sorted(
            cache.parent.glob(f"{SCHEMA_CACHE_PREFIX}*.json"),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for stale in older[SCHEMA_CACHES_KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
