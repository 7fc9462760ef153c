"""The disclosure audit (contract section 10) and the secondary suppression that makes it pass,
on a case constructed by hand: three counties in one SKR group, one hidden municipality."""

import subprocess
import sys
from pathlib import Path

import pytest

from assets.disclosure.audit import (
    Model,
    Quantity,
    _Programme,
    audit,
    required_width,
    secondary_suppression,
)
from assets.disclosure.key_figures import PARTNER_RANK

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Counties A, B and C of three municipalities each, all in one SKR group, which is the nation.
COUNTIES = {
    "A": {"a1": 2.0, "a2": 14.0, "a3": 9.0},
    "B": {"b1": 6.0, "b2": 11.0, "b3": 4.0},
    "C": {"c1": 8.0, "c2": 5.0, "c3": 13.0},
}


def three_counties() -> Model:
    """Every municipality's, county's and the group's (= the nation's) numerator, published as the
    exact sums they are, tied by group = Σ municipalities, ranked as the key figures are."""
    model = Model()
    municipalities = {m: v for members in COUNTIES.values() for m, v in members.items()}
    for key, value in municipalities.items():
        model.add(Quantity(key, value, 0.0, rank=(PARTNER_RANK["kommun"],)))
    for county, members in COUNTIES.items():
        model.add(Quantity(county, sum(members.values()), 0.0, rank=(PARTNER_RANK["lan"],)))
        model.equal_sum(county, members)
    model.add(Quantity("riket", sum(municipalities.values()), 0.0, rank=(PARTNER_RANK["riket"],)))
    model.equal_sum("riket", municipalities)
    return model


def failing(model: Model, hidden: set) -> list[str]:
    return [interval.key for interval in audit(model, hidden) if not interval.passed]


def test_the_hidden_municipality_is_recovered_by_subtraction_under_the_old_rule():
    # The rule before the audit hid a1 and its county (the county less its other municipalities
    # gives a1 away). The nation less counties B and C less a2 and a3 still gives a1 exactly.
    model = three_counties()
    intervals = {i.key: i for i in audit(model, {"a1", "A"})}
    assert (intervals["a1"].low, intervals["a1"].high) == pytest.approx((2.0, 2.0))
    assert failing(model, {"a1", "A"}) == ["A", "a1"]


def test_the_audit_fails_when_the_secondary_suppression_is_switched_off():
    suppression = secondary_suppression(three_counties(), {"a1"}, rounds=0)
    assert suppression.secondary == set()
    assert [interval.key for interval in suppression.failing] == ["a1"]


def test_secondary_suppression_hides_until_no_hidden_value_can_be_worked_out():
    model = three_counties()
    suppression = secondary_suppression(model, {"a1"})
    assert suppression.failing == []
    assert suppression.secondary  # it had to hide more than a1
    # Audited afresh over everything it hid: every hidden value keeps its margin 2d.
    intervals = audit(model, suppression.hidden)
    assert {i.key for i in intervals} == suppression.hidden
    for interval in intervals:
        assert interval.high - interval.low >= required_width(model.quantities[interval.key]) - 1e-7


def test_a_table_where_every_cell_is_shown_passes_trivially():
    suppression = secondary_suppression(three_counties(), set())
    assert (suppression.hidden, suppression.intervals, suppression.failing) == (set(), [], [])


def test_the_margin_is_ten_percent_and_at_least_half_a_unit():
    assert required_width(Quantity("x", 2.0, 0.0)) == pytest.approx(1.0)
    assert required_width(Quantity("x", 30.0, 0.0)) == pytest.approx(6.0)
    assert required_width(Quantity("x", 2.0, 0.0, minimum_margin=0.0)) == pytest.approx(0.4)


def test_the_partner_is_a_municipality_of_the_same_county_before_any_group_total():
    # a1 (2.0, needs a margin of 1.0) is pinned by county A = a1 + a2 + a3: the cheapest partner
    # is a3 (9.0, the smallest municipality of A that alone gives the margin), not county A, and
    # never the nation.
    suppression = secondary_suppression(three_counties(), {"a1"})
    assert suppression.failing == []
    assert suppression.secondary == {"a3"}


def test_a_kept_programme_that_hides_more_gives_the_intervals_of_a_new_one():
    # The secondary step keeps each part's model and hides by widening a column's bounds and
    # adding the relations it is in: it judges as a programme built afresh.
    model = three_counties()
    kept = _Programme(model, {"a1"})
    first = kept.part("a1")
    kept.changed.clear()
    kept.hide(["a3", "A"])
    assert kept.part("a1") is kept.part("a3") is kept.part("A") is first
    assert kept.changed == {first}
    keys = ["A", "a1", "a3"]
    fresh = _Programme(model, set(keys))
    # The same verdicts; an interval found already wide enough by the solutions seen is reported
    # as their range, which lies within the exact interval.
    for mine, new in zip(kept.intervals(keys), fresh.intervals(keys), strict=True):
        assert mine.passed == new.passed
        assert new.low - 1e-6 <= mine.low <= mine.high <= new.high + 1e-6
        if not mine.passed:
            assert (mine.low, mine.high) == pytest.approx((new.low, new.high))


def test_the_audit_writes_nothing_on_stdout():
    # HiGHS prints a banner once per process as its first instance is constructed, so the audit
    # runs in a process of its own; on stdout it would stand in every refresh's summary.
    script = (
        "from tests.test_disclosure_audit import three_counties\n"
        "from assets.disclosure.audit import audit\n"
        "assert audit(three_counties(), {'a1', 'A'})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_a_shown_share_can_be_hidden_as_a_partner_through_its_numerator():
    # x = T − y, and the shown share y / D = 0.5 gives y away: T and D are the report's (never
    # hidden), so the only partner is the share, hidden with its numerator y, which publishes
    # no interval of its own.
    model = Model()
    model.add(Quantity("x", 3.0, 0.0))
    model.add(Quantity("y", 5.0, None))
    model.add(Quantity("D", 10.0, 0.0, hideable=False))
    model.add(Quantity("T", 8.0, 0.0, hideable=False))
    model.equal_sum("T", ["x", "y"])
    model.ratio("y", "D", 0.5, 0.5)
    assert failing(model, {"x"}) == ["x"]
    suppression = secondary_suppression(model, {"x"})
    assert (suppression.secondary, suppression.failing) == ({"y"}, [])
