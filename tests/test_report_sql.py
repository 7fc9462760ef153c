"""The report SQL (warehouse/sql/, run by assets/report/build.py) on hand-made core tables.

Contract sections 5 (who is counted where), 7 (definitions), 8 (report tables) and 9 (errata).
Every expected value below is worked out by hand from the fixture rows next to it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets.report.build import FINAL_INVENTORY_YEAR_FILE_NAME, build_report, load_reference
from assets.tables import create_tables
from schemas.catalog import SHIPPED_REFERENCE_DIR, load_catalog
from tests.report_cells import cell, figure

CATALOG = load_catalog()


# --- fixture builder -------------------------------------------------------------------------


def build_core(
    con: duckdb.DuckDBPyConnection,
    submissions: list[tuple],
    block_status: list[tuple],
    answers: list[tuple],
    grant_register: list[tuple],
) -> None:
    """Create the core input tables (warehouse/sql/tables/) and insert the rows given,
    each a tuple in the table's column order."""
    create_tables(con)
    for table, rows in (
        ("core.submissions", submissions),
        ("core.block_status", block_status),
        ("core.answers", answers),
        ("core.grant_register", grant_register),
    ):
        if rows:
            placeholders = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)


@dataclass
class Submission:
    """One selected submission: its answers by question id (numbers or ja/delvis/nej).
    Every block of the year's form is valid when answered, `not_answered` otherwise, unless it
    is listed in invalid_blocks (then its answers never reach core.answers, as in validate)."""

    kommunkod: str
    ar: int
    answers: dict[str, float | str] = field(default_factory=dict)
    invalid_blocks: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.ar}/inventering/{self.kommunkod}.csv"


def build_warehouse(
    submissions: list[Submission],
    grant_register: list[tuple],
    final_inventory_year: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse: core tables from the fixtures, the real ref (with another final
    inventory year where one is given), the report built."""
    submission_rows, status_rows, answer_rows = [], [], []
    for sub in submissions:
        sha256 = hashlib.sha256(sub.path.encode()).hexdigest()
        submission_rows.append((sub.path, sha256, sub.kommunkod, sub.ar, datetime(sub.ar, 11, 30)))
        answered_blocks = {CATALOG.get(question_id).block for question_id in sub.answers}
        for block in CATALOG.blocks(sub.ar):
            if block in sub.invalid_blocks:
                status = "invalid"
            elif block in answered_blocks:
                status = "valid"
            else:
                status = "not_answered"
            status_rows.append((sub.path, sub.kommunkod, sub.ar, block, status))
        for question_id, answer in sub.answers.items():
            block = CATALOG.get(question_id).block
            if block in sub.invalid_blocks:
                continue
            value, value_text = (None, answer) if isinstance(answer, str) else (float(answer), None)
            answer_rows.append(
                (sub.path, sub.kommunkod, sub.ar, block, question_id, value, value_text)
            )
    con = duckdb.connect()
    build_core(con, submission_rows, status_rows, answer_rows, grant_register)
    if final_inventory_year is None:
        load_reference(con, SHIPPED_REFERENCE_DIR)
    else:
        with tempfile.TemporaryDirectory() as reference_dir:
            shutil.copytree(SHIPPED_REFERENCE_DIR, reference_dir, dirs_exist_ok=True)
            Path(reference_dir, FINAL_INVENTORY_YEAR_FILE_NAME).write_text(
                f"final_inventory_year,source\n{final_inventory_year},a test\n", encoding="utf-8"
            )
            load_reference(con, Path(reference_dir))
    build_report(con)
    return con


def handlaggare(kvinnor, man, totalt, socionom_lt1ar, utan_kvinnor, utan_man, utan_totalt) -> dict:
    """Block A (T01, T11)."""
    return {
        "handl_kvinnor": kvinnor,
        "handl_man": man,
        "handl_totalt": totalt,
        "handl_socionom_lt1ar": socionom_lt1ar,
        "handl_utan_socionom_kvinnor": utan_kvinnor,
        "handl_utan_socionom_man": utan_man,
        "handl_utan_socionom_totalt": utan_totalt,
    }


def handlaggare_utbildning(fortbildning, vidareutbildning, magister) -> dict:
    """Block B (T02, T12)."""
    return {
        "handl_fortbildning": fortbildning,
        "handl_vidareutbildning": vidareutbildning,
        "handl_magister": magister,
    }


def arbetsledare(kvinnor, man, totalt, forsta_chefsjobb, behov, lt3ar) -> dict:
    """Block D (T09, T13)."""
    return {
        "arbl_kvinnor": kvinnor,
        "arbl_man": man,
        "arbl_totalt": totalt,
        "arbl_forsta_chefsjobb": forsta_chefsjobb,
        "arbl_behov_kompetensutveckling": behov,
        "arbl_lt3ar_erfarenhet": lt3ar,
    }


def arbetsledare_utbildning(fortbildning, vidareutbildning, magister) -> dict:
    """Block E (T10, T14)."""
    return {
        "arbl_fortbildning": fortbildning,
        "arbl_vidareutbildning": vidareutbildning,
        "arbl_magister": magister,
    }


def competence(block: str, ar: int, default: tuple, **per_subarea: tuple) -> dict:
    """Every question of C block `block` in year `ar`'s form: (grund, fordjupad, saknar) in fte
    per subarea, `default` for the subareas not named."""
    answers = {}
    for question in CATALOG.blocks(ar)[block]:
        grund, fordjupad, saknar = per_subarea.get(question.subarea, default)
        answers[question.question_id] = {"grund": grund, "fordjupad": fordjupad, "saknar": saknar}[
            question.level
        ]
    return answers


# --- the main scenario: six municipalities, register and inventories 2013–2016 -----------------
#
# kommunkod  participates (rekvirerat > aterbetalt)    first year  inventories  role
# 0180       2013 2014 2015 2016                        2013        2013, 2016   Stockholm
# 0114       2014 2015 2016 (2013: requisitioned 0)     2014        2013, 2014, 2016
# 0115       2015 (2013: requisitioned and repaid all)  2015        2015, 2016
# 0117       2016                                       2016        2016         new in the final year
# 0120       2013 2014 (2015 repaid all, 2016 nothing)  2013        2013, 2016   2016 block A invalid
# 0125       2013 2014 2015 2016                        2013        none
#
# F = 2016. Final population: 0180, 0114, 0115, 0120 (0117 is new in 2016).
# Row 2013: 0180, 0120 (0114's 2013 inventory is not its first year). Row 2014: 0114. Row 2015: 0115.

INV, KOMP = "inventering", "kompetensutveckling"

MAIN_REGISTER = [
    # ar, kommunkod, andamal, fordelat_sek, rekvirerat_sek, aterbetalt_sek
    (2013, "0180", INV, 250_000, 250_000, 0),
    (2013, "0180", KOMP, 3_056_887, 3_056_887, 0),
    (2013, "0114", INV, 50_000, 0, 0),
    (2013, "0114", KOMP, 60_000, 0, 0),
    (2013, "0115", INV, 50_000, 50_000, 50_000),
    (2013, "0115", KOMP, 60_000, 0, 0),
    (2013, "0117", INV, 50_000, 0, 0),
    (2013, "0117", KOMP, 60_000, 0, 0),
    (2013, "0120", INV, 50_000, 50_000, 0),
    (2013, "0120", KOMP, 60_000, 60_000, 10_000),
    (2013, "0125", INV, 20_000, 20_000, 0),
    (2013, "0125", KOMP, 10_000, 0, 0),
    (2014, "0180", KOMP, 3_000_000, 3_000_000, 0),
    (2014, "0114", KOMP, 80_000, 80_000, 0),
    (2014, "0115", KOMP, 70_000, 0, 0),
    (2014, "0117", KOMP, 70_000, 0, 0),
    (2014, "0120", KOMP, 90_000, 90_000, 0),
    (2014, "0125", KOMP, 75_000, 75_000, 0),
    (2015, "0180", KOMP, 3_000_000, 3_000_000, 0),
    (2015, "0114", KOMP, 80_000, 80_000, 0),
    (2015, "0115", KOMP, 70_000, 70_000, 0),
    (2015, "0117", KOMP, 70_000, 0, 0),
    (2015, "0120", KOMP, 60_000, 60_000, 60_000),
    (2015, "0125", KOMP, 75_000, 75_000, 0),
    (2016, "0180", KOMP, 1_200_000, 1_200_000, 0),
    (2016, "0114", KOMP, 48_000, 48_000, 0),
    (2016, "0115", KOMP, 0, 0, 0),
    (2016, "0117", KOMP, 45_000, 45_000, 0),
    (2016, "0120", KOMP, 50_000, 0, 0),
    (2016, "0125", KOMP, 50_000, 50_000, 0),
]

MAIN_SUBMISSIONS = [
    Submission(
        "0180",
        2013,
        {
            **handlaggare(90, 10, 100, 10, 4, 1, 5),
            **competence("C_ebp_placerade_barn", 2013, (1, 1, 1), evidensbaserad_praktik=(2, 1, 1)),
        },
    ),
    Submission(
        "0180",
        2016,
        {
            **handlaggare(100.5, 20.25, 120.75, 10.5, 5, 1, 6),
            **handlaggare_utbildning(50, 20, 4),
            **competence("C_socialt_arbete", 2016, (6, 3, 1), planering_insatser=(5, 4, 1)),
            **competence("C_juridik", 2016, (0, 0, 0)),
            **competence("C_ebp_placerade_barn", 2016, (2, 2, 0), evidensbaserad_praktik=(3, 1, 1)),
            **arbetsledare(8, 2, 10, 4, 3, 1),
            **arbetsledare_utbildning(5, 2, 1),
            "uppf_medarbetarsamtal": "ja",
            "uppf_annat_satt": "nej",
            "genomfort_handlaggare": "ja",
            "genomfort_arbetsledare": "Delvis",
        },
    ),
    Submission("0114", 2013, handlaggare(50, 50, 100, 50, 0, 0, 0)),
    Submission("0114", 2014, handlaggare(6, 1, 7, 2, 1, 0, 1)),
    Submission(
        "0114",
        2016,
        {
            **handlaggare(8, 2, 10, 1, 0.5, 0, 0.5),
            **handlaggare_utbildning(5, 2, 0),
            **competence("C_socialt_arbete", 2016, (2, 1, 1)),
            **arbetsledare(1, 0, 1, 1, 0, 0),
            "uppf_medarbetarsamtal": "nej",
            "uppf_annat_satt": "ja",
            "genomfort_handlaggare": "delvis",
        },
    ),
    Submission("0115", 2015, handlaggare_utbildning(2, 0, 0)),
    Submission(
        "0115",
        2016,
        {
            **handlaggare(4.5, 0, 4.5, 0, 0, 0, 0),
            **competence("C_ebp_placerade_barn", 2016, (1, 1, 0), evidensbaserad_praktik=(1, 0, 1)),
            "uppf_medarbetarsamtal": "ja",
            "genomfort_handlaggare": "nej",
        },
    ),
    Submission(
        "0117",
        2016,
        {
            **handlaggare(1000, 0, 1000, 0, 0, 0, 0),
            "uppf_medarbetarsamtal": "ja",
        },
    ),
    Submission("0120", 2013, handlaggare(18, 2, 20, 2, 1, 1, 2)),
    Submission(
        "0120",
        2016,
        {
            **handlaggare_utbildning(3, 1, 1),
            **competence("C_ebp_placerade_barn", 2016, (9, 9, 9)),
            "uppf_medarbetarsamtal": "ja",
        },
        invalid_blocks=("A_handlaggare", "C_ebp_placerade_barn"),
    ),
]


@pytest.fixture(scope="module")
def main() -> duckdb.DuckDBPyConnection:
    return build_warehouse(MAIN_SUBMISSIONS, MAIN_REGISTER)


# --- section 5: participation and populations --------------------------------------------------


def test_participation_is_rekvirerat_above_aterbetalt_and_first_year_is_the_earliest(main):
    rows = main.execute(
        "SELECT kommunkod, ar, participated, first_year FROM core.participation"
        " WHERE kommunkod IN ('0114', '0115', '0120') ORDER BY kommunkod, ar"
    ).fetchall()
    assert rows == [
        ("0114", 2013, False, 2014),  # requisitioned nothing in 2013
        ("0114", 2014, True, 2014),
        ("0114", 2015, True, 2014),
        ("0114", 2016, True, 2014),
        ("0115", 2013, False, 2015),  # requisitioned 50 000 and repaid 50 000: did not take part
        ("0115", 2014, False, 2015),
        ("0115", 2015, True, 2015),
        ("0115", 2016, False, 2015),
        ("0120", 2013, True, 2013),  # repaid 10 000 of 110 000: took part
        ("0120", 2014, True, 2013),
        ("0120", 2015, False, 2013),  # repaid all
        ("0120", 2016, False, 2013),
    ]


def test_populations_final_and_first_year(main):
    rows = main.execute(
        "SELECT population, ar, kommunkod FROM core.population ORDER BY ar, kommunkod"
    ).fetchall()
    assert rows == [
        ("first_year", 2013, "0120"),
        ("first_year", 2013, "0180"),  # not 0114: its first year is 2014, not its 2013 inventory's
        ("first_year", 2014, "0114"),
        ("first_year", 2015, "0115"),
        ("final", 2016, "0114"),
        ("final", 2016, "0115"),
        ("final", 2016, "0120"),
        ("final", 2016, "0180"),  # not 0117: new in 2016
    ]


def test_municipality_new_in_final_year_is_not_in_table_1(main):
    # 0117 reports 1000 fte in 2016 but joined only in 2016: T01 is 0180 + 0114 + 0115.
    assert cell(main, "T01", "handlaggare", "totalt") == pytest.approx(120.75 + 10 + 4.5)
    assert cell(main, "T01", "handlaggare", "n_kommuner") == 3


def test_first_year_2014_is_in_row_2014_not_row_2013(main):
    # Row 2013: 0180 (100) + 0120 (20); 0114's 2013 inventory (100) stays out.
    assert cell(main, "T11", "2013", "antal_handlaggare") == pytest.approx(120)
    assert cell(main, "T11", "2013", "n_kommuner") == 2
    assert cell(main, "T11", "2014", "antal_handlaggare") == pytest.approx(7)
    assert cell(main, "T11", "2014", "n_kommuner") == 1


def test_invalid_block_excludes_the_municipality_from_that_table_only(main):
    # 0120's 2016 block A is invalid: not in T01 (n = 3 of the 4 in the final population) ...
    assert cell(main, "T01", "handlaggare", "n_kommuner") == 3
    # ... but its valid block B counts in T02: 0180 (50, 20, 4) + 0114 (5, 2, 0) + 0120 (3, 1, 1).
    assert cell(main, "T02", "handlaggare", "fortbildning") == pytest.approx(58)
    assert cell(main, "T02", "handlaggare", "vidareutbildning") == pytest.approx(23)
    assert cell(main, "T02", "handlaggare", "magister") == pytest.approx(5)
    assert cell(main, "T02", "handlaggare", "n_kommuner") == 3
    # Its invalid C_ebp_placerade_barn (9, 9, 9 everywhere) is left out of T08: 0180 + 0115 only.
    assert cell(main, "T08", "_tabell", "n_kommuner") == 2
    assert cell(main, "T08", "evidensbaserad_praktik", "grundlaggande_antal") == pytest.approx(
        3 + 1
    )


# --- section 7: table definitions --------------------------------------------------------------


def test_table_1_sums_block_a_over_the_counted(main):
    expected = {  # 0180 + 0114 + 0115
        "kvinnor": 100.5 + 8 + 4.5,
        "man": 20.25 + 2 + 0,
        "totalt": 120.75 + 10 + 4.5,
        "socionom_lt1ar": 10.5 + 1 + 0,
        "utan_socionom_kvinnor": 5 + 0.5 + 0,
        "utan_socionom_man": 1 + 0 + 0,
        "utan_socionom_totalt": 6 + 0.5 + 0,
    }
    for col_key, value in expected.items():
        assert cell(main, "T01", "handlaggare", col_key) == pytest.approx(value), col_key


def test_table_9_sums_block_d(main):
    assert cell(main, "T09", "arbetsledare", "totalt") == pytest.approx(11)
    assert cell(main, "T09", "arbetsledare", "forsta_chefsjobb") == pytest.approx(5)
    assert cell(main, "T09", "arbetsledare", "n_kommuner") == 2
    assert cell(main, "T10", "arbetsledare", "magister") == pytest.approx(1)


def test_table_4_counts_and_shares_per_subarea(main):
    # barn_unga_utveckling: 0180 (6, 3, 1) + 0114 (2, 1, 1) = (8, 4, 2), totalt 14.
    assert cell(main, "T04", "barn_unga_utveckling", "grundlaggande_antal") == pytest.approx(8)
    assert cell(main, "T04", "barn_unga_utveckling", "saknar_antal") == pytest.approx(2)
    assert cell(main, "T04", "barn_unga_utveckling", "totalt") == pytest.approx(14)
    assert cell(main, "T04", "barn_unga_utveckling", "grundlaggande_andel") == pytest.approx(
        100 * 8 / 14
    )
    assert cell(main, "T04", "barn_unga_utveckling", "fordjupad_andel") == pytest.approx(
        100 * 4 / 14
    )
    # planering_insatser: 0180 (5, 4, 1) + 0114 (2, 1, 1) = (7, 5, 2).
    assert cell(main, "T04", "planering_insatser", "fordjupad_andel") == pytest.approx(100 * 5 / 14)
    assert cell(main, "T04", "_tabell", "n_kommuner") == 2


def test_table_3_share_runs_across_the_areas_subareas(main):
    # socialt_arbete has 14 subareas. 0180: 13 × (6, 3, 1) + planering (5, 4, 1); 0114: 14 × (2, 1, 1).
    grund, fordjupad, saknar = (
        13 * 6 + 5 + 14 * 2,
        13 * 3 + 4 + 14 * 1,
        13 * 1 + 1 + 14 * 1,
    )  # 111, 57, 28
    total = grund + fordjupad + saknar  # 196
    assert cell(main, "T03", "socialt_arbete", "grundlaggande_andel") == pytest.approx(
        100 * 111 / 196
    )
    assert cell(main, "T03", "socialt_arbete", "fordjupad_andel") == pytest.approx(
        100 * fordjupad / total
    )
    assert cell(main, "T03", "socialt_arbete", "saknar_andel") == pytest.approx(
        100 * saknar / total
    )
    assert cell(main, "T03", "socialt_arbete", "n_kommuner") == 2


def test_share_is_null_where_the_denominator_is_zero(main):
    # 0180 answered 0 for every level of C_juridik: counts are 0, shares NULL, N = 1.
    assert cell(main, "T05", "socialratt", "grundlaggande_antal") == 0
    assert cell(main, "T05", "socialratt", "totalt") == 0
    assert cell(main, "T05", "socialratt", "grundlaggande_andel") is None
    assert cell(main, "T03", "juridik", "saknar_andel") is None
    assert cell(main, "T05", "_tabell", "n_kommuner") == 1
    # Row 2015 of T12: 0115 answered vidareutbildning 0, so magister_andel has no denominator.
    assert cell(main, "T12", "2015", "vidareutbildning") == 0
    assert cell(main, "T12", "2015", "magister_andel") is None


def test_tables_11_to_14_rows_are_the_years_as_text(main):
    for table_id in ("T11", "T12", "T13", "T14"):
        row_keys = main.execute(
            "SELECT DISTINCT row_key FROM report.tables_long WHERE table_id = ? ORDER BY row_key",
            [table_id],
        ).fetchall()
        assert row_keys == [("2013",), ("2014",), ("2015",), ("2016",)], table_id
    # Row 2016 is the final population, like T01.
    assert cell(main, "T11", "2016", "antal_handlaggare") == pytest.approx(135.25)
    assert cell(main, "T11", "2016", "socionom_lt1ar_andel") == pytest.approx(100 * 11.5 / 135.25)
    assert cell(main, "T11", "2013", "utan_socionom_andel") == pytest.approx(100 * 7 / 120)
    assert cell(main, "T12", "2016", "magister_andel") == pytest.approx(100 * 5 / 23)
    assert cell(main, "T13", "2016", "forsta_chefsjobb_andel") == pytest.approx(100 * 5 / 11)
    # Row 2015 exists although nobody answered block A that year (contract section 5, amended
    # 2026-12-07): N = 0, sums 0, shares NULL.
    assert cell(main, "T11", "2015", "n_kommuner") == 0
    assert cell(main, "T11", "2015", "antal_handlaggare") == 0
    assert cell(main, "T11", "2015", "socionom_lt1ar_andel") is None


def test_tables_long_has_one_row_per_key(main):
    duplicates = main.execute(
        "SELECT table_id, row_key, col_key FROM report.tables_long GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    assert duplicates == []


def test_laid_out_table_has_snake_case_columns_in_published_order(main):
    # Each column is named by its published col_key, so no query has to quote it; the report's
    # heading is the column's comment (assets/feedback/dictionary.py) and the exports' heading.
    table_01 = main.sql("FROM report.table_01")
    assert table_01.columns == [
        "row_key",
        "row_label",
        "kvinnor",
        "man",
        "totalt",
        "socionom_lt1ar",
        "utan_socionom_kvinnor",
        "utan_socionom_man",
        "utan_socionom_totalt",
        "n_kommuner",
    ]
    assert table_01.fetchall()[0][:2] == ("handlaggare", "Antal handläggare")
    assert table_01.fetchall()[0][4] == pytest.approx(135.25)
    table_11 = main.sql("SELECT row_key, socionom_lt1ar_andel FROM report.table_11").fetchall()
    assert table_11 == [
        (ar, cell(main, "T11", ar, "socionom_lt1ar_andel"))
        for ar in ("2013", "2014", "2015", "2016")
    ]
    table_04_rows = main.sql("SELECT row_key, row_label FROM report.table_04").fetchall()
    assert table_04_rows[0] == ("barn_unga_utveckling", "Barn och ungas utveckling")
    assert table_04_rows[-1] == ("_tabell", "Hela tabellen")


def test_tables_long_is_the_nation_of_the_one_computation_of_every_group(main):
    # Tables 1–14 are defined once (report.table_cells), for the nation and every group.
    national = main.execute(
        "SELECT table_id, row_key, col_key, value FROM report.table_cells"
        " WHERE dimension = 'riket' ORDER BY ALL"
    ).fetchall()
    assert (
        national
        == main.execute(
            "SELECT * FROM report.tables_long WHERE (table_id, row_key, col_key) IN"
            " (SELECT (table_id, row_key, col_key) FROM report.table_cells) ORDER BY ALL"
        ).fetchall()
    )
    breakdown = main.execute(
        "SELECT dimension, table_id, row_key, col_key, value, n_kommuner"
        " FROM report.breakdown_cells_unsuppressed ORDER BY ALL"
    ).fetchall()
    assert (
        breakdown
        == main.execute(
            "SELECT dimension, table_id, row_key, col_key, value, n_kommuner FROM report.table_cells"
            " WHERE dimension <> 'riket' AND table_id IN ('T01', 'T03', 'T09', 'T11') ORDER BY ALL"
        ).fetchall()
    )


@pytest.mark.parametrize("dimension", ["lan", "kommungrupp"])
def test_counties_and_skr_groups_add_up_to_the_nation(main, dimension):
    # Every municipality is in one county and one SKR group: their sums and N are the nation's.
    # All six lie in Stockholm county; 0180 is a Storstad (A1), the others Pendlingskommuner (A2).
    added_up = main.execute(
        """
        SELECT b.table_id, b.row_key, b.col_key, sum(b.value), t.value
        FROM report.breakdown_cells_unsuppressed AS b
        JOIN report.tables_long AS t USING (table_id, row_key, col_key)
        WHERE b.dimension = ? AND NOT ends_with(b.col_key, '_andel')
        GROUP BY ALL
        ORDER BY ALL
        """,
        [dimension],
    ).fetchall()
    assert ("T01", "handlaggare", "n_kommuner", 3, 3) in added_up
    assert ("T11", "2013", "antal_handlaggare", 120, 120) in added_up
    for table_id, row_key, col_key, groups, nation in added_up:
        assert groups == pytest.approx(nation), (table_id, row_key, col_key)


def test_build_report_can_run_again_on_the_same_database(main):
    before = main.execute("FROM report.tables_long ORDER BY ALL").fetchall()
    build_report(main)
    assert main.execute("FROM report.tables_long ORDER BY ALL").fetchall() == before


# --- section 7: text figures -------------------------------------------------------------------


def test_ebp_saknar_andel_per_row_population(main):
    # 2013: row 2013 = 0180 (2, 1, 1); 0120's 2013 inventory has no C block.
    assert figure(main, "ebp_saknar_andel_2013") == (pytest.approx(100 * 1 / 4), 1)
    # 2016: final population, 0180 (3, 1, 1) + 0115 (1, 0, 1); 0120's block is invalid.
    assert figure(main, "ebp_saknar_andel_2016") == (pytest.approx(100 * 2 / 7), 2)


def test_choice_figures_count_ja_out_of_those_that_answered(main):
    # Final population 0180 ja, 0114 nej, 0115 ja, 0120 ja (0117's ja is outside it).
    assert figure(main, "uppfoljning_medarbetarsamtal_kommuner") == (3, 4)
    assert figure(main, "uppfoljning_annat_satt_kommuner") == (1, 2)
    # Planned actions carried out "helt eller delvis": ja or delvis (0180 ja, 0114 delvis, 0115 nej).
    assert figure(main, "planerad_genomford_handlaggare_kommuner") == (2, 3)
    assert figure(main, "planerad_genomford_arbetsledare_kommuner") == (1, 1)  # 0180 "Delvis"


def test_grant_figures_from_the_register(main):
    expected = {
        "anslag_2013_sek": (3_306_887 + 4 * 110_000 + 30_000, None),
        "anslag_2013_inventering_sek": (250_000 + 4 * 50_000 + 20_000, None),
        "anslag_2013_kompetens_sek": (3_056_887 + 4 * 60_000 + 10_000, None),
        "anslag_2014_sek": (3_000_000 + 80_000 + 70_000 + 70_000 + 90_000 + 75_000, None),
        "anslag_2016_sek": (1_200_000 + 48_000 + 0 + 45_000 + 50_000 + 50_000, None),
        "rekvirerat_inventering_2013_kommuner": (4, None),  # 0180, 0115, 0120, 0125
        "rekvirerat_kompetens_2013_kommuner": (2, None),  # 0180, 0120
        "rekvirerat_2014_kommuner": (4, 6),  # 0180, 0114, 0120, 0125 of the 6 in the register
        "rekvirerat_2016_kommuner": (4, 6),  # 0180, 0114, 0117, 0125
        "nya_2014_kommuner": (1, None),  # 0114
        "nya_2015_kommuner": (1, None),  # 0115
        "nya_2016_kommuner": (1, None),  # 0117
        "aterbetalat_helt_2015_kommuner": (1, None),  # 0120
        "deltagit_2013_2015_kommuner": (5, None),  # all but 0117
        "webbformular_ej_deltagit_2016_kommuner": (2, None),  # 0115, 0120
        "ej_svar_2016_kommuner": (2, None),  # 0120 (block A invalid), 0125 (no inventory)
        # The smallest yearly total after 2013: 0117's 45 000 in 2016. Not 0125's 30 000 in 2013,
        # not 0115's 0 in 2016 (allocated nothing).
        "minsta_belopp_sek": (45_000, None),
        "stockholm_2013_totalt_sek": (3_306_887, None),
        "stockholm_2013_inventering_sek": (250_000, None),
        "stockholm_2013_kompetens_sek": (3_056_887, None),
    }
    for figure_key, (value, n_kommuner) in expected.items():
        assert figure(main, figure_key) == (value, n_kommuner), figure_key


# --- section 7: uppfoljning_utvardering is in no table -----------------------------------------


def test_uppfoljning_utvardering_never_reaches_tables_3_and_8():
    # A final year of 2015, whose form still asks uppfoljning_utvardering (answered 0, 0, 8).
    con = build_warehouse(
        [
            Submission(
                "0180",
                2015,
                competence(
                    "C_ebp_placerade_barn",
                    2015,
                    (4, 0, 0),
                    uppfoljning_utvardering=(0, 0, 8),
                ),
            ),
        ],
        [(2014, "0180", KOMP, 100, 100, 0), (2015, "0180", KOMP, 100, 100, 0)],
        final_inventory_year=2015,
    )
    t08_rows = con.execute(
        "SELECT DISTINCT row_key FROM report.tables_long WHERE table_id = 'T08' ORDER BY row_key"
    ).fetchall()
    assert t08_rows == [("_tabell",), ("evidensbaserad_praktik",), ("placerade_barn",)]
    assert cell(con, "T03", "ebp_placerade_barn", "grundlaggande_andel") == pytest.approx(100)
    assert cell(con, "T03", "ebp_placerade_barn", "saknar_andel") == 0


def test_years_come_from_the_data():
    # A register of 2014–2016 only: the year-named keys follow the register, not the report.
    con = build_warehouse(
        [
            Submission("0180", 2014, handlaggare(1, 0, 1, 0, 0, 0, 0)),
            Submission("0180", 2016, handlaggare(2, 0, 2, 0, 0, 0, 0)),
        ],
        [
            (2014, "0180", KOMP, 100, 100, 0),
            (2015, "0180", KOMP, 60_000, 100, 0),
            (2016, "0180", KOMP, 50_000, 100, 0),
        ],
    )
    assert figure(con, "deltagit_2014_2015_kommuner") == (1, None)
    assert figure(con, "nya_2014_kommuner") == (1, None)
    assert figure(con, "anslag_2014_sek") == (100, None)
    assert figure(con, "minsta_belopp_sek") == (50_000, None)  # after the first register year
    assert figure(con, "deltagit_2013_2015_kommuner") == (
        None,
        None,
    )  # published key, no such years
    row_keys = con.execute(
        "SELECT row_key FROM report.tables_long WHERE table_id = 'T11' AND value IS NOT NULL"
        " GROUP BY row_key ORDER BY row_key"
    ).fetchall()
    # Row 2015 is there (its register is): nobody counted, so N = 0 and sums 0 (contract
    # section 5, amended 2026-12-07).
    assert row_keys == [("2014",), ("2015",), ("2016",)]
    assert cell(con, "T11", "2015", "n_kommuner") == 0
    assert cell(con, "T11", "2015", "antal_handlaggare") == 0


# --- section 8: reconciliation -----------------------------------------------------------------


@pytest.fixture(scope="module")
def reconciled() -> duckdb.DuckDBPyConnection:
    # Three municipalities in the final population; their handl_totalt add up to 5390.45, which
    # binary floating point would make 5390.449999999999 (summed in decimal, it is 5390.45).
    return build_warehouse(
        [
            Submission("0180", 2016, handlaggare(924.11, 100, 1024.11, 711.54, 200, 54.66, 254.66)),
            Submission("0114", 2016, handlaggare(0.11, 0, 0.11, 0, 0, 0, 0)),
            Submission("0115", 2016, handlaggare(3924.03, 442.2, 4366.23, 0, 500, 0, 500)),
        ],
        [
            (2015, "0180", KOMP, 1, 1, 0),
            (2015, "0114", KOMP, 1, 1, 0),
            (2015, "0115", KOMP, 1, 1, 0),
            (2016, "0180", KOMP, 23_000_000, 0, 0),
            (2016, "0114", KOMP, 600_000, 0, 0),
            (2016, "0115", KOMP, 400_000, 0, 0),
        ],
    )


def reconciliation_row(con, table_id: str | None, row_key: str, col_key: str) -> dict:
    result = con.execute(
        "FROM report.reconciliation WHERE table_id IS NOT DISTINCT FROM ? AND row_key = ? AND col_key = ?",
        [table_id, row_key, col_key],
    )
    columns = [column[0] for column in result.description]
    rows = result.fetchall()
    assert len(rows) == 1, f"{table_id}/{row_key}/{col_key}: {len(rows)} rows"
    return dict(zip(columns, rows[0]))


def test_match_at_published_decimals_guards_float_error(reconciled):
    row = reconciliation_row(reconciled, "T01", "handlaggare", "totalt")  # published 5390.5
    assert row["recomputed"] == 5390.45  # the exact sum ...
    assert Decimal(row["recomputed"]) < Decimal("5390.45")  # ... is a double below the half
    assert row["status"] == "match"
    # Published 5390 with 0 decimals, 4848 with 0 decimals (4848.25).
    assert reconciliation_row(reconciled, "T11", "2016", "antal_handlaggare")["status"] == "match"
    assert reconciliation_row(reconciled, "T01", "handlaggare", "kvinnor")["status"] == "match"
    # anslag_2016_sek: 23 000 000 + 600 000 + 400 000 = 24 000 000, as published.
    assert reconciliation_row(reconciled, None, "anslag_2016_sek", "value")["status"] == "match"


def test_round_half_away_from_zero_as_the_report_prints(main):
    rounded = main.execute(
        "SELECT report.round_half_away(?, 1), report.round_half_away(?, 0),"
        " report.round_half_away(?, 0), report.round_half_away(?, 2)",
        [5390.449999999999, 2.5, -2.5, 5390.4449],
    ).fetchall()[0]
    assert rounded == (5390.5, 3, -3, 5390.44)


def test_within_tolerance_only_for_shares(reconciled):
    # 100 × 711.54 / 5390.45 = 13.2 against a published 12.5: a share within one point.
    row = reconciliation_row(reconciled, "T11", "2016", "socionom_lt1ar_andel")
    assert row["difference"] == pytest.approx(100 * 711.54 / 5390.45 - 12.5)
    assert row["status"] == "within_tolerance"
    # 542.2 fte against a published 542.5: 0.3 off, but not a share.
    row = reconciliation_row(reconciled, "T01", "handlaggare", "man")
    assert row["difference"] == pytest.approx(-0.3)
    assert row["status"] == "deviates"


def test_deviates_beyond_tolerance_and_where_nothing_was_recomputed(reconciled):
    # 100 × 754.66 / 5390.45 = 14.0 against a published 12: two points off.
    assert (
        reconciliation_row(reconciled, "T11", "2016", "utan_socionom_andel")["status"] == "deviates"
    )
    row = reconciliation_row(reconciled, "T01", "handlaggare", "n_kommuner")
    assert (row["published"], row["recomputed"], row["status"]) == (245, 3, "deviates")
    # Nobody answered block D: the sum over no municipality is 0 (contract section 5).
    row = reconciliation_row(reconciled, "T09", "arbetsledare", "totalt")
    assert (row["recomputed"], row["status"]) == (0, "deviates")


def test_text_figure_n_kommuner_is_reconciled_as_its_own_row(reconciled):
    row = reconciliation_row(reconciled, None, "rekvirerat_2016_kommuner", "n_kommuner")
    assert (row["source"], row["published"], row["recomputed"]) == ("text_figure", 290, 3)
    n_kommuner_rows = reconciled.execute(
        "SELECT count(*) FROM report.reconciliation WHERE source = 'text_figure' AND col_key = 'n_kommuner'"
    ).fetchall()[0][0]
    assert n_kommuner_rows == 6  # the published text figures that give an n_kommuner


def test_errata_note_is_attached_to_the_known_cells(reconciled):
    # The two table cells of contract section 9, and Stockholm's 2013 total, which is 1 000 kr
    # more than its own published parts (250 000 + 3 056 887).
    noted = reconciled.execute(
        "SELECT table_id, row_key, col_key FROM report.reconciliation WHERE note IS NOT NULL "
        "ORDER BY table_id NULLS LAST"
    ).fetchall()
    assert noted == [
        ("T04", "planering_insatser", "grundlaggande_andel"),
        ("T05", "offentlig_ratt", "totalt"),
        (None, "stockholm_2013_totalt_sek", "value"),
    ]
    assert "4 401,1" in reconciliation_row(reconciled, "T05", "offentlig_ratt", "totalt")["note"]


# --- every published key, on an empty core -----------------------------------------------------


def test_every_published_key_is_present_on_an_empty_core():
    con = duckdb.connect()
    build_core(con, [], [], [], [])
    for _ in range(2):  # both steps can be run again on the same database
        load_reference(con, SHIPPED_REFERENCE_DIR)
        build_report(con)
    missing_cells = con.sql(
        "SELECT table_id, row_key, col_key FROM ref.published_tables"
        " EXCEPT SELECT table_id, row_key, col_key FROM report.tables_long"
    ).fetchall()
    missing_figures = con.sql(
        "SELECT figure_key FROM ref.published_text_figures EXCEPT SELECT figure_key FROM report.text_figures"
    ).fetchall()
    assert missing_cells == [] and missing_figures == []
    published = con.execute("SELECT count(*) FROM ref.published_tables").fetchall()[0][0]
    assert (
        con.execute("SELECT count(*) FROM report.tables_long").fetchall()[0][0] == published == 298
    )
    published_figures = con.execute("SELECT count(*) FROM ref.published_text_figures").fetchall()[
        0
    ][0]
    reconciled = con.execute("SELECT count(*) FROM report.reconciliation").fetchall()[0][0]
    assert reconciled == published + published_figures + 6
    for n in range(1, 15):
        assert con.execute(f"SELECT count(*) FROM report.table_{n:02d}").fetchall()[0][0] > 0
