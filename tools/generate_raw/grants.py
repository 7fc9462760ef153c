"""The grant register (rekvisitioner.csv): what each municipality was allotted, requisitioned
and paid back, per year and purpose.

Allotments follow the report's description: a key by municipality group and size, with a
floor of 50 000 kr for small municipalities, summing to the appropriation to the krona.
- 2013 had two purposes: 20 MSEK for the inventory (`inventering`) and 37 MSEK for competence
  development (`kompetensutveckling`). The inventory money goes by size alone: population
  times one rate, at least 50 000 kr and at most 250 000 kr (Stockholm's amount).
- 2014–2016 had one purpose, `kompetensutveckling`; a newcomer's inventory was a condition
  of that money, not a purpose of its own.
- The competence-development key is population times a group factor. The factor of the
  three metropolitan municipalities (A1) is the one that gives Stockholm the 3 056 887 kr of
  its 2013 decision letter; Stockholm's amount is then fixed to that krona.
"""

from __future__ import annotations

from dataclasses import dataclass

from .calibrate import apportion
from .design import YEARS, Design
from .randomness import jitter, stream
from .reference import Municipality, published_text_figures

INVENTERING, KOMPETENS = "inventering", "kompetensutveckling"
STOCKHOLM = "0180"
FLOOR_SEK = published_text_figures()["minsta_belopp_sek"][0]
INVENTORY_CAP_SEK = published_text_figures()["stockholm_2013_inventering_sek"][0]
# Sparsely populated municipalities have long distances and few colleagues to learn from.
GROUP_FACTORS = {
    "A2": 0.95,
    "B3": 1.0,
    "B4": 1.0,
    "B5": 1.05,
    "C6": 1.05,
    "C7": 1.05,
    "C8": 1.2,
    "C9": 1.15,
}
HEADER = "kommunkod;andamal;fordelat_sek;rekvirerat_sek;aterbetalt_sek"


@dataclass(frozen=True)
class RegisterRow:
    kommunkod: str
    andamal: str
    fordelat_sek: int
    rekvirerat_sek: int
    aterbetalt_sek: int


def _appropriations() -> dict[tuple[int, str], int]:
    figures = published_text_figures()
    return {
        (2013, INVENTERING): figures["anslag_2013_inventering_sek"][0],
        (2013, KOMPETENS): figures["anslag_2013_kompetens_sek"][0],
        **{(year, KOMPETENS): figures[f"anslag_{year}_sek"][0] for year in YEARS[1:]},
    }


def _key_share(
    municipalities, year: int, budget: int, metropolitan_factor: float
) -> dict[str, float]:
    """Each municipality's unrounded allotment under the key, floor included."""
    weights = {
        m.kommunkod: m.population[year] * GROUP_FACTORS.get(m.group_code, metropolitan_factor)
        for m in municipalities
    }
    floored: set[str] = set()
    while True:
        free_weight = sum(w for code, w in weights.items() if code not in floored)
        rest = budget - FLOOR_SEK * len(floored)
        shares = {
            code: FLOOR_SEK if code in floored else rest * w / free_weight
            for code, w in weights.items()
        }
        below = {code for code, share in shares.items() if share < FLOOR_SEK} - floored
        if not below:
            return shares
        floored |= below


def metropolitan_factor(municipalities) -> float:
    """The A1 group factor that gives Stockholm its published 2013 amount (bisection)."""
    budget = _appropriations()[(2013, KOMPETENS)]
    stockholm_sek = published_text_figures()["stockholm_2013_kompetens_sek"][0]
    low, high = 0.1, 3.0
    for _ in range(100):
        middle = (low + high) / 2
        if _key_share(municipalities, 2013, budget, middle)[STOCKHOLM] < stockholm_sek:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def allotments(municipalities: tuple[Municipality, ...]) -> dict[tuple[int, str], dict[str, int]]:
    """(year, andamal) → kommunkod → fordelat_sek."""
    budgets = _appropriations()
    codes = [m.kommunkod for m in municipalities]
    stockholm_kompetens = published_text_figures()["stockholm_2013_kompetens_sek"][0]
    factor = metropolitan_factor(municipalities)
    result = {}
    for (year, andamal), budget in sorted(budgets.items()):
        if andamal == INVENTERING:
            weights = [m.population[year] for m in municipalities]
            amounts = apportion(
                budget,
                weights,
                upper=[INVENTORY_CAP_SEK] * len(codes),
                lower=[FLOOR_SEK] * len(codes),
            )
        else:
            shares = _key_share(municipalities, year, budget, factor)
            fixed = {STOCKHOLM: stockholm_kompetens} if year == 2013 else {}
            amounts = apportion(
                budget,
                [shares[c] for c in codes],
                upper=[fixed.get(c) for c in codes],
                lower=[fixed.get(c, FLOOR_SEK) for c in codes],
            )
        result[(year, andamal)] = dict(zip(codes, amounts, strict=True))
    return result


def build_registers(
    design: Design, municipalities: tuple[Municipality, ...]
) -> dict[int, list[RegisterRow]]:
    """year → the rows of that year's rekvisitioner.csv, sorted by kommunkod and andamal."""
    rng = stream("register")
    allotted = allotments(municipalities)
    registers: dict[int, list[RegisterRow]] = {year: [] for year in YEARS}
    for (year, andamal), amounts in sorted(allotted.items()):
        for code, fordelat in sorted(amounts.items()):
            requisitions = _requisitions(design, year, andamal, code)
            rekvirerat = aterbetalt = 0
            if requisitions:
                # most take the whole amount; some ask for less, in round hundreds
                rekvirerat = (
                    fordelat
                    if rng.random() < 0.85
                    else round(fordelat * jitter(rng, 0.2) * 0.8, -2)
                )
                if code in design.repaid_in_full.get(year, ()):
                    aterbetalt = rekvirerat
                elif rng.random() < 0.07:  # unspent money returned at year end
                    aterbetalt = round(rekvirerat * 0.4 * rng.random())
            registers[year].append(
                RegisterRow(code, andamal, fordelat, int(rekvirerat), int(aterbetalt))
            )
    for rows in registers.values():
        rows.sort(key=lambda row: (row.kommunkod, row.andamal))
    return registers


def _requisitions(design: Design, year: int, andamal: str, code: str) -> bool:
    """Whether `code` requisitioned money for `andamal` in `year` (the design's groups)."""
    repaid = code in design.repaid_in_full.get(year, ())
    if year == 2013 and andamal == KOMPETENS:
        return code in design.kompetens_2013
    return code in design.participants[year] or repaid


def register_csv(rows: list[RegisterRow]) -> bytes:
    lines = [HEADER] + [
        f"{r.kommunkod};{r.andamal};{r.fordelat_sek};{r.rekvirerat_sek};{r.aterbetalt_sek}"
        for r in rows
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
