"""One answer text → its value (contract section 2, "Values").

The rules are written once, as polars expressions over a frame (`parse_answers`), so a whole
column of answers is parsed without a Python loop; `parse_answer` runs the same function on a
one-row frame. Both stages use them: the reader compares a question's repeated answers by
their value, the validation parses every answer of the selected submissions.

fte values are rounded to 2 decimals half away from zero, as Excel's ROUND does (the
contract's rule: 0.125 → 0.13, 0.135 → 0.14), on the decimal text with no binary float in
between: 12.300000000000001 and 12.299999999999999 (XLSX float artefacts) are 12.30, and
0.1249999999999999999 is 0.12 although its nearest float is 0.125.

Decisions the contract leaves open:

- Numbers are plain decimal notation: an optional sign, digits, an optional decimal comma or
  point. Thousands separators (space, U+00A0, U+202F) are accepted only between groups of
  three digits (`1 028,4`), so `12 34` (probably two numbers) is not silently read as 1234.
  A point is never a thousands separator: `1.028,4` and `1,028.4` are rejected, as are
  exponents (`1e3`), hex (`0x10`), anything but ASCII digits. A comma is always the decimal
  mark: `12,000` is twelve.
- More than 30 digits before the decimal mark is unparseable (contract section 2): 30 digits
  leave every sum of up to 10^5 answers within DECIMAL(38, 2), the type the report sums in
  (warehouse/sql/36_report_question_totals.sql).
- A negative number is rejected here (`negative_value`), not by a `ge(0)` check in the block
  schemas: a rejected answer never reaches the hard rules, so one wrong sign gives one issue
  instead of also breaking the sums it takes part in. `-0` is zero, not negative.
- persons must be whole: `12,0` is 12, `12,5` is `not_whole_number` (checked on the text).
- An empty or blank answer is not answered: no value and no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from schemas.catalog import CHOICE_KINDS, NUMERIC_KINDS

FTE_DECIMALS = 2
THOUSANDS_SEPARATORS = " \u00a0\u202f"

_DIGITS_WITH_SEPARATORS = rf"[0-9]{{1,3}}(?:[{THOUSANDS_SEPARATORS}][0-9]{{3}})+"
_PLAIN_NUMBER = rf"^[+-]?(?:{_DIGITS_WITH_SEPARATORS}|[0-9]*)(?:[.,][0-9]*)?$"
_NOT_FINITE = r"(?i)^[+-]?(?:nan|inf|infinity)$"
# The most digits an answer may have before its decimal mark (contract section 2).
MAX_INTEGER_DIGITS = 30
# Half away from zero, only the third decimal decides, so the text is cut after it and read
# exactly as a decimal of MAX_INTEGER_DIGITS integer digits at most (a longer number does not
# fit: unparseable); the rounding may carry into one digit more.
_DECIDING_DECIMALS = FTE_DECIMALS + 1
_NUMBER_AS_WRITTEN = pl.Decimal(MAX_INTEGER_DIGITS + _DECIDING_DECIMALS, _DECIDING_DECIMALS)
_NUMBER_ROUNDED = pl.Decimal(MAX_INTEGER_DIGITS + 1 + _DECIDING_DECIMALS, _DECIDING_DECIMALS)
# Messages show sums of rounded values with at most 2 decimals.
_FTE_DECIMAL = pl.Decimal(38, FTE_DECIMALS)

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class ParsedAnswer:
    value: float | None  # fte and persons
    value_text: str | None  # choices, lower case
    rule: str | None  # the rule id to report when the answer is rejected


def is_answered(answer_text: pl.Expr) -> pl.Expr:
    """True where the answer text holds something other than white space."""
    return answer_text.str.strip_chars().fill_null("") != ""


def parse_answers(answers: Frame) -> Frame:
    """Add `value` (Float64), `value_text` and `rule` (String) to a frame of `kind`, `answer_text`.

    Exactly one of them is set for an answered question: `value` for fte/persons,
    `value_text` for choices, `rule` when the answer is rejected; none when not answered.
    Intermediate results are columns, not repeated subexpressions, so each regex and cast
    runs once per answer.
    """
    kind, text, answered = pl.col("kind"), pl.col("_text"), is_answered(pl.col("answer_text"))
    is_numeric_kind = kind.is_in(sorted(NUMERIC_KINDS))
    is_choice = pl.lit(False)
    for choice_kind, choices in CHOICE_KINDS.items():
        is_choice = (
            pl.when(kind == choice_kind)
            .then(pl.col("_choice").is_in(list(choices)))
            .otherwise(is_choice)
        )
    number_rule = (
        pl.when(text.str.contains(_NOT_FINITE))
        .then(pl.lit("not_finite"))
        .when(
            ~text.str.contains(_PLAIN_NUMBER)
            | ~text.str.contains("[0-9]")
            | pl.col("_number").is_null()
        )
        .then(pl.lit("unparseable_value"))
        .when(text.str.starts_with("-") & text.str.contains("[1-9]"))
        .then(pl.lit("negative_value"))
        .when((kind == "persons") & pl.col("_plain").str.contains(r"\.[0-9]*[1-9]"))
        .then(pl.lit("not_whole_number"))
    )
    rule = (
        pl.when(~answered)
        .then(pl.lit(None, dtype=pl.String))
        .when(is_numeric_kind)
        .then(number_rule)
        .when(is_choice)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.lit("unparseable_value"))
    )
    accepted = answered & pl.col("rule").is_null()
    return (
        answers.with_columns(pl.col("answer_text").str.strip_chars().alias("_text"))
        .with_columns(
            text.str.replace_all(f"[{THOUSANDS_SEPARATORS}]", "")
            .str.replace(",", ".", literal=True)
            .alias("_plain"),
            text.str.to_lowercase().alias("_choice"),
        )
        .with_columns(
            pl.col("_plain")
            .str.replace(rf"(\.[0-9]{{{_DECIDING_DECIMALS}}})[0-9]+$", "${1}")
            .cast(_NUMBER_AS_WRITTEN, strict=False)
            .cast(_NUMBER_ROUNDED)
            .round(FTE_DECIMALS, mode="half_away_from_zero")
            .cast(pl.Float64)
            .alias("_number")
        )
        .with_columns(rule.alias("rule"))
        .with_columns(
            # + 0.0 turns the -0.0 of "-0" into 0.0.
            pl.when(accepted & is_numeric_kind).then(pl.col("_number") + 0.0).alias("value"),
            pl.when(accepted & ~is_numeric_kind).then(pl.col("_choice")).alias("value_text"),
        )
        .drop("_text", "_plain", "_choice", "_number")
    )


def parse_answer(kind: str, answer_text: str | None) -> ParsedAnswer:
    """Parse one answer of a question of `kind` (a kind of schemas.catalog)."""
    one = pl.DataFrame(
        {"kind": [kind], "answer_text": [answer_text]},
        schema={"kind": pl.String, "answer_text": pl.String},
    )
    value, value_text, rule = parse_answers(one).select("value", "value_text", "rule").row(0)
    return ParsedAnswer(value=value, value_text=value_text, rule=rule)


def swedish_number(value: pl.Expr) -> pl.Expr:
    """A number as a municipality writes it in a message: 45.5 → "45,5", 46.0 → "46"."""
    two_decimals = value.cast(_FTE_DECIMAL, strict=False).cast(pl.String)
    return pl.coalesce(
        two_decimals.str.replace(r"\.?0+$", "").str.replace(".", ",", literal=True),
        # beyond Decimal(38, 2): only absurd sums get here; show them as polars prints them
        value.cast(pl.String),
    )
