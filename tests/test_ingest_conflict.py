"""Contract section 3: a conflict publishes, with that municipality-year absent (issue defect 1).

The small landing zone plus two different Stockholm 2016 files sharing the latest inlamnad.
Expected values are worked out by hand from tests/landing_zone_fixture.py.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone

CONFLICT_A = "2016/inventering/stockholm_2016_rattad_a.csv"
CONFLICT_B = "2016/inventering/stockholm_2016_rattad_b.csv"
STOCKHOLM_TIE = "fraga;svar\nkommunkod;0180\nar;2016\ninlamnad;2016-12-20\nhandl_fortbildning;{}\n"


@pytest.fixture(scope="module")
def conflict_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("conflict")
    raw = build_small_landing_zone(root / "raw")
    (raw / CONFLICT_A).write_text(STOCKHOLM_TIE.format(10), encoding="utf-8")
    (raw / CONFLICT_B).write_text(STOCKHOLM_TIE.format(15), encoding="utf-8")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield result, con
    con.close()


def test_a_conflict_publishes(conflict_run):
    result, _ = conflict_run
    assert result.success
    published = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("kompetens_warehouse") in published


def test_every_file_of_the_tie_is_conflict_with_no_reason_code(conflict_run):
    """Contract section 3: reason_code is set for rejected rows only."""
    _, con = conflict_run
    ledger = {
        path: (status, reason_code)
        for path, status, reason_code in con.execute(
            "SELECT path, status, reason_code FROM quality.file_ledger WHERE kommunkod = '0180' "
            "AND ar = 2016"
        ).fetchall()
    }
    assert ledger == {
        CONFLICT_A: ("conflict", None),
        CONFLICT_B: ("conflict", None),
        # 2016-11-20T14:30 and 2016-11-10 are earlier than the tie at 2016-12-20.
        "2016/inventering/stockholm_2016_final.csv": ("superseded", None),
        "2016/inventering/stockholm_2016_utkast.csv": ("superseded", None),
        "2016/inventering/stockholm_2016_final_kopia.csv": ("duplicate", None),
    }


def test_the_conflict_is_a_fatal_issue_under_the_rule_conflict(conflict_run):
    _, con = conflict_run
    assert con.execute(
        "SELECT path, rule, severity FROM quality.issues WHERE rule = 'conflict' ORDER BY path"
    ).fetchall() == [(CONFLICT_A, "conflict", "fatal"), (CONFLICT_B, "conflict", "fatal")]


def test_the_municipality_year_is_absent_and_counted_in_no_table(conflict_run):
    _, con = conflict_run
    for table in ("core.submissions", "core.block_status", "core.answers", "core.counted_blocks"):
        rows = con.execute(
            f"SELECT count(*) FROM {table} WHERE kommunkod = '0180' AND ar = 2016"
        ).fetchone()
        assert rows == (0,), table
    # Table 1 counts 2403 and 1480 only (1280's block A is invalid): 4 + 107,5 handläggare.
    assert con.execute(
        "SELECT col_key, value FROM report.tables_long WHERE table_id = 'T01' "
        "AND row_key = 'handlaggare' AND col_key IN ('n_kommuner', 'totalt') ORDER BY col_key"
    ).fetchall() == [("n_kommuner", 2), ("totalt", 111.5)]
