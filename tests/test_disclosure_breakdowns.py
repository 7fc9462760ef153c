"""The breakdowns by county and SKR group in the disclosure audit (assets/disclosure/breakdowns.py),
on a case constructed by hand where the line rule alone gives a hidden county away through the
SKR groups: counties L1 (2 municipalities, primary), L2 (4) and L3 (3); SKR groups G1 = L1 ∪ L2
and G2 = L3."""

import polars as pl
import pytest

from assets.disclosure import Disclosure
from assets.disclosure.audit import Model, audit, required_width, secondary_suppression
from assets.disclosure.breakdowns import BreakdownInputs, add_breakdowns, disclosed_breakdowns
from assets.disclosure.key_figures import key_figure_disclosure

AR, BLOCK, QUESTION = 2016, "A_handlaggare", "handl_kvinnor"
# Each municipality's handl_kvinnor.
ANSWERS = {
    "a1": 3.0, "a2": 4.0,
    "b1": 5.0, "b2": 6.0, "b3": 7.0, "b4": 8.0,
    "c1": 2.0, "c2": 9.0, "c3": 10.0,
}  # fmt: skip
GROUPS = {
    ("lan", "L1"): ["a1", "a2"],
    ("lan", "L2"): ["b1", "b2", "b3", "b4"],
    ("lan", "L3"): ["c1", "c2", "c3"],
    ("kommungrupp", "G1"): ["a1", "a2", "b1", "b2", "b3", "b4"],
    ("kommungrupp", "G2"): ["c1", "c2", "c3"],
    ("riket", "00"): sorted(ANSWERS),
}


def breakdown_inputs() -> BreakdownInputs:
    """Table 1's kvinnor and N for every group, as report.breakdown_cells_unsuppressed and the
    nation's cell hold them, with the municipalities each counts and their answers."""
    cells = pl.DataFrame(
        [
            {
                "dimension": dimension,
                "group_code": code,
                "group_name": code,
                "group_position": position,
                "table_id": "T01",
                "row_key": "handlaggare",
                "col_key": col_key,
                "value": value,
                "n_kommuner": len(members),
                "ar": AR,
                "block": BLOCK,
                "layout": "block_sums",
            }
            for position, ((dimension, code), members) in enumerate(GROUPS.items(), 1)
            for col_key, value in (
                ("kvinnor", sum(ANSWERS[m] for m in members)),
                ("n_kommuner", float(len(members))),
            )
        ]
    )
    members = pl.DataFrame(
        [
            {"ar": AR, "block": BLOCK, "dimension": d, "group_code": c, "kommunkod": m}
            for (d, c), group in GROUPS.items()
            for m in group
        ]
    )
    answers = pl.DataFrame(
        [
            {
                "ar": AR,
                "kommunkod": m,
                "block": BLOCK,
                "question_id": QUESTION,
                "subarea": None,
                "level": None,
                "in_tables": False,
                "value": v,
            }
            for m, v in ANSWERS.items()
        ],
        schema_overrides={"subarea": pl.String, "level": pl.String},
    )
    return BreakdownInputs(cells, members, answers, {})


def cell_key(inputs: BreakdownInputs, keys: list, code: str) -> str:
    [key] = [
        key
        for row, key in zip(inputs.cells.iter_rows(named=True), keys, strict=True)
        if row["group_code"] == code and row["col_key"] == "kvinnor"
    ]
    return key


@pytest.fixture
def constructed() -> tuple[BreakdownInputs, Model, list, set]:
    inputs = breakdown_inputs()
    model = Model()
    added = add_breakdowns(model, inputs)
    return inputs, model, added.cell_keys, added.primary


def test_the_line_rule_alone_gives_a_hidden_county_away_through_the_skr_groups(constructed):
    # The line rule hid L1 (2 municipalities) and, as its partner in the county line, the county
    # on the fewest municipalities, L3. But G1 − L2 is L1, and G2 is L3.
    inputs, model, keys, primary = constructed
    l1, l3 = cell_key(inputs, keys, "L1"), cell_key(inputs, keys, "L3")
    assert primary == {l1}
    intervals = {i.key: i for i in audit(model, {l1, l3})}
    assert (intervals[l1].low, intervals[l1].high) == pytest.approx((7.0, 7.0))
    assert not intervals[l1].passed and not intervals[l3].passed


def test_the_audit_fails_when_the_secondary_suppression_is_switched_off(constructed):
    inputs, model, keys, primary = constructed
    suppression = secondary_suppression(model, primary, rounds=0)
    assert [i.key for i in suppression.failing] == [cell_key(inputs, keys, "L1")]


def test_secondary_suppression_hides_across_the_dimensions_until_the_audit_passes(constructed):
    inputs, model, keys, primary = constructed
    suppression = secondary_suppression(model, primary)
    assert suppression.failing == []
    # Audited afresh over everything it hid: every hidden cell keeps its margin 2d.
    for interval in audit(model, suppression.hidden):
        assert interval.high - interval.low >= required_width(model.quantities[interval.key]) - 1e-7
    published = disclosed_breakdowns(inputs, keys, suppression.hidden)
    status = {
        (row["group_code"], row["col_key"]): row["disclosure"]
        for row in published.iter_rows(named=True)
    }
    # Not the line rule's partner L3, which G2 gives away, but L2: then G1 only gives L1 + L2.
    assert {g: s for (g, col), s in status.items() if col == "kvinnor"} == {
        "L1": Disclosure.PRIMARY,
        "L2": Disclosure.SECONDARY,
        "L3": Disclosure.SHOWN,
        "G1": Disclosure.SHOWN,
        "G2": Disclosure.SHOWN,
    }
    # N is always shown, the nation is the report's and not a breakdown row.
    assert {s for (_, col), s in status.items() if col == "n_kommuner"} == {Disclosure.SHOWN}
    assert "00" not in published["group_code"].to_list()
    hidden = published.filter(pl.col("disclosure") != Disclosure.SHOWN)
    assert hidden["value"].is_null().all()


def sum_key_figures(
    nyckeltal_id: str, block: str, taljare: str, kon: str, ar: int, values: dict[str, float]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One key figure of kind summa for each municipality of `values` (kommunkod → its sum), as
    report.nyckeltal holds it, and its definition as ref.nyckeltal: the täljare is published
    exactly."""
    nyckeltal = pl.DataFrame(
        [
            {
                "nyckeltal_id": nyckeltal_id,
                "dimension": "kommun",
                "kommunkod": m,
                "group_code": None,
                "ar": ar,
                "kon": kon,
                "varde": v,
                "taljare": v,
                "namnare": None,
                "n_underlag": v,
                "n_kommuner": 1,
            }
            for m, v in values.items()
        ],
        schema_overrides={"group_code": pl.String, "namnare": pl.Float64},
    )
    definitions = pl.DataFrame(
        {
            "nyckeltal_id": [nyckeltal_id],
            "block": [block],
            "taljare": [taljare],
            "namnare": [None],
            "sammanvagning": ["summa"],
            "faktor": [1],
        },
        schema_overrides={"namnare": pl.String},
    )
    return nyckeltal, definitions


def test_a_breakdown_and_a_key_figure_of_the_same_sum_are_one_unknown():
    # Each municipality's handl_kvinnor is also published as its key figure (handl_arsarbetare K):
    # L1 = a1 + a2 is then given away by the key figures, so the audit hides a municipality's
    # key figure too, not only breakdown cells.
    nyckeltal, definitions = sum_key_figures(
        "handl_arsarbetare", BLOCK, "handl_{kon}", "K", AR, ANSWERS
    )
    groups = pl.DataFrame(
        [
            {"dimension": d, "group_code": c, "kommunkod": m}
            for (d, c), group in GROUPS.items()
            for m in group
        ]
    )
    without = key_figure_disclosure(nyckeltal, groups, definitions)
    assert without.suppressions[AR].hidden == set()
    result = key_figure_disclosure(nyckeltal, groups, definitions, breakdowns=breakdown_inputs())
    assert result.suppressions[AR].failing == []
    hidden_municipalities = result.frame.filter(pl.col("disclosure") == Disclosure.SECONDARY)
    assert set(hidden_municipalities["kommunkod"]) & {"a1", "a2"}
    assert result.breakdowns.filter(pl.col("group_code") == "L1", pl.col("col_key") == "kvinnor")[
        "disclosure"
    ].to_list() == [Disclosure.PRIMARY]
