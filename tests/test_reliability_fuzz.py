"""Property-based fuzzing of the reader, the ledger and the validator (project issue 7).

Generated and mutated submission files: no exception escapes, each file is exactly one ledger
row, and a valid file with its rows shuffled or its delimiter or encoding changed gives the
same answers and the same validation. The number of examples comes from the Hypothesis profile
(tests/conftest.py): `KOMPETENS_TEST_PROFILE=full` runs 10 000 files in all.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.ingest.landing_zone import LandingFile
from assets.ingest.ledger import build_ledger, needs_content
from assets.ingest.reader import ReadResult, read_key, read_submission
from assets.validate.blocks import validate_submissions
from schemas.catalog import load_catalog
from schemas.contract import LEDGER_STATUSES, REJECTION_REASONS
from tests.hostile.recipes import _xlsx_bytes
from tests.landing_zone_fixture import STOCKHOLM_2016

FULL_PROFILE = os.environ.get("KOMPETENS_TEST_PROFILE") == "full"


def examples(full: int, default: int) -> settings:
    return settings(max_examples=full if FULL_PROFILE else default)


FORM_2016 = [q.question_id for q in load_catalog().form(2016) if q.block != "meta"]
SWEDISH_NUMBER = st.one_of(
    st.integers(0, 9999).map(str),
    st.decimals(0, 9999, places=2).map(lambda d: str(d).replace(".", ",")),
    st.sampled_from(["ja", "nej", "delvis", "Ja", "NEJ"]),
)

# Text a valid file may hold: no control characters (a NUL makes the file unreadable).
PRINTABLE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)


def csv_bytes(rows, delimiter=";", encoding="utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows([("fraga", "svar"), *rows])
    return text.getvalue().encode(encoding)


VALID_CSV = csv_bytes(STOCKHOLM_2016)
VALID_XLSX = _xlsx_bytes(STOCKHOLM_2016)


def one_file_through_ledger_and_validator(data: bytes, suffix: str):
    """What the pipeline does with one file of 2016: read, ledger row, validation."""
    read = read_submission(data, suffix)
    assert isinstance(read, ReadResult)
    assert read.reason_code is None or read.reason_code in REJECTION_REASONS
    landing_file = LandingFile(
        path=f"2016/inventering/fuzz{suffix}",
        abs_path=Path("/nonexistent") / f"fuzz{suffix}",
        year_folder=2016,
        size_bytes=len(data),
        is_symlink=False,
        is_dotfile=False,
    )
    reads = {read_key("h", landing_file.path): read} if needs_content(landing_file) else {}
    ledger = build_ledger([landing_file], {landing_file.path: "h"}, reads)
    assert len(ledger) == 1 and ledger[0].status in LEDGER_STATUSES
    if ledger[0].status != "selected":
        return read, None
    validation = validate(read)
    return read, validation


def validate(read: ReadResult):
    submissions = pl.DataFrame(
        {"path": ["f"], "sha256": ["h"], "kommunkod": [read.kommunkod], "ar": [read.ar]}
    )
    answers = pl.DataFrame(
        {
            "sha256": ["h"] * len(read.answers),
            "question_id": list(read.answers),
            "answer_text": list(read.answers.values()),
            "unparseable_message": [read.unparseable.get(q) for q in read.answers],
        },
        schema={
            "sha256": pl.Utf8,
            "question_id": pl.Utf8,
            "answer_text": pl.Utf8,
            "unparseable_message": pl.Utf8,
        },
    )
    return validate_submissions(submissions, answers)


def canonical(frame: pl.DataFrame) -> list:
    return sorted(frame.drop("message", strict=False).rows(), key=repr)


@examples(full=7000, default=100)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".CSV", ".txt"]))
def test_arbitrary_bytes_are_one_ledger_row_and_never_raise(data, suffix):
    one_file_through_ledger_and_validator(data, suffix)


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 16))]
        else:
            del data[position:]
    return bytes(data)


@examples(full=1500, default=20)
@given(data=mutated(VALID_CSV))
def test_mutated_csv_files_are_one_ledger_row_and_never_raise(data):
    one_file_through_ledger_and_validator(data, ".csv")


@examples(full=1000, default=20)
@given(data=mutated(VALID_XLSX))
def test_mutated_xlsx_files_are_one_ledger_row_and_never_raise(data):
    one_file_through_ledger_and_validator(data, ".xlsx")


@examples(full=500, default=10)
@given(
    answers=st.dictionaries(st.sampled_from(FORM_2016), SWEDISH_NUMBER, max_size=40),
    extra_rows=st.lists(st.tuples(PRINTABLE_TEXT, PRINTABLE_TEXT), max_size=4),
    order=st.randoms(use_true_random=False),
    delimiter=st.sampled_from([",", "\t"]),
    encoding=st.sampled_from(["utf-8-sig", "cp1252"]),
)
def test_shuffled_rows_and_changed_separators_give_the_same_answers(
    answers, extra_rows, order, delimiter, encoding
):
    rows = [("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "2016-11-20")]
    # Extra rows with unknown, unanswered or odd ids must not change the answers either.
    rows += [
        (q, a)
        for q, a in extra_rows
        if q.strip().lower() not in {*FORM_2016, "kommunkod", "ar", "inlamnad"}
    ]
    rows += list(answers.items())
    plain = csv_bytes(rows)
    shuffled_rows = list(rows)
    order.shuffle(shuffled_rows)
    try:
        changed = csv_bytes(shuffled_rows, delimiter=delimiter, encoding=encoding)
    except UnicodeEncodeError:  # text Windows-1252 cannot hold: UTF-8 with BOM instead
        changed = csv_bytes(shuffled_rows, delimiter=delimiter, encoding="utf-8-sig")
    first, first_validation = one_file_through_ledger_and_validator(plain, ".csv")
    second, second_validation = one_file_through_ledger_and_validator(changed, ".csv")
    assert first.reason_code is None
    assert (
        first.answers == second.answers == {q: a.strip() for q, a in answers.items() if a.strip()}
    )
    assert (first.kommunkod, first.ar, first.inlamnad) == (
        second.kommunkod,
        second.ar,
        second.inlamnad,
    )
    for name in ("block_status", "answers", "issues"):
        assert canonical(getattr(first_validation, name)) == canonical(
            getattr(second_validation, name)
        )
