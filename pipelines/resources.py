"""Resources: where the landing zone is, and the warehouse with its build-then-swap life cycle.

A refresh never writes the published warehouse file. Each run builds in a staging file of its
own, `<warehouse>.<run_id>.building`, started as a copy of the published file so that a run of a
few assets (or the parse cache of unchanged files) finds the rest of the warehouse in place. The
last asset swaps the staging file over the published one with `os.replace`, which is atomic: an
analyst who has the old file open keeps reading the old version, and a run that fails before the
swap leaves the previous warehouse untouched. A run that succeeds without that last asset (a run
of some assets, or the first runs of a backfill that Dagster splits in several) hands its
staging file to the next run, which continues it and publishes.

One refresh builds at a time: a run holds an exclusive lock on `<warehouse>.lock` from the
start of its execution to its end. A second run started meanwhile (by hand, or by a scheduler
without the run queue of pipelines/dagster.yaml) waits for it, and after `lock_timeout_seconds`
fails with a message naming the run that holds the lock. The kernel releases the lock when its
process dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "kompetens.duckdb"
STAGING_SUFFIX = ".building"
# The publication's files, beside the warehouse file, and the fingerprint of the build they were
# made from (quality.build_inputs), written when the whole publication is written: a refresh
# with nothing new to build still rebuilds exports that lack it.
EXPORTS_FOLDER = "exports"
EXPORTS_BUILD_MARKER = "build_inputs.txt"
LOCK_SUFFIX = ".lock"
# The asset that swaps a run's staging warehouse in as the published one (assets/publish): named
# here, with the warehouse, because earlier stages record events on it too (a refresh that found
# nothing to build confirms it current).
PUBLISHED_WAREHOUSE = dg.AssetKey("kompetens_warehouse")
LOCK_POLL_SECONDS = 0.5
# The storage format every warehouse file is created in. DuckDB 2.0 writes its newest format by
# default, which no 1.x client reads (the CLI from PyPI is 1.5, the long-term-support line 1.4);
# a file created in this format keeps it when later opened and written by 2.0, and a copy of it
# too, so the published warehouse and every kept publication open in 1.4 and later.
STORAGE_VERSION = "v1.4.0"


# Each resource's setting comes from an environment variable (dg.EnvVar, read when a run or a
# sensor starts, never at import). The entry points (`make`, `python -m pipelines.refresh`) set
# these defaults when the variable is not set; Dagster itself has no default for an EnvVar.
DEFAULT_ENVIRONMENT = {
    "KOMPETENS_RAW_DIR": str(DEFAULT_RAW_DIR),
    "KOMPETENS_WAREHOUSE": str(DEFAULT_WAREHOUSE),
}


def set_default_environment() -> None:
    """Give each unset variable of DEFAULT_ENVIRONMENT its default, in this process (and the
    processes it starts)."""
    for variable, default in DEFAULT_ENVIRONMENT.items():
        if not os.environ.get(variable):
            os.environ[variable] = default


class LandingZone(dg.ConfigurableResource):
    """The raw dir of contract section 1 (env KOMPETENS_RAW_DIR). Read-only input."""

    raw_dir: str

    @property
    def path(self) -> Path:
        # A relative path is taken relative to where the command runs, like any CLI path.
        return Path(self.raw_dir).resolve()


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse (env KOMPETENS_WAREHOUSE) and its per-run staging copy."""

    database: str
    # How long a run waits for another refresh to finish before it gives up.
    lock_timeout_seconds: float = 3600.0
    # DuckDB's own buffer memory while building (its default is 80% of the machine). Beyond it,
    # DuckDB spills to `<staging>.tmp/`, so a landing zone of a million submissions builds within
    # a few GB beside the Python side's frames.
    memory_limit: str = "1GB"
    # How many publications are kept (assets/publish/publications.py): 0 keeps every one, else
    # at least 2 (the outputs read the previous one to show its side of each revision).
    publications_kept: int = 0
    _run_lock: object | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        return Path(self.database).resolve()

    @property
    def exports_path(self) -> Path:
        return self.published_path.parent / EXPORTS_FOLDER

    def exported_fingerprint(self) -> str | None:
        """The build the exports were made from; None when they are missing or were cut short."""
        try:
            marker = self.exports_path / EXPORTS_BUILD_MARKER
            return marker.read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def mark_exported(self, fingerprint: str) -> None:
        """Record that the whole publication of build `fingerprint` is written."""
        marker = self.exports_path / EXPORTS_BUILD_MARKER
        marker.write_text(fingerprint + "\n", encoding="utf-8")

    @property
    def lock_path(self) -> Path:
        published = self.published_path
        return published.with_name(published.name + LOCK_SUFFIX)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # A sensor only reads the published warehouse: the lock is for runs, which build.
        if context.run is None:
            return
        self._run_lock = _acquire_run_lock(
            self.lock_path, context.run.run_id, self.lock_timeout_seconds, context.log
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_lock is not None:
            self._run_lock.close()  # closing the descriptor releases the flock
            self._run_lock = None

    def staging_path(self, run_id: str) -> Path:
        published = self.published_path
        return published.with_name(f"{published.name}.{run_id}{STAGING_SUFFIX}")

    @contextmanager
    def connect(self, context: dg.OpExecutionContext) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's staging warehouse, created on first use."""
        staging = self.staging_path(context.run.run_id)
        if not staging.exists():
            self._start_staging(staging, context)
        if not staging.exists():
            create_warehouse_file(staging)
        con = duckdb.connect(str(staging))
        try:
            con.execute("SET memory_limit = ?", [self.memory_limit])
            yield con
        finally:
            con.close()

    def _start_staging(self, staging: Path, context: dg.OpExecutionContext) -> None:
        staging.parent.mkdir(parents=True, exist_ok=True)
        handed_over = self._take_over_or_remove_other_staging(context)
        if handed_over is not None:
            os.replace(handed_over, staging)
            context.log.info(
                f"Staging warehouse {staging.name} continues the unpublished build of "
                f"{handed_over.name}"
            )
        elif self.published_path.exists():
            # Copy to a temporary name first, so a crash mid-copy never leaves a staging file
            # that looks complete.
            partial = staging.with_name(staging.name + ".partial")
            if storage_version(self.published_path) == STORAGE_VERSION:
                shutil.copyfile(self.published_path, partial)
            else:
                # Published before the format was fixed: carried over into a file of the format.
                partial.unlink(missing_ok=True)
                copy_into_warehouse_file(self.published_path, partial)
            os.replace(partial, staging)
            context.log.info(f"Staging warehouse {staging.name} started from the published one")

    def _take_over_or_remove_other_staging(self, context: dg.OpExecutionContext) -> Path | None:
        """The staging file of a run that succeeded without publishing, to build on; every other
        staging file is deleted.

        A run succeeds without publishing when it did not select the last asset: a run of one
        year's ledger from the UI, or the first runs of a backfill, which Dagster splits into a
        run of the partitioned assets and one of the report (which publishes). Its work is kept
        for the next run to publish. A failed or killed run's is not: a killed run stays
        "started" in Dagster's run history, so only "success" counts. This run holds the
        warehouse lock, so no other run is building.
        """
        prefix = self.published_path.name + "."
        succeeded = []
        for candidate in self.published_path.parent.glob(f"{prefix}*{STAGING_SUFFIX}*"):
            run_id = candidate.name[len(prefix) :].split(STAGING_SUFFIX)[0]
            if run_id == context.run.run_id:
                continue
            run = context.instance.get_run_by_id(run_id)
            if candidate.name.endswith(STAGING_SUFFIX) and (
                run is not None and run.status == dg.DagsterRunStatus.SUCCESS
            ):
                succeeded.append((run.run_id, candidate))
                continue
            # DuckDB's spill folder, `<staging>.tmp/`, is left behind by a killed run too.
            if candidate.is_dir():
                shutil.rmtree(candidate, ignore_errors=True)
            else:
                candidate.unlink(missing_ok=True)
            context.log.info(f"Removed abandoned staging file {candidate.name}")
        # Each run takes over the one before it, so there is at most one.
        return succeeded[0][1] if succeeded else None

    def read_published(self, sql: str) -> list[tuple] | None:
        """The rows of a query on the published warehouse, opened read-only.

        None when there is nothing to read: no published warehouse, one built before the table
        existed, or one that cannot be opened. Callers then build as if from scratch.
        """
        return self.read_published_queries(sql)[0]

    def read_published_queries(self, *queries: str) -> list[list[tuple] | None]:
        """The rows of each query (None for a query that cannot be answered, as read_published
        says), through one read-only connection: opening the file is most of a small query's
        cost."""
        if not self.published_path.exists():
            return [None for _ in queries]
        try:
            con = duckdb.connect(str(self.published_path), read_only=True)
        except duckdb.Error:
            return [None for _ in queries]
        try:
            return [_rows_or_none(con, sql) for sql in queries]
        finally:
            con.close()

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


def create_warehouse_file(path: Path) -> None:
    """An empty warehouse file in STORAGE_VERSION."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_text(path)}' AS created (STORAGE_VERSION '{STORAGE_VERSION}')")
    finally:
        con.close()


def copy_into_warehouse_file(source: Path, target: Path) -> None:
    """A new warehouse file `target` in STORAGE_VERSION holding everything `source` holds
    (tables, views, macros, comments)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_text(source)}' AS source (READ_ONLY)")
        con.execute(f"ATTACH '{_sql_text(target)}' AS target (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("COPY FROM DATABASE source TO target")
    finally:
        con.close()


def storage_version(path: Path) -> str | None:
    """The storage format a warehouse file was created in ("v1.4.0"), None if it cannot be read."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_text(path)}' AS probed (READ_ONLY)")
        tags = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'probed'"
        ).fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    # DuckDB tags a file by the oldest version that reads it, "v1.4.0+".
    return tags.get("storage_version", "").rstrip("+") or None


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _rows_or_none(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple] | None:
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error:
        return None


def _acquire_run_lock(lock_path: Path, run_id: str, timeout_seconds: float, log):
    """An open lock file holding an exclusive flock; waits while another run holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # "a+": opening must not erase the holder's description before the lock is ours.
    handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    deadline = time.monotonic() + timeout_seconds
    waiting_logged = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _lock_holder(lock_path)
            if time.monotonic() >= deadline:
                handle.close()
                raise dg.Failure(
                    description=f"Another refresh ({holder}) is building the warehouse "
                    f"{lock_path.with_suffix('')}; this run waited {timeout_seconds:g} s for it "
                    "and stopped without changing anything. Start it again when that run has "
                    "finished."
                ) from None
            if not waiting_logged:
                log.info(f"Waiting for another refresh ({holder}) to finish")
                waiting_logged = True
            time.sleep(LOCK_POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    handle.write(f"run {run_id}, pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    handle.flush()
    return handle


def _lock_holder(lock_path: Path) -> str:
    try:
        return lock_path.read_text(encoding="utf-8").strip() or "run unknown"
    except OSError:
        return "run unknown"


def landing_zone_from_env() -> LandingZone:
    """The landing zone as the Definitions configure it (KOMPETENS_RAW_DIR)."""
    return LandingZone(raw_dir=dg.EnvVar("KOMPETENS_RAW_DIR"))


def warehouse_from_env() -> Warehouse:
    """The warehouse as the Definitions configure it (KOMPETENS_WAREHOUSE)."""
    return Warehouse(database=dg.EnvVar("KOMPETENS_WAREHOUSE"))
