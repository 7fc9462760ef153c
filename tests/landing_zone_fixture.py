"""A small hand-made landing zone: five municipalities over 2013–2016.

Every expected figure of the end-to-end tests is worked out by hand from the numbers below (the
working is written next to each assertion), never computed by the pipeline's own code.

Who is who (contract section 5):
- 0180 Stockholm: participates 2013–2016 (first year 2013). Its 2016 inventory is sent twice
  (an earlier version is superseded) and the final one once more byte for byte (a duplicate).
- 1280 Malmö: participates 2013–2015, not 2016; its 2016 block A breaks a hard rule.
- 2403 Bjurholm: first year 2014; sends XLSX in 2014 and Windows-1252 CSV in 2016.
- 1480 Göteborg: first year 2015; comma-delimited UTF-8 with BOM and decimal points.
- 0114 Upplands Väsby: requisitioned in 2013 but paid everything back, so its first year is
  2016 and it is counted nowhere in Tables 1–10.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import xlsxwriter

from schemas.catalog import municipality_codes
from schemas.contract import GRANT_PURPOSES

CONTACT_NAME = "Åsa Öberg-Testsson"
CONTACT_EMAIL = "asa.oberg-testsson@bjurholm.example.se"

# (ar, kommunkod, andamal) → (fordelat_sek, rekvirerat_sek, aterbetalt_sek); all else 0.
GRANTS = {
    (2013, "0180", "inventering"): (250_000, 250_000, 0),
    (2013, "0180", "kompetensutveckling"): (3_056_887, 3_056_887, 0),
    (2013, "1280", "inventering"): (100_000, 100_000, 0),
    (2013, "2403", "inventering"): (50_000, 0, 0),
    (2013, "1480", "kompetensutveckling"): (700_000, 0, 0),
    (2013, "0114", "inventering"): (60_000, 60_000, 60_000),
    (2014, "0180", "kompetensutveckling"): (1_000_000, 1_000_000, 0),
    (2014, "1280", "kompetensutveckling"): (500_000, 500_000, 0),
    (2014, "2403", "kompetensutveckling"): (50_000, 50_000, 0),
    (2015, "0180", "kompetensutveckling"): (1_000_000, 1_000_000, 0),
    (2015, "1280", "kompetensutveckling"): (500_000, 500_000, 0),
    (2015, "2403", "kompetensutveckling"): (50_000, 50_000, 0),
    (2015, "1480", "kompetensutveckling"): (800_000, 800_000, 0),
    (2016, "0180", "kompetensutveckling"): (1_000_000, 1_000_000, 0),
    (2016, "1280", "kompetensutveckling"): (500_000, 0, 0),
    (2016, "2403", "kompetensutveckling"): (50_000, 50_000, 0),
    (2016, "1480", "kompetensutveckling"): (800_000, 800_000, 0),
    (2016, "0114", "kompetensutveckling"): (60_000, 60_000, 0),
}

BLOCK_A = (
    "handl_kvinnor",
    "handl_man",
    "handl_totalt",
    "handl_socionom_lt1ar",
    "handl_utan_socionom_kvinnor",
    "handl_utan_socionom_man",
    "handl_utan_socionom_totalt",
)
BLOCK_B = ("handl_fortbildning", "handl_vidareutbildning", "handl_magister")
BLOCK_D = (
    "arbl_kvinnor",
    "arbl_man",
    "arbl_totalt",
    "arbl_forsta_chefsjobb",
    "arbl_behov_kompetensutveckling",
    "arbl_lt3ar_erfarenhet",
)
BLOCK_E = ("arbl_fortbildning", "arbl_vidareutbildning", "arbl_magister")
LEVELS = ("grund", "fordjupad", "saknar")


def block(questions: tuple[str, ...], *values: str) -> list[tuple[str, str]]:
    return list(zip(questions, values, strict=True))


def competence(subarea: str, grund: str, fordjupad: str, saknar: str) -> list[tuple[str, str]]:
    return block(tuple(f"komp_{subarea}_{level}" for level in LEVELS), grund, fordjupad, saknar)


def meta(kommunkod: str, ar: str, inlamnad: str) -> list[tuple[str, str]]:
    return [
        ("kommunkod", kommunkod),
        ("ar", ar),
        ("inlamnad", inlamnad),
        ("kontaktperson", CONTACT_NAME),
        ("kontakt_epost", CONTACT_EMAIL),
    ]


STOCKHOLM_2013 = (
    meta("0180", "2013", "2013-10-01")
    + block(BLOCK_A, "40,5", "4,5", "45", "4,5", "3", "1", "4")
    + block(BLOCK_B, "30", "10", "2")
    + block(BLOCK_D, "5", "1", "6", "3", "2", "1")
    + block(BLOCK_E, "4", "2", "1")
    + competence("evidensbaserad_praktik", "20", "10", "15")
    + competence("placerade_barn", "25", "10", "10")
    + competence("uppfoljning_utvardering", "30", "5", "10")
)
MALMO_2013 = (
    meta("1280", "2013", "2013-10-03")
    + block(BLOCK_A, "18", "2", "20", "2", "1,5", "0,5", "2")
    + block(BLOCK_B, "12", "4", "0")
    + block(BLOCK_D, "2,5", "0,5", "3", "1", "1", "0")
    + block(BLOCK_E, "2", "1", "0")
    + competence("evidensbaserad_praktik", "10", "4", "6")
    + competence("placerade_barn", "12", "4", "4")
    + competence("uppfoljning_utvardering", "10", "5", "5")
)
VASBY_2013 = meta("0114", "2013", "2013-10-05") + block(
    BLOCK_A, "10", "1", "11", "1", "1", "0", "1"
)
GOTEBORG_2015 = meta("1480", "2015", "2015-11-02") + block(
    BLOCK_A, "90", "10", "100", "12.25", "5", "1", "6"
)
STOCKHOLM_2016_EARLY = meta("0180", "2016", "2016-11-10") + block(
    BLOCK_A, "50", "5", "55", "6", "4", "1", "5"
)
STOCKHOLM_2016 = (
    meta("0180", "2016", "2016-11-20T14:30:00")
    + block(BLOCK_A, "44,25", "5,25", "49,5", "5", "4", "1", "5")
    + block(BLOCK_B, "32", "11", "3")
    + block(BLOCK_D, "5", "1", "6", "2", "1", "0")
    + block(BLOCK_E, "5", "3", "1")
    + competence("evidensbaserad_praktik", "25", "15", "5")
    + competence("placerade_barn", "28", "12", "5")
    + [
        ("uppf_medarbetarsamtal", "ja"),
        ("plan_handlaggare", "Ja"),
        ("genomfort_handlaggare", "delvis"),
    ]
)
MALMO_2016 = (
    meta("1280", "2016", "2016-11-15")
    # 19 + 2 is 21, not 22: hard rule A breaks and the whole block is left out.
    + block(BLOCK_A, "19", "2", "22", "2", "1", "0", "1")
    + block(BLOCK_B, "13", "5", "1")
    + competence("evidensbaserad_praktik", "12", "5", "3")
    + competence("placerade_barn", "14", "4", "2")
    + [("uppf_medarbetarsamtal", "nej"), ("genomfort_handlaggare", "ja")]
)
BJURHOLM_2016 = (
    meta("2403", "2016", "2016-11-18")
    + block(BLOCK_A, "3,5", "0,5", "4", "0,5", "1", "0", "1")
    + block(BLOCK_B, "2", "1", "0")
    # Partly answered: `saknar` of evidensbaserad praktik is missing, so the block is invalid.
    + [("komp_evidensbaserad_praktik_grund", "2"), ("komp_evidensbaserad_praktik_fordjupad", "1")]
    + [("uppf_medarbetarsamtal", "JA")]
)
GOTEBORG_2016 = (
    meta("1480", "2016", "2016-11-21 09:00")
    + block(BLOCK_A, "95", "12.5", "107.5", "10", "6", "2", "8")
    + block(BLOCK_B, "60", "20", "4")
    + competence("evidensbaserad_praktik", "50", "30", "20")
    + competence("placerade_barn", "60", "25", "15")
    + [("extra_fraga", "42")]
)
VASBY_2016 = meta("0114", "2016", "2016-11-22") + block(
    BLOCK_A, "10", "1", "11", "1", "1", "0", "1"
)


def write_csv(
    path: Path, rows: list[tuple[str, str]], delimiter: str = ";", encoding: str = "utf-8"
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["fraga", "svar"])
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[tuple[str, object]]) -> None:
    """A submission as Excel writes it: fraga and svar in columns A and B of the first sheet,
    each answer in its own cell type (a date cell, a number, text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Blankett")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["fraga", "svar"])
    for row, (question, answer) in enumerate(rows, start=1):
        sheet.write_string(row, 0, question)
        if isinstance(answer, dt.datetime):
            sheet.write_datetime(row, 1, answer, date_format)
        elif isinstance(answer, str):
            sheet.write_string(row, 1, answer)
        else:
            sheet.write_number(row, 1, answer)
    workbook.close()


def write_bjurholm_2014_xlsx(path: Path) -> None:
    """Filled in by hand in Excel: kommunkod as a number, inlamnad as a date cell, and a
    float artefact (3.3000000000000003) that the reader must round to 3.3."""
    write_xlsx(
        path,
        [
            ("kommunkod", 2403),
            ("ar", 2014),
            ("inlamnad", dt.datetime(2014, 11, 3)),
            ("handl_kvinnor", 3.3000000000000003),
            ("handl_man", 0.7),
            ("handl_totalt", 4),
            ("handl_socionom_lt1ar", 1),
            ("handl_utan_socionom_kvinnor", 0.5),
            ("handl_utan_socionom_man", 0),
            ("handl_utan_socionom_totalt", 0.5),
        ],
    )


def write_register(
    path: Path,
    ar: int,
    grants: dict[tuple[int, str, str], tuple[int, int, int]] = GRANTS,
) -> None:
    """The year's rekvisitioner.csv: every municipality and purpose, 0 where `grants` has none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            ["kommunkod", "andamal", "fordelat_sek", "rekvirerat_sek", "aterbetalt_sek"]
        )
        for kommunkod in sorted(municipality_codes()):
            for andamal in GRANT_PURPOSES:
                writer.writerow(
                    [kommunkod, andamal, *grants.get((ar, kommunkod, andamal), (0, 0, 0))]
                )


# Expected ledger: path → status (reason_code where rejected).
EXPECTED_LEDGER = {
    "2013/inventering/Kompetensinventering Stockholm 2013.csv": ("selected", None),
    "2013/inventering/malmo_2013.csv": ("selected", None),
    "2013/inventering/vasby.csv": ("selected", None),
    "2014/inventering/Bjurholm 2014.xlsx": ("selected", None),
    "2015/inventering/goteborg-2015.csv": ("selected", None),
    "2016/inventering/.gitkeep": ("ignored", None),
    "2016/inventering/anteckningar.txt": ("rejected", "unsupported_type"),
    "2016/inventering/fel_rubrik.csv": ("rejected", "bad_header"),
    "2016/inventering/stockholm_2016_final.csv": ("selected", None),
    "2016/inventering/stockholm_2016_final_kopia.csv": ("duplicate", None),
    "2016/inventering/stockholm_2016_utkast.csv": ("superseded", None),
    "2016/inventering/bjurholm.csv": ("selected", None),
    "2016/inventering/goteborg.csv": ("selected", None),
    "2016/inventering/malmo.csv": ("selected", None),
    "2016/inventering/vasby_2016.csv": ("selected", None),
}


def build_small_landing_zone(raw: Path) -> Path:
    for ar in (2013, 2014, 2015, 2016):
        write_register(raw / str(ar) / "rekvisitioner.csv", ar)
    inventering = {ar: raw / str(ar) / "inventering" for ar in (2013, 2014, 2015, 2016)}
    write_csv(inventering[2013] / "Kompetensinventering Stockholm 2013.csv", STOCKHOLM_2013)
    write_csv(inventering[2013] / "malmo_2013.csv", MALMO_2013)
    write_csv(inventering[2013] / "vasby.csv", VASBY_2013, delimiter="\t")
    write_bjurholm_2014_xlsx(inventering[2014] / "Bjurholm 2014.xlsx")
    write_csv(
        inventering[2015] / "goteborg-2015.csv", GOTEBORG_2015, delimiter=",", encoding="utf-8-sig"
    )
    write_csv(inventering[2016] / "stockholm_2016_utkast.csv", STOCKHOLM_2016_EARLY)
    write_csv(inventering[2016] / "stockholm_2016_final.csv", STOCKHOLM_2016)
    write_csv(inventering[2016] / "stockholm_2016_final_kopia.csv", STOCKHOLM_2016)
    write_csv(inventering[2016] / "malmo.csv", MALMO_2016)
    write_csv(inventering[2016] / "bjurholm.csv", BJURHOLM_2016, encoding="cp1252")
    write_csv(
        inventering[2016] / "goteborg.csv", GOTEBORG_2016, delimiter=",", encoding="utf-8-sig"
    )
    write_csv(inventering[2016] / "vasby_2016.csv", VASBY_2016)
    (inventering[2016] / ".gitkeep").write_text("")
    (inventering[2016] / "anteckningar.txt").write_text("Kom ihåg att skicka in blanketten.\n")
    (inventering[2016] / "fel_rubrik.csv").write_text("question;answer\nkommunkod;0180\n")
    return raw
