"""Disclosure control of the breakdowns by county and SKR municipality group: every output that
shows a breakdown (CSV, Parquet, HTML, charts) passes report.breakdown_cells_unsuppressed through
`apply_disclosure_control` first. Pure: no Dagster, no DuckDB.

The primary and secondary rules per line: docs/ARCHITECTURE.md, «assets/disclosure/breakdowns.py».
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from assets.disclosure import Disclosure

MIN_MUNICIPALITIES = 3
LINE = ("dimension", "table_id", "row_key", "col_key")
N_COLUMN_KEY = "n_kommuner"


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
