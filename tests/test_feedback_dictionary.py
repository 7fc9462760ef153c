"""The data dictionary: every table, view and column of the warehouse has a comment."""

from __future__ import annotations

from assets.feedback.dictionary import DOCUMENTED_SCHEMAS, uncommented


def test_every_column_of_every_table_and_view_has_a_comment(small_db):
    columns = small_db.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('core', 'quality', 'report', 'ref')"
    ).fetchall()[0][0]
    assert columns > 200  # the check below looks at the whole warehouse, not an empty one
    assert set(DOCUMENTED_SCHEMAS) == {"core", "quality", "report", "ref"}
    assert uncommented(small_db) == []


def test_laid_out_table_columns_are_commented_from_the_published_labels(small_db):
    comment = small_db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'report' "
        "AND table_name = 'table_01' AND column_name = 'Kvinnor'"
    ).fetchall()[0][0]
    assert "årsarbetare" in comment and "col_key = 'kvinnor'" in comment


def test_the_dictionary_is_written_next_to_the_warehouse(small_warehouse):
    readme = (small_warehouse.parent / "README.md").read_text(encoding="utf-8")
    assert "## `quality.issues` (vy)" in readme
    assert "| `severity` |" in readme


def test_the_committed_dictionary_is_the_one_a_refresh_writes(small_warehouse):
    # warehouse/README.md is generated (assets/feedback/dictionary.py); it only depends on the
    # warehouse's tables and comments, so the small landing zone's refresh writes the same text.
    from pipelines.resources import PROJECT_ROOT

    committed = (PROJECT_ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    assert (small_warehouse.parent / "README.md").read_text(encoding="utf-8") == committed
