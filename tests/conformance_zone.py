"""The conformance landing zone: every rule of contract sections 2–7 as a named case.

Written by hand. Each file's text stands below as the municipality would have sent it, and
`LEDGER_CASES` says, per file, which section and rule it exercises and the ledger row the
contract asks for. tests/test_conformance.py runs the whole job over it and checks the ledger,
the issues and the chosen cells, whose values are worked out by hand there; nothing here is
computed by the code under test.

The municipalities and who is counted where (contract section 5; registers in GRANTS):

| kommunkod | name | participates | first year | counted in |
|---|---|---|---|---|
| 0114 | Upplands Väsby | 2013, 2016 | 2013 | row 2013 (its 2013 file), final (2016) |
| 0115 | Vallentuna | 2014, 2016 | 2014 | row 2014 (XLSX), final |
| 0117 | Österåker | 2015 | 2015 | row 2015, final (except block A, invalid) |
| 0120 | Värmdö | 2016 only | 2016 | nowhere: new in the final year |
| 0123 | Järfälla | 2014 (2013 repaid in full; 2014 partly repaid) | 2014 | row 2014 only; its 2013 file nowhere |
| 0125 | Ekerö | 2013, 2014 | 2013 | final; its 2014 file nowhere (not its first year) |
| 0126 | Huddinge | 2013–2015, allotted but not requisitioned 2016 | 2013 | final |
| 0127 | Botkyrka | 2013 | 2013 | sends nothing: ej_svar_2016 |
| 0180 | Stockholm | 2013, 2015 | 2013 | row 2013; its 2016 is a conflict, so absent |
| 1280 | Malmö | never (allotted, not requisitioned) | – | nowhere |
| 1480 | Göteborg | never (2015 repaid in full) | – | nowhere |
| 2403 | Bjurholm | never | – | nowhere |

The final population (Tables 1–10, row 2016 of Tables 11–14) is 0114, 0115, 0117, 0125, 0126.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from tests.landing_zone_fixture import write_register, write_xlsx

# Personal data that must never reach the warehouse or any output (contract sections 2 and 8).
CONTACT_NAME = "Göran Persondatasson"
CONTACT_EMAIL = "goran.persondatasson@example.se"
PERSONAL_DATA = (CONTACT_NAME, CONTACT_EMAIL)

# (ar, kommunkod, andamal) → (fordelat_sek, rekvirerat_sek, aterbetalt_sek); every other row 0.
GRANTS = {
    (2013, "0180", "inventering"): (250_000, 250_000, 0),
    (2013, "0180", "kompetensutveckling"): (3_056_887, 3_056_887, 0),
    (2015, "0180", "kompetensutveckling"): (1_000_000, 1_000_000, 0),
    (2013, "0114", "inventering"): (100_000, 100_000, 0),
    (2016, "0114", "kompetensutveckling"): (100_000, 100_000, 0),
    (2014, "0115", "kompetensutveckling"): (200_000, 200_000, 0),
    (2016, "0115", "kompetensutveckling"): (100_000, 100_000, 0),
    (2015, "0117", "kompetensutveckling"): (150_000, 150_000, 0),
    (2016, "0120", "kompetensutveckling"): (90_000, 90_000, 0),
    # Requisitioned and repaid in full: not a participant in 2013.
    (2013, "0123", "inventering"): (50_000, 50_000, 50_000),
    # Partly repaid: a participant in 2014.
    (2014, "0123", "kompetensutveckling"): (80_000, 80_000, 30_000),
    (2013, "0125", "inventering"): (60_000, 60_000, 0),
    (2014, "0125", "kompetensutveckling"): (60_000, 60_000, 0),
    (2013, "0126", "kompetensutveckling"): (70_000, 70_000, 0),
    (2014, "0126", "kompetensutveckling"): (70_000, 70_000, 0),
    (2015, "0126", "kompetensutveckling"): (70_000, 70_000, 0),
    # Allotted but not requisitioned: not a participant in 2016.
    (2016, "0126", "kompetensutveckling"): (70_000, 0, 0),
    (2013, "0127", "inventering"): (40_000, 40_000, 0),
    (2013, "1280", "inventering"): (30_000, 0, 0),
    (2015, "1480", "kompetensutveckling"): (20_000, 20_000, 20_000),
}
YEARS = (2013, 2014, 2015, 2016)

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def _meta(kommunkod: str, ar: str, inlamnad: str) -> str:
    return (
        f"kommunkod;{kommunkod}\nar;{ar}\ninlamnad;{inlamnad}\n"
        f"kontaktperson;{CONTACT_NAME}\nkontakt_epost;{CONTACT_EMAIL}\n"
    )


# --- the submissions that are counted ------------------------------------------------------

VASBY_2013 = (
    "fraga;svar\n"
    + _meta("0114", "2013", "2013-10-01")
    + "handl_kvinnor;8\nhandl_man;2\nhandl_totalt;10\nhandl_socionom_lt1ar;1\n"
    "handl_utan_socionom_kvinnor;1\nhandl_utan_socionom_man;1\nhandl_utan_socionom_totalt;2\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
    "komp_evidensbaserad_praktik_grund;2\nkomp_evidensbaserad_praktik_fordjupad;2\n"
    "komp_evidensbaserad_praktik_saknar;1\n"
    "komp_placerade_barn_grund;2\nkomp_placerade_barn_fordjupad;2\nkomp_placerade_barn_saknar;1\n"
    "komp_uppfoljning_utvardering_grund;1\nkomp_uppfoljning_utvardering_fordjupad;1\n"
    "komp_uppfoljning_utvardering_saknar;1\n"
)
STOCKHOLM_2013 = (
    "fraga;svar\n"
    + _meta("0180", "2013", "2013-10-02")
    + "handl_kvinnor;40\nhandl_man;5\nhandl_totalt;45\nhandl_socionom_lt1ar;4\n"
    "handl_utan_socionom_kvinnor;3\nhandl_utan_socionom_man;1\nhandl_utan_socionom_totalt;4\n"
    "handl_fortbildning;10\nhandl_vidareutbildning;4\nhandl_magister;2\n"
    "arbl_kvinnor;3\narbl_man;1\narbl_totalt;4\narbl_forsta_chefsjobb;1\n"
    "arbl_behov_kompetensutveckling;1\narbl_lt3ar_erfarenhet;1\n"
    "arbl_fortbildning;2\narbl_vidareutbildning;1\narbl_magister;1\n"
)
# Counted nowhere: Järfälla repaid its 2013 grant in full, so 2013 is not its first year.
JARFALLA_2013 = (
    "fraga;svar\n"
    + _meta("0123", "2013", "2013-10-03")
    + "handl_kvinnor;100\nhandl_man;0\nhandl_totalt;100\nhandl_socionom_lt1ar;0\n"
    "handl_utan_socionom_kvinnor;0\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;0\n"
)
# Vallentuna 2014 is an XLSX (written by `_write_vallentuna_2014`): kommunkod 115 as a number,
# inlamnad as a date cell, man 0.30000000000000004 (a float artefact read as 0.3):
# A = 6.7 + 0.3 = 7, socionom_lt1ar 1, utan socionom 0.5 + 0 = 0.5.
JARFALLA_2014 = (
    "fraga;svar\n"
    + _meta("0123", "2014", "2014-10-10")
    + "handl_kvinnor;3\nhandl_man;1\nhandl_totalt;4\nhandl_socionom_lt1ar;0\n"
    "handl_utan_socionom_kvinnor;1\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;1\n"
)
# Counted nowhere (Ekerö's first year is 2013), and block A breaks a rule anyway.
EKERO_2014 = (
    "FRAGA;SVAR\n"
    + _meta("0125", "2014", "2014-10-11")
    + "handl_kvinnor;3\nhandl_man;1\nhandl_totalt;4\nhandl_socionom_lt1ar;0\n"
    # 2 men without a degree, but only 1 man: A_utan_socionom_man_inom_man.
    "handl_utan_socionom_kvinnor;0\nhandl_utan_socionom_man;2\nhandl_utan_socionom_totalt;2\n"
)
OSTERAKER_2015 = (
    "fraga;svar\n"
    + _meta("0117", "2015", "2015-10-20")
    + "handl_kvinnor;4\nhandl_man;0\nhandl_totalt;4\nhandl_socionom_lt1ar;2\n"
    "handl_utan_socionom_kvinnor;0\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;0\n"
)
# Bjurholm takes part in nothing; the same bytes lie in 2016/ too (year_mismatch there).
BJURHOLM_2015 = (
    "fraga;svar\n"
    + _meta("2403", "2015", "2015-10-21")
    + "handl_kvinnor;1\nhandl_man;3\nhandl_totalt;4\nhandl_socionom_lt1ar;0\n"
    # 2 women without a degree, but only 1 woman: A_utan_socionom_kvinnor_inom_kvinnor.
    "handl_utan_socionom_kvinnor;2\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;2\n"
)

VASBY_2016 = (
    "fraga;svar\n"
    + _meta("0114", "2016", "2016-11-20")
    # White space around answers, a no-break space among it, is ignored (section 2).
    + f"handl_kvinnor;  10 \nhandl_man;{NBSP}2{NBSP}\nhandl_totalt;12\n"
    # 0.125 rounds half away from zero to 0.13 (half to even would give 0.12).
    "handl_socionom_lt1ar;0,125\n"
    "handl_utan_socionom_kvinnor;1\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;1\n"
    "handl_fortbildning;5\nhandl_vidareutbildning;2\nhandl_magister;1\n"
    "arbl_kvinnor;2\narbl_man;1\narbl_totalt;3\narbl_forsta_chefsjobb;1\n"
    "arbl_behov_kompetensutveckling;2\narbl_lt3ar_erfarenhet;1\n"
    "arbl_fortbildning;1\narbl_vidareutbildning;1\narbl_magister;0\n"
    "komp_evidensbaserad_praktik_grund;5\nkomp_evidensbaserad_praktik_fordjupad;4\n"
    "komp_evidensbaserad_praktik_saknar;3\n"
    "komp_placerade_barn_grund;6\nkomp_placerade_barn_fordjupad;4\nkomp_placerade_barn_saknar;2\n"
    "uppf_medarbetarsamtal;Ja\n"
    # The same question again with the same parsed answer: a warning, the answer is kept.
    "uppf_medarbetarsamtal;ja\n"
    "genomfort_handlaggare;delvis\n"
    # Not in the catalog, and not in the 2016 form: warnings, ignored.
    "extra_fraga;42\n"
    "komp_uppfoljning_utvardering_grund;3\n"
)
# Windows-1252, for the å in the contact's name; the tolerance case of the hard rules.
VALLENTUNA_2016 = (
    "fraga;svar\n"
    + _meta("0115", "2016", "2016-11-21")
    # 10.125 → 10.13 and 2.005 → 2.01 (half away from zero): 10.13 + 2.01 = 12.14 against
    # 12.13, off by 0.01, within the tolerance of 0.015: block A is valid.
    + "handl_kvinnor;10,125\nhandl_man;2,005\nhandl_totalt;12,13\n"
    # The same answer written two ways is one answer (a warning, not duplicate_question).
    "handl_totalt;12.13\n"
    "handl_socionom_lt1ar;1\n"
    "handl_utan_socionom_kvinnor;0,5\nhandl_utan_socionom_man;0,5\nhandl_utan_socionom_totalt;1\n"
    "handl_fortbildning;4\nhandl_vidareutbildning;3\nhandl_magister;3\n"
    # 3 first-time managers of 2: D_forsta_chefsjobb_inom_totalt.
    "arbl_kvinnor;1\narbl_man;1\narbl_totalt;2\narbl_forsta_chefsjobb;3\n"
    "arbl_behov_kompetensutveckling;0\narbl_lt3ar_erfarenhet;0\n"
    "arbl_fortbildning;2\narbl_vidareutbildning;1\narbl_magister;1\n"
    "komp_evidensbaserad_praktik_grund;6\nkomp_evidensbaserad_praktik_fordjupad;4\n"
    "komp_evidensbaserad_praktik_saknar;2\n"
    "komp_placerade_barn_grund;7\nkomp_placerade_barn_fordjupad;3\nkomp_placerade_barn_saknar;2\n"
    "uppf_medarbetarsamtal;nej\n"
    "genomfort_handlaggare;ja\n"
)
# In a subfolder, with an upper-case extension and the header in the other order and case.
OSTERAKER_2016 = (
    "Svar;FRAGA\n"
    "0117;kommunkod\n2016;ar\n2016-11-22;inlamnad\n"
    # 5 + 1.02 = 6.02 against 6: off by 0.02, outside the tolerance: A_handl_kon_summa.
    "5;handl_kvinnor\n1,02;handl_man\n6;handl_totalt\n0;handl_socionom_lt1ar\n"
    "0;handl_utan_socionom_kvinnor\n0;handl_utan_socionom_man\n0;handl_utan_socionom_totalt\n"
    "6;handl_fortbildning\n1;handl_vidareutbildning\n0;handl_magister\n"
    # 2 managers needing competence development of 1: D_behov_kompetensutveckling_inom_totalt.
    "1;arbl_kvinnor\n0;arbl_man\n1;arbl_totalt\n0;arbl_forsta_chefsjobb\n"
    "2;arbl_behov_kompetensutveckling\n0;arbl_lt3ar_erfarenhet\n"
    # E_magister_inom_vidareutbildning.
    "1;arbl_fortbildning\n0;arbl_vidareutbildning\n1;arbl_magister\n"
    # saknar is missing: the block is partly answered (missing_answer).
    "1;komp_evidensbaserad_praktik_grund\n1;komp_evidensbaserad_praktik_fordjupad\n"
    "2;komp_placerade_barn_grund\n2;komp_placerade_barn_fordjupad\n2;komp_placerade_barn_saknar\n"
    "JA ;uppf_medarbetarsamtal\n"
    "nej;genomfort_handlaggare\n"
)
EKERO_2016 = (
    "fraga;svar\n"
    + _meta("0125", "2016", "2016-11-23")
    + "handl_kvinnor;20\nhandl_man;5\nhandl_totalt;25\nhandl_socionom_lt1ar;2\n"
    "handl_utan_socionom_kvinnor;3\nhandl_utan_socionom_man;1\nhandl_utan_socionom_totalt;4\n"
    # 2 masters of 1 with further education: B_magister_inom_vidareutbildning.
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;2\n"
    # 3 managers with under three years' experience of 2: D_lt3ar_erfarenhet_inom_totalt.
    "arbl_kvinnor;2\narbl_man;0\narbl_totalt;2\narbl_forsta_chefsjobb;0\n"
    "arbl_behov_kompetensutveckling;0\narbl_lt3ar_erfarenhet;3\n"
    "arbl_fortbildning;-1\narbl_vidareutbildning;1\narbl_magister;0\n"
    # 20 + 5 + 1 = 26 fte with a level of competence, above handl_totalt 25: a warning only.
    "komp_evidensbaserad_praktik_grund;20\nkomp_evidensbaserad_praktik_fordjupad;5\n"
    "komp_evidensbaserad_praktik_saknar;1\n"
    "komp_placerade_barn_grund;10\nkomp_placerade_barn_fordjupad;10\n"
    "komp_placerade_barn_saknar;5\n"
    "uppf_medarbetarsamtal;kanske\n"
    "genomfort_handlaggare;Delvis\n"
)
# Comma-delimited UTF-8 with BOM; decimal commas quoted, as the contract asks.
HUDDINGE_2016 = (
    "fraga,svar\n"
    "kommunkod,0126\nar,2016\ninlamnad,2016-11-24T10:00\n"
    f"kontaktperson,{CONTACT_NAME}\nkontakt_epost,{CONTACT_EMAIL}\n"
    'handl_kvinnor,"7,5"\nhandl_man,"2,5"\nhandl_totalt,10\nhandl_socionom_lt1ar,1\n'
    "handl_utan_socionom_kvinnor,1\nhandl_utan_socionom_man,0\nhandl_utan_socionom_totalt,1\n"
    'handl_fortbildning,"2,5"\nhandl_vidareutbildning,1\nhandl_magister,0\n'
    # 1 + 1 is not 3: D_arbl_kon_summa.
    "arbl_kvinnor,1\narbl_man,1\narbl_totalt,3\narbl_forsta_chefsjobb,0\n"
    "arbl_behov_kompetensutveckling,0\narbl_lt3ar_erfarenhet,0\n"
    '"komp_evidensbaserad_praktik_grund","1,028.4"\n'
    "komp_evidensbaserad_praktik_fordjupad,1\nkomp_evidensbaserad_praktik_saknar,1\n"
    "komp_placerade_barn_grund,inf\nkomp_placerade_barn_fordjupad,1\n"
    "komp_placerade_barn_saknar,1\n"
)

# --- submissions that are selected but counted nowhere --------------------------------------

VARMDO_2016 = (
    "fraga;svar\n"
    + _meta("0120", "2016", "2016-11-25")
    # 1 + 1 is not 3: A_utan_socionom_kon_summa.
    + "handl_kvinnor;5\nhandl_man;5\nhandl_totalt;10\nhandl_socionom_lt1ar;1\n"
    "handl_utan_socionom_kvinnor;1\nhandl_utan_socionom_man;1\nhandl_utan_socionom_totalt;3\n"
    # New in 2016: this yes counts in no figure.
    "uppf_medarbetarsamtal;ja\n"
)
STOCKHOLM_2016_DRAFT = (
    "fraga;svar\n"
    + _meta("0180", "2016", "2016-11-15")
    + "handl_fortbildning;8\nhandl_vidareutbildning;2\nhandl_magister;1\n"
)
# Defect 1 of the conformance issue: two different files with the same latest inlamnad.
STOCKHOLM_2016_CONFLICT_A = (
    "fraga;svar\nkommunkod;0180\nar;2016\ninlamnad;2016-12-20\nhandl_fortbildning;10\n"
)
STOCKHOLM_2016_CONFLICT_B = (
    "fraga;svar\nkommunkod;0180\nar;2016\ninlamnad;2016-12-20\nhandl_fortbildning;15\n"
)
# A date without a time is the start of that day: the file with 09:00 is the later one.
MALMO_2016_DATE = "fraga;svar\n" + _meta("1280", "2016", "2016-11-30") + "handl_fortbildning;1\n"
MALMO_2016_DATETIME = (
    "fraga;svar\n"
    + _meta("1280", "2016", "2016-11-30T09:00")
    # Thousands separated by a space, a no-break space and a narrow no-break space are numbers;
    # above 1000 fte each is a warning, and the block is valid.
    + "handl_kvinnor;1 028,4\nhandl_man;0\n"
    f"handl_totalt;1{NBSP}028,40\nhandl_socionom_lt1ar;1{NARROW_NBSP}000\n"
    "handl_utan_socionom_kvinnor;0\nhandl_utan_socionom_man;0\nhandl_utan_socionom_totalt;0\n"
)
GOTEBORG_2016 = (
    "fraga,svar\n"
    "kommunkod,1480\nar,2016\ninlamnad,2016-11-20\n"
    # 8 + 3 = 11 above 10: A_varav_inom_totalt.
    "handl_kvinnor,5\nhandl_man,5\nhandl_totalt,10\nhandl_socionom_lt1ar,8\n"
    "handl_utan_socionom_kvinnor,2\nhandl_utan_socionom_man,1\nhandl_utan_socionom_totalt,3\n"
    # An unquoted decimal comma in a comma-delimited file: three fields, never cut short to
    # 1: arbl_kvinnor is unparseable (and no arbl_kon_summa follows from a value 1).
    'arbl_kvinnor,1,5\narbl_man,0\narbl_totalt,"1,5"\narbl_forsta_chefsjobb,0\n'
    "arbl_behov_kompetensutveckling,0\narbl_lt3ar_erfarenhet,0\n"
)
# Later than GOTEBORG_2016 but rejected, so it supersedes nothing.
GOTEBORG_2016_CORRECTION = (
    "fraga;svar\nkommunkod;1480\nar;2016\ninlamnad;2016-12-01\nhandl_totalt;10\nhandl_totalt;11\n"
)

# --- files the ledger rejects ----------------------------------------------------------------

BAD_HEADER = "question;answer\nkommunkod;0180\nar;2016\ninlamnad;2016-11-01\n"
# No inlamnad, and a question twice with different answers: missing_metadata comes first.
MISSING_INLAMNAD = "fraga;svar\nkommunkod;0180\nar;2016\nhandl_totalt;1\nhandl_totalt;2\n"
# Neither the municipality nor the year can be read: unknown_municipality comes first.
UNKNOWN_MUNICIPALITY = "fraga;svar\nkommunkod;9999\nar;16\ninlamnad;2016-11-01\n"
# kommunkod,0180,x has three fields: the metadata answer is unparseable, never cut to 0180.
KOMMUNKOD_EXTRA_FIELD = "fraga,svar\nkommunkod,0180,x\nar,2016\ninlamnad,2016-11-01\n"
BAD_YEAR = "fraga;svar\nkommunkod;0180\nar;16\ninlamnad;2016-11-01\n"
# A 2015 file in the 2016 folder, whose inlamnad cannot be read either: year_mismatch first.
WRONG_YEAR_FOLDER = "fraga;svar\nkommunkod;0180\nar;2015\ninlamnad;förra veckan\n"
BAD_TIMESTAMP = "fraga;svar\nkommunkod;0180\nar;2016\ninlamnad;30/11/2016\n"


@dataclass(frozen=True)
class LedgerCase:
    path: str  # relative to the raw dir
    section: str  # the contract section (and rule) the case exercises
    status: str
    reason_code: str | None = None


LEDGER_CASES = (
    LedgerCase("2013/inventering/0114_vasby_2013.csv", "5 first year 2013", "selected"),
    LedgerCase("2013/inventering/0123_jarfalla_2013.csv", "5 repaid in full", "selected"),
    LedgerCase("2013/inventering/0180_stockholm_2013.csv", "5 first year 2013", "selected"),
    LedgerCase("2014/inventering/0115_vallentuna_2014.Xlsx", "2 XLSX, 3 extension", "selected"),
    LedgerCase("2014/inventering/0123_jarfalla_2014.csv", "5 partly repaid", "selected"),
    LedgerCase("2014/inventering/0125_ekero_2014.csv", "2 header case, 5", "selected"),
    LedgerCase("2015/inventering/0117_osteraker_2015.csv", "5 first year 2015", "selected"),
    LedgerCase("2015/inventering/2403_bjurholm_2015.csv", "3 identical in two folders", "selected"),
    LedgerCase("2016/inventering/.gitkeep", "3 step 1 dot-file", "ignored"),
    LedgerCase("2016/inventering/.anteckning.txt", "3 step 1 before step 2", "ignored"),
    LedgerCase("2016/inventering/0114_vasby_2016.csv", "2 values, 4 warnings", "selected"),
    LedgerCase("2016/inventering/0114_vasby_2016_kopia.csv", "3 step 3 duplicate", "duplicate"),
    LedgerCase("2016/inventering/0115_vallentuna_2016.csv", "2 cp1252, 4 tolerance", "selected"),
    LedgerCase("2016/inventering/0120_varmdo_2016.csv", "5 new in 2016", "selected"),
    LedgerCase("2016/inventering/0125_ekero_2016.csv", "4 rules", "selected"),
    LedgerCase("2016/inventering/0126_huddinge_2016.csv", "2 comma, quoted", "selected"),
    LedgerCase("2016/inventering/0180_stockholm_2016_a.csv", "3 conflict", "conflict"),
    LedgerCase("2016/inventering/0180_stockholm_2016_b.csv", "3 conflict", "conflict"),
    LedgerCase("2016/inventering/0180_stockholm_2016_utkast.csv", "3 superseded", "superseded"),
    LedgerCase("2016/inventering/1280_malmo_2016_datum.csv", "3 date < date-time", "superseded"),
    LedgerCase("2016/inventering/1280_malmo_2016_klockslag.csv", "3 date-time", "selected"),
    LedgerCase("2016/inventering/1480_goteborg_2016.csv", "3 rejected later file", "selected"),
    LedgerCase(
        "2016/inventering/1480_goteborg_2016_rattelse.csv",
        "3 duplicate_question",
        "rejected",
        "duplicate_question",
    ),
    LedgerCase(
        "2016/inventering/2403_bjurholm_2015_kopia.csv",
        "3 identical in two folders: not a duplicate",
        "rejected",
        "year_mismatch",
    ),
    LedgerCase(
        "2016/inventering/Inskickat/december/0117_OSTERAKER_2016.CSV",
        "3 subfolder, extension case; 2 header order",
        "selected",
    ),
    LedgerCase(
        "2016/inventering/avvisade/anteckningar.txt", "3 step 2", "rejected", "unsupported_type"
    ),
    LedgerCase("2016/inventering/avvisade/lank.csv", "3 step 2", "rejected", "symlink"),
    LedgerCase(
        "2016/inventering/avvisade/lank.txt",
        "3 step 2: unsupported_type before symlink",
        "rejected",
        "unsupported_type",
    ),
    LedgerCase("2016/inventering/avvisade/stor.csv", "3 step 2", "rejected", "too_large"),
    LedgerCase("2016/inventering/avvisade/tom.csv", "3 step 2", "rejected", "empty"),
    LedgerCase(
        "2016/inventering/avvisade/tom_kopia.csv",
        "3 step 2 before step 3",
        "rejected",
        "empty",
    ),
    LedgerCase("2016/inventering/avvisade/trasig.xlsx", "3 step 4", "rejected", "unreadable"),
    LedgerCase("2016/inventering/avvisade/fel_rubrik.csv", "3 step 4", "rejected", "bad_header"),
    LedgerCase(
        "2016/inventering/avvisade/fel_rubrik_kopia.csv", "3 step 3 before step 4", "duplicate"
    ),
    LedgerCase(
        "2016/inventering/avvisade/utan_inlamnad.csv",
        "3 step 4 order",
        "rejected",
        "missing_metadata",
    ),
    LedgerCase(
        "2016/inventering/avvisade/okand_kommun.csv",
        "3 step 4 order",
        "rejected",
        "unknown_municipality",
    ),
    LedgerCase(
        "2016/inventering/avvisade/kommunkod_extra_falt.csv",
        "2 extra field in a metadata row",
        "rejected",
        "unknown_municipality",
    ),
    LedgerCase("2016/inventering/avvisade/fel_ar.csv", "3 step 4", "rejected", "bad_year"),
    LedgerCase(
        "2016/inventering/avvisade/fel_arsmapp.csv",
        "3 step 4 order: year_mismatch before bad_timestamp",
        "rejected",
        "year_mismatch",
    ),
    LedgerCase("2016/inventering/avvisade/fel_datum.csv", "3 step 4", "rejected", "bad_timestamp"),
)

MAX_FILE_BYTES = 1_048_576  # contract section 3: over 1 MiB on disk is too_large


def _write(raw: Path, path: str, content: str | bytes, encoding: str = "utf-8") -> None:
    target = raw / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))


def _write_vallentuna_2014(target: Path) -> None:
    write_xlsx(
        target,
        [
            ("kommunkod", 115),
            ("ar", 2014),
            ("inlamnad", dt.datetime(2014, 10, 9)),
            ("kontaktperson", CONTACT_NAME),
            ("handl_kvinnor", 6.7),
            ("handl_man", 0.30000000000000004),
            ("handl_totalt", 7),
            ("handl_socionom_lt1ar", 1),
            ("handl_utan_socionom_kvinnor", 0.5),
            ("handl_utan_socionom_man", 0),
            ("handl_utan_socionom_totalt", 0.5),
        ],
    )


def build_conformance_landing_zone(raw: Path) -> Path:
    """Write the conformance landing zone under `raw` and return it."""
    for ar in YEARS:
        write_register(raw / str(ar) / "rekvisitioner.csv", ar, GRANTS)
    files: dict[str, str | bytes] = {
        "2013/inventering/0114_vasby_2013.csv": VASBY_2013,
        "2013/inventering/0123_jarfalla_2013.csv": JARFALLA_2013,
        "2013/inventering/0180_stockholm_2013.csv": STOCKHOLM_2013,
        "2014/inventering/0123_jarfalla_2014.csv": JARFALLA_2014,
        "2014/inventering/0125_ekero_2014.csv": EKERO_2014,
        "2015/inventering/0117_osteraker_2015.csv": OSTERAKER_2015,
        "2015/inventering/2403_bjurholm_2015.csv": BJURHOLM_2015,
        "2016/inventering/.gitkeep": "",
        "2016/inventering/.anteckning.txt": "Glöm inte blanketten.\n",
        "2016/inventering/0114_vasby_2016.csv": VASBY_2016,
        "2016/inventering/0114_vasby_2016_kopia.csv": VASBY_2016,
        "2016/inventering/0115_vallentuna_2016.csv": VALLENTUNA_2016.encode("cp1252"),
        "2016/inventering/0120_varmdo_2016.csv": VARMDO_2016,
        "2016/inventering/0125_ekero_2016.csv": EKERO_2016,
        "2016/inventering/0126_huddinge_2016.csv": b"\xef\xbb\xbf" + HUDDINGE_2016.encode(),
        "2016/inventering/0180_stockholm_2016_a.csv": STOCKHOLM_2016_CONFLICT_A,
        "2016/inventering/0180_stockholm_2016_b.csv": STOCKHOLM_2016_CONFLICT_B,
        "2016/inventering/0180_stockholm_2016_utkast.csv": STOCKHOLM_2016_DRAFT,
        "2016/inventering/1280_malmo_2016_datum.csv": MALMO_2016_DATE,
        "2016/inventering/1280_malmo_2016_klockslag.csv": MALMO_2016_DATETIME,
        "2016/inventering/1480_goteborg_2016.csv": GOTEBORG_2016,
        "2016/inventering/1480_goteborg_2016_rattelse.csv": GOTEBORG_2016_CORRECTION,
        "2016/inventering/2403_bjurholm_2015_kopia.csv": BJURHOLM_2015,
        "2016/inventering/Inskickat/december/0117_OSTERAKER_2016.CSV": OSTERAKER_2016,
        "2016/inventering/avvisade/anteckningar.txt": "Kom ihåg att skicka in blanketten.\n",
        # One byte over the limit, however readable it would be.
        "2016/inventering/avvisade/stor.csv": "fraga;svar\n"
        + "x" * (MAX_FILE_BYTES + 1 - len("fraga;svar\n")),
        "2016/inventering/avvisade/tom.csv": "",
        "2016/inventering/avvisade/tom_kopia.csv": "",
        # Text in a file named .xlsx: no zip archive, so no workbook.
        "2016/inventering/avvisade/trasig.xlsx": "Det här är ingen arbetsbok.\n",
        "2016/inventering/avvisade/fel_rubrik.csv": BAD_HEADER,
        "2016/inventering/avvisade/fel_rubrik_kopia.csv": BAD_HEADER,
        "2016/inventering/avvisade/utan_inlamnad.csv": MISSING_INLAMNAD,
        "2016/inventering/avvisade/okand_kommun.csv": UNKNOWN_MUNICIPALITY,
        "2016/inventering/avvisade/kommunkod_extra_falt.csv": KOMMUNKOD_EXTRA_FIELD,
        "2016/inventering/avvisade/fel_ar.csv": BAD_YEAR,
        "2016/inventering/avvisade/fel_arsmapp.csv": WRONG_YEAR_FOLDER,
        "2016/inventering/avvisade/fel_datum.csv": BAD_TIMESTAMP,
    }
    for path, content in files.items():
        _write(raw, path, content)
    _write_vallentuna_2014(raw / "2014/inventering/0115_vallentuna_2014.Xlsx")
    # Symlinks are never followed, whatever they point to.
    links = raw / "2016/inventering/avvisade"
    os.symlink("../0114_vasby_2016.csv", links / "lank.csv")
    os.symlink("../0114_vasby_2016.csv", links / "lank.txt")
    _write_issue_23_files(raw)
    return raw


# === Issue 23: every row accounted for (contract section 2, amended 2026-12-07) ================
#
# Municipalities that take part in nothing (no grants above), so their selected files are
# counted in no table and each case shows only in the ledger and quality.issues. Each file is
# named for the point of the issue it exercises; its expected ledger row is below and its issues
# in tests/test_conformance.py (ISSUE_23_ISSUES), worked out by hand from the text here.
ISSUE_23 = "2016/inventering/nummer23/"

# Point 1: a `;` file whose row uses a comma after a catalog id: that answer is unparseable
# (block B invalid); a row with no delimiter and no catalog id at its start: a warning (line 8).
ROW_WITH_A_COMMA = (
    "fraga;svar\nkommunkod;0128\nar;2016\ninlamnad;2016-11-20\n"
    "handl_fortbildning,3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
    "Anteckning utan semikolon\n"
)
# Point 1, metadata: kommunkod followed by a tab: the file is rejected with kommunkod's code.
KOMMUNKOD_WITH_A_TAB = "fraga;svar\nkommunkod\t0136\nar;2016\ninlamnad;2016-11-20\n"
# Point 1: a typo with an empty answer is an unknown id, warned about without an answer.
TYPO_WITHOUT_ANSWER = (
    "fraga;svar\nkommunkod;0138\nar;2016\ninlamnad;2016-11-20\n"
    "handl_fortbildnig;\nhandl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
)
# Point 2: a comment of 140 000 characters (a field over the csv module's 128 KiB default):
# the unknown question kommentar's warning, not an unreadable file.
LONG_COMMENT = (
    "fraga;svar\nkommunkod;0139\nar;2016\ninlamnad;2016-11-20\n"
    f"kommentar;{'Lång kommentar. ' * 8750}\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
)
# Point 3: a question of the 2013–2015 forms twice with different answers in a 2016 file:
# ignored (one warning per row), so not duplicate_question.
OLD_QUESTION_TWICE = (
    "fraga;svar\nkommunkod;0140\nar;2016\ninlamnad;2016-11-20\n"
    "komp_uppfoljning_utvardering_grund;1\nkomp_uppfoljning_utvardering_grund;2\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
)
# Point 4: inlamnad in the basic form: 2016-12-31 at midnight.
BASIC_DATE = (
    "fraga;svar\nkommunkod;0160\nar;2016\ninlamnad;20161231\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
)
# Point 5: 31 digits before the decimal mark are unparseable; 30 are a number.
MANY_DIGITS = (
    "fraga;svar\nkommunkod;0162\nar;2016\ninlamnad;2016-11-20\n"
    f"handl_fortbildning;{'1' * 31}\nhandl_vidareutbildning;{'9' * 30}\nhandl_magister;0\n"
)
# Point 6: an XLSX whose handl_fortbildning is typed in column C, B empty (written by
# `_write_issue_23_files`): unparseable, never "not answered".
BEYOND_COLUMN_B = [
    ("kommunkod", "0163"),
    ("ar", 2016),
    ("inlamnad", "2016-11-20"),
    ("handl_fortbildning", None, 3),
    ("handl_vidareutbildning", 1),
    ("handl_magister", 0),
]
# Point 7: a UTF-16 file holds NUL bytes: unreadable.
UTF16 = BASIC_DATE.replace("0160", "0181")
# Point 8 needs no file of its own: row 2014 of Tables 13 and 14 (blocks D and E) has nobody
# counted, since neither 2014 first-year file (0115, 0123) answers D or E: N 0, sums 0, shares
# NULL (tests/test_conformance.py).
# Point 9: a 2017 folder with its register (all 0) and one early file from Upplands Väsby, a
# participant before 2016: read and selected, and Tables 1–10 stay those of 2016, the final
# inventory year of the reference data. The forms of the catalog end in 2016, so its one answer
# is a question outside the year's form (a warning).
VASBY_2017_PATH = "2017/inventering/0114_vasby_2017.csv"
VASBY_2017 = "fraga;svar\n" + _meta("0114", "2017", "2017-03-01") + "handl_totalt;99\n"
# Point 10: a file name in Latin-1, not UTF-8 (Ödeshög); the ledger escapes its bytes.
LATIN1_NAME = os.fsdecode(ISSUE_23.encode() + b"\xd6desh\xf6g.csv")
LATIN1_NAME_IN_LEDGER = ISSUE_23 + "\\xd6desh\\xf6g.csv"
LATIN1_CONTENT = (
    "fraga;svar\nkommunkod;0509\nar;2016\ninlamnad;2016-11-20\n"
    "handl_fortbildning;3\nhandl_vidareutbildning;1\nhandl_magister;0\n"
)

ISSUE_23_LEDGER_CASES = (
    LedgerCase(ISSUE_23 + "1_komma_i_semikolonfil.csv", "2 row without delimiter", "selected"),
    LedgerCase(
        ISSUE_23 + "1_kommunkod_med_tabb.csv",
        "2 metadata row without delimiter",
        "rejected",
        "unknown_municipality",
    ),
    LedgerCase(ISSUE_23 + "1_stavfel_utan_svar.csv", "2 unknown id without answer", "selected"),
    LedgerCase(ISSUE_23 + "2_lang_kommentar.csv", "2 no field limit below 1 MiB", "selected"),
    LedgerCase(ISSUE_23 + "3_gammal_fraga_tva_ganger.csv", "2 ignored id twice", "selected"),
    LedgerCase(ISSUE_23 + "4_basdatum.csv", "2 inlamnad in basic form", "selected"),
    LedgerCase(ISSUE_23 + "5_manga_siffror.csv", "2 more than 30 digits", "selected"),
    LedgerCase(ISSUE_23 + "6_kolumn_c.xlsx", "2 XLSX value beyond column B", "selected"),
    LedgerCase(ISSUE_23 + "7_utf16.csv", "2 NUL bytes", "rejected", "unreadable"),
    LedgerCase(LATIN1_NAME_IN_LEDGER, "10 a file name not in UTF-8", "selected"),
    LedgerCase(VASBY_2017_PATH, "5 a year after the final inventory year", "selected"),
)
LEDGER_CASES += ISSUE_23_LEDGER_CASES
# Ledger path → the file's name on disk under the raw dir, where the two differ.
ON_DISK = {LATIN1_NAME_IN_LEDGER: LATIN1_NAME}


def _write_issue_23_files(raw: Path) -> None:
    files: dict[str, str | bytes] = {
        ISSUE_23 + "1_komma_i_semikolonfil.csv": ROW_WITH_A_COMMA,
        ISSUE_23 + "1_kommunkod_med_tabb.csv": KOMMUNKOD_WITH_A_TAB,
        ISSUE_23 + "1_stavfel_utan_svar.csv": TYPO_WITHOUT_ANSWER,
        ISSUE_23 + "2_lang_kommentar.csv": LONG_COMMENT,
        ISSUE_23 + "3_gammal_fraga_tva_ganger.csv": OLD_QUESTION_TWICE,
        ISSUE_23 + "4_basdatum.csv": BASIC_DATE,
        ISSUE_23 + "5_manga_siffror.csv": MANY_DIGITS,
        ISSUE_23 + "7_utf16.csv": UTF16.encode("utf-16"),
        LATIN1_NAME: LATIN1_CONTENT,
        VASBY_2017_PATH: VASBY_2017,
    }
    write_register(raw / "2017" / "rekvisitioner.csv", 2017, GRANTS)
    for path, content in files.items():
        _write(raw, path, content)
    workbook = xlsxwriter.Workbook(str(raw / ISSUE_23 / "6_kolumn_c.xlsx"))
    sheet = workbook.add_worksheet("Blankett")
    for row, cells in enumerate([("fraga", "svar"), *BEYOND_COLUMN_B]):
        for column, value in enumerate(cells):
            if value is not None:
                sheet.write(row, column, value)
    workbook.close()


# === end of issue 23 ===========================================================================
