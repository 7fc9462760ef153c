"""Ingest: the landing zone's submission files and grant registers into the warehouse, and its
year folders as Dagster's observable source (raw/year_folder, a data version per year).

Contract sections 1–3 and 6. Every file under <raw>/<year>/inventering/ ends as one row of
quality.file_ledger; a file is read once per content (SHA-256) and suffix, all the reader reads
(the parse cache survives from one refresh to the next through the staging copy of the
published warehouse).
"""

import os
import warnings
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from assets.expectations.checks import suite_check_result, suite_check_spec
from assets.expectations.suites import FILE_LEDGER_SUITE, GRANT_REGISTER_SUITE
from assets.ingest.build_inputs import (
    BUILD_CODE_QUERY,
    FILE_HASHES_QUERY,
    YEAR_INPUTS_QUERY,
    YEAR_SCOPED_METADATA,
    BuildCode,
    build_fingerprint,
    known_file_hashes,
    nothing_changed_message,
    read_build_inputs,
    reference_fingerprint,
    years_inputs,
)
from assets.ingest.landing_zone import (
    SUBMISSIONS_FOLDER,
    ContentHashes,
    StatKey,
    read_fingerprints,
    readme_fingerprint,
    relative_path,
    scan_landing_zone,
    year_folder_versions,
    year_folders,
)
from assets.ingest.ledger import LedgerRow, build_ledger
from assets.ingest.parse_cache import (
    cached_reads,
    drop_parse_cache_of_another_shape,
    prune_parse_cache,
    read_into_parse_cache,
)
from assets.ingest.reader import read_key
from assets.ingest.register import read_grant_registers, stop_message
from assets.run_context.partitions import (
    WHEN_CHANGED_TAG,
    YEAR_BACKFILL_POLICY,
    YEAR_PARTITIONS,
    run_years,
)
from assets.run_context.published import CONFIRMED_CURRENT, PUBLISHED_WAREHOUSE
from assets.run_context.resources import WAREHOUSE_POOL, LandingZone, Warehouse
from assets.tables import append_rows, create_tables, preview, replace_rows, row_count
from schemas.contract import IGNORED

BUILD_INPUTS = dg.AssetKey(["quality", "build_inputs"])
# The year folder a landing-zone path lies in, in SQL: a year's partition is its folder's files.
YEAR_OF_PATH = "TRY_CAST(split_part(path, '/', 1) AS INTEGER)"
# The row's path lies in a year folder the run builds (`register_run_years`).
PATH_IN_RUN_YEARS = f"{YEAR_OF_PATH} IN (SELECT ar FROM run_years)"


def register_run_years(con, years: list[int]) -> None:
    """The years a run builds as the connection's temporary table run_years(ar): the year-scoped
    assets select and replace their rows `WHERE ... IN (SELECT ar FROM run_years)`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE run_years AS SELECT unnest(?::INTEGER[]) AS ar", [years]
    )


YEAR_FOLDER = dg.AssetKey(["raw", "year_folder"])
# Dagster marks observable sources and their partitioned data versions beta; said on every import
# and every run, the warnings would stand above every `make refresh` summary.
warnings.filterwarnings(
    "ignore",
    message="(Function `observable_source_asset`|Class `DataVersionsByPartition`)",
    category=dg.BetaWarning,
)


@dg.observable_source_asset(
    key=YEAR_FOLDER,
    partitions_def=YEAR_PARTITIONS,
    group_name="ingest",
    description=(
        "A year folder of the landing zone: its files under inventering/ and its grant register "
        "(contract sections 1 and 6). Its data version is the hash of the year's files, the one "
        "the fingerprint gate takes, observed in every run of the job refresh before the year is "
        "read: after a file is corrected, the year's assets show stale until it is built again."
    ),
)
def year_folder(
    context: dg.OpExecutionContext, landing_zone: LandingZone, warehouse: Warehouse
) -> dg.DataVersionsByPartition:
    _require_landing_zone(landing_zone)
    # Hashed by an earlier build: only a file written since is read to be hashed.
    (file_hashes,) = warehouse.read_published_queries(FILE_HASHES_QUERY)
    return dg.DataVersionsByPartition(
        year_folder_versions(
            landing_zone.path,
            ContentHashes(known_file_hashes(file_hashes or [])),
            # A year folder that is no partition yet becomes one before a run builds it.
            context.instance.get_dynamic_partitions(YEAR_PARTITIONS.name),
        )
    )


FILE_LEDGER = dg.AssetKey(["quality", "file_ledger"])
FILE_ANSWERS = dg.AssetKey(["core", "file_answers"])
GRANT_REGISTER = dg.AssetKey(["core", "grant_register"])

LEDGER_COLUMNS = {
    "path": pl.Utf8,
    "sha256": pl.Utf8,
    "size_bytes": pl.Int64,
    "kommunkod": pl.Utf8,
    "ar": pl.Int32,
    "inlamnad": pl.Datetime("us"),
    "status": pl.Utf8,
    "reason_code": pl.Utf8,
    "message": pl.Utf8,
}


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=BUILD_INPUTS,
    group_name="ingest",
    output_required=False,
    description=(
        "The fingerprint of everything a build reads: the landing zone (per year), the reference "
        "data and the code. In a run of the nightly schedule, the sensor or `make refresh`, equal "
        "to the published build's, nothing is rebuilt: the asset is not materialised and every "
        "asset after it is skipped. A run asked for by hand builds what it selects."
    ),
)
def build_inputs(
    context: dg.AssetExecutionContext, landing_zone: LandingZone, warehouse: Warehouse
):
    _require_landing_zone(landing_zone)
    gate = context.assets_def.get_asset_spec(context.asset_key)
    years = run_years(context)
    if not years:
        _require_years_for_partitioned_assets(context, gate)
    code = build_code(gate)
    inputs = read_build_inputs(landing_zone.path, warehouse, code)
    if inputs.published_build_is_current and WHEN_CHANGED_TAG in context.run.tags:
        context.log.info(nothing_changed_message(inputs.fingerprint))
        # What the freshness check of the published warehouse counts as a refresh too.
        context.log_event(
            dg.AssetObservation(
                asset_key=PUBLISHED_WAREHOUSE, metadata={CONFIRMED_CURRENT: inputs.fingerprint}
            )
        )
        return
    with warehouse.connect(context) as con:
        drop_parse_cache_of_another_shape(con)
        # Written whole by this step, so a warehouse of an earlier version, whose table has
        # other columns, takes this version's.
        con.execute("DROP TABLE IF EXISTS quality.build_inputs")
        create_tables(con)
        # The years this run does not build stay as the warehouse it started from holds them.
        built_years = dict(con.execute(YEAR_INPUTS_QUERY).fetchall())
        fingerprint = inputs.fingerprint_after_building(years, built_years)
        replace_rows(
            con,
            "quality.build_inputs",
            pl.DataFrame(
                {
                    "fingerprint": [fingerprint],
                    "run_id": [context.run.run_id],
                    "started_at": [datetime.now(UTC).replace(tzinfo=None)],
                    "code_years": [code.years],
                    "code_build": [code.build],
                    "code_files": [code.files],
                }
            ),
        )
        replace_rows(con, "core.file_hashes", _file_hashes_frame(inputs.hashes.seen))
    yield dg.MaterializeResult(
        metadata={
            "fingerprint": fingerprint,
            "published_fingerprint": inputs.published_fingerprint or "none",
            "years_built": ", ".join(map(str, sorted(years))) or "none",
            "years_changed": ", ".join(map(str, inputs.years_to_build)) or "none",
            "files_hashed": len(inputs.hashes.seen.keys() - inputs.hashes.known.keys()),
            "dagster/row_count": 1,
        }
    )


def build_code(gate: dg.AssetSpec) -> BuildCode:
    """The code the gate compares: the assets' code versions that the wiring put on the gate's
    spec (pipelines/asset_catalog.py)."""
    return BuildCode.of_gate(gate.metadata, gate.key.to_user_string())


def _require_years_for_partitioned_assets(
    context: dg.AssetExecutionContext, gate: dg.AssetSpec
) -> None:
    """Stop a run without years that selects a year-scoped asset before it does anything: Dagster
    launches such a run (the job `refresh` without a partition), and it cannot run over every year
    instead: Dagster fails a step of a partitioned asset with a partitioned parent before its code
    runs (docs/ARCHITECTURE.md). The year-scoped assets are those the gate's spec names; a run
    that selects nothing in particular (no or an empty selection) runs the whole job `refresh`,
    which is every asset."""
    selected = context.run.asset_selection
    year_scoped = sorted(
        key
        for key in gate.metadata[YEAR_SCOPED_METADATA]
        if not selected or dg.AssetKey.from_user_string(key) in selected
    )
    if year_scoped:
        raise dg.Failure(
            description="Pick the years to build: this run has no partition (ar), and "
            f"{', '.join(year_scoped)} are built per year. Launch it with a partition or a range "
            "of partitions (in the UI, or `dagster job execute -j refresh` with the tags "
            "dagster/asset_partition_range_start and _end), or run `make refresh`, which picks "
            "the years that changed. Nothing was built."
        )


def _record_what_was_read(con, raw_dir: Path, hashes: ContentHashes, code: BuildCode) -> None:
    """The build's fingerprint and the file hashes as this run read the landing zone, not as
    quality/build_inputs listed it before: a file that landed or changed in between is then
    recorded as it was read, as a cold build of the landing zone after it would record it. Under
    the code the gate recorded (`code`)."""
    years = dict(con.execute(YEAR_INPUTS_QUERY).fetchall())
    fingerprint = build_fingerprint(
        code.build, reference_fingerprint(), readme_fingerprint(raw_dir, hashes), years
    )
    con.execute("UPDATE quality.build_inputs SET fingerprint = ?", [fingerprint])
    hashed_now = {key: sha256 for key, sha256 in hashes.seen.items() if key not in hashes.known}
    if hashed_now:
        frame = _file_hashes_frame(hashed_now)
        con.execute(
            "DELETE FROM core.file_hashes WHERE list_contains(?, path)",
            [frame["path"].to_list()],
        )
        append_rows(con, "core.file_hashes", frame)


def _file_hashes_frame(hashes: dict[StatKey, str]) -> pl.DataFrame:
    stat_columns = {
        "path": pl.Utf8,
        **dict.fromkeys(("size_bytes", "mtime_ns", "ctime_ns", "inode"), pl.Int64),
    }
    return pl.DataFrame(
        [(*key, sha256) for key, sha256 in hashes.items()],
        schema={**stat_columns, "sha256": pl.Utf8},
        orient="row",
    )


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[
        dg.AssetSpec(
            FILE_LEDGER,
            deps=[BUILD_INPUTS, YEAR_FOLDER],
            description="Every file of the year's landing-zone folder with its status (contract "
            "section 3).",
        ),
        dg.AssetSpec(
            FILE_ANSWERS,
            deps=[BUILD_INPUTS, YEAR_FOLDER],
            description="The answers of every readable file, as text, keyed by content hash "
            "and suffix (the parse cache; a year's partition is its files' contents).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_file_in_ledger",
            asset=FILE_LEDGER,
            blocking=True,
            description="Each file under <raw>/<year>/inventering/ of the years built has exactly "
            "one ledger row (the files listed anew, not taken from the scan the ledger was built "
            "from).",
        ),
        suite_check_spec(FILE_LEDGER_SUITE),
    ],
    group_name="ingest",
    partitions_def=YEAR_PARTITIONS,
    backfill_policy=YEAR_BACKFILL_POLICY,
)
def submission_files(
    context: dg.AssetExecutionContext, landing_zone: LandingZone, warehouse: Warehouse
):
    _require_landing_zone(landing_zone)
    years = sorted(int(key) for key in context.partition_keys)
    # Listed before the scan: a year folder or file written in between is then in the ledger or
    # the next refresh's, not missing.
    year_folders_present = [ar for ar in year_folders(landing_zone.path) if ar in years]
    files_on_disk = _files_on_disk(landing_zone.path, years)
    files = scan_landing_zone(landing_zone.path, years)
    with warehouse.connect(context) as con:
        register_run_years(con, years)
        create_tables(con)
        # Hashed by build_inputs moments ago; only a file written since is read to be hashed.
        hashes = ContentHashes(known_file_hashes(con.execute(FILE_HASHES_QUERY).fetchall()))
        read = read_into_parse_cache(
            con,
            files,
            {
                f.path: content_hash
                for f in files
                if not f.is_symlink and (content_hash := hashes.sha256(f.path, f.abs_path))
            },
        )
        ledger = build_ledger(read.files, read.sha256, cached_reads(con))
        con.execute(f"DELETE FROM quality.file_ledger WHERE {PATH_IN_RUN_YEARS}")
        append_rows(con, "quality.file_ledger", _ledger_frame(ledger))
        con.execute(f"DELETE FROM core.submissions WHERE {PATH_IN_RUN_YEARS}")
        con.execute(
            f"""
            INSERT INTO core.submissions
            SELECT path, sha256, kommunkod, ar, inlamnad FROM quality.file_ledger
            WHERE status = 'selected' AND {PATH_IN_RUN_YEARS}
            """
        )
        # Every year's files, the others' as the warehouse holds them, keep their reads.
        prune_parse_cache(
            con,
            {
                read_key(content_hash, path)
                for path, content_hash in con.execute(
                    "SELECT path, sha256 FROM quality.file_ledger WHERE sha256 IS NOT NULL"
                ).fetchall()
            },
        )
        # What this run read of each year, not a listing of its own: a file that changed or
        # landed meanwhile makes the next refresh's fingerprint differ, so it rebuilds the year.
        # Under the code the gate compared (of this run, or of the warehouse's build when the
        # gate is not selected: a year recorded under older code is then built again).
        (recorded_code,) = con.execute(BUILD_CODE_QUERY).fetchall()
        code = BuildCode(*recorded_code)
        year_inputs = years_inputs(
            read_fingerprints(
                landing_zone.path, year_folders_present, read.files, read.sha256, hashes
            ),
            code.years,
            reference_fingerprint(),
        )
        con.execute("DELETE FROM quality.year_inputs WHERE ar IN (SELECT ar FROM run_years)")
        append_rows(
            con,
            "quality.year_inputs",
            pl.DataFrame(
                [(ar, year_inputs[ar]) for ar in years if ar in year_inputs],
                schema={"ar": pl.Int32, "fingerprint": pl.Utf8},
                orient="row",
            ),
        )
        _record_what_was_read(con, landing_zone.path, hashes, code)
        per_year = {
            (ar, status): count
            for ar, status, count in con.execute(
                f"SELECT {YEAR_OF_PATH}, status, count(*) FROM quality.file_ledger "
                f"WHERE {PATH_IN_RUN_YEARS} GROUP BY ALL"
            ).fetchall()
        }
        answers_per_year = dict(
            con.execute(
                f"""
                SELECT {YEAR_OF_PATH}, count(*) FROM core.file_answers AS a
                JOIN (SELECT DISTINCT path, sha256 FROM quality.file_ledger
                      WHERE {PATH_IN_RUN_YEARS}) AS l USING (sha256)
                GROUP BY ALL
                """
            ).fetchall()
        )
        ledger_paths = {
            row[0]
            for row in con.execute(
                f"SELECT path FROM quality.file_ledger WHERE {PATH_IN_RUN_YEARS}"
            ).fetchall()
        }
        ledger_preview = preview(
            con,
            "SELECT path, kommunkod, ar, status, reason_code FROM quality.file_ledger "
            f"WHERE {PATH_IN_RUN_YEARS} ORDER BY path",
        )
        # Every year's rows, as the table holds them after this run (a year's are the partition's).
        ledger_rows = row_count(con, "quality.file_ledger")
        answer_rows = row_count(con, "core.file_answers")
        ledger_suite = suite_check_result(FILE_LEDGER_SUITE, con, context.run.run_id, warehouse)

    # Each year's own figures, on that year's partition in the UI.
    for ar in years:
        statuses = {status: n for (year, status), n in per_year.items() if year == ar}
        context.add_asset_metadata(
            {
                "dagster/partition_row_count": sum(statuses.values()),
                **{f"files_{status}": count for status, count in sorted(statuses.items())},
            },
            asset_key=FILE_LEDGER,
            partition_key=str(ar),
        )
        context.add_asset_metadata(
            {"dagster/partition_row_count": answers_per_year.get(ar, 0)},
            asset_key=FILE_ANSWERS,
            partition_key=str(ar),
        )
    missing = sorted(files_on_disk - ledger_paths)
    yield dg.MaterializeResult(
        asset_key=FILE_LEDGER,
        metadata={
            "dagster/row_count": ledger_rows,
            "files_read_this_run": read.contents_read,
            "preview": dg.MetadataValue.md(ledger_preview),
        },
    )
    yield dg.MaterializeResult(asset_key=FILE_ANSWERS, metadata={"dagster/row_count": answer_rows})
    yield dg.AssetCheckResult(
        check_name="every_file_in_ledger",
        asset_key=FILE_LEDGER,
        passed=not missing,
        metadata={
            "years": ", ".join(map(str, years)),
            "files_found": len(files_on_disk),
            "ledger_rows": len(ledger),
            "missing": missing[:20],
        },
    )
    yield ledger_suite


def _files_on_disk(raw_dir: Path, years: list[int]) -> set[str]:
    """Every regular file and symlink under <raw>/<year>/inventering/ of `years`, listed here rather than
    taken from scan_landing_zone, whose list the ledger is built from: a file that the scan
    missed is then found missing from the ledger too. Nothing under a symlink is listed:
    symlinks are never followed. The directory entries' types need no stat of any file."""
    found = set()
    folders = [
        raw_dir / str(year) / SUBMISSIONS_FOLDER for year in year_folders(raw_dir) if year in years
    ]
    folders = [folder for folder in folders if folder.is_dir() and not folder.is_symlink()]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    found.add(relative_path(raw_dir, Path(entry.path)))
    return found


def _require_landing_zone(landing_zone: LandingZone) -> None:
    # A missing raw dir is a configuration error, not an empty landing zone: publishing an empty
    # warehouse over a good one would be worse than failing.
    if not landing_zone.path.is_dir():
        raise dg.Failure(
            description=f"The landing zone {landing_zone.path} does not exist or is not a folder. "
            "Set KOMPETENS_RAW_DIR to the raw dir (contract section 1)."
        )


def _ledger_frame(ledger: list[LedgerRow]) -> pl.DataFrame:
    return pl.DataFrame(
        [{column: getattr(row, column) for column in LEDGER_COLUMNS} for row in ledger],
        schema=LEDGER_COLUMNS,
        orient="row",
    )


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=GRANT_REGISTER,
    # The ledger says which year folders have submissions: only those need a register.
    deps=[BUILD_INPUTS, FILE_LEDGER, YEAR_FOLDER],
    description=(
        "The grant register (rekvisitioner.csv) of the year (contract section 6). A register "
        "problem fails the run, naming file, line and problem: nothing is published."
    ),
    group_name="ingest",
    check_specs=[suite_check_spec(GRANT_REGISTER_SUITE)],
    partitions_def=YEAR_PARTITIONS,
    backfill_policy=YEAR_BACKFILL_POLICY,
)
def grant_register(
    context: dg.AssetExecutionContext, landing_zone: LandingZone, warehouse: Warehouse
):
    _require_landing_zone(landing_zone)
    years = sorted(int(key) for key in context.partition_keys)
    with warehouse.connect(context) as con:
        register_run_years(con, years)
        create_tables(con)
        years_with_submissions = {
            ar
            for (ar,) in con.execute(
                f"SELECT DISTINCT {YEAR_OF_PATH} FROM quality.file_ledger "
                f"WHERE status <> ? AND {PATH_IN_RUN_YEARS}",
                [IGNORED],
            ).fetchall()
        }
        registers = read_grant_registers(landing_zone.path, years, years_with_submissions)
        if registers.problems:
            raise dg.Failure(
                description=stop_message(registers.problems),
                metadata={"register_problems": len(registers.problems)},
            )
        con.execute("DELETE FROM core.grant_register WHERE ar IN (SELECT ar FROM run_years)")
        append_rows(
            con,
            "core.grant_register",
            pl.DataFrame(registers.rows, schema=_GRANT_SCHEMA, orient="row"),
        )
        per_year = con.execute(
            """
            SELECT ar, count(*), count(DISTINCT kommunkod), sum(fordelat_sek),
                count(DISTINCT kommunkod) FILTER (WHERE rekvirerat_sek > 0)
            FROM core.grant_register WHERE ar IN (SELECT ar FROM run_years) GROUP BY ar ORDER BY ar
            """
        ).fetchall()
        register_rows = row_count(con, "core.grant_register")
        register_suite = suite_check_result(
            GRANT_REGISTER_SUITE, con, context.run.run_id, warehouse
        )
    rows_per_year = {ar: rows for ar, rows, *_ in per_year}
    for ar in years:
        context.add_asset_metadata(
            {"dagster/partition_row_count": rows_per_year.get(ar, 0)},
            asset_key=GRANT_REGISTER,
            partition_key=str(ar),
        )
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": register_rows,
            "per_year": dg.MetadataValue.md(
                "| ar | kommuner | fordelat_sek | rekvirerat (kommuner) |\n| --- | --- | --- | --- |\n"
                + "\n".join(
                    f"| {ar} | {n} | {total} | {requisitioned} |"
                    for ar, _, n, total, requisitioned in per_year
                )
            ),
        }
    )
    yield register_suite


_GRANT_SCHEMA = {
    "ar": pl.Int32,
    "kommunkod": pl.Utf8,
    "andamal": pl.Utf8,
    "fordelat_sek": pl.Int64,
    "rekvirerat_sek": pl.Int64,
    "aterbetalt_sek": pl.Int64,
}
