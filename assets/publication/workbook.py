"""The workbook tabeller.xlsx: one sheet per report table, laid out like the report.

Each sheet: the Swedish title, the table's N (a number, shown as "N = 245") where one N holds for
the whole table, the column headings, the row labels, the figures, and the note ("Anm.") where the
table has one; when no submission is used, a sentence saying that the table is empty. Figures are
stored unrounded as numbers; the number format rounds them for display as the report prints them
(fte one decimal, shares whole per cent). The format codes are the locale-neutral ones of the xlsx
format (`#,##0.0`): Swedish Excel shows them as "5 390,5".
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from assets.publication.content import NOTHING_TO_SHOW, Publication, ReportTable, neutralise
from schemas.contract import UNITS

# Excel's number format per unit, with the unit's decimals: "#,##0.0" for fte.
NUMBER_FORMATS = {
    unit: "#,##0" + ("." + "0" * spec.decimals if spec.decimals else "")
    for unit, spec in UNITS.items()
}
N_FORMAT = '"N = "#,##0'
TITLE_ROW, N_ROW, NOTICE_ROW, HEADING_ROW = 0, 1, 2, 3
FIRST_BODY_ROW = HEADING_ROW + 1


def write_workbook(path: Path, publication: Publication) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    try:
        formats = {
            "title": workbook.add_format({"bold": True, "font_size": 12}),
            "heading": workbook.add_format(
                {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1}
            ),
            "note": workbook.add_format({"italic": True, "text_wrap": True, "valign": "top"}),
            "n": workbook.add_format({"num_format": N_FORMAT, "align": "left"}),
            "notice": workbook.add_format({"bold": True}),
            **{
                unit: workbook.add_format({"num_format": code})
                for unit, code in NUMBER_FORMATS.items()
            },
        }
        for table in publication.tables:
            sheet = _write_sheet(workbook, table, formats)
            if publication.nothing_to_show:
                sheet.write_string(NOTICE_ROW, 0, NOTHING_TO_SHOW, formats["notice"])
    finally:
        workbook.close()


def _write_sheet(workbook, table: ReportTable, formats):
    sheet = workbook.add_worksheet(table.sheet_name)
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, len(table.columns), 16)
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
    if table.note:
        note_row = FIRST_BODY_ROW + len(table.rows) + 1
        last_col = max(len(table.columns), 1)
        # merge_range would turn text into a formula; write_string never does.
        sheet.merge_range(note_row, 0, note_row, last_col, "", formats["note"])
        sheet.write_string(note_row, 0, neutralise(table.note), formats["note"])
        sheet.set_row(note_row, 45)
    sheet.freeze_panes(FIRST_BODY_ROW, 1)
    return sheet
