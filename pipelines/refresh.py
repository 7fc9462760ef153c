"""`make refresh`: build the years whose files changed, then the report, in one run, in this
process; unless the published build is current.

    python -m pipelines.refresh [--all-years]

Before Dagster starts, the build inputs are fingerprinted as the asset `quality/build_inputs`
does it, under the code the published build recorded, when the repository's code files are as it
recorded them; otherwise the run starts and its gate decides by the assets' code versions.
Exit codes: 0 current or succeeded, 1 the run failed.
What it decides, prints and runs, and the same graph through Dagster's command line:
docs/ARCHITECTURE.md, «pipelines/refresh.py».
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from assets.parallel import helper_process
from schemas.contract import DEVIATES, INVALID, LEDGER_STATUSES, RECONCILIATION_STATUSES

if TYPE_CHECKING:
    import dagster as dg

    from assets.ingest.build_inputs import BuildInputs
    from assets.run_context.resources import LandingZone, Warehouse


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    # Started first, before the imports below, on the chance of a build: the helper's import of
    # Great Expectations then overlaps the comparison, the Definitions' import and the run's
    # set-up (assets/parallel/helper_process.py). If nothing changed, it is stopped unused.
    helper_process.start()
    with imports_out_of_collection() as imported:
        return _refresh(arguments, imported)


def _refresh(arguments: argparse.Namespace, imported: Callable[[], None]) -> int:
    from assets.ingest.build_inputs import (
        nothing_changed_message,
        read_build_inputs_before_definitions,
    )
    from assets.run_context.resources import LandingZone, Warehouse
    from pipelines.environment import set_default_environment

    set_default_environment()
    landing_zone = LandingZone(raw_dir=os.environ["KOMPETENS_RAW_DIR"])
    warehouse = Warehouse(database=os.environ["KOMPETENS_WAREHOUSE"])
    # A missing landing zone is the run's to report, with its reason (quality/build_inputs).
    # Before the first build there is nothing to compare with, and fingerprinting here would
    # hash every file of the landing zone twice, here and again in the run.
    # When the repository's code files changed since the published build, only the Definitions'
    # code versions tell whether what changed is code that a build runs: then the run's gate
    # decides, and skips every step if nothing it compares changed.
    inputs = None
    if landing_zone.path.is_dir() and warehouse.published_path.exists():
        inputs = read_build_inputs_before_definitions(landing_zone.path, warehouse)
        if inputs is not None and inputs.published_build_is_current:
            # Nothing to build: with --all-years the run's gate skips every step, so the helper
            # would only hold the second core and, at this process's exit, be waited for until
            # its import of Great Expectations is done. A check that does need it after all
            # (the landing zone changed meanwhile) launches it anew.
            helper_process.stop()
            if not arguments.all_years:
                print(nothing_changed_message(inputs.fingerprint))
                return 0
    # Imported only for a build: the Definitions are most of the second a skipped refresh costs.
    import dagster as dg

    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        imported()
        result = execute_refresh(
            defs,
            instance,
            landing_zone,
            warehouse,
            inputs=inputs,
            all_years=arguments.all_years,
            run_config=QUIET_CONSOLE,
        )
        dagster_home = instance.root_directory
    if result.success:
        print("\n".join(summary(warehouse, result.run_id, dagster_home)))
        return 0
    from pipelines.alerts import failure_reasons

    print(f"The refresh failed (run {result.run_id}).", file=sys.stderr)
    for reason in failure_reasons(result.all_events):
        print(reason, file=sys.stderr)
    return 1


@contextlib.contextmanager
def imports_out_of_collection() -> Iterator[Callable[[], None]]:
    """Python's cyclic garbage collector paused while the block imports its modules, and what
    they made out of its reach from the call of the function the block is given until the block
    ends.

    The Definitions, Dagster and its storage are millions of objects that live as long as the
    process and make next to no garbage. Each full pass of the collector walks all of them:
    during those imports and then during a run, such passes took about 1 s of a run that skips
    every step, and 2 s under load. Frozen (gc.freeze) once imported, they are left out of the
    run's passes. Unfrozen at the block's end: at the interpreter's exit the collector must see
    them, or DuckDB's bindings report their objects as leaked."""
    was_enabled = gc.isenabled()
    gc.disable()
    frozen = False

    def imported() -> None:
        nonlocal frozen
        gc.freeze()
        frozen = True
        if was_enabled:
            gc.enable()

    try:
        yield imported
    finally:
        if frozen:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.refresh",
        description="Build the years whose files changed, then the report, and publish.",
    )
    parser.add_argument(
        "--all-years",
        action="store_true",
        help="start a run over every year even when nothing changed, as the nightly schedule "
        "does (the run then skips every step if the published build is current)",
    )
    return parser.parse_args(argv or [])


def execute_refresh(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    landing_zone: LandingZone,
    warehouse: Warehouse,
    *,
    inputs: BuildInputs | None = None,
    all_years: bool = False,
    run_config: dict | None = None,
    raise_on_error: bool = False,
) -> dg.ExecuteInProcessResult:
    """Run the job `refresh` in this process over the years whose inputs changed since the
    published build (`inputs`, read here under the Definitions' code when not given), or over
    every year: the years become partitions first. When no year changed but the build did, the
    run builds what reads every year. The run's resources are the Definitions' own, configured
    from the environment."""
    from assets.ingest.assets import BUILD_INPUTS, build_code
    from assets.ingest.build_inputs import read_build_inputs
    from assets.ingest.landing_zone import landing_zone_years
    from assets.run_context.partitions import WHEN_CHANGED, YEAR_PARTITIONS
    from pipelines.year_runs import plan_years_run, unpartitioned_asset_keys

    specs = defs.resolve_all_asset_specs()
    existing = instance.get_dynamic_partitions(YEAR_PARTITIONS.name)
    years_now = landing_zone_years(landing_zone.path) if landing_zone.path.is_dir() else []
    if all_years:
        years = sorted({*map(int, existing), *years_now})
    elif inputs is None and landing_zone.path.is_dir() and warehouse.published_path.exists():
        (gate,) = [spec for spec in specs if spec.key == BUILD_INPUTS]
        years = read_build_inputs(landing_zone.path, warehouse, build_code(gate)).years_to_build
    elif inputs is None:
        years = years_now  # the first build: every year
    else:
        years = inputs.years_to_build
    plan = plan_years_run(existing, years, years_now)
    if plan.new_partitions:
        instance.add_dynamic_partitions(YEAR_PARTITIONS.name, plan.new_partitions)
    return defs.resolve_job_def("refresh").execute_in_process(
        instance=instance,
        tags={**plan.tags, **WHEN_CHANGED},
        asset_selection=None if plan.builds_years else unpartitioned_asset_keys(specs),
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


# The console shows warnings and errors only (a failed step's event among them). Every event,
# DEBUG included, still goes to the instance's event log: the run's console logger has its own
# level, apart from the instance's storage (whereas dagster.yaml's python_logs.python_log_level
# would keep the run's INFO messages out of the stored log too).
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

# (table, status, rows, a second count): per ledger status; the invalid blocks with the
# submissions they are in; per reconciliation status with the cells a known erratum explains.
SUMMARY_QUERY = f"""
SELECT 'file_ledger', status, count(*), 0 FROM quality.file_ledger GROUP BY status
UNION ALL
SELECT 'block_status', status, count(*), count(DISTINCT path)
FROM core.block_status WHERE status = '{INVALID}' GROUP BY status
UNION ALL
SELECT 'reconciliation', status, count(*), count(note) FROM report.reconciliation GROUP BY status
"""


def summary(warehouse: Warehouse, run_id: str, dagster_home: str) -> list[str]:
    """What a person reads after a successful run: the counts of the published warehouse, read
    from it, and where its outputs and the run's full event log are."""
    from assets.expectations.checks import data_docs_dir
    from assets.feedback.assets import CONTROL_REPORTS_FOLDER
    from assets.publication.publications import LATEST_PUBLICATION_QUERY

    event_log = f"Full event log:   run {run_id} in the Dagster instance {dagster_home}"
    rows, latest = warehouse.read_published_queries(SUMMARY_QUERY, LATEST_PUBLICATION_QUERY)
    if rows is None:
        unreadable = f"the warehouse {warehouse.published_path} could not be read for a summary"
        return [f"The refresh succeeded (run {run_id}), but {unreadable}.", event_log]
    counts = {(table, status): (count, second) for table, status, count, second in rows}

    def total(table: str) -> int:
        return sum(count for (name, _), (count, _) in counts.items() if name == table)

    def status_line(table: str, status: str) -> str:
        return f"  {status:<18}{counts.get((table, status), (0, 0))[0]:>5}"

    invalid_blocks, invalid_submissions = counts.get(("block_status", INVALID), (0, 0))
    errata = counts.get(("reconciliation", DEVIATES), (0, 0))[1]
    explained = (
        f"  ({errata} of them errors of the published report that ref.known_errata explains)"
    )
    # The index pages, which link every control report and every validation.
    control_reports = warehouse.published_path.parent / CONTROL_REPORTS_FOLDER / "index.html"
    data_docs = data_docs_dir(warehouse) / "index.html"
    return [
        f"The refresh succeeded (run {run_id}).",
        f"Files in the ledger (quality.file_ledger): {total('file_ledger')}",
        *(status_line("file_ledger", status) for status in LEDGER_STATUSES),
        f"Invalid blocks (core.block_status): {invalid_blocks}, in {invalid_submissions} "
        + "submissions; they count in no table",
        "Reconciliation with the published report (report.reconciliation): "
        + f"{total('reconciliation')} cells",
        *(
            status_line("reconciliation", status) + (explained if status == DEVIATES else "")
            for status in RECONCILIATION_STATUSES
        ),
        *(
            f"Publication (report.publiceringar): {publicering_id}; {revised} figures revised "
            "since the one before (report.revisioner)"
            for publicering_id, revised in latest or []
        ),
        f"Warehouse:        {warehouse.published_path}",
        f"Exports:          {warehouse.exports_path}",
        f"Control reports:  {control_reports}",
        f"Data Docs:        {data_docs}",
        f"{event_log} (make dev shows it)",
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
