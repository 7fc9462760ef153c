"""What readers see of report.revisioner (contract section 11): each revised figure with its value
before and after, disclosure control applied on each side as that side's publication applied it.

rapport.html, the profile pages and the exports (revisioner.csv, .parquet) show these rows.
Which sides are hidden, and how: docs/ARCHITECTURE.md, «Kept publications» and
«assets/publication/revisions.py».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from assets.disclosure import Disclosure
from assets.disclosure.key_figures import key_figure_disclosure
from assets.report.disclosure import PUBLISHED_KEY_FIGURES
from schemas.contract import UNITS

# A key figure's row in report.nyckeltal and report.nyckeltal_publicerad.
KEY_FIGURE = ("nyckeltal_id", "dimension", "kommunkod", "group_code", "ar", "kon")
# The columns of one figure (report.revisioner has a row per figure and change behind it).
FIGURE_COLUMNS = (
    "kalla",
    "table_id",
    "row_key",
    "col_key",
    "figure_key",
    "nyckeltal_id",
    "dimension",
    "kommunkod",
    "group_code",
    "ar",
    "kon",
)
CAUSE_COLUMNS = ("cause", "cause_kommunkod", "cause_ar", "path", "superseded_path")


@dataclass(frozen=True)
class Revisions:
    """The revisions of the published warehouse against the publication before it."""

    # A row per figure and change: FIGURE_COLUMNS, label, decimals, value_before,
    # disclosure_before, value_after, disclosure_after, CAUSE_COLUMNS.
    rows: pl.DataFrame
    publicering_id: str | None  # the published one; None before publications were kept
    forra_publicering_id: str | None  # the one it is compared with; None for the first
    forra_publicerad: datetime | None  # when that one was published (UTC)

    def figures(self) -> pl.DataFrame:
        """One row per revised figure, without what changed behind it."""
        return self.rows.drop(CAUSE_COLUMNS).unique(FIGURE_COLUMNS, maintain_order=True)


def read_revisions(con: duckdb.DuckDBPyConnection) -> Revisions:
    """The revisions of the published warehouse `con` (read-only), after disclosure control."""
    raw = con.sql(
        """
        SELECT r.* EXCLUDE (publicering_id, forra_publicering_id),
            -- What a reader calls the figure: the table's headings, the report's sentence,
            -- the key figure's title; and the decimals the report prints it with.
            CASE r.kalla
                WHEN 'tables_long' THEN coalesce(l.row_label, r.row_key) || ', '
                    || coalesce(l.col_label, r.col_key)
                WHEN 'text_figures' THEN coalesce(t.quote, r.figure_key)
                ELSE coalesce(n.titel, r.nyckeltal_id)
            END AS label,
            coalesce(t.decimals, n.decimaler) AS decimals,
            u.unit
        FROM report.revisioner AS r
        LEFT JOIN (SELECT DISTINCT table_id, row_key, row_label, col_key, col_label
                   FROM report.layout_cells) AS l USING (table_id, row_key, col_key)
        LEFT JOIN (SELECT table_id, col_key, any_value(unit) AS unit
                   FROM ref.published_tables GROUP BY ALL) AS u USING (table_id, col_key)
        LEFT JOIN ref.published_text_figures AS t USING (figure_key)
        LEFT JOIN ref.nyckeltal AS n USING (nyckeltal_id)
        """
    ).pl()
    raw = raw.with_columns(
        decimals=pl.coalesce(
            "decimals",
            pl.col("unit").replace_strict(
                {unit: spec.decimals for unit, spec in UNITS.items()},
                default=None,
                return_dtype=pl.Int32,
            ),
        )
    ).drop("unit")
    ids = con.execute(
        "SELECT DISTINCT publicering_id, forra_publicering_id FROM report.revisioner"
    ).fetchall()
    ((publicering_id,),) = con.execute(
        "SELECT max_by(publicering_id, publicerad) FROM report.publiceringar"
    ).fetchall()
    forra_publicering_id = ids[0][1] if ids else _previous_id(con, publicering_id)
    forra_publicerad = None
    if forra_publicering_id is not None:
        listed = con.execute(
            "SELECT publicerad FROM report.publiceringar WHERE publicering_id = ?",
            [forra_publicering_id],
        ).fetchall()
        forra_publicerad = listed[0][0] if listed else None
    after = _disclosure(raw, con, "")
    before = _disclosure(raw, con, _attached_previous(con, forra_publicering_id, raw))
    rows = raw.join(
        after.rename({"disclosure": "disclosure_after"}),
        on=KEY_FIGURE,
        how="left",
        nulls_equal=True,
    ).join(
        before.rename({"disclosure": "disclosure_before"}),
        on=KEY_FIGURE,
        how="left",
        nulls_equal=True,
    )
    rows = rows.with_columns(_side_disclosure(side) for side in ("before", "after")).with_columns(
        pl.when(pl.col(f"disclosure_{side}") == Disclosure.SHOWN.value)
        .then(pl.col(f"value_{side}"))
        .alias(f"value_{side}")
        for side in ("before", "after")
    )
    columns = (
        *FIGURE_COLUMNS,
        "label",
        "decimals",
        "value_before",
        "disclosure_before",
        "value_after",
        "disclosure_after",
        *CAUSE_COLUMNS,
    )
    return Revisions(
        rows.select(columns).sort(FIGURE_COLUMNS, nulls_last=True, maintain_order=True),
        publicering_id,
        forra_publicering_id,
        forra_publicerad,
    )


def _previous_id(con: duckdb.DuckDBPyConnection, publicering_id: str | None) -> str | None:
    """The publication listed before `publicering_id` (none revised anything against it)."""
    listed = con.execute(
        "SELECT publicering_id FROM report.publiceringar ORDER BY publicerad DESC LIMIT 2"
    ).fetchall()
    return listed[1][0] if len(listed) == 2 and listed[0][0] == publicering_id else None


def _attached_previous(
    con: duckdb.DuckDBPyConnection, forra_publicering_id: str | None, raw: pl.DataFrame
) -> str | None:
    """The previous publication attached read-only as `forra` ("forra.", the qualifier of its
    tables), when a revised key figure needs its disclosure control."""
    if forra_publicering_id is None or raw.filter(pl.col("kalla") == "nyckeltal").is_empty():
        return None
    # The path report.publiceringar gives it: publications/<id>/kompetens.duckdb.
    ((database,),) = con.execute(
        "SELECT path FROM report.publiceringar WHERE publicering_id = ?", [forra_publicering_id]
    ).fetchall()
    con.execute("ATTACH IF NOT EXISTS ? AS forra (READ_ONLY)", [database])
    return "forra."


def _disclosure(
    raw: pl.DataFrame, con: duckdb.DuckDBPyConnection, database: str | None
) -> pl.DataFrame:
    """The disclosure status, in a publication, of each revised key figure that it holds
    (KEY_FIGURE, disclosure): `database` qualifies its tables ("" for the connection's own, "forra."
    for the previous one), None when there is none."""
    revised = raw.filter(pl.col("kalla") == "nyckeltal").select("nyckeltal_id", "ar").unique()
    schema = {**dict.fromkeys(KEY_FIGURE, pl.String), "ar": pl.Int32, "disclosure": pl.String}
    if database is None or revised.is_empty():
        return pl.DataFrame(schema=schema)
    # fetchall, not fetchone: DuckDB runs no other query on the connection while a result is open.
    ((published,),) = con.execute(
        """
        SELECT count(*) FROM duckdb_tables()
        WHERE database_name = coalesce(nullif(?, ''), current_database())
            AND schema_name = 'report' AND table_name = 'nyckeltal_publicerad'
        """,
        [database.rstrip(".")],
    ).fetchall()
    if published:
        figures = con.sql(
            f"""
            SELECT p.* FROM {database}{PUBLISHED_KEY_FIGURES} AS p
            SEMI JOIN revised AS r ON r.nyckeltal_id = p.nyckeltal_id AND r.ar = p.ar
            """
        ).pl()
    else:
        # Kept before disclosure control was stored: the one home decides again, over each
        # revised year whole (its audit relates every key figure of a year).
        years = revised.get_column("ar").unique().to_list()
        nyckeltal = con.sql(f"SELECT * FROM {database}report.nyckeltal").pl()
        nyckeltal = nyckeltal.filter(pl.col("ar").is_in(years))
        groups = con.sql(
            f"SELECT dimension, group_code, kommunkod FROM {database}report.breakdown_groups"
        ).pl()
        definitions = con.sql(f"SELECT * FROM {database}ref.nyckeltal ORDER BY position").pl()
        figures = key_figure_disclosure(nyckeltal, groups, definitions).frame
    return figures.select(*KEY_FIGURE, "disclosure").cast(schema)


def _side_disclosure(side: str) -> pl.Expr:
    """A side's disclosure: the key figure's, else shown where the figure has a value (a
    national cell or a text figure), else empty (it did not exist, or had no value)."""
    value, disclosure = pl.col(f"value_{side}"), pl.col(f"disclosure_{side}")
    return (
        pl.when(disclosure.is_not_null())
        .then(disclosure)
        .when(value.is_not_null())
        .then(pl.lit(Disclosure.SHOWN.value))
        .otherwise(pl.lit(Disclosure.EMPTY.value))
        .alias(f"disclosure_{side}")
    )
