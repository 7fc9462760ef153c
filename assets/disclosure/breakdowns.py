"""Disclosure control of the breakdowns by county and SKR municipality group.

report.breakdown_cells_unsuppressed holds raw figures with the number of municipalities each rests
on; every output that shows a breakdown (CSV, Parquet, HTML, charts) passes it through
`apply_disclosure_control` first.

A *line* is the cells of one figure (one table, row and column) across the groups of one
dimension: the cells that add up to the national total. In the presented tables it is one row,
with the groups as columns and the total last.

- Primary: a cell resting on fewer than MIN_MUNICIPALITIES municipalities (but at least one) is
  suppressed, shown as "..".
- Secondary: when exactly one cell of a line is suppressed, the total would give it away, so the
  unsuppressed cell resting on the fewest municipalities is suppressed too (ties: the first group
  in presentation order). Choosing by the number of municipalities, never by the value, makes every
  figure of one table row (all resting on the same municipalities) suppress the same groups, so
  one figure cannot be recovered from the others (kvinnor + män = totalt).
- A cell on no municipality has nothing to hide and protects nothing (its N of 0 says it is
  empty): it is shown as "–" and never counts as a suppressed partner.
- The national total is never suppressed: it is the published report's figure.
- N (n_kommuner) itself is shown: who took part is public through the grant register.

Pure: no Dagster, no DuckDB.
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
