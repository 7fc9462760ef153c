"""What each suite's Data Docs build costs (issue 16), and that the pages stay what GX renders.

Every suite of a run adds its validation to the Data Docs, which GX renders with new views, and
then makes the site self-contained. The helper process keeps GX's compiled page templates and
knows which files of the site it made self-contained already, so a suite pays for its own pages
only.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from pathlib import Path

import jinja2
import pandas as pd
import pytest

from tests.test_incremental_equals_cold import _comparable, _output_files


@pytest.fixture
def validation():
    from assets.expectations import validation

    return validation


def grant_register() -> pd.DataFrame:
    return pd.DataFrame(
        {"ar": [2016, 2016], "kommunkod": ["0180", "9999"], "andamal": ["kompetensutveckling"] * 2}
    )


def tables_long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table_id": ["T01", "T11"],
            "row_key": ["handlaggare", "2016"],
            "col_key": ["kvinnor", "utan_socionom_andel"],
            "share": [None, 130.0],
        }
    )


def reconciliation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table_id": ["T01", "T01"],
            "row_key": ["handlaggare", "handlaggare"],
            "col_key": ["kvinnor", "man"],
            "status": ["match", "deviates"],
            "known_erratum": [False, False],
        }
    )


def suites_and_frames():
    from assets.expectations.suites import (
        GRANT_REGISTER_SUITE,
        RECONCILIATION_SUITE,
        TABLES_LONG_SUITE,
    )

    return [
        (GRANT_REGISTER_SUITE, grant_register()),
        (TABLES_LONG_SUITE, tables_long()),
        (RECONCILIATION_SUITE, reconciliation()),
    ]


def compiled_templates(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from now on."""
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_later_suites_and_runs_render_their_pages_without_compiling_a_template(
    validation, tmp_path, monkeypatch
):
    (register, register_frame), (tables, tables_frame), _ = suites_and_frames()
    run_id = f"kompilering-{uuid.uuid4()}"
    validation.validate_suite(register, register_frame, run_id, tmp_path / "data_docs")

    compiled = compiled_templates(monkeypatch)
    validation.validate_suite(tables, tables_frame, run_id, tmp_path / "data_docs")
    assert compiled == []

    validation.validate_suite(
        register, register_frame, f"kompilering-{uuid.uuid4()}", tmp_path / "next_run"
    )
    # Only the new run's project's own style sheet, which GX's views include as a template.
    assert compiled == ["data_docs_custom_styles.css"]
    # The pages were rendered all the same.
    assert (tmp_path / "data_docs" / "expectations" / "report" / "tables_long.html").is_file()
    assert (tmp_path / "next_run" / "expectations" / "core" / "grant_register.html").is_file()


def test_the_docs_are_the_ones_gx_renders_with_its_own_views(validation, tmp_path, monkeypatch):
    from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

    def build(folder: Path) -> None:
        run_id = str(uuid.uuid4())  # a Dagster run id, as the compared paths have it
        for suite, frame in suites_and_frames():
            validation.validate_suite(suite, frame, run_id, folder / "data_docs")

    build(tmp_path / "ours")
    monkeypatch.setattr(validation, "PageView", DefaultJinjaPageView)
    monkeypatch.setattr(validation, "IndexPageView", DefaultJinjaIndexPageView)
    compiled = compiled_templates(monkeypatch)
    build(tmp_path / "gx")

    assert compiled, "GX's own views compile their templates for every build"
    ours, gx = _output_files(tmp_path / "ours"), _output_files(tmp_path / "gx")
    assert sorted(ours) == sorted(gx)
    assert any(name.startswith("data_docs/validations/") for name in ours)
    for name in ours:
        assert [_comparable(name, path, Counter()) for path in ours[name]] == [
            _comparable(name, path, Counter()) for path in gx[name]
        ], name


def test_a_suite_makes_self_contained_only_the_docs_files_written_since_the_last_suite(
    validation, tmp_path, monkeypatch
):
    (register, register_frame), (tables, tables_frame), (reconciled, reconciled_frame) = (
        suites_and_frames()
    )
    docs = tmp_path / "data_docs"
    run_id = f"omskrivning-{uuid.uuid4()}"
    validation.validate_suite(register, register_frame, run_id, docs)

    rewritten: list[Path] = []
    load_locally = validation._load_locally

    def recording(text: str, page: Path, data_docs_dir: Path) -> str:
        rewritten.append(page.relative_to(data_docs_dir))
        return load_locally(text, page, data_docs_dir)

    monkeypatch.setattr(validation, "_load_locally", recording)
    validation.validate_suite(tables, tables_frame, run_id, docs)

    assert Path("index.html") in rewritten
    assert Path("expectations/report/tables_long.html") in rewritten
    assert [
        page for page in rewritten if page.parts[:3] == ("validations", "report", "tables_long")
    ]
    # Neither the first suite's pages nor the vendored files, which nothing wrote since.
    assert not [page for page in rewritten if "grant_register" in page.as_posix()]
    assert not [page for page in rewritten if page.parts[:2] == ("static", "vendor")]

    # A page written again after it was made self-contained is made so again.
    (register_page,) = docs.glob("validations/core/grant_register/*/*/*.html")
    jquery = "https://code.jquery.com/jquery-3.7.1.min.js"
    local_jquery = (validation.VENDOR_FOLDER / validation.VENDORED_FILES[jquery]).as_posix()
    register_html = register_page.read_text(encoding="utf-8")
    register_page.write_text(
        re.sub(rf'"(?:\.\./)*{re.escape(local_jquery)}"', f'"{jquery}"', register_html),
        encoding="utf-8",
    )
    assert jquery in register_page.read_text(encoding="utf-8")
    validation.validate_suite(reconciled, reconciled_frame, run_id, docs)
    assert register_page.read_text(encoding="utf-8") == register_html

    for page in [*docs.rglob("*.html"), *docs.rglob("*.css")]:
        text = page.read_text(encoding="utf-8")
        assert load_locally(text, page, docs) == text, page
