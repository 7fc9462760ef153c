"""Issue 26, contract section 11: every publication is kept and readable, and report.revisioner
says which published figures changed since the previous publication, and why.

One history is made on the small landing zone (tests/landing_zone_fixture.py), a refresh per
step, and each test reads the step it is about:

1. the first publication;
2. a refresh with nothing changed (adds no publication), and an explicit Dagster run of the
   exports and the publish step with nothing changed (records a materialisation, adds none);
3. Göteborg corrects its 2016 submission in place: 95 → 97 female caseworkers, 107.5 → 109.5 in
   all;
4. the 2016 grant register: Malmö now requested 250 000 of its 500 000 kronor;
5. Bjurholm's 2016 submission withdrawn, and Umeå (2480), new, sends one;
6. a refresh that fails (a register problem) and adds no publication;
7. the reference data: Göteborg's 2016 population edited (a reader of the first publication
   holds the warehouse open meanwhile).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.publication.exports import REPORT_NAME, REVISIONS_NAME
from assets.publication.profile_pages import PROFILES_FOLDER
from assets.publication.publications import prepare_publication
from assets.run_context.published import PUBLISHED_WAREHOUSE
from assets.run_context.resources import CURRENT_PUBLICATION, LandingZone, Warehouse
from pipelines.environment import PROJECT_ROOT
from schemas.catalog import REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import (
    BLOCK_A,
    GOTEBORG_2016,
    GRANTS,
    block,
    build_small_landing_zone,
    meta,
    write_csv,
    write_register,
)
from tests.test_swedish_for_readers import bare_english_words, visible_text

GOTEBORG = "2016/inventering/goteborg.csv"
BJURHOLM = "2016/inventering/bjurholm.csv"
UMEA = "2016/inventering/umea_2016.csv"
REGISTER_2016 = "2016/rekvisitioner.csv"
README = PROJECT_ROOT / "README.md"


@dataclass
class Step:
    success: bool
    publiceringar: list[tuple]  # publicering_id, publicerad, fingerprint, path
    revisioner: list[dict]
    kept_files: list[str]  # the folders of publications/, the kept publications
    current: str  # the one `publications/current` names


def _state(warehouse: Path, success: bool) -> Step:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        publiceringar = con.execute(
            "SELECT publicering_id, publicerad, fingerprint, path FROM report.publiceringar "
            "ORDER BY publicerad"
        ).fetchall()
        revisioner = con.sql("FROM report.revisioner").pl().to_dicts()
    finally:
        con.close()
    folder = Warehouse(database=str(warehouse)).publications_path
    kept = sorted(p.name for p in folder.iterdir() if p.name != CURRENT_PUBLICATION)
    return Step(success, publiceringar, revisioner, kept, os.readlink(folder / CURRENT_PUBLICATION))


@dataclass
class Outputs:
    """What readers see of a step: rapport.html, revisioner.csv and .parquet, profile pages."""

    report: str
    revisions_csv: list[dict]
    revisions_parquet: pl.DataFrame
    profiles: dict[str, str]  # kommunkod → page


def _outputs(warehouse: Path) -> Outputs:
    exports = warehouse.parent / "exports"
    return Outputs(
        report=(exports / REPORT_NAME).read_text(encoding="utf-8"),
        revisions_csv=pl.read_csv(
            exports / "csv" / f"{REVISIONS_NAME}.csv", infer_schema=False
        ).to_dicts(),
        revisions_parquet=pl.read_parquet(exports / "parquet" / f"{REVISIONS_NAME}.parquet"),
        profiles={
            kommunkod: (exports / PROFILES_FOLDER / f"{kommunkod}.html").read_text(encoding="utf-8")
            for kommunkod in ("1480", "0180")
        },
    )


def _published_metadata(result) -> dict | None:
    """The metadata of the run's materialisation of kompetens_warehouse, if it published."""
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == PUBLISHED_WAREHOUSE:
            return {key: value.value for key, value in materialization.metadata.items()}
    return None


def _documented_query_lines() -> list[str]:
    """The README's SQL lines of the section on earlier publications."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Earlier publications and revisions") :]
    (sql,) = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)[:1]
    return [line for line in sql.splitlines() if line and not line.startswith("--")]


def _as_published_at(con: duckdb.DuckDBPyConnection, when) -> list[tuple]:
    """Table 11 as published at `when`, by the README's query."""
    find, attach, table_11 = _documented_query_lines()
    timestamp = re.search(r"TIMESTAMP '([^']+)'", find).group(1)
    ((publicering_id, _, attach_sql),) = con.execute(
        find.replace(timestamp, when.isoformat(sep=" "))
    ).fetchall()
    alias = re.search(r" AS (\S+) \(READ_ONLY\)", attach).group(1)
    assert attach_sql.endswith(f" AS publicering_{publicering_id} (READ_ONLY);")
    con.execute(attach_sql)
    return con.execute(table_11.replace(alias, f"publicering_{publicering_id}")).fetchall()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    raw = build_small_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    steps: dict[str, Step] = {}

    def refresh(name: str) -> None:
        result = materialize_pipeline(raw, warehouse, raise_on_error=False)
        steps[name] = _state(warehouse, result.success)
        steps[f"{name}_metadata"] = _published_metadata(result)

    refresh("first")
    refresh("nothing_changed")

    from assets.publication.assets import publication_exports
    from assets.swap.assets import kompetens_warehouse

    # An explicit run of the exports and the publish step: the build is the current one's.
    explicit = dg.materialize(
        [publication_exports, kompetens_warehouse],
        resources={
            "landing_zone": LandingZone(raw_dir=str(raw)),
            "warehouse": Warehouse(database=str(warehouse)),
        },
    )
    steps["explicit_nothing_changed"] = _state(warehouse, explicit.success)
    steps["explicit_nothing_changed_metadata"] = _published_metadata(explicit)
    steps["staging_after_explicit"] = sorted((warehouse.parent / ".staging").iterdir())

    corrected = [
        (q, {"handl_kvinnor": "97", "handl_totalt": "109.5"}.get(q, v)) for q, v in GOTEBORG_2016
    ]
    write_csv(raw / GOTEBORG, corrected, delimiter=",", encoding="utf-8-sig")
    refresh("correction")
    steps["correction_outputs"] = _outputs(warehouse)

    grants = {**GRANTS, (2016, "1280", "kompetensutveckling"): (500_000, 250_000, 0)}
    write_register(raw / REGISTER_2016, 2016, grants)
    refresh("register")

    (raw / BJURHOLM).unlink()
    write_csv(
        raw / UMEA,
        meta("2480", "2016", "2016-11-25") + block(BLOCK_A, "20", "5", "25", "2", "3", "1", "4"),
    )
    refresh("withdrawal_and_new")
    steps["withdrawal_and_new_outputs"] = _outputs(warehouse)

    register = raw / REGISTER_2016
    good_register = register.read_bytes()
    register.write_text(register.read_text(encoding="utf-8") + "9999;inventering;1;0;0\n")
    refresh("failed")
    register.write_bytes(good_register)

    reference = root / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    population = reference / "population_2013_2017.csv"
    lines = population.read_text(encoding="utf-8").splitlines()
    steps["goteborg_2016_population"] = [
        int(line.split(",")[2]) for line in lines if line.startswith("1480,2016,")
    ]
    population.write_text(
        "\n".join(
            f"1480,2016,{int(line.split(',')[2]) + 1000}" if line.startswith("1480,2016,") else line
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
        # A reader of the first publication, through the README's query, while the refresh
        # runs. The last refresh: DuckDB gives every connection of this process to a path
        # already open the database already open, so the refresh's own steps read the
        # publication before it (its outputs are not looked at).
        reader = duckdb.connect(str(warehouse), read_only=True)
        first_published_at = steps["first"].publiceringar[0][1]
        steps["first_table_11_before"] = _as_published_at(reader, first_published_at)
        result = materialize_pipeline(raw, warehouse, raise_on_error=False)
        steps["first_table_11_during"] = reader.execute(
            _documented_query_lines()[2].replace(
                re.search(r" AS (\S+) \(READ_ONLY\)", _documented_query_lines()[1]).group(1),
                f"publicering_{steps['first'].publiceringar[0][0]}",
            )
        ).fetchall()
        # Closed before the warehouse is read again (see above).
        reader.close()
        steps["reference"] = _state(warehouse, result.success)
    steps["warehouse"] = warehouse
    return steps


def _figures(step: Step) -> dict[tuple, tuple]:
    """Each revised figure: its key → (value before, value after)."""
    return {
        (
            r["kalla"],
            r["table_id"] or r["figure_key"] or r["nyckeltal_id"],
            r["row_key"] or r["dimension"],
            r["col_key"] or r["kommunkod"] or r["group_code"],
            r["kon"],
        ): (r["value_before"], r["value_after"])
        for r in step.revisioner
    }


def test_each_publication_is_kept_and_a_refresh_with_nothing_changed_adds_none(history):
    first = history["first"]
    assert first.success and len(first.publiceringar) == 1 and first.revisioner == []
    assert history["nothing_changed"].success
    assert history["nothing_changed"].publiceringar == first.publiceringar
    assert history["nothing_changed"].kept_files == first.kept_files
    ids = [row[0] for row in history["withdrawal_and_new"].publiceringar]
    assert len(ids) == 4
    # Each publication is the folder the swap made, named by its id; the latest is current.
    assert history["withdrawal_and_new"].kept_files == ids
    assert history["withdrawal_and_new"].current == ids[-1]
    assert [row[3] for row in history["withdrawal_and_new"].publiceringar] == [
        str(history["warehouse"].parent / "publications" / i / "kompetens.duckdb") for i in ids
    ]


def test_an_explicit_run_with_nothing_changed_adds_no_publication(history):
    first, explicit = history["first"], history["explicit_nothing_changed"]
    assert explicit.success
    assert explicit.publiceringar == first.publiceringar
    assert (explicit.kept_files, explicit.current) == (first.kept_files, first.current)
    # Its staging folder is removed; the materialisation says it added none.
    assert history["staging_after_explicit"] == []
    metadata = history["explicit_nothing_changed_metadata"]
    assert (metadata["publicering_id"], metadata["revised_figures"]) == (None, 0)


def test_a_failed_refresh_leaves_the_history_as_it_was(history):
    failed, before = history["failed"], history["withdrawal_and_new"]
    assert not failed.success
    assert failed.publiceringar == before.publiceringar
    assert (failed.kept_files, failed.current) == (before.kept_files, before.current)


def test_an_earlier_publication_answers_the_documented_query_with_its_earlier_value(history):
    before = history["first_table_11_before"]
    # Table 11's 2016 row: Stockholm 49.5, Göteborg 107.5 and Bjurholm 4 caseworkers.
    assert ("2016", 161.0) in {(row[0], row[1]) for row in before}
    # While the correction was refreshed and published, the reader kept the first publication.
    assert history["first_table_11_during"] == before
    # And after every later publication the documented query still answers with it.
    con = duckdb.connect(str(history["warehouse"]), read_only=True)
    try:
        assert _as_published_at(con, history["first"].publiceringar[0][1]) == before
        latest = con.execute(
            "SELECT antal_handlaggare FROM report.table_11 WHERE row_label = '2016'"
        ).fetchall()
    finally:
        con.close()
    assert latest != [(161.0,)]


def test_a_correction_revises_exactly_the_figures_it_moves_naming_the_corrected_file(history):
    step = history["correction"]
    figures = _figures(step)
    cells = {key[1:4]: values for key, values in figures.items() if key[0] == "tables_long"}
    # Table 1 and Table 11's 2016 row: 95 → 97 female caseworkers, 161 → 163 in all; the
    # shares of Table 11 over the new total (15.5 with under a year, 14 without a degree).
    assert cells == {
        ("T01", "handlaggare", "kvinnor"): (142.75, 144.75),
        ("T01", "handlaggare", "totalt"): (161.0, 163.0),
        ("T11", "2016", "antal_handlaggare"): (161.0, 163.0),
        ("T11", "2016", "socionom_lt1ar_andel"): (
            pytest.approx(15.5 / 161 * 100),
            pytest.approx(15.5 / 163 * 100),
        ),
        ("T11", "2016", "utan_socionom_andel"): (
            pytest.approx(14 / 161 * 100),
            pytest.approx(14 / 163 * 100),
        ),
    }
    assert not [key for key in figures if key[0] == "text_figures"]
    key_figures = {key for key in figures if key[0] == "nyckeltal"}
    # Göteborg's block A key figures: number of fte (women, all), share of women, per 10 000
    # inhabitants, share under a year, share without a degree (women, all).
    moved = {
        ("handl_arsarbetare", "K"),
        ("handl_arsarbetare", "T"),
        ("handl_andel_kvinnor", "T"),
        ("handl_per_10000_inv", "T"),
        ("handl_socionom_lt1ar_andel", "T"),
        ("handl_utan_socionom_andel", "K"),
        ("handl_utan_socionom_andel", "T"),
    }
    # Göteborg, its county (14), its SKR group (A1, with Stockholm and Malmö) and the nation.
    places = {("kommun", "1480"), ("lan", "14"), ("kommungrupp", "A1"), ("riket", "00")}
    assert key_figures == {
        ("nyckeltal", nyckeltal_id, dimension, code, kon)
        for nyckeltal_id, kon in moved
        for dimension, code in places
    }
    kommun = {key[1:]: values for key, values in figures.items() if key[2:4] == ("kommun", "1480")}
    assert kommun[("handl_arsarbetare", "kommun", "1480", "K")] == (95.0, 97.0)
    assert kommun[("handl_andel_kvinnor", "kommun", "1480", "T")] == (
        pytest.approx(95 / 107.5 * 100),
        pytest.approx(97 / 109.5 * 100),
    )
    assert kommun[("handl_utan_socionom_andel", "kommun", "1480", "K")] == (
        pytest.approx(6 / 95 * 100),
        pytest.approx(6 / 97 * 100),
    )
    # One change behind each: Göteborg's file, corrected in place.
    assert {(r["cause"], r["cause_kommunkod"], r["path"]) for r in step.revisioner} == {
        ("corrected", "1480", GOTEBORG)
    }
    assert len(step.revisioner) == len(figures)
    assert {r["forra_publicering_id"] for r in step.revisioner} == {
        history["first"].publiceringar[0][0]
    }


def test_a_grant_register_edit_gives_revisions_of_that_kind(history):
    step = history["register"]
    figures = _figures(step)
    before, after = figures[("text_figures", "rekvirerat_2016_kommuner", "riket", None, None)]
    assert after == before + 1
    assert {
        (r["cause"], r["cause_kommunkod"], r["cause_ar"], r["path"]) for r in step.revisioner
    } == {("grant_register", "1280", 2016, REGISTER_2016)}


def test_a_withdrawal_and_a_new_municipality_give_revisions_naming_their_files(history):
    step = history["withdrawal_and_new"]
    causes: dict[tuple, set] = {}
    for r in step.revisioner:
        key = (
            r["kalla"],
            r["table_id"] or r["nyckeltal_id"],
            r["row_key"] or r["dimension"],
            r["col_key"] or r["kommunkod"] or r["group_code"],
            r["kon"],
        )
        causes.setdefault(key, set()).add((r["cause"], r["path"]))
    # Table 1's total loses Bjurholm's 4 fte; Umeå is new in 2016, so not in the report's
    # population, but the national cell names every changed file of its year.
    assert causes[("tables_long", "T01", "handlaggare", "totalt", None)] == {
        ("withdrawn", BJURHOLM),
        ("added", UMEA),
    }
    bjurholm = [r for r in step.revisioner if r["kommunkod"] == "2403"]
    umea = [r for r in step.revisioner if r["kommunkod"] == "2480"]
    assert bjurholm and {(r["cause"], r["path"]) for r in bjurholm} == {("withdrawn", BJURHOLM)}
    assert all(r["value_after"] is None for r in bjurholm)
    assert umea and {(r["cause"], r["path"]) for r in umea} == {("added", UMEA)}
    assert all(r["value_before"] is None for r in umea)
    assert ("handl_arsarbetare", 25.0) in {(r["nyckeltal_id"], r["value_after"]) for r in umea}


def test_a_reference_data_edit_gives_revisions_of_that_kind(history):
    step = history["reference"]
    (population,) = history["goteborg_2016_population"]
    figures = _figures(step)
    assert figures[("nyckeltal", "handl_per_10000_inv", "kommun", "1480", "T")] == (
        pytest.approx(109.5 / population * 10_000),
        pytest.approx(109.5 / (population + 1000) * 10_000),
    )
    assert {r["cause"] for r in step.revisioner} == {"reference_data"}


def test_retention_keeps_the_newest_publications(small_warehouse, tmp_path):
    """Warehouse.publications_kept: three publications swapped in as Warehouse.publish does,
    keeping two; the oldest is no longer listed and its folder is removed, and so is a folder
    newer than the current one (a run killed within its swap made it)."""
    warehouse = Warehouse(
        database=str(tmp_path / "warehouse" / "kompetens.duckdb"), publications_kept=2
    )
    published = warehouse.published_path
    warehouse.publications_path.mkdir(parents=True)
    previous = small_warehouse
    ids = []
    for build in range(3):
        staging = tmp_path / "staging" / str(build)
        staging.mkdir(parents=True)
        shutil.copyfile(previous, staging / published.name)
        con = duckdb.connect(str(staging / published.name))
        try:
            # Another build each time, as a changed landing zone gives.
            con.execute("UPDATE quality.build_inputs SET fingerprint = ?", [str(build) * 64])
            publication = prepare_publication(con, published, kept=2)
        finally:
            con.close()
        os.rename(staging, warehouse.publications_path / publication.publicering_id)
        killed = warehouse.publications_path / "99991231T235959Z_killed"
        killed.mkdir(exist_ok=True)
        warehouse.current_publication.unlink(missing_ok=True)
        warehouse.current_publication.symlink_to(publication.publicering_id)
        warehouse._remove_superseded_publications()
        previous = warehouse.current_publication / published.name
        ids.append(publication.publicering_id)
    con = duckdb.connect(str(previous), read_only=True)
    try:
        listed = [
            i for (i,) in con.execute("SELECT publicering_id FROM report.publiceringar").fetchall()
        ]
    finally:
        con.close()
    # The first one here is beyond the two kept (the small warehouse's own, whose folder is
    # elsewhere, is not listed).
    assert sorted(listed) == sorted(ids[1:])
    assert sorted(p.name for p in warehouse.publications_path.iterdir()) == sorted(
        [CURRENT_PUBLICATION, *ids[1:]]
    )


def test_each_publication_is_in_the_dagster_materialisation_metadata(history):
    # Nothing changed: no run reached the swap, so nothing was materialised.
    assert history["nothing_changed_metadata"] is None
    step, metadata = history["correction"], history["correction_metadata"]
    assert metadata["publicering_id"] == step.publiceringar[-1][0]
    assert metadata["revised_figures"] == len(_figures(step))


def _section(report: str, heading: str) -> str:
    """The part of rapport.html from the heading `heading` to the next one."""
    start = report.index(f">{heading}</h2>")
    end = report.find("<h2", start)
    return report[start : end if end != -1 else len(report)]


def test_the_report_lists_the_national_revisions_with_their_files_and_source(history):
    report = history["correction_outputs"].report
    section = _section(report, "Revideringar sedan förra publiceringen")
    assert 'href="#revideringar"' in report  # in the contents list
    rows = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>"
        r"<td>(.*?)</td></tr>",
        section,
    )
    # The five cells of Tables 1 and 11 and the nation's seven key figures (see the correction
    # test), each naming Göteborg's corrected file.
    assert len(rows) == 5 + 7
    assert all(f"Rättad fil <code>{GOTEBORG}</code>" == row[4] for row in rows)
    assert ("Tabell 11", "161,0", "163,0") in {(r[0], r[2], r[3]) for r in rows}
    # Göteborg's, its county's and its SKR group's key figures are counted, not listed.
    assert "Dessutom har 21 nyckeltal för kommuner, län och kommungrupper reviderats" in section
    first_id = history["first"].publiceringar[0][0]
    assert f"<code>{first_id}</code>" in section
    assert re.search(r'<p class="kalla">Källa: .*publiceringarna ' + first_id, section)
    assert bare_english_words(visible_text(section, markdown=False)) == []


def test_a_profile_page_marks_a_revised_value_with_its_previous_value_and_date(history):
    from assets.publication.figures_shown import swedish_time

    profiles = history["correction_outputs"].profiles
    date = swedish_time(history["first"].publiceringar[0][1])

    def marks(page: str, nyckeltal_id: str) -> list[str]:
        row = re.search(rf'<tr data-nyckeltal="{nyckeltal_id}">.*?</tr>', page).group(0)
        return re.findall(r'<span class="reviderad">\((.*?)\)</span>', row)

    # Göteborg: its own fte (107.50 → 109.50; two decimals), its county's and SKR group's and
    # the nation's, and its women's (95 → 97). Each previous value as the first publication
    # published it: in this zone of a handful of municipalities its disclosure audit may have
    # hidden Göteborg's own figures as partners, and then the mark shows "..".
    goteborg = marks(profiles["1480"], "handl_arsarbetare")
    assert len(goteborg) == 5
    first = duckdb.connect(history["first"].publiceringar[0][3], read_only=True)
    try:
        published = dict(
            first.execute(
                "SELECT kon, varde FROM report.nyckeltal_publicerad WHERE kommunkod = '1480' "
                "AND nyckeltal_id = 'handl_arsarbetare' AND ar = 2016"
            ).fetchall()
        )
    finally:
        first.close()
    for kon, value in (("T", "107,50"), ("K", "95,00")):
        shown = value if published[kon] is not None else ".."
        assert f"reviderat; tidigare {shown}, publicerat {date}" in goteborg
    # Stockholm shares Göteborg's SKR group and nation, not its county or its own values.
    assert len(marks(profiles["0180"], "handl_arsarbetare")) == 2


def test_the_exports_carry_revisions_with_disclosure_control_on_each_side(history):
    outputs = history["withdrawal_and_new_outputs"]
    raw = [
        r
        for r in history["withdrawal_and_new"].revisioner
        if r["kommunkod"] == "2403"
        and r["nyckeltal_id"] == "handl_utan_socionom_andel"
        and r["kon"] == "M"
    ]
    # Bjurholm's men: 0 of 0.5 fte without a degree, 0 %, hidden (fewer than 3 fte of men) in the
    # publication before its withdrawal; nothing after it.
    assert [(r["value_before"], r["value_after"]) for r in raw] == [(0.0, None)]
    (csv_row,) = [
        r
        for r in outputs.revisions_csv
        if r["kommunkod"] == "2403"
        and r["nyckeltal_id"] == "handl_utan_socionom_andel"
        and r["kon"] == "M"
    ]
    assert (csv_row["value_before"], csv_row["disclosure_before"]) == ("..", "primary")
    assert (csv_row["value_after"], csv_row["disclosure_after"]) == ("–", "empty")
    assert (csv_row["cause"], csv_row["path"]) == ("withdrawn", BJURHOLM)
    parquet = outputs.revisions_parquet.filter(
        (pl.col("kommunkod") == "2403")
        & (pl.col("nyckeltal_id") == "handl_utan_socionom_andel")
        & (pl.col("kon") == "M")
    )
    assert parquet.select("value_before", "disclosure_before").rows() == [(None, "primary")]
    # A shown figure keeps its value on both sides: Table 1's total, 161 + 2 − 4 fte.
    (total,) = [
        r
        for r in outputs.revisions_csv
        if r["table_id"] == "T01"
        and r["row_key"] == "handlaggare"
        and r["col_key"] == "totalt"
        and r["cause"] == "withdrawn"
    ]
    assert (total["value_before"], total["value_after"]) == ("163.0", "159.0")
    assert len(outputs.revisions_csv) == len(history["withdrawal_and_new"].revisioner)


def test_retention_keeps_at_least_the_publication_the_revisions_are_against(small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        with pytest.raises(ValueError, match="at least 2"):
            prepare_publication(con, small_warehouse, kept=1)
    finally:
        con.close()
