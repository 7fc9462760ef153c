"""Resources: where the landing zone is, and the warehouse with its build-then-swap life cycle.

A refresh never writes anything readers see. Everything it publishes (the DuckDB file, the
control reports, the Data Docs, the data dictionary, the exports with their key figures and
profile pages) is built in a staging folder of its own, `<warehouse dir>/.staging/<run_id>/`,
whose DuckDB file starts as a copy of the published one so that a run of a few assets (or the
parse cache of unchanged files) finds the rest of the warehouse in place. The last asset makes
the staging folder a publication, `<warehouse dir>/publications/<id>/`, and points the symlink
`publications/current` at it with one `os.replace`, which is atomic: readers reach every
published thing through stable paths that resolve through `current`
(`<warehouse dir>/kompetens.duckdb -> publications/current/kompetens.duckdb`, `exports`,
`kontrollrapporter`, `data_docs` alike), so they see the whole previous publication or the whole
new one. An analyst who has the old file open keeps reading it, and a run that fails or is
killed before the swap leaves every published thing as it was. A run that succeeds without that
last asset (a run of some assets, or the first runs of a backfill that Dagster splits in several)
hands its staging folder to the next run, which continues it and publishes.

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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "kompetens.duckdb"
# Beside the warehouse file: the publications, the symlink among them that names the current one,
# and the folder where each run builds its own (assets/publish swaps it in).
PUBLICATIONS_FOLDER = "publications"
CURRENT_PUBLICATION = "current"
STAGING_FOLDER = ".staging"
EXPORTS_FOLDER = "exports"
LOCK_SUFFIX = ".lock"
# The asset that swaps a run's staging warehouse in as the published one (assets/publish): named
# here, with the warehouse, because earlier stages record events on it too (a refresh that found
# nothing to build confirms it current).
PUBLISHED_WAREHOUSE = dg.AssetKey("kompetens_warehouse")
# Every asset writes the warehouse: they are all in this pool, which the instance limits to one
# run at a time (pipelines/dagster.yaml, `concurrency: pools`, run granularity), so the queued runs
# of the schedule, the sensor, the UI and its backfills never build and swap the warehouse at
# once. `make refresh` runs in its own process, outside the queue: the run lock below serialises it.
WAREHOUSE_POOL = "kompetens_warehouse"
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
    # The failure alert's settings (pipelines/alerts.py): the webserver `make dev` starts, and no
    # webhook.
    "KOMPETENS_DAGSTER_URL": "http://127.0.0.1:3000",
    "KOMPETENS_ALERT_WEBHOOK": "",
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
    """The DuckDB warehouse (env KOMPETENS_WAREHOUSE), its publications and the per-run staging
    folder where the next one is built."""

    database: str
    # How long a run waits for another refresh to finish before it gives up.
    lock_timeout_seconds: float = 3600.0
    # DuckDB's own buffer memory while building (its default is 80% of the machine). Beyond it,
    # DuckDB spills to `<staging file>.tmp/`, so a landing zone of a million submissions builds
    # within a few GB beside the Python side's frames.
    memory_limit: str = "1GB"
    # How many publications are kept (assets/publication/publications.py): 0 keeps every one, else
    # at least 2 (the outputs read the previous one to show its side of each revision).
    publications_kept: int = 0
    _run_lock: object | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        # Absolute but not resolved: the path is a symlink into the current publication, and
        # what it resolves to changes with each publication.
        return Path(os.path.abspath(self.database))

    @property
    def exports_path(self) -> Path:
        return self.published_path.parent / EXPORTS_FOLDER

    @property
    def publications_path(self) -> Path:
        return self.published_path.parent / PUBLICATIONS_FOLDER

    @property
    def current_publication(self) -> Path:
        """The folder of the current publication, through the symlink that names it (absent
        before the first publication)."""
        return self.publications_path / CURRENT_PUBLICATION

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

    def staging_folder(self, run_id: str) -> Path:
        return self.published_path.parent / STAGING_FOLDER / run_id

    def staging_path(self, run_id: str) -> Path:
        """The run's staging warehouse file."""
        return self.staging_folder(run_id) / self.published_path.name

    def staging_publication(self, context: dg.OpExecutionContext) -> Path:
        """This run's staging folder, where its assets write everything they publish (as the
        publication will hold it: `kontrollrapporter/`, `exports/`, ...); started on first use."""
        folder = self.staging_folder(context.run.run_id)
        if not folder.exists():
            self._start_staging(folder, context)
        return folder

    @contextmanager
    def connect(
        self, context: dg.OpExecutionContext, read_only: bool = False
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to this run's staging warehouse, created on first use."""
        staging = self.staging_publication(context) / self.published_path.name
        if not staging.exists() and not read_only:
            create_warehouse_file(staging)
        con = duckdb.connect(str(staging), read_only=read_only)
        try:
            con.execute("SET memory_limit = ?", [self.memory_limit])
            yield con
        finally:
            con.close()

    def _start_staging(self, staging: Path, context: dg.OpExecutionContext) -> None:
        staging.parent.mkdir(parents=True, exist_ok=True)
        # A run killed within its swap may have left the stable paths or an earlier publication
        # behind: this run holds the lock, so it puts them right before it builds.
        self._link_stable_paths()
        self._remove_superseded_publications()
        handed_over = self._take_over_or_remove_other_staging(context)
        if handed_over is not None:
            os.replace(handed_over, staging)
            context.log.info(
                f"Staging folder {staging.name} continues the unpublished build of "
                f"{handed_over.name}"
            )
            return
        # Made under a temporary name first, so a crash mid-copy never leaves a staging folder
        # that looks complete.
        partial = staging.with_name(staging.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        database = partial / self.published_path.name
        if self.published_path.exists():
            if storage_version(self.published_path) == STORAGE_VERSION:
                shutil.copyfile(self.published_path, database)
            else:
                # Published before the format was fixed: carried over into a file of the format.
                copy_into_warehouse_file(self.published_path, database)
            context.log.info(f"Staging warehouse {staging.name} started from the published one")
        os.replace(partial, staging)

    def _take_over_or_remove_other_staging(self, context: dg.OpExecutionContext) -> Path | None:
        """The staging folder of a run that succeeded without publishing, to build on; every
        other staging folder is deleted.

        A run succeeds without publishing when it did not select the last asset: a run of one
        year's ledger from the UI, or the first runs of a backfill, which Dagster splits into a
        run of the partitioned assets and one of the report (which publishes). Its work is kept
        for the next run to publish. A failed or killed run's is not: a killed run stays
        "started" in Dagster's run history, so only "success" counts. This run holds the
        warehouse lock, so no other run is building.
        """
        succeeded = []
        for candidate in sorted((self.published_path.parent / STAGING_FOLDER).iterdir()):
            run_id, _, suffix = candidate.name.partition(".")
            if run_id == context.run.run_id:
                continue
            run = context.instance.get_run_by_id(run_id)
            if not suffix and run is not None and run.status == dg.DagsterRunStatus.SUCCESS:
                succeeded.append(candidate)
                continue
            # With it goes DuckDB's spill folder, `<staging file>.tmp/`, of a killed run.
            _remove(candidate)
            context.log.info(f"Removed abandoned staging folder {candidate.name}")
        # Each run takes over the one before it, so there is at most one.
        return succeeded[0] if succeeded else None

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

    def publish(self, context: dg.OpExecutionContext, publicering_id: str | None) -> Path | None:
        """Make this run's staging folder the current publication,
        `publications/<publicering_id>/`, atomically.

        Returns None, leaving the publication as it is, when the run built nothing. With
        `publicering_id` None (report.publiceringar lists no new publication) the run's build
        must be the current publication's: the run adds no publication, its staging folder is
        removed and `current` stays as it is.
        """
        run_id = context.run.run_id
        staging = self.staging_folder(run_id)
        database = self.staging_path(run_id)
        if not database.exists():
            return None
        # Checkpoint so the published file is complete on its own, with no WAL beside it.
        con = duckdb.connect(str(database))
        try:
            con.execute("CHECKPOINT")
            built = _rows_or_none(con, BUILD_QUERY)
        finally:
            con.close()
        if publicering_id is None:
            if (
                built is not None
                and self.current_publication.is_dir()
                and self.read_published(BUILD_QUERY) == built
            ):
                _remove(staging)
                context.log.info("The build is the current publication's: no publication added")
                return self.published_path
            raise dg.Failure(
                description="This run's warehouse is not listed as a publication in "
                "report.publiceringar: materialise publication/exports with it (for example "
                "--select '*'); nothing published has changed."
            )
        with open(database, "rb") as handle:
            os.fsync(handle.fileno())
        _remove(database.with_name(database.name + ".tmp"))  # DuckDB's spill folder
        self._refuse_unbuilt(staging)
        publications = self.publications_path
        publications.mkdir(exist_ok=True)
        # The id starts with the publication's time, so publications sort in the order made.
        publication = publications / publicering_id
        os.rename(staging, publication)
        # The one step that publishes: `current` names the new publication.
        _replace_atomically(self.current_publication, lambda new: os.symlink(publication.name, new))
        _fsync_folder(publications)
        self._link_stable_paths()
        self._remove_superseded_publications()
        return self.published_path

    def _refuse_unbuilt(self, staging: Path) -> None:
        """Refuse to publish a new build without something the current publication holds (a
        run of some assets): published beside it, the current one's would describe another
        build."""
        current = self.current_publication
        if not current.is_dir():
            return
        missing = sorted(name for name in os.listdir(current) if not (staging / name).exists())
        if missing:
            raise dg.Failure(
                description=f"This run built another warehouse than the published one but not "
                f"{', '.join(missing)}: published beside it, they would describe the previous "
                "build. Materialise them with it (for example --select '*'); nothing published "
                "has changed."
            )

    def _link_stable_paths(self) -> None:
        """Make every entry of the current publication reachable at `<warehouse dir>/<name>`:
        a symlink through `publications/current`, which therefore never changes once made."""
        current = self.current_publication
        if not current.is_dir():
            return
        for entry in os.scandir(current):
            if entry.name.startswith("."):
                continue  # the publication's own (the key figures' set)
            stable = self.published_path.parent / entry.name
            if entry.name != self.published_path.name and entry.is_file(follow_symlinks=False):
                # A file beside the warehouse (the data dictionary, README.md) is a hard link:
                # the repository tracks warehouse/README.md, and git would see a symlink as a
                # change. It is replaced right after the swap.
                if not (stable.is_file() and os.path.samefile(stable, entry.path)):
                    _replace_atomically(stable, lambda new, e=entry: os.link(e.path, new))
                continue
            target = f"{PUBLICATIONS_FOLDER}/{CURRENT_PUBLICATION}/{entry.name}"
            if not (stable.is_symlink() and os.readlink(stable) == target):
                _replace_atomically(stable, lambda new, t=target: os.symlink(t, new))

    def _remove_superseded_publications(self) -> None:
        """Retention: keep the newest `publications_kept` publications (0: every one) and the
        current one; remove any newer than the current one, which a run killed within its swap
        made but never published."""
        if not self.current_publication.is_symlink():
            return
        current = os.readlink(self.current_publication)
        publications = sorted(
            entry.name
            for entry in self.publications_path.iterdir()
            if entry.name != CURRENT_PUBLICATION
        )
        published = [name for name in publications if name <= current]
        kept = set(published[-self.publications_kept :] if self.publications_kept else published)
        for name in publications:
            if name != current and name not in kept:
                _remove(self.publications_path / name)


# The build a warehouse holds (quality.build_inputs, one row).
BUILD_QUERY = "SELECT fingerprint FROM quality.build_inputs"


def publication_database(published: Path, publicering_id: str) -> Path:
    """The warehouse file of publication `publicering_id`, where `published` is the stable path of
    the published warehouse: `<warehouse dir>/publications/<publicering_id>/kompetens.duckdb`."""
    return published.parent / PUBLICATIONS_FOLDER / publicering_id / published.name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _replace_atomically(path: Path, make) -> None:
    """Put at `path` what `make(new)` makes at a new name, by one rename. A folder at `path` (an
    earlier layout's exports, say) is moved aside first, since a rename cannot replace it."""
    new = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    make(new)
    if path.is_dir() and not path.is_symlink():
        aside = path.with_name(f".{path.name}.{uuid.uuid4().hex}.old")
        os.replace(path, aside)
        os.replace(new, path)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(new, path)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
