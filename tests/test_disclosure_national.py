"""The report's national tables in the disclosure audit (assets/disclosure/breakdowns.py): every
national cell of Tables 1–14 is a published sum (or share) over its population row's counted
municipalities, of the same municipal terms as the key figures, so a national table can give a
hidden key figure away; on cases constructed by hand."""

from dataclasses import replace

import polars as pl
import pytest

from assets.disclosure import group_key, municipality_key
from assets.disclosure.audit import Model, Quantity, audit, secondary_suppression
from assets.disclosure.breakdowns import (
    BreakdownInputs,
    add_breakdowns,
    area_term,
    level_term,
)
from assets.disclosure.key_figures import key_figure_disclosure
from tests.test_disclosure_breakdowns import sum_key_figures

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
    nyckeltal, definitions = sum_key_figures(
        "handl_fortbildning_antal", B_BLOCK, "handl_fortbildning", "T", AR, FORTBILDNING
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


def test_a_subarea_tables_cells_recompute_and_enter_as_the_nations_level_sums():
    inputs = table_5()
    model = Model()
    added = add_breakdowns(model, inputs)
    members = sorted(COMPETENCE)
    keys = {
        (row["row_key"], row["col_key"]): key
        for row, key in zip(inputs.cells.iter_rows(named=True), added.cell_keys, strict=True)
    }
    assert keys[("_tabell", "n_kommuner")] is None  # N is public
    # Projected: a level's count and share of any subarea are carried by the nation's sum of the
    # level over the subareas, a subarea's total by the area's; no unknown per question.
    saknar = group_key(AR, "riket", "00", level_term(C_BLOCK, "saknar"), members)
    for subarea in SUBAREAS:
        assert keys[(subarea, "saknar_antal")] == saknar
        assert keys[(subarea, "saknar_andel")] == saknar
        assert keys[(subarea, "totalt")] == group_key(
            AR, "riket", "00", area_term(C_BLOCK), members
        )
    assert model.quantities[saknar].value == pytest.approx(1.0 + 3.0 + 2.0 + 6.0)
    assert model.quantities[saknar].half_width == 0.0  # published: Σ of the subareas' cells
    questions = {question(s, level) for s in SUBAREAS for level in LEVEL_KEYS}
    assert not [key for key in model.quantities if key.split("|")[3] in questions]
    assert added.primary == set()
    # Every relation holds at the true values.
    for relation in model.relations:
        total = sum(c * model.quantities[k].value for k, c in relation.terms)
        assert relation.lower - 1e-9 <= total <= relation.upper + 1e-9
    with pytest.raises(RuntimeError, match="T05 familjeratt saknar_andel"):
        add_breakdowns(Model(), table_5(wrong=1.0))


def test_table_5s_level_sums_give_a_hidden_level_away():
    # m1's saknar over the area (the key figures' täljare of saknar_andel_juridik) is hidden; the
    # nation's saknar_antal of the subareas sum to saknar over m1, m2 and m3: with m2's and m3's
    # levels published, m1's is the nation's total minus theirs.
    inputs = table_5()
    model = Model()
    add_breakdowns(model, inputs)
    saknar = {m: municipality_key(AR, m, level_term(C_BLOCK, "saknar")) for m in COMPETENCE}
    for m in ("m2", "m3"):  # published exactly, as the key figures publish their täljare
        model.add(Quantity(saknar[m], model.quantities[saknar[m]].value, 0.0))
    [pinned] = audit(model, {saknar["m1"]})
    assert (pinned.low, pinned.high) == pytest.approx((4.0, 4.0), abs=1e-4)


def _unprojected() -> Model:
    """Table 5 as the whole programme says it: an unknown per municipality and question, the
    nation's cell of each subarea and level = Σ of its question over the municipalities, a
    municipality's level = Σ of its subareas' questions, an area = Σ of its levels."""
    model = Model()
    for subarea in SUBAREAS:
        for level in LEVEL_KEYS:
            parts = []
            for m, values in COMPETENCE.items():
                key = municipality_key(AR, m, question(subarea, level))
                model.add(Quantity(key, values.get((subarea, level), 0.0), None))
                parts.append(key)
            nation = f"nation|{subarea}|{level}"
            value = sum(values.get((subarea, level), 0.0) for values in COMPETENCE.values())
            model.add(Quantity(nation, value, 0.0, hideable=False))
            model.equal_sum(nation, parts)
    for m, values in COMPETENCE.items():
        levels = []
        for level in LEVEL_KEYS:
            key = municipality_key(AR, m, level_term(C_BLOCK, level))
            model.add(Quantity(key, sum(values.get((s, level), 0.0) for s in SUBAREAS), None))
            model.equal_sum(key, [municipality_key(AR, m, question(s, level)) for s in SUBAREAS])
            levels.append(key)
        area = municipality_key(AR, m, area_term(C_BLOCK))
        model.add(Quantity(area, sum(values.values()), None))
        model.equal_sum(area, levels)
    return model


@pytest.mark.parametrize("published", [(), ("m2",), ("m2", "m3"), ("m1", "m3")])
def test_the_projection_of_tables_4_to_8_leaves_every_interval_as_the_whole_programme(published):
    # The transportation argument of `_projected_term`, checked: whichever municipalities'
    # levels and areas are published beside Table 5, every hidden level and area has the same
    # interval in the projected model as in the one with an unknown per question.
    projected, whole = Model(), _unprojected()
    add_breakdowns(projected, table_5())
    hidden = set()
    for m in COMPETENCE:
        terms = [level_term(C_BLOCK, level) for level in LEVEL_KEYS] + [area_term(C_BLOCK)]
        for term in terms:
            key = municipality_key(AR, m, term)
            if m in published:
                for model in (projected, whole):
                    model.add(Quantity(key, whole.quantities[key].value, 0.0))
            else:
                hidden.add(key)
    # A margin no interval can reach makes the audit solve both ends of each, not stop once the
    # solutions seen show 2d.
    for model in (projected, whole):
        for key in hidden:
            model.quantities[key] = replace(model.quantities[key], minimum_margin=1e9)
    ends = {
        name: {i.key: (i.low, i.high) for i in audit(model, hidden)}
        for name, model in (("projected", projected), ("whole", whole))
    }
    assert ends["projected"].keys() == ends["whole"].keys() == hidden
    for key, (low, high) in ends["whole"].items():
        assert ends["projected"][key] == pytest.approx((low, high), abs=1e-4), key
    # Not trivially so: Table 5 bounds m1's hidden saknar by the nation's less the published.
    if "m1" not in published:
        saknar = {
            m: sum(v for (_, lv), v in a.items() if lv == "saknar") for m, a in COMPETENCE.items()
        }
        m1_saknar = municipality_key(AR, "m1", level_term(C_BLOCK, "saknar"))
        expected = sum(saknar.values()) - sum(saknar[m] for m in published)
        assert ends["whole"][m1_saknar][1] == pytest.approx(expected, abs=1e-4)
