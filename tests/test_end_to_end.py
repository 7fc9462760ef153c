"""End to end: the Definitions materialised on the small hand-made landing zone.

Expected values are worked out by hand from tests/landing_zone_fixture.py.
"""

from __future__ import annotations

import pytest

from tests.landing_zone_fixture import CONTACT_EMAIL, CONTACT_NAME, EXPECTED_LEDGER
from tests.report_cells import cell, figure


def test_the_ledger_accounts_for_every_file_with_its_status(small_db):
    ledger = {
        path: (status, reason_code)
        for path, status, reason_code in small_db.execute(
            "SELECT path, status, reason_code FROM quality.file_ledger"
        ).fetchall()
    }
    assert ledger == EXPECTED_LEDGER


def test_table_1_counts_participants_before_2016_with_a_valid_block_a(small_db):
    # Final population: 0180, 1280 (first year 2013), 2403 (2014), 1480 (2015); 0114 is new in
    # 2016. 1280's block A breaks kvinnor + män = totalt, so T01 counts 0180, 2403 and 1480.
    assert cell(small_db, "T01", "handlaggare", "n_kommuner") == 3
    assert cell(small_db, "T01", "handlaggare", "kvinnor") == pytest.approx(44.25 + 3.5 + 95)
    assert cell(small_db, "T01", "handlaggare", "man") == pytest.approx(5.25 + 0.5 + 12.5)
    assert cell(small_db, "T01", "handlaggare", "totalt") == pytest.approx(49.5 + 4 + 107.5)
    assert cell(small_db, "T01", "handlaggare", "socionom_lt1ar") == pytest.approx(5 + 0.5 + 10)
    assert cell(small_db, "T01", "handlaggare", "utan_socionom_totalt") == pytest.approx(5 + 1 + 8)


def test_an_invalid_block_leaves_the_municipality_out_of_that_table_only(small_db):
    # T02 reads block B, which is valid for all four: 32+13+2+60, 11+5+1+20, 3+1+0+4.
    assert cell(small_db, "T02", "handlaggare", "n_kommuner") == 4
    assert cell(small_db, "T02", "handlaggare", "fortbildning") == 107
    assert cell(small_db, "T02", "handlaggare", "vidareutbildning") == 37
    assert cell(small_db, "T02", "handlaggare", "magister") == 8
    assert cell(small_db, "T12", "2016", "magister_andel") == pytest.approx(100 * 8 / 37)


def test_area_and_subarea_shares_over_valid_c_blocks(small_db):
    # C_ebp_placerade_barn valid for 0180, 1280, 1480 (2403's is partly answered).
    # grund 25+28+12+14+50+60 = 189, fördjupad 15+12+5+4+30+25 = 91, saknar 5+5+3+2+20+15 = 50.
    assert cell(small_db, "T03", "ebp_placerade_barn", "n_kommuner") == 3
    assert cell(small_db, "T03", "ebp_placerade_barn", "grundlaggande_andel") == pytest.approx(
        100 * 189 / 330
    )
    assert cell(small_db, "T03", "ebp_placerade_barn", "saknar_andel") == pytest.approx(
        100 * 50 / 330
    )
    # Evidensbaserad praktik: 25+12+50 = 87, 15+5+30 = 50, 5+3+20 = 28; totalt 165.
    assert cell(small_db, "T08", "evidensbaserad_praktik", "saknar_antal") == pytest.approx(28)
    assert cell(small_db, "T08", "evidensbaserad_praktik", "totalt") == pytest.approx(165)
    assert cell(small_db, "T08", "evidensbaserad_praktik", "saknar_andel") == pytest.approx(
        100 * 28 / 165
    )
    assert figure(small_db, "ebp_saknar_andel_2016") == pytest.approx((100 * 28 / 165, 3))


def test_rows_2013_to_2015_count_municipalities_in_their_first_year(small_db):
    # 2013: 0180 and 1280 (0114 repaid everything, so 2013 is not its first year).
    assert cell(small_db, "T11", "2013", "n_kommuner") == 2
    assert cell(small_db, "T11", "2013", "antal_handlaggare") == pytest.approx(45 + 20)
    assert cell(small_db, "T11", "2013", "utan_socionom_andel") == pytest.approx(100 * 6 / 65)
    assert cell(small_db, "T13", "2013", "forsta_chefsjobb_andel") == pytest.approx(100 * 4 / 9)
    assert cell(small_db, "T14", "2013", "magister_andel") == pytest.approx(100 * 1 / 3)
    # 2014: Bjurholm's XLSX, whose 3.3000000000000003 was rounded to 3.3 (3.3 + 0.7 = 4).
    assert cell(small_db, "T11", "2014", "n_kommuner") == 1
    assert cell(small_db, "T11", "2014", "antal_handlaggare") == pytest.approx(4)
    assert cell(small_db, "T11", "2014", "socionom_lt1ar_andel") == pytest.approx(25)
    # 2015: Göteborg, comma-delimited with decimal points.
    assert cell(small_db, "T11", "2015", "socionom_lt1ar_andel") == pytest.approx(12.25)
    # 2016 row = Table 1's population.
    assert cell(small_db, "T11", "2016", "antal_handlaggare") == pytest.approx(161)
    # 2013 EBP: saknar 15+6 = 21 of (20+10+15)+(10+4+6) = 65.
    assert figure(small_db, "ebp_saknar_andel_2013") == pytest.approx((100 * 21 / 65, 2))


def test_text_figures_from_answers_and_registers(small_db):
    # Följer upp vid medarbetarsamtal: 0180 ja, 1280 nej, 2403 JA; 1480 did not answer.
    assert figure(small_db, "uppfoljning_medarbetarsamtal_kommuner") == (2, 3)
    # Genomfört för handläggare, ja or delvis: 0180 delvis, 1280 ja.
    assert figure(small_db, "planerad_genomford_handlaggare_kommuner") == (2, 2)
    # 250 000 + 3 056 887 + 100 000 + 50 000 + 700 000 + 60 000.
    assert figure(small_db, "anslag_2013_sek")[0] == 4_216_887
    assert figure(small_db, "stockholm_2013_kompetens_sek")[0] == 3_056_887
    assert figure(small_db, "rekvirerat_inventering_2013_kommuner")[0] == 3  # 0180, 1280, 0114
    assert figure(small_db, "nya_2014_kommuner")[0] == 1
    assert figure(small_db, "nya_2016_kommuner")[0] == 1
    assert figure(small_db, "deltagit_2013_2015_kommuner")[0] == 4
    assert figure(small_db, "webbformular_ej_deltagit_2016_kommuner")[0] == 1  # 1280
    assert figure(small_db, "ej_svar_2016_kommuner")[0] == 1  # 1280, block A invalid


def test_issues_name_file_block_question_and_rule(small_db):
    issues = small_db.execute(
        "SELECT path, kommunkod, ar, block, question_id, rule, severity FROM quality.issues"
    ).fetchall()
    assert (
        "2016/inventering/malmo.csv",
        "1280",
        2016,
        "A_handlaggare",
        "handl_totalt",
        "A_handl_kon_summa",
        "error",
    ) in issues
    assert (
        "2016/inventering/bjurholm.csv",
        "2403",
        2016,
        "C_ebp_placerade_barn",
        "komp_evidensbaserad_praktik_saknar",
        "missing_answer",
        "error",
    ) in issues
    assert (
        "2016/inventering/goteborg.csv",
        "1480",
        2016,
        None,
        "extra_fraga",
        "unknown_question",
        "warning",
    ) in issues
    assert (
        "2016/inventering/fel_rubrik.csv",
        None,
        None,
        None,
        None,
        "bad_header",
        "fatal",
    ) in issues


def test_no_personal_data_anywhere_in_the_warehouse(small_db):
    tables = small_db.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
    ).fetchall()
    for schema, table in tables:
        text = str(small_db.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall())
        assert CONTACT_NAME not in text and CONTACT_EMAIL not in text, (schema, table)
