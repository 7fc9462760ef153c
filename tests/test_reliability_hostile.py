"""Hostile and broken input (project issue 7): every file ends as exactly one ledger row with
the right status, the run goes on, and nothing in a file or a file name reaches SQL as text."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import materialize_pipeline
from tests.hostile.recipes import (
    COMMITTED,
    FORMULA,
    PLANTED,
    SQL_INJECTION,
    STRANGE_NUMBERS,
    build_hostile_files,
)
from tests.landing_zone_fixture import EXPECTED_LEDGER, build_small_landing_zone

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_REASON_CODES = {
    "unsupported_type", "symlink", "too_large", "empty", "unreadable", "bad_header",
    "missing_metadata", "unknown_municipality", "bad_year", "year_mismatch", "bad_timestamp",
    "duplicate_question",
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The small landing zone with the whole hostile corpus added to 2016, refreshed once."""
    root = tmp_path_factory.mktemp("hostile")
    raw = build_small_landing_zone(root / "raw")
    expected = build_hostile_files(raw / "2016" / "inventering")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)
    return result, warehouse, expected


@pytest.fixture
def hostile_db(hostile_run):
    con = duckdb.connect(str(hostile_run[1]), read_only=True)
    yield con
    con.close()


def test_the_corpus_holds_a_file_for_every_contract_reason_code(hostile_run):
    expected = hostile_run[2]
    assert {reason for _status, reason in expected.values() if reason} == CONTRACT_REASON_CODES
    assert len(expected) >= len(COMMITTED) + 13


def test_every_hostile_file_is_one_ledger_row_with_its_status_and_the_run_goes_on(
    hostile_run, hostile_db
):
    result, _warehouse, expected = hostile_run
    assert result.success
    ledger = hostile_db.execute(
        "SELECT path, status, reason_code FROM quality.file_ledger"
    ).fetchall()
    paths = [path for path, _status, _reason in ledger]
    assert len(paths) == len(set(paths)) == len(expected) + len(EXPECTED_LEDGER)
    found = {path: (status, reason) for path, status, reason in ledger}
    for name, status in expected.items():
        assert found.pop(f"2016/inventering/{name}") == status, name
    # The small landing zone's own files are decided exactly as without the hostile ones.
    assert found == EXPECTED_LEDGER


def test_awkward_numbers_are_issues_of_an_invalid_block_and_minus_zero_is_zero(hostile_db):
    issues = dict(
        hostile_db.execute(
            "SELECT question_id, rule FROM quality.issues "
            "WHERE path = '2016/inventering/konstiga_tal.csv' AND block = 'A_handlaggare'"
        ).fetchall()
    )
    expected = {q: rule for q, (_text, rule) in STRANGE_NUMBERS.items() if rule}
    assert {q: issues[q] for q in expected} == expected
    assert "handl_socionom_lt1ar" not in issues  # "-0" is a valid zero
    assert hostile_db.execute(
        "SELECT status FROM core.block_status WHERE kommunkod = '0127' AND block = 'A_handlaggare'"
    ).fetchall() == [("invalid",)]


def test_a_formula_in_a_choice_answer_is_an_unparseable_value_never_copied(hostile_db):
    rows = hostile_db.execute(
        "SELECT rule, value, message FROM quality.issues WHERE kommunkod = '0128' "
        "AND question_id = 'uppf_medarbetarsamtal'"
    ).fetchall()
    # Text that is not a small number is named by its row (contract section 2).
    assert [(rule, value) for rule, value, _message in rows] == [("unparseable_value", None)]
    assert "svaret på rad 5" in rows[0][2]
    assert not hostile_db.execute(
        "SELECT count(*) FROM core.file_answers WHERE answer_text = ?", [FORMULA]
    ).fetchone()[0]


def test_sql_in_a_file_name_and_in_answers_is_stored_as_text_and_every_table_survives(
    hostile_db, small_db
):
    path = f"2016/inventering/{SQL_INJECTION}.csv"
    assert hostile_db.execute(
        "SELECT status FROM quality.file_ledger WHERE path = ?", [path]
    ).fetchall() == [("selected",)]
    issues = hostile_db.execute(
        "SELECT question_id, rule, value FROM quality.issues WHERE path = ? ORDER BY question_id",
        [path],
    ).fetchall()
    # Named by their rows, never copied (contract section 2).
    assert ("handl_man", "unparseable_value", None) in issues
    assert ("plan_handlaggare", "unparseable_value", None) in issues
    assert (None, "unknown_question", None) in issues
    tables = "SELECT table_schema, table_name FROM information_schema.tables ORDER BY ALL"
    assert hostile_db.execute(tables).fetchall() == small_db.execute(tables).fetchall()


def test_no_planted_personal_data_is_in_any_text_of_the_warehouse(hostile_db):
    """The personal data of tests/hostile/recipes.py (issue 24), searched in every column of
    every table and view; tests/test_personal_data.py searches every other output too."""
    columns = hostile_db.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database()"
    ).fetchall()
    found = []
    for schema, table, column in columns:
        for planted in PLANTED:
            hits = hostile_db.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" '
                f'WHERE contains(lower(CAST("{column}" AS VARCHAR)), ?)',
                [planted.lower()],
            ).fetchone()[0]
            if hits:
                found.append((f"{schema}.{table}.{column}", planted))
    assert found == []


def test_an_undecodable_file_name_is_shown_escaped(hostile_db):
    rows = hostile_db.execute(
        "SELECT path, status FROM quality.file_ledger WHERE kommunkod = '0319'"
    ).fetchall()
    assert rows == [("2016/inventering/ogiltigt_namn_\\xff\\xfe.csv", "selected")]


# Every name interpolated into SQL text in assets/ and pipelines/, reviewed: none comes from
# a file's content or name. Table names are constants of the code, `sql` is a constant query,
# `limit` and `t.number` are ints, `placeholders` is "?, ?", `variable` a constant name, and
# `_identifier(...)` quotes catalog names read from DuckDB's own metadata (DDL takes no
# parameters), and YEAR_OF_PATH and PATH_IN_RUN_YEARS are constant expressions of
# assets/ingest/assets.py (the years a run builds are a temporary table, never text).
# Reviewed: each is a name the code or the reference data makes (a schema the code lists, a table
# or column of the warehouse quoted as an identifier, a table number), never file content.
# SHOWN_COMPARISON_COLUMNS is a constant tuple of report.jamforelse's columns
# (assets/publication/profile_data.py). REVISED_FIGURES_QUERY is a constant query and `name` a
# keyword of the code (assets/publication/publications.py); `database` is "" or "forra."
# (assets/publication/revisions.py); STORAGE_VERSION is a constant of the warehouse resource;
# PUBLISHED_KEY_FIGURES, PUBLISHED_BREAKDOWNS and PUBLISHED_INPUTS the table names
# report.nyckeltal_publicerad, report.breakdown_cells_publicerad and
# report.nyckeltal_publicerad_inputs (assets/report/disclosure.py); CELL_BLOCKS a constant
# subquery (assets/disclosure/breakdowns.py).
REVIEWED_SQL_INTERPOLATIONS = {
    "table", "sql", "limit", "placeholders", "variable", "t.number:02d", "table.number:02d",
    "schema", "_identifier(table_name)", "_identifier(column_name)", "_identifier(table)",
    "_identifier(column)", "YEAR_OF_PATH", "PATH_IN_RUN_YEARS",
    '", ".join(SHOWN_COMPARISON_COLUMNS)', "REVISED_FIGURES_QUERY", "name", "database",
    "STORAGE_VERSION", "PUBLISHED_KEY_FIGURES", "PUBLISHED_INPUTS", "PUBLISHED_BREAKDOWNS",
    "CELL_BLOCKS",
}  # fmt: skip


def test_no_sql_text_is_built_from_file_content_or_names():
    """A new interpolation into SQL text fails here until someone has looked at it."""
    found = set()
    for source in sorted((PROJECT_ROOT / "assets").rglob("*.py")) + sorted(
        (PROJECT_ROOT / "pipelines").rglob("*.py")
    ):
        text = source.read_text(encoding="utf-8")
        for call in re.finditer(r"\.(?:execute|sql)\(\s*f(\"\"\"|\"|')(.*?)\1", text, re.DOTALL):
            found.update(re.findall(r"\{([^{}]+)\}", call.group(2)))
    assert found - REVIEWED_SQL_INTERPOLATIONS == set()
