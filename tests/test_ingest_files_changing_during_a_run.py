"""Files that change or land while a refresh runs (issue 22, item 1: read once, hash once).

A file is either in the run's ledger with the content that was read, or seen by the next
refresh: never cached under another content's hash, never left out for good. The moment is made
by wrapping one of our own steps, so that the landing zone changes exactly in between.
"""

from __future__ import annotations

import assets.ingest.assets as ingest_assets
from assets.ingest import parse_cache
from tests.conftest import materialize_pipeline, sorted_rows
from tests.landing_zone_fixture import build_small_landing_zone

UPPSALA = "2016/inventering/uppsala.csv"


def _submission(kommunkod: str) -> str:
    return (
        f"fraga;svar\nkommunkod;{kommunkod}\nar;2016\ninlamnad;2016-11-25\n"
        "handl_fortbildning;3\nhandl_vidareutbildning;2\nhandl_magister;1\n"
    )


PARSE_CACHE_AND_RESULTS = (
    "SELECT sha256, suffix, reason_code, message, kommunkod, ar, inlamnad FROM core.file_reads",
    "SELECT * FROM core.file_answers",
    "SELECT * FROM quality.file_ledger",
    "SELECT * FROM core.answers",
)


def test_a_file_overwritten_between_its_hash_and_its_read_is_cached_by_what_was_read(
    tmp_path, monkeypatch
):
    """Uppsala's file is hashed (by the refresh's first step), then overwritten with Enköping's
    before it is read. Its read must be cached under the hash of Enköping's bytes: cached under
    Uppsala's hash, it poisons the cache, and Uppsala's file put back reads as Enköping's."""
    raw = build_small_landing_zone(tmp_path / "raw")
    uppsala = raw / UPPSALA
    uppsala.write_text(_submission("0380"), encoding="utf-8")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    read_contents = parse_cache.read_contents
    overwritten = []

    def overwritten_first(*args):
        if not overwritten:
            uppsala.write_text(_submission("0381"), encoding="utf-8")
            overwritten.append(UPPSALA)
        return read_contents(*args)

    monkeypatch.setattr(parse_cache, "read_contents", overwritten_first)
    assert materialize_pipeline(raw, warehouse).success
    assert overwritten
    # The run's ledger holds what it read.
    assert sorted_rows(
        warehouse, f"SELECT kommunkod FROM quality.file_ledger WHERE path = '{UPPSALA}'"
    ) == [("0381",)]
    monkeypatch.undo()

    uppsala.write_text(_submission("0380"), encoding="utf-8")
    assert materialize_pipeline(raw, warehouse).success
    cold_warehouse = tmp_path / "cold" / "kompetens.duckdb"
    assert materialize_pipeline(raw, cold_warehouse).success

    for sql in PARSE_CACHE_AND_RESULTS:
        assert sorted_rows(warehouse, sql) == sorted_rows(cold_warehouse, sql), sql


def test_a_file_that_lands_after_the_scan_is_in_the_next_refreshs_ledger(tmp_path, monkeypatch):
    """Uppsala's file lands after the run listed 2016's files, before it recorded 2016's
    fingerprint. It is not in that run's ledger; the fingerprint must then not count it, or the
    next refresh finds nothing changed and the file never gets a ledger row."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    read_into_parse_cache = ingest_assets.read_into_parse_cache

    def landing_meanwhile(*args):
        read = read_into_parse_cache(*args)
        (raw / UPPSALA).write_text(_submission("0380"), encoding="utf-8")
        return read

    monkeypatch.setattr(ingest_assets, "read_into_parse_cache", landing_meanwhile)
    assert materialize_pipeline(raw, warehouse).success
    assert (raw / UPPSALA).is_file()
    monkeypatch.undo()

    assert materialize_pipeline(raw, warehouse).success

    assert sorted_rows(
        warehouse, f"SELECT status, kommunkod FROM quality.file_ledger WHERE path = '{UPPSALA}'"
    ) == [("selected", "0380")]
