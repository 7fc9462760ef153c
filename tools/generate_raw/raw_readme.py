"""raw/README.md: what the synthetic data are, how they were calibrated, who is in which group.

Written by the generator together with the data, so the lists below always describe the files
beside them.
"""

from __future__ import annotations

from statistics import median

from assets.ingest.landing_zone import SYNTHETIC_MARKER

from .answers import Answer
from .design import EMPTY, FINAL_YEAR, ONLY_REJECTED, VALID, YEARS, Design, SubmissionPlan
from .files import Upload
from .grants import RegisterRow, metropolitan_factor
from .randomness import SEED
from .reference import Municipality

BLOCK_TABLES = {
    "A_handlaggare": "Tables 1, 11",
    "B_handlaggare_utbildning": "Tables 2, 12",
    "C_socialt_arbete": "Table 3 socialt arbete, Table 4",
    "C_juridik": "Table 3 juridik, Table 5",
    "C_psykologi": "Table 3 psykologi, Table 6",
    "C_samhallsvetenskap": "Table 3 samhällsvetenskap, Table 7",
    "C_ebp_placerade_barn": "Table 3 EBP, Table 8",
    "D_arbetsledare": "Tables 9, 13",
    "E_arbetsledare_utbildning": "Tables 10, 14",
}

INTRO = """\
{marker}
# raw/: synthetic submissions (not real data)

**Everything in this folder is synthetic.** The municipalities' real competence inventories of
2013–2016 are not public; only the aggregates of Socialstyrelsen's final report (2017, Tables
1–14 and figures in its text) are. These files are a made-up stand-in, calibrated so that the
pipeline recomputes the published report from them. No value here describes a real
municipality, and the contact persons and e-mail addresses are invented (common Swedish first
and last names combined at random).

Do not edit these files by hand. They are written by `tools/generate_raw` (seed {seed}):

    python -m tools.generate_raw --out raw --replace

The generator also writes this README's first line, a comment the publication looks for: a build
from a landing zone that has it says in rapport.html and tabeller.xlsx that its figures are
synthetic.

`tests/test_generate_raw.py` regenerates them and compares every file's SHA-256 with this folder.

## What is here

| year | rekvisitioner.csv rows | files in inventering/ |
|---|---|---|
{inventory}

- `<year>/rekvisitioner.csv`: the grant register, one row per municipality and purpose, all 290
  municipalities. 2013 has two purposes, `inventering` (20 MSEK) and `kompetensutveckling`
  (37 MSEK); 2014–2016 have `kompetensutveckling` only (57, 57 and 24 MSEK): the report
  describes the later years' money as competence development, and a newcomer's inventory was a
  condition of that money rather than a purpose of its own.
- `<year>/inventering/`: one file per upload, named the way uploads are (file names carry no
  meaning). Most are web-form CSV (`;`, decimal comma, UTF-8, every question of the year's
  form, unanswered ones empty); the others were saved again in Excel (Windows-1252 or UTF-8 with
  BOM, date without time), exported with `,` and decimal point, tab-separated with the columns
  swapped, or filled in by hand in an XLSX template (kommunkod as a number, inlämnad as an
  Excel date, the odd float artefact such as 0.7500000000000001, `Ja`/`Delvis`).

## How the data were made and calibrated

- **Allotments** (`fordelat_sek`) follow the report's description: a key by municipality group
  and size with a floor of 50 000 kr for small municipalities, summing to each appropriation to
  the krona. Competence-development money: population × SKR-group factor (rural groups C8/C9
  higher), floor 50 000 kr. The factor of the three metropolitan municipalities (A1, {a1_factor})
  is the one that gives Stockholm the 3 056 887 kr of its 2013 decision letter, and Stockholm is
  then fixed to that krona. The 2013 inventory money goes by population alone, at least
  50 000 kr and at most 250 000 kr (Stockholm's amount). Most municipalities requisition their
  whole allotment; some ask for less or pay part of it back.
- **Answers** come from a plain model: caseworker FTE grow with population (a base unit plus
  0.52 per 1 000 inhabitants) and vary by SKR group and municipality, from {bjurholm} FTE in
  Bjurholm to {stockholm} in Stockholm (2016); about nine in ten are women; municipalities
  with fewer than ten caseworkers report whole quarters of an FTE. Education, supervisors and
  the competence profiles (three levels in 26 subareas) vary by SKR group (cities more
  *fördjupad*, rural municipalities more *saknar*), by area and by municipality; before the
  grant (2013–2015) more caseworkers lack competence.
- **Calibration**: for each figure a published row counts, the values of the municipalities that
  row counts are scaled to the published sum and rounded to whole hundredths of an FTE (or whole
  persons) by largest remainder, within every hard rule of the form (kvinnor + män = totalt,
  *varav* within their totals, magister within vidareutbildning, competence within
  handl_totalt). The model's sums were already within a few per cent of the published ones, so
  the scale factors are close to 1. Where the report prints both rounded parts and their rounded
  sum (Table 1 and the 2016 row of Table 11, the competence levels and their totals), the sums are
  chosen inside every rounding interval at once. Shares published without a numerator (rows
  2013–2015 of Tables 11–14, EBP 2013) get the numerator nearest the share that rounds to it.
- Submissions in no published row (the newcomers of 2016, invalid blocks, superseded versions)
  keep their model values.

## Group assignment, and why it is consistent

The report's counts pin down the group sizes; the members are drawn with the fixed seed, small
municipalities being likelier to join late, to skip a year and to leave questions unanswered.

- **262** municipalities participated in 2013. 263 requisitioned inventory money, but the 263rd
  ({returned}) paid all of it back, so 2013 was not a year it participated (participation =
  `rekvirerat_sek > aterbetalt_sek`); it joined in 2014. That is how 263 + 14 + 6 = 283 becomes
  282: **262 + 14 + 6 = 282** participated at some time in 2013–2015.
- **234** of the 262 also requisitioned the 2013 competence-development money.
- **2014**: 255 requisitioned = the **14** newcomers + 241 of the 262 (21 sat the year out).
- **2015**: 259 requisitioned; **4** paid everything back and so did not participate; the 255
  participants = the **6** newcomers + 249 earlier participants.
- **2016**: 273 requisitioned = the **6** newcomers + 267 of the 282; the other **15** of the 282
  did not take part in 2016 (they were sent the web form all the same).
- **2** municipalities never took part: 282 + 6 + 2 = 290.
- Of the 282, **245** are counted in Table 1 and **37** are not: {nonresponse_breakdown}.
  Non-response is not random: the median population of the 37 is {median_nonresponders}, of the
  245 it is {median_responders}; those that had left the grant in 2016 answered less often.
- Within the 2016 population each table counts the municipalities whose block is valid (the
  follow-up questions likewise: 243, 243, 245 and 237 answered):
{block_counts}
- The first-year rows count 2013: {n_2013} of the 262 sent an inventory (one did not), {a_2013}
  with a valid block A; 2014 and 2015: all 14 and all 6, every block valid.

The groups by name:

{groups}

## Files the ledger and the validation treat specially

{special_files}

Every other file is a plain submission: `selected`, every answered block valid.

## Published figures that cannot be reproduced

Recomputed from consistent data three published figures come out `deviates`, because the
published figures contradict each other:

- Table 5, *Offentlig rätt*, `totalt`: published 4 400,8, but its published parts add up to
  4 401,1 (contract section 9).
- Table 4, *Planering insatser*, `grundlaggande_andel`: published 61, but 2 625,6 of 4 451,7
  is 59,0 (contract section 9).
- Text figure `stockholm_2013_totalt_sek`: the decision letter gives Stockholm 250 000 kr for
  the inventory and 3 056 887 kr for competence development, which add up to 3 306 887 kr, not
  the 3 307 887 kr it states as the total. The register reproduces both parts; the total is
  therefore 1 000 kr below the published one.

Every other published cell reconciles (`match`, or a share `within_tolerance` where the report
rounded a row to add up to 100), and every other text figure is equal to the published value.
"""


def _name(m: Municipality) -> str:
    return f"{m.kommun} ({m.kommunkod})"


def _listing(title: str, members: list[Municipality]) -> str:
    names = ", ".join(_name(m) for m in sorted(members, key=lambda m: m.kommunkod))
    return f"- **{title}** ({len(members)}): {names}."


def _counted(plan: SubmissionPlan | None, block: str) -> bool:
    return plan is not None and plan.counted and plan.blocks[block] == VALID


def _why_not_in_table_1(plan: SubmissionPlan | None) -> str:
    if plan is None:
        return "sent no 2016 inventory"
    if ONLY_REJECTED in plan.events:
        return "sent only a file the ledger rejects"
    if plan.blocks["A_handlaggare"] == EMPTY:
        return "answered only the follow-up questions"
    if all(state == EMPTY for block, state in plan.blocks.items() if block != "A_handlaggare"):
        return "left block A invalid and the rest empty"
    return "left block A invalid but answered the rest (counted in the other tables)"


def render_readme(
    design: Design,
    answers: dict[int, dict[str, dict[str, Answer]]],
    registers: dict[int, list[RegisterRow]],
    uploads: dict[int, list[Upload]],
    municipalities: tuple[Municipality, ...],
) -> str:
    by_code = {m.kommunkod: m for m in municipalities}
    final_plans = design.plans[FINAL_YEAR]
    earlier = sorted(
        code for code, year in design.first_year.items() if year is not None and year < FINAL_YEAR
    )
    in_table_1 = [code for code in earlier if _counted(final_plans.get(code), "A_handlaggare")]
    reasons: dict[str, list[Municipality]] = {}
    for code in earlier:
        if code not in in_table_1:
            reasons.setdefault(_why_not_in_table_1(final_plans.get(code)), []).append(by_code[code])
    by_size = sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0]))
    not_in_table_1 = [m.kommunkod for members in reasons.values() for m in members]

    def median_population(codes: list[str]) -> str:
        return f"{int(median(by_code[c].population[FINAL_YEAR] for c in codes)):,}".replace(
            ",", " "
        )

    def cohort(year: int | None) -> list[Municipality]:
        return [by_code[code] for code, first in design.first_year.items() if first == year]

    returned = by_code[min(design.repaid_in_full[2013])]
    groups = [
        _listing("First year 2014", cohort(2014))
        + f" {_name(returned)} had requisitioned the 2013 inventory money and paid it back.",
        _listing("First year 2015", cohort(2015)),
        _listing(
            "First year 2016 (they send a 2016 inventory, which no table counts)", cohort(2016)
        ),
        _listing("Never took part", cohort(None)),
        _listing("Paid everything back in 2015", [by_code[c] for c in design.repaid_in_full[2015]]),
        _listing(
            "Took part 2013–2015 but not in 2016",
            [by_code[c] for c in earlier if c not in design.participants[FINAL_YEAR]],
        ),
        *(
            _listing(f"Not counted in Table 1: {reason}", members)
            for reason, members in sorted(reasons.items())
        ),
    ]
    special = [
        f"- `{year}/inventering/{upload.file_name}` ({_name(by_code[upload.kommunkod])}): {upload.note}"
        for year in YEARS
        for upload in sorted(uploads[year], key=lambda u: u.file_name)
        if upload.note
    ]
    block_counts = "\n".join(
        f"  - {label} (block `{block}`): {sum(1 for plan in final_plans.values() if _counted(plan, block))}"
        for block, label in BLOCK_TABLES.items()
    )
    staff = {code: answers[FINAL_YEAR][code]["handl_totalt"] for code in ("2403", "0180")}
    return INTRO.format(
        marker=SYNTHETIC_MARKER,
        seed=SEED,
        inventory="\n".join(
            f"| {year} | {len(registers[year])} | {len(uploads[year])} |" for year in YEARS
        ),
        a1_factor=f"{metropolitan_factor(municipalities):.4f}",
        bjurholm=str(staff["2403"]).replace(".", ","),
        stockholm=str(staff["0180"]).replace(".", ","),
        returned=_name(returned),
        nonresponse_breakdown="; ".join(f"{len(members)} {reason}" for reason, members in by_size),
        median_nonresponders=median_population(not_in_table_1),
        median_responders=median_population(in_table_1),
        block_counts=block_counts,
        n_2013=len(design.plans[2013]),
        a_2013=sum(1 for plan in design.plans[2013].values() if _counted(plan, "A_handlaggare")),
        groups="\n".join(groups),
        special_files="\n".join(special),
    )
