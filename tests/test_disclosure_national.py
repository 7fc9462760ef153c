"""The report's national tables in the disclosure audit (assets/disclosure/breakdowns.py): every
national cell of Tables 1–14 is a published sum (or share) over its population row's counted
municipalities, of the same municipal terms as the key figures, so a national table can give a
hidden key figure away; on cases constructed by hand."""

import polars as pl
import pytest

from assets.disclosure import group_key, municipality_key
from assets.disclosure.audit import Model, Quantity, audit, secondary_suppression
from assets.disclosure.breakdowns import (
    BreakdownInputs,
    add_breakdowns,
    level_term,
    subarea_term,
)
from assets.disclosure.key_figures import key_figure_disclosure

AR = 2014
LEVEL_KEYS = {"grund": "grundlaggande", "fordjupad": "fordjupad", "saknar": "saknar"}


def nation_cells(table_id: str, layout: str, block: str, cells: dict, n_kommuner: int):
    """The nation's cells of one table: {(row_key, col_key): value}."""
    return pl.DataFrame(
        [
            {
                "dimension": "riket",
                "group_code": "00",
                "group_name": "Riket",
                "group_position": 0,
                "table_id": table_id,
                "row_key": row_key,
                "col_key": col_key,
                "value": value,
                "n_kommuner": n_kommuner,
                "ar": AR,
                "block": block,
                "layout": layout,
            }
            for (row_key, col_key), value in cells.items()
        ]
    )


def inputs_of(cells: pl.DataFrame, block: str, answers: list[dict]) -> BreakdownInputs:
    kommuner = sorted({a["kommunkod"] for a in answers})
    members = pl.DataFrame(
        [
            {"ar": AR, "block": block, "dimension": "riket", "group_code": "00", "kommunkod": k}
            for k in kommuner
        ]
    )
    frame = pl.DataFrame(
        [
            {"ar": AR, "block": block, "subarea": None, "level": None, "in_tables": False, **a}
            for a in answers
        ],
        schema_overrides={"subarea": pl.String, "level": pl.String},
    ).select("ar", "kommunkod", "block", "question_id", "subarea", "level", "in_tables", "value")
    return BreakdownInputs(cells, members, frame, LEVEL_KEYS)


# --- Table 12: the nation's handl_fortbildning minus the shown municipalities ------------------

FORTBILDNING = {"m1": 4.0, "m2": 6.0, "m3": 12.0}
B_BLOCK = "B_handlaggare_utbildning"


def fortbildning_key_figures() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """handl_fortbildning_antal of each municipality, its täljare published exactly."""
    nyckeltal = pl.DataFrame(
        [
            {
                "nyckeltal_id": "handl_fortbildning_antal",
                "dimension": "kommun",
                "kommunkod": m,
                "group_code": None,
                "ar": AR,
                "kon": "T",
                "varde": v,
                "taljare": v,
                "namnare": None,
                "n_underlag": v,
                "n_kommuner": 1,
            }
            for m, v in FORTBILDNING.items()
        ],
        schema_overrides={"group_code": pl.String, "namnare": pl.Float64},
    )
    definitions = pl.DataFrame(
        {
            "nyckeltal_id": ["handl_fortbildning_antal"],
            "block": [B_BLOCK],
            "taljare": ["handl_fortbildning"],
            "namnare": [None],
            "sammanvagning": ["summa"],
            "faktor": [1],
        },
        schema_overrides={"namnare": pl.String},
    )
    groups = pl.DataFrame(
        [{"dimension": "riket", "group_code": "00", "kommunkod": m} for m in FORTBILDNING]
    )
    return nyckeltal, groups, definitions


def table_12() -> BreakdownInputs:
    """Row 2014 of Table 12 for the nation: the three municipalities in their first year."""
    cells = nation_cells(
        "T12",
        "years",
        B_BLOCK,
        {
            (str(AR), "fortbildning"): sum(FORTBILDNING.values()),
            (str(AR), "n_kommuner"): float(len(FORTBILDNING)),
        },
        len(FORTBILDNING),
    )
    answers = [
        {"kommunkod": m, "question_id": "handl_fortbildning", "value": v}
        for m, v in FORTBILDNING.items()
    ]
    return inputs_of(cells, B_BLOCK, answers)


def test_table_12s_national_cell_gives_a_hidden_key_figure_away_until_a_partner_is_hidden():
    # m1's handl_fortbildning_antal is hidden; the nation's row 2014 of Table 12 is
    # m1 + m2 + m3 (its täljare is the same unknown), so with m2 and m3 shown it is m1 exactly.
    nyckeltal, groups, definitions = fortbildning_key_figures()
    hidden = municipality_key(AR, "m1", "handl_fortbildning")
    alone = key_figure_disclosure(nyckeltal, groups, definitions).models[AR]
    assert audit(alone, {hidden})[0].passed  # nothing else publishes the sum

    model = key_figure_disclosure(nyckeltal, groups, definitions, breakdowns=table_12()).models[AR]
    nation = group_key(AR, "riket", "00", "handl_fortbildning", sorted(FORTBILDNING))
    assert model.quantities[nation].hideable is False  # the report's own
    [pinned] = audit(model, {hidden})
    assert (pinned.low, pinned.high) == pytest.approx((4.0, 4.0), abs=1e-4)
    assert secondary_suppression(model, {hidden}, rounds=0).failing

    suppression = secondary_suppression(model, {hidden})
    assert suppression.failing == []
    # Not the nation's cell, which the report publishes, but another municipality's figure.
    assert suppression.secondary & {
        municipality_key(AR, m, "handl_fortbildning") for m in ("m2", "m3")
    }
    assert nation not in suppression.hidden


# --- Tables 3 and 4–8: a competence block by subarea and level ---------------------------------

C_BLOCK = "C_juridik"
SUBAREAS = ("socialratt", "familjeratt")
# Each municipality's answer per subarea and level.
COMPETENCE = {
    "m1": {("socialratt", "grund"): 2.0, ("socialratt", "saknar"): 1.0, ("familjeratt", "saknar"): 3.0},
    "m2": {("socialratt", "grund"): 5.0, ("familjeratt", "fordjupad"): 4.0, ("familjeratt", "saknar"): 2.0},
    "m3": {("socialratt", "fordjupad"): 7.0, ("socialratt", "saknar"): 6.0, ("familjeratt", "grund"): 1.0},
}  # fmt: skip


def question(subarea: str, level: str) -> str:
    return f"komp_{subarea}_{level}"


def table_5(*, wrong: float = 0.0) -> BreakdownInputs:
    """Table 5 for the nation, as 40_report_tables_long.sql makes it: per subarea each level's
    sum (_antal), their total and each level's share of it (_andel); `wrong` added to one cell."""
    cells: dict[tuple[str, str], float] = {("_tabell", "n_kommuner"): float(len(COMPETENCE))}
    for subarea in SUBAREAS:
        by_level = {
            level: sum(a.get((subarea, level), 0.0) for a in COMPETENCE.values())
            for level in LEVEL_KEYS
        }
        totalt = sum(by_level.values())
        cells[(subarea, "totalt")] = totalt
        for level, word in LEVEL_KEYS.items():
            cells[(subarea, f"{word}_antal")] = by_level[level]
            cells[(subarea, f"{word}_andel")] = 100 * by_level[level] / totalt
    cells[("familjeratt", "saknar_andel")] += wrong
    answers = [
        {
            "kommunkod": m,
            "question_id": question(subarea, level),
            "subarea": subarea,
            "level": level,
            "in_tables": True,
            "value": values.get((subarea, level)),
        }
        for m, values in COMPETENCE.items()
        for subarea in SUBAREAS
        for level in LEVEL_KEYS
    ]
    return inputs_of(
        nation_cells("T05", "subareas", C_BLOCK, cells, len(COMPETENCE)), C_BLOCK, answers
    )


def test_a_subarea_tables_cells_recompute_from_the_municipal_terms():
    inputs = table_5()
    model = Model()
    added = add_breakdowns(model, inputs)
    members = sorted(COMPETENCE)
    keys = {
        (row["row_key"], row["col_key"]): key
        for row, key in zip(inputs.cells.iter_rows(named=True), added.cell_keys, strict=True)
    }
    assert keys[("_tabell", "n_kommuner")] is None  # N is public
    # A level's count is the sum of the subarea's question, a total the subarea's sum, a share
    # carried by its täljare (the level's count).
    assert keys[("socialratt", "saknar_antal")] == group_key(
        AR, "riket", "00", question("socialratt", "saknar"), members
    )
    assert keys[("socialratt", "saknar_andel")] == keys[("socialratt", "saknar_antal")]
    assert keys[("familjeratt", "totalt")] == group_key(
        AR, "riket", "00", subarea_term(C_BLOCK, "familjeratt"), members
    )
    assert model.quantities[keys[("familjeratt", "totalt")]].value == pytest.approx(10.0)
    assert added.primary == set()
    # Every relation holds at the true values.
    for relation in model.relations:
        total = sum(c * model.quantities[k].value for k, c in relation.terms)
        assert relation.lower - 1e-9 <= total <= relation.upper + 1e-9
    with pytest.raises(RuntimeError, match="T05 familjeratt saknar_andel"):
        add_breakdowns(Model(), table_5(wrong=1.0))


def test_a_municipalitys_level_is_the_sum_of_its_subareas_so_table_5_gives_it_away():
    # m1's saknar over the area (the key figures' täljare of saknar_andel_juridik) is hidden; the
    # nation's saknar_antal of each subarea sums the subarea's question over m1, m2, m3, and a
    # municipality's level is the sum of its subareas' questions: with m2's and m3's levels
    # published, m1's is the nation's total minus theirs.
    inputs = table_5()
    model = Model()
    add_breakdowns(model, inputs)
    saknar = {m: municipality_key(AR, m, level_term(C_BLOCK, "saknar")) for m in COMPETENCE}
    for m in ("m2", "m3"):  # published exactly, as the key figures publish their täljare
        model.add(Quantity(saknar[m], model.quantities[saknar[m]].value, 0.0))
    [pinned] = audit(model, {saknar["m1"]})
    assert (pinned.low, pinned.high) == pytest.approx((4.0, 4.0), abs=1e-4)
