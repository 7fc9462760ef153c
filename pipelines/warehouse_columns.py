"""The columns of every table and view of the warehouse's documented schemas, with their types and
comments, as an empty build of the warehouse has them: the column schemas the Dagster UI shows
(pipelines/asset_catalog.py).

The build (`build_warehouse_columns`) costs about 0.6 s of CPU, a sixth of the import of the
Definitions, so `warehouse_columns` keeps its result in a file beside this module's bytecode,
keyed by a hash of everything the build reads; any change to those inputs builds anew
(docs/PERFORMANCE.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from assets.feedback.dictionary import DOCUMENTED_SCHEMAS, comment_columns_from_reference
from assets.report.build import SQL_DIR, build_report, load_reference
from assets.source_code import PROJECT_ROOT, files_digest, project_modules
from assets.tables import create_tables, table_columns
from schemas.catalog import reference_dir

CACHE_DIR = Path(__file__).resolve().parent / "__pycache__"
CACHE_PREFIX = "column_schemas-"
CACHES_KEPT = 4

Column = tuple[str, str, str, str, str | None]  # schema, table, column, type, comment


def warehouse_columns() -> list[Column]:
    """`build_warehouse_columns`, from the cache when one was built from the same inputs."""
    cache = CACHE_DIR / f"{CACHE_PREFIX}{_schema_inputs_hash()}.json"
    try:
        return [tuple(row) for row in json.loads(cache.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        pass
    columns = build_warehouse_columns()
    _write_cache(cache, columns)
    return columns


def build_warehouse_columns() -> list[Column]:
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


def _write_cache(cache: Path, columns: list[Column]) -> None:
    # A cache that cannot be written (a read-only install) only costs the next import the build.
    try:
        cache.parent.mkdir(exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, cache)
        older = sorted(
            cache.parent.glob(f"{CACHE_PREFIX}*.json"),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for stale in older[CACHES_KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
