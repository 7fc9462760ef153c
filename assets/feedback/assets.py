"""Feedback: control reports per submission file and the warehouse data dictionary.

Both read (and the dictionary writes comments into) the run's staging warehouse, and write their
files into the run's staging publication (`kontrollrapporter/`, `README.md`), which the publish
asset swaps in whole once the blocking checks have passed: readers find them beside the warehouse
file (`<warehouse dir>/kontrollrapporter/`, `<warehouse dir>/README.md`), always of the same
build as the warehouse.
"""

import dagster as dg

from assets.feedback.control_reports import LedgerFile, Problem, update_control_reports
from assets.feedback.dictionary import (
    comment_columns_from_reference,
    dictionary_markdown,
    uncommented,
)
from assets.ingest.assets import FILE_ANSWERS, FILE_LEDGER, GRANT_REGISTER
from assets.report.assets import REFERENCE, REPORT_TABLES
from assets.tables import row_count
from assets.validate.assets import ANSWERS, BLOCK_STATUS, ISSUES
from pipelines.resources import WAREHOUSE_POOL, Warehouse

CONTROL_REPORTS = dg.AssetKey(["feedback", "kontrollrapporter"])
DATA_DICTIONARY = dg.AssetKey(["feedback", "data_dictionary"])
FEEDBACK_ASSETS = [CONTROL_REPORTS, DATA_DICTIONARY]
CONTROL_REPORTS_FOLDER = "kontrollrapporter"
DICTIONARY_FILE = "README.md"


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=CONTROL_REPORTS,
    deps=[FILE_LEDGER, ISSUES, BLOCK_STATUS, REFERENCE],
    group_name="feedback",
    description=(
        "A control report in Swedish (HTML and Markdown) for every file of the ledger, with its "
        "problems and the status of each block of a selected file, under "
        "<warehouse dir>/kontrollrapporter/<ar>/, and an index of the municipalities with their "
        "worst severity."
    ),
)
def kontrollrapporter(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        ledger = [
            LedgerFile(*row)
            for row in con.execute(
                """
                SELECT l.path, l.kommunkod, m.kommun, l.ar, l.inlamnad, l.status, l.reason_code,
                       l.message
                FROM quality.file_ledger AS l
                LEFT JOIN ref.municipalities AS m USING (kommunkod)
                ORDER BY l.path
                """
            ).fetchall()
        ]
        problems: dict[str, list[Problem]] = {}
        for path, *problem in con.execute(
            """
            SELECT i.path, i.severity, i.rule, i.block, i.question_id, q.label_sv, i.value, i.message
            FROM quality.issues AS i
            LEFT JOIN ref.questions AS q USING (question_id)
            WHERE i.path IN (SELECT path FROM quality.file_ledger)
            -- A fixed order: a report lists problems of equal rank in the order read, and a
            -- year rebuilt alone may store its issues in another order than a cold build.
            ORDER BY ALL
            """
        ).fetchall():
            problems.setdefault(path, []).append(Problem(*problem))
        blocks: dict[str, dict[str, str]] = {}
        for path, block, status in con.execute(
            "SELECT path, block, status FROM core.block_status"
        ).fetchall():
            blocks.setdefault(path, {})[block] = status
    target = warehouse.staging_publication(context) / CONTROL_REPORTS_FOLDER
    # The reports whose inputs did not change are linked from the current publication's.
    written = update_control_reports(
        target,
        ledger,
        problems,
        blocks,
        previous=warehouse.current_publication / CONTROL_REPORTS_FOLDER,
    )
    return dg.MaterializeResult(
        metadata={
            # quality.file_ledger_kommun's rows, the asset's table (pipelines/asset_catalog.py).
            "dagster/row_count": len(ledger),
            "reports": len(ledger),
            # Made anew (a changed ledger row, its problems or blocks) or linked unchanged from
            # the published set (assets/incremental.py); the index counts as one.
            "reports_made": len(written.made),
            "reports_reused": len(written.reused),
            "folder": dg.MetadataValue.path(str(target)),
        }
    )


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=DATA_DICTIONARY,
    deps=[FILE_LEDGER, FILE_ANSWERS, GRANT_REGISTER, BLOCK_STATUS, ANSWERS, ISSUES, *REPORT_TABLES],
    group_name="feedback",
    description=(
        "Comments on the columns named from the reference: those of report.table_01 … table_14 "
        "(the published headings) and of core.answers_wide (the questions); and "
        "<warehouse dir>/README.md listing every table, view and column with its comment."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            "every_column_commented",
            asset=DATA_DICTIONARY,
            description="Every table, view and column of ref, core, quality and report has a comment.",
        )
    ],
)
def data_dictionary(context: dg.AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect(context) as con:
        commented = comment_columns_from_reference(con)
        missing = uncommented(con)
        text = dictionary_markdown(con)
        # The asset's table (pipelines/asset_catalog.py): the one whose columns it comments.
        answers_wide = row_count(con, "core.answers_wide")
    target = warehouse.staging_publication(context) / DICTIONARY_FILE
    target.write_text(text, encoding="utf-8")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": answers_wide,
            "columns_commented_from_reference": commented,
            "path": dg.MetadataValue.path(str(target)),
        }
    )
    yield dg.AssetCheckResult(
        check_name="every_column_commented",
        passed=not missing,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"uncommented": missing[:50], "uncommented_count": len(missing)},
    )
