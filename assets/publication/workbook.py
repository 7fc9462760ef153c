"""The workbook tabeller.xlsx: one sheet per report table, laid out like the report.

Each sheet: the Swedish title, the table's N (a number, shown as "N = 245") where one N holds for
the whole table, the column headings, the row labels, the figures, the note ("Anm.") where the
table has one, and the "Källa:" line; above the table, a statement when the landing zone is the
synthetic one, and when no submission is used a sentence saying that the table is empty. The
document properties give the title, the organisation, the build's date and, in the comments, the
build's fingerprint (and the synthetic statement). Figures are
stored unrounded as numbers; the number format rounds them for display as the report prints them
(fte one decimal, shares whole per cent). The format codes are the locale-neutral ones of the xlsx
format (`#,##0.0`): Swedish Excel shows them as "5 390,5".
"""

from __future__ import annotations

import math
from pathlib import Path

import xlsxwriter

from assets.publication.figures_shown import (
    FINAL_REPORT,
    NOTHING_TO_SHOW,
    ORGANISATION,
    RECOMPUTATION,
    SYNTHETIC_STATEMENT,
    Publication,
    ReportTable,
    neutralise,
)
from schemas.contract import UNITS

# Excel's number format per unit, with the unit's decimals: "#,##0.0" for fte.
NUMBER_FORMATS = {
    unit: "#,##0" + ("." + "0" * spec.decimals if spec.decimals else "")
    for unit, spec in UNITS.items()
}
N_FORMAT = '"N = "#,##0'
TITLE_ROW, N_ROW, NOTICE_ROW, HEADING_ROW = 0, 1, 2, 3
FIRST_BODY_ROW = HEADING_ROW + 1
LABEL_WIDTH, FIGURE_WIDTH = 42, 16  # column widths, in characters
TITLE = "Kompetensinventeringarna 2013–2016: tabell 1–14"


def write_workbook(path: Path, publication: Publication) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    try:
        build = publication.build
        synthetic = [SYNTHETIC_STATEMENT] if publication.synthetic else []
        workbook.set_properties(
            {
                "title": TITLE,
                "subject": f"{RECOMPUTATION} av tabellerna i {FINAL_REPORT}",
                "author": ORGANISATION,
                "company": ORGANISATION,
                "created": build.started_at,  # UTC, as the xlsx format stores it
                "comments": " ".join(
                    [
                        *synthetic,
                        f"Byggd {build.date} (svensk tid).",
                        f"Byggets fingeravtryck {build.fingerprint}.",
                    ]
                ),
            }
        )
        notice = " ".join([*synthetic, *([NOTHING_TO_SHOW] if publication.nothing_to_show else [])])
        formats = {
            "title": workbook.add_format({"bold": True, "font_size": 12}),
            "heading": workbook.add_format(
                {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1}
            ),
            "note": workbook.add_format({"italic": True, "text_wrap": True, "valign": "top"}),
            "n": workbook.add_format({"num_format": N_FORMAT, "align": "left"}),
            "notice": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            "source": workbook.add_format({"font_size": 9}),
            **{
                unit: workbook.add_format({"num_format": code})
                for unit, code in NUMBER_FORMATS.items()
            },
        }
        for table in publication.tables:
            sheet = _write_sheet(workbook, table, formats)
            if notice:
                _write_notice(sheet, table, notice, formats["notice"])
    finally:
        workbook.close()


def _write_sheet(workbook, table: ReportTable, formats):
    sheet = workbook.add_worksheet(table.sheet_name)
    sheet.set_column(0, 0, LABEL_WIDTH)
    sheet.set_column(1, len(table.columns), FIGURE_WIDTH)
    sheet.write_string(TITLE_ROW, 0, neutralise(table.title), formats["title"])
    if table.n_kommuner is not None:
        sheet.write_number(N_ROW, 0, table.n_kommuner, formats["n"])
    for col, column in enumerate(table.columns, start=1):
        sheet.write_string(HEADING_ROW, col, neutralise(column.label), formats["heading"])
    sheet.write_blank(HEADING_ROW, 0, None, formats["heading"])
    for row_index, row in enumerate(table.rows, start=FIRST_BODY_ROW):
        sheet.write_string(row_index, 0, neutralise(row.label))
        for col, column in enumerate(table.columns, start=1):
            value = table.values.get((row.key, column.key))
            number_format = formats.get(column.unit, formats["fte"])
            if value is None:
                sheet.write_blank(row_index, col, None, number_format)
            else:
                sheet.write_number(row_index, col, value, number_format)
    source_row = FIRST_BODY_ROW + len(table.rows) + 1
    if table.note:
        note_row = source_row
        source_row += 1
        # merge_range would turn text into a formula; write_string never does.
        sheet.merge_range(note_row, 0, note_row, _last_col(table), "", formats["note"])
        sheet.write_string(note_row, 0, neutralise(table.note), formats["note"])
        sheet.set_row(note_row, 45)
    sheet.write_string(source_row, 0, table.source, formats["source"])
    sheet.freeze_panes(FIRST_BODY_ROW, 1)
    return sheet


def _last_col(table: ReportTable) -> int:
    return max(len(table.columns), 1)


def _write_notice(sheet, table: ReportTable, text: str, notice_format) -> None:
    """`text` above the table, wrapped across its width; Excel sizes no merged row itself, so the
    row is given the lines the text needs (bold characters a little wider than the width unit)."""
    sheet.merge_range(NOTICE_ROW, 0, NOTICE_ROW, _last_col(table), "", notice_format)
    sheet.write_string(NOTICE_ROW, 0, text, notice_format)
    width = LABEL_WIDTH + FIGURE_WIDTH * _last_col(table)
    sheet.set_row(NOTICE_ROW, 15 * math.ceil(len(text) * 1.15 / width) + 3)
