"""The whole job over the conformance landing zone (tests/conformance_zone.py).

One Dagster run of the job `refresh`, with every asset check (the Great Expectations suites
included), the swap and the exports, over a landing zone in which every rule of contract
sections 2–7 is a named case. Every expected value below is worked out by hand from the files'
text, with the working beside it; none is computed by the code under test.

The register problems (contract section 6), which must stop the publication, and the empty
landing zone need runs of their own: tests/test_register_stops_publication.py and
tests/test_empty_landing_zone.py.
"""

from __future__ import annotations

import zipfile
from collections import Counter

import dagster as dg
import duckdb
import pytest

from assets.validate.cli import check_file
from tests.conformance_zone import (
    ISSUE_23,
    ISSUE_23_LEDGER_CASES,
    LATIN1_NAME_IN_LEDGER,
    LEDGER_CASES,
    ON_DISK,
    PERSONAL_DATA,
    VASBY_2017_PATH,
    build_conformance_landing_zone,
)
from tests.conftest import materialize_pipeline
from tests.report_cells import cell, figure

V2016 = "2016/inventering/"
VASBY_2016 = V2016 + "0114_vasby_2016.csv"
VALLENTUNA_2016 = V2016 + "0115_vallentuna_2016.csv"
OSTERAKER_2016 = V2016 + "Inskickat/december/0117_OSTERAKER_2016.CSV"
EKERO_2016 = V2016 + "0125_ekero_2016.csv"
HUDDINGE_2016 = V2016 + "0126_huddinge_2016.csv"
VARMDO_2016 = V2016 + "0120_varmdo_2016.csv"
MALMO_2016 = V2016 + "1280_malmo_2016_klockslag.csv"
GOTEBORG_2016 = V2016 + "1480_goteborg_2016.csv"
EKERO_2014 = "2014/inventering/0125_ekero_2014.csv"
BJURHOLM_2015 = "2015/inventering/2403_bjurholm_2015.csv"
# Issue 23's files (tests/conformance_zone.py), by the point they exercise.
ROW_WITH_A_COMMA = ISSUE_23 + "1_komma_i_semikolonfil.csv"
TYPO_WITHOUT_ANSWER = ISSUE_23 + "1_stavfel_utan_svar.csv"
LONG_COMMENT = ISSUE_23 + "2_lang_kommentar.csv"
OLD_QUESTION_TWICE = ISSUE_23 + "3_gammal_fraga_tva_ganger.csv"
BASIC_DATE = ISSUE_23 + "4_basdatum.csv"
MANY_DIGITS = ISSUE_23 + "5_manga_siffror.csv"
BEYOND_COLUMN_B = ISSUE_23 + "6_kolumn_c.xlsx"


@pytest.fixture(scope="module")
def conformance_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("conformance")
    raw = build_conformance_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)
    return result, warehouse


@pytest.fixture
def db(conformance_run):
    _, warehouse = conformance_run
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


# --- the whole job ---------------------------------------------------------------------------


def test_the_whole_job_publishes_with_every_blocking_check_passed(conformance_run):
    result, warehouse = conformance_run
    assert result.success, [
        event.message for event in result.all_events if event.event_type_value == "STEP_FAILURE"
    ]
    failed_errors = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert failed_errors == []
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("kompetens_warehouse") in materialized
    assert warehouse.is_file()
    # The exports come after the swap and read the published warehouse.
    exports = warehouse.parent / "exports"
    assert (exports / "tabeller.xlsx").is_file()
    assert (exports / "parquet" / "tables_long.parquet").is_file()


def test_the_exports_hold_the_published_figures(conformance_run, db):
    _, warehouse = conformance_run
    parquet = warehouse.parent / "exports" / "parquet" / "tables_long.parquet"
    exported = duckdb.sql(
        f"SELECT value FROM read_parquet('{parquet}') "
        "WHERE table_id = 'T01' AND row_key = 'handlaggare' AND col_key = 'totalt'"
    ).fetchall()
    assert [value for (value,) in exported] == [pytest.approx(59.13)]


# --- section 3: the ledger -------------------------------------------------------------------


def test_every_file_has_the_ledger_row_the_contract_decides(db):
    ledger = {
        path: (status, reason_code)
        for path, status, reason_code in db.execute(
            "SELECT path, status, reason_code FROM quality.file_ledger"
        ).fetchall()
    }
    expected = {case.path: (case.status, case.reason_code) for case in LEDGER_CASES}
    mismatches = {
        path: (ledger.get(path), expected.get(path))
        for path in ledger.keys() | expected.keys()
        if ledger.get(path) != expected.get(path)
    }
    assert mismatches == {}, "path: (ledger, contract)"


def test_every_status_and_every_reason_code_is_exercised():
    from schemas.contract import LEDGER_STATUSES, REJECTION_REASONS

    assert {case.status for case in LEDGER_CASES} == set(LEDGER_STATUSES)
    assert {case.reason_code for case in LEDGER_CASES} - {None} == set(REJECTION_REASONS)


def test_a_conflict_publishes_with_the_municipality_year_absent(db):
    # Section 3: both files of the tie are conflict (reason_code NULL), the earlier draft is
    # superseded, and 0180/2016 has no selected submission, so it is counted nowhere.
    assert db.execute(
        "SELECT count(*) FROM core.submissions WHERE kommunkod = '0180' AND ar = 2016"
    ).fetchone() == (0,)
    assert db.execute(
        "SELECT path, severity FROM quality.issues WHERE rule = 'conflict' ORDER BY path"
    ).fetchall() == [
        (V2016 + "0180_stockholm_2016_a.csv", "fatal"),
        (V2016 + "0180_stockholm_2016_b.csv", "fatal"),
    ]


def test_the_metadata_of_a_selected_file_is_read_as_the_contract_says(db):
    rows = dict(
        db.execute(
            "SELECT path, kommunkod || ' ' || ar || ' ' || CAST(inlamnad AS VARCHAR) "
            "FROM core.submissions"
        ).fetchall()
    )
    # Excel drops the leading zero (115 → 0115) and an Excel date cell is a date.
    assert rows["2014/inventering/0115_vallentuna_2014.Xlsx"] == "0115 2014 2014-10-09 00:00:00"
    assert rows[MALMO_2016] == "1280 2016 2016-11-30 09:00:00"


# --- sections 2 and 4: issues ----------------------------------------------------------------

# (path, block, question_id, rule, severity) of every problem found in a selected file.
EXPECTED_SUBMISSION_ISSUES = {
    # Read warnings (section 2).
    (VASBY_2016, None, "uppf_medarbetarsamtal", "repeated_answer", "warning"),
    (VASBY_2016, None, "extra_fraga", "unknown_question", "warning"),
    (
        VASBY_2016,
        None,
        "komp_uppfoljning_utvardering_grund",
        "question_not_in_form_year",
        "warning",
    ),
    (VALLENTUNA_2016, None, "handl_totalt", "repeated_answer", "warning"),
    # Hard rules (section 4), one block each.
    (OSTERAKER_2016, "A_handlaggare", "handl_totalt", "A_handl_kon_summa", "error"),
    (
        VARMDO_2016,
        "A_handlaggare",
        "handl_utan_socionom_totalt",
        "A_utan_socionom_kon_summa",
        "error",
    ),
    (GOTEBORG_2016, "A_handlaggare", "handl_totalt", "A_varav_inom_totalt", "error"),
    (
        BJURHOLM_2015,
        "A_handlaggare",
        "handl_utan_socionom_kvinnor",
        "A_utan_socionom_kvinnor_inom_kvinnor",
        "error",
    ),
    (
        EKERO_2014,
        "A_handlaggare",
        "handl_utan_socionom_man",
        "A_utan_socionom_man_inom_man",
        "error",
    ),
    (
        EKERO_2016,
        "B_handlaggare_utbildning",
        "handl_magister",
        "B_magister_inom_vidareutbildning",
        "error",
    ),
    (HUDDINGE_2016, "D_arbetsledare", "arbl_totalt", "D_arbl_kon_summa", "error"),
    (
        VALLENTUNA_2016,
        "D_arbetsledare",
        "arbl_forsta_chefsjobb",
        "D_forsta_chefsjobb_inom_totalt",
        "error",
    ),
    (
        OSTERAKER_2016,
        "D_arbetsledare",
        "arbl_behov_kompetensutveckling",
        "D_behov_kompetensutveckling_inom_totalt",
        "error",
    ),
    (
        EKERO_2016,
        "D_arbetsledare",
        "arbl_lt3ar_erfarenhet",
        "D_lt3ar_erfarenhet_inom_totalt",
        "error",
    ),
    (
        OSTERAKER_2016,
        "E_arbetsledare_utbildning",
        "arbl_magister",
        "E_magister_inom_vidareutbildning",
        "error",
    ),
    # Answers (section 4): missing, unparseable, not finite, negative, not whole.
    (
        OSTERAKER_2016,
        "C_ebp_placerade_barn",
        "komp_evidensbaserad_praktik_saknar",
        "missing_answer",
        "error",
    ),
    (
        HUDDINGE_2016,
        "C_ebp_placerade_barn",
        "komp_evidensbaserad_praktik_grund",
        "unparseable_value",
        "error",
    ),
    (HUDDINGE_2016, "C_ebp_placerade_barn", "komp_placerade_barn_grund", "not_finite", "error"),
    (GOTEBORG_2016, "D_arbetsledare", "arbl_kvinnor", "unparseable_value", "error"),
    (EKERO_2016, "E_arbetsledare_utbildning", "arbl_fortbildning", "negative_value", "error"),
    (HUDDINGE_2016, "B_handlaggare_utbildning", "handl_fortbildning", "not_whole_number", "error"),
    (EKERO_2016, "F_uppf_medarbetarsamtal", "uppf_medarbetarsamtal", "unparseable_value", "error"),
    # Warnings (section 4): the data are kept.
    (
        EKERO_2016,
        "C_ebp_placerade_barn",
        "komp_evidensbaserad_praktik_grund",
        "kompetens_over_handl_totalt",
        "warning",
    ),
    (MALMO_2016, "A_handlaggare", "handl_kvinnor", "fte_over_1000", "warning"),
    (MALMO_2016, "A_handlaggare", "handl_totalt", "fte_over_1000", "warning"),
    # Issue 23 (contract section 2, amended 2026-12-07); the same tuple twice is in
    # ISSUE_23_ISSUES, which counts them.
    (ROW_WITH_A_COMMA, None, None, "row_without_delimiter", "warning"),
    (
        ROW_WITH_A_COMMA,
        "B_handlaggare_utbildning",
        "handl_fortbildning",
        "unparseable_value",
        "error",
    ),
    (TYPO_WITHOUT_ANSWER, None, "handl_fortbildnig", "unknown_question", "warning"),
    (LONG_COMMENT, None, "kommentar", "unknown_question", "warning"),
    (
        OLD_QUESTION_TWICE,
        None,
        "komp_uppfoljning_utvardering_grund",
        "question_not_in_form_year",
        "warning",
    ),
    (MANY_DIGITS, "B_handlaggare_utbildning", "handl_fortbildning", "unparseable_value", "error"),
    (
        BEYOND_COLUMN_B,
        "B_handlaggare_utbildning",
        "handl_fortbildning",
        "unparseable_value",
        "error",
    ),
    # Issue 23 point 9: the 2017 form is empty in the catalog.
    (VASBY_2017_PATH, None, "handl_totalt", "question_not_in_form_year", "warning"),
}

# Issue 23, every issue of its selected files counted (rows 5 and 6 of the 2016 file with a
# question of the 2013–2015 forms twice are a warning each; the basic date and the Latin-1 name
# have none). By point:
# 1. `handl_fortbildning,3` in a `;` file: that answer is unparseable, so block B is invalid; the
#    row of text with no delimiter and no catalog id at its start is a warning. The typo with an
#    empty answer is an unknown question.
# 2. The 140 000-character comment is the unknown question `kommentar`'s warning.
# 3. The question outside the form, twice with different answers: two warnings, no rejection.
# 5. 31 ones before the decimal mark: unparseable; 30 nines are a number (B is invalid anyway).
# 6. The XLSX answer in column C: unparseable, not "not answered".
ISSUE_23_ISSUES = Counter(
    [issue for issue in EXPECTED_SUBMISSION_ISSUES if issue[0].startswith(ISSUE_23)]
    + [
        (
            OLD_QUESTION_TWICE,
            None,
            "komp_uppfoljning_utvardering_grund",
            "question_not_in_form_year",
            "warning",
        )
    ]
)


def test_every_problem_in_a_selected_file_is_one_issue_with_its_rule(db):
    issues = set(
        db.execute(
            """
            SELECT i.path, i.block, i.question_id, i.rule, i.severity
            FROM quality.issues AS i
            SEMI JOIN core.submissions AS s USING (path)
            """
        ).fetchall()
    )
    assert issues - EXPECTED_SUBMISSION_ISSUES == set(), "found but not expected"
    assert EXPECTED_SUBMISSION_ISSUES - issues == set(), "expected but not found"


def test_issue_23_every_row_is_accounted_for_once(db):
    issues = Counter(
        db.execute(
            "SELECT path, block, question_id, rule, severity FROM quality.issues "
            "WHERE starts_with(path, ?) AND severity <> 'fatal'",
            [ISSUE_23],
        ).fetchall()
    )
    assert issues == ISSUE_23_ISSUES


def test_issue_23_the_basic_date_and_the_latin1_name_are_read(db):
    rows = dict(
        db.execute(
            "SELECT path, kommunkod || ' ' || CAST(inlamnad AS VARCHAR) FROM core.submissions"
        ).fetchall()
    )
    assert rows[BASIC_DATE] == "0160 2016-12-31 00:00:00"  # inlamnad 20161231
    assert rows[LATIN1_NAME_IN_LEDGER] == "0509 2016-11-20 00:00:00"


@pytest.mark.parametrize(
    "case",
    [case for case in ISSUE_23_LEDGER_CASES if case.path.startswith(ISSUE_23)],
    ids=lambda case: case.path.removeprefix(ISSUE_23),
)
def test_issue_23_the_validator_judges_each_file_as_the_pipeline_does(conformance_run, db, case):
    # Issue 23 points 1–7 and 10: the same ledger status and the same findings, counted.
    _, warehouse = conformance_run
    raw = warehouse.parent.parent / "raw"
    check = check_file(raw / ON_DISK.get(case.path, case.path))
    (status,) = db.execute(
        "SELECT status FROM quality.file_ledger WHERE path = ?", [case.path]
    ).fetchone()
    assert (check.path, check.status) == (case.path, status) == (case.path, case.status)
    pipeline = Counter(
        db.execute(
            "SELECT rule, question_id, severity FROM quality.issues WHERE path = ?", [case.path]
        ).fetchall()
    )
    assert Counter((f.rule, f.question_id, f.severity) for f in check.findings) == pipeline


def test_every_rejected_file_is_a_fatal_issue_under_its_reason_code(db):
    fatal = set(
        db.execute("SELECT path, rule FROM quality.issues WHERE severity = 'fatal'").fetchall()
    )
    expected = {
        (case.path, case.reason_code or case.status)
        for case in LEDGER_CASES
        if case.status in ("rejected", "conflict")
    }
    assert fatal == expected


def test_every_block_rule_and_warning_is_exercised():
    from schemas.rules import BLOCK_RULES, READ_RULES, WARNING_RULES

    exercised = {rule for _, _, _, rule, _ in EXPECTED_SUBMISSION_ISSUES}
    assert set(BLOCK_RULES) | set(READ_RULES) | set(WARNING_RULES) <= exercised


def test_a_row_with_an_unquoted_decimal_comma_is_never_cut_short(db):
    # Göteborg's arbl_kvinnor,1,5 is not 1: its block D is invalid for that answer alone, with no
    # broken sum (1 + 0 against 1,5 would have been D_arbl_kon_summa).
    rules = db.execute(
        "SELECT rule FROM quality.issues WHERE path = ? AND block = 'D_arbetsledare'",
        [GOTEBORG_2016],
    ).fetchall()
    assert rules == [("unparseable_value",)]


def test_an_invalid_block_leaves_the_other_blocks_of_the_file_counted(db):
    statuses = dict(
        db.execute(
            "SELECT block, status FROM core.block_status WHERE path = ?", [OSTERAKER_2016]
        ).fetchall()
    )
    assert statuses["A_handlaggare"] == "invalid"
    assert statuses["B_handlaggare_utbildning"] == "valid"
    assert statuses["F_plan_handlaggare"] == "not_answered"


def test_answers_are_read_with_white_space_rounding_and_thousands_as_the_contract_says(db):
    values = dict(
        db.execute(
            "SELECT path || ' ' || question_id, CAST(value AS DOUBLE) FROM core.answers "
            "WHERE value IS NOT NULL"
        ).fetchall()
    )
    assert values[VASBY_2016 + " handl_kvinnor"] == 10  # "  10 "
    assert values[VASBY_2016 + " handl_man"] == 2  # no-break spaces around 2
    assert values[VASBY_2016 + " handl_socionom_lt1ar"] == 0.13  # 0,125 half away from zero
    assert values[VALLENTUNA_2016 + " handl_man"] == 2.01  # 2,005
    assert values[MALMO_2016 + " handl_kvinnor"] == 1028.4  # "1 028,4"
    assert values[MALMO_2016 + " handl_socionom_lt1ar"] == 1000  # narrow no-break space
    assert values[HUDDINGE_2016 + " handl_kvinnor"] == 7.5  # "7,5" quoted in a comma file
    assert values["2014/inventering/0115_vallentuna_2014.Xlsx handl_man"] == 0.3


def test_a_choice_is_read_whatever_its_case_and_white_space(db):
    choices = dict(
        db.execute(
            "SELECT path, value_text FROM core.answers WHERE question_id = 'uppf_medarbetarsamtal'"
        ).fetchall()
    )
    assert choices[OSTERAKER_2016] == "ja"  # "JA "
    assert choices[VASBY_2016] == "ja"  # "Ja", then "ja" again


# --- sections 5 and 7: the tables ------------------------------------------------------------


def test_table_1_sums_block_a_of_the_final_population(db):
    # Final population: 0114, 0115, 0117, 0125, 0126 (participants before 2016 with a selected
    # 2016 file); 0120 is new in 2016 and 0180's 2016 is a conflict. Block A is valid for 0114,
    # 0115, 0125, 0126; 0117's breaks kvinnor + män = totalt by 0.02.
    assert cell(db, "T01", "handlaggare", "n_kommuner") == 4
    assert cell(db, "T01", "handlaggare", "kvinnor") == 47.63  # 10 + 10.13 + 20 + 7.5
    assert cell(db, "T01", "handlaggare", "man") == 11.51  # 2 + 2.01 + 5 + 2.5
    assert cell(db, "T01", "handlaggare", "totalt") == 59.13  # 12 + 12.13 + 25 + 10
    assert cell(db, "T01", "handlaggare", "socionom_lt1ar") == 4.13  # 0.13 + 1 + 2 + 1
    assert cell(db, "T01", "handlaggare", "utan_socionom_kvinnor") == 5.5  # 1 + 0.5 + 3 + 1
    assert cell(db, "T01", "handlaggare", "utan_socionom_man") == 1.5  # 0 + 0.5 + 1 + 0
    assert cell(db, "T01", "handlaggare", "utan_socionom_totalt") == 7  # 1 + 1 + 4 + 1


def test_tables_2_9_and_10_count_only_valid_blocks(db):
    # B valid: 0114 (5, 2, 1), 0115 (4, 3, 3), 0117 (6, 1, 0); 0125 magister > vidareutbildning,
    # 0126 fortbildning 2,5 persons.
    assert cell(db, "T02", "handlaggare", "n_kommuner") == 3
    assert cell(db, "T02", "handlaggare", "fortbildning") == 15
    assert cell(db, "T02", "handlaggare", "vidareutbildning") == 6
    assert cell(db, "T02", "handlaggare", "magister") == 4
    # D valid only for 0114: 2, 1, 3, 1, 2, 1.
    assert cell(db, "T09", "arbetsledare", "n_kommuner") == 1
    assert cell(db, "T09", "arbetsledare", "totalt") == 3
    assert cell(db, "T09", "arbetsledare", "behov_kompetensutveckling") == 2
    # E valid: 0114 (1, 1, 0), 0115 (2, 1, 1); 0117 breaks the rule, 0125 is negative, 0126 did
    # not answer.
    assert cell(db, "T10", "arbetsledare", "n_kommuner") == 2
    assert cell(db, "T10", "arbetsledare", "fortbildning") == 3
    assert cell(db, "T10", "arbetsledare", "vidareutbildning") == 2
    assert cell(db, "T10", "arbetsledare", "magister") == 1


def test_tables_3_and_8_over_the_valid_c_blocks(db):
    # C_ebp_placerade_barn valid for 0114, 0115, 0125 (0117 misses an answer, 0126 has an
    # unparseable and an infinite one). Evidensbaserad praktik: 5+6+20 = 31, 4+4+5 = 13,
    # 3+2+1 = 6, totalt 50. Placerade barn: 6+7+10 = 23, 4+3+10 = 17, 2+2+5 = 9, totalt 49.
    assert cell(db, "T08", "_tabell", "n_kommuner") == 3
    assert cell(db, "T08", "evidensbaserad_praktik", "grundlaggande_antal") == 31
    assert cell(db, "T08", "evidensbaserad_praktik", "totalt") == 50
    assert cell(db, "T08", "evidensbaserad_praktik", "grundlaggande_andel") == pytest.approx(62)
    assert cell(db, "T08", "placerade_barn", "saknar_andel") == pytest.approx(100 * 9 / 49)
    # T03: (31 + 23) / (50 + 49), (13 + 17) / 99, (6 + 9) / 99.
    assert cell(db, "T03", "ebp_placerade_barn", "n_kommuner") == 3
    assert cell(db, "T03", "ebp_placerade_barn", "grundlaggande_andel") == pytest.approx(
        100 * 54 / 99
    )
    assert cell(db, "T03", "ebp_placerade_barn", "saknar_andel") == pytest.approx(100 * 15 / 99)


def test_rows_2013_to_2015_count_municipalities_in_their_first_year(db):
    # 2013: 0114 (10; 1; 2) and 0180 (45; 4; 4); 0123's 2013 file is not counted (repaid).
    assert cell(db, "T11", "2013", "n_kommuner") == 2
    assert cell(db, "T11", "2013", "antal_handlaggare") == 55
    assert cell(db, "T11", "2013", "socionom_lt1ar_andel") == pytest.approx(100 * 5 / 55)
    assert cell(db, "T11", "2013", "utan_socionom_andel") == pytest.approx(100 * 6 / 55)
    assert cell(db, "T12", "2013", "magister_andel") == pytest.approx(100 * 2 / 5)
    # 2014: 0115's XLSX (7; 1; 0.5) and 0123 (4; 0; 1); 0125's 2014 file is not its first year.
    assert cell(db, "T11", "2014", "n_kommuner") == 2
    assert cell(db, "T11", "2014", "antal_handlaggare") == 11
    assert cell(db, "T11", "2014", "utan_socionom_andel") == pytest.approx(100 * 1.5 / 11)
    # 2015: 0117 (4; 2; 0); Bjurholm never took part.
    assert cell(db, "T11", "2015", "n_kommuner") == 1
    assert cell(db, "T11", "2015", "socionom_lt1ar_andel") == pytest.approx(50)
    # 2016: the final population, as Table 1.
    assert cell(db, "T11", "2016", "n_kommuner") == 4
    assert cell(db, "T11", "2016", "socionom_lt1ar_andel") == pytest.approx(100 * 4.13 / 59.13)
    assert cell(db, "T13", "2016", "forsta_chefsjobb_andel") == pytest.approx(100 / 3)
    assert cell(db, "T14", "2016", "magister_andel") == pytest.approx(50)


def test_a_population_row_with_nobody_counted_has_n_0_sums_0_and_no_shares(db):
    # Issue 23 point 8 (contract section 5): row 2014's first-year files (0115, 0123) answer
    # neither block D nor block E.
    assert cell(db, "T13", "2014", "n_kommuner") == 0
    assert cell(db, "T13", "2014", "antal_arbetsledare") == 0
    assert cell(db, "T13", "2014", "forsta_chefsjobb_andel") is None
    assert cell(db, "T14", "2014", "n_kommuner") == 0
    assert cell(db, "T14", "2014", "vidareutbildning") == 0
    assert cell(db, "T14", "2014", "magister_andel") is None


def test_a_later_year_folder_leaves_tables_1_to_14_to_the_final_inventory_year(db):
    # Issue 23 point 9: Upplands Väsby's early 2017 file is read and selected, but the final
    # inventory year stays 2016 (the reference data's setting), so Tables 1–10 stay as in
    # test_table_1_sums_block_a_of_the_final_population and Tables 11–14 have no row 2017.
    assert db.execute("SELECT ar FROM core.final_inventory_year").fetchall() == [(2016,)]
    assert db.execute(
        "SELECT kommunkod, ar FROM core.submissions WHERE path = ?", [VASBY_2017_PATH]
    ).fetchall() == [("0114", 2017)]
    assert db.execute("SELECT count(*) FROM core.population WHERE ar = 2017").fetchone() == (0,)
    assert db.execute(
        "SELECT count(*) FROM report.tables_long WHERE row_key = '2017'"
    ).fetchone() == (0,)
    assert cell(db, "T01", "handlaggare", "n_kommuner") == 4


def test_the_text_figures_of_the_final_population(db):
    # ebp: 6 of 50 (2016, n 3); 2013: 0114's 1 of 5.
    assert figure(db, "ebp_saknar_andel_2016") == (pytest.approx(12), 3)
    assert figure(db, "ebp_saknar_andel_2013") == (pytest.approx(20), 1)
    # uppf_medarbetarsamtal: ja from 0114 and 0117, nej from 0115; 0125's "kanske" is no answer
    # and 0120 (new in 2016) is outside the population.
    assert figure(db, "uppfoljning_medarbetarsamtal_kommuner") == (2, 3)
    # genomfort_handlaggare: delvis 0114, ja 0115, Delvis 0125 count; nej 0117 does not.
    assert figure(db, "planerad_genomford_handlaggare_kommuner") == (3, 4)


def test_the_grant_figures_from_the_registers(db):
    assert figure(db, "deltagit_2013_2015_kommuner")[0] == 8
    # Of those 8, 2016 participants are 0114 and 0115 only.
    assert figure(db, "webbformular_ej_deltagit_2016_kommuner")[0] == 6
    # Of those 8, Table 1 counts 0114, 0115, 0125, 0126: 0180, 0123, 0117, 0127 are not.
    assert figure(db, "ej_svar_2016_kommuner")[0] == 4
    assert figure(db, "nya_2014_kommuner")[0] == 2  # 0115, 0123
    assert figure(db, "nya_2016_kommuner")[0] == 1  # 0120
    assert figure(db, "rekvirerat_2013_kommuner")[0] == 6  # 0123 requisitioned, then repaid
    assert figure(db, "rekvirerat_kompetens_2013_kommuner")[0] == 2  # 0180, 0126
    assert figure(db, "aterbetalat_helt_2015_kommuner")[0] == 1  # 1480
    assert figure(db, "anslag_2013_sek")[0] == 3_656_887
    assert figure(db, "minsta_belopp_sek")[0] == 20_000  # Göteborg 2015
    assert figure(db, "stockholm_2013_totalt_sek")[0] == 3_306_887  # 250 000 + 3 056 887


def test_a_county_breakdown_counts_its_own_municipalities(db):
    # Every municipality of the final population lies in Stockholms län (01): its T01 is the
    # nation's; Skåne (12) has Malmö, counted nowhere.
    def county(lanskod: str, col_key: str):
        return db.execute(
            "SELECT value FROM report.breakdown_cells_unsuppressed WHERE dimension = 'lan' "
            "AND group_code = ? AND table_id = 'T01' AND row_key = 'handlaggare' AND col_key = ?",
            [lanskod, col_key],
        ).fetchone()[0]

    assert county("01", "totalt") == 59.13
    assert county("01", "n_kommuner") == 4
    assert county("12", "n_kommuner") == 0


# --- sections 2 and 8: personal data ---------------------------------------------------------


def test_no_personal_data_anywhere_in_the_warehouse(db):
    columns = db.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR'"
    ).fetchall()
    for schema, table, column in columns:
        for text in PERSONAL_DATA:
            found = db.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)', [text]
            ).fetchone()[0]
            assert found == 0, (schema, table, column, text)


def test_no_personal_data_in_any_output_file(conformance_run):
    _, warehouse = conformance_run
    for path in warehouse.parent.rglob("*"):
        if not path.is_file() or path.suffix in (".duckdb", ".lock", ".png", ".parquet"):
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                texts = [
                    workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist()
                ]
        else:
            texts = [path.read_text(encoding="utf-8", errors="replace")]
        for text in texts:
            for personal in PERSONAL_DATA:
                assert personal not in text, path
