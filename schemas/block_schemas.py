"""Pandera schemas of the answer blocks (contract section 4), generated from the catalog.

`block_schemas(ar)` gives one schema per block of year `ar`'s form, each check named by its
rule id; the rule's severity (schemas/rules.py) says what a failure means. There is no `ge(0)`
check (values.py rejects negatives); a sum rule is judged only where all its answers are
present.

The frame each schema checks, the errors and warnings, and why: docs/ARCHITECTURE.md,
«schemas/block_schemas.py».
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cache, reduce

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.catalog import NUMERIC_KINDS, Question, load_catalog

SUBMISSION_KEY = "path"
# Contract section 4: sums are compared inclusive with this tolerance, |parts - whole| <= 0.015 or
# parts <= whole + 0.015: three values each rounded to 2 decimals can be 3 × 0.005 off. fte
# answers have 2 decimals and persons answers none, so a difference is a whole number of
# hundredths: 0.01 holds, 0.02 breaks the rule. The limit lies half-way between the two, so
# binary float error in a sum (43.01 + 3 - 46 is 0.00999999999999801) cannot carry it across.
SUM_TOLERANCE = 0.015
FTE_WARNING_LIMIT = 1000


@dataclass(frozen=True)
class SumRule:
    """The sum of `parts` equals `whole` (`exact`) or is at most `whole`, within SUM_TOLERANCE."""

    rule_id: str  # an id of schemas.rules.RULES; also the name of the Pandera check
    parts: tuple[str, ...]
    whole: str
    exact: bool
    look_at: str  # the question the municipality is pointed to

    @property
    def questions(self) -> tuple[str, ...]:
        return (*self.parts, self.whole)

    def parts_sum(self) -> pl.Expr:
        # `+`, not sum_horizontal: a null part must make the sum null, not count as 0.
        return reduce(operator.add, (pl.col(part) for part in self.parts))

    def holds(self) -> pl.Expr:
        excess = self.parts_sum() - pl.col(self.whole)
        return (excess.abs() if self.exact else excess) <= SUM_TOLERANCE

    def check(self) -> pa.Check:
        return pa.Check(self._check_frame, name=self.rule_id)

    def _check_frame(self, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(self.holds())


# Contract section 4. For a sum the municipality is pointed to the total; where a single
# "varav" question exceeds its total, to that question.
HARD_RULES = (
    SumRule(
        "A_handl_kon_summa",
        ("handl_kvinnor", "handl_man"),
        "handl_totalt",
        exact=True,
        look_at="handl_totalt",
    ),
    SumRule(
        "A_utan_socionom_kon_summa",
        ("handl_utan_socionom_kvinnor", "handl_utan_socionom_man"),
        "handl_utan_socionom_totalt",
        exact=True,
        look_at="handl_utan_socionom_totalt",
    ),
    SumRule(
        "A_varav_inom_totalt",
        ("handl_socionom_lt1ar", "handl_utan_socionom_totalt"),
        "handl_totalt",
        exact=False,
        look_at="handl_totalt",
    ),
    SumRule(
        "A_utan_socionom_kvinnor_inom_kvinnor",
        ("handl_utan_socionom_kvinnor",),
        "handl_kvinnor",
        exact=False,
        look_at="handl_utan_socionom_kvinnor",
    ),
    SumRule(
        "A_utan_socionom_man_inom_man",
        ("handl_utan_socionom_man",),
        "handl_man",
        exact=False,
        look_at="handl_utan_socionom_man",
    ),
    SumRule(
        "B_magister_inom_vidareutbildning",
        ("handl_magister",),
        "handl_vidareutbildning",
        exact=False,
        look_at="handl_magister",
    ),
    SumRule(
        "D_arbl_kon_summa",
        ("arbl_kvinnor", "arbl_man"),
        "arbl_totalt",
        exact=True,
        look_at="arbl_totalt",
    ),
    SumRule(
        "D_forsta_chefsjobb_inom_totalt",
        ("arbl_forsta_chefsjobb",),
        "arbl_totalt",
        exact=False,
        look_at="arbl_forsta_chefsjobb",
    ),
    SumRule(
        "D_behov_kompetensutveckling_inom_totalt",
        ("arbl_behov_kompetensutveckling",),
        "arbl_totalt",
        exact=False,
        look_at="arbl_behov_kompetensutveckling",
    ),
    SumRule(
        "D_lt3ar_erfarenhet_inom_totalt",
        ("arbl_lt3ar_erfarenhet",),
        "arbl_totalt",
        exact=False,
        look_at="arbl_lt3ar_erfarenhet",
    ),
    SumRule(
        "E_magister_inom_vidareutbildning",
        ("arbl_magister",),
        "arbl_vidareutbildning",
        exact=False,
        look_at="arbl_magister",
    ),
)

FTE_OVER_LIMIT_RULE = "fte_over_1000"
SUBAREA_OVER_TOTAL_RULE = "kompetens_over_handl_totalt"
SUBAREA_TOTAL = "handl_totalt"


@dataclass(frozen=True)
class BlockSchema:
    schema: pa.DataFrameSchema
    # The question columns of the frame: the block's questions (required), then any other
    # question its warnings read (nullable: handl_totalt, answered or not, valid or not).
    columns: tuple[Question, ...]
    # schema.checks[i] checks wide_rules[i]: a failure case's check_number indexes this tuple.
    wide_rules: tuple[SumRule, ...]


def _fte_within_limit(data: PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col(data.key) <= FTE_WARNING_LIMIT)


_FTE_WITHIN_LIMIT = pa.Check(_fte_within_limit, name=FTE_OVER_LIMIT_RULE)


def _question_column(question: Question, *, required: bool, checks: list[pa.Check]) -> pa.Column:
    dtype = pl.Float64 if question.kind in NUMERIC_KINDS else pl.String
    return pa.Column(dtype, nullable=not required, checks=checks)


def _subarea_rules(questions: list[Question]) -> tuple[SumRule, ...]:
    """grund + fordjupad + saknar of each subject area of the block at most handl_totalt."""
    levels_by_subarea: dict[str, list[str]] = {}
    for question in questions:
        if question.subarea is not None:
            levels_by_subarea.setdefault(question.subarea, []).append(question.question_id)
    return tuple(
        SumRule(
            SUBAREA_OVER_TOTAL_RULE, tuple(levels), SUBAREA_TOTAL, exact=False, look_at=levels[0]
        )
        for levels in levels_by_subarea.values()
    )


def _block_schema(ar: int, block: str, questions: list[Question]) -> BlockSchema:
    catalog = load_catalog()
    question_ids = {question.question_id for question in questions}
    hard_rules = tuple(rule for rule in HARD_RULES if set(rule.questions) <= question_ids)
    subarea_rules = _subarea_rules(questions)
    references = [catalog.questions[SUBAREA_TOTAL]] if subarea_rules else []

    columns = {SUBMISSION_KEY: pa.Column(pl.String, nullable=False)}
    for question in questions:
        warnings = [_FTE_WITHIN_LIMIT] if question.kind == "fte" else []
        columns[question.question_id] = _question_column(question, required=True, checks=warnings)
    for question in references:
        # only read here; its own block checks it
        columns[question.question_id] = _question_column(question, required=False, checks=[])
    wide_rules = hard_rules + subarea_rules
    schema = pa.DataFrameSchema(
        columns, checks=[rule.check() for rule in wide_rules], name=f"{block} {ar}", strict=True
    )
    return BlockSchema(schema, (*questions, *references), wide_rules)


@cache
def block_schemas(ar: int) -> dict[str, BlockSchema]:
    """One schema per block of year `ar`'s form, in catalog order."""
    return {
        block: _block_schema(ar, block, questions)
        for block, questions in load_catalog().blocks(ar).items()
    }
