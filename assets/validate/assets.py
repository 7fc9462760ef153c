"""Validate: block status, valid answers and issues for every selected submission.

Contract section 4. The rules themselves live in assets/validate/blocks.py and the Pandera
schemas of schemas/blocks.py; this module moves frames between them and the warehouse.
"""

import dagster as dg

from assets.ingest.assets import FILE_ANSWERS, FILE_LEDGER, GRANT_REGISTER
from assets.tables import preview, replace_rows
from assets.validate.blocks import validate_submissions
from pipelines.resources import Warehouse

BLOCK_STATUS = dg.AssetKey(["core", "block_status"])
ANSWERS = dg.AssetKey(["core", "answers"])
ISSUES = dg.AssetKey(["quality", "issues"])


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
    group_name="validate",
)
def validated_blocks(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        submissions = con.sql("SELECT path, sha256, kommunkod, ar FROM core.submissions").pl()
        answers = con.sql(
            """
            SELECT a.sha256, a.question_id, a.answer_text
            FROM core.file_answers AS a
            WHERE a.sha256 IN (SELECT sha256 FROM core.submissions)
            """
        ).pl()
        validation = validate_submissions(submissions, answers)
        replace_rows(con, "core.block_status", validation.block_status)
        replace_rows(con, "core.answers", validation.answers)
        replace_rows(con, "core.block_issues", validation.issues)
        status_counts = dict(
            con.execute(
                "SELECT status, count(*) FROM core.block_status GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
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

    yield dg.MaterializeResult(
        asset_key=BLOCK_STATUS,
        metadata={
            "dagster/row_count": validation.block_status.height,
            **{f"blocks_{status}": count for status, count in status_counts.items()},
        },
    )
    yield dg.MaterializeResult(
        asset_key=ANSWERS, metadata={"dagster/row_count": validation.answers.height}
    )
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
