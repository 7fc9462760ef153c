"""The publication outputs of a refresh: workbook, flat files, charts (small fixture warehouse)."""

import csv
import io

import duckdb
import openpyxl
import polars as pl
import pytest

from assets.publication.content import neutralise, swedish_number
from assets.publication.workbook import FIRST_BODY_ROW, HEADING_ROW, N_ROW


@pytest.fixture(scope="module")
def exports(small_warehouse):
    return small_warehouse.parent / "exports"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+46", "'+46"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kvinnor", "Kvinnor"),
        ("a=b", "a=b"),
    ],
)
def test_formula_like_text_is_neutralised(text, expected):
    assert neutralise(text) == expected


def test_swedish_number_format():
    assert swedish_number(5390.45, 1) == "5\u00a0390,5"
    assert swedish_number(12.5, 0) == "13"
    assert swedish_number(None, 1) == "–"


def test_the_workbook_equals_tables_long_for_every_published_cell(small_warehouse, exports):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        published = con.execute(
            """
            SELECT p.table_id, p.row_label, p.col_label, p.col_key, t.value,
                   count(*) FILTER (WHERE p.col_key = 'n_kommuner')
                       OVER (PARTITION BY p.table_id) AS n_rows
            FROM ref.published_tables AS p
            JOIN report.tables_long AS t USING (table_id, row_key, col_key)
            """
        ).fetchall()
    finally:
        con.close()
    workbook = openpyxl.load_workbook(exports / "tabeller.xlsx")
    assert workbook.sheetnames == [f"Tabell {n}" for n in range(1, 15)]
    checked = 0
    for table_id, row_label, col_label, col_key, value, n_rows in published:
        sheet = workbook[f"Tabell {int(table_id[1:])}"]
        assert sheet.cell(1, 1).value.startswith(f"Tabell {int(table_id[1:])}. ")
        if col_key == "n_kommuner" and n_rows == 1:
            # One N for the whole table: printed under the title as "N = 245".
            cell = sheet.cell(N_ROW + 1, 1)
        else:
            headings = {c.value: c.column for c in sheet[HEADING_ROW + 1] if c.value}
            labels = {
                sheet.cell(r, 1).value: r for r in range(FIRST_BODY_ROW + 1, sheet.max_row + 1)
            }
            cell = sheet.cell(labels[row_label], headings[col_label])
        # xlsx keeps 16 significant digits (Excel itself computes with 15): equal to that.
        if value is None:
            assert cell.value is None, (table_id, row_label, col_label)
        else:
            assert isinstance(cell.value, (int, float)), (table_id, row_label, col_label)
            assert cell.value == pytest.approx(value, rel=1e-15, abs=0), (table_id, row_label)
        checked += 1
    assert checked == len(published) > 0


def test_the_workbook_has_swedish_titles_formats_and_the_notes_of_tables_11_to_14(exports):
    workbook = openpyxl.load_workbook(exports / "tabeller.xlsx")
    sheet1 = workbook["Tabell 1"]
    assert sheet1.cell(N_ROW + 1, 1).number_format == '"N = "#,##0'
    assert sheet1.cell(FIRST_BODY_ROW + 1, 2).number_format == "#,##0.0"  # fte, one decimal
    # Whole per cent.
    assert workbook["Tabell 3"].cell(FIRST_BODY_ROW + 1, 2).number_format == "#,##0"
    for number in range(11, 15):
        texts = [c.value for row in workbook[f"Tabell {number}"].iter_rows() for c in row]
        assert any(isinstance(t, str) and t.startswith("Anm.") for t in texts), number


def test_both_csv_variants_parse_back_to_tables_long(exports):
    from_parquet = pl.read_parquet(exports / "parquet" / "tables_long.parquet")
    plain = pl.read_csv(exports / "csv" / "tables_long.csv")
    raw_sv = (exports / "csv_sv" / "tables_long.csv").read_bytes()
    assert raw_sv.startswith(b"\xef\xbb\xbf")  # the BOM Swedish Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(raw_sv.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["table_id", "row_key", "col_key", "value"]
    swedish = [float(v.replace(",", ".")) if v else None for *_, v in rows[1:]]
    assert plain["value"].to_list() == from_parquet["value"].to_list() == swedish
    assert any("," in v for *_, v in rows[1:])  # decimal comma, e.g. "123,5"


def test_breakdown_exports_never_hold_a_suppressed_value(exports):
    cells = pl.read_parquet(exports / "parquet" / "breakdowns.parquet")
    hidden = cells.filter(pl.col("disclosure").is_in(["primary", "secondary"]))
    assert hidden["value"].null_count() == hidden.height
    text = (exports / "csv" / "breakdowns.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(r["value"] == ".." for r in rows if r["disclosure"] in ("primary", "secondary"))


def test_charts_are_written_as_png_and_svg(exports):
    names = {path.stem for path in (exports / "diagram").iterdir()}
    assert {"andelar_2013_2016", "kompetens_omrade", "kompetens_delomrade"} <= names
    assert {
        f"{measure}_{dimension}"
        for measure in ("handlaggare", "arbetsledare", "handlaggare_utan_socionom")
        for dimension in ("lan", "kommungrupp")
    } <= names
    for name in names:
        png = (exports / "diagram" / f"{name}.png").read_bytes()
        svg = (exports / "diagram" / f"{name}.svg").read_text(encoding="utf-8")
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert "<svg" in svg and svg.rstrip().endswith("</svg>")


def test_charts_drawn_half_in_the_helper_process_equal_charts_drawn_here(
    small_warehouse, exports, tmp_path
):
    from assets.publication.charts import write_charts
    from assets.publication.content import read_publication

    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        publication = read_publication(con)
    finally:
        con.close()
    drawn_here = write_charts(tmp_path, publication)
    # The refresh drew every other chart in the helper process (assets/publication/charts.py).
    assert {path.name for path in (exports / "diagram").iterdir()} == {
        path.name for paths in drawn_here.values() for path in paths
    }
    for paths in drawn_here.values():
        for path in paths:
            assert (exports / "diagram" / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_html_report_links_the_data_docs_and_the_control_reports(exports):
    page = (exports / "rapport.html").read_text(encoding="utf-8")
    assert 'href="../data_docs/index.html"' in page
    assert 'href="../kontrollrapporter/index.html"' in page
    assert (exports.parent / "data_docs" / "index.html").exists()
    assert (exports.parent / "kontrollrapporter" / "index.html").exists()
