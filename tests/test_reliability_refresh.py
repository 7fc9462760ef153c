"""A refresh under SIGKILL, two refreshes at once, and personal data in everything a refresh
leaves behind (project issue 7).

The refresh is the real command (`dagster asset materialize ... --select '*'` over the range of
every year) on the small landing zone. Kill points are hooks, not seconds: the refresh is killed as soon as its log shows
a given step starting or finishing, so the points are spread over the whole run whatever the
machine's load. `KOMPETENS_TEST_PROFILE=full` (make test-full) kills at every point; the default
profile at one (the start of the swap), to keep `make test` short.
"""

from __future__ import annotations

import fcntl
import graphlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.publication.publications import HISTORY_TABLES
from assets.run_context.resources import LandingZone, Warehouse
from pipelines.environment import PROJECT_ROOT
from tests.landing_zone_fixture import CONTACT_EMAIL, CONTACT_NAME, build_small_landing_zone

FULL_PROFILE = os.environ.get("KOMPETENS_TEST_PROFILE") == "full"
DAGSTER = Path(sys.executable).with_name("dagster")
COMPARED_SCHEMAS = ("core", "quality", "report", "ref")
YEARS = ["2013", "2014", "2015", "2016"]  # the small landing zone's


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refresh_command_env(raw: Path, warehouse: Path, dagster_home: Path) -> dict[str, str]:
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
    # The years as partitions, as the sensor or make refresh adds them.
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        known = set(instance.get_dynamic_partitions("ar"))
        instance.add_dynamic_partitions("ar", [ar for ar in YEARS if ar not in known])
    return {
        **os.environ,
        "KOMPETENS_RAW_DIR": str(raw),
        "KOMPETENS_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(dagster_home),
    }


# Every asset over every year, in one run.
REFRESH_COMMAND = [
    *(str(DAGSTER), "asset", "materialize", "-m", "pipelines.definitions"),
    *("--select", "*", "--partition-range", f"{YEARS[0]}...{YEARS[-1]}"),
]


def start_refresh(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        REFRESH_COMMAND,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="backslashreplace",
        start_new_session=True,
    )


FULL_PROFILE_KILLS = 21


def kill_points() -> list[str | None]:
    """Where to kill: right after the start (None), and as the log shows a step starting or
    finishing. The full profile takes FULL_PROFILE_KILLS of them, spread evenly in run order;
    the default profile the start of the swap only."""
    from pipelines.definitions import defs

    # A run's steps are its assets' ops (a multi-asset is one), in the order of their deps; the
    # command's '*' leaves out the observable source of the year folders (raw/year_folder).
    built = [assets for assets in defs.assets if isinstance(assets, dg.AssetsDefinition)]
    step_of = {key: assets.op.name for assets in built for key in assets.keys}
    order = graphlib.TopologicalSorter()
    for assets in built:
        # A multi-asset's assets may read one another within its step.
        deps = {step_of[key] for key in assets.dependency_keys if key in step_of}
        deps -= {assets.op.name}
        order.add(assets.op.name, *deps)
    points: list[str | None] = [None]
    for step in order.static_order():
        points.append(f'STEP_START - Started execution of step "{step}"')
        points.append(f'STEP_SUCCESS - Finished execution of step "{step}"')
    if not FULL_PROFILE:
        return ['STEP_START - Started execution of step "kompetens_warehouse"']
    last = len(points) - 1
    return [points[round(i * last / (FULL_PROFILE_KILLS - 1))] for i in range(FULL_PROFILE_KILLS)]


def refresh_killed_at(env: dict[str, str], point: str | None) -> tuple[bool, str]:
    """Runs a refresh and SIGKILLs it when its log shows `point`. (killed, its log)."""
    process = start_refresh(env)
    log: list[str] = []
    if point is not None:
        for line in process.stdout:
            log.append(line)
            if point in line:
                break
    killed = process.poll() is None
    if killed:
        os.killpg(process.pid, signal.SIGKILL)
    rest, _ = process.communicate()
    return killed, "".join(log) + rest


# Columns that name the run which built the warehouse: equal builds differ only there.
RUN_COLUMNS = {"quality.build_inputs": ("run_id", "started_at")}


def tables(database: Path) -> dict[str, list]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (SELECT unnest(?)) ORDER BY ALL",
            [list(COMPARED_SCHEMAS)],
        ).fetchall()
        contents = {}
        for schema, name in names:
            run_columns = RUN_COLUMNS.get(f"{schema}.{name}")
            columns = f"* EXCLUDE ({', '.join(run_columns)})" if run_columns else "*"
            rows = con.execute(f'SELECT {columns} FROM "{schema}"."{name}"').fetchall()
            contents[f"{schema}.{name}"] = sorted(rows, key=repr)
        return contents
    finally:
        con.close()


def _without_history(contents: dict[str, list]) -> dict[str, list]:
    return {table: rows for table, rows in contents.items() if table not in HISTORY_TABLES}


def reference_landing_zone(small_warehouse: Path) -> Path:
    """The landing zone conftest's small_warehouse was built from (read-only input)."""
    return small_warehouse.parents[1] / "raw"


@pytest.fixture(scope="module")
def crashed_then_converged(tmp_path_factory, small_warehouse):
    """The small landing zone's warehouse, refreshed and killed at each kill point, then
    refreshed once without interruption. The reference is the uninterrupted in-process
    refresh of the same landing zone (conftest's small_warehouse)."""
    root = tmp_path_factory.mktemp("crash")
    # The reference's own landing zone: its XLSX, rebuilt, would differ in its creation time.
    raw = reference_landing_zone(small_warehouse)
    warehouse = root / "warehouse" / "kompetens.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(small_warehouse, warehouse)
    env = refresh_command_env(raw, warehouse, root / "dagster_home")
    points = kill_points()
    reference = tables(small_warehouse)
    outcomes = []
    previous = sha256(warehouse)
    for point in points:
        killed, log = refresh_killed_at(env, point)
        after = sha256(warehouse)
        swapped = 'STEP_START - Started execution of step "kompetens_warehouse"' in log
        outcomes.append((point, killed, after == previous, swapped, tables(warehouse) == reference))
        previous = after
    completed = subprocess.run(
        REFRESH_COMMAND,
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False, errors="backslashreplace",
    )  # fmt: skip
    return {
        "raw": raw,
        "warehouse": warehouse,
        "dagster_home": Path(env["DAGSTER_HOME"]),
        "outcomes": outcomes,
        "final": completed,
        "reference": reference,
    }


def test_a_killed_refresh_leaves_exactly_the_previous_warehouse_and_the_next_converges(
    crashed_then_converged,
):
    outcomes = crashed_then_converged["outcomes"]
    kills = [o for o in outcomes if o[1]]
    assert len(kills) >= (20 if FULL_PROFILE else 1)
    for point, killed, unchanged, reached_swap, complete in outcomes:
        # Byte for byte the previous complete version, unless the run was killed after its
        # atomic swap: then the new version, complete.
        assert unchanged or reached_swap, point
        assert complete, point
    final = crashed_then_converged["final"]
    assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    warehouse = crashed_then_converged["warehouse"]
    # The history of publications differs by design (ids and times of other runs), as in
    # tests/test_incremental_equals_cold.py.
    assert _without_history(tables(warehouse)) == _without_history(
        crashed_then_converged["reference"]
    )
    # The killed runs' staging files are gone: the converging run removed them.
    assert [p.name for p in warehouse.parent.glob("*.building*")] == []
    print(f"\nkill points: {len(outcomes)}, killed: {len(kills)}, "
          f"unchanged after kill: {sum(1 for o in kills if o[2])}, rows lost: 0")  # fmt: skip


# --- personal data ---------------------------------------------------------------------------


def personal_data_found(values: set[str], texts: dict[str, str], files: list[Path]) -> dict:
    """Where any of `values` occurs: in the given texts, or in the bytes of the given files
    (as UTF-8 and as Windows-1252, the two encodings a submission may use)."""
    needles = {(value, enc): value.encode(enc) for value in values for enc in ("utf-8", "cp1252")}
    found: dict[str, list[str]] = {}
    for where, text in texts.items():
        hits = sorted(value for value in values if value in text)
        if hits:
            found[where] = hits
    for path in files:
        data = path.read_bytes()
        hits = sorted({value for (value, _enc), needle in needles.items() if needle in data})
        if hits:
            found[str(path)] = hits
    return found


def everything_a_refresh_leaves(
    warehouse: Path, dagster_home: Path, logs: str
) -> tuple[dict, list]:
    """The texts and files to scan: the command's log, every table's rows, every event of the
    Dagster instance with its metadata, and every file beside the warehouse and in DAGSTER_HOME
    (exports, control reports, data docs, the event log database)."""
    texts = {"refresh log": logs}
    for table, rows in tables(warehouse).items():
        texts[f"table {table}"] = repr(rows)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in instance.get_runs():
            texts[f"events of run {run.run_id}"] = "\n".join(
                dg.serialize_value(record) for record in instance.all_logs(run.run_id)
            )
    files = [p for root in (warehouse.parent, dagster_home) for p in root.rglob("*") if p.is_file()]
    return texts, files


def test_no_contact_name_or_address_in_the_warehouse_exports_logs_or_event_metadata(
    crashed_then_converged,
):
    final = crashed_then_converged["final"]
    texts, files = everything_a_refresh_leaves(
        crashed_then_converged["warehouse"],
        crashed_then_converged["dagster_home"],
        final.stdout + final.stderr,
    )
    assert len(files) > 10 and any(p.suffix == ".duckdb" for p in files)
    assert len([t for t in texts if t.startswith("events of run")]) >= 2
    # The scan would find them: they are in the landing zone it read.
    raw_files = list(crashed_then_converged["raw"].rglob("*.csv"))
    assert personal_data_found({CONTACT_NAME, CONTACT_EMAIL}, {}, raw_files)
    assert personal_data_found({CONTACT_NAME, CONTACT_EMAIL}, texts, files) == {}


@pytest.mark.skipif(not FULL_PROFILE, reason="a refresh of the shipped raw/: full profile")
def test_no_contact_of_the_shipped_raw_in_logs_event_metadata_or_exports(tmp_path):
    from tests.test_generate_raw import RAW_DIR, personal_data_in

    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    env = refresh_command_env(RAW_DIR, warehouse, tmp_path / "dagster_home")
    completed = subprocess.run(
        REFRESH_COMMAND, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    personal = personal_data_in(RAW_DIR)
    assert len(personal) > 400
    texts, files = everything_a_refresh_leaves(
        warehouse, tmp_path / "dagster_home", completed.stdout + completed.stderr
    )
    assert personal_data_found(personal, texts, files) == {}


# --- two refreshes at once -------------------------------------------------------------------


def run_refresh_in_process(raw: Path, warehouse: Warehouse):
    """A refresh of 2016 with this warehouse resource (its lock timeout is the test's)."""
    from pipelines.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("ar", ["2016"])
    return defs.resolve_job_def("refresh").execute_in_process(
        instance=instance,
        partition_key="2016",
        raise_on_error=False,
        resources={"landing_zone": LandingZone(raw_dir=str(raw)), "warehouse": warehouse},
    )


def test_a_refresh_that_cannot_get_the_lock_stops_with_a_clear_message_and_changes_nothing(
    tmp_path, small_warehouse
):
    raw = build_small_landing_zone(tmp_path / "raw")
    database = tmp_path / "warehouse" / "kompetens.duckdb"
    database.parent.mkdir()
    shutil.copyfile(small_warehouse, database)
    before = sha256(database)
    warehouse = Warehouse(database=str(database), lock_timeout_seconds=1)
    with open(warehouse.lock_path, "a+") as other_run:
        fcntl.flock(other_run, fcntl.LOCK_EX)
        other_run.write("run 1111-other, pid 4242, since 2016-11-20 02:00:00\n")
        other_run.flush()
        result = run_refresh_in_process(raw, warehouse)
    assert not result.success
    messages = "\n".join(str(event.message) for event in result.all_events) + "".join(
        event.event_specific_data.error.message
        for event in result.all_events
        if getattr(event.event_specific_data, "error", None)
    )
    assert "Another refresh (run 1111-other, pid 4242" in messages
    assert "waited 1 s" in messages
    assert sha256(database) == before
    assert list(database.parent.glob("*.building*")) == []


def test_a_waiting_refresh_proceeds_once_the_lock_is_released(tmp_path):
    database = tmp_path / "kompetens.duckdb"
    other_run = open(Warehouse(database=str(database)).lock_path, "a+")  # noqa: SIM115
    fcntl.flock(other_run, fcntl.LOCK_EX)
    threading.Timer(1.0, other_run.close).start()

    from assets.run_context.resources import _acquire_run_lock

    class Log:
        def __init__(self):
            self.messages: list[str] = []

        def info(self, message):
            self.messages.append(message)

    log = Log()
    held = _acquire_run_lock(Warehouse(database=str(database)).lock_path, "second", 30, log)
    try:
        assert "Waiting for another refresh" in log.messages[0]
        assert held.name.endswith(".lock")
        assert Path(held.name).read_text().startswith("run second, pid ")
    finally:
        held.close()


@pytest.mark.skipif(not FULL_PROFILE, reason="two command-line refreshes: full profile")
def test_two_refreshes_started_at_once_both_succeed_one_after_the_other(tmp_path, small_warehouse):
    raw = reference_landing_zone(small_warehouse)
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    env = refresh_command_env(raw, warehouse, tmp_path / "dagster_home")
    # As `make` does: the instance's storage exists before any run. Two runs that both create it
    # race in Dagster's schema set-up (alembic_version), which is not what this test is about.
    subprocess.run([str(DAGSTER), "instance", "migrate"], env=env, check=True, capture_output=True)
    first, second = start_refresh(env), start_refresh(env)
    outputs = [process.communicate()[0] for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert any("Waiting for another refresh" in output for output in outputs)
    assert tables(warehouse) == tables(small_warehouse)
    assert list(warehouse.parent.glob("*.building*")) == []
