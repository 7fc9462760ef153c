"""Flat exports for reuse, and the whole exports folder (workbook, flat files, charts, report).

`csv/` (for programs), `csv_sv/` (what Swedish Excel opens by double-click) and `parquet/`, each
holding the report's tables and the breakdowns after disclosure control, never the raw
breakdown cells. Text cells of the CSV files are neutralised (`figures_shown.neutralise`).

The formats and what each folder holds: docs/ARCHITECTURE.md, «assets/publication/exports.py».
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from assets.disclosure import SYMBOLS, Disclosure
from assets.publication.figures_shown import NOTHING_TO_SHOW, Publication, neutralise, neutralised

BREAKDOWNS_NAME = "breakdowns"
WORKBOOK_NAME = "tabeller.xlsx"
REPORT_NAME = "rapport.html"
CHARTS_FOLDER = "diagram"
FLAT_FOLDERS = ("csv", "csv_sv", "parquet")
NOTHING_TO_SHOW_NAME = "inget_att_visa.txt"
# The figure columns a hidden cell shows its symbol in, each with the column saying why: the
# breakdowns' value, the key figures', a revision's value before and after.
DISCLOSED_COLUMNS = {
    "value": "disclosure",
    "varde": "disclosure",
    "value_before": "disclosure_before",
    "value_after": "disclosure_after",
}
# A key figure's terms, which disclosure control withholds one by one (a hidden täljare, a hidden
# nämnare): withheld (NULL in a hidden row) they show the hidden symbol, never an empty cell.
WITHHELD_COLUMNS = ("taljare", "namnare", "n_underlag")
KEY_FIGURES_NAME = "nyckeltal"
REVISIONS_NAME = "revisioner"


def write_flat_exports(folder: Path, publication: Publication) -> list[Path]:
    """Write the CSV (both variants) and Parquet files into `folder`; returns the files written."""
    frames = {
        "tables_long": publication.tables_long,
        **publication.laid_out,
        BREAKDOWNS_NAME: publication.breakdown_cells.select(
            "dimension",
            "group_code",
            "group_name",
            "table_id",
            "row_key",
            "col_key",
            "row_label",
            "col_label",
            "value",
            "n_kommuner",
            "disclosure",
        ),
        REVISIONS_NAME: publication.revisions.rows.drop("decimals"),
    }
    written = []
    for subfolder in FLAT_FOLDERS:
        (folder / subfolder).mkdir(parents=True, exist_ok=True)
        if publication.nothing_to_show:
            notice = folder / subfolder / NOTHING_TO_SHOW_NAME
            notice.write_text(NOTHING_TO_SHOW + "\n", encoding="utf-8")
            written.append(notice)
    for name, frame in frames.items():
        written.append(_write_csv(folder / "csv" / f"{name}.csv", frame, ",", decimal_comma=False))
        written.append(
            _write_csv(folder / "csv_sv" / f"{name}.csv", frame, ";", decimal_comma=True)
        )
        parquet = folder / "parquet" / f"{name}.parquet"
        frame.write_parquet(parquet)
        written.append(parquet)
    return written


def write_key_figure_exports(folder: Path, key_figures: pl.DataFrame) -> list[Path]:
    """Write the key figures (report.nyckeltal after disclosure control,
    assets/disclosure/key_figures.py) as nyckeltal.csv in both CSV variants and as
    nyckeltal.parquet, into the flat folders of `folder` (the exports folder); returns the files.

    The publication/kommunprofiler asset writes them into the exports folder of the run's
    staging publication after publication/exports, so they sit beside the other tables."""
    frame = key_figures.select(
        "nyckeltal_id",
        "dimension",
        "kommunkod",
        "group_code",
        "ar",
        "kon",
        pl.col("varde"),
        # Exact decimal sums, written as the numbers they are (CSV has no decimal type).
        pl.col("taljare", "namnare", "n_underlag").cast(pl.Float64),
        "n_kommuner",
        "disclosure",
    )
    written = []
    for subfolder in FLAT_FOLDERS:
        (folder / subfolder).mkdir(parents=True, exist_ok=True)
    written.append(
        _write_csv(folder / "csv" / f"{KEY_FIGURES_NAME}.csv", frame, ",", decimal_comma=False)
    )
    written.append(
        _write_csv(folder / "csv_sv" / f"{KEY_FIGURES_NAME}.csv", frame, ";", decimal_comma=True)
    )
    parquet = folder / "parquet" / f"{KEY_FIGURES_NAME}.parquet"
    frame.write_parquet(parquet)
    written.append(parquet)
    return written


# A double is written as Python's repr writes it: the shortest text that reads back as the same
# double. Polars' text of a double is that text too, but for NaN and magnitudes below 1e-4, which
# Python writes in exponent form ("1e-05", Polars "0.00001"): those few are written by repr.
_REPR_BELOW = 1e-4


def _number_texts(numbers: pl.Series, decimal_comma: bool) -> pl.Series:
    texts = numbers.cast(pl.String)
    if numbers.dtype.is_float():
        by_repr = (numbers.abs() < _REPR_BELOW) & (numbers != 0) | numbers.is_nan()
        if by_repr.any():
            positions = by_repr.arg_true()
            texts = texts.scatter(positions, [repr(value) for value in numbers.gather(positions)])
    return texts.str.replace_all(".", ",", literal=True) if decimal_comma else texts


def _cell_texts(frame: pl.DataFrame, decimal_comma: bool) -> pl.DataFrame:
    """Every cell of `frame` as the text its CSV file shows; None for an empty cell."""
    columns = []
    for name, dtype in frame.schema.items():
        values = frame.get_column(name)
        if dtype == pl.String:
            texts = frame.select(neutralised(pl.col(name))).to_series()
        elif dtype.is_integer() or dtype.is_float():
            texts = _number_texts(values, decimal_comma)
        elif dtype == pl.Boolean:
            texts = values.cast(pl.String)  # true, false
        else:
            raise TypeError(f"{name}: no CSV text for a column of type {dtype}")
        columns.append(texts.alias(name))
    cells = pl.DataFrame(columns)
    # A hidden figure shows its symbol instead (Statistics Sweden's conventions); an unknown
    # disclosure status fails here rather than show a figure meant to be hidden.
    symbols = {Disclosure.SHOWN.value: None} | {d.value: s for d, s in SYMBOLS.items()}
    for column, disclosure in DISCLOSED_COLUMNS.items():
        if column not in frame.columns or disclosure not in frame.columns:
            continue
        statuses = frame.get_column(disclosure)
        symbol = statuses.replace_strict(symbols, return_dtype=pl.String)
        cells = cells.with_columns(
            pl.when(pl.lit(statuses != Disclosure.SHOWN.value))
            .then(pl.lit(symbol))
            .otherwise(pl.col(column))
            .alias(column)
        )
    if "disclosure" in frame.columns:
        hidden = frame.get_column("disclosure").is_in([Disclosure.PRIMARY, Disclosure.SECONDARY])
        cells = cells.with_columns(
            pl.when(pl.lit(hidden & frame.get_column(column).is_null()))
            .then(pl.lit(SYMBOLS[Disclosure.SECONDARY]))
            .otherwise(pl.col(column))
            .alias(column)
            for column in WITHHELD_COLUMNS
            if column in frame.columns
        )
    # An empty text and a null are both an empty cell, unquoted.
    return cells.with_columns(pl.when(pl.all() != "").then(pl.all()).name.keep())


def _write_csv(path: Path, frame: pl.DataFrame, delimiter: str, decimal_comma: bool) -> Path:
    """`frame` as a CSV file: a header of its (neutralised) column names, CRLF line ends, a field
    quoted only when it holds the delimiter, a quote or a line break; numbers as `_number_texts`;
    a BOM when it is for Swedish Excel (semicolons)."""
    cells = _cell_texts(frame, decimal_comma)
    cells.columns = [neutralise(column) for column in frame.columns]
    cells.write_csv(
        path,
        separator=delimiter,
        line_terminator="\r\n",
        quote_style="necessary",
        null_value="",
        include_bom=delimiter == ";",
    )
    return path


def write_publication(
    target: Path, publication: Publication, previous: Path | None = None
) -> dict[str, int]:
    """Write every publication output into the new folder `target` (the exports folder of the
    run's staging publication); the charts whose tables did not change are linked from the
    published exports folder `previous`, not drawn. Returns how many files of each kind were
    written."""
    # Imported here: matplotlib is slow to import, and only this function draws.
    from assets.publication.charts import draw_charts
    from assets.publication.html_report import report_html
    from assets.publication.workbook import write_workbook

    # A folder left by an earlier attempt (a step run again, a staging folder handed over).
    if target.is_dir():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    counts: dict[str, int] = {}
    write_workbook(target / WORKBOOK_NAME, publication)
    counts["flat_files"] = len(write_flat_exports(target, publication))
    charts = draw_charts(
        target / CHARTS_FOLDER,
        publication,
        previous=previous / CHARTS_FOLDER if previous is not None else None,
    )
    counts["chart_files"] = sum(len(files) for files in charts.values())
    (target / REPORT_NAME).write_text(report_html(publication, charts), encoding="utf-8")
    return counts
