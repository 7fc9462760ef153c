"""Scaled landing zones for the growth benchmark (issue 8, item 5): tools/bench/scaled_zone.py.

Most tests share one zone of 580 municipalities (the 290 and one copy of each) over 8 years
(2013–2020; 2017–2020 copy 2013–2016), which holds every shipped file four times. The copies are
read with the pipeline's own reader and ledger under the generated reference set.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from assets.ingest.landing_zone import file_sha256, scan_landing_zone
from assets.ingest.ledger import build_ledger, needs_content
from assets.ingest.reader import read_key, read_submission
from schemas.catalog import REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR
from tools.bench.scaled_zone import (
    SHIPPED_RAW_DIR,
    build_scaled_zone,
    build_zone,
    template_year,
    zone_size,
)

ZONE_YEARS = tuple(range(2013, 2021))
# raw/README.md's list of the files the ledger treats specially: 554 files, of which 4
# superseded, 3 duplicates and 7 rejected, one for each reason below; the other 541 selected.
SHIPPED_LEDGER = {
    ("selected", None): 541,
    ("superseded", None): 4,
    ("duplicate", None): 3,
    ("rejected", "bad_header"): 1,
    ("rejected", "bad_timestamp"): 1,
    ("rejected", "missing_metadata"): 1,
    ("rejected", "unknown_municipality"): 1,
    ("rejected", "unsupported_type"): 1,
    ("rejected", "year_mismatch"): 1,
}


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    return build_zone(580, len(ZONE_YEARS), tmp_path_factory.mktemp("scaled") / "zone")


@pytest.fixture
def generated_reference(zone, monkeypatch):
    """The pipeline reads the zone's register and catalog (schemas.catalog caches by path)."""
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(zone.reference_dir))


@pytest.fixture(scope="module")
def zone_read(zone):
    """Every file of the zone as the ingest stage sees it: (files, path → sha256, read key → read)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(REFERENCE_DIR_VARIABLE, str(zone.reference_dir))
        files = scan_landing_zone(zone.raw_dir)
        sha256 = {f.path: file_sha256(f.abs_path) for f in files if needs_content(f)}
        reads = {
            read_key(sha256[f.path], f.path): read_submission(
                f.abs_path.read_bytes(), f.abs_path.suffix
            )
            for f in files
            if f.path in sha256
        }
    return files, sha256, reads


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _code_of(zone, kommun: str) -> str:
    rows = _rows(zone.reference_dir / "municipalities.csv")
    return next(row["kommunkod"] for row in rows if row["kommun"] == kommun)


def _read(zone, relative: str):
    path = zone.raw_dir / relative
    return read_submission(path.read_bytes(), path.suffix)


# ---------------------------------------------------------------- sizes and years


@pytest.mark.parametrize(
    ("factor", "municipalities", "years"),
    [
        (1, 290, 4),
        (10, 2_900, 4),
        (100, 7_250, 16),  # 25 copies × 16 years = 400 = 4 × 100
        (1000, 9_280, 125),  # 32 copies (the cap) × 125 years = 4 000
        (33, 6_380, 6),  # 4 × 33 = 132: its largest divisor ≤ 32 is 22 copies, 132 / 22 = 6
    ],
)
def test_a_factor_is_municipalities_times_years(factor, municipalities, years):
    assert zone_size(factor) == (municipalities, years)
    assert municipalities * years == 290 * 4 * factor


def test_a_factor_below_one_is_refused():
    with pytest.raises(ValueError):
        zone_size(0)


def test_later_years_cycle_so_that_the_last_copies_2016():
    assert [template_year(ar, 2020) for ar in ZONE_YEARS] == [
        2013,
        2014,
        2015,
        2016,
        2013,
        2014,
        2015,
        2016,
    ]
    # 1000×: 2013–2137, 121 years after 2016. The last and, 120 years before it, 2017 copy 2016.
    assert [template_year(ar, 2137) for ar in (2017, 2018, 2136, 2137)] == [2016, 2013, 2015, 2016]


def test_factor_one_is_the_shipped_zone_byte_for_byte(tmp_path):
    built = build_scaled_zone(1, tmp_path / "one")
    assert (built.municipalities, built.years, built.files) == (290, (2013, 2014, 2015, 2016), 554)
    shipped = {
        p.relative_to(SHIPPED_RAW_DIR): p.read_bytes()
        for p in SHIPPED_RAW_DIR.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    written = {
        p.relative_to(built.raw_dir): p.read_bytes()
        for p in built.raw_dir.rglob("*")
        if p.is_file()
    }
    assert written == shipped
    for reference in SHIPPED_REFERENCE_DIR.iterdir():
        if reference.is_file():
            assert (built.reference_dir / reference.name).read_bytes() == reference.read_bytes()


def test_the_output_folder_must_be_new_or_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        build_zone(290, 4, tmp_path)


# ---------------------------------------------------------------- the reference set


def test_the_register_lists_every_generated_municipality_once(zone):
    rows = _rows(zone.reference_dir / "municipalities.csv")
    codes = [row["kommunkod"] for row in rows]
    assert len(rows) == 580 and len(set(codes)) == 580
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert codes == sorted(codes)
    # The lowest free codes go to the copies, in the order of the 290: 0114 first.
    assert rows[0] == {
        "kommunkod": "0001",
        "kommun": "Upplands Väsby 2",
        "lanskod": "01",
        "lan": "Stockholms län",
    }
    assert rows[1]["kommun"] == "Vallentuna 2"
    assert {"Upplands Väsby", "Örebro", "Örebro 2", "Åstorp 2"} <= {row["kommun"] for row in rows}


def test_every_municipality_has_a_group_and_a_population_for_every_year(zone):
    codes = {row["kommunkod"] for row in _rows(zone.reference_dir / "municipalities.csv")}
    groups = {row["kommunkod"]: row for row in _rows(zone.reference_dir / "kommungrupp.csv")}
    assert set(groups) == codes
    assert (groups["0001"]["group_code"], groups["0001"]["version"]) == ("A2", "SKR 2017")
    population = _rows(zone.reference_dir / "population_2013_2017.csv")
    years = Counter(row["kommunkod"] for row in population)
    assert set(years) == codes and set(years.values()) == {8}  # 2013–2020
    of_0001 = {
        int(row["year"]): int(row["population"]) for row in population if row["kommunkod"] == "0001"
    }
    # Upplands Väsby's 2013 and 2017 figures; the years after 2017 repeat 2017.
    assert (of_0001[2013], of_0001[2017], of_0001[2020]) == (41449, 44605, 44605)


def test_the_2016_form_is_asked_through_the_last_year(zone):
    years = {
        row["question_id"]: row["years"] for row in _rows(zone.reference_dir / "questions.csv")
    }
    assert years["kommunkod"] == "2013-2020"
    assert years["handl_totalt"] == "2013-2020"
    assert years["uppf_medarbetarsamtal"] == "2016-2020"
    assert years["komp_uppfoljning_utvardering_grund"] == "2013-2015"  # ended before 2016


def test_the_rest_of_the_reference_set_is_the_shipped_one(zone):
    for name in ("published_tables.csv", "known_errata.csv", "report_layout.csv"):
        assert (zone.reference_dir / name).read_bytes() == (
            SHIPPED_REFERENCE_DIR / name
        ).read_bytes()


# ---------------------------------------------------------------- the grant registers


def test_each_year_has_one_register_row_per_municipality_and_purpose(zone):
    lines = {
        ar: (zone.raw_dir / str(ar) / "rekvisitioner.csv").read_text().splitlines()
        for ar in ZONE_YEARS
    }
    # 2013 and its copy 2017 have two purposes, the other years one; plus the header.
    assert {ar: len(rows) for ar, rows in lines.items()} == {
        2013: 1161,
        2014: 581,
        2015: 581,
        2016: 581,
        2017: 1161,
        2018: 581,
        2019: 581,
        2020: 581,
    }
    assert lines[2017][0] == "kommunkod;andamal;fordelat_sek;rekvirerat_sek;aterbetalt_sek"
    # Upplands Väsby's 2013 rows, under the copy's code.
    assert lines[2017][1:3] == [
        "0001;inventering;72186;61200;0",
        "0001;kompetensutveckling;141689;141689;0",
    ]


# ---------------------------------------------------------------- the copied files


def test_a_web_form_copy_carries_its_kommunkod_year_and_inlamnad(zone, generated_reference):
    result = _read(zone, "2020/inventering/Kompetensinventering_2020_Upplands_Vasby_2.csv")
    assert result.reason_code is None
    assert (result.kommunkod, result.ar) == ("0001", 2020)
    assert result.inlamnad == datetime(2020, 11, 22, 14, 13, 23)  # the template's 2016-11-22


def test_a_2013_file_in_a_later_year_leaves_out_the_questions_its_form_dropped(
    zone, generated_reference
):
    # 0114_kompetensinventering.csv of 2013 answers komp_uppfoljning_utvardering_grund (10,06).
    original = _read(zone, "2013/inventering/0114_kompetensinventering.csv")
    assert original.answers["komp_uppfoljning_utvardering_grund"] == "10,06"
    copy = _read(zone, "2017/inventering/0001_kompetensinventering.csv")
    assert (copy.reason_code, copy.kommunkod, copy.ar) == (None, "0001", 2017)
    assert copy.inlamnad == datetime(2017, 10, 3)  # 2013-10-03, a date without time
    assert not any(q.startswith("komp_uppfoljning_utvardering") for q in copy.answers)
    assert copy.findings == ()
    assert copy.answers["handl_totalt"] == original.answers["handl_totalt"]


def test_an_xlsx_copy_carries_kommunkod_year_and_excel_date(zone, generated_reference):
    result = _read(zone, "2020/inventering/Kompetensinventering 2020 Astorp 2.xlsx")
    assert result.reason_code is None
    assert (result.kommunkod, result.ar) == (_code_of(zone, "Åstorp 2"), 2020)
    assert result.inlamnad == datetime(2020, 12, 5)  # Excel serial 42709 is 2016-12-05


def test_an_xlsx_copy_of_2013_in_a_later_year_is_read_under_that_years_form(
    zone, generated_reference
):
    # Åtvidaberg (0561) sent "Kopia av blankett_kompetensinventering (2).xlsx" in 2013.
    result = _read(zone, "2017/inventering/Kopia av blankett_kompetensinventering (2).xlsx")
    assert (result.reason_code, result.kommunkod, result.ar) == (None, "0561", 2017)
    assert not any(q.startswith("komp_uppfoljning_utvardering") for q in result.answers)
    assert result.findings == ()


def test_a_name_without_kommun_is_numbered_on_per_copy(zone, generated_reference):
    # 2016 has export.csv and export (2)…(5).csv; Örebro's is export (4).csv, tab-separated.
    # Its copy is the 4th of the second round of five: export (9).csv.
    result = _read(zone, "2016/inventering/export (9).csv")
    assert (result.reason_code, result.kommunkod, result.ar) == (
        None,
        _code_of(zone, "Örebro 2"),
        2016,
    )
    assert _read(zone, "2016/inventering/export (4).csv").kommunkod == "1880"


def test_the_unknown_kommunkod_of_a_copy_is_no_municipalitys(zone, generated_reference):
    codes = {row["kommunkod"] for row in _rows(zone.reference_dir / "municipalities.csv")}
    original = zone.raw_dir / "2016/inventering/Kompetensinventering_2016_Trollhattan.csv"
    copy = zone.raw_dir / "2016/inventering/Kompetensinventering_2016_Trollhattan_2.csv"
    assert read_submission(copy.read_bytes(), ".csv").reason_code == "unknown_municipality"
    written = next(line for line in copy.read_text().splitlines() if line.startswith("kommunkod;"))
    assert written.removeprefix("kommunkod;") not in codes | {"1848"}  # 1848: the template's typo
    assert copy.read_bytes() != original.read_bytes()


def test_every_readable_copy_names_a_municipality_of_the_zone_and_its_year(zone, zone_read):
    codes = {row["kommunkod"] for row in _rows(zone.reference_dir / "municipalities.csv")}
    files, sha256, reads = zone_read
    readable = [(f, reads[read_key(sha256[f.path], f.path)]) for f in files if f.path in sha256]
    readable = [(f, result) for f, result in readable if result.reason_code is None]
    assert len(readable) == 4 * (554 - 5)  # all but the PDF and the four rejected by the reader
    for landing_file, result in readable:
        assert result.kommunkod in codes, landing_file.path
        # Karlstad's first 2016 file, with last year's ar, is the only one off its folder.
        name = Path(landing_file.path).name
        off_by_one = "Karlstad" in name and name.endswith("_rattad.csv")
        assert result.ar == landing_file.year_folder - off_by_one, landing_file.path


def test_the_ledger_statuses_scale_with_the_zone(zone, zone_read):
    files, sha256, reads = zone_read
    ledger = Counter((row.status, row.reason_code) for row in build_ledger(files, sha256, reads))
    # Two copies of every municipality over two rounds of the shipped years: four times.
    assert zone.files == len(files) == 4 * 554
    assert dict(ledger) == {key: 4 * count for key, count in SHIPPED_LEDGER.items()}
