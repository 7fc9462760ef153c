"""Benchmark of the refresh (project issue 8, first part).

Run from the project root: `.venv/bin/python -m tools.bench.bench [--runs N] [--write docs/PERFORMANCE.md]`.

Every refresh is the real command (`dagster asset materialize ... --select '*'`) in a child process
with its own warehouse and DAGSTER_HOME in a fresh temp dir. Peak RSS is GNU time's `%M` for that
one child (`/usr/bin/time` must exist): per run, the largest single process of its tree, not a sum.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "raw"
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
REFRESH_COMMAND = [
    str(VENV_BIN / "dagster"),
    "asset",
    "materialize",
    "-m",
    "pipelines.definitions",
    "--select",
    "*",
]
# GNU time, not this process's own rusage: a child forked from this (by then large) process counts
# the parent's pages in its ru_maxrss, while the fork made by `time` is tiny.
GNU_TIME = "/usr/bin/time"
COMMAND_SHOWN = ".venv/bin/python -m tools.bench.bench"

# The submission that scenario c supersedes: a selected file of the shipped raw/, resent with a
# later `inlamnad`, so the refresh must re-read it and re-select the municipality-year.
SUPERSEDED_FILE = "2016/inventering/0125_kompetensinventering.csv"
ORIGINAL_INLAMNAD = b"inlamnad;2016-11-16"
LATER_INLAMNAD = b"inlamnad;2016-12-01"
NEW_SUBMISSION = "2016/inventering/0125_kompetensinventering_rattelse.csv"

STEP_SUCCESS = re.compile(
    r'STEP_SUCCESS - Finished execution of step "([^"]+)" in (\S+?)\.?$', re.MULTILINE
)
DURATION_PART = re.compile(r"([\d.]+)(ms|h|m|s)")
SECONDS_PER_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# Great Expectations suites run as asset checks named `<table>_expectations`.
EXPECTATIONS_STEP_SUFFIX = "_expectations"


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mib: float
    output: str


@dataclass(frozen=True)
class Summary:
    median: float
    minimum: float
    maximum: float


def summarise(values: list[float]) -> Summary:
    return Summary(statistics.median(values), min(values), max(values))


def parse_duration(text: str) -> float:
    """Seconds from Dagster's `format_duration` text: 0.83ms, 533ms, 6.45s, 4m52s, 1h4m."""
    return sum(
        float(amount) * SECONDS_PER_UNIT[unit] for amount, unit in DURATION_PART.findall(text)
    )


def parse_step_timings(log: str) -> dict[str, float]:
    """Step key -> seconds, from the STEP_SUCCESS lines of a Dagster run log."""
    return {step: parse_duration(duration) for step, duration in STEP_SUCCESS.findall(log)}


def total_memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    raise RuntimeError("MemTotal missing from /proc/meminfo")


def run_measured(command: list[str], env_overrides: dict[str, str]) -> Measurement:
    """Wall time and peak RSS of one child process; fails loudly, a failed run is no figure."""
    env = {**os.environ, **env_overrides}
    # A file, not a pipe: the Dagster log is large and we only read it after the child exits.
    with tempfile.TemporaryFile() as log, tempfile.NamedTemporaryFile("r") as peak_rss_kib:
        started = time.perf_counter()
        finished = subprocess.run(
            [GNU_TIME, "--format=%M", f"--output={peak_rss_kib.name}", *command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,  # checked below, with the log in the message
        )
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
        rss_mib = int(peak_rss_kib.read().split()[-1]) / 1024
    if finished.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {finished.returncode}:\n{output[-3000:]}")
    return Measurement(seconds, rss_mib, output)


def refresh_env(workdir: Path, raw_dir: Path) -> dict[str, str]:
    dagster_home = workdir / "dagster_home"
    if not dagster_home.exists():
        dagster_home.mkdir(parents=True)
        shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
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


def run_benchmark(runs: int) -> dict[str, list[Measurement]]:
    python = str(VENV_BIN / "python")
    results: dict[str, list[Measurement]] = {
        name: [] for name in ("cold", "no_change", "new_file", "import_definitions", "hash_raw")
    }
    report_seconds: list[float] = []
    for run in range(runs):
        print(f"run {run + 1}/{runs}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="kompetens-bench-") as tmp:
            tmp = Path(tmp)
            shipped = refresh_env(tmp / "shipped", RAW_DIR)
            results["cold"].append(run_measured(REFRESH_COMMAND, shipped))
            results["no_change"].append(run_measured(REFRESH_COMMAND, shipped))

            raw_copy = tmp / "raw"
            shutil.copytree(RAW_DIR, raw_copy)
            changed = refresh_env(tmp / "changed", raw_copy)
            run_measured(REFRESH_COMMAND, changed)  # the baseline the new file lands on, not timed
            add_new_submission(raw_copy)
            results["new_file"].append(run_measured(REFRESH_COMMAND, changed))
            check_new_submission_selected(Path(changed["KOMPETENS_WAREHOUSE"]))

            results["import_definitions"].append(
                run_measured([python, "-c", "import pipelines.definitions"], {})
            )
            results["hash_raw"].append(run_measured([python, "-c", HASH_RAW, str(RAW_DIR)], {}))
            report_seconds.append(time_build_report(Path(shipped["KOMPETENS_WAREHOUSE"]), tmp))
    results["build_report"] = [Measurement(s, 0.0, "") for s in report_seconds]
    return results


SCENARIOS = {
    "cold": "a. cold refresh of shipped raw/ (empty warehouse)",
    "no_change": "b. refresh, nothing changed",
    "new_file": "c. refresh after one new submission file",
    "import_definitions": "d. floor: start Python, import Definitions",
    "hash_raw": "d. floor: read and hash every raw/ byte",
    "build_report": "e. build_report alone (in process)",
}


def results_table(results: dict[str, list[Measurement]]) -> str:
    lines = [
        "| scenario | median s | min s | max s | peak RSS MiB (max) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in SCENARIOS.items():
        times = summarise([m.seconds for m in results[name]])
        # build_report runs inside this process, so it has no child RSS of its own.
        rss = "–" if name == "build_report" else f"{max(m.peak_rss_mib for m in results[name]):.0f}"
        lines.append(
            f"| {label} | {times.median:.2f} | {times.minimum:.2f} | {times.maximum:.2f} | {rss} |"
        )
    return "\n".join(lines)


def floor_seconds(results: dict[str, list[Measurement]]) -> float:
    return sum(
        statistics.median(m.seconds for m in results[name])
        for name in ("import_definitions", "hash_raw")
    )


def slowest_steps_table(
    cold_steps: dict[str, float], no_change_steps: dict[str, float], top: int = 8
) -> str:
    """The slowest steps of a cold run, beside the same steps in a refresh where nothing changed."""
    total = sum(cold_steps.values())
    lines = [
        "| step | cold s | share of cold step time | nothing changed s |",
        "|---|---:|---:|---:|",
    ]
    for step, seconds in sorted(cold_steps.items(), key=lambda item: -item[1])[:top]:
        lines.append(
            f"| `{step}` | {seconds:.2f} | {seconds / total:.0%} | {no_change_steps.get(step, 0.0):.2f} |"
        )
    return "\n".join(lines)


def machine_line() -> str:
    return (
        f"{os.cpu_count()} CPUs (`os.cpu_count()`), {total_memory_gib():.1f} GiB memory (/proc/meminfo), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", type=Path, help="write the Markdown report to this file")
    args = parser.parse_args(argv)

    results = run_benchmark(args.runs)
    table = results_table(results)
    print(
        f"Machine: {machine_line()}\n\n{table}\n\nfloor (d, sum of medians): {floor_seconds(results):.2f} s"
    )
    if args.write:
        args.write.write_text(render_document(args.runs, table, results))


def render_document(runs: int, table: str, results: dict[str, list[Measurement]]) -> str:
    # The median cold run's log stands for "what dominates", beside the no-change run after it.
    median_run = sorted(range(runs), key=lambda i: results["cold"][i].seconds)[runs // 2]
    cold_seconds = results["cold"][median_run].seconds
    cold_steps = parse_step_timings(results["cold"][median_run].output)
    no_change_steps = parse_step_timings(results["no_change"][median_run].output)
    step_total = sum(cold_steps.values())
    no_change_step_total = sum(no_change_steps.values())
    expectations = sum(
        s for step, s in cold_steps.items() if step.endswith(EXPECTATIONS_STEP_SUFFIX)
    )
    steps = slowest_steps_table(cold_steps, no_change_steps)
    import_seconds = statistics.median(m.seconds for m in results["import_definitions"])

    floor = floor_seconds(results)
    cold = statistics.median(m.seconds for m in results["cold"])
    no_change = statistics.median(m.seconds for m in results["no_change"])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""# Performance of the refresh

Figures from `{COMMAND_SHOWN} --runs {runs}` ({date}), median, min and max over {runs} runs.

Machine: {machine_line()}.

{table}

Floor (d): starting Python and importing the Definitions plus reading every raw byte once,
sum of the two medians: **{floor:.2f} s**.

Method: every refresh is `dagster asset materialize -m pipelines.definitions --select '*'` in a
child process with KOMPETENS_WAREHOUSE and DAGSTER_HOME (a copy of `pipelines/dagster.yaml`) in a
fresh temp dir per run. Wall time is measured around the child; peak RSS is `/usr/bin/time`'s
`%M` for that one child (its `ru_maxrss`: the largest single process of its tree, per run; the
refresh runs its steps in one process).
b is the second refresh on the same warehouse and DAGSTER_HOME; its `files_read_this_run` is
Dagster event metadata, not printed in the log, and is not read here. c refreshes a copy of
`raw/`, built once (not timed), after adding a copy of `{SUPERSEDED_FILE}` with a later
`inlamnad` as

    {NEW_SUBMISSION}

and fails unless the ledger then shows the new file `selected` and the old one `superseded`.
e runs `assets.report.build.build_report` in process on a copy of the warehouse built by a.

## Against the targets of issue 8

{targets_section(cold, no_change, floor)}

## What dominates

Per-step times from the STEP_SUCCESS lines of the median cold run (wall {cold_seconds:.2f} s; the
steps add up to {step_total:.2f} s; of the {cold_seconds - step_total:.2f} s outside the steps, starting
Python and importing the Definitions take {import_seconds:.2f} s (d), the rest is Dagster's own run
set-up and bookkeeping). The slowest steps:

{steps}

The Great Expectations checks (steps ending in `_expectations`) take {expectations:.2f} s,
{expectations / step_total:.0%} of the cold step time. `great_expectations` is imported lazily, so
the first check to run pays its import; the Definitions import does not load it.

The "nothing changed" column shows what a refresh without changes still pays: {no_change_step_total:.2f} s
of steps against {step_total:.2f} s cold. Only the ingest (`submission_files`) skips work it has
done before; every step after it runs again in full.

## Not done yet

- The growth series (issue item 5): 1×–1000× the landing zone with a generated municipality register.
- The comparison of the report SQL with a straightforward pandas implementation of Tables 1–14
  (issue item 6); e only times `build_report` alone.
- The optimisations themselves; this document only measures.
"""


def targets_section(cold: float, no_change: float, floor: float) -> str:
    rows = [
        ("cold refresh within 3× the floor", 3 * floor, cold),
        ("cold refresh under 10 s", 10.0, cold),
        ("no-change refresh under 2 s beyond the floor", floor + 2.0, no_change),
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


if __name__ == "__main__":
    main()
