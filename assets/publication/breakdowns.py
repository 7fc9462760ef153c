"""Disclosure control of the breakdowns by county and SKR municipality group: the rules, in one place.

report.breakdown_cells_unsuppressed holds raw figures with the number of municipalities each rests
on; every output that shows a breakdown (CSV, Parquet, HTML, charts) passes it through
`apply_disclosure_control` first. Pure: no Dagster, no DuckDB.

The rules (lines, primary and secondary suppression, empty cells, the national total, N):
docs/ARCHITECTURE.md, «assets/publication/breakdowns.py».
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import polars as pl

MIN_MUNICIPALITIES = 3
LINE = ("dimension", "table_id", "row_key", "col_key")
N_COLUMN_KEY = "n_kommuner"


class Disclosure(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    EMPTY = "empty"


# How a cell that shows no figure is printed (Statistics Sweden's conventions).
SYMBOLS = {Disclosure.PRIMARY: "..", Disclosure.SECONDARY: "..", Disclosure.EMPTY: "–"}
DIMENSION_LABELS = {"lan": "län", "kommungrupp": "kommungrupp (SKR 2017)"}
TOTAL_LABEL = "Riket"


def suppress_line(n_kommuner: Sequence[int]) -> list[Disclosure]:
    """The disclosure status of each cell of one line, given the municipalities each rests on.

    `n_kommuner` lists the group cells in presentation order; the total is not part of it, so it
    can never be suppressed.
    """
    statuses = [
        Disclosure.EMPTY
        if n == 0
        else Disclosure.PRIMARY
        if n < MIN_MUNICIPALITIES
        else Disclosure.SHOWN
        for n in n_kommuner
    ]
    if statuses.count(Disclosure.PRIMARY) == 1:
        candidates = [i for i, status in enumerate(statuses) if status is Disclosure.SHOWN]
        if candidates:
            partner = min(candidates, key=lambda i: (n_kommuner[i], i))
            statuses[partner] = Disclosure.SECONDARY
    return statuses


def apply_disclosure_control(cells: pl.DataFrame) -> pl.DataFrame:
    """report.breakdown_cells_unsuppressed with a `disclosure` column, and `value` NULL wherever it
    is not shown.

    Needs the columns dimension, table_id, row_key, col_key, group_position, value, n_kommuner.
    The N cells (col_key n_kommuner) are always shown.
    """
    ordered = cells.sort([*LINE, "group_position"])
    statuses: list[str] = []
    for (_, _, _, col_key), line in ordered.group_by(LINE, maintain_order=True):
        if col_key == N_COLUMN_KEY:
            statuses.extend(Disclosure.SHOWN for _ in range(line.height))
        else:
            statuses.extend(suppress_line(line["n_kommuner"].to_list()))
    return ordered.with_columns(disclosure=pl.Series(statuses, dtype=pl.String)).with_columns(
        value=pl.when(pl.col("disclosure") == Disclosure.SHOWN).then(pl.col("value"))
    )


# --- Key figures per municipality and group (report.nyckeltal) -------------------------------
#
# A key figure split by sex describes the caseworkers or managers of one sex: where few of them
# rest under it, the share (e.g. "without a social work degree") tells something about a person.
# - Primary: a K or M figure of a ratio (it has a nämnare) resting on more than 0 but fewer than
#   MIN_FTE_BY_SEX årsarbetare of that sex is shown as "..".
# - Secondary, the other sex: the other sex of the same key figure, place and year is hidden too,
#   since the total (T) and one sex give the other away.
# - Secondary, a group with one hidden member: a county's, SKR group's or the nation's split is
#   hidden when exactly one of its municipalities' is, since the group's figure less its other
#   municipalities' would give that one away.
# - Secondary, a line with one hidden group: when exactly one county (or SKR group) of a key
#   figure and year is hidden, the shown one resting on the fewest municipalities is hidden too
#   (ties: the first code), since the nation less the other groups would give it away; as
#   `suppress_line` does for the breakdowns.
# - T is never suppressed: it rests on both sexes, as the report's own tables do. Sums (fte per
#   sex, no nämnare) are shown: how many work there is not a personal characteristic.
# - A figure with no value (nämnare 0) has nothing to hide: "–".
# A hidden figure's täljare goes too (it would give the value away); its nämnare stays, as the
# fte of that sex is published beside it (handl_arsarbetare).
MIN_FTE_BY_SEX = 3
KEY_FIGURE_PLACE = ("nyckeltal_id", "dimension", "kommunkod", "group_code", "ar")
KEY_FIGURE_GROUP = ("nyckeltal_id", "dimension", "group_code", "ar")
SEXES_SPLIT = ("K", "M")


def apply_key_figure_disclosure_control(
    nyckeltal: pl.DataFrame, groups: pl.DataFrame
) -> pl.DataFrame:
    """report.nyckeltal with a `disclosure` column, and `varde` and `taljare` NULL wherever the
    figure is not shown.

    Needs the columns of KEY_FIGURE_PLACE and kon, varde, taljare, namnare, n_underlag,
    n_kommuner; `groups` is report.breakdown_groups (dimension, group_code, kommunkod).
    """
    split = pl.col("kon").is_in(SEXES_SPLIT) & pl.col("namnare").is_not_null()
    primary = split & (pl.col("n_underlag") > 0) & (pl.col("n_underlag") < MIN_FTE_BY_SEX)
    marked = nyckeltal.with_columns(_primary=primary.fill_null(False)).with_columns(
        _hidden=pl.col("_primary").any().over(KEY_FIGURE_PLACE)
    )
    # Groups with exactly one municipality whose split is hidden.
    one_member_hidden = (
        marked.filter((pl.col("dimension") == "kommun") & pl.col("_hidden"))
        .select("nyckeltal_id", "ar", "kommunkod")
        .unique()
        .join(groups.select("dimension", "group_code", "kommunkod"), on="kommunkod")
        .group_by(KEY_FIGURE_GROUP)
        .agg(pl.len().alias("_hidden_members"))
        .filter(pl.col("_hidden_members") == 1)
        .select(*KEY_FIGURE_GROUP, _one_member=pl.lit(True))
    )
    marked = marked.join(one_member_hidden, on=KEY_FIGURE_GROUP, how="left").with_columns(
        _hidden=pl.col("_hidden") | pl.col("_one_member").fill_null(False)
    )
    # Lines (counties, or SKR groups, of one key figure and year) with exactly one hidden group:
    # the shown group resting on the fewest municipalities is hidden beside it.
    line = ("nyckeltal_id", "dimension", "ar")
    group_rows = (
        marked.filter(pl.col("dimension").is_in(["lan", "kommungrupp"]) & split.fill_null(False))
        .group_by(KEY_FIGURE_GROUP)
        .agg(pl.col("_hidden").any(), pl.col("n_kommuner").max())
    )
    partners = (
        group_rows.with_columns(_hidden_in_line=pl.col("_hidden").sum().over(line))
        .filter((pl.col("_hidden_in_line") == 1) & ~pl.col("_hidden"))
        .sort("n_kommuner", "group_code")
        .group_by(line, maintain_order=True)
        .first()
        .select(*KEY_FIGURE_GROUP, _partner=pl.lit(True))
    )
    marked = marked.join(partners, on=KEY_FIGURE_GROUP, how="left").with_columns(
        _hidden=pl.col("_hidden") | pl.col("_partner").fill_null(False)
    )
    disclosure = (
        pl.when(pl.col("_primary"))
        .then(pl.lit(Disclosure.PRIMARY.value))
        .when(split & pl.col("_hidden"))
        .then(pl.lit(Disclosure.SECONDARY.value))
        .when(pl.col("varde").is_null())
        .then(pl.lit(Disclosure.EMPTY.value))
        .otherwise(pl.lit(Disclosure.SHOWN.value))
    )
    shown = pl.col("disclosure") == Disclosure.SHOWN
    return (
        marked.with_columns(disclosure=disclosure)
        .with_columns(
            varde=pl.when(shown).then(pl.col("varde")),
            taljare=pl.when(shown).then(pl.col("taljare")),
        )
        .drop("_primary", "_hidden", "_one_member", "_partner")
    )
