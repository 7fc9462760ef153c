"""What of a submission's text may be quoted in a message (contract section 2).

A submission reaches the warehouse, the published files, the Dagster instance and the alerts only
as parsed answers of catalog questions and the metadata codes. Every other piece of its text is
named by its row, never copied, unless it is harmless by its shape:

- a question id that is not in the catalog, when it looks like an identifier: letters a–z,
  digits and `_`, at most 64 characters, after trimming;
- an answer (unparseable, or quoted in a warning), when it holds nothing but digits, signs, `,`,
  `.` and the space-like separators of numbers, with at most 6 digits, so that no personal
  identity number (19121212-1212) or telephone number (070-123 45 67) is ever quoted.

This module is the one home of both shapes, as Python predicates and as polars expressions (the
validation writes its messages over a frame), and of how a message names what it may not quote.
File paths are the landing zone's own names and are kept. The validator CLI, on the
municipality's own machine, may show the municipality its own text.
"""

from __future__ import annotations

import re

import polars as pl

from schemas.values import THOUSANDS_SEPARATORS

MAX_QUOTED_ID_CHARACTERS = 64
MAX_QUOTED_DIGITS = 6
# Longer quotable answers are shortened in messages (a run of separators, say).
_MAX_QUOTED_ANSWER_CHARACTERS = 40

_IDENTIFIER = rf"[a-z0-9_]{{1,{MAX_QUOTED_ID_CHARACTERS}}}"
_NUMBER_CHARACTERS = rf"[0-9+\-,.{THOUSANDS_SEPARATORS}]+"
_DIGIT = "[0-9]"
_IDENTIFIER_RE = re.compile(_IDENTIFIER, re.ASCII)
_NUMBER_CHARACTERS_RE = re.compile(_NUMBER_CHARACTERS, re.ASCII)
_DIGIT_RE = re.compile(_DIGIT, re.ASCII)


def may_quote_question_id(text: str | None) -> bool:
    """Whether an unknown question id may be quoted: an identifier once trimmed."""
    return text is not None and _IDENTIFIER_RE.fullmatch(text.strip()) is not None


def may_quote_answer(text: str | None) -> bool:
    """Whether an answer may be quoted: number characters only, at most 6 digits."""
    if text is None:
        return False
    text = text.strip()
    return (
        _NUMBER_CHARACTERS_RE.fullmatch(text) is not None
        and len(_DIGIT_RE.findall(text)) <= MAX_QUOTED_DIGITS
    )


def shown_question_id(text: str | None) -> str | None:
    """An unknown question id as a table may hold it: trimmed, or None when not quotable."""
    return text.strip() if may_quote_question_id(text) else None


def shown_answer(text: str | None) -> str | None:
    """An answer as a table may hold it (an issue's `value`): trimmed, or None."""
    return text.strip() if may_quote_answer(text) else None


def answer_at(text: str | None, line: int | None) -> str:
    """Where and, if it may be quoted, what an answer is: "'5;5' på rad 9" or "på rad 9"
    ("'5;5'" or "" when the row is not known)."""
    where = "" if line is None else f"på rad {line}"
    quoted = shown_answer(text)
    if quoted is None:
        return where
    if len(quoted) > _MAX_QUOTED_ANSWER_CHARACTERS:
        quoted = quoted[: _MAX_QUOTED_ANSWER_CHARACTERS - 1] + "…"
    return f"'{quoted}' {where}".rstrip()


def answer_in_message(text: str | None, line: int | None) -> str:
    """How a message names an answer: "svaret '5;5' på rad 9" where it may be quoted, else
    "svaret på rad 9" (or just "svaret" when the row is not known)."""
    return f"svaret {answer_at(text, line)}".rstrip()


def question_in_message(text: str | None) -> str:
    """How a message names an unknown question, after its row ("Rad 7: frågan 'xyz' finns
    inte …"): "frågan 'xyz'", or "frågan" when its id may not be quoted."""
    quoted = shown_question_id(text)
    return "frågan" if quoted is None else f"frågan '{quoted}'"


def may_quote_answer_expr(text: pl.Expr) -> pl.Expr:
    """`may_quote_answer` over a column of answer texts."""
    stripped = text.str.strip_chars()
    return (
        stripped.str.contains(f"^{_NUMBER_CHARACTERS}$")
        & (stripped.str.count_matches(_DIGIT) <= MAX_QUOTED_DIGITS)
    ).fill_null(False)


def shown_answer_expr(text: pl.Expr) -> pl.Expr:
    """`shown_answer` over a column: the trimmed text where quotable, else null."""
    return pl.when(may_quote_answer_expr(text)).then(text.str.strip_chars())


def answer_in_message_expr(text: pl.Expr, line: pl.Expr) -> pl.Expr:
    """`answer_in_message` over columns of answer texts and row numbers."""
    quoted = shown_answer_expr(text)
    shortened = (
        pl.when(quoted.str.len_chars() > _MAX_QUOTED_ANSWER_CHARACTERS)
        .then(quoted.str.slice(0, _MAX_QUOTED_ANSWER_CHARACTERS - 1) + pl.lit("…"))
        .otherwise(quoted)
    )
    where = pl.when(line.is_not_null()).then(pl.format(" på rad {}", line)).otherwise(pl.lit(""))
    return (
        pl.when(quoted.is_null())
        .then(pl.format("svaret{}", where))
        .otherwise(pl.format("svaret '{}'{}", shortened, where))
    )
