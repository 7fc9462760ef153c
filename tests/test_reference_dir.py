"""KOMPETENS_REFERENCE_DIR points the pipeline at a replacement reference set (issue 8, growth)."""

import csv
import shutil

from assets.ingest.parse_cache import reading_version
from assets.ingest.reader import read_submission
from schemas.catalog import (
    REFERENCE_DIR_VARIABLE,
    SHIPPED_REFERENCE_DIR,
    load_catalog,
    municipality_codes,
    reference_dir,
)

SUBMISSION_OF_9001 = b"fraga;svar\nkommunkod;9001\nar;2017\ninlamnad;2017-11-16\nhandl_totalt;3\n"


def _replacement_set(tmp_path):
    replacement = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, replacement)
    municipalities = replacement / "municipalities.csv"
    with municipalities.open("a", encoding="utf-8") as handle:
        handle.write("9001,Provkommunen,01,Stockholms län\n")
    # The 2017 form repeats the 2016 form: every question asked in 2016 runs through 2017.
    questions = replacement / "questions.csv"
    with questions.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["years"].endswith("2016"):
            row["years"] = row["years"].split("-")[0] + "-2017"
    with questions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return replacement


def test_without_the_variable_the_shipped_set_is_read(monkeypatch):
    monkeypatch.delenv(REFERENCE_DIR_VARIABLE, raising=False)
    assert reference_dir() == SHIPPED_REFERENCE_DIR
    assert len(municipality_codes()) == 290
    assert "9001" not in municipality_codes()
    assert load_catalog().form(2017) == []


def test_the_variable_replaces_the_register_and_the_catalog(monkeypatch, tmp_path):
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(_replacement_set(tmp_path)))
    assert len(municipality_codes()) == 291
    assert "9001" in municipality_codes()
    assert [q.question_id for q in load_catalog().form(2017)] == [
        q.question_id for q in load_catalog().form(2016)
    ]
    result = read_submission(SUBMISSION_OF_9001, ".csv")
    assert (result.reason_code, result.kommunkod, result.ar) == (None, "9001", 2017)


def test_cached_reads_are_invalid_under_another_register(monkeypatch, tmp_path):
    # A read made against the 290 rejects kommunkod 9001; under a register that has it, the same
    # bytes must be read again, so the cache key changes with the reference set.
    monkeypatch.delenv(REFERENCE_DIR_VARIABLE, raising=False)
    shipped_version = reading_version()
    assert read_submission(SUBMISSION_OF_9001, ".csv").kommunkod is None
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(_replacement_set(tmp_path)))
    assert reading_version() != shipped_version
