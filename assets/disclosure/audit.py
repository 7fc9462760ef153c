"""The disclosure audit (contract section 10): can a hidden figure be worked out from what is
published?

The published figures of a year are *quantities* (a sum of fte or persons: a municipality's
numerator, a county's denominator, a breakdown cell), each published as the interval its
rounding allows or hidden, tied by the relations their definitions imply: a total is women plus
men (within the form's tolerance), a county, an SKR group and the nation are the sums of their
municipalities, a share's numerator is at most its denominator, a shown share ties its numerator
to its denominator, and every value is ≥ 0. The attacker's knowledge is that linear programme.
For every hidden quantity its minimum and maximum over the programme are found with HiGHS
(`highspy`), one model per independent part of the year's programme; the audit passes when each interval is
at least 2d wide, d = 10 % of the value and at least 0.5 where the unit is fte or persons. A
hidden share is audited through its numerator.

`secondary_suppression` hides further quantities until the audit passes: for each hidden
quantity that fails, one shown quantity it is tied to, the one that costs readers least (see
`_partner`; greedy, as tau-argus's hypercube method).

Pure: no Dagster, no DuckDB. The rules of what is primary, and how quantities map to the
published rows, are assets/disclosure/key_figures.py (key figures) and assets/disclosure/breakdowns.py (breakdowns).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# d, the margin a hidden value needs on each side: 10 % of it, and at least this much where the
# unit is fte or persons (half a person: a count is never pinned to one whole number).
RELATIVE_MARGIN = 0.10
MINIMUM_MARGIN = 0.5
# Exact decimal sums added up as doubles differ from their total in the last bits.
FLOAT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Quantity:
    """A published (or derivable) sum: its true value and, where it is published, the interval
    its rounding allows."""

    key: Hashable
    value: float
    # The half-width of the interval the published value allows; None: never published itself
    # (e.g. the numerator of a breakdown share, known only through the share).
    half_width: float | None
    # 0.5 for fte and persons, 0 for other units (MINIMUM_MARGIN).
    minimum_margin: float = MINIMUM_MARGIN
    # Which shown quantity is hidden first as a partner: the lowest rank (see `_partner`).
    rank: tuple = ()


@dataclass(frozen=True)
class Relation:
    """lower ≤ Σ coefficient × quantity ≤ upper; `shown_with` names a quantity without which the
    relation is not published (a share is published only while its numerator is)."""

    terms: tuple[tuple[Hashable, float], ...]
    lower: float
    upper: float
    shown_with: Hashable | None = None


@dataclass
class Model:
    """One year's published figures: the quantities, the relations, and which are hidden."""

    quantities: dict[Hashable, Quantity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def add(self, quantity: Quantity) -> None:
        self.quantities.setdefault(quantity.key, quantity)

    def equal_sum(
        self, whole: Hashable, parts: Iterable[Hashable], tolerance: float = FLOAT_TOLERANCE
    ) -> None:
        """whole = Σ parts, within ± tolerance."""
        terms = ((whole, 1.0), *((part, -1.0) for part in parts))
        self.relations.append(Relation(terms, -tolerance, tolerance))

    def at_most(self, part: Hashable, whole: Hashable) -> None:
        self.relations.append(Relation(((part, 1.0), (whole, -1.0)), -np.inf, 0.0))

    def ratio(self, numerator: Hashable, denominator: Hashable, low: float, high: float) -> None:
        """low ≤ numerator / denominator ≤ high, published while the numerator is shown."""
        self.relations.append(
            Relation(((numerator, 1.0), (denominator, -low)), 0.0, np.inf, numerator)
        )
        self.relations.append(
            Relation(((numerator, 1.0), (denominator, -high)), -np.inf, 0.0, numerator)
        )


@dataclass(frozen=True)
class Interval:
    key: Hashable
    value: float
    low: float
    high: float
    required: float  # 2d

    @property
    def passed(self) -> bool:
        # A hair of solver tolerance, so an interval exactly 2d wide passes.
        return self.high - self.low >= self.required - 1e-7


def required_width(quantity: Quantity) -> float:
    return 2 * max(RELATIVE_MARGIN * abs(quantity.value), quantity.minimum_margin)


def audit(
    model: Model, hidden: set[Hashable], keys: Iterable[Hashable] | None = None
) -> list[Interval]:
    """The interval of every hidden quantity (or of `keys`, a subset) over the model with the
    shown quantities fixed to their published intervals: a minimum and a maximum per quantity."""
    keys = sorted(hidden if keys is None else keys, key=repr)
    if not keys:
        return []

    # A shown quantity published exactly (half-width 0) is a constant, not a column: the
    # programme keeps only what is unknown, which makes it small.
    def constant(key: Hashable) -> bool:
        quantity = model.quantities[key]
        return key not in hidden and quantity.half_width == 0

    index: dict[Hashable, int] = {}
    lower, upper = [], []
    for key, quantity in model.quantities.items():
        if constant(key):
            continue
        index[key] = len(lower)
        if key in hidden or quantity.half_width is None:
            lower.append(0.0)
            upper.append(np.inf)
        else:
            lower.append(max(0.0, quantity.value - quantity.half_width))
            upper.append(quantity.value + quantity.half_width)
    rows = []  # (columns, coefficients, lower, upper)
    for relation in model.relations:
        if relation.shown_with is not None and relation.shown_with in hidden:
            continue
        columns, coefficients, offset = [], [], 0.0
        for key, coefficient in relation.terms:
            if constant(key):
                offset += coefficient * model.quantities[key].value
            else:
                columns.append(index[key])
                coefficients.append(coefficient)
        if columns:
            rows.append((columns, coefficients, relation.lower - offset, relation.upper - offset))
    # The programme falls apart into independent parts (a key figure's quantities are tied to
    # another's only where a relation says so): a quantity's minimum and maximum are those of its
    # part, and a part without a wanted quantity is never solved.
    starts = np.cumsum([0, *(len(columns) for columns, *_ in rows)])
    links = coo_matrix(
        (
            np.ones(starts[-1]),
            (
                np.repeat(np.arange(len(rows)), np.diff(starts)).astype(int),
                np.fromiter((c for columns, *_ in rows for c in columns), int, starts[-1]),
            ),
        ),
        shape=(len(rows), len(index)),
    ).tocsr()
    _, component = connected_components(links.T @ links, directed=False)
    values = np.array([model.quantities[key].value for key in index])
    wanted: dict[int, list[Hashable]] = {}
    for key in keys:
        wanted.setdefault(component[index[key]], []).append(key)
    rows_of: dict[int, list[int]] = {}
    for row, (columns, *_) in enumerate(rows):
        if component[columns[0]] in wanted:
            rows_of.setdefault(component[columns[0]], []).append(row)
    found: dict[Hashable, tuple[float, float]] = {}
    for part, part_keys in wanted.items():
        variables = np.flatnonzero(component == part)
        part_rows = [rows[r] for r in rows_of.get(part, [])]
        found |= _part_intervals(
            model, index, part_keys, variables, part_rows, (lower, upper, values)
        )
    intervals = []
    for key in keys:
        quantity = model.quantities[key]
        low, high = found[key]
        intervals.append(Interval(key, quantity.value, low, high, required_width(quantity)))
    return intervals


def _part_intervals(model, index, keys, variables, rows, columns) -> dict:
    """The interval of each of `keys` over one independent part: one HiGHS model, passed once;
    only the objective changes between the solves, so each re-solve starts from the previous
    basis.

    Every solution is a set of values the published figures allow, and so are the true values:
    the range of a quantity's values over the solutions seen lies within its interval. A quantity
    whose range already spans its 2d passes without solves of its own (its interval is reported
    as that range, which is narrower than or equal to the exact one); only the others are
    minimised and maximised.
    """
    local = {v: i for i, v in enumerate(variables)}
    position = {key: local[index[key]] for key in keys}
    lower, upper, values = columns
    truth = values[variables]
    seen_low, seen_high = truth.copy(), truth.copy()
    lp = highspy.HighsLp()
    lp.num_col_ = len(variables)
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(len(variables))
    lp.col_lower_ = np.array([lower[v] for v in variables])
    lp.col_upper_ = np.array([min(upper[v], highspy.kHighsInf) for v in variables])
    lp.row_lower_ = np.array([max(r[2], -highspy.kHighsInf) for r in rows])
    lp.row_upper_ = np.array([min(r[3], highspy.kHighsInf) for r in rows])
    matrix = highspy.HighsSparseMatrix()
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
    matrix.start_ = np.cumsum([0, *(len(r[0]) for r in rows)]).astype(np.int32)
    matrix.index_ = np.array([local[c] for r in rows for c in r[0]], dtype=np.int32)
    matrix.value_ = np.array([v for r in rows for v in r[1]], dtype=float)
    lp.a_matrix_ = matrix
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # tells unbounded from infeasible; keeps the basis
    highs.passModel(lp)
    found = {}
    for key in keys:
        column = position[key]
        if seen_high[column] - seen_low[column] >= required_width(model.quantities[key]):
            found[key] = (seen_low[column], seen_high[column])
            continue
        ends = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            highs.changeColCost(column, 1.0)
            highs.changeObjectiveSense(sense)
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:  # nothing published caps it
                ends.append(np.inf)
            elif status == highspy.HighsModelStatus.kOptimal:
                ends.append(highs.getInfo().objective_function_value)
                solution = np.asarray(highs.getSolution().col_value)
                np.minimum(seen_low, solution, out=seen_low)
                np.maximum(seen_high, solution, out=seen_high)
            else:
                # The true values satisfy every relation, so the programme is feasible: anything
                # else is a bug in how the model was built.
                raise RuntimeError(f"disclosure audit: HiGHS {highs.modelStatusToString(status)}")
        highs.changeColCost(column, 0.0)
        found[key] = (ends[0], ends[1])
    return found


@dataclass
class Suppression:
    hidden: set[Hashable]
    secondary: set[Hashable]
    intervals: list[Interval]

    @property
    def failing(self) -> list[Interval]:
        return [interval for interval in self.intervals if not interval.passed]


def secondary_suppression(
    model: Model, primary: set[Hashable], rounds: int | None = None
) -> Suppression:
    """Hide further quantities until every hidden one passes the audit (or `rounds` rounds have
    been made: 0 switches the secondary step off). Hiding only widens intervals, so a quantity
    that passed stays passed and each round audits only the failing and the newly hidden ones."""
    hidden = set(primary)
    neighbours = _neighbours(model)
    intervals = {i.key: i for i in _screened_audit(model, neighbours, hidden, hidden)}
    made = 0
    while rounds is None or made < rounds:
        failing = [key for key, interval in intervals.items() if not interval.passed]
        if not failing:
            break
        added = {_partner(model, neighbours, hidden, intervals, key) for key in failing} - {None}
        if not added:
            break  # nothing left to hide: the audit fails and says where
        hidden |= added
        for interval in _screened_audit(model, neighbours, hidden, [*failing, *added]):
            intervals[interval.key] = interval
        made += 1
    return Suppression(hidden, hidden - set(primary), list(intervals.values()))


def _screened_audit(model: Model, neighbours, hidden: set[Hashable], keys) -> list[Interval]:
    """`audit`, but a quantity that one relation alone pins too tightly (the others of its terms
    anywhere their published intervals, or ≥ 0 for the hidden, allow) fails without a linear
    programme: the programme's interval lies within that relation's. Most failures are of this
    kind, and the solver's calls are the audit's cost."""

    def loose(k: Hashable) -> tuple[float, float]:
        other = model.quantities[k]
        if k in hidden or other.half_width is None:
            return (0.0, np.inf)
        return (max(0.0, other.value - other.half_width), other.value + other.half_width)

    found, solve = [], []
    for key in keys:
        quantity = model.quantities[key]
        pinned = min(
            (
                _implied_interval(relation, key, loose)
                for relation in neighbours.get(key, [])
                if relation.shown_with is None or relation.shown_with not in hidden
            ),
            key=lambda interval: interval[1] - interval[0],
            default=(0.0, np.inf),
        )
        interval = Interval(key, quantity.value, *pinned, required_width(quantity))
        (solve if interval.passed else found).append(interval if not interval.passed else key)
    return [*found, *audit(model, hidden, solve)]


def _neighbours(model: Model) -> dict[Hashable, list[Relation]]:
    related: dict[Hashable, list[Relation]] = {}
    for relation in model.relations:
        for key, _ in relation.terms:
            related.setdefault(key, []).append(relation)
    return related


def _partner(
    model: Model,
    neighbours: dict[Hashable, list[Relation]],
    hidden: set[Hashable],
    intervals: dict[Hashable, Interval],
    key: Hashable,
) -> Hashable | None:
    """The shown quantity to hide beside a failing `key`.

    First the relations that alone pin `key` (the others of their terms at their published
    intervals, or at the intervals the audit found for the hidden ones): one of their shown
    terms, the lowest rank of any of them, then of the tightest relation.
    Where no single relation pins it (only a combination does), the quantities that share a
    relation with it, and when all of those are hidden, theirs, and so on outwards. Among the
    candidates: the lowest rank, then the smallest value that alone gives the margin `key` needs
    (or else the largest).
    """
    quantity = model.quantities[key]
    need = required_width(quantity)

    def bounds(k: Hashable) -> tuple[float, float]:
        other = model.quantities[k]
        if k in hidden:
            found = intervals.get(k)
            return (found.low, found.high) if found else (0.0, np.inf)
        if other.half_width is None:
            return (0.0, np.inf)
        return (max(0.0, other.value - other.half_width), other.value + other.half_width)

    def choose(candidates: Iterable[Hashable]) -> Hashable | None:
        shown = [
            k for k in candidates if k not in hidden and model.quantities[k].half_width is not None
        ]
        if not shown:
            return None

        def order(k: Hashable) -> tuple:
            other = model.quantities[k]
            enough = other.value >= need
            return (other.rank, not enough, other.value if enough else -other.value, repr(k))

        return min(shown, key=order)

    pinned = []
    for relation in neighbours.get(key, []):
        if relation.shown_with is not None and relation.shown_with in hidden:
            continue
        width = _implied_width(relation, key, bounds)
        if width < need:
            pinned.append((width, relation))
    # The cheapest partner of any relation that pins `key`, before the tightest relation's: the
    # nation's figure is hidden only when no pinning relation offers another.
    partners = [
        (model.quantities[partner].rank, width, partner)
        for width, relation in pinned
        if (partner := choose(k for k, _ in relation.terms if k != key)) is not None
    ]
    if partners:
        return min(partners, key=lambda choice: (*choice[:2], repr(choice[2])))[2]
    seen, frontier = {key}, [key]
    while frontier:
        candidates = set()
        for current in frontier:
            for relation in neighbours.get(current, []):
                candidates.update(k for k, _ in relation.terms)
        candidates -= seen
        partner = choose(candidates)
        if partner is not None:
            return partner
        seen |= candidates
        frontier = list(candidates)
    return None


def _implied_width(relation: Relation, key: Hashable, bounds) -> float:
    low, high = _implied_interval(relation, key, bounds)
    return high - low


def _implied_interval(relation: Relation, key: Hashable, bounds) -> tuple[float, float]:
    """The interval the one relation leaves `key`, every other term within its bounds, key ≥ 0."""
    own = sum(c for k, c in relation.terms if k == key)
    low_sum = high_sum = 0.0
    for k, c in relation.terms:
        if k == key:
            continue
        low, high = bounds(k)
        ends = (c * low, c * high if np.isfinite(high) else c * np.inf)
        low_sum += min(ends)
        high_sum += max(ends)
    # lower - high_sum <= own * x <= upper - low_sum
    with np.errstate(invalid="ignore"):
        ends = sorted(((relation.lower - high_sum) / own, (relation.upper - low_sum) / own))
    low, high = max(0.0, ends[0]), ends[1]
    if np.isnan(low) or np.isnan(high):
        return (0.0, np.inf)
    return (low, high)
