"""The answers of every submission: staffing, education and competence levels.

Each value comes from a plain model (staff grow with population, vary by SKR group and by
municipality; education and competence profiles vary by group, area and municipality), and
the values of the municipalities a published row counts are then calibrated to its sums with
`calibrate.apportion`: a scale factor close to 1 and whole hundredths distributed by largest
remainder, within every hard rule of the form. Submissions in no published row (newcomers of
2016, invalid blocks, superseded versions) keep their model values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache

from schemas.catalog import load_catalog

from . import design as plan_states
from .calibrate import (
    CalibrationError,
    apportion,
    apportion_in_steps,
    choose_within,
    rounding_interval,
    split_rows,
)
from .design import Design, SubmissionPlan
from .randomness import jitter, stream
from .reference import Municipality, PublishedCell, published_tables, published_text_figures

# Numbers are kept as whole units while calibrating: hundredths of an FTE, or persons.
# An answer as written is a Decimal (a number) or a str (a choice, or text where a number belongs).
Answer = Decimal | str

AREA_TABLES = {
    "T04": "socialt_arbete",
    "T05": "juridik",
    "T06": "psykologi",
    "T07": "samhallsvetenskap",
    "T08": "ebp_placerade_barn",
}
LEVELS = ("grund", "fordjupad", "saknar")
# Where the report's own rounded parts cannot add up to its rounded total (contract section 9).
KNOWN_INCONSISTENT_TOTALS = {("T05", "offentlig_ratt")}

QUARTER = 25  # hundredths of an FTE
SMALL_STAFF = 1000  # below ten caseworkers' FTE a municipality reports in quarters
# Caseworkers per municipality: a base unit plus a share of the population, by SKR group
# (cities and their suburbs carry more child-welfare cases per inhabitant than commuter towns).
STAFF_BY_GROUP = {
    "A1": 1.10,
    "A2": 0.88,
    "B3": 1.08,
    "B4": 0.90,
    "B5": 1.02,
    "C6": 1.06,
    "C7": 0.95,
    "C8": 1.00,
    "C9": 0.97,
}
STAFF_BY_YEAR = {2013: 0.91, 2014: 0.94, 2015: 0.97, 2016: 1.0}
# Competence: large cities recruit specialists, rural municipalities lack them more often.
COMPETENCE_BY_GROUP = {
    "A1": 0.25,
    "A2": 0.10,
    "B3": 0.15,
    "B4": 0.0,
    "B5": -0.05,
    "C6": 0.0,
    "C7": -0.10,
    "C8": -0.20,
    "C9": -0.15,
}
# How strongly an area's profile follows the group: law and evidence-based practice most.
AREA_SENSITIVITY = {
    "socialt_arbete": 1.0,
    "juridik": 1.3,
    "psykologi": 0.8,
    "samhallsvetenskap": 0.5,
    "ebp_placerade_barn": 1.2,
}
# Before the grant more caseworkers lacked competence (ebp: 28 % in 2013, 15 % in 2016).
LACKING_BEFORE_2016 = {2013: 1.85, 2014: 1.6, 2015: 1.4}
# Shares the report does not publish; used as model rates (weights), never as targets.
MODEL_RATES = {
    "men": 0.10,
    "lt1ar": 0.11,
    "utan": 0.08,
    "fortbildning": 0.62,
    "vidareutbildning": 0.20,
    "magister": 0.12,
    "arbl_per_handl": 1 / 6.3,
    "arbl_men": 0.09,
    "forsta_chefsjobb": 0.5,
    "behov_kompetensutveckling": 0.35,
    "lt3ar_erfarenhet": 0.04,
    "arbl_fortbildning": 0.75,
    "arbl_vidareutbildning": 0.40,
    "arbl_magister": 0.18,
}


@dataclass(frozen=True)
class Latent:
    """What characterises a municipality in every year it answers."""

    size: float  # staffing relative to the model
    competence: float  # -1 … 1, shifts the profile towards fördjupad
    men_share: float  # of caseworkers
    men_share_arbl: float  # of supervisors
    coverage: float  # share of caseworkers whose competence was assessed


def _latent(municipalities: tuple[Municipality, ...]) -> dict[str, Latent]:
    rng = stream("latent")
    latent = {}
    for m in municipalities:
        small = m.population[2016] < 12000
        latent[m.kommunkod] = Latent(
            size=jitter(rng, 0.25),
            competence=2 * rng.random() - 1,
            men_share=0.0
            if small and rng.random() < 0.45
            else MODEL_RATES["men"] * jitter(rng, 0.8),
            men_share_arbl=0.0
            if rng.random() < 0.6
            else 2.2 * MODEL_RATES["arbl_men"] * jitter(rng, 0.8),
            coverage=min(1.0, 0.93 * jitter(rng, 0.12)),
        )
    return latent


# ---------------------------------------------------------------- targets from the report


def _cell(table: str, row_key: str, col_key: str) -> PublishedCell:
    return published_tables()[(table, row_key, col_key)]


def _interval(table: str, row_key: str, col_key: str) -> tuple[int, int]:
    cell = _cell(table, row_key, col_key)
    return rounding_interval(cell.value, cell.decimals)


def _persons(table: str, row_key: str, col_key: str) -> int:
    return int(_cell(table, row_key, col_key).value)


def _centre(interval: tuple[int, int]) -> int:
    return (interval[0] + interval[1]) // 2


def _intersect(*intervals: tuple[int, int]) -> tuple[int, int]:
    return max(low for low, _ in intervals), min(high for _, high in intervals)


def _rounds_to(share: Fraction, cell: PublishedCell) -> bool:
    scaled = share * 10**cell.decimals
    return int(scaled + Fraction(1, 2)) == Fraction(cell.value) * 10**cell.decimals


def share_numerator(denominator: int, cell: PublishedCell) -> int:
    """The numerator nearest the published share that still rounds to it.

    Rows 2013–2015 of Tables 11–14 publish a share but not its numerator.
    """
    exact = Fraction(denominator) * Fraction(cell.value) / 100
    nearest = int(exact + Fraction(1, 2))
    for candidate in sorted(
        range(max(0, nearest - 3), nearest + 4), key=lambda v: (abs(v - exact), v)
    ):
        if denominator and _rounds_to(Fraction(100 * candidate, denominator), cell):
            return candidate
    raise CalibrationError(f"no numerator of {denominator} rounds to {cell.value} %")


def _sum_with_parts(
    parts: list[tuple[int, int]], total: tuple[int, int], where: tuple[str, str]
) -> list[int]:
    chosen = choose_within(parts, total, [_centre(p) for p in parts])
    if chosen is None:
        if where not in KNOWN_INCONSISTENT_TOTALS:
            raise CalibrationError(f"the published parts of {where} cannot add up to its total")
        chosen = [_centre(p) for p in parts]  # reproduce the parts; the total will deviate
    return chosen


@cache
def final_year_targets() -> tuple[dict[str, int], dict[str, tuple[int, int, int]]]:
    """Sums over the 2016 population (Tables 1–10 and rows 2016 of Tables 11–14).

    Returns question → sum, and subarea → (grund, fördjupad, saknar) sums.
    """
    women, men = _sum_with_parts(
        [_interval("T01", "handlaggare", "kvinnor"), _interval("T01", "handlaggare", "man")],
        _intersect(
            _interval("T01", "handlaggare", "totalt"), _interval("T11", "2016", "antal_handlaggare")
        ),
        ("T01", "handlaggare"),
    )
    without_women, without_men = _sum_with_parts(
        [
            _interval("T01", "handlaggare", "utan_socionom_kvinnor"),
            _interval("T01", "handlaggare", "utan_socionom_man"),
        ],
        _interval("T01", "handlaggare", "utan_socionom_totalt"),
        ("T01", "handlaggare"),
    )
    supervisors_women, supervisors_men = _sum_with_parts(
        [_interval("T09", "arbetsledare", "kvinnor"), _interval("T09", "arbetsledare", "man")],
        _intersect(
            _interval("T09", "arbetsledare", "totalt"),
            _interval("T13", "2016", "antal_arbetsledare"),
        ),
        ("T09", "arbetsledare"),
    )
    targets = {
        "handl_totalt": women + men,
        "handl_man": men,
        "handl_socionom_lt1ar": _centre(_interval("T01", "handlaggare", "socionom_lt1ar")),
        "handl_utan_socionom_totalt": without_women + without_men,
        "handl_utan_socionom_man": without_men,
        "handl_fortbildning": _persons("T02", "handlaggare", "fortbildning"),
        "handl_vidareutbildning": _persons("T02", "handlaggare", "vidareutbildning"),
        "handl_magister": _persons("T02", "handlaggare", "magister"),
        "arbl_totalt": supervisors_women + supervisors_men,
        "arbl_man": supervisors_men,
        "arbl_forsta_chefsjobb": _centre(_interval("T09", "arbetsledare", "forsta_chefsjobb")),
        "arbl_behov_kompetensutveckling": _centre(
            _interval("T09", "arbetsledare", "behov_kompetensutveckling")
        ),
        "arbl_lt3ar_erfarenhet": _centre(_interval("T09", "arbetsledare", "lt3ar_erfarenhet")),
        "arbl_fortbildning": _persons("T10", "arbetsledare", "fortbildning"),
        "arbl_vidareutbildning": _persons("T10", "arbetsledare", "vidareutbildning"),
        "arbl_magister": _persons("T10", "arbetsledare", "magister"),
    }
    levels = {}
    for table, row_key, col_key in published_tables():
        if table in AREA_TABLES and col_key == "totalt":
            levels[row_key] = tuple(
                _sum_with_parts(
                    [
                        _interval(table, row_key, f"{level}_antal")
                        for level in ("grundlaggande", "fordjupad", "saknar")
                    ],
                    _interval(table, row_key, "totalt"),
                    (table, row_key),
                )
            )
    return targets, levels


def first_year_targets(ar: int) -> dict[str, int]:
    """Sums over the municipalities whose first year is `ar` (rows `ar` of Tables 11–14)."""
    row = str(ar)
    caseworkers = _centre(_interval("T11", row, "antal_handlaggare"))
    supervisors = _centre(_interval("T13", row, "antal_arbetsledare"))
    further = _persons("T12", row, "vidareutbildning")
    supervisors_further = _persons("T14", row, "vidareutbildning")
    return {
        "handl_totalt": caseworkers,
        "handl_socionom_lt1ar": share_numerator(
            caseworkers, _cell("T11", row, "socionom_lt1ar_andel")
        ),
        "handl_utan_socionom_totalt": share_numerator(
            caseworkers, _cell("T11", row, "utan_socionom_andel")
        ),
        "handl_fortbildning": _persons("T12", row, "fortbildning"),
        "handl_vidareutbildning": further,
        "handl_magister": share_numerator(further, _cell("T12", row, "magister_andel")),
        "arbl_totalt": supervisors,
        "arbl_forsta_chefsjobb": share_numerator(
            supervisors, _cell("T13", row, "forsta_chefsjobb_andel")
        ),
        "arbl_behov_kompetensutveckling": share_numerator(
            supervisors, _cell("T13", row, "behov_kompetensutveckling_andel")
        ),
        "arbl_lt3ar_erfarenhet": share_numerator(
            supervisors, _cell("T13", row, "lt3ar_erfarenhet_andel")
        ),
        "arbl_fortbildning": _persons("T14", row, "fortbildning"),
        "arbl_vidareutbildning": supervisors_further,
        "arbl_magister": share_numerator(supervisors_further, _cell("T14", row, "magister_andel")),
    }


# ---------------------------------------------------------------- values


class _Year:
    """The values of one year's submissions, filled question by question."""

    def __init__(
        self,
        ar: int,
        plans: dict[str, SubmissionPlan],
        municipalities: dict[str, Municipality],
        latent: dict[str, Latent],
    ):
        self.ar = ar
        self.plans = plans
        self.codes = sorted(plans)
        self.municipalities = municipalities
        self.latent = latent
        self.rng = stream(f"answers-{ar}")
        self.values: dict[str, dict[str, int]] = {code: {} for code in self.codes}
        # A municipality with a handful of caseworkers reports whole quarters of an FTE.
        self.fte_steps = {
            c: QUARTER if _staff_model(ar, municipalities[c], latent[c]) < SMALL_STAFF else 1
            for c in self.codes
        }

    def counted(self, block: str) -> list[str]:
        """Submissions whose `block` a published row counts."""
        return [
            c
            for c in self.codes
            if self.plans[c].counted and self.plans[c].blocks[block] == plan_states.VALID
        ]

    def uncounted(self, block: str) -> list[str]:
        counted = set(self.counted(block))
        return [c for c in self.codes if c not in counted]

    def calibrated(
        self,
        block: str,
        weight: dict[str, float],
        target: int | None,
        upper: dict[str, int | None] | None = None,
        lower: dict[str, int] | None = None,
        fte: bool = True,
    ) -> dict[str, int]:
        """Whole units: summing to `target` over the counted submissions, the model elsewhere."""
        values = {}
        for group, group_target in ((self.counted(block), target), (self.uncounted(block), None)):
            if not group:
                continue
            weights = [max(0.0, weight[c]) for c in group]
            uppers = [upper[c] for c in group] if upper else None
            lowers = [lower[c] for c in group] if lower else None
            if group_target is None:
                group_target = max(round(sum(weights)), sum(lowers or [0]))
                if uppers and None not in uppers:
                    group_target = min(group_target, sum(uppers))
            steps = [self.fte_steps[c] if fte else 1 for c in group]
            values.update(
                zip(
                    group,
                    apportion_in_steps(group_target, weights, steps, uppers, lowers),
                    strict=True,
                )
            )
        return values

    def fill(
        self,
        block: str,
        question: str,
        weight: dict[str, float],
        target: int | None,
        upper: dict[str, int | None] | None = None,
        lower: dict[str, int] | None = None,
    ) -> dict[str, int]:
        fte = load_catalog().get(question).kind == "fte"
        values = self.calibrated(block, weight, target, upper, lower, fte)
        self.store(question, values)
        return values

    def store(self, question: str, values: dict[str, int]) -> None:
        for code, value in values.items():
            self.values[code][question] = value

    def noisy(self, spread: float) -> dict[str, float]:
        return {code: jitter(self.rng, spread) for code in self.codes}


def _staff_model(ar: int, m: Municipality, latent: Latent) -> float:
    """Caseworker FTE in hundredths: a handful in Bjurholm, hundreds in Stockholm."""
    per_inhabitant = 2.0 + 0.52 * m.population[ar] / 1000
    return 100 * per_inhabitant * STAFF_BY_GROUP[m.group_code] * latent.size * STAFF_BY_YEAR[ar]


def _fill_caseworkers(year: _Year, targets: dict[str, int]) -> dict[str, int]:
    block, codes = "A_handlaggare", year.codes
    staff = {
        c: _staff_model(year.ar, year.municipalities[c], year.latent[c]) * jitter(year.rng, 0.06)
        for c in codes
    }
    total = year.fill(block, "handl_totalt", staff, targets.get("handl_totalt"))
    men = year.fill(
        block,
        "handl_man",
        {c: total[c] * year.latent[c].men_share for c in codes},
        targets.get("handl_man"),
        upper=total,
    )
    women = {c: total[c] - men[c] for c in codes}
    year.store("handl_kvinnor", women)
    noise = year.noisy(0.6)
    new_graduates = year.fill(
        block,
        "handl_socionom_lt1ar",
        {c: total[c] * MODEL_RATES["lt1ar"] * noise[c] for c in codes},
        targets.get("handl_socionom_lt1ar"),
        upper=total,
    )
    noise = year.noisy(0.7)
    without = year.fill(
        block,
        "handl_utan_socionom_totalt",
        {c: total[c] * MODEL_RATES["utan"] * noise[c] for c in codes},
        targets.get("handl_utan_socionom_totalt"),
        upper={c: total[c] - new_graduates[c] for c in codes},
    )
    without_men = year.fill(
        block,
        "handl_utan_socionom_man",
        {c: without[c] * min(1.0, 1.3 * year.latent[c].men_share) for c in codes},
        targets.get("handl_utan_socionom_man"),
        upper={c: min(men[c], without[c]) for c in codes},
        lower={c: max(0, without[c] - women[c]) for c in codes},
    )
    year.store("handl_utan_socionom_kvinnor", {c: without[c] - without_men[c] for c in codes})
    return total


def _fill_education(
    year: _Year, targets: dict[str, int], block: str, prefix: str, staff: dict[str, int]
) -> None:
    """Persons with further training: block B (caseworkers) or E (supervisors)."""
    rate = "" if prefix == "handl" else "arbl_"
    codes = year.codes
    headcount = {c: staff[c] // 100 + 2 for c in codes}  # part-timers: more persons than FTE
    noise = year.noisy(0.35)
    year.fill(
        block,
        f"{prefix}_fortbildning",
        {c: staff[c] / 100 * MODEL_RATES[f"{rate}fortbildning"] * noise[c] for c in codes},
        targets.get(f"{prefix}_fortbildning"),
        upper=headcount,
    )
    noise = year.noisy(0.6)
    further = year.fill(
        block,
        f"{prefix}_vidareutbildning",
        {c: staff[c] / 100 * MODEL_RATES[f"{rate}vidareutbildning"] * noise[c] for c in codes},
        targets.get(f"{prefix}_vidareutbildning"),
        upper=headcount,
    )
    noise = year.noisy(0.7)
    year.fill(
        block,
        f"{prefix}_magister",
        {c: further[c] * MODEL_RATES[f"{rate}magister"] * noise[c] for c in codes},
        targets.get(f"{prefix}_magister"),
        upper=further,
    )


def _fill_supervisors(
    year: _Year, targets: dict[str, int], caseworkers: dict[str, int]
) -> dict[str, int]:
    block, codes = "D_arbetsledare", year.codes
    noise = year.noisy(0.3)
    total = year.fill(
        block,
        "arbl_totalt",
        {c: (25 + caseworkers[c] * MODEL_RATES["arbl_per_handl"]) * noise[c] for c in codes},
        targets.get("arbl_totalt"),
    )
    men = year.fill(
        block,
        "arbl_man",
        {c: total[c] * year.latent[c].men_share_arbl for c in codes},
        targets.get("arbl_man"),
        upper=total,
    )
    year.store("arbl_kvinnor", {c: total[c] - men[c] for c in codes})
    for part in ("forsta_chefsjobb", "behov_kompetensutveckling", "lt3ar_erfarenhet"):
        noise = year.noisy(0.5)
        year.fill(
            block,
            f"arbl_{part}",
            {c: total[c] * MODEL_RATES[part] * noise[c] for c in codes},
            targets.get(f"arbl_{part}"),
            upper=total,
        )
    return total


def _base_profile(ar: int, national: tuple[int, int, int]) -> tuple[float, float, float]:
    grund, deep, lacking = (v / sum(national) for v in national)
    if ar in LACKING_BEFORE_2016:
        lacking = min(0.45, lacking * LACKING_BEFORE_2016[ar])
        deep *= 0.8
        grund = 1 - deep - lacking
    return grund, deep, lacking


def _profile(year: _Year, code: str, area: str, base: tuple[float, float, float]) -> list[float]:
    shift = (
        AREA_SENSITIVITY[area] * COMPETENCE_BY_GROUP[year.municipalities[code].group_code]
        + 0.3 * year.latent[code].competence
    )
    grund, deep, lacking = base
    return [
        max(0.05, grund * jitter(year.rng, 0.05)),
        deep * max(0.2, 1 + 0.9 * shift) * jitter(year.rng, 0.2),
        lacking * max(0.2, 1 - 1.2 * shift) * jitter(year.rng, 0.3),
    ]


def _subareas(ar: int) -> dict[str, tuple[str, str]]:
    """subarea → (block, area) for year `ar`'s form, in catalog order."""
    return {q.subarea: (q.block, q.area) for q in load_catalog().form(ar) if q.subarea}


def _fill_competence(
    year: _Year,
    caseworkers: dict[str, int],
    published_levels: dict[str, tuple[int, int, int]] | None,
) -> None:
    """Block C: per subarea, the FTE assessed at each of the three levels.

    2016 (`published_levels`): the sums are the published ones. Other years: the model's,
    except the 2013 share lacking competence in evidence-based practice (published: 28 %).
    """
    national_levels = final_year_targets()[1]  # the shape of every year's profile
    largest = max(sum(levels) for levels in national_levels.values())
    for subarea, (block, area) in _subareas(year.ar).items():
        # uppföljning och utvärdering (2013–2015 only) is assessed like evidence-based practice
        national = national_levels.get(subarea, national_levels["evidensbaserad_praktik"])
        targets = published_levels[subarea] if published_levels else None
        upper: dict[str, int | None] = dict(caseworkers)
        lower = {c: 0 for c in year.codes}
        for c in year.codes:
            if (
                plan_states.COMPETENCE_OVER_STAFF in year.plans[c].events
                and subarea == "familjeratt"
            ):
                upper[c], lower[c] = None, caseworkers[c] + 150  # counted the family-law unit too
        coverage = {
            c: caseworkers[c]
            * min(1.0, year.latent[c].coverage * sum(national) / largest * jitter(year.rng, 0.03))
            for c in year.codes
        }
        assessed = year.calibrated(block, coverage, sum(targets) if targets else None, upper, lower)
        base = _base_profile(year.ar, national)
        for group, counted in ((year.counted(block), True), (year.uncounted(block), False)):
            if not group:
                continue
            rows = [assessed[c] for c in group]
            seed = [[assessed[c] * share for share in _profile(year, c, area, base)] for c in group]
            if counted and targets:
                columns = list(targets)
            elif counted and (year.ar, subarea) == (2013, "evidensbaserad_praktik"):
                lacking = share_numerator(
                    sum(rows),
                    PublishedCell(
                        str(published_text_figures()["ebp_saknar_andel_2013"][0]), 0, "percent"
                    ),
                )
                columns = [
                    *apportion(
                        sum(rows) - lacking, [sum(r[0] for r in seed), sum(r[1] for r in seed)]
                    ),
                    lacking,
                ]
            else:
                columns = apportion(sum(rows), [sum(r[j] for r in seed) for j in range(3)])
            steps = [year.fte_steps[c] for c in group]
            for c, row in zip(group, split_rows(rows, columns, seed, steps), strict=True):
                for level, value in zip(LEVELS, row, strict=True):
                    year.values[c][f"komp_{subarea}_{level}"] = value


# ---------------------------------------------------------------- as written in the files


def _decimal(question_id: str, value: int) -> Decimal:
    kind = load_catalog().get(question_id).kind
    return Decimal(value).scaleb(-2) if kind == "fte" else Decimal(value)


def _spoil(block: str, state: str, answers: dict[str, Answer]) -> None:
    """Make a block invalid the way municipalities do (contract section 4)."""

    def bump(question_id: str, base: str, amount: str) -> None:
        answers[question_id] = answers[base] + Decimal(amount)

    match block[0], state:
        case "A", plan_states.SUM_MISMATCH:
            bump("handl_kvinnor", "handl_kvinnor", "1")  # a typo: kvinnor + män no longer totalt
        case "A", plan_states.PARTIAL:
            for question_id in (
                "handl_socionom_lt1ar",
                "handl_utan_socionom_kvinnor",
                "handl_utan_socionom_man",
                "handl_utan_socionom_totalt",
            ):
                del answers[question_id]
        case "A", plan_states.UNPARSEABLE:
            answers["handl_totalt"] = f"ca {round(answers['handl_totalt'])}"
        case "A", plan_states.NEGATIVE:
            answers["handl_socionom_lt1ar"] = -max(answers["handl_socionom_lt1ar"], Decimal(1))
        case "B", plan_states.PART_OVER_WHOLE:
            bump("handl_magister", "handl_vidareutbildning", "2")
        case "B", plan_states.UNPARSEABLE:
            answers["handl_fortbildning"] = f"ca {answers['handl_fortbildning']}"
        case "B", plan_states.NOT_WHOLE:
            bump("handl_vidareutbildning", "handl_vidareutbildning", "0.5")
        case "C", plan_states.PARTIAL:  # stopped half-way: the block's last subarea left blank
            last_subarea = [q for q in answers if q.startswith("komp_")][-1].rsplit("_", 1)[0]
            for level in ("fordjupad", "saknar"):
                del answers[f"{last_subarea}_{level}"]
        case "D", plan_states.PART_OVER_WHOLE:
            bump("arbl_forsta_chefsjobb", "arbl_totalt", "1")
        case "E", plan_states.PART_OVER_WHOLE:
            bump("arbl_magister", "arbl_vidareutbildning", "1")
        case _:
            raise ValueError(f"no way to make block {block} {state}")


def _as_written(
    year: _Year, code: str, choice_answers: dict[str, dict[str, str]]
) -> dict[str, Answer]:
    plan = year.plans[code]
    written: dict[str, Answer] = {}
    for block, questions in load_catalog().blocks(year.ar).items():
        state = plan.blocks[block]
        if state == plan_states.EMPTY:
            continue
        answers: dict[str, Answer] = {}
        for question in questions:
            if question.kind in ("fte", "persons"):
                answers[question.question_id] = _decimal(
                    question.question_id, year.values[code][question.question_id]
                )
            else:
                answers[question.question_id] = choice_answers[block][code]
        if state != plan_states.VALID:
            _spoil(block, state, answers)
        written.update(answers)
    return written


def earlier_draft(answers: dict[str, Answer]) -> dict[str, Answer]:
    """A first version sent before the municipality corrected it: other staffing figures."""
    draft = dict(answers)
    for question_id in ("handl_kvinnor", "handl_totalt"):
        draft[question_id] = answers[question_id] + Decimal("1.5")  # a vacancy counted as staff
    draft["handl_fortbildning"] = answers["handl_fortbildning"] + 3
    return draft


def build_answers(
    design: Design, municipalities: tuple[Municipality, ...]
) -> dict[int, dict[str, dict[str, Answer]]]:
    """year → kommunkod → question_id → the answer as the municipality wrote it."""
    latent = _latent(municipalities)
    by_code = {m.kommunkod: m for m in municipalities}
    final_targets, final_levels = final_year_targets()
    written = {}
    for ar, plans in sorted(design.plans.items()):
        year = _Year(ar, plans, by_code, latent)
        targets = final_targets if ar == plan_states.FINAL_YEAR else first_year_targets(ar)
        caseworkers = _fill_caseworkers(year, targets)
        _fill_education(year, targets, "B_handlaggare_utbildning", "handl", caseworkers)
        supervisors = _fill_supervisors(year, targets, caseworkers)
        _fill_education(year, targets, "E_arbetsledare_utbildning", "arbl", supervisors)
        _fill_competence(year, caseworkers, final_levels if ar == plan_states.FINAL_YEAR else None)
        written[ar] = {code: _as_written(year, code, design.choice_answers) for code in year.codes}
    return written
