"""The disclosure audit as a blocking check of report/nyckeltal (contract section 10).

The key figures and the breakdowns by county and SKR group are disclosure-controlled once per
build (assets/disclosure, the one home of the rules), one audit model per year over both and the
nation's cells of every report table (published as they are), and audited in the staging
warehouse: a hidden figure that the year's published figures pin to an interval narrower than 2d
fails the check, and a failing blocking check stops kompetens_warehouse, so such a build is never
published. The result is stored as report.nyckeltal_publicerad and
report.breakdown_cells_publicerad, which the publication stage publishes as they are, and per
year with the digest of all it read (report.nyckeltal_publicerad_inputs): a year whose digest is
unchanged keeps its stored result, audit included, and is not solved again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import dagster as dg
import duckdb
import polars as pl

from assets.disclosure import Disclosure
from assets.disclosure.audit import Interval
from assets.disclosure.breakdowns import BreakdownInputs, read_breakdowns
from assets.disclosure.key_figures import key_figure_disclosure, read_key_figures
from assets.report.nyckeltal import NYCKELTAL
from assets.source_code import files_digest, library_versions, project_modules

DISCLOSURE_AUDIT = "disclosure_audit"
# Made empty by warehouse/sql/88_report_nyckeltal_publicerad.sql, filled by `store_published`.
PUBLISHED_KEY_FIGURES = "report.nyckeltal_publicerad"
# Made empty by warehouse/sql/88_report_breakdown_cells_publicerad.sql, filled with the above.
PUBLISHED_BREAKDOWNS = "report.breakdown_cells_publicerad"
# Made empty by warehouse/sql/89_report_nyckeltal_publicerad_inputs.sql, filled with the above.
PUBLISHED_INPUTS = "report.nyckeltal_publicerad_inputs"
# The code a year's result comes from: the disclosure modules with the project modules they
# import, and this module, which keeps a stored result or solves.
DISCLOSURE_MODULES = ("assets.disclosure.key_figures", "assets.disclosure.breakdowns", __name__)
DISCLOSURE_AUDIT_SPEC = dg.AssetCheckSpec(
    DISCLOSURE_AUDIT,
    asset=NYCKELTAL,
    blocking=True,
    description=(
        "No hidden key figure or breakdown cell can be worked out from the published figures: "
        "per year, a linear programme over every published key figure, every breakdown cell "
        "by county and SKR group and every national cell of Tables 1–14 (each as the interval "
        "its rounding allows, total = women + men, "
        "groups = the sums of their municipalities, täljare ≤ nämnare, a share = täljare / "
        "nämnare, values ≥ 0) leaves every hidden figure's täljare an interval at least 2d wide "
        "(d = 10 % of the value, at least 0.5 fte or person). A year whose inputs, settings and "
        "code are those of the last build keeps that build's result (reused_years)."
    ),
)


@dataclass(frozen=True)
class YearAudit:
    """One year's disclosure result besides its rows: what it read, and its audit."""

    digest: str
    hidden: int
    secondary: int
    intervals: list[Interval]


@dataclass(frozen=True)
class PublishedKeyFigures:
    frame: pl.DataFrame  # the key figures as published, year by year
    breakdowns: pl.DataFrame  # the breakdowns as published, year by year
    audits: dict[int, YearAudit]
    reused: list[int]  # the years whose stored result was kept


# A stored year: its audit, its published key figures and its published breakdown cells.
StoredYears = dict[int, tuple[YearAudit, pl.DataFrame, pl.DataFrame]]


def disclosure_code_version() -> str:
    """The source of DISCLOSURE_MODULES (and the project modules they import) and the versions
    of the libraries they import (the solver's among them). Derived, never bumped."""
    code = project_modules(DISCLOSURE_MODULES)
    parts = (files_digest(code), *library_versions(code.values()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def year_digests(
    nyckeltal: pl.DataFrame,
    groups: pl.DataFrame,
    definitions: pl.DataFrame,
    breakdowns: BreakdownInputs,
    secondary_rounds: int | None,
) -> dict[int, str]:
    """Per year, a hash of all its disclosure result depends on: the year's key figures in the
    order read (the order of the solver's rows), the groups of its municipalities, the key-figure
    definitions, the year's breakdown cells, which municipalities each counts and their answers,
    the settings and the code."""
    shared = (
        disclosure_code_version(),
        repr(secondary_rounds),
        _frame_text(definitions),
        repr(sorted(breakdowns.level_keys.items())),
    )
    digests = {}
    years = set(nyckeltal["ar"].unique().to_list()) | set(breakdowns.years)
    for ar in sorted(years):
        year = nyckeltal.filter(pl.col("ar") == ar)
        cells = breakdowns.of_years([ar])
        kommuner = pl.concat([year["kommunkod"], cells.members["kommunkod"]])
        members = groups.filter(pl.col("kommunkod").is_in(kommuner.implode()))
        digest = hashlib.sha256()
        for part in (
            *shared,
            _frame_text(year),
            _frame_text(members.sort(members.columns)),
            *(_frame_text(frame) for frame in (cells.cells, cells.members, cells.answers)),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        digests[ar] = digest.hexdigest()
    return digests


def _frame_text(frame: pl.DataFrame) -> str:
    return f"{frame.schema}\n{frame.write_csv()}"


def stored_years(con: duckdb.DuckDBPyConnection) -> StoredYears:
    """The last build's result per year, read before the report's SQL empties its tables. Only
    a year whose rows are stored beside its digest: a build stopped between the two SQL files
    leaves the digests without the rows."""
    try:
        inputs = con.sql(f"SELECT * FROM {PUBLISHED_INPUTS}").pl()
        rows = con.sql(f"SELECT * FROM {PUBLISHED_KEY_FIGURES}").pl()
        cells = con.sql(f"SELECT * FROM {PUBLISHED_BREAKDOWNS}").pl()
    except duckdb.CatalogException:  # a warehouse built before the result was kept per year
        return {}
    stored = {}
    for ar, digest, hidden, secondary, intervals in inputs.iter_rows():
        year_rows = rows.filter(pl.col("ar") == ar)
        year_cells = cells.filter(pl.col("ar") == ar)
        if year_rows.height or year_cells.height:
            kept = [Interval(*(i[name] for name in _INTERVAL_FIELDS)) for i in intervals]
            stored[ar] = (YearAudit(digest, hidden, secondary, kept), year_rows, year_cells)
    return stored


def published_key_figures(
    con: duckdb.DuckDBPyConnection,
    stored: StoredYears | None = None,
    secondary_rounds: int | None = None,
) -> PublishedKeyFigures:
    """The key figures after disclosure control on the warehouse `con` holds: a year whose
    digest is the stored one keeps its `stored` result, every other year is solved."""
    nyckeltal, groups, definitions = read_key_figures(con)
    breakdowns = read_breakdowns(con)
    digests = year_digests(nyckeltal, groups, definitions, breakdowns, secondary_rounds)
    stored = stored or {}
    reused = [
        ar for ar, digest in digests.items() if ar in stored and stored[ar][0].digest == digest
    ]
    solved_years = [ar for ar in digests if ar not in reused]
    solved = key_figure_disclosure(
        nyckeltal.filter(pl.col("ar").is_in(solved_years)),
        groups,
        definitions,
        secondary_rounds,
        breakdowns.of_years(solved_years),
    )
    audits, frames, cells = {}, [solved.frame.clear()], [solved.breakdowns.clear()]
    for ar, digest in digests.items():
        if ar in reused:
            audit, rows, year_cells = stored[ar]
        else:
            suppression = solved.suppressions[ar]
            audit = YearAudit(
                digest, len(suppression.hidden), len(suppression.secondary), suppression.intervals
            )
            rows = solved.frame.filter(pl.col("ar") == ar)
            year_cells = solved.breakdowns.filter(pl.col("ar") == ar)
        audits[ar] = audit
        frames.append(rows)
        cells.append(year_cells)
    return PublishedKeyFigures(
        pl.concat(frames, how="vertical_relaxed"),
        pl.concat(cells, how="vertical_relaxed"),
        audits,
        reused,
    )


def store_published(con: duckdb.DuckDBPyConnection, published: PublishedKeyFigures) -> None:
    """Fill report.nyckeltal_publicerad with the key figures after disclosure control, and
    report.nyckeltal_publicerad_inputs with each year's digest and audit, in one transaction."""
    inputs = pl.DataFrame(
        [
            {
                "ar": ar,
                "digest": audit.digest,
                "hidden": audit.hidden,
                "secondary": audit.secondary,
                "intervals": [
                    dict(zip(_INTERVAL_FIELDS, (i.key, i.value, i.low, i.high, i.required)))
                    for i in audit.intervals
                ],
            }
            for ar, audit in published.audits.items()
        ],
        schema=_INPUTS_SCHEMA,
    )
    con.register("published_key_figures", published.frame)
    con.register("published_breakdowns", published.breakdowns)
    con.register("published_inputs", inputs)
    try:
        con.begin()
        con.execute(
            f"INSERT INTO {PUBLISHED_KEY_FIGURES} BY NAME SELECT * FROM published_key_figures"
        )
        con.execute(
            f"INSERT INTO {PUBLISHED_BREAKDOWNS} BY NAME SELECT * FROM published_breakdowns"
        )
        con.execute(f"INSERT INTO {PUBLISHED_INPUTS} BY NAME SELECT * FROM published_inputs")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("published_key_figures")
        con.unregister("published_breakdowns")
        con.unregister("published_inputs")


# An interval as stored: exact, so a kept year's audit is the one a solve gives.
_INTERVAL_FIELDS = ("figure", "value", "low", "high", "required_width")
_INPUTS_SCHEMA = {
    "ar": pl.Int32,
    "digest": pl.String,
    "hidden": pl.Int32,
    "secondary": pl.Int32,
    "intervals": pl.List(
        pl.Struct({"figure": pl.String, **dict.fromkeys(_INTERVAL_FIELDS[1:], pl.Float64)})
    ),
}


def _described(interval: Interval) -> dict:
    """An interval as the check's metadata shows it."""
    return {
        "figure": interval.key,
        "value": round(interval.value, 2),
        "low": round(interval.low, 3),
        "high": None if interval.high == float("inf") else round(interval.high, 3),
        "required_width": round(interval.required, 3),
    }


def disclosure_audit_result(
    con: duckdb.DuckDBPyConnection,
    secondary_rounds: int | None = None,
    stored: StoredYears | None = None,
) -> tuple[PublishedKeyFigures, dg.AssetCheckResult]:
    """The key figures after disclosure control on the warehouse `con` holds (`stored` years
    kept where their inputs are unchanged), and the audit's result; `secondary_rounds=0`
    switches the secondary suppression off (the tests show the check then fails)."""
    published = published_key_figures(con, stored, secondary_rounds)
    intervals = [i for audit in published.audits.values() for i in audit.intervals]
    failing = [interval for interval in intervals if not interval.passed]
    narrowest = min(intervals, key=lambda i: (i.high - i.low) / i.required, default=None)
    return published, dg.AssetCheckResult(
        check_name=DISCLOSURE_AUDIT,
        asset_key=NYCKELTAL,
        passed=not failing,
        metadata={
            "hidden": len(intervals),
            "hidden_by_secondary": sum(audit.secondary for audit in published.audits.values()),
            "failing": len(failing),
            "per_year": {
                str(ar): {
                    "hidden": audit.hidden,
                    "secondary": audit.secondary,
                    "reused": ar in published.reused,
                }
                for ar, audit in published.audits.items()
            },
            "hidden_per_output": _hidden_per_output(published),
            "reused_years": published.reused,
            "solved_years": [ar for ar in published.audits if ar not in published.reused],
            "narrowest": _described(narrowest) if narrowest else None,
            "first_failing": [_described(i) for i in failing[:50]],
            "hidden_intervals": [_described(i) for i in sorted(intervals, key=lambda i: i.key)],
        },
    )


def _hidden_per_output(published: PublishedKeyFigures) -> dict[str, dict[str, int]]:
    """Per output, its hidden figures by why: the key-figure rows per place, the breakdown cells
    per dimension."""
    hidden = [Disclosure.PRIMARY.value, Disclosure.SECONDARY.value]
    outputs = [
        ("nyckeltal", published.frame, "dimension"),
        ("breakdowns", published.breakdowns, "dimension"),
    ]
    counts: dict[str, dict[str, int]] = {}
    for name, frame, by in outputs:
        for place, disclosure, n in (
            frame.filter(pl.col("disclosure").is_in(hidden))
            .group_by(by, "disclosure")
            .len()
            .sort(by, "disclosure")
            .iter_rows()
        ):
            counts.setdefault(f"{name} {place}", {})[disclosure] = n
    return counts
