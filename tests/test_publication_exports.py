"""The publication outputs of a refresh: workbook, flat files, charts (small fixture warehouse)."""

import csv
import datetime as dt
import io
import math
import random

import duckdb
import openpyxl
import polars as pl
import pytest

from assets.disclosure import SYMBOLS, Disclosure
from assets.publication.exports import (
    DISCLOSED_COLUMNS,
    WITHHELD_COLUMNS,
    _write_csv,
    write_flat_exports,
)
from assets.publication.figures_shown import neutralise, read_publication, swedish_number
from assets.publication.html_report import report_html
from assets.publication.workbook import FIRST_BODY_ROW, HEADING_ROW, N_ROW
from tests.test_report_sql import KOMP, Submission, build_warehouse, handlaggare


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
    from assets.publication.figures_shown import read_publication

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


# --- the CSV files' cells, written column-wise ------------------------------------------------


def _csv_as_one_row_at_a_time(frame: pl.DataFrame, delimiter: str) -> bytes:
    """The flat files' format as its definition reads, cell by cell with Python's csv module:
    numbers as repr (decimal comma for semicolons), true/false, text neutralised, a hidden
    figure as its symbol, CRLF, quoted only where needed, a BOM for semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in frame.columns])
    for record in frame.iter_rows(named=True):
        cells = []
        for column, value in record.items():
            hidden = record.get("disclosure") not in (None, Disclosure.SHOWN)
            empty = record.get("disclosure") == Disclosure.EMPTY
            if column in DISCLOSED_COLUMNS and "disclosure" in record and hidden:
                cells.append(SYMBOLS[Disclosure(record["disclosure"])])
            elif column in WITHHELD_COLUMNS and value is None and hidden and not empty:
                cells.append(SYMBOLS[Disclosure.SECONDARY])
            elif value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append(str(value).lower())
            elif isinstance(value, float):
                cells.append(repr(value).replace(".", "," if delimiter == ";" else "."))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(neutralise(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig" if delimiter == ";" else "utf-8")


def _awkward_frame(rows: int, seed: int) -> pl.DataFrame:
    generator = random.Random(seed)
    texts = [
        "",
        "Kvinnor",
        "=1+1",
        "+46",
        "-x",
        "@a",
        "\tx",
        "\rx",
        "a,b",
        "a;b",
        'sa "x"',
        "rad\nbrytning",
        "Åre älv",
        " mellanslag ",
        "a=b",
        "'redan",
    ]
    floats = [
        0.0,
        -0.0,
        542.49,
        1 / 3,
        1e-05,
        -2.5e-07,
        0.0001,
        9.99e-05,
        1e15,
        1e16,
        -1e22,
        123456789012345.6,
        float("nan"),
        float("inf"),
        float("-inf"),
        5e-324,
    ]
    disclosures = [d.value for d in Disclosure]

    def some(values):
        return [generator.choice([*values, None]) for _ in range(rows)]

    return pl.DataFrame(
        {
            "text": some(texts),
            "=heading": some(texts),
            "value": [
                generator.choice(floats)
                if generator.random() < 0.5
                else generator.uniform(-1, 1) * 10 ** generator.randint(-9, 18)
                for _ in range(rows)
            ],
            "n_kommuner": some(range(-3, 300)),
            "taljare": some([0.5, 12.25, 3.0]),
            "flag": some([True, False]),
            "disclosure": [generator.choice(disclosures) for _ in range(rows)],
        },
        schema_overrides={"n_kommuner": pl.Int64, "flag": pl.Boolean},
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_file_is_what_writing_it_cell_by_cell_gives(tmp_path, seed, delimiter):
    frame = _awkward_frame(400, seed)
    path = _write_csv(tmp_path / "f.csv", frame, delimiter, decimal_comma=delimiter == ";")
    assert path.read_bytes() == _csv_as_one_row_at_a_time(frame, delimiter)
    # Read back, every shown figure is the same double.
    separator = delimiter
    read = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8")
    shown = frame.get_column("disclosure") == Disclosure.SHOWN.value
    for written, value in zip(
        read.get_column("value").filter(shown), frame.get_column("value").filter(shown)
    ):
        parsed = float(written.replace(",", ".")) if written else None
        assert parsed == value or (math.isnan(parsed) and math.isnan(value))


def test_a_column_of_a_type_without_a_csv_form_fails_loudly(tmp_path):
    with pytest.raises(TypeError, match="when"):
        _write_csv(tmp_path / "f.csv", pl.DataFrame({"when": [dt.date(2016, 1, 1)]}), ",", False)


def test_an_empty_population_shows_n_0_sums_0_and_shares_as_a_dash(tmp_path):
    # Contract section 5 (amended 2026-12-07): registers 2014–2016, Stockholm's first year 2014,
    # nobody new in 2015, so row 2015 of Tables 11–14 has no municipality: N 0, the number of
    # handläggare 0 (a sum over nobody), the shares "–" (a share of 0).
    con = build_warehouse(
        [
            Submission("0180", 2014, handlaggare(1, 0, 1, 0, 0, 0, 0)),
            Submission("0180", 2016, handlaggare(2, 0, 2, 0, 0, 0, 0)),
        ],
        [(ar, "0180", KOMP, 100, 100, 0) for ar in (2014, 2015, 2016)],
    )
    con.execute(
        "INSERT INTO quality.build_inputs VALUES "
        "('f', 'r', TIMESTAMP '2026-12-07 12:00', 'code years', 'code build', 'code files')"
    )
    publication = read_publication(con)

    html = report_html(publication, {})
    table_11 = html[html.index('<table id="T11">') :]
    row_2015 = table_11[table_11.index("<tr><th>2015</th>") :]
    row_2015 = row_2015[: row_2015.index("</tr>") + len("</tr>")]
    assert row_2015 == (
        '<tr><th>2015</th><td class="num">0,0</td><td class="num">–</td>'
        '<td class="num">–</td><td class="num">0</td></tr>'
    )
    write_flat_exports(tmp_path, publication)
    with open(tmp_path / "csv" / "table_11.csv", encoding="utf-8") as exported:
        rows = {row[0]: row[1:] for row in csv.reader(exported)}
    # Programs read an empty field as NULL (the share), 0 as zero.
    assert rows["2015"] == ["0.0", "", "", "0"]
