"""The parse cache (core.file_reads, core.file_answers, core.file_findings) over refreshes.

Each test runs the whole job twice over the same warehouse, as two refreshes do.
"""

from __future__ import annotations

import duckdb

from assets.ingest.assets import FILE_LEDGER
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone


def _rows(warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def _files_read(result) -> int:
    (ledger,) = [
        m
        for m in result.asset_materializations_for_node("submission_files")
        if m.asset_key == FILE_LEDGER
    ]
    return ledger.metadata["files_read_this_run"].value


def test_a_parse_cache_of_an_earlier_shape_is_dropped_and_every_file_read_again(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success
    answers = _rows(warehouse, "SELECT * FROM core.answers")
    # As a warehouse published before core.file_answers had the column.
    con = duckdb.connect(str(warehouse))
    con.execute("ALTER TABLE core.file_answers DROP COLUMN unparseable_message")
    con.close()
    (raw / "2016" / "inventering" / ".anteckning").write_text("ny fil: något att bygga om\n")

    result = materialize_pipeline(raw, warehouse)

    assert result.success
    # Every content the fixture's ledger reads: its 15 files less .gitkeep, anteckningar.txt
    # and the byte-identical copy of stockholm_2016_final.csv.
    assert _files_read(result) == 12
    assert _rows(warehouse, "SELECT * FROM core.answers") == answers
