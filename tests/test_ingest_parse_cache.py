"""The parse cache (core.file_reads, core.file_answers, core.file_findings) over refreshes.

Each test runs the whole job twice over the same warehouse, as two refreshes do.
"""

from __future__ import annotations

import dataclasses
import shutil

import duckdb

import assets.ingest.assets as ingest_assets
from assets.ingest import parse_cache
from assets.ingest.assets import FILE_LEDGER
from assets.ingest.parse_cache import READING_MODULES, reading_version
from assets.source_code import PROJECT_PACKAGES, PROJECT_ROOT, library_versions, project_modules
from schemas.catalog import MUNICIPALITIES_FILE_NAME, REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR
from tests.conftest import materialize_pipeline, sorted_rows
from tests.landing_zone_fixture import build_small_landing_zone


def _files_read(result) -> int:
    # One materialisation per year built, each with the run's count.
    (files_read,) = {
        m.metadata["files_read_this_run"].value
        for m in result.asset_materializations_for_node("submission_files")
        if m.asset_key == FILE_LEDGER
    }
    return files_read


def test_a_parse_cache_of_an_earlier_shape_is_dropped_and_every_file_read_again(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success
    answers = sorted_rows(warehouse, "SELECT * FROM core.answers")
    # As a warehouse published before core.file_answers had the column, by code whose years'
    # fingerprints are not this code's (every year is built again).
    con = duckdb.connect(str(warehouse))
    con.execute("ALTER TABLE core.file_answers DROP COLUMN unparseable_message")
    con.execute("UPDATE quality.year_inputs SET fingerprint = 'an earlier version'")
    con.close()
    (raw / "2016" / "inventering" / ".anteckning").write_text("ny fil: något att bygga om\n")

    result = materialize_pipeline(raw, warehouse)

    assert result.success
    # Every content the fixture's ledger reads: its 15 files less .gitkeep, anteckningar.txt
    # and the byte-identical copy of stockholm_2016_final.csv.
    assert _files_read(result) == 12
    assert sorted_rows(warehouse, "SELECT * FROM core.answers") == answers


def _ledger(warehouse, path: str) -> tuple:
    (row,) = sorted_rows(
        warehouse,
        f"SELECT status, reason_code, kommunkod FROM quality.file_ledger WHERE path = '{path}'",
    )
    return row


UPPSALA_2016 = (
    "fraga;svar\nkommunkod;0380\nar;2016\ninlamnad;2016-11-25\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;2\nhandl_magister;1\n"
)


def test_a_read_is_cached_by_content_and_suffix_so_a_renamed_file_is_read_again(tmp_path):
    """Issue defect 4: the reader's verdict depends on the file's suffix as well as its bytes, so
    CSV text sent as uppsala.xlsx and then renamed uppsala.csv is read again as a CSV."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    misnamed = raw / "2016" / "inventering" / "uppsala.xlsx"
    misnamed.write_text(UPPSALA_2016, encoding="utf-8")
    assert materialize_pipeline(raw, warehouse).success
    # CSV text is no zip archive; the content is not read, so kommunkod stays unknown.
    assert _ledger(warehouse, "2016/inventering/uppsala.xlsx") == ("rejected", "unreadable", None)

    misnamed.rename(raw / "2016" / "inventering" / "UPPSALA.CSV")
    result = materialize_pipeline(raw, warehouse)

    assert result.success
    assert _files_read(result) == 1  # the same bytes, now read as a CSV; nothing else
    assert _ledger(warehouse, "2016/inventering/UPPSALA.CSV") == ("selected", None, "0380")
    assert sorted_rows(
        warehouse,
        "SELECT question_id, value FROM core.answers WHERE kommunkod = '0380' AND ar = 2016",
    ) == [("handl_fortbildning", 3.0), ("handl_magister", 1.0), ("handl_vidareutbildning", 2.0)]


def _renamed(reference, kommunkod: str, name: str) -> None:
    municipalities = reference / MUNICIPALITIES_FILE_NAME
    lines = municipalities.read_text(encoding="utf-8").splitlines(keepends=True)
    municipalities.write_text(
        "".join(
            f"{kommunkod},{name},{line.split(',', 2)[2]}"
            if line.startswith(f"{kommunkod},")
            else line
            for line in lines
        ),
        encoding="utf-8",
    )


PARSE_CACHE_AND_RESULTS = (
    "SELECT sha256, suffix, reason_code, message, kommunkod, ar, inlamnad FROM core.file_reads",
    "SELECT * FROM core.file_answers",
    "SELECT * FROM core.file_findings",
    "SELECT * FROM quality.file_ledger",
    "SELECT * FROM core.answers",
    "SELECT * FROM ref.municipalities",
)


def test_a_reference_edit_gives_what_a_cold_build_gives_first_time(tmp_path, monkeypatch):
    """Issue 22, item 2: renaming a municipality changed the reading version, which dropped the
    cached reads but kept their answers and findings; the files read again added theirs beside
    them, and every later refresh failed on a duplicate key in core.answers."""
    raw = build_small_landing_zone(tmp_path / "raw")
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success

    _renamed(reference, "0180", "Stockholms stad")
    incremental = materialize_pipeline(raw, warehouse, raise_on_error=False)
    cold_warehouse = tmp_path / "cold" / "kompetens.duckdb"
    assert materialize_pipeline(raw, cold_warehouse).success

    assert incremental.success
    for sql in PARSE_CACHE_AND_RESULTS:
        assert sorted_rows(warehouse, sql) == sorted_rows(cold_warehouse, sql), sql


def test_the_reading_version_is_the_reading_code_itself(tmp_path):
    """Issue 22, item 2: no constant to bump. The version is a hash of the reader's source and of
    every project module it imports (the value parser, the catalog, the rules), so an edit of any
    of them is a new version; a copy of the same code is the same version."""
    code = project_modules(READING_MODULES)
    assert {
        "assets.ingest.reader",
        "assets.ingest.parse_cache",
        "schemas.values",
        "schemas.catalog",
        "schemas.rules",
    } <= set(code)
    assert any(version.startswith("openpyxl==") for version in library_versions(code.values()))

    for package in PROJECT_PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package)
    assert reading_version(tmp_path) == reading_version()
    values = tmp_path / "schemas" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert reading_version(tmp_path) != reading_version()


def test_a_change_of_the_reading_code_gives_what_a_cold_build_gives_first_time(
    tmp_path, monkeypatch
):
    """Issue 22, item 2: an edit of the reading code is another reading version, and another
    code fingerprint, so every year is built again. The cached reads of the earlier version were
    dropped but their answers and findings kept; the files read again added theirs beside them,
    and the refresh failed on a duplicate key in core.answers."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success

    build_code = ingest_assets.build_code
    monkeypatch.setattr(parse_cache, "reading_version", lambda: "the reader, edited")
    # The reader is imported by the year-scoped assets: their code versions change with it.
    monkeypatch.setattr(
        ingest_assets,
        "build_code",
        lambda gate: dataclasses.replace(build_code(gate), years="the reader's assets, edited"),
    )
    incremental = materialize_pipeline(raw, warehouse, raise_on_error=False)
    cold_warehouse = tmp_path / "cold" / "kompetens.duckdb"
    assert materialize_pipeline(raw, cold_warehouse).success

    assert incremental.success
    assert sorted_rows(warehouse, "SELECT DISTINCT reading_version FROM core.file_reads") == [
        ("the reader, edited",)
    ]
    for sql in PARSE_CACHE_AND_RESULTS:
        assert sorted_rows(warehouse, sql) == sorted_rows(cold_warehouse, sql), sql
