"""Tables 1–14 computed a second time, in plain pandas, to weigh the report SQL against (project
issue 8, item 6).

Run from the project root: `.venv/bin/python -m tools.bench.pandas_tables WAREHOUSE [--runs N]`.

Input boundary: both sides start from the tables that the ingest and validate stages and the
reference load leave in the warehouse, and nothing else:

- `core.submissions`, `core.grant_register` (ingest); `core.block_status`, `core.answers`
  (validate);
- `ref.questions`, `ref.report_tables`, `ref.report_subareas`, `ref.published_tables`,
  `ref.final_inventory_year` (`assets.report.build.load_reference`).

The DuckDB side is the report SQL from there to `report.tables_long`: the files of `warehouse/sql/`
through 40_report_tables_long.sql (macros, participation, final inventory year, earlier
participants, population, counted blocks, block counts, question totals, tables_long), run by
`assets.report.build.build_report(con, through=...)`. The pandas side is `tables_long` below: the same
definitions (contract sections 5 and 7) in the same steps, written the way an analyst would write
them in pandas, untuned.

What the ratio compares: DuckDB writes every intermediate table to the database file, with its
comments, as the pipeline does, and may use every core; pandas keeps everything in memory in one
thread. Reading the inputs into pandas (`load_inputs`) is not timed; DuckDB's inputs are already in
its database.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.report.build import build_report

TABLES_LONG_SQL_FILE = "40_report_tables_long.sql"

INPUT_TABLES = (
    "core.submissions",
    "core.grant_register",
    "core.block_status",
    "core.answers",
    "ref.questions",
    "ref.report_tables",
    "ref.report_subareas",
    "ref.published_tables",
    "ref.final_inventory_year",
)

CELL_KEYS = ["table_id", "row_key", "col_key"]
CELL_COLUMNS = [*CELL_KEYS, "value"]
# As DuckDB hands `report.tables_long` to pandas, also when there are no rows to infer them from.
CELL_DTYPES = {"table_id": "str", "row_key": "str", "col_key": "str", "value": "float64"}
POPULATION_ROW = ["population", "ar"]

# The report's column word for a competence level: the question ids say `grund`, the tables
# `grundlaggande_antal` / `grundlaggande_andel`.
LEVEL_KEYS = {"grund": "grundlaggande"}

# Two figures agree when they differ by at most this fraction of the larger: the two sides add the
# same numbers in different orders.
RELATIVE_TOLERANCE = 1e-9


def load_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The input tables (module docstring), keyed by their name without schema: `answers`, ..."""
    return {name.split(".")[1]: con.sql(f"SELECT * FROM {name}").df() for name in INPUT_TABLES}


def tables_long(inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`report.tables_long` from `load_inputs`: table_id, row_key, col_key, value (NaN for NULL),
    one row per cell of Tables 1–14, sorted by the keys."""
    questions = inputs["questions"]
    final_year = inputs["final_inventory_year"]["ar"].iloc[0]
    population = _population(inputs["submissions"], inputs["grant_register"], final_year)
    counted_blocks = population.merge(
        inputs["block_status"].loc[inputs["block_status"]["status"] == "valid", ["path", "block"]],
        on="path",
    )
    form_questions = _form_questions(
        _population_rows(inputs["grant_register"], final_year), questions
    )
    block_counts = _block_counts(form_questions, counted_blocks)
    question_totals = _question_totals(form_questions, counted_blocks, inputs["answers"])

    final_totals = question_totals[question_totals["population"] == "final"].merge(
        questions[["question_id", "subarea", "level"]], on="question_id"
    )
    final_counts = block_counts.loc[block_counts["population"] == "final", ["block", "n_kommuner"]]
    report_tables = inputs["report_tables"]
    computed = pd.concat(
        [
            _block_sum_cells(report_tables, final_totals, final_counts),
            _subarea_cells(report_tables, inputs["report_subareas"], final_totals, final_counts),
            _area_cells(report_tables, inputs["report_subareas"], final_totals, final_counts),
            _year_cells(report_tables, question_totals, block_counts, questions),
        ],
        ignore_index=True,
    )
    return _with_every_published_key(computed, inputs["published_tables"])


def _population(
    submissions: pd.DataFrame, grant_register: pd.DataFrame, final_year: int
) -> pd.DataFrame:
    """core.population: population (final | first_year), ar, kommunkod and path of each submission
    counted in a row population (contract section 5), final_year being the setting F."""
    participation = (
        grant_register.assign(
            participated=grant_register["rekvirerat_sek"] > grant_register["aterbetalt_sek"]
        )
        .groupby(["kommunkod", "ar"], as_index=False)["participated"]
        .any()
    )
    participated = participation[participation["participated"]]

    earlier_participants = participated.loc[participated["ar"] < final_year, "kommunkod"]
    final = submissions[
        (submissions["ar"] == final_year) & submissions["kommunkod"].isin(earlier_participants)
    ]
    first_years = participated.groupby("kommunkod", as_index=False)["ar"].min()
    first_year = submissions[submissions["ar"] < final_year].merge(
        first_years, on=["kommunkod", "ar"]
    )
    return pd.concat(
        [final.assign(population="final"), first_year.assign(population="first_year")],
        ignore_index=True,
    )[[*POPULATION_ROW, "kommunkod", "path"]]


def _population_rows(grant_register: pd.DataFrame, final_year: int) -> pd.DataFrame:
    """core.population_rows: ('final', F) and ('first_year', Y) for each year Y < F, of the years
    up to F that have a grant register, whether or not a submission falls in them."""
    years = pd.Series(grant_register["ar"].unique(), name="ar")
    years = years[years <= final_year]
    return pd.DataFrame(
        {"population": np.where(years == final_year, "final", "first_year"), "ar": years}
    )


def _form_questions(population_rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Every question (not meta) of each population row's form: population, ar, block and
    question_id."""
    asked = questions[questions["block"] != "meta"]
    rows = population_rows.merge(
        asked[["block", "question_id", "first_year", "last_year"]], how="cross"
    )
    in_form = (rows["ar"] >= rows["first_year"]) & (rows["ar"] <= rows["last_year"])
    return rows.loc[in_form, [*POPULATION_ROW, "block", "question_id"]]


def _block_counts(form_questions: pd.DataFrame, counted_blocks: pd.DataFrame) -> pd.DataFrame:
    """report.block_counts: n_kommuner per population row and block of its form, 0 where nobody
    counts."""
    keys = [*POPULATION_ROW, "block"]
    counts = counted_blocks.groupby(keys).size().rename("n_kommuner").reset_index()
    return (
        form_questions[keys]
        .drop_duplicates()
        .merge(counts, on=keys, how="left")
        .fillna({"n_kommuner": 0})
    )


def _question_totals(
    form_questions: pd.DataFrame, counted_blocks: pd.DataFrame, answers: pd.DataFrame
) -> pd.DataFrame:
    """report.question_totals (its `total` only): Σ value per population row and question of its
    form over the municipalities counted; 0 when nobody counted (contract section 5)."""
    keys = [*POPULATION_ROW, "question_id"]
    counted_answers = counted_blocks.merge(
        answers[["path", "block", "question_id", "value"]], on=["path", "block"]
    )
    totals = counted_answers.groupby(keys)["value"].sum(min_count=1).rename("total").reset_index()
    return form_questions.merge(totals, on=keys, how="left").fillna({"total": 0})


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    """A share in percent; NaN where the denominator is 0 or unknown (contract section 7)."""
    return 100 * part / whole.where(whole != 0)


def _block_sum_cells(
    report_tables: pd.DataFrame, final_totals: pd.DataFrame, final_counts: pd.DataFrame
) -> pd.DataFrame:
    """T01, T02, T09, T10: the sums of the block's questions, keyed by the question id without its
    handl_ / arbl_ prefix, and n_kommuner."""
    tables = report_tables.loc[
        report_tables["layout"] == "block_sums", ["table_id", "block", "row_key"]
    ]
    sums = tables.merge(final_totals, on="block")
    sums = sums.assign(
        col_key=sums["question_id"].str.replace(r"^[a-z]+_", "", regex=True), value=sums["total"]
    )
    counts = tables.merge(final_counts, on="block")
    counts = counts.assign(col_key="n_kommuner", value=counts["n_kommuner"])
    return pd.concat([sums[CELL_COLUMNS], counts[CELL_COLUMNS]])


def _subarea_cells(
    report_tables: pd.DataFrame,
    report_subareas: pd.DataFrame,
    final_totals: pd.DataFrame,
    final_counts: pd.DataFrame,
) -> pd.DataFrame:
    """T04–T08, one row per subarea of the table's block: each level's sum (*_antal), their total
    (totalt), each level's share of it (*_andel); n_kommuner once, in row _tabell."""
    tables = report_tables.loc[report_tables["layout"] == "subareas", ["table_id", "block"]]
    levels = tables.merge(report_subareas[["block", "subarea"]], on="block").merge(
        final_totals[["subarea", "level", "total"]], on="subarea"
    )
    levels["totalt"] = levels.groupby(["table_id", "subarea"])["total"].transform(
        "sum", min_count=1
    )
    level_key = levels["level"].replace(LEVEL_KEYS)
    antal = levels.assign(
        row_key=levels["subarea"], col_key=level_key + "_antal", value=levels["total"]
    )
    andel = levels.assign(
        row_key=levels["subarea"],
        col_key=level_key + "_andel",
        value=_percent(levels["total"], levels["totalt"]),
    )
    totalt = levels.drop_duplicates(["table_id", "subarea"])
    totalt = totalt.assign(row_key=totalt["subarea"], col_key="totalt", value=totalt["totalt"])
    counts = tables.merge(final_counts, on="block")
    counts = counts.assign(row_key="_tabell", col_key="n_kommuner", value=counts["n_kommuner"])
    return pd.concat([frame[CELL_COLUMNS] for frame in (antal, andel, totalt, counts)])


def _area_cells(
    report_tables: pd.DataFrame,
    report_subareas: pd.DataFrame,
    final_totals: pd.DataFrame,
    final_counts: pd.DataFrame,
) -> pd.DataFrame:
    """T03, one row per area: each level's share of all three levels, summed over the area's
    subareas of Tables 4–8, and n_kommuner of the area's C block."""
    area_levels = (
        report_subareas[["area", "block", "subarea"]]
        .merge(final_totals[["subarea", "level", "total"]], on="subarea")
        .groupby(["area", "block", "level"], as_index=False)["total"]
        .sum(min_count=1)
    )
    area_total = area_levels.groupby("area")["total"].transform("sum", min_count=1)
    shares = area_levels.assign(
        row_key=area_levels["area"],
        col_key=area_levels["level"].replace(LEVEL_KEYS) + "_andel",
        value=_percent(area_levels["total"], area_total),
    )
    counts = area_levels[["area", "block"]].drop_duplicates().merge(final_counts, on="block")
    counts = counts.assign(row_key=counts["area"], col_key="n_kommuner", value=counts["n_kommuner"])
    tables = report_tables.loc[report_tables["layout"] == "area_shares", ["table_id"]]
    return pd.concat([frame.merge(tables, how="cross")[CELL_COLUMNS] for frame in (shares, counts)])


def _year_cells(
    report_tables: pd.DataFrame,
    question_totals: pd.DataFrame,
    block_counts: pd.DataFrame,
    questions: pd.DataFrame,
) -> pd.DataFrame:
    """T11–T14, one row per population row `ar`, keyed by the year as text: sums and shares of the
    row's totals, and n_kommuner."""
    # One column per question (NaN where the year's form does not ask it), one row per year.
    sums = (
        question_totals.groupby(["ar", "question_id"])["total"]
        .sum(min_count=1)
        .unstack("question_id")
        .reindex(columns=questions.loc[questions["block"] != "meta", "question_id"])
    )
    per_table = {
        "T11": {
            "antal_handlaggare": sums["handl_totalt"],
            "socionom_lt1ar_andel": _percent(sums["handl_socionom_lt1ar"], sums["handl_totalt"]),
            "utan_socionom_andel": _percent(
                sums["handl_utan_socionom_totalt"], sums["handl_totalt"]
            ),
        },
        "T12": _education_columns(sums, "handl"),
        "T13": {
            "antal_arbetsledare": sums["arbl_totalt"],
            "forsta_chefsjobb_andel": _percent(sums["arbl_forsta_chefsjobb"], sums["arbl_totalt"]),
            "behov_kompetensutveckling_andel": _percent(
                sums["arbl_behov_kompetensutveckling"], sums["arbl_totalt"]
            ),
            "lt3ar_erfarenhet_andel": _percent(sums["arbl_lt3ar_erfarenhet"], sums["arbl_totalt"]),
        },
        "T14": _education_columns(sums, "arbl"),
    }
    figures = [
        pd.DataFrame(columns)
        .rename_axis(index="ar")
        .reset_index()
        .melt(id_vars="ar", var_name="col_key", value_name="value")
        .assign(table_id=table_id)
        for table_id, columns in per_table.items()
    ]
    tables = report_tables.loc[report_tables["layout"] == "years", ["table_id", "block"]]
    counts = tables.merge(block_counts, on="block")
    counts = counts.assign(col_key="n_kommuner", value=counts["n_kommuner"])
    cells = pd.concat([*figures, counts], ignore_index=True)
    return cells.assign(row_key=cells["ar"].astype(str))[CELL_COLUMNS]


def _education_columns(sums: pd.DataFrame, prefix: str) -> dict[str, pd.Series]:
    """T12 (prefix handl) and T14 (arbl): fortbildning, vidareutbildning, magister's share."""
    vidareutbildning = sums[f"{prefix}_vidareutbildning"]
    return {
        "fortbildning": sums[f"{prefix}_fortbildning"],
        "vidareutbildning": vidareutbildning,
        "magister_andel": _percent(sums[f"{prefix}_magister"], vidareutbildning),
    }


def _with_every_published_key(
    computed: pd.DataFrame, published_tables: pd.DataFrame
) -> pd.DataFrame:
    """The computed cells and, with NaN, every published key that none of them has."""
    published = published_tables[CELL_KEYS]
    has_cell = pd.MultiIndex.from_frame(published).isin(
        pd.MultiIndex.from_frame(computed[CELL_KEYS])
    )
    missing = published[~has_cell].assign(value=np.nan)
    return (
        pd.concat([computed, missing], ignore_index=True)
        .astype(CELL_DTYPES)
        .sort_values(CELL_KEYS)
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class Comparison:
    """Seconds per run of each side, alternated in one process, and the cells each produced."""

    duckdb_seconds: list[float]
    pandas_seconds: list[float]
    rows: int

    @property
    def ratio(self) -> float:
        """Median pandas time over median DuckDB time: above 1, DuckDB is faster."""
        return statistics.median(self.pandas_seconds) / statistics.median(self.duckdb_seconds)


def compare(warehouse: Path, runs: int) -> Comparison:
    """Time the report SQL through `report.tables_long` against `tables_long`, `runs` times each,
    alternating, on a copy of `warehouse` (left untouched).

    Every run's two results must be equal (same keys; values within RELATIVE_TOLERANCE, NULL and
    NaN alike); otherwise AssertionError, listing the differing cells.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    duckdb_seconds: list[float] = []
    pandas_seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pandas_tables_") as scratch:
        copy = Path(scratch) / warehouse.name
        shutil.copy(warehouse, copy)
        con = duckdb.connect(str(copy))
        try:
            inputs = load_inputs(con)
            for _ in range(runs):
                started = time.perf_counter()
                build_report(con, through=TABLES_LONG_SQL_FILE)
                duckdb_seconds.append(time.perf_counter() - started)

                started = time.perf_counter()
                pandas_result = tables_long(inputs)
                pandas_seconds.append(time.perf_counter() - started)

                duckdb_result = con.sql(
                    "SELECT table_id, row_key, col_key, value FROM report.tables_long"
                ).df()
                differences = _differing_cells(duckdb_result, pandas_result)
                if differences:
                    raise AssertionError(
                        "pandas and DuckDB disagree on these cells of Tables 1–14:\n"
                        + "\n".join(differences)
                    )
        finally:
            con.close()
    return Comparison(duckdb_seconds, pandas_seconds, rows=len(pandas_result))


def _differing_cells(duckdb_result: pd.DataFrame, pandas_result: pd.DataFrame) -> list[str]:
    """One line per cell that is not the same in both: duplicated, missing on one side, or with
    another value."""
    differences = [
        f"{'/'.join(map(str, key))}: {side} has it more than once"
        for side, result in (("DuckDB", duckdb_result), ("pandas", pandas_result))
        for key in result.loc[result.duplicated(CELL_KEYS), CELL_KEYS].itertuples(index=False)
    ]
    both = duckdb_result.merge(
        pandas_result,
        on=CELL_KEYS,
        how="outer",
        suffixes=("_duckdb", "_pandas"),
        indicator="found_in",
    )
    duckdb_value, pandas_value = both["value_duckdb"], both["value_pandas"]
    both_null = duckdb_value.isna() & pandas_value.isna()
    close = (duckdb_value - pandas_value).abs() <= RELATIVE_TOLERANCE * np.maximum(
        duckdb_value.abs(), pandas_value.abs()
    )
    differ = (both["found_in"] != "both") | ~(both_null | close)
    for row in both[differ].itertuples(index=False):
        cell = f"{row.table_id}/{row.row_key}/{row.col_key}"
        if row.found_in == "left_only":
            differences.append(f"{cell}: only DuckDB has it ({row.value_duckdb})")
        elif row.found_in == "right_only":
            differences.append(f"{cell}: only pandas has it ({row.value_pandas})")
        else:
            differences.append(f"{cell}: DuckDB {row.value_duckdb}, pandas {row.value_pandas}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Tables 1–14: the report SQL in DuckDB against plain pandas, side by side."
    )
    parser.add_argument("warehouse", type=Path, help="a built warehouse (copied, not changed)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each side (default 5)")
    arguments = parser.parse_args()
    comparison = compare(arguments.warehouse, arguments.runs)
    print(
        f"Tables 1–14, {comparison.rows} cells, equal on both sides; "
        f"{arguments.runs} alternating runs of each in one process."
    )
    for side, seconds in (
        ("DuckDB, warehouse/sql through " + TABLES_LONG_SQL_FILE, comparison.duckdb_seconds),
        ("pandas, tools/bench/pandas_tables.py", comparison.pandas_seconds),
    ):
        print(
            f"  {side}: median {statistics.median(seconds) * 1000:.1f} ms "
            f"(min {min(seconds) * 1000:.1f}, max {max(seconds) * 1000:.1f})"
        )
    print(f"  ratio pandas / DuckDB (medians): {comparison.ratio:.2f}")


if __name__ == "__main__":
    main()
