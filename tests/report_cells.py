"""Reading one recomputed figure from a warehouse, for the tests that check figures by hand."""

from __future__ import annotations


def cell(con, table_id: str, row_key: str, col_key: str) -> float | None:
    """The value of one cell of report.tables_long, which must be there exactly once."""
    rows = con.execute(
        "SELECT value FROM report.tables_long WHERE table_id = ? AND row_key = ? AND col_key = ?",
        [table_id, row_key, col_key],
    ).fetchall()
    assert len(rows) == 1, f"{table_id}/{row_key}/{col_key}: {len(rows)} rows"
    return rows[0][0]


def figure(con, figure_key: str) -> tuple[float | None, int | None]:
    """(value, n_kommuner) of one text figure, which must be there exactly once."""
    rows = con.execute(
        "SELECT value, n_kommuner FROM report.text_figures WHERE figure_key = ?", [figure_key]
    ).fetchall()
    assert len(rows) == 1, f"{figure_key}: {len(rows)} rows"
    return rows[0]
