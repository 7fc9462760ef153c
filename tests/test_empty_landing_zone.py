"""A landing zone with no submissions publishes empty tables, and its exports say that there is
nothing to show; the refresh after it, with submissions, publishes them (issue defect 6: the
charts raised StopIteration after the swap, and every later refresh failed again)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import openpyxl

from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone, write_register

NOTHING_TO_SHOW = "Det finns inget att visa"


def figures(warehouse: Path) -> tuple[int, int]:
    """(published keys, those with a figure other than 0) of report.tables_long."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT count(*), count(*) FILTER (WHERE value <> 0) FROM report.tables_long"
        ).fetchone()
    finally:
        con.close()


def assert_exports_say_there_is_nothing_to_show(exports: Path) -> None:
    assert NOTHING_TO_SHOW in (exports / "rapport.html").read_text(encoding="utf-8")
    workbook = openpyxl.load_workbook(exports / "tabeller.xlsx")
    assert workbook.sheetnames == [f"Tabell {n}" for n in range(1, 15)]
    for sheet in workbook.worksheets:
        texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        assert any(isinstance(text, str) and NOTHING_TO_SHOW in text for text in texts), sheet
    for folder in ("csv", "csv_sv", "parquet"):
        notice = (exports / folder / "inget_att_visa.txt").read_text(encoding="utf-8")
        assert NOTHING_TO_SHOW in notice
    # Every published key is a line of tables_long.csv, with no value, or 0 where a register
    # makes a population row in which nobody is counted (contract section 5: N 0, sums 0).
    lines = (exports / "csv" / "tables_long.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "table_id,row_key,col_key,value"
    values = {line.rsplit(",", 1)[1] for line in lines[1:]}
    assert len(lines) > 1 and values <= {"", "0", "0.0"}
    charts = sorted((exports / "diagram").glob("*.svg"))
    assert len(charts) == 9
    for chart in charts:
        assert "Inget att visa" in chart.read_text(encoding="utf-8"), chart.name


def test_an_empty_landing_zone_publishes_empty_tables_and_the_next_refresh_its_submissions(
    tmp_path,
):
    raw = tmp_path / "raw"
    raw.mkdir()
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    exports = warehouse.parent / "exports"
    instance = dg.DagsterInstance.ephemeral()

    # No year folder at all.
    assert materialize_pipeline(raw, warehouse, instance).success
    published_keys, with_a_figure = figures(warehouse)
    assert published_keys > 0 and with_a_figure == 0
    assert_exports_say_there_is_nothing_to_show(exports)

    # Year folders with their registers, and nothing in inventering/.
    for ar in (2013, 2014, 2015, 2016):
        write_register(raw / str(ar) / "rekvisitioner.csv", ar)
        (raw / str(ar) / "inventering").mkdir()
    assert materialize_pipeline(raw, warehouse, instance).success
    assert figures(warehouse) == (published_keys, 0)
    assert_exports_say_there_is_nothing_to_show(exports)

    # Then the submissions come in (the small landing zone's, over the same registers).
    build_small_landing_zone(raw)
    assert materialize_pipeline(raw, warehouse, instance).success
    assert figures(warehouse)[1] > 0
    assert NOTHING_TO_SHOW not in (exports / "rapport.html").read_text(encoding="utf-8")
    assert not (exports / "csv" / "inget_att_visa.txt").exists()
