"""Issue 22, item 3: publication is all or nothing.

The warehouse, the control reports, the Data Docs, the data dictionary, the exports, the
key-figure files and the profile pages become visible together, after the blocking checks pass:
a run that fails anywhere, a blocking check or the last publication step, leaves every file a
reader reaches through the documented paths exactly as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone

# What readers open, as the README documents it, beside the warehouse file.
READER_PATHS = ("kompetens.duckdb", "README.md", "exports", "kontrollrapporter", "data_docs")


def published_files(warehouse: Path) -> dict[str, str]:
    """Every file a reader reaches through the documented paths, with its SHA-256."""
    found = {}
    for name in READER_PATHS:
        path = warehouse.parent / name
        assert path.exists(), name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            relative = (Path(name) / file.relative_to(path)).as_posix() if file != path else name
            found[relative] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path, dg.DagsterInstance, dict[str, str]]:
    """The small landing zone published once, and a new file landed since: (raw dir, warehouse,
    instance, the published files)."""
    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_pipeline(raw, warehouse, instance).success
    before = published_files(warehouse)
    assert any(name.startswith("kontrollrapporter/2016/") for name in before)
    assert any(name.startswith("data_docs/") for name in before)
    assert "exports/kommuner/index.html" in before
    assert "exports/csv/nyckeltal.csv" in before
    # A new file: the next refresh has a new ledger row, so a new control report to write.
    shutil.copy(raw / "2016" / "inventering" / "malmo.csv", raw / "2016" / "inventering" / "ny.csv")
    return raw, warehouse, instance, before


def test_a_run_stopped_by_a_blocking_check_leaves_every_published_file_as_it_was(
    published, monkeypatch
):
    raw, warehouse, instance, before = published
    import assets.report.assets as report_assets

    real_build = report_assets.build_report

    def build_missing_a_contract_column(con):
        real_build(con)
        con.execute("ALTER TABLE report.text_figures DROP COLUMN n_kommuner")

    monkeypatch.setattr(report_assets, "build_report", build_missing_a_contract_column)
    result = materialize_pipeline(raw, warehouse, instance, raise_on_error=False)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["contract_tables_present"] is False
    assert published_files(warehouse) == before


def test_a_run_that_fails_in_its_last_publication_step_publishes_nothing(published, monkeypatch):
    raw, warehouse, instance, before = published
    from assets.publication import kommunprofiler

    def broken_pages(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(kommunprofiler, "write_profiles", broken_pages)
        failed = materialize_pipeline(raw, warehouse, instance, raise_on_error=False)
    assert not failed.success
    assert published_files(warehouse) == before

    # The next refresh publishes everything, the new file's control report with the rest.
    assert materialize_pipeline(raw, warehouse, instance).success
    after = published_files(warehouse)
    assert after != before
    assert (warehouse.parent / "exports" / "kommuner" / "index.html").is_file()
    assert any(name.endswith("ny.csv.html") or "ny" in name for name in set(after) - set(before))
