"""Block status and issues of the selected submissions (contract section 4).

Every answer is parsed once (schemas/values.py). Then, per year and block, the parsed answers
of all submissions that answered the block are laid out as one wide frame and validated lazily
with the block's Pandera schema (schemas/blocks.py); each failure case (check, column,
index) becomes one issue row, with the severity of its rule. No rule is evaluated a second
time here: this module only maps failures to rows and writes the messages. A block is
invalid when it has an issue of severity error; warnings leave it valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from assets.processes import in_task_order, usable_cores
from schemas.blocks import (
    FTE_OVER_LIMIT_RULE,
    FTE_WARNING_LIMIT,
    SUBMISSION_KEY,
    BlockSchema,
    SumRule,
    block_schemas,
)
from schemas.catalog import CHOICE_KINDS, NUMERIC_KINDS, Question, load_catalog
from schemas.contract import INVALID, NOT_ANSWERED, VALID
from schemas.quoting import answer_in_message_expr, shown_answer_expr
from schemas.rules import ERROR, RULES, WARNING
from schemas.values import is_answered, parse_answers, swedish_number

MISSING_ANSWER = "missing_answer"

SUBMISSION_COLUMNS = {
    "path": pl.String,
    "sha256": pl.String,
    "kommunkod": pl.String,
    "ar": pl.Int64,
}
ANSWER_INPUT_COLUMNS = {"sha256": pl.String, "question_id": pl.String, "answer_text": pl.String}
# Optional in the answers: where set, the reader found the answer's CSV row cut into more fields
# than fraga and svar, so the answer is unparseable whatever its text, with this message.
UNPARSEABLE_MESSAGE = "unparseable_message"
# Optional too (core.file_answers): the answer's row, which a message names where it may not
# quote the answer, and the rule of an answer whose text the parse cache withheld (a null text).
LINE = "line"
WITHHELD_RULE = "withheld_rule"
_OPTIONAL_ANSWER_COLUMNS = {
    UNPARSEABLE_MESSAGE: pl.String,
    LINE: pl.Int64,
    WITHHELD_RULE: pl.String,
}
_ROW = {"path": pl.String, "kommunkod": pl.String, "ar": pl.Int64, "block": pl.String}
BLOCK_STATUS_COLUMNS = {**_ROW, "status": pl.String}
ANSWER_COLUMNS = {**_ROW, "question_id": pl.String, "value": pl.Float64, "value_text": pl.String}
ISSUE_COLUMNS = {
    **_ROW,
    "question_id": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "value": pl.String,
    "message": pl.String,
}
# What each check of a schema contributes to an issue, before it is joined to its submission.
_FOUND_COLUMNS = {
    "path": pl.String,
    "question_id": pl.String,
    "rule": pl.String,
    "message": pl.String,
}
_FAILURE_COLUMNS = {
    "failure_case": pl.String,
    "schema_context": pl.String,
    "column": pl.String,
    "check": pl.String,
    "check_number": pl.Int32,
    "index": pl.Int32,
}
_FORM_COLUMNS = {"ar": pl.Int64, "block": pl.String, "question_id": pl.String, "kind": pl.String}
# Slices from which validate_slices spreads them over processes: a worker takes one and a half
# to two seconds to start (spawned, importing Pandera), about as long as this process takes to
# validate a slice of 5 000 submissions.
MIN_SLICES_FOR_POOL = 3


@dataclass
class Validation:
    # path, kommunkod, ar, block, status ('not_answered' | 'valid' | 'invalid')
    block_status: pl.DataFrame
    # path, kommunkod, ar, block, question_id, value, value_text: the valid blocks' answers,
    # value for fte/persons, value_text for choices
    answers: pl.DataFrame
    # path, kommunkod, ar, block, question_id, rule, severity, value (the answer text of
    # question_id as written, null when missing or not quotable: schemas/quoting.py), message
    issues: pl.DataFrame


def validate_submissions(submissions: pl.DataFrame, answers: pl.DataFrame) -> Validation:
    """Parse, check and classify every block of every selected submission.

    submissions: path, sha256, kommunkod, ar (one row per selected submission);
    answers: sha256, question_id, answer_text (and unparseable_message, from the reader).
    """
    submissions = submissions.select(
        pl.col(name).cast(dtype) for name, dtype in SUBMISSION_COLUMNS.items()
    )
    years = submissions.get_column("ar").drop_nulls().unique().sort().to_list()
    form = _form_questions(years)
    parsed = _parse_answers(submissions, answers, form)

    found = [_value_issues(parsed)]
    for block, block_schema, block_years in _block_schemas_across_years(years):
        block_answers = parsed.filter(pl.col("ar").is_in(block_years))
        found.append(_block_issues(block, block_schema, block_answers))
    issues = _complete_issues(pl.concat(found), submissions, form, parsed)

    block_status = _block_status(submissions, form, parsed, issues)
    valid_answers = (
        parsed.join(
            block_status.filter(pl.col("status") == VALID), on=["path", "block"], how="semi"
        )
        .select(list(ANSWER_COLUMNS))
        .sort("path", "block", "question_id")
    )
    return Validation(block_status=block_status, answers=valid_answers, issues=issues)


def validate_slices(
    slices: Iterable[tuple[pl.DataFrame, pl.DataFrame]], slice_count: int
) -> Iterator[Validation]:
    """`validate_submissions(submissions, answers)` of each of `slice_count` slices, in slice
    order, across the cores this process may use when there are at least
    `MIN_SLICES_FOR_POOL` slices: submissions are independent of each other, so the results are
    those of validating the slices one by one. `slices` is consumed a few ahead of the
    validation being yielded, in this process (it may read the warehouse)."""
    processes = usable_cores() if slice_count >= MIN_SLICES_FOR_POOL else 1
    return in_task_order(validate_submissions, slices, processes)


def _block_schemas_across_years(years: list[int]) -> list[tuple[str, BlockSchema, list[int]]]:
    """Each block's schema once per set of questions, with the years whose form asks the block
    exactly those: one Pandera validation then covers all those years, as a validation costs
    mostly per column and check, not per row. A block's schema depends only on its questions
    (the catalog defines a question once for every year)."""
    grouped: dict[tuple[str, tuple[str, ...]], tuple[BlockSchema, list[int]]] = {}
    for ar in years:
        for block, block_schema in block_schemas(ar).items():
            questions = tuple(question.question_id for question in block_schema.columns)
            grouped.setdefault((block, questions), (block_schema, []))[1].append(ar)
    return [
        (block, block_schema, block_years)
        for (block, _), (block_schema, block_years) in grouped.items()
    ]


def _form_questions(years: list[int]) -> pl.DataFrame:
    """ar, block, question_id, kind of every answer question of those years' forms."""
    catalog = load_catalog()
    rows = [
        (ar, question.block, question.question_id, question.kind)
        for ar in years
        for questions in catalog.blocks(ar).values()
        for question in questions
    ]
    return pl.DataFrame(rows, schema=_FORM_COLUMNS, orient="row")


def _parse_answers(
    submissions: pl.DataFrame, answers: pl.DataFrame, form: pl.DataFrame
) -> pl.DataFrame:
    """One row per answered question of the year's form: submission, block, kind, text, parsed value.

    An answer to a question outside the year's form is dropped by the join (the reader
    reports those).
    """
    answers = answers.with_columns(
        pl.lit(None, dtype).alias(name)
        for name, dtype in _OPTIONAL_ANSWER_COLUMNS.items()
        if name not in answers.columns
    )
    answered = (
        answers.select(
            *(
                pl.col(name).cast(dtype)
                for name, dtype in {**ANSWER_INPUT_COLUMNS, **_OPTIONAL_ANSWER_COLUMNS}.items()
            ),
        )
        .filter(is_answered(pl.col("answer_text")) | pl.col(WITHHELD_RULE).is_not_null())
        .join(submissions, on="sha256")
        .join(form, on=["ar", "question_id"])
    )
    cut_row = pl.col(UNPARSEABLE_MESSAGE).is_not_null()
    return parse_answers(answered).with_columns(
        pl.when(cut_row)
        .then(pl.lit("unparseable_value"))
        .otherwise(pl.coalesce(WITHHELD_RULE, "rule"))
        .alias("rule"),
        *(pl.when(~cut_row).then(column).alias(column) for column in ("value", "value_text")),
    )


def _value_issues(parsed: pl.DataFrame) -> pl.DataFrame:
    """One issue per rejected answer (schemas/values.py said why). The answer is quoted only
    where schemas/quoting.py allows; otherwise the message names its row."""
    question, rule = pl.col("question_id"), pl.col("rule")
    answer = answer_in_message_expr(pl.col("answer_text"), pl.col(LINE))
    choices = pl.col("kind").replace_strict(
        {
            kind: ", ".join(options[:-1]) + " eller " + options[-1]
            for kind, options in CHOICE_KINDS.items()
        },
        default=None,
        return_dtype=pl.String,
    )
    message = (
        pl.when(rule == "not_finite")
        .then(
            pl.format(
                "{}: {} är inte ett ändligt tal. Ange ett tal, till exempel 12,5.", question, answer
            )
        )
        .when(rule == "negative_value")
        .then(pl.format("{}: {} är ett negativt tal. Ange 0 eller mer.", question, answer))
        .when(rule == "not_whole_number")
        .then(
            pl.format(
                "{}: {} är inte ett heltal, men antal personer ska vara ett heltal. Ange ett helt antal, till exempel 12.",
                question,
                answer,
            )
        )
        .when(pl.col("kind").is_in(sorted(NUMERIC_KINDS)))
        .then(
            pl.format(
                "{}: {} går inte att tolka som ett tal. Ange ett tal med decimalkomma, till exempel 12 eller 1 028,4.",
                question,
                answer,
            )
        )
        .otherwise(
            pl.format(
                "{}: {} är inte ett av de tillåtna svaren. Svara {}.", question, answer, choices
            )
        )
    )
    return parsed.filter(rule.is_not_null()).select(
        "path", "question_id", "rule", pl.coalesce(UNPARSEABLE_MESSAGE, message).alias("message")
    )


def _wide_frame(answers: pl.DataFrame, questions: tuple[Question, ...]) -> pl.DataFrame:
    """One row per submission in `answers`, one column per question with its parsed answer."""
    frame = answers.select(SUBMISSION_KEY).unique().sort(SUBMISSION_KEY)
    for value_column, numeric in (("value", True), ("value_text", False)):
        question_ids = [q.question_id for q in questions if (q.kind in NUMERIC_KINDS) == numeric]
        if question_ids:
            # The reader leaves one answer per question; "first" only keeps pivot total.
            values = answers.pivot(
                on="question_id",
                on_columns=question_ids,
                index=SUBMISSION_KEY,
                values=value_column,
                aggregate_function="first",
            )
            frame = frame.join(values, on=SUBMISSION_KEY, how="left")
    return frame.select(SUBMISSION_KEY, *(q.question_id for q in questions))


def _failure_cases(block_schema: BlockSchema, frame: pl.DataFrame) -> pl.DataFrame:
    """Pandera's failure cases of `frame` (empty when it passes)."""
    # Pinned so that PANDERA_VALIDATION_ENABLED / _DEPTH in the environment cannot turn the
    # data checks off and let every block pass.
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            block_schema.schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            return errors.failure_cases.select(
                pl.col(name).cast(dtype) for name, dtype in _FAILURE_COLUMNS.items()
            )
    return pl.DataFrame(schema=_FAILURE_COLUMNS)


def _block_issues(
    block: str, block_schema: BlockSchema, block_answers: pl.DataFrame
) -> pl.DataFrame:
    """The issues of one block, for every submission in `block_answers` that answered it."""
    answered = block_answers.filter(pl.col("block") == block).select(SUBMISSION_KEY).unique()
    if answered.is_empty():
        # Nothing to check, and Pandera has a fixed cost per column.
        return pl.DataFrame(schema=_FOUND_COLUMNS)
    column_ids = [question.question_id for question in block_schema.columns]
    frame_answers = block_answers.filter(pl.col("question_id").is_in(column_ids)).join(
        answered, on=SUBMISSION_KEY, how="semi"
    )
    frame = _wide_frame(frame_answers, block_schema.columns)

    failures = _failure_cases(block_schema, frame)
    unexpected = failures.filter(
        ~pl.col("schema_context").is_in(["Column", "DataFrameSchema"])
        | pl.col("index").is_null()
        | (
            (pl.col("schema_context") == "Column")
            & ~pl.col("check").is_in(["not_nullable", FTE_OVER_LIMIT_RULE])
        )
    )
    if not unexpected.is_empty():
        # The frames are built here to fit their schemas: anything else is a bug, not bad input.
        raise RuntimeError(f"{block_schema.schema.name}: unexpected schema failures\n{unexpected}")
    rows = (
        frame.select(SUBMISSION_KEY)
        .with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int32))
    )
    failures = failures.join(rows, on="index").rename({"column": "question_id"})

    # A rejected answer is null in the frame too; its value issue already covers it.
    rejected = frame_answers.filter(pl.col("rule").is_not_null())
    missing = (
        failures.filter(pl.col("check") == "not_nullable")
        .join(rejected, on=[SUBMISSION_KEY, "question_id"], how="anti")
        .select(
            SUBMISSION_KEY,
            "question_id",
            pl.lit(MISSING_ANSWER).alias("rule"),
            pl.format(
                "Blocket {} är delvis ifyllt men {} saknar svar. Fyll i alla frågor i blocket (0 om inga).",
                pl.lit(block),
                pl.col("question_id"),
            ).alias("message"),
        )
    )
    over_limit = failures.filter(pl.col("check") == FTE_OVER_LIMIT_RULE).select(
        SUBMISSION_KEY,
        "question_id",
        pl.col("check").alias("rule"),
        pl.format(
            f"{{}} är {{}} årsarbetare, vilket är mer än {FTE_WARNING_LIMIT}. "
            "Kontrollera att decimaltecknet är rätt.",
            pl.col("question_id"),
            swedish_number(pl.col("failure_case").cast(pl.Float64)),
        ).alias("message"),
    )
    wide_failures = failures.filter(pl.col("schema_context") == "DataFrameSchema")
    return pl.concat([missing, over_limit, *_wide_rule_issues(block_schema, frame, wide_failures)])


def _wide_rule_issues(
    block_schema: BlockSchema, frame: pl.DataFrame, wide_failures: pl.DataFrame
) -> list[pl.DataFrame]:
    found = []
    for check_number, rule in enumerate(block_schema.wide_rules):
        failing = wide_failures.filter(pl.col("check_number") == check_number)
        if failing.is_empty():
            continue
        found.append(
            frame.join(failing, on=SUBMISSION_KEY, how="semi").select(
                SUBMISSION_KEY,
                pl.lit(rule.look_at).alias("question_id"),
                pl.lit(rule.rule_id).alias("rule"),
                _sum_rule_message(rule).alias("message"),
            )
        )
    return found


def _sum_rule_message(rule: SumRule) -> pl.Expr:
    """E.g. "handl_kvinnor 40,5 + handl_man 5 = 45,5 men handl_totalt är 46. Rätta så att summan stämmer."."""
    terms = " + ".join(f"{part} {{}}" for part in rule.parts)
    values = [swedish_number(pl.col(part)) for part in rule.parts]
    if len(rule.parts) > 1:
        terms += " = {}"
        values.append(swedish_number(rule.parts_sum()))
        subject = "Summan"
    else:
        subject = rule.parts[0]
    if rule.exact:
        advice = "Rätta så att summan stämmer."
    elif RULES[rule.rule_id].severity == WARNING:
        advice = f"{subject} brukar inte vara större än {rule.whole}; kontrollera siffrorna."
    else:
        advice = f"{subject} kan inte vara större än {rule.whole}; rätta siffrorna."
    return pl.format(
        f"{terms} men {rule.whole} är {{}}. {advice}", *values, swedish_number(pl.col(rule.whole))
    )


def _complete_issues(
    found: pl.DataFrame, submissions: pl.DataFrame, form: pl.DataFrame, parsed: pl.DataFrame
) -> pl.DataFrame:
    """Add the submission, block, severity and the answer text as written (`value`), where
    schemas/quoting.py lets it be quoted."""
    severities = {rule_id: rule.severity for rule_id, rule in RULES.items()}
    return (
        found.join(submissions.select("path", "kommunkod", "ar"), on="path")
        .join(form.select("ar", "question_id", "block"), on=["ar", "question_id"])
        .join(
            parsed.select(
                "path", "question_id", shown_answer_expr(pl.col("answer_text")).alias("value")
            ),
            on=["path", "question_id"],
            how="left",
        )
        .with_columns(
            pl.col("rule").replace_strict(severities, return_dtype=pl.String).alias("severity")
        )
        .select(list(ISSUE_COLUMNS))
        .sort("path", "block", "question_id", "rule")
    )


def _block_status(
    submissions: pl.DataFrame, form: pl.DataFrame, parsed: pl.DataFrame, issues: pl.DataFrame
) -> pl.DataFrame:
    answered = parsed.select("path", "block").unique().with_columns(pl.lit(True).alias("answered"))
    invalid = (
        issues.filter(pl.col("severity") == ERROR)
        .select("path", "block")
        .unique()
        .with_columns(pl.lit(True).alias("invalid"))
    )
    return (
        submissions.join(form.select("ar", "block").unique(), on="ar")
        .join(answered, on=["path", "block"], how="left")
        .join(invalid, on=["path", "block"], how="left")
        .select(
            "path",
            "kommunkod",
            "ar",
            "block",
            pl.when(pl.col("answered").is_null())
            .then(pl.lit(NOT_ANSWERED))
            .when(pl.col("invalid"))
            .then(pl.lit(INVALID))
            .otherwise(pl.lit(VALID))
            .alias("status"),
        )
        .sort("path", "block")
    )
