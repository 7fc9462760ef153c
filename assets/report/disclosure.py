"""The disclosure audit as a blocking check of report/nyckeltal (contract section 10).

The key figures are disclosure-controlled as they will be published (assets/disclosure, the one
home of the rules, which the publication stage applies to the same report.nyckeltal after the
swap) and audited in the staging warehouse: a hidden figure that the year's published figures
pin to an interval narrower than 2d fails the check, and a failing blocking check stops
kompetens_warehouse, so such a build is never published.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from assets.disclosure.key_figures import key_figure_disclosure, read_key_figures
from assets.report.nyckeltal import NYCKELTAL

DISCLOSURE_AUDIT = "nyckeltal_disclosure_audit"
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


def disclosure_audit_result(
    con: duckdb.DuckDBPyConnection, secondary_rounds: int | None = None
) -> dg.AssetCheckResult:
    """The audit's result on the warehouse `con` holds; `secondary_rounds=0` switches the
    secondary suppression off (the tests show the check then fails)."""
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

    return dg.AssetCheckResult(
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
