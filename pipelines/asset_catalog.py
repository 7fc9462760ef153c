"""What the Dagster UI shows of each asset: its kinds, owner, warehouse table, column schema and
code version, applied to the Definitions' assets in one place (`catalogued`).

The table each asset names, its `dagster/uri`, its row count, column schema and code version:
docs/ARCHITECTURE.md, «pipelines/asset_catalog.py».
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.feedback import assets as feedback
from assets.ingest.assets import BUILD_INPUTS, FILE_ANSWERS, FILE_LEDGER, GRANT_REGISTER
from assets.ingest.build_inputs import (
    CODE_FILES_METADATA,
    CODE_VERSIONS_METADATA,
    YEAR_SCOPED_METADATA,
    code_files_fingerprint,
)
from assets.publication.assets import EXPORTS
from assets.publication.profile_asset import KOMMUNPROFILER
from assets.publication.profile_pages import PROFILES_FOLDER
from assets.report.assets import (
    LAID_OUT_TABLES,
    RECONCILIATION,
    REFERENCE,
    TABLES_LONG,
    TEXT_FIGURES,
)
from assets.report.build import SQL_DIR
from assets.report.nyckeltal import NYCKELTAL
from assets.run_context.resources import EXPORTS_FOLDER
from assets.source_code import files_digest, project_modules
from assets.swap.assets import kompetens_warehouse
from assets.validate.assets import ANSWERS, BLOCK_STATUS, ISSUES
from pipelines.environment import DEFAULT_WAREHOUSE, PROJECT_ROOT
from pipelines.warehouse_columns import warehouse_columns

OWNER = "team:kompetens-data"
WAREHOUSE_CATALOG = DEFAULT_WAREHOUSE.name.split(".")[0]
CODE_VERSION_LENGTH = 12

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
    and every one with the owner and its code version; the gate with every code version
    (`with_code_on_gate`). An asset the catalog lacks keeps its spec otherwise;
    tests/test_asset_metadata.py fails on it."""
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

    return with_code_on_gate(
        [
            a.map_asset_specs(functools.partial(describe, module=_module_of(a)))
            if isinstance(a, dg.AssetsDefinition)
            else a
            for a in assets
        ]
    )


def with_code_on_gate(assets: Sequence) -> list:
    """The assets with `gate_metadata` of their specs on the spec of quality/build_inputs: what
    the gate compares (assets/ingest/build_inputs.py, BuildCode), handed to it on its own spec."""
    metadata = gate_metadata(
        a.get_asset_spec(key)
        for a in assets
        if isinstance(a, dg.AssetsDefinition)
        for key in a.keys
    )

    def on_gate(spec: dg.AssetSpec) -> dg.AssetSpec:
        return spec.merge_attributes(metadata=metadata) if spec.key == BUILD_INPUTS else spec

    return [a.map_asset_specs(on_gate) if isinstance(a, dg.AssetsDefinition) else a for a in assets]


def gate_metadata(specs: Iterable[dg.AssetSpec]) -> dict:
    """Every asset's code version, the year-scoped assets (partitioned by year) and the digest
    of the repository's code files, taken together when the Definitions are made."""
    specs = list(specs)
    return {
        CODE_VERSIONS_METADATA: {spec.key.to_user_string(): spec.code_version for spec in specs},
        YEAR_SCOPED_METADATA: sorted(
            spec.key.to_user_string() for spec in specs if spec.partitions_def is not None
        ),
        CODE_FILES_METADATA: code_files_fingerprint(),
    }


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
    for schema, table, column, data_type, comment in warehouse_columns():
        tables.setdefault(f"{schema}.{table}", []).append(
            dg.TableColumn(name=column, type=data_type, description=comment)
        )
    return {table: dg.TableSchema(columns=columns) for table, columns in tables.items()}
