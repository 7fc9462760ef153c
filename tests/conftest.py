from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from hypothesis import settings

from assets.publication.figures_shown import read_publication
from assets.run_context.resources import LandingZone, Warehouse
from tests.landing_zone_fixture import build_small_landing_zone

# `KOMPETENS_TEST_PROFILE=full` (make test-full): the fuzzing and kill counts of
# docs/RELIABILITY.md. Deadlines off in both: a validation's time depends on the machine's load.
settings.register_profile("default", deadline=None)
settings.register_profile("full", deadline=None)
settings.load_profile("full" if os.environ.get("KOMPETENS_TEST_PROFILE") == "full" else "default")


@contextmanager
def paths_in_environment(raw_dir: Path, warehouse_path: Path) -> Iterator[None]:
    """KOMPETENS_RAW_DIR and KOMPETENS_WAREHOUSE set to these paths, as a deployment sets them:
    the Definitions' resources read them (dg.EnvVar) when a run starts."""
    variables = {"KOMPETENS_RAW_DIR": str(raw_dir), "KOMPETENS_WAREHOUSE": str(warehouse_path)}
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def materialize_pipeline(
    raw_dir: Path,
    warehouse_path: Path,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    all_years: bool = False,
):
    """Run the job as `make refresh` runs it (the years whose files changed, then the report), in
    process, on the given paths; every year with `all_years`, as the nightly schedule does. Unlike
    `make refresh`, a run starts even when nothing changed (its first asset then skips the rest)."""
    from pipelines.definitions import defs
    from pipelines.refresh import execute_refresh

    with paths_in_environment(raw_dir, warehouse_path):
        return execute_refresh(
            defs,
            instance or dg.DagsterInstance.ephemeral(),
            LandingZone(raw_dir=str(raw_dir)),
            Warehouse(database=str(warehouse_path)),
            all_years=all_years,
            raise_on_error=raise_on_error,
        )


@pytest.fixture(scope="session")
def small_instance() -> dg.DagsterInstance:
    """The instance small_warehouse's run is stored in, for the tests that read its events."""
    return dg.DagsterInstance.ephemeral()


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory, small_instance) -> Path:
    """The small hand-made landing zone, materialised once for the end-to-end tests."""
    root = tmp_path_factory.mktemp("small")
    raw = build_small_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, instance=small_instance)
    assert result.success
    return warehouse


@pytest.fixture(scope="session")
def shipped_warehouse(tmp_path_factory) -> Path:
    """The committed raw/ materialised once, for every test that reads the shipped data's outputs."""
    from pipelines.environment import DEFAULT_RAW_DIR

    warehouse = tmp_path_factory.mktemp("shipped") / "kompetens.duckdb"
    assert materialize_pipeline(DEFAULT_RAW_DIR, warehouse).success
    return warehouse


@pytest.fixture(scope="module")
def publication(small_warehouse):
    """What the publication step reads from the small warehouse (assets/publication/figures_shown.py)."""
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        return read_publication(con)
    finally:
        con.close()


@pytest.fixture
def small_db(small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    yield con
    con.close()


def sorted_rows(warehouse: Path, sql: str) -> list[tuple]:
    """The rows `sql` returns from the warehouse file, opened read-only, sorted by their repr."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()
