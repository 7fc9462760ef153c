"""The published warehouse opens read-only in the clients analysts use: the DuckDB CLI from PyPI
(1.5, a development dependency) and every client from DuckDB 1.4 on (issue 26, item 6)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb

from pipelines.resources import PROJECT_ROOT, STORAGE_VERSION, storage_version
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone
from tests.test_readme_commands import readme_commands

CLI = PROJECT_ROOT / ".venv" / "bin" / "duckdb"


def cli_version() -> str:
    return subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True).stdout


def run_readme_cli_query(warehouse: Path) -> subprocess.CompletedProcess:
    """The README's CLI command, as written, in a folder laid out as a clone with this warehouse."""
    (command,) = readme_commands(".venv/bin/duckdb -readonly")
    clone = warehouse.parent.parent / "clone"
    (clone / "warehouse").mkdir(parents=True, exist_ok=True)
    if not (clone / ".venv").exists():
        (clone / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    shutil.copyfile(warehouse, clone / "warehouse" / "kompetens.duckdb")
    return subprocess.run(
        ["bash", "-c", command], cwd=clone, capture_output=True, text=True, check=False
    )


def table_11_labels(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [label for (label,) in con.sql("SELECT row_label FROM report.table_11").fetchall()]
    finally:
        con.close()


def test_the_published_warehouse_opens_in_the_duckdb_cli_from_pypi(small_warehouse):
    # The CLI is of the 1.x line, which cannot read DuckDB 2.0's default storage format.
    assert cli_version().startswith("v1.")
    assert storage_version(small_warehouse) == STORAGE_VERSION
    completed = run_readme_cli_query(small_warehouse)
    assert completed.returncode == 0, completed.stderr
    labels = table_11_labels(small_warehouse)
    assert labels
    for label in labels:
        assert label in completed.stdout


def test_a_warehouse_published_in_the_newer_format_is_carried_over(tmp_path, small_warehouse):
    """A warehouse published before the format was fixed (DuckDB 2.0's default) is copied into
    the 1.4 format by the next run that builds, which the CLI then reads."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    warehouse.parent.mkdir()
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{small_warehouse}' AS source (READ_ONLY)")
        con.execute(f"ATTACH '{warehouse}' AS target")
        con.execute("COPY FROM DATABASE source TO target")
    finally:
        con.close()
    assert storage_version(warehouse) != STORAGE_VERSION
    assert run_readme_cli_query(warehouse).returncode != 0
    # A change, so the run builds.
    (raw / "2016" / "inventering" / "zz_ny.csv").write_text("x", encoding="utf-8")
    assert materialize_pipeline(raw, warehouse).success
    assert storage_version(warehouse) == STORAGE_VERSION
    assert run_readme_cli_query(warehouse).returncode == 0
