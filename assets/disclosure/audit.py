"""The disclosure audit (contract section 10): can a hidden figure be worked out from what is
published? Each published quantity of a year as its rounding interval, the relations its
definitions imply, a minimum and maximum per hidden quantity by HiGHS (`highspy`); it passes when
each interval is at least 2d wide. `secondary_suppression` hides more until it passes.

Pure: no Dagster, no DuckDB. The programme and the partner rule: docs/ARCHITECTURE.md,
«assets/disclosure/audit.py».
"""

from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

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
    # False where it is published beyond disclosure control (the report's own tables): the
    # secondary step never hides it.
    hideable: bool = True


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
        """A quantity; one already there (the same sum published elsewhere) is published where
        either is, and hideable only where both are."""
        known = self.quantities.get(quantity.key)
        if known is None:
            self.quantities[quantity.key] = quantity
            return
        self.quantities[quantity.key] = replace(
            known,
            half_width=quantity.half_width if known.half_width is None else known.half_width,
            hideable=known.hideable and quantity.hideable,
        )

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
    # Where it fails after a solve: the shown quantities whose published values bound it.
    limited_by: tuple = field(default=(), compare=False)

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
    return _Programme(model, hidden).intervals(keys)


class _Part:
    """One independent part of the programme: one HiGHS model, kept as the hidden set grows.

    Its columns are its unknowns and the shown quantities its relations name, the latter fixed
    to their published intervals: hiding one is a change of its column's bounds, not a new
    model. Every solution is a set of values the published figures allow, and so are the true
    values; hiding only widens the programme, so a quantity's range over the solutions seen (in
    this model, or in a part merged into it) lies within its interval in every later round.
    """

    def __init__(self) -> None:
        self.highs = _silent_highs()
        # Presolve off: tells unbounded from infeasible, and keeps the basis between solves.
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)
        self.column: dict[Hashable, int] = {}
        self.keys: list[Hashable] = []  # a column's quantity
        self.row: dict[int, int] = {}  # id(relation) -> its row
        self.relations: list[Relation] = []
        self.seen_low = np.zeros(0)
        self.seen_high = np.zeros(0)

    def add_columns(self, keys: list[Hashable], bounds, seen: list[tuple[float, float]]) -> None:
        new = [key for key in keys if key not in self.column]
        if not new:
            return
        ranges = dict(zip(keys, seen, strict=True))
        low, high = np.array([bounds(key) for key in new], dtype=float).T.reshape(2, -1)
        self.highs.addCols(
            len(new), np.zeros(len(new)), low, high, 0, np.zeros(0, np.int32),
            np.zeros(0, np.int32), np.zeros(0),
        )  # fmt: skip
        for key in new:
            self.column[key] = len(self.column)
            self.keys.append(key)
        self.seen_low = np.append(self.seen_low, [ranges[key][0] for key in new])
        self.seen_high = np.append(self.seen_high, [ranges[key][1] for key in new])

    def add_rows(self, relations: list[Relation]) -> None:
        if not relations:
            return
        starts = np.cumsum([0, *(len(r.terms) for r in relations)])[:-1].astype(np.int32)
        columns = np.array([self.column[k] for r in relations for k, _ in r.terms], np.int32)
        values = np.array([c for r in relations for _, c in r.terms], dtype=float)
        self.highs.addRows(
            len(relations), np.array([r.lower for r in relations], dtype=float),
            np.array([r.upper for r in relations], dtype=float), len(columns), starts, columns,
            values,
        )  # fmt: skip
        for relation in relations:
            self.row[id(relation)] = len(self.relations)
            self.relations.append(relation)

    def interval(self, key: Hashable, required: float, fixed) -> tuple[float, float, list]:
        """The interval of `key` over the part, and where it is too narrow, the shown quantities
        whose published values bound it (`fixed(k)`: k is shown), by their reduced costs at the
        solver's optimum: hiding one of them is what can widen it."""
        column = self.column[key]
        if self.seen_high[column] - self.seen_low[column] >= required:
            return (self.seen_low[column], self.seen_high[column], [])
        highs = self.highs
        highs.changeColCost(column, 1.0)
        ends = {}
        limiting: list[Hashable] = []
        # The maximum first: a hidden value is mostly small and its minimum 0, so the maximum
        # alone, with the least value seen, often shows the margin and the minimum is not solved.
        for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
            highs.changeObjectiveSense(sense)
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:  # nothing published caps it
                ends[sense] = np.inf
            elif status == highspy.HighsModelStatus.kOptimal:
                ends[sense] = highs.getInfo().objective_function_value
                solution = highs.getSolution()
                values = np.asarray(solution.col_value)
                np.minimum(self.seen_low, values, out=self.seen_low)
                np.maximum(self.seen_high, values, out=self.seen_high)
                duals = np.asarray(solution.col_dual)
                limiting.extend(
                    self.keys[i]
                    for i in np.flatnonzero(np.abs(duals) > 1e-9)
                    if fixed(self.keys[i])
                )
            else:
                # The true values satisfy every relation, so the programme is feasible: anything
                # else is a bug in how the model was built.
                raise RuntimeError(f"disclosure audit: HiGHS {highs.modelStatusToString(status)}")
            if ends[sense] - self.seen_low[column] >= required:
                ends[highspy.ObjSense.kMinimize] = self.seen_low[column]
                break
        highs.changeColCost(column, 0.0)
        low, high = ends[highspy.ObjSense.kMinimize], ends[highspy.ObjSense.kMaximize]
        return (low, high, [] if high - low >= required else list(dict.fromkeys(limiting)))


class _Terms:
    """The relations' terms as arrays, and every quantity's published bounds: the interval one
    relation alone leaves a quantity is then a few array operations, not a loop over its terms
    (a nation's relation has a term per municipality, and the screen and the partner choice
    look at every relation of every failing quantity in every round)."""

    def __init__(self, model: Model) -> None:
        self.index: dict[Hashable, int] = {key: i for i, key in enumerate(model.quantities)}
        self.arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for relation in model.relations:
            indices = [self.index.setdefault(k, len(self.index)) for k, _ in relation.terms]
            coefficients = [c for _, c in relation.terms]
            self.arrays[id(relation)] = (np.array(indices), np.array(coefficients, dtype=float))
        # A term that is no published quantity is only known to be ≥ 0.
        self.low = np.zeros(len(self.index))
        self.high = np.full(len(self.index), np.inf)
        for key, quantity in model.quantities.items():
            if quantity.half_width is not None:
                self.low[self.index[key]] = max(0.0, quantity.value - quantity.half_width)
                self.high[self.index[key]] = quantity.value + quantity.half_width


class _Programme:
    """The attacker's linear programme of a model, kept across the rounds of the secondary step:
    its unknowns (the hidden quantities and those never published exactly) fall into independent
    parts, one `_Part` each. Hiding a quantity frees its column, adds the relations it is in,
    drops the ones published only with it, and merges the parts it now ties together (the
    smaller into the larger); no part is built again."""

    def __init__(self, model: Model, hidden: Iterable[Hashable]) -> None:
        self.model = model
        self.relations_of: dict[Hashable, list[Relation]] = _neighbours(model)
        self.carried: dict[Hashable, list[Relation]] = {}  # shown_with -> its relations
        for relation in model.relations:
            if relation.shown_with is not None:
                self.carried.setdefault(relation.shown_with, []).append(relation)
        self.hidden: set[Hashable] = set()
        self.unknown: set[Hashable] = set()
        self.parts_with: dict[Hashable, set[_Part]] = {}  # a fixed column can be in several
        self.part_of_row: dict[int, _Part] = {}
        self.changed: set[_Part] = set()  # by the latest hides
        self.terms = _Terms(model)
        # The bounds the programme gives each quantity: its published interval, ≥ 0 when hidden.
        self.low, self.high = self.terms.low.copy(), self.terms.high.copy()
        self.hide(hidden)
        for key, quantity in model.quantities.items():
            if quantity.half_width != 0 and key not in self.unknown:
                self._free(key)

    def bounds(self, key: Hashable) -> tuple[float, float]:
        quantity = self.model.quantities[key]
        if key in self.hidden or quantity.half_width is None:
            return (0.0, np.inf)
        return (
            max(0.0, quantity.value - quantity.half_width),
            quantity.value + quantity.half_width,
        )

    def active(self, relation: Relation) -> bool:
        return relation.shown_with is None or relation.shown_with not in self.hidden

    def hide(self, keys: Iterable[Hashable]) -> None:
        # In one order whatever the order of `keys` (a set's differs between processes): the
        # order of the columns decides which optimum HiGHS returns, and so the partners chosen
        # from its reduced costs; a refresh of the same data hides the same figures.
        for key in sorted(keys, key=repr):
            if key not in self.hidden:
                self.hidden.add(key)
                self.low[self.terms.index[key]] = 0.0
                self.high[self.terms.index[key]] = np.inf
                self._free(key)

    def _free(self, key: Hashable) -> None:
        for relation in self.carried.get(key, []):  # published only with `key`: gone now
            part = self.part_of_row.get(id(relation))
            if part is not None:
                part.highs.changeRowBounds(part.row[id(relation)], -np.inf, np.inf)
                self.changed.add(part)
        if key in self.unknown:  # an unknown already (not published exactly): now unbounded
            part = self.part(key)
            part.highs.changeColBounds(part.column[key], *self.bounds(key))
            self.changed.add(part)
            return
        relations = [r for r in self.relations_of.get(key, []) if self.active(r)]
        parts = set(self.parts_with.get(key, ()))
        for relation in relations:
            for term, _ in relation.terms:
                if term in self.unknown:
                    parts |= self.parts_with[term]
        part = self._merge(parts)
        self.unknown.add(key)
        terms = [key, *(term for r in relations for term, _ in r.terms)]
        self._add(part, list(dict.fromkeys(terms)), [r for r in relations if id(r) not in part.row])
        part.highs.changeColBounds(part.column[key], *self.bounds(key))
        self.changed.add(part)

    def _merge(self, parts: set[_Part]) -> _Part:
        if not parts:
            return _Part()
        # The largest first, ties by their first quantity: one order in every process.
        ordered = sorted(parts, key=lambda part: (-len(part.column), repr(part.keys[0])))
        into = ordered[0]
        for part in ordered[1:]:
            keys = list(part.column)
            seen = list(zip(part.seen_low, part.seen_high, strict=True))
            kept = [r for r in part.relations if self.active(r) and id(r) not in into.row]
            self._add(into, keys, kept, seen)
            for key in keys:
                self.parts_with[key].discard(part)
            self.changed.add(into)
        return into

    def _add(self, part: _Part, keys: list[Hashable], relations: list[Relation], seen=None) -> None:
        if seen is None:
            seen = [(self.model.quantities[k].value,) * 2 for k in keys]
        part.add_columns(keys, self.bounds, seen)
        part.add_rows(relations)
        for key in keys:
            self.parts_with.setdefault(key, set()).add(part)
        for relation in relations:
            self.part_of_row[id(relation)] = part

    def hideable(self, key: Hashable) -> bool:
        """Shown, and the secondary step may hide it: published itself, or through a relation
        it carries (a share published while its numerator is)."""
        quantity = self.model.quantities[key]
        return (
            key not in self.hidden
            and quantity.hideable
            and (quantity.half_width is not None or key in self.carried)
        )

    def part(self, key: Hashable) -> _Part:
        (part,) = self.parts_with[key]
        return part

    def intervals(self, keys: Iterable[Hashable]) -> list[Interval]:
        found = []
        for key in keys:
            quantity = self.model.quantities[key]
            required = required_width(quantity)
            low, high, limited_by = self.part(key).interval(key, required, self.hideable)
            found.append(Interval(key, quantity.value, low, high, required, tuple(limited_by)))
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
    been made: 0 switches the secondary step off). Each round hides one partner per failing
    quantity. Hiding only widens intervals, so a quantity that passed stays passed, and a
    failing one is audited again only when its part changed; the parts' models are kept."""
    programme = _Programme(model, primary)
    intervals = {i.key: i for i in _screened_audit(programme, sorted(primary, key=repr))}
    made = 0
    while rounds is None or made < rounds:
        failing = [key for key, interval in intervals.items() if not interval.passed]
        if not failing:
            break
        # What the partner choice knows of each quantity: a shown one its published interval, a
        # hidden one the interval the audit found (≥ 0 before it has one).
        low, high = programme.low.copy(), programme.high.copy()
        for key, interval in intervals.items():
            low[programme.terms.index[key]] = interval.low
            high[programme.terms.index[key]] = interval.high
        added = {_partner(model, programme, (low, high), intervals, key) for key in failing} - {
            None
        }
        if not added:
            break  # nothing left to hide: the audit fails and says where
        programme.changed.clear()
        added = sorted(added, key=repr)  # one order for every run
        programme.hide(added)
        affected = [k for k in [*failing, *added] if programme.part(k) in programme.changed]
        for interval in _screened_audit(programme, affected):
            intervals[interval.key] = interval
        made += 1
    hidden = programme.hidden
    return Suppression(set(hidden), hidden - set(primary), list(intervals.values()))


def _screened_audit(programme: _Programme, keys: list[Hashable]) -> list[Interval]:
    """The intervals of `keys`, but a quantity that one relation alone pins too tightly (the
    others of its terms anywhere their published intervals, or ≥ 0 for the hidden, allow) fails
    without a linear programme: the programme's interval lies within that relation's. Most
    failures are of this kind, and the solver's calls are the audit's cost."""
    found, solve = [], []
    for key in keys:
        quantity = programme.model.quantities[key]
        pinned = min(
            (
                _implied_interval(programme.terms, relation, key, (programme.low, programme.high))
                for relation in programme.relations_of.get(key, [])
                if programme.active(relation)
            ),
            key=lambda interval: interval[1] - interval[0],
            default=(0.0, np.inf),
        )
        interval = Interval(key, quantity.value, *pinned, required_width(quantity))
        (solve if interval.passed else found).append(interval if not interval.passed else key)
    return [*found, *programme.intervals(solve)]


def _neighbours(model: Model) -> dict[Hashable, list[Relation]]:
    related: dict[Hashable, list[Relation]] = {}
    for relation in model.relations:
        for key, _ in relation.terms:
            related.setdefault(key, []).append(relation)
    return related


def _partner(
    model: Model,
    programme: _Programme,
    bounds: tuple[np.ndarray, np.ndarray],
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
    hidden, neighbours = programme.hidden, programme.relations_of

    def order(k: Hashable) -> tuple:
        # The smallest value that alone gives the margin `key` needs, else the largest.
        other = model.quantities[k]
        enough = other.value >= need
        return (other.rank, not enough, other.value if enough else -other.value, repr(k))

    def choose(candidates: Iterable[Hashable]) -> Hashable | None:
        shown = [k for k in candidates if programme.hideable(k)]
        return min(shown, key=order) if shown else None

    # Where the solver found it too narrow, the shown quantities that bound it at the optimum
    # (their reduced costs): hiding one of them is what widens it, so the cheapest of those.
    found = intervals.get(key)
    limited_by = found.limited_by if found is not None else ()
    partner = choose(limited_by)
    if partner is not None:
        return partner
    # The cheapest shown term of the relations that pin `key` or, where only a combination
    # does, of all its relations: first one that is in the most of them (a municipality in the
    # same county and the same SKR group as `key` opens both, as the corner of tau-argus's
    # hypercube), then by rank (the nation's only when no relation offers another), then the
    # tightest relation's, then the smallest value that alone gives the margin.
    active = [
        (_implied_width(programme.terms, relation, key, bounds), relation)
        for relation in neighbours.get(key, [])
        if relation.shown_with is None or relation.shown_with not in hidden
    ]
    for relations in ([(w, r) for w, r in active if w < need], active):
        covers: dict[Hashable, int] = {}
        tightest: dict[Hashable, float] = {}
        for width, relation in relations:
            for k, _ in relation.terms:
                if k != key:
                    covers[k] = covers.get(k, 0) + 1
                    tightest[k] = min(tightest.get(k, np.inf), width)
        shown = [k for k in covers if programme.hideable(k)]
        if shown:
            return min(
                shown,
                key=lambda k: (model.quantities[k].rank[:1], -covers[k], tightest[k], *order(k)),
            )
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


def _implied_width(terms: _Terms, relation: Relation, key: Hashable, bounds) -> float:
    low, high = _implied_interval(terms, relation, key, bounds)
    return high - low


def _implied_interval(
    terms: _Terms, relation: Relation, key: Hashable, bounds: tuple[np.ndarray, np.ndarray]
) -> tuple[float, float]:
    """The interval the one relation leaves `key`, every other term within its `bounds` (arrays
    by `terms.index`), key ≥ 0."""
    indices, coefficients = terms.arrays[id(relation)]
    mine = indices == terms.index[key]
    own = coefficients[mine].sum()
    others, c = indices[~mine], coefficients[~mine]
    # Each other term's contribution at its two bounds (c × ∞ is ±∞, never NaN: c ≠ 0).
    at_low, at_high = c * bounds[0][others], c * bounds[1][others]
    low_sum = float(np.minimum(at_low, at_high).sum())
    high_sum = float(np.maximum(at_low, at_high).sum())
    # lower - high_sum <= own * x <= upper - low_sum
    with np.errstate(invalid="ignore"):
        ends = sorted(((relation.lower - high_sum) / own, (relation.upper - low_sum) / own))
    low, high = max(0.0, ends[0]), ends[1]
    if np.isnan(low) or np.isnan(high):
        return (0.0, np.inf)
    return (low, high)


def _silent_highs() -> highspy.Highs:
    """A HiGHS instance that writes nothing. HiGHS prints its banner on the process's stdout as
    it is constructed, before `output_flag` can be set (ERGO-Code/HiGHS#1932), and it would stand
    in every refresh's summary: the constructor runs with file descriptor 1 on the null device."""
    sys.stdout.flush()
    stdout = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(stdout, 1)
        os.close(stdout)
    highs.setOptionValue("output_flag", False)
    return highs
