"""Property-based fuzzing of the reader, the ledger and the validator (project issue 7).

Generated and mutated submission files: no exception escapes, each file is exactly one ledger
row, and a valid file with its rows shuffled or its delimiter or encoding changed gives the
same answers and the same validation. The row shapes of issue 23 are generated too: rows without
a delimiter, fields longer than 128 KiB, numbers of many digits, XLSX values beyond column B.
The number of examples comes from the Hypothesis profile
(tests/conftest.py): `KOMPETENS_TEST_PROFILE=full` runs 11 740 files in all.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import polars as pl
import xlsxwriter
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


# --- the row shapes of issue 23 (contract section 2, amended 2026-12-07) ----------------------

META_2016 = [("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "2016-11-20")]
STOCKHOLM_ANSWERS = [(q, a) for q, a in STOCKHOLM_2016 if q in FORM_2016]  # no contact data
# Text of a row with no delimiter at all: none of the three, no quote, no line break, not blank.
UNDELIMITED_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=';,\t"'),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip())


@examples(full=600, default=15)
@given(
    shapes=st.lists(
        st.sampled_from(["kept", ",", "\t", " ", "text"]),
        min_size=len(STOCKHOLM_ANSWERS),
        max_size=len(STOCKHOLM_ANSWERS),
    ),
    texts=st.lists(UNDELIMITED_TEXT, min_size=len(STOCKHOLM_ANSWERS)),
)
def test_rows_without_a_delimiter_are_each_accounted_for(shapes, texts):
    # A `;` file whose answer rows lose their `;`: a catalog id followed by `,` or a tab makes
    # that answer unparseable; a row with no delimiter at all (the id and a space, or free text)
    # is a warning naming its row. Every row is one or the other: none vanishes.
    lines = ["fraga;svar", *(f"{q};{a}" for q, a in META_2016)]
    unparseable, undelimited, kept = set(), 0, {}
    for (question, answer), shape, text in zip(STOCKHOLM_ANSWERS, shapes, texts, strict=False):
        if shape == "kept":
            lines.append(f"{question};{answer}")
            kept[question] = answer
        elif shape == "text":
            lines.append(text)
            undelimited += 1
        elif shape == " ":
            lines.append(f"{question} {answer.replace(',', '.')}")
            undelimited += 1
        else:
            lines.append(f"{question}{shape}{answer}")
            unparseable.add(question)
    read, validation = one_file_through_ledger_and_validator(
        "\r\n".join(lines).encode("utf-8"), ".csv"
    )
    assert read.reason_code is None and validation is not None
    assert set(read.unparseable) == unparseable
    assert {q: a for q, a in read.answers.items() if q not in unparseable} == kept
    rules = [finding.rule for finding in read.findings]
    assert rules.count("row_without_delimiter") == undelimited


@examples(full=40, default=3)
@given(
    length=st.integers(131_073, 1_000_000),
    character=st.characters(blacklist_categories=("Cc", "Cs")),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_a_long_field_below_the_file_limit_is_its_question_warning(length, character, delimiter):
    # No field limit below 1 MiB: a comment longer than the csv module's 128 KiB default is the
    # unknown question `kommentar`'s warning, and the answers around it are read.
    rows = [*META_2016, ("kommentar", character * length), *STOCKHOLM_ANSWERS]
    data = csv_bytes(rows, delimiter=delimiter)
    if len(data) > 1_048_576:  # a multi-byte character: over the limit is too_large, not this
        data = csv_bytes([*META_2016, ("kommentar", "x" * length), *STOCKHOLM_ANSWERS], delimiter)
    read, validation = one_file_through_ledger_and_validator(data, ".csv")
    assert read.reason_code is None and validation is not None
    assert [(f.rule, f.question_id) for f in read.findings] == [("unknown_question", "kommentar")]
    assert read.answers == {q: a for q, a in STOCKHOLM_ANSWERS}


@examples(full=800, default=25)
@given(
    digits=st.integers(1, 40).flatmap(
        lambda n: st.from_regex(rf"\A[1-9][0-9]{{{n - 1}}}\Z") if n > 1 else st.just("7")
    ),
    grouped=st.booleans(),
)
def test_a_whole_number_of_many_digits_is_exact_up_to_30_digits(digits, grouped):
    # handl_fortbildning (persons) takes part in no hard rule: block B is valid exactly when the
    # answer is a number, and it is one up to 30 digits before the decimal mark.
    text = f"{int(digits):,}".replace(",", " ") if grouped else digits
    rows = [
        *META_2016,
        *((q, text if q == "handl_fortbildning" else a) for q, a in STOCKHOLM_ANSWERS),
    ]
    _, validation = one_file_through_ledger_and_validator(csv_bytes(rows), ".csv")
    issues = validation.issues.filter(pl.col("question_id") == "handl_fortbildning")
    if len(digits) > 30:
        assert issues["rule"].to_list() == ["unparseable_value"]
        return
    assert issues.is_empty()
    (value,) = validation.answers.filter(pl.col("question_id") == "handl_fortbildning")["value"]
    assert value == float(int(digits))


@examples(full=300, default=10)
@given(
    beyond=st.lists(
        st.one_of(
            st.none(),
            st.tuples(st.integers(2, 6), st.one_of(st.integers(0, 99), UNDELIMITED_TEXT)),
        ),
        min_size=len(STOCKHOLM_ANSWERS),
        max_size=len(STOCKHOLM_ANSWERS),
    ),
    answer_kept=st.booleans(),
)
def test_an_xlsx_value_beyond_column_b_makes_its_answer_unparseable(beyond, answer_kept):
    # A value in column C or later is a CSV row's extra field: that answer is unparseable
    # (never "not answered", even with column B empty), and every other answer is as written.
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    rows = [("fraga", "svar"), *META_2016, *STOCKHOLM_ANSWERS]
    extras = [None] * (1 + len(META_2016)) + beyond
    unparseable = set()
    for index, ((question, answer), extra) in enumerate(zip(rows, extras, strict=True)):
        sheet.write_string(index, 0, question)
        if extra is None or answer_kept:
            sheet.write_string(index, 1, answer)
        if extra is not None:
            column, value = extra
            sheet.write(index, column, value)
            unparseable.add(question)
    workbook.close()
    read, validation = one_file_through_ledger_and_validator(buffer.getvalue(), ".xlsx")
    assert read.reason_code is None and validation is not None
    assert set(read.unparseable) == unparseable
    assert {q: a for q, a in read.answers.items() if q not in unparseable} == {
        q: a for q, a in STOCKHOLM_ANSWERS if q not in unparseable
    }
