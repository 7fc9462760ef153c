"""Validate: block status, valid answers and issues for every selected submission.

Contract section 4. The rules themselves live in assets/validate/blocks.py and the Pandera
schemas of schemas/blocks.py; this module moves frames between them and the warehouse.
"""

import dagster as dg

from assets.expectations.checks import suite_check_result, suite_check_spec
from assets.expectations.suites import ANSWERS_SUITE
from assets.ingest.assets import (
    FILE_ANSWERS,
    FILE_LEDGER,
    GRANT_REGISTER,
    PATH_IN_RUN_YEARS,
    YEAR_OF_PATH,
    register_run_years,
)
from assets.tables import append_rows, preview, row_count
from assets.validate.blocks import validate_slices
from pipelines.partitions import YEAR_BACKFILL_POLICY, YEAR_PARTITIONS
from pipelines.resources import WAREHOUSE_POOL, Warehouse

BLOCK_STATUS = dg.AssetKey(["core", "block_status"])
ANSWERS = dg.AssetKey(["core", "answers"])
ISSUES = dg.AssetKey(["quality", "issues"])
SUBMISSIONS_PER_SLICE = 5_000


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[
        dg.AssetSpec(
            BLOCK_STATUS,
            deps=[FILE_LEDGER, FILE_ANSWERS],
            description="not_answered / valid / invalid for each block of each selected submission.",
        ),
        dg.AssetSpec(
            ANSWERS,
            deps=[FILE_LEDGER, FILE_ANSWERS],
            description="The typed answers of valid blocks: what the report tables read.",
        ),
        dg.AssetSpec(
            ISSUES,
            deps=[FILE_LEDGER, FILE_ANSWERS, GRANT_REGISTER],
            description="Every problem found, one row each, with a message a municipality can act on.",
        ),
    ],
    check_specs=[suite_check_spec(ANSWERS_SUITE)],
    group_name="validate",
    partitions_def=YEAR_PARTITIONS,
    backfill_policy=YEAR_BACKFILL_POLICY,
)
def validated_blocks(context: dg.AssetExecutionContext, warehouse: Warehouse):
    years = sorted(int(key) for key in context.partition_keys)
    with warehouse.connect(context) as con:
        register_run_years(con, years)
        # A submission's ar is its year folder's: the ledger rejects any other (year_mismatch).
        for table in ("core.block_status", "core.answers", "core.block_issues"):
            con.execute(f"DELETE FROM {table} WHERE ar IN (SELECT ar FROM run_years)")
        submissions = con.sql(
            "SELECT path, sha256, kommunkod, ar FROM core.submissions "
            "WHERE ar IN (SELECT ar FROM run_years) ORDER BY ar, kommunkod"
        ).pl()

        # Submissions are independent of each other: validating them in slices bounds the
        # memory a large landing zone needs, and lets the slices use every core, without
        # changing any result.
        def slices():
            for start in range(0, submissions.height, SUBMISSIONS_PER_SLICE):
                submission_slice = submissions.slice(start, SUBMISSIONS_PER_SLICE)
                con.register("submission_slice", submission_slice)
                try:
                    answers = con.sql(
                        """
                        SELECT a.sha256, a.question_id, a.answer_text, a.unparseable_message,
                               a.line, a.withheld_rule
                        FROM core.file_answers AS a
                        SEMI JOIN submission_slice AS s USING (sha256)
                        """
                    ).pl()
                finally:
                    con.unregister("submission_slice")
                yield submission_slice, answers

        slice_count = -(-submissions.height // SUBMISSIONS_PER_SLICE)
        for validation in validate_slices(slices(), slice_count):
            append_rows(con, "core.block_status", validation.block_status)
            append_rows(con, "core.answers", validation.answers)
            append_rows(con, "core.block_issues", validation.issues)
        per_year = {
            (table, ar, kind): count
            for table, ar, kind, count in con.execute(
                f"""
                SELECT 'block_status', ar, status, count(*) FROM core.block_status
                WHERE ar IN (SELECT ar FROM run_years) GROUP BY ALL
                UNION ALL
                SELECT 'answers', ar, '', count(*) FROM core.answers
                WHERE ar IN (SELECT ar FROM run_years) GROUP BY ALL
                UNION ALL
                SELECT 'issues', {YEAR_OF_PATH}, severity, count(*) FROM quality.issues
                WHERE {PATH_IN_RUN_YEARS} GROUP BY ALL
                """
            ).fetchall()
        }
        rule_counts = con.execute(
            f"SELECT rule, count(*) FROM quality.issues WHERE {PATH_IN_RUN_YEARS} "
            "GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        issues_preview = preview(
            con,
            "SELECT path, block, question_id, rule, severity, message FROM quality.issues "
            f"WHERE {PATH_IN_RUN_YEARS} ORDER BY severity, path",
        )
        # Every year's rows, as the tables hold them after this run.
        totals = {
            key: row_count(con, table)
            for key, table in (
                (BLOCK_STATUS, "core.block_status"),
                (ANSWERS, "core.answers"),
                (ISSUES, "quality.issues"),
            )
        }
        answers_suite = suite_check_result(ANSWERS_SUITE, con, context.run.run_id, warehouse)

    # Each year's own counts, on that year's partition in the UI.
    for ar in years:
        for asset_key, table, prefix in (
            (BLOCK_STATUS, "block_status", "blocks_"),
            (ANSWERS, "answers", None),
            (ISSUES, "issues", "issues_"),
        ):
            counts = {
                kind: n for (name, year, kind), n in per_year.items() if (name, year) == (table, ar)
            }
            context.add_asset_metadata(
                {
                    "dagster/partition_row_count": sum(counts.values()),
                    **(
                        {f"{prefix}{kind}": n for kind, n in sorted(counts.items())}
                        if prefix
                        else {}
                    ),
                },
                asset_key=asset_key,
                partition_key=str(ar),
            )
    yield dg.MaterializeResult(
        asset_key=BLOCK_STATUS, metadata={"dagster/row_count": totals[BLOCK_STATUS]}
    )
    yield dg.MaterializeResult(asset_key=ANSWERS, metadata={"dagster/row_count": totals[ANSWERS]})
    yield dg.MaterializeResult(
        asset_key=ISSUES,
        metadata={
            "dagster/row_count": totals[ISSUES],
            "issues_per_rule": dg.MetadataValue.md(
                "| rule | issues |\n| --- | --- |\n"
                + "\n".join(f"| {rule} | {count} |" for rule, count in rule_counts)
            ),
            "preview": dg.MetadataValue.md(issues_preview),
        },
    )
    yield answers_suite
