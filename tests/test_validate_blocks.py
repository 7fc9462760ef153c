"""Contract section 4: block status, hard rules and warnings of the selected submissions."""

from __future__ import annotations

import polars as pl
import pytest
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from assets.validate.blocks import (
    ANSWER_COLUMNS,
    BLOCK_STATUS_COLUMNS,
    ISSUE_COLUMNS,
    Validation,
    _block_schemas_across_years,
    validate_submissions,
)
from schemas.blocks import HARD_RULES, BlockSchema, block_schemas
from schemas.rules import BLOCK_RULES

PATH = "2016/inventering/goteborg.csv"

A_VALID = {
    "handl_kvinnor": "40,5",
    "handl_man": "5,5",
    "handl_totalt": "46",
    "handl_socionom_lt1ar": "3",
    "handl_utan_socionom_kvinnor": "2",
    "handl_utan_socionom_man": "1",
    "handl_utan_socionom_totalt": "3",
}
B_VALID = {"handl_fortbildning": "20", "handl_vidareutbildning": "10", "handl_magister": "4"}
D_VALID = {
    "arbl_kvinnor": "3",
    "arbl_man": "1,5",
    "arbl_totalt": "4,5",
    "arbl_forsta_chefsjobb": "1",
    "arbl_behov_kompetensutveckling": "2",
    "arbl_lt3ar_erfarenhet": "0,5",
}
E_VALID = {"arbl_fortbildning": "4", "arbl_vidareutbildning": "3", "arbl_magister": "1"}
# Each subject area adds up to exactly handl_totalt (46): no warning.
C_EBP_2016 = {
    "komp_evidensbaserad_praktik_grund": "20",
    "komp_evidensbaserad_praktik_fordjupad": "10",
    "komp_evidensbaserad_praktik_saknar": "16",
    "komp_placerade_barn_grund": "30",
    "komp_placerade_barn_fordjupad": "6",
    "komp_placerade_barn_saknar": "10",
}
UPPFOLJNING = {
    "komp_uppfoljning_utvardering_grund": "25",
    "komp_uppfoljning_utvardering_fordjupad": "5",
    "komp_uppfoljning_utvardering_saknar": "16",
}
BLOCKS_2013 = [
    "A_handlaggare",
    "B_handlaggare_utbildning",
    "C_ebp_placerade_barn",
    "C_juridik",
    "C_psykologi",
    "C_samhallsvetenskap",
    "C_socialt_arbete",
    "D_arbetsledare",
    "E_arbetsledare_utbildning",
]
F_BLOCKS = [
    "F_genomfort_arbetsledare",
    "F_genomfort_handlaggare",
    "F_plan_arbetsledare",
    "F_plan_handlaggare",
    "F_uppf_annat_satt",
    "F_uppf_medarbetarsamtal",
]


def validate(*files: tuple[str, int, dict[str, str]]) -> Validation:
    """files: (path, ar, answers); the sha256 is made from the path, kommunkod is 1480."""
    submissions = pl.DataFrame(
        [(path, f"sha-{path}", "1480", ar) for path, ar, _ in files],
        schema={"path": pl.String, "sha256": pl.String, "kommunkod": pl.String, "ar": pl.Int32},
        orient="row",
    )
    answers = pl.DataFrame(
        [
            (f"sha-{path}", question, text)
            for path, _, answers in files
            for question, text in answers.items()
        ],
        schema={"sha256": pl.String, "question_id": pl.String, "answer_text": pl.String},
        orient="row",
    )
    return validate_submissions(submissions, answers)


def status(validation: Validation, block: str, path: str = PATH) -> str:
    rows = validation.block_status.filter((pl.col("path") == path) & (pl.col("block") == block))
    assert rows.height == 1
    return rows.item(0, "status")


def statuses(validation: Validation, path: str = PATH) -> dict[str, str]:
    rows = validation.block_status.filter(pl.col("path") == path)
    return dict(zip(rows["block"], rows["status"], strict=True))


def issues(validation: Validation, block: str | None = None) -> list[tuple]:
    """(block, question_id, rule, severity, value) of each issue."""
    frame = (
        validation.issues if block is None else validation.issues.filter(pl.col("block") == block)
    )
    return frame.select("block", "question_id", "rule", "severity", "value").rows()


def message(validation: Validation, rule: str) -> str:
    return validation.issues.filter(pl.col("rule") == rule).item(0, "message")


# --- block status -------------------------------------------------------------------------


def test_block_with_no_answers_is_not_answered():
    validation = validate((PATH, 2016, B_VALID))
    assert statuses(validation) == {
        **{block: "not_answered" for block in BLOCKS_2013 + F_BLOCKS},
        "B_handlaggare_utbildning": "valid",
    }
    assert validation.issues.is_empty()


def test_valid_block_and_its_answers():
    validation = validate((PATH, 2016, A_VALID))
    assert status(validation, "A_handlaggare") == "valid"
    assert validation.issues.is_empty()
    assert validation.answers.rows() == [
        (PATH, "1480", 2016, "A_handlaggare", "handl_kvinnor", 40.5, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_man", 5.5, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_socionom_lt1ar", 3.0, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_totalt", 46.0, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_utan_socionom_kvinnor", 2.0, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_utan_socionom_man", 1.0, None),
        (PATH, "1480", 2016, "A_handlaggare", "handl_utan_socionom_totalt", 3.0, None),
    ]


def test_partly_answered_block_is_invalid_with_missing_answer():
    answers = {question: text for question, text in A_VALID.items() if question != "handl_man"}
    validation = validate((PATH, 2016, answers))
    assert status(validation, "A_handlaggare") == "invalid"
    # The sum rules that need handl_man are not judged without it: one issue, not three.
    assert issues(validation) == [("A_handlaggare", "handl_man", "missing_answer", "error", None)]
    assert message(validation, "missing_answer") == (
        "Blocket A_handlaggare är delvis ifyllt men handl_man saknar svar. "
        "Fyll i alla frågor i blocket (0 om inga)."
    )
    assert validation.answers.is_empty()


def test_unparseable_value_is_one_issue_and_not_also_missing():
    validation = validate((PATH, 2016, {**A_VALID, "handl_man": "5,5 st"}))
    assert status(validation, "A_handlaggare") == "invalid"
    assert issues(validation) == [
        ("A_handlaggare", "handl_man", "unparseable_value", "error", None)
    ]
    # Text is not quoted (schemas/quoting.py), and these answers have no row: none is named.
    assert message(validation, "unparseable_value") == (
        "handl_man: svaret går inte att tolka som ett tal. "
        "Ange ett tal med decimalkomma, till exempel 12 eller 1 028,4."
    )


def test_negative_value_is_one_issue_like_any_rejected_value():
    validation = validate((PATH, 2016, {**A_VALID, "handl_man": "-5,5"}))
    assert status(validation, "A_handlaggare") == "invalid"
    # Not also missing_answer, and the sums it would break are not judged.
    assert issues(validation) == [("A_handlaggare", "handl_man", "negative_value", "error", "-5,5")]
    assert (
        message(validation, "negative_value")
        == "handl_man: svaret '-5,5' är ett negativt tal. Ange 0 eller mer."
    )


def test_not_finite_value():
    validation = validate((PATH, 2016, {**A_VALID, "handl_man": "NaN"}))
    assert issues(validation) == [("A_handlaggare", "handl_man", "not_finite", "error", None)]


def test_persons_not_whole_number():
    validation = validate((PATH, 2016, {**B_VALID, "handl_magister": "4,5"}))
    assert status(validation, "B_handlaggare_utbildning") == "invalid"
    assert issues(validation) == [
        ("B_handlaggare_utbildning", "handl_magister", "not_whole_number", "error", "4,5")
    ]
    assert message(validation, "not_whole_number") == (
        "handl_magister: svaret '4,5' är inte ett heltal, men antal personer ska vara ett "
        "heltal. Ange ett helt antal, till exempel 12."
    )


def test_one_invalid_block_leaves_the_others_valid():
    broken_a = {**A_VALID, "handl_totalt": "47"}
    validation = validate((PATH, 2016, {**broken_a, **B_VALID, **D_VALID}))
    assert status(validation, "A_handlaggare") == "invalid"
    assert status(validation, "B_handlaggare_utbildning") == "valid"
    assert status(validation, "D_arbetsledare") == "valid"
    assert set(validation.issues["block"]) == {"A_handlaggare"}
    assert set(validation.answers["block"]) == {"B_handlaggare_utbildning", "D_arbetsledare"}
    assert validation.answers.height == 3 + 6


def test_each_submission_is_judged_on_its_own():
    other = "2016/inventering/molndal.csv"
    validation = validate((PATH, 2016, {**A_VALID, "handl_totalt": "47"}), (other, 2016, A_VALID))
    assert status(validation, "A_handlaggare", PATH) == "invalid"
    assert status(validation, "A_handlaggare", other) == "valid"
    assert set(validation.issues["path"]) == {PATH}
    assert set(validation.answers["path"]) == {other}


def test_choice_answers_are_value_text():
    validation = validate(
        (PATH, 2016, {"uppf_medarbetarsamtal": "Ja", "genomfort_handlaggare": "DELVIS"})
    )
    assert status(validation, "F_uppf_medarbetarsamtal") == "valid"
    assert status(validation, "F_genomfort_handlaggare") == "valid"
    assert validation.answers.select("question_id", "value", "value_text").rows() == [
        ("genomfort_handlaggare", None, "delvis"),
        ("uppf_medarbetarsamtal", None, "ja"),
    ]


def test_unparseable_choice():
    validation = validate(
        (PATH, 2016, {"uppf_medarbetarsamtal": "delvis", "genomfort_handlaggare": "kanske"})
    )
    assert issues(validation) == [
        (
            "F_genomfort_handlaggare",
            "genomfort_handlaggare",
            "unparseable_value",
            "error",
            None,
        ),
        (
            "F_uppf_medarbetarsamtal",
            "uppf_medarbetarsamtal",
            "unparseable_value",
            "error",
            None,
        ),
    ]
    assert validation.issues["message"].to_list() == [
        "genomfort_handlaggare: svaret är inte ett av de tillåtna svaren. Svara ja, delvis eller nej.",
        "uppf_medarbetarsamtal: svaret är inte ett av de tillåtna svaren. Svara ja eller nej.",
    ]


def test_blank_answers_count_as_not_answered():
    validation = validate((PATH, 2016, {**A_VALID, "handl_fortbildning": "  ", "arbl_totalt": ""}))
    assert status(validation, "A_handlaggare") == "valid"
    assert status(validation, "B_handlaggare_utbildning") == "not_answered"
    assert status(validation, "D_arbetsledare") == "not_answered"


def test_answers_outside_the_form_do_not_crash_and_are_ignored():
    path = "2013/inventering/a.csv"
    validation = validate(
        (
            path,
            2013,
            {**A_VALID, "uppf_medarbetarsamtal": "ja", "okand_fraga": "3", "kommunkod": "1480"},
        )
    )
    assert statuses(validation, path) == {
        **{block: "not_answered" for block in BLOCKS_2013},
        "A_handlaggare": "valid",
    }
    assert validation.issues.is_empty()
    assert set(validation.answers["question_id"]) == set(A_VALID)


def test_answers_of_files_that_are_not_selected_are_ignored():
    submissions = pl.DataFrame(
        {"path": [PATH], "sha256": ["s1"], "kommunkod": ["1480"], "ar": [2016]}
    )
    answers = pl.DataFrame(
        {"sha256": ["s2"], "question_id": ["handl_totalt"], "answer_text": ["x"]}
    )
    validation = validate_submissions(submissions, answers)
    assert set(validation.block_status["status"]) == {"not_answered"}
    assert validation.issues.is_empty()


@pytest.mark.parametrize("dtype", [pl.String, pl.Null])
def test_empty_inputs_give_empty_frames_with_the_right_columns(dtype):
    submissions = pl.DataFrame(
        schema={"path": dtype, "sha256": dtype, "kommunkod": dtype, "ar": dtype}
    )
    answers = pl.DataFrame(schema={"sha256": dtype, "question_id": dtype, "answer_text": dtype})
    validation = validate_submissions(submissions, answers)
    assert validation.block_status.schema == pl.Schema(BLOCK_STATUS_COLUMNS)
    assert validation.answers.schema == pl.Schema(ANSWER_COLUMNS)
    assert validation.issues.schema == pl.Schema(ISSUE_COLUMNS)
    assert (
        validation.block_status.is_empty()
        and validation.answers.is_empty()
        and validation.issues.is_empty()
    )
    assert ISSUE_COLUMNS["ar"] == pl.Int64 and ISSUE_COLUMNS["kommunkod"] == pl.String
    assert ANSWER_COLUMNS["value"] == pl.Float64


def test_submissions_without_answers_have_every_block_not_answered():
    path_2013 = "2013/inventering/a.csv"
    validation = validate((path_2013, 2013, {}), (PATH, 2016, {}))
    assert statuses(validation, path_2013) == {block: "not_answered" for block in BLOCKS_2013}
    assert statuses(validation, PATH) == {block: "not_answered" for block in BLOCKS_2013 + F_BLOCKS}
    assert validation.block_status.schema == pl.Schema(BLOCK_STATUS_COLUMNS)


def test_checks_run_whatever_pandera_is_configured_to():
    with config_context(validation_enabled=False, validation_depth=ValidationDepth.SCHEMA_ONLY):
        validation = validate((PATH, 2016, {**A_VALID, "handl_totalt": "47"}))
    assert status(validation, "A_handlaggare") == "invalid"


# --- the forms of the years -----------------------------------------------------------------


def test_2013_to_2015_form_asks_uppfoljning_utvardering_in_c_ebp():
    for ar in (2013, 2014, 2015):
        schemas = block_schemas(ar)
        # handl_totalt last: read by the subject-area warning, not a question of the block
        assert [q.question_id for q in schemas["C_ebp_placerade_barn"].columns] == [
            *C_EBP_2016,
            *UPPFOLJNING,
            "handl_totalt",
        ]
        assert sorted(schemas) == BLOCKS_2013
    path = "2014/inventering/a.csv"
    assert (
        status(validate((path, 2014, {**C_EBP_2016, **UPPFOLJNING})), "C_ebp_placerade_barn", path)
        == "valid"
    )
    # without the three questions of that form the block is partly answered
    validation = validate((path, 2014, C_EBP_2016))
    assert status(validation, "C_ebp_placerade_barn", path) == "invalid"
    assert issues(validation) == [
        ("C_ebp_placerade_barn", question, "missing_answer", "error", None)
        for question in sorted(UPPFOLJNING)
    ]


def test_2016_form_has_the_f_blocks_and_no_uppfoljning_utvardering():
    schemas = block_schemas(2016)
    assert sorted(schemas) == sorted(BLOCKS_2013 + F_BLOCKS)
    assert [q.question_id for q in schemas["C_ebp_placerade_barn"].columns] == [
        *C_EBP_2016,
        "handl_totalt",
    ]
    assert status(validate((PATH, 2016, C_EBP_2016)), "C_ebp_placerade_barn") == "valid"


def test_years_validated_together_are_each_judged_on_their_own_form():
    # One call, two forms: 2014's C_ebp block asks three more questions than 2016's. The years
    # whose block asks the same questions share one Pandera validation; these two must not.
    old, new = "2014/inventering/a.csv", "2016/inventering/a.csv"
    validation = validate((old, 2014, C_EBP_2016), (new, 2016, C_EBP_2016))
    assert status(validation, "C_ebp_placerade_barn", old) == "invalid"
    assert status(validation, "C_ebp_placerade_barn", new) == "valid"
    assert validation.issues.filter(pl.col("path") == old).height == len(UPPFOLJNING)
    assert validation.issues.filter(pl.col("path") == new).is_empty()

    years_by_block: dict[str, list[list[int]]] = {}
    for block, _, block_years in _block_schemas_across_years([2013, 2014, 2015, 2016]):
        years_by_block.setdefault(block, []).append(block_years)
    assert years_by_block["C_ebp_placerade_barn"] == [[2013, 2014, 2015], [2016]]
    assert years_by_block["A_handlaggare"] == [[2013, 2014, 2015, 2016]]
    assert years_by_block["F_plan_arbetsledare"] == [[2016]]


def test_hard_rules_are_the_block_rules_of_the_rule_registry():
    check_names = {rule.rule_id for rule in HARD_RULES}
    assert check_names == set(BLOCK_RULES) - {
        "missing_answer",
        "unparseable_value",
        "not_finite",
        "negative_value",
        "not_whole_number",
    }
    for ar in (2013, 2014, 2015, 2016):
        applied = [
            check.name
            for block_schema in block_schemas(ar).values()
            for check in block_schema.schema.checks
            if check.name != "kompetens_over_handl_totalt"
        ]
        assert sorted(applied) == sorted(check_names)


# --- hard rules: the tolerance boundary, on the schema itself --------------------------------


def failed_checks(block_schema: BlockSchema, values: dict[str, float | str | None]) -> set[str]:
    """The names of the checks that fail for one wide row; unanswered questions are null."""
    questions = block_schema.columns
    columns = {"path": pl.String} | {
        q.question_id: pl.Float64 if q.kind in ("fte", "persons") else pl.String for q in questions
    }
    row = {"path": PATH} | {q.question_id: values.get(q.question_id) for q in questions}
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            block_schema.schema.validate(pl.DataFrame([row], schema=columns), lazy=True)
        except SchemaErrors as errors:
            return set(errors.failure_cases["check"])
    return set()


A_ROW = {
    "handl_kvinnor": 40.5,
    "handl_man": 5.5,
    "handl_totalt": 46.0,
    "handl_socionom_lt1ar": 3.0,
    "handl_utan_socionom_kvinnor": 2.0,
    "handl_utan_socionom_man": 1.0,
    "handl_utan_socionom_totalt": 3.0,
}
B_ROW = {"handl_fortbildning": 20.0, "handl_vidareutbildning": 10.0, "handl_magister": 4.0}
D_ROW = {
    "arbl_kvinnor": 3.0,
    "arbl_man": 1.5,
    "arbl_totalt": 4.5,
    "arbl_forsta_chefsjobb": 1.0,
    "arbl_behov_kompetensutveckling": 2.0,
    "arbl_lt3ar_erfarenhet": 0.5,
}
E_ROW = {"arbl_fortbildning": 4.0, "arbl_vidareutbildning": 3.0, "arbl_magister": 1.0}

# Contract section 4: sums are compared with a tolerance of 0.015, for three values each rounded
# to 2 decimals. fte answers have 2 decimals, so a sum 0,01 off its limit holds and one 0,02 off
# breaks the rule. persons answers are whole numbers: one person more breaks it.
# (rule, block, valid row, changes 0,01 off the rule's limit, the same changes 0,02 off)
BOUNDARY_CASES = [
    # 40,5 + 5,5 = 46 against 46,01 / 46,02
    (
        "A_handl_kon_summa",
        "A_handlaggare",
        A_ROW,
        {"handl_totalt": 46.01},
        {"handl_totalt": 46.02},
    ),
    # and from the other side: 46 against 45,99 / 45,98
    (
        "A_handl_kon_summa",
        "A_handlaggare",
        A_ROW,
        {"handl_totalt": 45.99},
        {"handl_totalt": 45.98},
    ),
    # 2 + 1 = 3 against 3,01 / 3,02
    (
        "A_utan_socionom_kon_summa",
        "A_handlaggare",
        A_ROW,
        {"handl_utan_socionom_totalt": 3.01},
        {"handl_utan_socionom_totalt": 3.02},
    ),
    # 43,01 + 3 = 46,01 / 43,02 + 3 = 46,02 against 46
    (
        "A_varav_inom_totalt",
        "A_handlaggare",
        A_ROW,
        {"handl_socionom_lt1ar": 43.01},
        {"handl_socionom_lt1ar": 43.02},
    ),
    # 40,51 / 40,52 against 40,5 (the total without socionomexamen moves along: 41,51 / 41,52)
    (
        "A_utan_socionom_kvinnor_inom_kvinnor",
        "A_handlaggare",
        A_ROW,
        {"handl_utan_socionom_kvinnor": 40.51, "handl_utan_socionom_totalt": 41.51},
        {"handl_utan_socionom_kvinnor": 40.52, "handl_utan_socionom_totalt": 41.52},
    ),
    # 5,51 / 5,52 against 5,5 (total 2 + 5,51 = 7,51 / 7,52)
    (
        "A_utan_socionom_man_inom_man",
        "A_handlaggare",
        A_ROW,
        {"handl_utan_socionom_man": 5.51, "handl_utan_socionom_totalt": 7.51},
        {"handl_utan_socionom_man": 5.52, "handl_utan_socionom_totalt": 7.52},
    ),
    # 3 + 1,5 = 4,5 against 4,51 / 4,52
    ("D_arbl_kon_summa", "D_arbetsledare", D_ROW, {"arbl_totalt": 4.51}, {"arbl_totalt": 4.52}),
    (
        "D_forsta_chefsjobb_inom_totalt",
        "D_arbetsledare",
        D_ROW,
        {"arbl_forsta_chefsjobb": 4.51},
        {"arbl_forsta_chefsjobb": 4.52},
    ),
    (
        "D_behov_kompetensutveckling_inom_totalt",
        "D_arbetsledare",
        D_ROW,
        {"arbl_behov_kompetensutveckling": 4.51},
        {"arbl_behov_kompetensutveckling": 4.52},
    ),
    (
        "D_lt3ar_erfarenhet_inom_totalt",
        "D_arbetsledare",
        D_ROW,
        {"arbl_lt3ar_erfarenhet": 4.51},
        {"arbl_lt3ar_erfarenhet": 4.52},
    ),
    # persons: 10 / 11 with magisterutbildning against 10 with vidareutbildning
    (
        "B_magister_inom_vidareutbildning",
        "B_handlaggare_utbildning",
        B_ROW,
        {"handl_magister": 10.0},
        {"handl_magister": 11.0},
    ),
    # 3 / 4 against 3
    (
        "E_magister_inom_vidareutbildning",
        "E_arbetsledare_utbildning",
        E_ROW,
        {"arbl_magister": 3.0},
        {"arbl_magister": 4.0},
    ),
]


@pytest.mark.parametrize(
    ("rule", "block", "row", "at_tolerance", "beyond_tolerance"), BOUNDARY_CASES
)
@pytest.mark.parametrize("ar", [2013, 2016])
def test_hard_rule_tolerance_boundary(ar, rule, block, row, at_tolerance, beyond_tolerance):
    block_schema = block_schemas(ar)[block]
    assert failed_checks(block_schema, row) == set()
    assert failed_checks(block_schema, {**row, **at_tolerance}) == set()
    assert failed_checks(block_schema, {**row, **beyond_tolerance}) == {rule}


@pytest.mark.parametrize(
    ("rule", "block", "answers", "at_tolerance", "beyond_tolerance"),
    [
        # an equality rule: 40,5 + 5,5 = 46 against 46,01 (holds) / 46,02 (broken)
        (
            "A_handl_kon_summa",
            "A_handlaggare",
            A_VALID,
            {"handl_totalt": "46,01"},
            {"handl_totalt": "46,02"},
        ),
        # a <= rule: 4,51 (holds) / 4,52 (broken) in their first managerial job of 4,5 managers
        (
            "D_forsta_chefsjobb_inom_totalt",
            "D_arbetsledare",
            D_VALID,
            {"arbl_forsta_chefsjobb": "4,51"},
            {"arbl_forsta_chefsjobb": "4,52"},
        ),
    ],
)
def test_an_answer_one_hundredth_off_keeps_the_block_valid_and_two_hundredths_off_do_not(
    rule, block, answers, at_tolerance, beyond_tolerance
):
    within = validate((PATH, 2016, {**answers, **at_tolerance}))
    assert status(within, block) == "valid"
    assert issues(within) == []

    beyond = validate((PATH, 2016, {**answers, **beyond_tolerance}))
    assert status(beyond, block) == "invalid"
    assert [(issue_block, rule_id) for issue_block, _, rule_id, _, _ in issues(beyond)] == [
        (block, rule)
    ]


def test_schema_columns_are_required():
    row = {**A_ROW, "handl_man": None}
    assert failed_checks(block_schemas(2016)["A_handlaggare"], row) == {"not_nullable"}


# --- hard rules: the issue a municipality gets ----------------------------------------------

# (rule, block, the block's valid answers, changed answers, question_id, value, message)
RULE_VIOLATIONS = [
    (
        "A_handl_kon_summa",
        "A_handlaggare",
        A_VALID,
        {"handl_man": "5"},
        "handl_totalt",
        "46",
        "handl_kvinnor 40,5 + handl_man 5 = 45,5 men handl_totalt är 46. Rätta så att summan stämmer.",
    ),
    (
        "A_utan_socionom_kon_summa",
        "A_handlaggare",
        A_VALID,
        {"handl_utan_socionom_totalt": "4"},
        "handl_utan_socionom_totalt",
        "4",
        (
            "handl_utan_socionom_kvinnor 2 + handl_utan_socionom_man 1 = 3 men handl_utan_socionom_totalt är 4. "
            "Rätta så att summan stämmer."
        ),
    ),
    (
        "A_varav_inom_totalt",
        "A_handlaggare",
        A_VALID,
        {"handl_socionom_lt1ar": "44"},
        "handl_totalt",
        "46",
        (
            "handl_socionom_lt1ar 44 + handl_utan_socionom_totalt 3 = 47 men handl_totalt är 46. "
            "Summan kan inte vara större än handl_totalt; rätta siffrorna."
        ),
    ),
    (
        "A_utan_socionom_kvinnor_inom_kvinnor",
        "A_handlaggare",
        A_VALID,
        {"handl_kvinnor": "1,5", "handl_man": "44,5"},
        "handl_utan_socionom_kvinnor",
        "2",
        (
            "handl_utan_socionom_kvinnor 2 men handl_kvinnor är 1,5. "
            "handl_utan_socionom_kvinnor kan inte vara större än handl_kvinnor; rätta siffrorna."
        ),
    ),
    (
        "A_utan_socionom_man_inom_man",
        "A_handlaggare",
        A_VALID,
        {"handl_kvinnor": "45,5", "handl_man": "0,5"},
        "handl_utan_socionom_man",
        "1",
        (
            "handl_utan_socionom_man 1 men handl_man är 0,5. "
            "handl_utan_socionom_man kan inte vara större än handl_man; rätta siffrorna."
        ),
    ),
    (
        "B_magister_inom_vidareutbildning",
        "B_handlaggare_utbildning",
        B_VALID,
        {"handl_magister": "11"},
        "handl_magister",
        "11",
        (
            "handl_magister 11 men handl_vidareutbildning är 10. "
            "handl_magister kan inte vara större än handl_vidareutbildning; rätta siffrorna."
        ),
    ),
    (
        "D_arbl_kon_summa",
        "D_arbetsledare",
        D_VALID,
        {"arbl_totalt": "5"},
        "arbl_totalt",
        "5",
        "arbl_kvinnor 3 + arbl_man 1,5 = 4,5 men arbl_totalt är 5. Rätta så att summan stämmer.",
    ),
    (
        "D_forsta_chefsjobb_inom_totalt",
        "D_arbetsledare",
        D_VALID,
        {"arbl_forsta_chefsjobb": "5"},
        "arbl_forsta_chefsjobb",
        "5",
        (
            "arbl_forsta_chefsjobb 5 men arbl_totalt är 4,5. "
            "arbl_forsta_chefsjobb kan inte vara större än arbl_totalt; rätta siffrorna."
        ),
    ),
    (
        "D_behov_kompetensutveckling_inom_totalt",
        "D_arbetsledare",
        D_VALID,
        {"arbl_behov_kompetensutveckling": "4,75"},
        "arbl_behov_kompetensutveckling",
        "4,75",
        (
            "arbl_behov_kompetensutveckling 4,75 men arbl_totalt är 4,5. "
            "arbl_behov_kompetensutveckling kan inte vara större än arbl_totalt; rätta siffrorna."
        ),
    ),
    (
        "D_lt3ar_erfarenhet_inom_totalt",
        "D_arbetsledare",
        D_VALID,
        {"arbl_lt3ar_erfarenhet": "4.6"},
        "arbl_lt3ar_erfarenhet",
        "4.6",
        (
            "arbl_lt3ar_erfarenhet 4,6 men arbl_totalt är 4,5. "
            "arbl_lt3ar_erfarenhet kan inte vara större än arbl_totalt; rätta siffrorna."
        ),
    ),
    (
        "E_magister_inom_vidareutbildning",
        "E_arbetsledare_utbildning",
        E_VALID,
        {"arbl_magister": "4"},
        "arbl_magister",
        "4",
        (
            "arbl_magister 4 men arbl_vidareutbildning är 3. "
            "arbl_magister kan inte vara större än arbl_vidareutbildning; rätta siffrorna."
        ),
    ),
]


@pytest.mark.parametrize(
    ("rule", "block", "answers", "changes", "question_id", "value", "expected_message"),
    RULE_VIOLATIONS,
)
def test_hard_rule_violation_issue(
    rule, block, answers, changes, question_id, value, expected_message
):
    valid = validate((PATH, 2016, answers))
    assert set(valid.block_status.filter(pl.col("status") != "not_answered")["status"]) == {"valid"}

    validation = validate((PATH, 2016, {**answers, **changes}))
    assert status(validation, block) == "invalid"
    assert validation.issues.rows() == [
        (PATH, "1480", 2016, block, question_id, rule, "error", value, expected_message)
    ]
    assert validation.answers.is_empty()


def test_several_broken_rules_give_one_issue_each():
    # 40,5 + 5 ≠ 46 and 2 + 1 ≠ 4: both sums of block A
    validation = validate(
        (PATH, 2016, {**A_VALID, "handl_man": "5", "handl_utan_socionom_totalt": "4"})
    )
    assert issues(validation) == [
        ("A_handlaggare", "handl_totalt", "A_handl_kon_summa", "error", "46"),
        ("A_handlaggare", "handl_utan_socionom_totalt", "A_utan_socionom_kon_summa", "error", "4"),
    ]


# --- warnings ---------------------------------------------------------------------------------


def test_fte_over_1000_is_a_warning_and_the_data_are_kept():
    # 995,5 + 5 = 1 000,5
    answers = {**A_VALID, "handl_kvinnor": "995,5", "handl_man": "5", "handl_totalt": "1 000,5"}
    validation = validate((PATH, 2016, answers))
    assert status(validation, "A_handlaggare") == "valid"
    assert issues(validation) == [
        ("A_handlaggare", "handl_totalt", "fte_over_1000", "warning", "1 000,5")
    ]
    assert message(validation, "fte_over_1000") == (
        "handl_totalt är 1000,5 årsarbetare, vilket är mer än 1000. Kontrollera att decimaltecknet är rätt."
    )
    kept = validation.answers.filter(pl.col("question_id") == "handl_totalt")
    assert kept["value"].to_list() == [1000.5]


def test_fte_of_exactly_1000_is_no_warning():
    block_schema = block_schemas(2016)["A_handlaggare"]
    # 995 + 5 = 1000, then 995,01 + 5 = 1000,01
    assert (
        failed_checks(
            block_schema,
            {**A_ROW, "handl_kvinnor": 995.0, "handl_man": 5.0, "handl_totalt": 1000.0},
        )
        == set()
    )
    assert failed_checks(
        block_schema, {**A_ROW, "handl_kvinnor": 995.01, "handl_man": 5.0, "handl_totalt": 1000.01}
    ) == {"fte_over_1000"}


def test_subject_area_above_handl_totalt_is_a_warning_and_the_data_are_kept():
    # evidensbaserad praktik: 20 + 10 + 17 = 47 > 46; placerade barn: 30 + 6 + 10 = 46, not above
    c_ebp = {**C_EBP_2016, "komp_evidensbaserad_praktik_saknar": "17"}
    validation = validate((PATH, 2016, {**A_VALID, **c_ebp}))
    assert status(validation, "A_handlaggare") == "valid"
    assert status(validation, "C_ebp_placerade_barn") == "valid"
    assert issues(validation) == [
        (
            "C_ebp_placerade_barn",
            "komp_evidensbaserad_praktik_grund",
            "kompetens_over_handl_totalt",
            "warning",
            "20",
        )
    ]
    assert message(validation, "kompetens_over_handl_totalt") == (
        "komp_evidensbaserad_praktik_grund 20 + komp_evidensbaserad_praktik_fordjupad 10 + "
        "komp_evidensbaserad_praktik_saknar 17 = 47 men handl_totalt är 46. "
        "Summan brukar inte vara större än handl_totalt; kontrollera siffrorna."
    )
    assert validation.answers.filter(pl.col("block") == "C_ebp_placerade_barn").height == 6


def test_subject_area_warning_tolerance_boundary():
    block_schema = block_schemas(2016)["C_ebp_placerade_barn"]
    # 30 + 6 + 10,01 = 46,01 / 30 + 6 + 10,02 = 46,02 against 46
    row = {question: float(text) for question, text in C_EBP_2016.items()} | {"handl_totalt": 46.0}
    assert failed_checks(block_schema, row) == set()
    assert failed_checks(block_schema, {**row, "komp_placerade_barn_saknar": 10.01}) == set()
    assert failed_checks(block_schema, {**row, "komp_placerade_barn_saknar": 10.02}) == {
        "kompetens_over_handl_totalt"
    }
    # not judged without handl_totalt
    assert (
        failed_checks(
            block_schema, {**row, "komp_placerade_barn_saknar": 10.02, "handl_totalt": None}
        )
        == set()
    )


def test_subject_area_warning_of_the_2013_form_covers_uppfoljning_utvardering():
    path = "2013/inventering/a.csv"
    # 25 + 5 + 17 = 47 > 46
    answers = {**A_VALID, **C_EBP_2016, **UPPFOLJNING, "komp_uppfoljning_utvardering_saknar": "17"}
    validation = validate((path, 2013, answers))
    assert issues(validation) == [
        (
            "C_ebp_placerade_barn",
            "komp_uppfoljning_utvardering_grund",
            "kompetens_over_handl_totalt",
            "warning",
            "25",
        )
    ]


def test_subject_area_warning_uses_handl_totalt_of_an_invalid_block_a():
    broken_a = {**A_VALID, "handl_man": "5"}  # 40,5 + 5 ≠ 46, but handl_totalt 46 parses
    c_ebp = {**C_EBP_2016, "komp_evidensbaserad_praktik_saknar": "17"}
    validation = validate((PATH, 2016, {**broken_a, **c_ebp}))
    assert status(validation, "A_handlaggare") == "invalid"
    assert status(validation, "C_ebp_placerade_barn") == "valid"
    assert issues(validation) == [
        ("A_handlaggare", "handl_totalt", "A_handl_kon_summa", "error", "46"),
        (
            "C_ebp_placerade_barn",
            "komp_evidensbaserad_praktik_grund",
            "kompetens_over_handl_totalt",
            "warning",
            "20",
        ),
    ]


def test_subject_area_warning_is_skipped_when_handl_totalt_does_not_parse():
    c_ebp = {**C_EBP_2016, "komp_evidensbaserad_praktik_saknar": "17"}
    validation = validate((PATH, 2016, {**A_VALID, "handl_totalt": "46 st", **c_ebp}))
    assert issues(validation) == [
        ("A_handlaggare", "handl_totalt", "unparseable_value", "error", None)
    ]
    assert status(validation, "C_ebp_placerade_barn") == "valid"
