"""Key figures per municipality (report.nyckeltal, report.jamforelse) on the conformance zone.

One run of the whole job over tests/conformance_zone.py. Every expected value is worked out by
hand from the files' text there, with the working beside it. Who is counted where (the zone's
docstring) differs for the key figures: a municipality counts in year Y with its selected
submission of Y where the key figure's blocks are valid, whether or not it took part in the
grant (85_report_nyckeltal.sql). So beyond the report's populations, Järfälla's 2013 file (0123;
A valid, 100 fte) and Malmö's 2016 (1280; A valid, 1028.4 fte, no degree-less staff) count.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.disclosure import Disclosure
from assets.disclosure.audit import Model
from assets.disclosure.breakdowns import add_breakdowns, read_breakdowns
from assets.report.build import SQL_DIR
from assets.report.disclosure import (
    PUBLISHED_BREAKDOWNS,
    PUBLISHED_KEY_FIGURES,
    disclosure_audit_result,
)
from assets.report.nyckeltal import (
    key_figures_disagreeing_with_tables,
    repeated_key_figure_rows,
    undefined_terms,
)
from schemas.catalog import REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR
from tests.conformance_zone import build_conformance_landing_zone
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone
from tests.report_cells import cell

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def conformance_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("nyckeltal")
    raw = build_conformance_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)
    assert result.success
    return warehouse


@pytest.fixture
def db(conformance_warehouse):
    con = duckdb.connect(str(conformance_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def broken_db(conformance_warehouse, tmp_path):
    """A writable copy of the conformance warehouse, for breaking."""
    copy = tmp_path / "broken.duckdb"
    shutil.copyfile(conformance_warehouse, copy)
    con = duckdb.connect(str(copy))
    yield con
    con.close()


def municipality(db, nyckeltal_id: str, kommunkod: str, ar: int, kon: str = "T"):
    rows = db.execute(
        "SELECT varde FROM report.nyckeltal WHERE dimension = 'kommun' AND nyckeltal_id = ? "
        "AND kommunkod = ? AND ar = ? AND kon = ?",
        [nyckeltal_id, kommunkod, ar, kon],
    ).fetchall()
    assert len(rows) <= 1
    return rows[0][0] if rows else "no row"


def group(db, nyckeltal_id: str, dimension: str, group_code: str, ar: int, kon: str = "T"):
    return db.execute(
        "SELECT varde, n_kommuner FROM report.nyckeltal WHERE dimension = ? AND group_code = ? "
        "AND nyckeltal_id = ? AND ar = ? AND kon = ?",
        [dimension, group_code, nyckeltal_id, ar, kon],
    ).fetchone()


def test_key_figures_of_chosen_municipalities(db):
    # Upplands Väsby 2016: A 10 + 2 = 12 fte, 1 woman and 0 men without a degree.
    assert municipality(db, "handl_utan_socionom_andel", "0114", 2016) == pytest.approx(100 / 12)
    assert municipality(db, "handl_utan_socionom_andel", "0114", 2016, "K") == pytest.approx(10)
    assert municipality(db, "handl_utan_socionom_andel", "0114", 2016, "M") == 0
    assert municipality(db, "handl_arsarbetare", "0114", 2016, "M") == 2
    # 12 fte per 43 891 inhabitants (population_2013_2017.csv, 0114 2016).
    assert municipality(db, "handl_per_10000_inv", "0114", 2016) == pytest.approx(
        10_000 * 12 / 43_891
    )
    # D valid (3 managers) and A valid (12 caseworkers): 3 / 12.
    assert municipality(db, "arbl_per_handlaggare", "0114", 2016) == pytest.approx(0.25)
    # Its 2013 file: 2 of 10 without a degree.
    assert municipality(db, "handl_utan_socionom_andel", "0114", 2013) == pytest.approx(20)
    # Ekerö 2016: 3 of 20 women, 1 of 5 men.
    assert municipality(db, "handl_utan_socionom_andel", "0125", 2016, "K") == pytest.approx(15)
    assert municipality(db, "handl_utan_socionom_andel", "0125", 2016, "M") == pytest.approx(20)
    # Vallentuna 2016: B valid, 3 masters of 3 with further education.
    assert municipality(db, "handl_magister_andel", "0115", 2016) == pytest.approx(100)
    # Vallentuna 2016's D breaks forsta_chefsjobb <= totalt (3 of 2): no row for a D figure.
    assert municipality(db, "arbl_per_handlaggare", "0115", 2016) == "no row"
    # Österåker 2016's A is invalid (5 + 1.02 ≠ 6): no A figure, though its B counts (0 of 1).
    assert municipality(db, "handl_utan_socionom_andel", "0117", 2016) == "no row"
    assert municipality(db, "handl_magister_andel", "0117", 2016) == 0
    # Järfälla 2013 is counted in no table (it repaid), but its own key figure is there: 0 of 100.
    assert municipality(db, "handl_utan_socionom_andel", "0123", 2013) == 0


def test_register_key_figures(db):
    # Järfälla: 2013 50 000 requisitioned, 50 000 repaid; 2014 80 000 and 30 000.
    assert municipality(db, "aterbetalt_andel", "0123", 2013) == pytest.approx(100)
    assert municipality(db, "aterbetalt_andel", "0123", 2014) == pytest.approx(37.5)
    # Its first year of participation is 2014 (2013 was repaid in full), given for 2014 only.
    assert municipality(db, "forsta_deltagarar", "0123", 2014) == 2014
    assert municipality(db, "forsta_deltagarar", "0123", 2013) == "no row"
    # Stockholm 2013: 250 000 + 3 056 887 kr over 897 700 inhabitants.
    assert municipality(db, "rekvirerat_per_invanare", "0180", 2013) == pytest.approx(
        3_306_887 / 897_700
    )
    # First year 2013: 0114, 0125, 0126, 0127, 0180.
    assert group(db, "forsta_deltagarar", "riket", "00", 2013) == (5, 5)


def test_a_county_figure(db):
    # Stockholms län (01) 2016, block A valid: 0114 (1 of 12), 0115 (1 of 12.13), 0125 (4 of 25),
    # 0126 (1 of 10); 0117 and 0120 invalid, 0180 a conflict.
    varde, n_kommuner = group(db, "handl_utan_socionom_andel", "lan", "01", 2016)
    assert varde == pytest.approx(100 * 7 / 59.13)
    assert n_kommuner == 4
    # Skåne (12): Malmö alone, 0 of 1028.4.
    assert group(db, "handl_utan_socionom_andel", "lan", "12", 2016) == (0, 1)
    # The nation: the four of Stockholms län and Malmö: 7 of 59.13 + 1028.4.
    varde, n_kommuner = group(db, "handl_utan_socionom_andel", "riket", "00", 2016)
    assert varde == pytest.approx(100 * 7 / 1087.53)
    assert n_kommuner == 5


def test_a_rank_within_the_skr_group(db):
    # A2 (pendlingskommun nära storstad) 2016: 0125 16 %, 0126 10 %, 0114 8.33 %, 0115 8.24 %.
    ranks = dict(
        db.execute(
            "SELECT kommunkod, (rang_i_kommungrupp, antal_rangordnade) FROM report.jamforelse "
            "WHERE nyckeltal_id = 'handl_utan_socionom_andel' AND ar = 2016 AND kon = 'T' "
            "AND kommungrupp = 'A2'"
        ).fetchall()
    )
    assert ranks == {"0125": (1, 4), "0126": (2, 4), "0114": (3, 4), "0115": (4, 4)}


def test_a_municipality_beside_its_groups_and_its_first_inventory(db):
    row = db.execute(
        "SELECT varde, lan_varde, kommungrupp_varde, riket_varde, forsta_inventering_ar, "
        "forsta_inventering_varde, forandring FROM report.jamforelse "
        "WHERE nyckeltal_id = 'handl_utan_socionom_andel' AND kommunkod = '0114' AND ar = 2016 "
        "AND kon = 'T'"
    ).fetchone()
    # Väsby 1/12; län 01 7/59.13; A2 the same four; riket with Malmö 7/1087.53; its first
    # inventory is 2013 (2 of 10 = 20 %), so the change is 8.33 - 20.
    assert row == pytest.approx(
        (100 / 12, 100 * 7 / 59.13, 100 * 7 / 59.13, 100 * 7 / 1087.53, 2013, 20, 100 / 12 - 20)
    )


def test_a_split_by_sex_on_fewer_than_three_caseworkers_is_suppressed(db):
    # As the report stage stored them for the publication.
    frame = db.sql(f"SELECT * FROM {PUBLISHED_KEY_FIGURES}").pl()

    def shown(kommunkod: str, kon: str):
        return (
            frame.filter(
                (pl.col("nyckeltal_id") == "handl_utan_socionom_andel")
                & (pl.col("kommunkod") == kommunkod)
                & (pl.col("ar") == 2016)
                & (pl.col("kon") == kon)
            )
            .select("disclosure", "varde", "taljare")
            .row(0)
        )

    # Väsby 2016 has 2 fte men: M is primary; K secondary (T and K would give M away).
    assert shown("0114", "M") == (Disclosure.PRIMARY, None, None)
    assert shown("0114", "K") == (Disclosure.SECONDARY, None, None)
    # Every figure of the year that is not shown has its value and täljare withheld, and the
    # figures the secondary step hid (totals and denominators included) are marked secondary.
    hidden = frame.filter(pl.col("disclosure").is_in([Disclosure.PRIMARY, Disclosure.SECONDARY]))
    assert hidden["varde"].null_count() == hidden.height
    assert hidden.filter(pl.col("disclosure") == Disclosure.PRIMARY)["taljare"].null_count() == (
        hidden.filter(pl.col("disclosure") == Disclosure.PRIMARY).height
    )
    # County 01 less its shown municipalities would give Väsby's men away: the secondary step
    # hides a second täljare of that sum (the county's own or another of its municipalities'),
    # whichever costs readers least.
    members = db.sql(
        "SELECT kommunkod FROM report.breakdown_groups WHERE dimension = 'lan' "
        "AND group_code = '01'"
    ).pl()["kommunkod"]
    county_sum = frame.filter(
        (pl.col("nyckeltal_id") == "handl_utan_socionom_andel")
        & (pl.col("ar") == 2016)
        & (pl.col("kon") == "M")
        & (
            ((pl.col("dimension") == "lan") & (pl.col("group_code") == "01"))
            | ((pl.col("dimension") == "kommun") & pl.col("kommunkod").is_in(members.implode()))
        )
    )
    assert county_sum.filter(pl.col("taljare").is_null()).height >= 2
    # A year where no split rests on fewer than 3 fte of a sex and no breakdown cell on fewer
    # than 3 municipalities hides nothing.
    assert set(frame.filter(pl.col("ar") == 2017)["disclosure"]) == {
        Disclosure.SHOWN,
        Disclosure.EMPTY,
    }
    # In 2015 one municipality (0117) makes row 2015 of Table 11 in its county and SKR group: those
    # cells are hidden, and 0117's own key figures, which sum to them, with them.
    cells = db.sql(f"SELECT * FROM {PUBLISHED_BREAKDOWNS} WHERE ar = 2015").pl()
    on_one = cells.filter((pl.col("n_kommuner") == 1) & (pl.col("col_key") != "n_kommuner"))
    assert set(on_one["disclosure"]) == {Disclosure.PRIMARY}
    assert (
        frame.filter(
            (pl.col("ar") == 2015)
            & (pl.col("kommunkod") == "0117")
            & (pl.col("nyckeltal_id") == "handl_arsarbetare")
        )["disclosure"].to_list()
        == [Disclosure.SECONDARY] * 3
    )


def test_the_disclosure_audit_passes_and_fails_without_the_secondary_step(db):
    _, result = disclosure_audit_result(db)
    assert result.passed
    assert result.metadata["hidden_by_secondary"].value > 0
    assert result.metadata["failing"].value == 0
    _, switched_off = disclosure_audit_result(db, secondary_rounds=0)
    assert not switched_off.passed
    assert switched_off.metadata["hidden_by_secondary"].value == 0
    assert switched_off.metadata["failing"].value > 0


def test_the_audit_holds_the_nations_cells_of_every_table(db):
    # Tables 1–14 are published for the nation (report.tables_long, the exports, the workbook):
    # each year's model holds every national cell with a figure on 3 or more municipalities as
    # the sum (or share) of its municipal terms, and `add_breakdowns` checks each against the
    # SQL's value (RuntimeError on a mismatch). Here Tables 2 and 12 count 3 municipalities.
    inputs = read_breakdowns(db)
    nation = inputs.cells.filter(pl.col("dimension") == "riket")
    tables = {t for (t,) in db.execute("SELECT table_id FROM ref.report_tables").fetchall()}
    assert set(nation["table_id"]) == tables
    in_model, expected = set(), set()
    for ar in inputs.years:
        year = inputs.of_years([ar])
        added = add_breakdowns(Model(), year)
        for row, key in zip(year.cells.iter_rows(named=True), added.cell_keys, strict=True):
            if row["dimension"] != "riket" or row["col_key"] == "n_kommuner":
                continue
            cell = (row["table_id"], row["row_key"], row["col_key"])
            if key is not None:
                in_model.add(cell)
            if row["n_kommuner"] >= 3 and row["value"] is not None:
                expected.add(cell)
    assert in_model == expected
    assert {"T02", "T12"} <= {table_id for table_id, _, _ in in_model}


def test_national_key_figures_agree_with_the_published_cells_for_the_same_population(db):
    # The nation's key figure counts Malmö (new to nothing) in 2016 and Järfälla in 2013: it
    # differs from Table 11. Over the report's population of the row, it is Table 11's cell.
    assert group(db, "handl_utan_socionom_andel", "riket", "00", 2016)[0] != pytest.approx(
        cell(db, "T11", "2016", "utan_socionom_andel")
    )
    # 2013: 0114 (2 of 10), 0180 (4 of 45), 0123 (0 of 100) against Table 11's 6 of 55.
    assert group(db, "handl_utan_socionom_andel", "riket", "00", 2013)[0] == pytest.approx(
        100 * 6 / 155
    )
    compared = db.execute(
        "SELECT population, ar, nyckeltal_varde, tabell_varde, overensstammer "
        "FROM report.nyckeltal_mot_tabeller WHERE nyckeltal_id = 'handl_utan_socionom_andel' "
        "ORDER BY ar"
    ).fetchall()
    assert compared == [
        ("first_year", 2013, pytest.approx(100 * 6 / 55), pytest.approx(100 * 6 / 55), True),
        ("first_year", 2014, pytest.approx(100 * 1.5 / 11), pytest.approx(100 * 1.5 / 11), True),
        ("first_year", 2015, 0, 0, True),
        ("final", 2016, pytest.approx(100 * 7 / 59.13), pytest.approx(100 * 7 / 59.13), True),
    ]
    # Every key figure with a report cell agrees over the same population, Table 3 included.
    assert db.execute(
        "SELECT count(*), count(DISTINCT nyckeltal_id), bool_and(overensstammer) "
        "FROM report.nyckeltal_mot_tabeller"
    ).fetchone() == (4 * 11 + 5, 16, True)
    assert key_figures_disagreeing_with_tables(db) == []


def test_every_key_figure_is_defined_and_commented(db):
    assert db.execute("SELECT count(*) FROM ref.nyckeltal").fetchone()[0] in range(15, 26)
    uncommented = db.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('report', 'ref') AND comment IS NULL AND table_name IN "
        "('nyckeltal', 'jamforelse', 'nyckeltal_mot_tabeller', 'befolkning')"
    ).fetchall()
    assert uncommented == []
    assert undefined_terms(db) == []
    assert repeated_key_figure_rows(db) == []


# --- each check fails on a broken warehouse -----------------------------------------------------


def test_the_terms_check_fails_on_a_misspelt_term(broken_db):
    broken_db.execute(
        "UPDATE ref.nyckeltal SET namnare = 'handl_totalat' "
        "WHERE nyckeltal_id = 'handl_socionom_lt1ar_andel'"
    )
    assert undefined_terms(broken_db) == ["handl_socionom_lt1ar_andel: handl_totalat"]


def test_the_agreement_check_fails_when_a_key_figure_leaves_the_table(broken_db):
    broken_db.execute(
        "UPDATE report.nyckeltal SET taljare = taljare + 1 WHERE dimension = 'kommun' "
        "AND nyckeltal_id = 'handl_utan_socionom_andel' AND kommunkod = '0114' AND ar = 2016"
    )
    broken_db.execute((SQL_DIR / "87_report_nyckeltal_mot_tabeller.sql").read_text("utf-8"))
    problems = key_figures_disagreeing_with_tables(broken_db)
    assert len(problems) == 1
    assert problems[0].startswith("handl_utan_socionom_andel 2016:")


def test_the_one_row_check_fails_on_a_repeated_row(broken_db):
    broken_db.execute(
        "INSERT INTO report.nyckeltal SELECT * FROM report.nyckeltal WHERE dimension = 'lan' "
        "AND group_code = '01' AND nyckeltal_id = 'handl_arsarbetare' AND ar = 2016 AND kon = 'K'"
    )
    assert repeated_key_figure_rows(broken_db) == ["handl_arsarbetare lan 01 2016 K"]


def test_the_readme_key_figure_queries_return_rows_on_the_shipped_data(shipped_warehouse):
    section = README.read_text(encoding="utf-8").split("## Key figures per municipality", 1)[1]
    (sql,) = re.findall(r"```sql\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    code = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    queries = [statement.strip() for statement in code.split(";") if statement.strip()]
    assert len(queries) == 3
    con = duckdb.connect(str(shipped_warehouse), read_only=True)
    try:
        assert [query for query in queries if not con.execute(query).fetchall()] == []
        # On the shipped raw/ every key figure with a report cell agrees with it.
        assert key_figures_disagreeing_with_tables(con) == []
    finally:
        con.close()


def test_a_failing_key_figure_check_stops_the_publication(monkeypatch, tmp_path):
    # A misspelt denominator in a replacement reference set: the share counts nothing, both
    # checks fail, and the warehouse is not swapped in.
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    definitions = reference / "nyckeltal.csv"
    text = definitions.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("handl_socionom_lt1ar_andel,"))
    definitions.write_text(
        text.replace(row, row.replace(",handl_totalt,", ",handl_totalat,")), encoding="utf-8"
    )
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(
        build_small_landing_zone(tmp_path / "raw"), warehouse, raise_on_error=False
    )
    failed = {
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    }
    assert {"nyckeltal_terms_defined", "nyckeltal_agree_with_tables"} <= failed
    assert not warehouse.exists()
