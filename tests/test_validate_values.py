"""Contract section 2, "Values": one answer text → its value or the rule that rejects it."""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.values import (
    ParsedAnswer,
    is_answered,
    parse_answer,
    parse_answers,
    swedish_number,
)

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def number(value: float) -> ParsedAnswer:
    return ParsedAnswer(value=value, value_text=None, rule=None)


def rejected(rule: str) -> ParsedAnswer:
    return ParsedAnswer(value=None, value_text=None, rule=rule)


NOT_ANSWERED = ParsedAnswer(value=None, value_text=None, rule=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the contract's examples
        ("5 390,5", 5390.5),
        ("5390.5", 5390.5),
        (f"1{NBSP}028,4", 1028.4),
        (f"1{NARROW_NBSP}028,4", 1028.4),
        ("1 028,4", 1028.4),
        ("0", 0.0),
        ("12", 12.0),
        ("12,5", 12.5),
        ("+7", 7.0),
        (".5", 0.5),
        ("1 234 567,25", 1234567.25),
        ("  3,5  ", 3.5),
    ],
)
def test_fte_number_formats(text, expected):
    assert parse_answer("fte", text) == number(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # XLSX float artefacts, on either side of the value meant
        ("12.300000000000001", 12.30),
        ("12.299999999999999", 12.30),
        ("3,14159", 3.14),
        ("0,999", 1.00),
        # ties: half away from zero, as Excel's ROUND (half to even would give 0.12, 2.00, 0.10)
        ("0.125", 0.13),
        ("0.135", 0.14),
        ("0,375", 0.38),
        ("2,005", 2.01),
        ("0,105", 0.11),
        ("1 028,445", 1028.45),
        # the decimal text is rounded, not a float: just below a tie rounds down, however long
        ("0,1249999999999999999999999", 0.12),
        ("0,1250000001", 0.13),
    ],
)
def test_fte_rounded_to_two_decimals_half_away_from_zero_as_excel_round(text, expected):
    """Contract section 2: fte answers are rounded to 2 decimals half away from zero."""
    assert parse_answer("fte", text) == number(expected)


def test_the_largest_fte_number_rounds_up_without_overflow():
    # Contract section 2 (2026-12-07): 30 digits before the decimal mark are the most a value
    # holds; rounding up adds a 31st.
    assert parse_answer("fte", "9" * 30 + ",995") == number(1e30)
    assert parse_answer("persons", "9" * 30) == number(float("9" * 30))
    assert parse_answer("fte", "9" * 31) == rejected("unparseable_value")
    assert parse_answer("fte", "1" + "0" * 30 + ",5") == rejected("unparseable_value")


@pytest.mark.parametrize("text", ["-0", "-0,00", "+0", "-0.0"])
def test_minus_zero_is_zero(text):
    parsed = parse_answer("fte", text)
    assert parsed == number(0.0)
    assert math.copysign(1.0, parsed.value) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "1e3",
        "1E3",
        "2,5e-1",  # exponents
        "0x10",
        "0b101",  # hex, binary
        "1.028,4",
        "1,028.4",  # point as thousands separator
        "1,2,3",
        "1.2.3",
        "1,2.3",  # two decimal separators
        "12 34",
        "1 0284",
        "1  028",  # thousands groups not of three digits
        "abc",
        "ca 12",
        "12 st",
        "5 %",
        "-",
        "+",
        ".",
        ",",
        "- 5",
        "\u0661\u0662",  # Arabic-Indic digits: only ASCII digits count
        "1" * 40,  # more digits than any count can have
    ],
)
def test_unparseable_numbers(text):
    assert parse_answer("fte", text) == rejected("unparseable_value")
    assert parse_answer("persons", text) == rejected("unparseable_value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 028,4", number(1028.4)),
        (f"1{NBSP}028,4", number(1028.4)),
        (f"1{NARROW_NBSP}028,4", number(1028.4)),
        (f"{NBSP}1 028,4{NARROW_NBSP}", number(1028.4)),  # surrounding white space ignored
        ("1,028.4", rejected("unparseable_value")),
        ("1.028,4", rejected("unparseable_value")),
        ("1'028,4", rejected("unparseable_value")),
        ("1_028,4", rejected("unparseable_value")),
        ("1\t028,4", rejected("unparseable_value")),
    ],
)
def test_only_space_like_thousands_separators_are_accepted(text, expected):
    """Contract section 2: space, U+00A0 and U+202F; `1,028.4` and `1.028,4` are unparseable."""
    assert parse_answer("fte", text) == expected


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "+Infinity", "INF"])
def test_not_finite(text):
    assert parse_answer("fte", text) == rejected("not_finite")
    assert parse_answer("persons", text) == rejected("not_finite")


@pytest.mark.parametrize(
    ("kind", "text"),
    [("fte", "-5"), ("fte", "-0,5"), ("fte", "-1 028,4"), ("fte", "-0,001"), ("persons", "-3")],
)
def test_negative_value(kind, text):
    assert parse_answer(kind, text) == rejected("negative_value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12.0), ("12,0", 12.0), ("12.00", 12.0), ("1 028", 1028.0), ("0", 0.0), ("-0", 0.0)],
)
def test_persons_whole_numbers(text, expected):
    assert parse_answer("persons", text) == number(expected)


@pytest.mark.parametrize("text", ["12,5", "0,001", "1 028,4", "12.01"])
def test_persons_not_whole_number(text):
    assert parse_answer("persons", text) == rejected("not_whole_number")


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("yes_no", "ja", "ja"),
        ("yes_no", " JA ", "ja"),
        ("yes_no", "Nej", "nej"),
        ("yes_partly_no", "DELVIS", "delvis"),
        ("yes_partly_no", "ja", "ja"),
        ("yes_partly_no", "nej", "nej"),
    ],
)
def test_choices_case_insensitive(kind, text, expected):
    assert parse_answer(kind, text) == ParsedAnswer(value=None, value_text=expected, rule=None)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("yes_no", "delvis"),
        ("yes_no", "j"),
        ("yes_no", "1"),
        ("yes_no", "ja."),
        ("yes_partly_no", "kanske"),
    ],
)
def test_unparseable_choices(kind, text):
    assert parse_answer(kind, text) == rejected("unparseable_value")


@pytest.mark.parametrize("kind", ["fte", "persons", "yes_no", "yes_partly_no"])
@pytest.mark.parametrize("text", ["", "   ", NBSP, None])
def test_blank_is_not_answered(kind, text):
    assert parse_answer(kind, text) == NOT_ANSWERED


def test_is_answered():
    frame = pl.DataFrame({"text": ["", " ", "0", None, "nej"]})
    assert frame.select(is_answered(pl.col("text"))).to_series().to_list() == [
        False,
        False,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_column_of_mixed_kinds_is_parsed_at_once(lazy):
    frame = pl.DataFrame(
        {
            "kind": ["fte", "persons", "persons", "yes_no", "yes_partly_no", "fte", "fte"],
            "answer_text": ["1 028,4", "12,0", "12,5", "Ja", "delvis", "-1", "x"],
        }
    )
    parsed = parse_answers(frame.lazy() if lazy else frame)
    parsed = parsed.collect() if lazy else parsed
    assert parsed.schema == pl.Schema(
        {
            "kind": pl.String,
            "answer_text": pl.String,
            "rule": pl.String,
            "value": pl.Float64,
            "value_text": pl.String,
        }
    )
    assert parsed.select("value", "value_text", "rule").rows() == [
        (1028.4, None, None),
        (12.0, None, None),
        (None, None, "not_whole_number"),
        (None, "ja", None),
        (None, "delvis", None),
        (None, None, "negative_value"),
        (None, None, "unparseable_value"),
    ]


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([" ", NBSP, NARROW_NBSP]),
    st.sampled_from([",", "."]),
)
def test_a_number_written_the_swedish_way_reads_back(
    amount: Decimal, separator: str, decimal_mark: str
):
    written = f"{amount:,.2f}".replace(",", separator).replace(".", decimal_mark)
    assert parse_answer("fte", written) == number(float(amount))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45.5, "45,5"),
        (46.0, "46"),
        (0.1 + 0.2, "0,3"),
        (1028.4, "1028,4"),
        (100.0, "100"),
        (0.0, "0"),
        (12.25, "12,25"),
    ],
)
def test_swedish_number(value, expected):
    assert pl.select(swedish_number(pl.lit(value))).item() == expected
