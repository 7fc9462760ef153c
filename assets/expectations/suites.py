"""The expectation suites that guard the warehouse, as plain data (no Great Expectations import).

Pandera guards each submission on its way in (assets/validate); these suites guard the tables
as they stand after each stage, so a broken warehouse is never published and analysts get a
readable validation report (Great Expectations Data Docs).

One suite per guarded table. Each suite is run on the frame its `sql` reads from the run's
staging warehouse; `row_identity` names the columns that tell a person which rows failed.
An expectation is `blocking` when it is a structural guarantee of the contract: if it fails,
the check fails with severity ERROR and stops the publication. The others are statistical: a
failure is a WARN for a person to look at, and the warehouse is still published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.catalog import load_catalog, municipality_codes
from schemas.contract import (
    GRANT_PURPOSES,
    LEDGER_STATUSES,
    RECONCILED_STATUSES,
    RECONCILIATION_STATUSES,
    REJECTED,
    REJECTION_REASONS,
    SELECTED,
)

# At most two decimals, as fte answers are rounded on reading (contract section 2). Tested on
# DuckDB's shortest text form of the double, so 12.300000000000001 fails and 12.3 passes.
AT_MOST_TWO_DECIMALS = r"^-?\d+(?:\.\d{1,2})?$"


@dataclass(frozen=True)
class Expectation:
    kind: str  # a class name of great_expectations.expectations
    kwargs: dict
    blocking: bool
    only_where: tuple[str, object] | None = None  # (column, value): validate only those rows


@dataclass(frozen=True)
class Suite:
    table: str  # the guarded table, "schema.name"; also the suite's name in the Data Docs
    asset_key: tuple[str, ...]  # the asset that writes the table
    description: str
    sql: str
    row_identity: tuple[str, ...]
    expectations: tuple[Expectation, ...] = field(default_factory=tuple)

    @property
    def check_name(self) -> str:
        return f"{self.table.split('.')[1]}_expectations"

    @property
    def blocking(self) -> bool:
        return any(expectation.blocking for expectation in self.expectations)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # e.g. "expect_column_values_to_be_in_set(status)"
    blocking: bool
    success: bool
    unexpected_count: int | None
    unexpected_values: list  # GX's partial_unexpected_list
    failing_rows: list[dict]  # the row_identity columns of failing rows (the first few)


@dataclass(frozen=True)
class SuiteOutcome:
    """What validating a suite found, in plain Python: it crosses from the helper process."""

    rows_validated: int
    expectations: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.expectations if not outcome.success]


def _fte_question_ids() -> list[str]:
    return sorted(q.question_id for q in load_catalog().questions.values() if q.kind == "fte")


def _sql_list(values: list[str]) -> str:
    # Catalog ids are plain snake_case; quoting guards against a stray apostrophe anyway.
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


FILE_LEDGER_SUITE = Suite(
    table="quality.file_ledger",
    asset_key=("quality", "file_ledger"),
    description=(
        "Every ledger status and reason code is one of the contract's; a rejected file says "
        "why; at most one selected submission per (kommunkod, ar)."
    ),
    sql="SELECT path, kommunkod, ar, status, reason_code FROM quality.file_ledger",
    row_identity=("path",),
    expectations=(
        Expectation("ExpectColumnValuesToNotBeNull", {"column": "status"}, blocking=True),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "status", "value_set": list(LEDGER_STATUSES)},
            blocking=True,
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "reason_code", "value_set": list(REJECTION_REASONS)},
            blocking=True,
        ),
        Expectation(
            "ExpectColumnValuesToNotBeNull",
            {"column": "reason_code"},
            blocking=True,
            only_where=("status", REJECTED),
        ),
        Expectation(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["kommunkod", "ar"]},
            blocking=True,
            only_where=("status", SELECTED),
        ),
    ),
)

GRANT_REGISTER_SUITE = Suite(
    table="core.grant_register",
    asset_key=("core", "grant_register"),
    description=(
        "Every kommunkod of the grant registers is one of the 290 and every purpose one of the "
        "contract's. (That each appears once per year and purpose is the table's primary key.)"
    ),
    sql="SELECT ar, kommunkod, andamal FROM core.grant_register",
    row_identity=("ar", "kommunkod", "andamal"),
    expectations=(
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "kommunkod", "value_set": sorted(municipality_codes())},
            blocking=True,
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "andamal", "value_set": list(GRANT_PURPOSES)},
            blocking=True,
        ),
    ),
)

ANSWERS_SUITE = Suite(
    table="core.answers",
    asset_key=("core", "answers"),
    description=(
        "Every fte answer (årsarbetare) is non-negative with at most two decimals. Validated per "
        "distinct value, with how many answers have it and the first of them: both expectations "
        "are about the value alone, and a million-submission landing zone has tens of millions "
        "of fte answers but only thousands of values."
    ),
    sql=(
        "SELECT CAST(value AS VARCHAR) AS value_as_text, any_value(value) AS value, "
        "count(*) AS answers, "
        "min(kommunkod || ' ' || ar || ' ' || question_id) AS first_answer "
        f"FROM core.answers WHERE question_id IN ({_sql_list(_fte_question_ids())}) "
        "GROUP BY value_as_text"
    ),
    row_identity=("first_answer", "answers"),
    expectations=(
        Expectation(
            "ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0}, blocking=False
        ),
        Expectation(
            "ExpectColumnValuesToMatchRegex",
            {"column": "value_as_text", "regex": AT_MOST_TWO_DECIMALS},
            blocking=False,
        ),
    ),
)

TABLES_LONG_SUITE = Suite(
    table="report.tables_long",
    asset_key=("report", "tables_long"),
    description=(
        "Each cell (table_id, row_key, col_key) once; every share (col_key *_andel) is between "
        "0 and 100. Whether a published cell has a value is the check published_cells_recomputed."
    ),
    sql="""
        SELECT table_id, row_key, col_key,
               CASE WHEN ends_with(col_key, '_andel') THEN value END AS share
        FROM report.tables_long
    """,
    row_identity=("table_id", "row_key", "col_key"),
    expectations=(
        Expectation(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["table_id", "row_key", "col_key"]},
            blocking=True,
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "share", "min_value": 0, "max_value": 100},
            blocking=False,
        ),
    ),
)

RECONCILIATION_SUITE = Suite(
    table="report.reconciliation",
    asset_key=("report", "reconciliation"),
    description=(
        "Every published cell is match or within_tolerance, except the cells the published "
        "report is known to get wrong (ref.known_errata, contract section 9)."
    ),
    sql="""
        SELECT coalesce(table_id, 'text') AS table_id, row_key, col_key, status,
               note IS NOT NULL AS known_erratum
        FROM report.reconciliation
    """,
    row_identity=("table_id", "row_key", "col_key"),
    expectations=(
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "status", "value_set": list(RECONCILIATION_STATUSES)},
            blocking=False,
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "status", "value_set": list(RECONCILED_STATUSES)},
            blocking=False,
            only_where=("known_erratum", False),
        ),
    ),
)
