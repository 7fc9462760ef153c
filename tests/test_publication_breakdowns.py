"""Disclosure control of the breakdowns, on cases worked out by hand."""

import polars as pl

from assets.disclosure import Disclosure
from assets.disclosure.breakdowns import apply_disclosure_control, suppress_line

S, P, X, E = Disclosure.SHOWN, Disclosure.PRIMARY, Disclosure.SECONDARY, Disclosure.EMPTY


def test_a_single_cell_on_fewer_than_three_municipalities_is_suppressed_with_a_partner():
    # Groups rest on 5, 2, 7, 4 municipalities: 2 < 3 is primary; alone it could be derived from
    # the total, so the next smallest (4, the last group) is suppressed too.
    assert suppress_line([5, 2, 7, 4]) == [S, P, S, X]


def test_secondary_suppression_takes_the_first_group_when_the_smallest_are_tied():
    # 1 is primary; 3 and 3 tie as the smallest others: the first in group order is taken.
    assert suppress_line([6, 3, 1, 3]) == [S, X, P, S]


def test_two_primary_cells_need_no_partner():
    assert suppress_line([2, 9, 1, 5]) == [P, S, P, S]


def test_a_row_with_every_cell_on_three_or_more_municipalities_is_untouched():
    assert suppress_line([3, 12, 4]) == [S, S, S]


def test_an_empty_group_protects_nothing_and_is_not_suppressed():
    # Rests on 0, 1, 5: the empty group is shown as empty (its N of 0 says so), so the single
    # primary cell (1) still needs a partner, the 5.
    assert suppress_line([0, 1, 5]) == [E, P, X]


def test_the_total_is_never_suppressed_and_n_is_always_shown():
    # Line kvinnor across three groups: n 2, 8, 3 → groups 1 and 3 suppressed. The total is not a
    # cell of the line, so it cannot be suppressed; the N line is shown as is.
    cells = pl.DataFrame(
        {
            "dimension": ["lan"] * 6,
            "table_id": ["T01"] * 6,
            "row_key": ["handlaggare"] * 6,
            "col_key": ["kvinnor"] * 3 + ["n_kommuner"] * 3,
            "group_position": [1, 2, 3] * 2,
            "value": [10.5, 40.0, 21.0, 2.0, 8.0, 3.0],
            "n_kommuner": [2, 8, 3] * 2,
        }
    )
    presented = apply_disclosure_control(cells)
    kvinnor = presented.filter(pl.col("col_key") == "kvinnor").sort("group_position")
    assert kvinnor["disclosure"].to_list() == ["primary", "shown", "secondary"]
    assert kvinnor["value"].to_list() == [None, 40.0, None]
    n = presented.filter(pl.col("col_key") == "n_kommuner").sort("group_position")
    assert n["value"].to_list() == [2.0, 8.0, 3.0]
    assert set(n["disclosure"]) == {"shown"}
