"""Validate: block status, valid answers and issues for every selected submission.

Contract section 4. The rules themselves live in assets/validate/blocks.py and the Pandera
schemas of schemas/blocks.py; this module moves frames between them and the warehouse.
"""

import dagster as dg

from assets.expectations.checks import suite_check_result, suite_check_spec
from assets.expectations.suites import ANSWERS_SUITE
from assets.ingest.assets import FILE_ANSWERS, FILE_LEDGER, GRANT_REGISTER
from assets.tables import append_rows, preview, row_count
from assets.validate.blocks import validate_submissions
from pipelines.resources import Warehouse

BLOCK_STATUS = dg.AssetKey(["core", "block_status"])
ANSWERS = dg.AssetKey(["core", "answers"])
ISSUES = dg.AssetKey(["quality", "issues"])
SUBMISSIONS_PER_SLICE = 5_000


@dg.multi_asset(
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
)
def validated_blocks(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        for table in ("core.block_status", "core.answers", "core.block_issues"):
            con.execute(f"DELETE FROM {table}")
        submissions = con.sql(
            "SELECT path, sha256, kommunkod, ar FROM core.submissions ORDER BY ar, kommunkod"
        ).pl()
        # Submissions are independent of each other: validating them in slices bounds the
        # memory a large landing zone needs without changing any result.
        for start in range(0, submissions.height, SUBMISSIONS_PER_SLICE):
            submission_slice = submissions.slice(start, SUBMISSIONS_PER_SLICE)
            con.register("submission_slice", submission_slice)
            try:
                answers = con.sql(
                    """
                    SELECT a.sha256, a.question_id, a.answer_text, a.unparseable_message
                    FROM core.file_answers AS a
                    SEMI JOIN submission_slice AS s USING (sha256)
                    """
                ).pl()
            finally:
                con.unregister("submission_slice")
            validation = validate_submissions(submission_slice, answers)
            append_rows(con, "core.block_status", validation.block_status)
            append_rows(con, "core.answers", validation.answers)
            append_rows(con, "core.block_issues", validation.issues)
        status_counts = dict(
            con.execute(
                "SELECT status, count(*) FROM core.block_status GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        answer_rows = row_count(con, "core.answers")
        issue_counts = dict(
            con.execute(
                "SELECT severity, count(*) FROM quality.issues GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        rule_counts = con.execute(
            "SELECT rule, count(*) FROM quality.issues GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        issues_preview = preview(
            con,
            "SELECT path, block, question_id, rule, severity, message FROM quality.issues ORDER BY severity, path",
        )
        answers_suite = suite_check_result(ANSWERS_SUITE, con, context.run.run_id, warehouse)

    yield dg.MaterializeResult(
        asset_key=BLOCK_STATUS,
        metadata={
            "dagster/row_count": sum(status_counts.values()),
            **{f"blocks_{status}": count for status, count in status_counts.items()},
        },
    )
    yield dg.MaterializeResult(asset_key=ANSWERS, metadata={"dagster/row_count": answer_rows})
    yield dg.MaterializeResult(
        asset_key=ISSUES,
        metadata={
            "dagster/row_count": sum(issue_counts.values()),
            **{f"issues_{severity}": count for severity, count in issue_counts.items()},
            "issues_per_rule": dg.MetadataValue.md(
                "| rule | issues |\n| --- | --- |\n"
                + "\n".join(f"| {rule} | {count} |" for rule, count in rule_counts)
            ),
            "preview": dg.MetadataValue.md(issues_preview),
        },
    )
    yield answers_suite
