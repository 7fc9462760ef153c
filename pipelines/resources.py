"""Resources: where the landing zone is, and the warehouse with its build-then-swap life cycle.

A refresh never writes the published warehouse file. Each run builds in a staging file of its
own, `<warehouse>.<run_id>.building`, started as a copy of the published file so that a run of a
few assets (or the parse cache of unchanged files) finds the rest of the warehouse in place. The
last asset swaps the staging file over the published one with `os.replace`, which is atomic: an
analyst who has the old file open keeps reading the old version, and a run that fails before the
swap leaves the previous warehouse untouched.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "kompetens.duckdb"
STAGING_SUFFIX = ".building"
UNKNOWN_RUN_STALE_SECONDS = 6 * 3600


def _path_from_env(variable: str, default: Path) -> str:
    # Relative values are taken relative to where the command runs, like any CLI path.
    value = os.environ.get(variable)
    return str(Path(value).resolve()) if value else str(default)


class LandingZone(dg.ConfigurableResource):
    """The raw dir of contract section 1 (env KOMPETENS_RAW_DIR). Read-only input."""

    raw_dir: str

    @property
    def path(self) -> Path:
        return Path(self.raw_dir)


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse (env KOMPETENS_WAREHOUSE) and its per-run staging copy."""

    database: str

    @property
    def published_path(self) -> Path:
        return Path(self.database)

    def staging_path(self, run_id: str) -> Path:
        published = self.published_path
        return published.with_name(f"{published.name}.{run_id}{STAGING_SUFFIX}")

    @contextmanager
    def connect(self, context: dg.OpExecutionContext) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's staging warehouse, created on first use."""
        staging = self.staging_path(context.run.run_id)
        if not staging.exists():
            self._start_staging(staging, context)
        con = duckdb.connect(str(staging))
        try:
            yield con
        finally:
            con.close()

    def _start_staging(self, staging: Path, context: dg.OpExecutionContext) -> None:
        staging.parent.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned_staging(context)
        if self.published_path.exists():
            # Copy to a temporary name first, so a crash mid-copy never leaves a staging file
            # that looks complete.
            partial = staging.with_name(staging.name + ".partial")
            shutil.copyfile(self.published_path, partial)
            os.replace(partial, staging)
            context.log.info(f"Staging warehouse {staging.name} started from the published one")

    def _remove_abandoned_staging(self, context: dg.OpExecutionContext) -> None:
        """Delete staging files of runs that ended (failed or killed) before their swap.

        A run this instance does not know (another DAGSTER_HOME, or an ephemeral instance) may
        still be building, so its file is only removed once it is clearly stale.
        """
        prefix = self.published_path.name + "."
        for candidate in self.published_path.parent.glob(f"{prefix}*{STAGING_SUFFIX}*"):
            run_id = candidate.name[len(prefix) :].split(STAGING_SUFFIX)[0]
            if run_id == context.run.run_id:
                continue
            run = context.instance.get_run_by_id(run_id)
            if run is not None:
                abandoned = run.is_finished
            else:
                abandoned = _older_than(candidate, UNKNOWN_RUN_STALE_SECONDS)
            if abandoned:
                candidate.unlink(missing_ok=True)
                context.log.info(f"Removed abandoned staging file {candidate.name}")

    def publish(self, context: dg.OpExecutionContext) -> Path | None:
        """Swap this run's staging warehouse in as the published one, atomically.

        Returns None, leaving the published warehouse as it is, when the run built nothing.
        """
        staging = self.staging_path(context.run.run_id)
        if not staging.exists():
            return None
        # Checkpoint so the published file is complete on its own, with no WAL beside it.
        con = duckdb.connect(str(staging))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, self.published_path)
        directory = os.open(self.published_path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return self.published_path


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False


def landing_zone_from_env() -> LandingZone:
    return LandingZone(raw_dir=_path_from_env("KOMPETENS_RAW_DIR", DEFAULT_RAW_DIR))


def warehouse_from_env() -> Warehouse:
    return Warehouse(database=_path_from_env("KOMPETENS_WAREHOUSE", DEFAULT_WAREHOUSE))
