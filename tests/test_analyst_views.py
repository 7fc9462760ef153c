"""The analyst's warehouse (issue 14, section 4): the ledger and the issues with each municipality's
name and county (warehouse/sql/90_quality_kommun_views.sql), one wide row of answers per selected
submission (warehouse/sql/91_core_answers_wide.sql), and the README's queries, which return rows
on the shipped data.

The small landing zone's values are worked out by hand in tests/landing_zone_fixture.py: Malmö's
2016 block A breaks kvinnor + män = totalt (19 + 2 is not 22) and is invalid, its block B
(13, 5, 1) valid; Göteborg 2016 wrote män 12.5.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from schemas.catalog import META_BLOCK, load_catalog
from tests.test_report_sql import build_warehouse

README = Path(__file__).resolve().parents[1] / "README.md"


# --- quality.file_ledger_kommun, quality.issues_kommun -------------------------------------------


@pytest.mark.parametrize(
    ("view", "table"),
    [
        ("quality.file_ledger_kommun", "quality.file_ledger"),
        ("quality.issues_kommun", "quality.issues"),
    ],
)
def test_the_kommun_views_are_their_table_with_the_name_and_county(small_db, view, table):
    columns = small_db.sql(f"FROM {table}").columns
    assert small_db.sql(f"FROM {view}").columns[:5] == [
        "path",
        "kommunkod",
        "kommun",
        "lanskod",
        "lan",
    ]
    assert small_db.execute(f"SELECT {', '.join(columns)} FROM {view} ORDER BY ALL").fetchall() == (
        small_db.execute(f"FROM {table} ORDER BY ALL").fetchall()
    )
    named = small_db.execute(
        f"SELECT DISTINCT kommunkod, kommun, lan FROM {view} WHERE kommunkod IS NOT NULL ORDER BY 1"
    ).fetchall()
    assert ("1280", "Malmö", "Skåne län") in named
    assert all(kommun is not None for _, kommun, _ in named)


def test_a_file_without_a_readable_kommunkod_has_no_name(small_db):
    rows = small_db.execute(
        "SELECT kommunkod, kommun, lan FROM quality.file_ledger_kommun"
        " WHERE path = '2016/inventering/anteckningar.txt'"
    ).fetchall()
    assert rows == [(None, None, None)]


def test_the_issues_of_a_municipality_are_found_by_its_name(small_db):
    rules = small_db.execute(
        "SELECT rule FROM quality.issues_kommun WHERE kommun = 'Malmö' AND block = 'A_handlaggare'"
    ).fetchall()
    assert rules  # the broken sum of block A, 2016


# --- core.answers_wide ---------------------------------------------------------------------------


def test_one_row_per_selected_submission(small_db):
    rows = small_db.execute("SELECT path FROM core.answers_wide ORDER BY 1").fetchall()
    assert rows == small_db.execute("SELECT path FROM core.submissions ORDER BY 1").fetchall()
    assert small_db.execute(
        "SELECT kommun, lan FROM core.answers_wide WHERE kommunkod = '2403' AND ar = 2016"
    ).fetchall() == [("Bjurholm", "Västerbottens län")]


def test_every_question_of_the_catalog_is_a_column_in_its_order():
    # The catalog as schemas/catalog.py reads it, not the warehouse's ref.questions; the columns
    # are there also when no submission is.
    expected = [
        q for q, question in load_catalog().questions.items() if question.block != META_BLOCK
    ]
    con = build_warehouse([], [])
    columns = con.sql("FROM core.answers_wide").columns
    assert columns[columns.index("invalid_blocks") + 1 :] == expected
    assert not {"kontaktperson", "kontakt_epost"} & set(columns)


def test_the_wide_row_holds_every_answer_of_core_answers(small_db):
    long = small_db.execute(
        "SELECT path, question_id, coalesce(CAST(value AS VARCHAR), value_text) FROM core.answers"
    ).fetchall()
    assert len(long) > 100
    wide = small_db.sql("FROM core.answers_wide")
    rows = {
        row[wide.columns.index("path")]: dict(zip(wide.columns, row)) for row in wide.fetchall()
    }
    assert [
        (path, question_id, answer)
        for path, question_id, answer in long
        if str(rows[path][question_id]) != answer
    ] == []


def test_an_invalid_blocks_answers_are_left_out_and_the_block_named(small_db):
    malmo = small_db.execute(
        "SELECT invalid_blocks, handl_kvinnor, handl_man, handl_totalt, handl_fortbildning,"
        " handl_vidareutbildning, handl_magister"
        " FROM core.answers_wide WHERE kommunkod = '1280' AND ar = 2016"
    ).fetchall()
    assert malmo == [(["A_handlaggare"], None, None, None, 13.0, 5.0, 1.0)]
    # What Malmö wrote in block A is still in the warehouse, as read from the file.
    written = small_db.execute(
        "SELECT f.answer_text FROM core.file_answers AS f JOIN core.submissions AS s USING (sha256)"
        " WHERE s.kommunkod = '1280' AND s.ar = 2016 AND f.question_id = 'handl_totalt'"
    ).fetchall()
    assert written == [("22",)]
    goteborg = small_db.execute(
        "SELECT invalid_blocks, handl_man, uppf_medarbetarsamtal FROM core.answers_wide"
        " WHERE kommunkod = '1480' AND ar = 2016"
    ).fetchall()
    assert goteborg == [([], 12.5, None)]


# --- the README's queries ------------------------------------------------------------------------


def readme_queries() -> list[str]:
    """The statements of the SQL block of README.md's "Querying the warehouse"."""
    section = README.read_text(encoding="utf-8").split("## Querying the warehouse", 1)[1]
    section = section.split("\n## ", 1)[0]
    (sql,) = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)
    code = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def test_every_query_of_the_readme_returns_rows_on_the_shipped_data(shipped_warehouse):
    queries = readme_queries()
    assert len(queries) >= 6  # the SQL block was found and read
    con = duckdb.connect(str(shipped_warehouse), read_only=True)
    try:
        empty = [query for query in queries if not con.execute(query).fetchall()]
    finally:
        con.close()
    assert empty == []
