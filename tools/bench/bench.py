"""Benchmark of the refresh (project issue 8): the shipped data, and the growth with the zone's size.

Run from the project root (`make bench`, `make bench-growth`):

    .venv/bin/python -m tools.bench.bench refresh [--runs N]        # a–g on the shipped raw/
    .venv/bin/python -m tools.bench.bench growth [--factors 1 10 …]  # one cold refresh per size
    .venv/bin/python -m tools.bench.bench render                    # only rewrite the document

Each measurement is saved in docs/performance/<name>.json and docs/PERFORMANCE.md is rendered
from both files, so the slow growth series need not be re-run to refresh the other figures.

Every refresh is the command `make refresh` runs (`python -m pipelines.refresh`) in a child process
with its own warehouse and DAGSTER_HOME in a fresh temp dir; b2 is a run of the same graph through
Dagster's command line, and g the counterfactual of tools/bench/without_suites_and_charts.py.
Peak RSS is per run, for the child and the processes it starts together (`run_measured`;
`/usr/bin/time` must exist).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "raw"
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
# What `make refresh` runs.
REFRESH_COMMAND = [str(VENV_BIN / "python"), "-m", "pipelines.refresh"]
# A Dagster run of the whole graph, as the schedule and the sensor start one: with nothing changed
# it is created and planned, and skips every step after quality/build_inputs.
DAGSTER_RUN_COMMAND = [
    str(VENV_BIN / "dagster"),
    "asset",
    "materialize",
    "-m",
    "pipelines.definitions",
    "--select",
    "*",
]
WITHOUT_SUITES_AND_CHARTS_COMMAND = [
    str(VENV_BIN / "python"),
    "-m",
    "tools.bench.without_suites_and_charts",
]
# GNU time, not this process's own rusage: a child forked from this (by then large) process counts
# the parent's pages in its ru_maxrss, while the fork made by `time` is tiny.
GNU_TIME = "/usr/bin/time"
RSS_SAMPLE_SECONDS = 0.1
COMMAND_SHOWN = ".venv/bin/python -m tools.bench.bench"

# The submission that scenario c supersedes: a selected file of the shipped raw/, resent with a
# later `inlamnad`, so the refresh must re-read it and re-select the municipality-year.
SUPERSEDED_FILE = "2016/inventering/0125_kompetensinventering.csv"
ORIGINAL_INLAMNAD = b"inlamnad;2016-11-16"
LATER_INLAMNAD = b"inlamnad;2016-12-01"
NEW_SUBMISSION = "2016/inventering/0125_kompetensinventering_rattelse.csv"


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mib: float
    output: str
    # Step key → seconds of the Dagster run the command made, from the instance's event log (the
    # console shows no step events: `make refresh` prints a summary); empty when it made no run.
    steps: dict[str, float]


@dataclass(frozen=True)
class Summary:
    median: float
    minimum: float
    maximum: float


def summarise(values: list[float]) -> Summary:
    return Summary(statistics.median(values), min(values), max(values))


def dagster_run_ids(dagster_home: str | None) -> set[str]:
    """Every run in the instance at `dagster_home`; none where there is no instance."""
    if dagster_home is None:
        return set()
    with dg.DagsterInstance.from_config(dagster_home) as instance:
        return {run.run_id for run in instance.get_runs()}


def step_timings(dagster_home: str, run_id: str) -> dict[str, float]:
    """Step key → seconds, from the STEP_SUCCESS events of one run in the instance."""
    with dg.DagsterInstance.from_config(dagster_home) as instance:
        records = instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.STEP_SUCCESS
        ).records
    return {
        record.event_log_entry.dagster_event.step_key: (
            record.event_log_entry.dagster_event.event_specific_data.duration_ms / 1000
        )
        for record in records
    }


def total_memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    raise RuntimeError("MemTotal missing from /proc/meminfo")


def run_measured(command: list[str], env_overrides: dict[str, str]) -> Measurement:
    """Wall time and peak RSS of one child and its processes; fails loudly, a failed run is no
    figure.

    A refresh is two processes (its own and the helper, assets/helper_process.py). The peak RSS is
    the larger of GNU time's `%M`, exact but for the largest single process only, and the sum
    over the whole process tree, sampled from /proc every RSS_SAMPLE_SECONDS."""
    env = {**os.environ, **env_overrides}
    dagster_home = env_overrides.get("DAGSTER_HOME")
    runs_before = dagster_run_ids(dagster_home)
    # A file, not a pipe: the Dagster log is large and we only read it after the child exits.
    with tempfile.TemporaryFile() as log, tempfile.NamedTemporaryFile("r") as peak_rss_kib:
        started = time.perf_counter()
        child = subprocess.Popen(
            [GNU_TIME, "--format=%M", f"--output={peak_rss_kib.name}", *command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        tree_peak_mib = 0.0
        while child.poll() is None:
            tree_peak_mib = max(tree_peak_mib, tree_rss_mib(child.pid))
            time.sleep(RSS_SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
        largest_process_mib = int(peak_rss_kib.read().split()[-1]) / 1024
    if child.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {child.returncode}:\n{output[-3000:]}")
    new_runs = dagster_run_ids(dagster_home) - runs_before
    steps = step_timings(dagster_home, new_runs.pop()) if new_runs else {}
    return Measurement(seconds, max(largest_process_mib, tree_peak_mib), output, steps)


def tree_rss_mib(root: int) -> float:
    """Resident memory of process `root` and all its descendants now, from /proc."""
    parent_of = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            parent_of[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
    tree = {root}
    while grown := {pid for pid, parent in parent_of.items() if parent in tree} - tree:
        tree |= grown
    resident_pages = 0
    for pid in tree:
        try:
            resident_pages += int((Path("/proc") / str(pid) / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


def refresh_env(workdir: Path, raw_dir: Path) -> dict[str, str]:
    dagster_home = workdir / "dagster_home"
    if not dagster_home.exists():
        dagster_home.mkdir(parents=True)
        shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
        # An installed environment has its Dagster instance already: creating its SQLite
        # storage is set-up, not part of a refresh, and is done here, untimed.
        subprocess.run(
            [str(VENV_BIN / "dagster"), "instance", "migrate"],
            env={**os.environ, "DAGSTER_HOME": str(dagster_home)},
            check=True,
            capture_output=True,
        )
    return {
        "KOMPETENS_RAW_DIR": str(raw_dir),
        "KOMPETENS_WAREHOUSE": str(workdir / "kompetens.duckdb"),
        "DAGSTER_HOME": str(dagster_home),
    }


def add_new_submission(raw_copy: Path) -> None:
    original = (raw_copy / SUPERSEDED_FILE).read_bytes()
    if ORIGINAL_INLAMNAD not in original:
        raise RuntimeError(
            f"{SUPERSEDED_FILE} no longer has {ORIGINAL_INLAMNAD!r}; update the benchmark"
        )
    (raw_copy / NEW_SUBMISSION).write_bytes(original.replace(ORIGINAL_INLAMNAD, LATER_INLAMNAD))


def check_new_submission_selected(warehouse: Path) -> None:
    # Without this, a landing-zone change the pipeline did not notice would pass as a fast refresh.
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        statuses = dict(
            con.execute(
                "SELECT path, status FROM quality.file_ledger WHERE path IN (?, ?)",
                [NEW_SUBMISSION, SUPERSEDED_FILE],
            ).fetchall()
        )
    finally:
        con.close()
    if statuses != {NEW_SUBMISSION: "selected", SUPERSEDED_FILE: "superseded"}:
        raise RuntimeError(
            f"scenario c did not supersede {SUPERSEDED_FILE}: ledger says {statuses}"
        )


def time_build_report(warehouse: Path, scratch: Path) -> float:
    # Imported here so that the floor measurement's import cost is not paid twice in this process.
    from assets.report.build import build_report

    copy = scratch / "report_only.duckdb"
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        started = time.perf_counter()
        build_report(con)
        return time.perf_counter() - started
    finally:
        con.close()


HASH_RAW = (
    "import hashlib, pathlib, sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*')):\n"
    "    if p.is_file(): hashlib.sha256(p.read_bytes())\n"
)
# The pandas comparison (f) runs Tables 1–14 this many times on each side, alternating.
PANDAS_COMPARISON_RUNS = 5
# Above this factor the pandas side of the growth comparison is left out: it holds every answer in
# memory (tens of millions of rows at 1000×), which is what the pipeline is built not to do.
PANDAS_COMPARISON_MAX_FACTOR = 100
GROWTH_FACTORS = (1, 10, 100, 1000)


def scenario_record(measurement: Measurement) -> dict:
    return {
        "seconds": measurement.seconds,
        "peak_rss_mib": measurement.peak_rss_mib,
        "steps": measurement.steps,
    }


def pandas_record(warehouse: Path) -> dict:
    from tools.bench.pandas_tables import compare

    comparison = compare(warehouse, PANDAS_COMPARISON_RUNS)
    return {
        "duckdb_seconds": comparison.duckdb_seconds,
        "pandas_seconds": comparison.pandas_seconds,
        "cells": comparison.rows,
        "ratio": comparison.ratio,
    }


def run_refresh_benchmark(runs: int) -> dict:
    python = str(VENV_BIN / "python")
    names = (
        "cold",
        "no_change",
        "no_change_run",
        "new_file",
        "import_definitions",
        "hash_raw",
        "without_suites_and_charts",
    )
    scenarios: dict[str, list[dict]] = {name: [] for name in names}
    report_seconds: list[float] = []
    pandas = None
    for run in range(runs):
        print(f"run {run + 1}/{runs}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="kompetens-bench-") as tmp:
            tmp = Path(tmp)
            shipped = refresh_env(tmp / "shipped", RAW_DIR)
            scenarios["cold"].append(scenario_record(run_measured(REFRESH_COMMAND, shipped)))
            scenarios["no_change"].append(scenario_record(run_measured(REFRESH_COMMAND, shipped)))
            scenarios["no_change_run"].append(
                scenario_record(run_measured(DAGSTER_RUN_COMMAND, shipped))
            )

            raw_copy = tmp / "raw"
            shutil.copytree(RAW_DIR, raw_copy)
            changed = refresh_env(tmp / "changed", raw_copy)
            run_measured(REFRESH_COMMAND, changed)  # the baseline the new file lands on, not timed
            add_new_submission(raw_copy)
            scenarios["new_file"].append(scenario_record(run_measured(REFRESH_COMMAND, changed)))
            check_new_submission_selected(Path(changed["KOMPETENS_WAREHOUSE"]))

            scenarios["import_definitions"].append(
                scenario_record(run_measured([python, "-c", "import pipelines.definitions"], {}))
            )
            scenarios["hash_raw"].append(
                scenario_record(run_measured([python, "-c", HASH_RAW, str(RAW_DIR)], {}))
            )
            without = refresh_env(tmp / "without", RAW_DIR)
            scenarios["without_suites_and_charts"].append(
                scenario_record(run_measured(WITHOUT_SUITES_AND_CHARTS_COMMAND, without))
            )
            # Imported here: it imports the Definitions, which this process has no other use for.
            from tools.bench.without_suites_and_charts import assert_left_out

            assert_left_out(Path(without["KOMPETENS_WAREHOUSE"]))
            warehouse = Path(shipped["KOMPETENS_WAREHOUSE"])
            report_seconds.append(time_build_report(warehouse, tmp))
            if pandas is None:
                pandas = pandas_record(warehouse)
    scenarios["build_report"] = [
        {"seconds": seconds, "peak_rss_mib": None, "steps": {}} for seconds in report_seconds
    ]
    return {"measured_at": now_text(), "machine": machine_line(), "runs": runs,
            "scenarios": scenarios, "pandas": pandas}  # fmt: skip


def run_growth_benchmark(factors: tuple[int, ...], scratch: Path) -> dict:
    """One cold refresh per size, each on a zone generated for it and deleted after."""
    from tools.bench.scaled_zone import build_scaled_zone

    points = []
    for factor in factors:
        print(f"growth {factor}×", file=sys.stderr)
        workdir = scratch / f"x{factor}"
        try:
            zone = build_scaled_zone(factor, workdir / "zone")
            env = refresh_env(workdir, zone.raw_dir)
            env["KOMPETENS_REFERENCE_DIR"] = str(zone.reference_dir)
            measurement = run_measured(REFRESH_COMMAND, env)
            warehouse = Path(env["KOMPETENS_WAREHOUSE"])
            point = {
                "factor": factor,
                "municipalities": zone.municipalities,
                "years": len(zone.years),
                "files": zone.files,
                **ledger_counts(warehouse),
                **scenario_record(measurement),
                "pandas": pandas_record(warehouse)
                if factor <= PANDAS_COMPARISON_MAX_FACTOR
                else None,
            }
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        points.append(point)
    return {"measured_at": now_text(), "machine": machine_line(), "points": points}


def ledger_counts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ((files, submissions),) = con.execute(
            "SELECT count(*), count(*) FILTER (status = 'selected') FROM quality.file_ledger"
        ).fetchall()
        ((answers,),) = con.execute("SELECT count(*) FROM core.answers").fetchall()
    finally:
        con.close()
    return {"ledger_rows": files, "submissions": submissions, "answers": answers}


@dataclass(frozen=True)
class LinearFit:
    intercept_seconds: float
    seconds_per_submission: float


def fit_line(submissions: list[int], seconds: list[float]) -> LinearFit:
    """Least squares seconds = intercept + slope × submissions."""
    mean_x = statistics.fmean(submissions)
    mean_y = statistics.fmean(seconds)
    spread = sum((x - mean_x) ** 2 for x in submissions)
    slope = (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(submissions, seconds, strict=True)) / spread
    )
    return LinearFit(mean_y - slope * mean_x, slope)


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


SCENARIOS = {
    "cold": "a. cold refresh of shipped raw/ (empty warehouse)",
    "no_change": "b. refresh, nothing changed (`make refresh`: no run is started)",
    "no_change_run": "b2. a Dagster run of the graph, nothing changed (as the schedule starts one)",
    "new_file": "c. refresh after one new submission file",
    "import_definitions": "d. floor: start Python, import Definitions",
    "hash_raw": "d. floor: read and hash every raw/ byte",
    "build_report": "e. build_report alone (in process)",
    "without_suites_and_charts": "g. cold refresh without the suites and charts (counterfactual)",
}


def seconds_of(refresh: dict, name: str) -> list[float]:
    return [record["seconds"] for record in refresh["scenarios"][name]]


def results_table(refresh: dict) -> str:
    lines = [
        "| scenario | median s | min s | max s | peak RSS MiB (max) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in SCENARIOS.items():
        times = summarise(seconds_of(refresh, name))
        peaks = [r["peak_rss_mib"] for r in refresh["scenarios"][name] if r["peak_rss_mib"]]
        rss = f"{max(peaks):.0f}" if peaks else "–"  # build_report runs in this process
        lines.append(
            f"| {label} | {times.median:.2f} | {times.minimum:.2f} | {times.maximum:.2f} | {rss} |"
        )
    return "\n".join(lines)


def floor_seconds(refresh: dict) -> float:
    return sum(
        statistics.median(seconds_of(refresh, name)) for name in ("import_definitions", "hash_raw")
    )


def slowest_steps(steps: dict[str, float], top: int) -> list[tuple[str, float]]:
    return sorted(steps.items(), key=lambda item: -item[1])[:top]


def slowest_steps_table(cold_steps: dict[str, float], no_change_steps: dict[str, float]) -> str:
    """The slowest steps of a cold run, beside the same steps in a refresh where nothing changed."""
    total = sum(cold_steps.values())
    lines = [
        "| step | cold s | share of cold step time | nothing changed (b2) s |",
        "|---|---:|---:|---:|",
    ]
    for step, seconds in slowest_steps(cold_steps, 8):
        unchanged = no_change_steps.get(step)
        unchanged_text = "skipped" if unchanged is None else f"{unchanged:.2f}"
        lines.append(f"| `{step}` | {seconds:.2f} | {seconds / total:.0%} | {unchanged_text} |")
    return "\n".join(lines)


def machine_line() -> str:
    return (
        f"{os.cpu_count()} CPUs (`os.cpu_count()`), {total_memory_gib():.1f} GiB memory (/proc/meminfo), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def targets_section(cold: float, no_change: float, no_change_run: float, floor: float) -> str:
    rows = [
        ("a. cold refresh within 3× the floor", 3 * floor, cold),
        ("a. cold refresh under 10 s", 10.0, cold),
        ("b. no-change refresh under 2 s beyond the floor", floor + 2.0, no_change),
        ("b2. the same for a Dagster run of the graph", floor + 2.0, no_change_run),
    ]
    lines = ["| target | limit s | measured s (median) | verdict |", "|---|---:|---:|---|"]
    for target, limit, measured in rows:
        verdict = (
            "met"
            if measured < limit
            else f"**missed** by {measured - limit:.2f} s ({measured / limit:.1f}× the limit)"
        )
        lines.append(f"| {target} | {limit:.2f} | {measured:.2f} | {verdict} |")
    return "\n".join(lines)


def pandas_line(pandas: dict) -> str:
    duckdb_median = statistics.median(pandas["duckdb_seconds"])
    pandas_median = statistics.median(pandas["pandas_seconds"])
    return (
        f"DuckDB {duckdb_median * 1000:.0f} ms, pandas {pandas_median * 1000:.0f} ms "
        f"(medians of {len(pandas['duckdb_seconds'])}), ratio pandas/DuckDB "
        f"**{pandas['ratio']:.2f}**, {pandas['cells']} cells equal"
    )


def refresh_section(refresh: dict) -> str:
    runs = refresh["runs"]
    cold_records = refresh["scenarios"]["cold"]
    median_run = sorted(range(runs), key=lambda i: cold_records[i]["seconds"])[runs // 2]
    cold_seconds = cold_records[median_run]["seconds"]
    cold_steps = cold_records[median_run]["steps"]
    no_change_steps = refresh["scenarios"]["no_change_run"][median_run]["steps"]
    step_total = sum(cold_steps.values())
    import_seconds = statistics.median(seconds_of(refresh, "import_definitions"))
    floor = floor_seconds(refresh)
    cold = statistics.median(seconds_of(refresh, "cold"))
    no_change = statistics.median(seconds_of(refresh, "no_change"))
    no_change_run = statistics.median(seconds_of(refresh, "no_change_run"))
    without = statistics.median(seconds_of(refresh, "without_suites_and_charts"))
    return f"""## The shipped data

Figures from `{COMMAND_SHOWN} refresh --runs {runs}` ({refresh["measured_at"]}), median, min and
max over {runs} runs. Machine: {refresh["machine"]}.

{results_table(refresh)}

Floor (d): starting Python and importing the Definitions plus reading every raw byte once,
sum of the two medians: **{floor:.2f} s**.

f. Tables 1–14 alone, the report SQL against a straightforward pandas implementation of the same
tables on the same warehouse, side by side in one process (`tools/bench/pandas_tables.py`):
{pandas_line(refresh["pandas"])}.

Method: every refresh is what `make refresh` runs, `python -m pipelines.refresh`, in a
child process with KOMPETENS_WAREHOUSE and DAGSTER_HOME (a copy of `pipelines/dagster.yaml`,
its storage created beforehand by `dagster instance migrate`, untimed) in a fresh temp dir per
run. Wall time is measured around the child. A refresh is two processes, its own and the helper
that runs the expectation suites and half of the charts (`assets/helper_process.py`); peak RSS is
the larger of `/usr/bin/time`'s `%M` (the largest single process) and the two processes' sum,
sampled from /proc every {RSS_SAMPLE_SECONDS} s. b is the second refresh on the same warehouse and DAGSTER_HOME; b2 then runs the graph
through Dagster's command line, `dagster asset materialize -m pipelines.definitions --select '*'`,
which creates a run and skips its steps in it, as a run started by the schedule or the sensor
does. c refreshes a copy of `raw/`, built once (not timed), after adding a copy of `{SUPERSEDED_FILE}` with
a later `inlamnad` as `{NEW_SUBMISSION}`, and fails unless the ledger then shows the new file
`selected` and the old one `superseded`. e runs `assets.report.build.build_report` in process on a
copy of the warehouse built by a. g is a counterfactual, `tools/bench/without_suites_and_charts.py`:
a cold refresh in which every expectation suite passes without running and no chart is drawn
(the benchmark checks that no Data Docs and no chart were written).

### Against the targets of issue 8

{targets_section(cold, no_change, no_change_run, floor)}

Without the expectation suites, their Data Docs and the charts (g), a cold refresh takes
{without:.2f} s: that is the least a cold refresh costs as long as every refresh runs the
pipeline's other assets as Dagster steps, against limits of {3 * floor:.2f} s and 10 s.

### What dominates

Per-step times from the STEP_SUCCESS events (in the run's Dagster instance) of the median cold run (wall {cold_seconds:.2f} s; the
steps add up to {step_total:.2f} s; of the {cold_seconds - step_total:.2f} s outside the steps,
starting Python and importing the Definitions take {import_seconds:.2f} s (d), the rest is
Dagster's own run set-up and bookkeeping). The slowest steps:

{slowest_steps_table(cold_steps, no_change_steps)}
"""


def growth_section(growth: dict) -> str:
    points = growth["points"]
    lines = [
        (
            "| size | municipalities × years | files | submissions | answers | wall s "
            "| peak RSS MiB | ms per submission | slowest steps (s) | pandas/DuckDB, Tables 1–14 |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for point in points:
        slowest = ", ".join(
            f"`{step}` {seconds:.1f}" for step, seconds in slowest_steps(point["steps"], 3)
        )
        pandas = (
            "not run (holds every answer in memory)"
            if point["pandas"] is None
            else f"{point['pandas']['ratio']:.2f} "
            f"({statistics.median(point['pandas']['duckdb_seconds']):.2f} s DuckDB)"
        )
        lines.append(
            f"| {point['factor']}× | {point['municipalities']} × {point['years']} "
            f"| {point['files']} | {point['submissions']} | {point['answers']} "
            f"| {point['seconds']:.1f} | {point['peak_rss_mib']:.0f} "
            f"| {1000 * point['seconds'] / point['submissions']:.2f} | {slowest} | {pandas} |"
        )
    fit = fit_line([p["submissions"] for p in points], [p["seconds"] for p in points])
    largest = max(points, key=lambda p: p["factor"])
    memory_verdict = "met" if largest["peak_rss_mib"] < 4096 else "**missed**"
    linearity = ""
    if len(points) > 1:
        # Linear (or better) when the cost per submission does not rise with the size: compare
        # the two largest sizes, where the fixed cost of a run weighs least.
        below, top = sorted(points, key=lambda p: p["factor"])[-2:]
        per_below = below["seconds"] / below["submissions"]
        per_top = top["seconds"] / top["submissions"]
        verdict = "linear or better: met" if per_top <= 1.1 * per_below else "**worse than linear**"
        linearity = (
            f" Time per submission from {below['factor']}× to {top['factor']}×: "
            f"{per_below * 1000:.2f} → {per_top * 1000:.2f} ms ({verdict})."
        )
    return f"""## Growth

Figures from `{COMMAND_SHOWN} growth --factors {" ".join(str(p["factor"]) for p in points)}`
({growth["measured_at"]}), one cold refresh per size. Machine: {growth["machine"]}.

Each size is a landing zone generated by `tools/bench/scaled_zone.py` from the shipped one, with
its own municipality register and catalog (`KOMPETENS_REFERENCE_DIR`): municipalities are copies of
the 290 (at most 32 copies, as kommunkod has four digits), and years after 2016 repeat the 2013–2016
forms. The generation is not timed.

{chr(10).join(lines)}

Fitted growth (least squares over the sizes above): **{fit.seconds_per_submission * 1000:.2f} ms per
submission** plus {fit.intercept_seconds:.1f} s. Peak memory at {largest["factor"]}×:
{largest["peak_rss_mib"]:.0f} MiB against the 4 GiB target: {memory_verdict}.{linearity}
"""


def render_document(refresh: dict | None, growth: dict | None, notes: str) -> str:
    parts = [
        (
            "# Performance of the refresh\n\nGenerated by `tools/bench/bench.py` from the results "
            "in `docs/performance/*.json` and the notes in `docs/performance/notes.md`; edit "
            "those, not this file.\n"
        ),
        refresh_section(refresh) if refresh else "## The shipped data\n\nNot measured yet.\n",
        growth_section(growth) if growth else "## Growth\n\nNot measured yet.\n",
        notes,
    ]
    return "\n".join(parts)


RESULTS_DIR = PROJECT_ROOT / "docs" / "performance"
REFRESH_RESULTS = RESULTS_DIR / "refresh.json"
GROWTH_RESULTS = RESULTS_DIR / "growth.json"
NOTES = RESULTS_DIR / "notes.md"
DOCUMENT = PROJECT_ROOT / "docs" / "PERFORMANCE.md"


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _save(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="scenarios a–f on the shipped raw/")
    refresh.add_argument("--runs", type=int, default=3)
    growth = commands.add_parser("growth", help="one cold refresh per landing-zone size")
    growth.add_argument("--factors", type=int, nargs="+", default=list(GROWTH_FACTORS))
    growth.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the zones are generated (the 1000× zone takes about 3.5 GB)")  # fmt: skip
    commands.add_parser("render", help="rewrite docs/PERFORMANCE.md from the saved results")
    args = parser.parse_args(argv)

    if args.command == "refresh":
        _save(REFRESH_RESULTS, run_refresh_benchmark(args.runs))
    elif args.command == "growth":
        scratch = Path(tempfile.mkdtemp(prefix="kompetens-growth-", dir=args.scratch))
        try:
            _save(GROWTH_RESULTS, run_growth_benchmark(tuple(args.factors), scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    DOCUMENT.write_text(
        render_document(
            _load(REFRESH_RESULTS), _load(GROWTH_RESULTS), NOTES.read_text(encoding="utf-8")
        ),
        encoding="utf-8",
    )
    print(f"wrote {DOCUMENT.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
