"""The blocking check every_file_in_ledger (contract section 3: nothing is dropped silently).

Each test breaks the ingest so that one file goes missing from the ledger, and the check must
fail and stop the publication.
"""

from __future__ import annotations

import os

import dagster as dg

import assets.ingest.assets as ingest_assets
from assets.ingest.landing_zone import scan_landing_zone
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone

DROPPED = "2016/inventering/malmo.csv"


def _run_with_one_file_lost(tmp_path):
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)
    return result, warehouse


def _assert_the_check_failed_and_nothing_was_published(result, warehouse) -> None:
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "every_file_in_ledger"
    ]
    assert evaluation.passed is False
    assert evaluation.metadata["missing"].value == [DROPPED]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("kompetens_warehouse") not in materialized
    assert not warehouse.exists()


def test_the_check_fails_when_the_ledger_drops_a_file(tmp_path, monkeypatch):
    real_build_ledger = ingest_assets.build_ledger

    def build_ledger_dropping_a_file(files, sha256, reads):
        return [row for row in real_build_ledger(files, sha256, reads) if row.path != DROPPED]

    monkeypatch.setattr(ingest_assets, "build_ledger", build_ledger_dropping_a_file)
    _assert_the_check_failed_and_nothing_was_published(*_run_with_one_file_lost(tmp_path))


def test_the_check_fails_when_the_scan_misses_a_file(tmp_path, monkeypatch):
    """The check lists the landing zone on its own: a file the scan missed, and so the ledger
    too, is found missing."""
    real_scan = ingest_assets.scan_landing_zone

    def scan_missing_a_file(raw_dir, years=None):
        return [f for f in real_scan(raw_dir, years) if f.path != DROPPED]

    monkeypatch.setattr(ingest_assets, "scan_landing_zone", scan_missing_a_file)
    _assert_the_check_failed_and_nothing_was_published(*_run_with_one_file_lost(tmp_path))


def test_the_check_lists_what_the_scan_lists_on_awkward_entries(tmp_path):
    """A check that fails on a sound landing zone would stop every publication: symlinks (to a
    file, a folder, nothing; as the inventering or the year folder), dot-folders, FIFOs and
    names that are not UTF-8 are listed as the scan reports them."""
    outside = tmp_path / "outside"
    (outside / "inventering").mkdir(parents=True)
    (outside / "inventering" / "a.csv").write_bytes(b"x")
    raw = tmp_path / "raw"
    inventering = raw / "2016" / "inventering"
    (inventering / ".cache").mkdir(parents=True)
    (inventering / "sub").mkdir()
    (inventering / "a.csv").write_bytes(b"x")
    (inventering / ".cache" / "b.csv").write_bytes(b"x")
    (inventering / "sub" / "c.xlsx").write_bytes(b"x")
    (inventering / os.fsdecode(b"\xff.csv")).write_bytes(b"x")
    os.mkfifo(inventering / "pipe.csv")
    os.symlink(outside / "inventering" / "a.csv", inventering / "link.csv")
    os.symlink(outside, inventering / "linked_folder")
    os.symlink(outside / "missing.csv", inventering / "dangling.csv")
    (raw / "2015").mkdir()
    os.symlink(outside / "inventering", raw / "2015" / "inventering")
    os.symlink(outside, raw / "2014")

    scanned = {f.path for f in scan_landing_zone(raw)}
    # Symlinked year or inventering folders are one ledger row each, with nothing under them.
    assert ingest_assets._files_on_disk(raw, [2014, 2015, 2016]) == scanned - {
        "2014",
        "2015/inventering",
    }
    assert len(scanned) == 9
