"""The disclosure audit as a blocking check of report/nyckeltal (contract section 10).

The key figures are disclosure-controlled once per build (assets/disclosure, the one home of the
rules) and audited in the staging warehouse: a hidden figure that the year's published figures
pin to an interval narrower than 2d fails the check, and a failing blocking check stops
kompetens_warehouse, so such a build is never published. The result is stored as
report.nyckeltal_publicerad, which the publication stage publishes as it is.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

from assets.disclosure.key_figures import key_figure_disclosure, read_key_figures
from assets.report.nyckeltal import NYCKELTAL

DISCLOSURE_AUDIT = "nyckeltal_disclosure_audit"
# Made empty by warehouse/sql/88_report_nyckeltal_publicerad.sql, filled by `store_published`.
PUBLISHED_KEY_FIGURES = "report.nyckeltal_publicerad"
DISCLOSURE_AUDIT_SPEC = dg.AssetCheckSpec(
    DISCLOSURE_AUDIT,
    asset=NYCKELTAL,
    blocking=True,
    description=(
        "No hidden key figure can be worked out from the published ones: per year, a linear "
        "programme over every published key figure (each as the interval its rounding allows, "
        "total = women + men, groups = the sums of their municipalities, täljare ≤ nämnare, "
        "values ≥ 0) leaves every hidden figure's täljare an interval at least 2d wide (d = 10 % "
        "of the value, at least 0.5 fte or person)."
    ),
)


def store_published(con: duckdb.DuckDBPyConnection, published: pl.DataFrame) -> None:
    """Fill report.nyckeltal_publicerad with the key figures after disclosure control."""
    con.register("published_key_figures", published)
    try:
        con.execute(
            f"INSERT INTO {PUBLISHED_KEY_FIGURES} BY NAME SELECT * FROM published_key_figures"
        )
    finally:
        con.unregister("published_key_figures")


def disclosure_audit_result(
    con: duckdb.DuckDBPyConnection, secondary_rounds: int | None = None
) -> tuple[pl.DataFrame, dg.AssetCheckResult]:
    """The key figures after disclosure control on the warehouse `con` holds, and the audit's
    result; `secondary_rounds=0` switches the secondary suppression off (the tests show the check
    then fails)."""
    disclosure = key_figure_disclosure(*read_key_figures(con), secondary_rounds=secondary_rounds)
    intervals = [
        interval
        for suppression in disclosure.suppressions.values()
        for interval in suppression.intervals
    ]
    failing = [interval for interval in intervals if not interval.passed]
    narrowest = min(intervals, key=lambda i: (i.high - i.low) / i.required, default=None)

    def described(interval) -> dict:
        return {
            "figure": interval.key,
            "value": round(interval.value, 2),
            "low": round(interval.low, 3),
            "high": None if interval.high == float("inf") else round(interval.high, 3),
            "required_width": round(interval.required, 3),
        }

    return disclosure.frame, dg.AssetCheckResult(
        check_name=DISCLOSURE_AUDIT,
        asset_key=NYCKELTAL,
        passed=not failing,
        metadata={
            "hidden": len(intervals),
            "hidden_by_secondary": sum(len(s.secondary) for s in disclosure.suppressions.values()),
            "failing": len(failing),
            "per_year": {
                str(ar): {"hidden": len(s.hidden), "secondary": len(s.secondary)}
                for ar, s in disclosure.suppressions.items()
            },
            "narrowest": described(narrowest) if narrowest else None,
            "first_failing": [described(i) for i in failing[:50]],
            "hidden_intervals": [described(i) for i in sorted(intervals, key=lambda i: i.key)],
        },
    )
