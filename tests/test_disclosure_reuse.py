"""A year's disclosure result is kept while nothing it depends on changed (assets/report/
disclosure.py): a refresh solves only the years whose key figures, groups or code changed, and
what it keeps equals what a cold build solves."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.disclosure.breakdowns import read_breakdowns
from assets.disclosure.key_figures import read_key_figures
from assets.report import disclosure
from assets.report.disclosure import (
    DISCLOSURE_AUDIT,
    PUBLISHED_BREAKDOWNS,
    PUBLISHED_INPUTS,
    PUBLISHED_KEY_FIGURES,
    disclosure_audit_result,
    stored_years,
    year_digests,
)
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone
from tests.test_incremental_equals_cold import CHANGES, WAREHOUSE_FILE, _warehouse_rows

# Malmö overwrites its 2013 file: only 2013's key figures change.
CHANGE, CHANGED_YEAR = "rattad_fil", 2013


def _audit_metadata(result) -> dict:
    [evaluation] = [
        e for e in result.get_asset_check_evaluations() if e.check_name == DISCLOSURE_AUDIT
    ]
    return {name: value.value for name, value in evaluation.metadata.items()}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> tuple[Path, Path, dict, dict]:
    """The small landing zone built cold, one file corrected, and refreshed: its raw folder, its
    warehouse and the audit's metadata of both runs."""
    raw = build_small_landing_zone(tmp_path_factory.mktemp("A") / "raw")
    warehouse = raw.parent / "warehouse" / WAREHOUSE_FILE
    instance = dg.DagsterInstance.ephemeral()
    cold = _audit_metadata(materialize_pipeline(raw, warehouse, instance))
    CHANGES[CHANGE](raw)
    return raw, warehouse, cold, _audit_metadata(materialize_pipeline(raw, warehouse, instance))


def test_a_refresh_solves_only_the_year_whose_submissions_changed(refreshed):
    _, _, cold, refresh = refreshed
    years = sorted(int(ar) for ar in cold["per_year"])
    assert len(years) > 1 and cold["reused_years"] == [] and cold["solved_years"] == years
    assert refresh["solved_years"] == [CHANGED_YEAR]
    assert refresh["reused_years"] == [ar for ar in years if ar != CHANGED_YEAR]
    assert {ar: y["reused"] for ar, y in refresh["per_year"].items()} == {
        str(ar): ar != CHANGED_YEAR for ar in years
    }


def test_the_kept_years_equal_a_cold_build_of_the_corrected_landing_zone(refreshed, tmp_path):
    raw, warehouse, _, refresh = refreshed
    cold_raw = tmp_path / "raw"
    shutil.copytree(raw, cold_raw)
    cold_warehouse = tmp_path / "warehouse" / WAREHOUSE_FILE
    cold = _audit_metadata(materialize_pipeline(cold_raw, cold_warehouse))
    assert cold["reused_years"] == [] and refresh["reused_years"]

    incremental_rows, cold_rows = _warehouse_rows(warehouse), _warehouse_rows(cold_warehouse)
    for table in (PUBLISHED_KEY_FIGURES, PUBLISHED_BREAKDOWNS, PUBLISHED_INPUTS):
        assert cold_rows[table] and incremental_rows[table] == cold_rows[table], table
    whether_reused = ("reused_years", "solved_years", "per_year")
    assert {k: v for k, v in refresh.items() if k not in whether_reused} == {
        k: v for k, v in cold.items() if k not in whether_reused
    }


@pytest.fixture
def built(refreshed, tmp_path) -> duckdb.DuckDBPyConnection:
    """A copy of the refreshed warehouse, its stored disclosure result as the next build reads it."""
    copy = tmp_path / WAREHOUSE_FILE
    shutil.copyfile(refreshed[1], copy)
    con = duckdb.connect(str(copy))
    yield con
    con.close()


def test_another_code_version_solves_every_year_again(built, monkeypatch):
    years = sorted(stored_years(built))
    _, unchanged = disclosure_audit_result(built, stored=stored_years(built))
    assert unchanged.metadata["solved_years"].value == []
    monkeypatch.setattr(disclosure, "disclosure_code_version", lambda: "another version")
    _, changed = disclosure_audit_result(built, stored=stored_years(built))
    assert changed.metadata["solved_years"].value == years


def test_a_municipality_in_another_county_changes_the_digest_of_the_years_it_is_in(built):
    # Only the membership changes (report.breakdown_groups, from ref.municipalities' county):
    # the key figures read are the same, so the groups alone must make the digests differ.
    nyckeltal, groups, definitions = read_key_figures(built)
    kommunkod = "2403"
    moved = groups.with_columns(
        group_code=pl.when((pl.col("dimension") == "lan") & (pl.col("kommunkod") == kommunkod))
        .then(pl.lit("01"))
        .otherwise(pl.col("group_code"))
    )
    assert not moved.equals(groups)
    breakdowns = read_breakdowns(built)
    before = year_digests(nyckeltal, groups, definitions, breakdowns, None)
    after = year_digests(nyckeltal, moved, definitions, breakdowns, None)
    in_years = set(nyckeltal.filter(pl.col("kommunkod") == kommunkod)["ar"])
    assert in_years and {ar for ar in before if before[ar] != after[ar]} == in_years


def test_a_change_of_a_breakdown_input_alone_changes_the_digest_of_its_year(built):
    # The key figures read are the same; one municipality's answers behind the breakdown cells of
    # one year change (its submission counts in the tables but the key figures are read as they
    # were): that year, and only that year, is solved again.
    nyckeltal, groups, definitions = read_key_figures(built)
    breakdowns = read_breakdowns(built)
    year = breakdowns.answers["ar"].max()
    changed = dataclasses.replace(
        breakdowns,
        answers=breakdowns.answers.with_columns(
            value=pl.when(pl.col("ar") == year).then(pl.col("value") + 1).otherwise("value")
        ),
    )
    before = year_digests(nyckeltal, groups, definitions, breakdowns, None)
    after = year_digests(nyckeltal, groups, definitions, changed, None)
    assert {ar for ar in before if before[ar] != after[ar]} == {year}
