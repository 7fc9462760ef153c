"""Flat exports for reuse, and the folder swap that publishes a whole set of outputs at once.

- `csv/`: UTF-8, comma-separated, decimal point: for programs.
- `csv_sv/`: UTF-8 with BOM, semicolon-separated, decimal comma: what Swedish Excel opens
  correctly by double-click (without the BOM it reads UTF-8 as Windows-1252).
- `parquet/`: typed columns, for programs.

Each holds report.tables_long, report.table_01 … table_14 and the breakdowns after disclosure
control (never the raw breakdown cells: a suppressed value is NULL there, with `disclosure` saying
why), and, when no submission is used, inget_att_visa.txt saying that the tables are empty. The
key figures (nyckeltal.*, after their disclosure control) are added by publication/kommunprofiler. Text
cells of the CSV files are neutralised (`content.neutralise`) so a spreadsheet never executes them;
Parquet keeps the text as it is, since no spreadsheet opens it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import polars as pl

from assets.folders import replace_folder
from assets.publication.breakdowns import SYMBOLS, Disclosure
from assets.publication.content import NOTHING_TO_SHOW, Publication, neutralise

BREAKDOWNS_NAME = "breakdowns"
WORKBOOK_NAME = "tabeller.xlsx"
REPORT_NAME = "rapport.html"
CHARTS_FOLDER = "diagram"
FLAT_FOLDERS = ("csv", "csv_sv", "parquet")
NOTHING_TO_SHOW_NAME = "inget_att_visa.txt"
# The figure columns a hidden cell shows its symbol in: the breakdowns' value, the key figures'.
DISCLOSED_COLUMNS = ("value", "varde")
KEY_FIGURES_NAME = "nyckeltal"


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
    }
    written = []
    for subfolder in FLAT_FOLDERS:
        (folder / subfolder).mkdir(parents=True, exist_ok=True)
        if publication.nothing_to_show:
            notice = folder / subfolder / NOTHING_TO_SHOW_NAME
            notice.write_text(NOTHING_TO_SHOW + "\n", encoding="utf-8")
            written.append(notice)
    for name, frame in frames.items():
        written.append(_write_csv(folder / "csv" / f"{name}.csv", frame, ",", _plain_number))
        written.append(_write_csv(folder / "csv_sv" / f"{name}.csv", frame, ";", _swedish_number))
        parquet = folder / "parquet" / f"{name}.parquet"
        frame.write_parquet(parquet)
        written.append(parquet)
    return written


def write_key_figure_exports(folder: Path, key_figures: pl.DataFrame) -> list[Path]:
    """Write the key figures (report.nyckeltal after disclosure control,
    breakdowns.apply_key_figure_disclosure_control) as nyckeltal.csv in both CSV variants and as
    nyckeltal.parquet, into the flat folders of `folder` (the exports folder); returns the files.

    The publication/kommunprofiler asset writes them after publication/exports has swapped the
    folder in, so they sit beside the other tables."""
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
        _write_csv(folder / "csv" / f"{KEY_FIGURES_NAME}.csv", frame, ",", _plain_number)
    )
    written.append(
        _write_csv(folder / "csv_sv" / f"{KEY_FIGURES_NAME}.csv", frame, ";", _swedish_number)
    )
    parquet = folder / "parquet" / f"{KEY_FIGURES_NAME}.parquet"
    frame.write_parquet(parquet)
    written.append(parquet)
    return written


def _plain_number(value: float) -> str:
    # repr is the shortest text that reads back as the same double.
    return repr(float(value))


def _swedish_number(value: float) -> str:
    return _plain_number(value).replace(".", ",")


def _write_csv(
    path: Path, frame: pl.DataFrame, delimiter: str, number: Callable[[float], str]
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in frame.columns])
    has_disclosure = "disclosure" in frame.columns
    for record in frame.iter_rows(named=True):
        cells = []
        for column, value in record.items():
            if (
                column in DISCLOSED_COLUMNS
                and has_disclosure
                and record["disclosure"] != Disclosure.SHOWN
            ):
                cells.append(SYMBOLS[Disclosure(record["disclosure"])])
            elif value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append(str(value).lower())
            elif isinstance(value, float):
                cells.append(number(value))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(neutralise(str(value)))
        writer.writerow(cells)
    encoding = "utf-8-sig" if delimiter == ";" else "utf-8"
    path.write_text(buffer.getvalue(), encoding=encoding, newline="")
    return path


def write_publication(target: Path, publication: Publication) -> dict[str, int]:
    """Write every publication output into `target` (the exports folder), swapping the whole set
    in at once. Returns how many files of each kind were written."""
    # Imported here: matplotlib is slow to import, and only this function draws.
    from assets.publication.charts import draw_charts
    from assets.publication.html_report import report_html
    from assets.publication.workbook import write_workbook

    counts: dict[str, int] = {}

    def build(folder: Path) -> None:
        write_workbook(folder / WORKBOOK_NAME, publication)
        counts["flat_files"] = len(write_flat_exports(folder, publication))
        charts = draw_charts(folder / CHARTS_FOLDER, publication)
        counts["chart_files"] = sum(len(files) for files in charts.values())
        (folder / REPORT_NAME).write_text(report_html(publication, charts), encoding="utf-8")

    replace_folder(target, build)
    return counts
