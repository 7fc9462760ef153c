"""What the publication outputs show, read once from the warehouse, and how a figure is printed.

Every output (workbook, flat files, charts, HTML) takes a `Publication`, so they all show the same
figures with the same labels and sources: the figures from report.tables_long (breakdowns from
report.breakdown_cells_unsuppressed after disclosure control), column headings and row labels from
ref.published_tables, titles and notes from ref.report_layout, the build from
quality.build_inputs, the revisions since the previous publication from report.revisioner after
disclosure control (revisions.py). Whether the landing zone is the synthetic one is read from the
landing zone itself (`is_synthetic_landing_zone`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from assets.disclosure import SYMBOLS, Disclosure
from assets.disclosure.breakdowns import N_COLUMN_KEY
from assets.publication.revisions import Revisions, read_revisions
from schemas.contract import UNITS

DIMENSION_LABELS = {"lan": "län", "kommungrupp": "kommungrupp (SKR 2017)"}
TOTAL_LABEL = "Riket"
# The heading of the row labels in the flat exports of report.table_NN.
ROW_HEADING = "rad"
BREAKDOWN_TABLES = ("T01", "T03", "T09", "T11")
# A cell that starts with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What every output says when no submission is used: its tables are empty, not broken.
NOTHING_TO_SHOW = (
    "Det finns inget att visa ännu: ingen inlämning från kommunerna kan användas, så tabellerna "
    "är tomma."
)
# What every output says when the landing zone is the synthetic one: its figures describe no one.
SYNTHETIC_STATEMENT = (
    "Uppgifterna är syntetiska. Tabellerna är beräknade från de påhittade exempeldata som följer "
    "med projektet (skapade av tools/generate_raw), inte från kommunernas verkliga inlämningar. "
    "Exempeldata är kalibrerade så att riket återger slutrapportens siffror, men inget värde "
    "beskriver en verklig kommun, och fördelningarna per län och kommungrupp säger ingenting om "
    "verkliga län eller kommungrupper."
)

# What a source line cites: the submissions the figures are recomputed from, and the report whose
# tables they recompute.
RECOMPUTATION = "Omräkning från kommunernas inlämningar 2013–2016 (kompetensinventeringen)"
FINAL_REPORT = "Socialstyrelsens slutrapport 2017 (art.nr 2017-6-11)"
# The agency whose statistics these are: the municipalities reported their inventories to it, and
# it published the report. The workbook names it as author.
ORGANISATION = "Socialstyrelsen"
# How a breakdown's groups are formed (schemas/reference: municipalities.csv, kommungrupp.csv).
GROUPINGS = {
    "lan": "per län enligt SCB:s länsindelning",
    "kommungrupp": "per kommungrupp enligt SKR:s kommungruppsindelning 2017",
}
# The dates a reader sees are Swedish time (started_at is stored in UTC).
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")


def neutralise(text: str) -> str:
    """Text that no spreadsheet executes: a leading apostrophe before a formula-like start."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


_FORMULA_START = "^(?:" + "|".join(re.escape(prefix) for prefix in FORMULA_PREFIXES) + ")"


def neutralised(texts: pl.Expr) -> pl.Expr:
    """`neutralise` of every text of a column, for the flat exports' millions of cells."""
    return pl.when(texts.str.contains(_FORMULA_START)).then("'" + texts).otherwise(texts)


def swedish_number(value: float | None, decimals: int) -> str:
    """5390.45 → "5 390,5" (no-break space between thousands, decimal comma); None → "–"."""
    if value is None:
        return "–"
    # Half away from zero, as the report rounds (report.round_half_away); the nudge keeps a
    # binary 0.4999… from rounding down.
    magnitude = abs(value) * 10**decimals
    rounded = int(magnitude + 0.5 + 1e-9) / 10**decimals
    text = f"{rounded:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return ("-" + text) if value < 0 and rounded != 0 else text


def source_line(what: str) -> str:
    """The "Källa:" line of figures recomputed from the report's tables `what` ("tabell 11–14")."""
    return f"Källa: {RECOMPUTATION}, {FINAL_REPORT}, {what}."


def swedish_time(moment: datetime) -> str:
    """A UTC time as a reader in Sweden reads it: "2026-11-25 kl. 23.49"."""
    return moment.replace(tzinfo=UTC).astimezone(SWEDISH_TIME).strftime("%Y-%m-%d kl. %H.%M")


def cell_text(value: float | None, disclosure: str, decimals: int) -> str:
    """A presented cell as text: the figure in Swedish format, or the symbol of why it is hidden."""
    if disclosure != Disclosure.SHOWN:
        return SYMBOLS[Disclosure(disclosure)]
    return swedish_number(value, decimals)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str

    @property
    def decimals(self) -> int:
        return UNITS[self.unit].decimals


@dataclass(frozen=True)
class Row:
    key: str
    label: str


@dataclass(frozen=True)
class ReportTable:
    """One of Tables 1–14 laid out like the report."""

    table_id: str
    title: str  # "Tabell 1. Antal handläggare …"
    note: str | None  # the "Anm." printed under the table
    # The table's N, printed with the title, when one N holds for the whole table; otherwise
    # N is a column of its own (Table 3 per area, Tables 11–14 per year).
    n_kommuner: float | None
    columns: list[Column]
    rows: list[Row]
    values: dict[tuple[str, str], float | None]  # (row_key, col_key) → value

    @property
    def number(self) -> int:
        return int(self.table_id[1:])

    @property
    def sheet_name(self) -> str:
        return f"Tabell {self.number}"

    @property
    def source(self) -> str:
        return source_line(f"tabell {self.number}")


@dataclass(frozen=True)
class BreakdownLine:
    """One figure across the groups: a line of the disclosure control, and a row when presented."""

    row_label: str
    column: Column
    cells: list[tuple[float | None, str]]  # (value, disclosure) per group, in group order
    total: float | None  # the national total: report.tables_long


@dataclass(frozen=True)
class BreakdownTable:
    dimension: str
    table_id: str
    title: str
    groups: list[tuple[str, str]]  # (group_code, group_name) in presentation order
    lines: list[BreakdownLine]

    @property
    def columns(self) -> list[Column]:
        """The report table's columns that the lines hold, in the report's order."""
        return list({line.column.key: line.column for line in self.lines}.values())

    @property
    def parts(self) -> list[tuple[str, dict[str, BreakdownLine]]]:
        """The lines per row of the report table (an area of Table 3, a year of Table 11), in the
        report's order: (row label, column key → line)."""
        parts: dict[str, dict[str, BreakdownLine]] = {}
        for line in self.lines:
            parts.setdefault(line.row_label, {})[line.column.key] = line
        return list(parts.items())

    @property
    def source(self) -> str:
        return source_line(f"tabell {int(self.table_id[1:])}, fördelad {GROUPINGS[self.dimension]}")


@dataclass(frozen=True)
class Build:
    """The build the outputs come from (quality.build_inputs)."""

    fingerprint: str  # of the landing zone, the reference data and the code
    run_id: str  # the Dagster run that built it
    started_at: datetime  # UTC

    @property
    def date(self) -> str:
        return swedish_time(self.started_at)


@dataclass(frozen=True)
class Publication:
    tables: list[ReportTable]
    tables_long: pl.DataFrame  # report.tables_long as it is
    # "table_01" → report.table_01 under the report's headings (`_laid_out_with_headings`)
    laid_out: dict[str, pl.DataFrame]
    # report.breakdown_cells_unsuppressed after disclosure control, labelled
    breakdown_cells: pl.DataFrame
    breakdowns: list[BreakdownTable]
    reconciliation_counts: list[tuple[str, int]]  # (status, cells)
    # Every cell not `match`: (table_id or None for a text figure, row label, column label,
    # published, recomputed, decimals published, status, note).
    reconciliation_deviations: list[tuple]
    ledger_counts: list[tuple[str, str | None, int]]  # (status, reason_code, files)
    issue_counts: list[tuple[str, str, int]]  # (rule, severity, issues)
    selected_submissions: int  # the submissions the tables are computed from (core.submissions)
    build: Build
    synthetic: bool  # the landing zone is the generator's synthetic one
    # The figures revised since the previous publication, after disclosure control
    revisions: Revisions

    @property
    def nothing_to_show(self) -> bool:
        return self.selected_submissions == 0


def read_publication(con: duckdb.DuckDBPyConnection, synthetic: bool = False) -> Publication:
    """Everything the outputs show, from a built warehouse (report, ref, quality schemas);
    `synthetic` says the landing zone it was built from is the synthetic one."""
    # Before the queries below: one leaves its result open (fetchone), and DuckDB runs no other
    # query on the connection until that result is fetched whole.
    revisions = read_revisions(con)
    tables = _report_tables(con)
    (build,) = con.execute(
        "SELECT fingerprint, run_id, started_at FROM quality.build_inputs"
    ).fetchall()
    tables_long = con.sql(
        "SELECT table_id, row_key, col_key, value FROM report.tables_long ORDER BY ALL"
    ).pl()
    breakdown_cells = _presented_breakdown_cells(con)
    return Publication(
        tables=tables,
        tables_long=tables_long,
        laid_out={f"table_{t.number:02d}": _laid_out_with_headings(con, t) for t in tables},
        breakdown_cells=breakdown_cells,
        breakdowns=_breakdown_tables(breakdown_cells, {t.table_id: t for t in tables}),
        reconciliation_counts=con.execute(
            "SELECT status, count(*) FROM report.reconciliation GROUP BY ALL ORDER BY 1"
        ).fetchall(),
        reconciliation_deviations=con.execute(
            """
            SELECT table_id, row_label, col_label, published, recomputed, decimals, status, note
            FROM report.reconciliation
            WHERE status <> 'match'
            ORDER BY status DESC, table_id NULLS LAST, row_key, col_key
            """
        ).fetchall(),
        ledger_counts=con.execute(
            "SELECT status, reason_code, count(*) FROM quality.file_ledger GROUP BY ALL ORDER BY ALL"
        ).fetchall(),
        issue_counts=con.execute(
            "SELECT rule, severity, count(*) FROM quality.issues GROUP BY ALL ORDER BY 2, 3 DESC, 1"
        ).fetchall(),
        selected_submissions=con.execute("SELECT count(*) FROM core.submissions").fetchone()[0],
        build=Build(*build),
        synthetic=synthetic,
        revisions=revisions,
    )


def _report_tables(con: duckdb.DuckDBPyConnection) -> list[ReportTable]:
    cells = con.execute(
        """
        SELECT l.table_id, l.row_position, l.row_key, l.row_label, l.col_position, l.col_key,
               l.col_label, u.unit, l.value, r.title_sv, r.note_sv
        FROM report.layout_cells AS l
        JOIN (
            SELECT table_id, col_key, any_value(unit) AS unit
            FROM ref.published_tables GROUP BY ALL
        ) AS u USING (table_id, col_key)
        JOIN ref.report_layout AS r USING (table_id)
        ORDER BY l.table_id, l.row_position, l.col_position
        """
    ).fetchall()
    by_table: dict[str, list[tuple]] = {}
    for cell in cells:
        by_table.setdefault(cell[0], []).append(cell)
    tables = []
    for table_id, table_cells in by_table.items():
        n_rows = {cell[2] for cell in table_cells if cell[5] == N_COLUMN_KEY}
        one_n = len(n_rows) == 1
        columns: dict[str, Column] = {}
        rows: dict[str, Row] = {}
        values: dict[tuple[str, str], float | None] = {}
        n_kommuner = None
        for _, _, row_key, row_label, _, col_key, col_label, unit, value, _, _ in table_cells:
            if one_n and col_key == N_COLUMN_KEY:
                n_kommuner = value
                continue
            columns.setdefault(col_key, Column(col_key, col_label, unit))
            rows.setdefault(row_key, Row(row_key, row_label))
            values[(row_key, col_key)] = value
        # Cells come in row-major order: order the columns as published.
        col_positions = {cell[5]: cell[4] for cell in table_cells}
        title, note = table_cells[0][9], table_cells[0][10]
        tables.append(
            ReportTable(
                table_id=table_id,
                title=f"Tabell {int(table_id[1:])}. {title}",
                note=note,
                n_kommuner=n_kommuner,
                columns=sorted(columns.values(), key=lambda c: col_positions[c.key]),
                rows=list(rows.values()),
                values=values,
            )
        )
    return tables


def _laid_out_with_headings(con: duckdb.DuckDBPyConnection, table: ReportTable) -> pl.DataFrame:
    """report.table_NN as a reader of the exports sees it: the row label under ROW_HEADING and
    every column under the report's heading (report.layout_cells), not under its col_key."""
    headings = con.execute(
        "SELECT DISTINCT col_key, col_label FROM report.layout_cells WHERE table_id = ?",
        [table.table_id],
    ).fetchall()
    laid_out = con.sql(f"FROM report.table_{table.number:02d}").pl()
    return laid_out.drop("row_key").rename({"row_label": ROW_HEADING, **dict(headings)})


def _presented_breakdown_cells(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    # As the report stage's disclosure control stored them, audited (assets/report/disclosure.py).
    return con.sql(
        """
        SELECT b.dimension, b.group_code, b.group_name, b.group_position, b.table_id, b.row_key,
               b.col_key, b.value, b.n_kommuner,
               coalesce(l.row_label, b.row_key) AS row_label,
               coalesce(l.col_label, b.col_key) AS col_label,
               coalesce(u.unit, 'municipalities') AS unit,
               b.disclosure
        FROM report.breakdown_cells_publicerad AS b
        LEFT JOIN (SELECT DISTINCT table_id, row_key, row_label, col_key, col_label
                   FROM report.layout_cells) AS l USING (table_id, row_key, col_key)
        LEFT JOIN (SELECT table_id, col_key, any_value(unit) AS unit
                   FROM ref.published_tables GROUP BY ALL) AS u USING (table_id, col_key)
        ORDER BY b.dimension, b.table_id, b.row_key, b.col_key, b.group_position
        """
    ).pl()


def _breakdown_tables(
    cells: pl.DataFrame, report_tables: dict[str, ReportTable]
) -> list[BreakdownTable]:
    breakdowns = []
    for dimension in ("lan", "kommungrupp"):
        for table_id in BREAKDOWN_TABLES:
            table = report_tables[table_id]
            part = cells.filter(
                (pl.col("dimension") == dimension) & (pl.col("table_id") == table_id)
            )
            groups = (
                part.select("group_position", "group_code", "group_name")
                .unique()
                .sort("group_position")
            )
            lines = []
            # Lines in the report's order: its rows, then its columns (N last).
            row_order = {row.key: i for i, row in enumerate(table.rows)}
            col_order = {c.key: i for i, c in enumerate(table.columns)}
            keys = part.select("row_key", "col_key", "row_label", "col_label", "unit").unique()
            for row_key, col_key, row_label, col_label, unit in sorted(
                keys.iter_rows(),
                key=lambda k: (row_order.get(k[0], 99), col_order.get(k[1], 99), k[1]),
            ):
                line = part.filter(
                    (pl.col("row_key") == row_key) & (pl.col("col_key") == col_key)
                ).sort("group_position")
                total = _long_value(table, row_key, col_key)
                lines.append(
                    BreakdownLine(
                        row_label=row_label,
                        column=Column(col_key, col_label, unit),
                        cells=list(zip(line["value"].to_list(), line["disclosure"].to_list())),
                        total=total,
                    )
                )
            breakdowns.append(
                BreakdownTable(
                    dimension=dimension,
                    table_id=table_id,
                    title=f"{table.title}, per {DIMENSION_LABELS[dimension]}",
                    groups=list(zip(groups["group_code"], groups["group_name"])),
                    lines=lines,
                )
            )
    return breakdowns


def _long_value(table: ReportTable, row_key: str, col_key: str) -> float | None:
    if col_key == N_COLUMN_KEY and table.n_kommuner is not None:
        return table.n_kommuner
    return table.values.get((row_key, col_key))
