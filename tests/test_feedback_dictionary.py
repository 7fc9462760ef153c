"""The data dictionary: every table, view and column of the warehouse has a comment and a name
that follows the naming convention."""

from __future__ import annotations

import re

from assets.feedback.dictionary import DOCUMENTED_SCHEMAS, uncommented


def test_every_column_of_every_table_and_view_has_a_comment(small_db):
    columns = small_db.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('core', 'quality', 'report', 'ref')"
    ).fetchall()[0][0]
    assert columns > 200  # the check below looks at the whole warehouse, not an empty one
    assert set(DOCUMENTED_SCHEMAS) == {"core", "quality", "report", "ref"}
    assert uncommented(small_db) == []


def test_laid_out_table_columns_are_commented_with_the_published_headings(small_db):
    comment = small_db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'report' "
        "AND table_name = 'table_11' AND column_name = 'socionom_lt1ar_andel'"
    ).fetchall()[0][0]
    assert '"Varav socionomexamen och < 1 års erfarenhet. Procent"' in comment
    assert "procent" in comment.lower() and "col_key = 'socionom_lt1ar_andel'" in comment


def test_answer_columns_are_commented_with_their_questions(small_db):
    comment = small_db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'core' "
        "AND table_name = 'answers_wide' AND column_name = 'handl_socionom_lt1ar'"
    ).fetchall()[0][0]
    label = small_db.execute(
        "SELECT label_sv FROM ref.questions WHERE question_id = 'handl_socionom_lt1ar'"
    ).fetchall()[0][0]
    assert comment.startswith(label) and "block A_handlaggare" in comment


def test_every_identifier_follows_the_naming_convention(small_db):
    # NAMING_CONVENTION (assets/feedback/dictionary.py): lower-case snake_case, so that no query
    # has to quote a name; report.table_NN's columns were the report's headings before.
    placeholders = ", ".join("?" for _ in DOCUMENTED_SCHEMAS)
    names = small_db.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
        f" WHERE schema_name IN ({placeholders})",
        list(DOCUMENTED_SCHEMAS),
    ).fetchall()
    assert len(names) > 200
    misnamed = [
        ".".join(name)
        for name in names
        if not all(re.fullmatch("[a-z][a-z0-9_]*", part) for part in name)
    ]
    assert misnamed == []


def test_the_dictionary_is_written_next_to_the_warehouse(small_warehouse):
    readme = (small_warehouse.parent / "README.md").read_text(encoding="utf-8")
    assert "## `quality.issues` (vy)" in readme
    assert "| `severity` |" in readme


def test_the_committed_dictionary_is_the_one_a_refresh_writes(small_warehouse):
    # warehouse/README.md is generated (assets/feedback/dictionary.py); it only depends on the
    # warehouse's tables and comments, so the small landing zone's refresh writes the same text.
    from pipelines.environment import PROJECT_ROOT

    committed = (PROJECT_ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    assert (small_warehouse.parent / "README.md").read_text(encoding="utf-8") == committed
