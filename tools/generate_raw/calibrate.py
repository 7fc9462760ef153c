"""Exact integer calibration: split a total into whole units so that column sums hit targets.

Everything the generator writes is a whole number of units (hundredths of an FTE, persons,
kronor). These helpers turn model weights into whole units that add up to a target exactly,
so published sums are reproduced by construction rather than by luck.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction


class CalibrationError(ValueError):
    """The requested target cannot be reached within the given bounds."""


WEIGHT_RESOLUTION = 10**9  # weights are compared as whole numbers at this resolution


def _binding_bounds(
    target: int, weights: list[int], lower: list[int], upper: list[int | None]
) -> list[str]:
    """For each item: 'lower', 'upper' or 'free' at the scale where the clamped shares add up
    to `target`. The clamped total is piecewise linear and nondecreasing in the scale; a sweep
    over the points where a share meets a bound finds the segment that holds the target."""
    events = []  # (scale, order, index): order 0 = leaves its lower bound, 1 = reaches its upper
    for i, (w, lo, hi) in enumerate(zip(weights, lower, upper, strict=True)):
        if w > 0:
            events.append((lo / w, 0, i))
            if hi is not None:
                events.append((hi / w, 1, i))
    events.sort()
    state = ["lower"] * len(weights)
    fixed_total = float(sum(lower))  # Σ of the shares held at a bound
    free_weight = 0.0
    for scale, order, i in events:
        if fixed_total + scale * free_weight >= target:
            break
        if order == 0:
            state[i] = "free"
            fixed_total -= lower[i]
            free_weight += weights[i]
        else:
            state[i] = "upper"
            fixed_total += upper[i]
            free_weight -= weights[i]
    return state


def apportion(
    target: int,
    weights: Sequence[float],
    upper: Sequence[int | None] | None = None,
    lower: Sequence[int] | None = None,
) -> list[int]:
    """Whole units summing exactly to `target`, proportional to `weights` within bounds.

    Each share is `clamp(scale * weight, lower, upper)` with the one `scale` that makes the
    shares add up to `target` (the shape of an allocation key with a floor and a cap), then
    rounded by largest remainder (ties to the earlier position). The final split is done in
    integer arithmetic, so the result does not depend on float rounding.
    """
    count = len(weights)
    if any(w < 0 for w in weights):
        raise CalibrationError("negative weight")
    int_weights = [round(w * WEIGHT_RESOLUTION) for w in weights]
    lower = list(lower) if lower is not None else [0] * count
    upper = list(upper) if upper is not None else [None] * count
    if sum(lower) > target or (None not in upper and sum(upper) < target):
        raise CalibrationError(f"target {target} is outside the bounds of its parts")

    state = _binding_bounds(target, int_weights, lower, upper)
    held = {"lower": lower, "upper": upper}
    free = [i for i in range(count) if state[i] == "free"]
    rest = target - sum(held[state[i]][i] for i in range(count) if state[i] != "free")
    free_weight = sum(int_weights[i] for i in free)
    units = [held[state[i]][i] if state[i] != "free" else 0 for i in range(count)]
    remainders = [0] * count
    if free:
        if free_weight == 0:
            raise CalibrationError(f"target {target} unreachable: no free weight left")
        for i in free:
            units[i], remainders[i] = divmod(rest * int_weights[i], free_weight)
    elif rest:
        raise CalibrationError(f"target {target} unreachable within the bounds")

    # Keep every share inside its bounds, then hand out the units still missing (or take back
    # those in excess) by largest (smallest) remainder.
    for i in range(count):
        units[i] = max(lower[i], units[i] if upper[i] is None else min(upper[i], units[i]))
    missing = target - sum(units)
    order = sorted(range(count), key=lambda i: (-remainders[i], i))
    while missing:
        step = 1 if missing > 0 else -1
        before = missing
        for i in order if step > 0 else reversed(order):
            room = (upper[i] is None or units[i] < upper[i]) if step > 0 else units[i] > lower[i]
            if room and missing:
                units[i] += step
                missing -= step
        if missing == before:
            raise CalibrationError(f"target {target} unreachable within the bounds")
    return units


def _snap(value: int, step: int, low: int, high: int | None) -> int:
    """The multiple of `step` nearest `value` within [low, high]; `value` if there is none."""
    below = value - value % step
    candidates = [v for v in (below, below + step) if v >= low and (high is None or v <= high)]
    return min(candidates, key=lambda v: (abs(v - value), v)) if candidates else value


def apportion_in_steps(
    target: int,
    weights: Sequence[float],
    steps: Sequence[int],
    upper: Sequence[int | None] | None = None,
    lower: Sequence[int] | None = None,
) -> list[int]:
    """`apportion`, with item i's share a multiple of `steps[i]` where its bounds allow.

    Small municipalities report whole quarters of an FTE; the items with step 1 (or, if none,
    the three largest) absorb what the rounding to quarters leaves over.
    """
    units = apportion(target, weights, upper, lower)
    if all(step == 1 for step in steps):
        return units
    count = len(units)
    lower = list(lower) if lower is not None else [0] * count
    upper = list(upper) if upper is not None else [None] * count
    absorbing = [i for i in range(count) if steps[i] == 1 and units[i] > 0]
    if not absorbing:
        absorbing = sorted(range(count), key=lambda i: (-units[i], i))[:3]
    snapped = [
        units[i] if i in absorbing else _snap(units[i], steps[i], lower[i], upper[i])
        for i in range(count)
    ]
    rest = target - sum(snapped[i] for i in range(count) if i not in absorbing)
    try:
        absorbed = apportion(
            rest,
            [units[i] + 1 for i in absorbing],
            [upper[i] for i in absorbing],
            [lower[i] for i in absorbing],
        )
    except CalibrationError:
        return units  # the bounds leave no room: keep hundredths everywhere
    for i, value in zip(absorbing, absorbed, strict=True):
        snapped[i] = value
    return snapped


def fit_margins(
    seed: list[list[float]], row_totals: Sequence[int], column_totals: Sequence[int]
) -> list[list[float]]:
    """Iterative proportional fitting: rescale `seed` until its margins match the totals."""
    matrix = [row[:] for row in seed]
    for _ in range(200):
        for j, column_total in enumerate(column_totals):
            current = sum(row[j] for row in matrix)
            if current > 0:
                factor = column_total / current
                for row in matrix:
                    row[j] *= factor
        worst = 0.0
        for row, row_total in zip(matrix, row_totals, strict=True):
            current = sum(row)
            if current > 0:
                factor = row_total / current
                for j in range(len(row)):
                    row[j] *= factor
        for j, column_total in enumerate(column_totals):
            worst = max(worst, abs(sum(row[j] for row in matrix) - column_total))
        if worst < 1e-6:
            break
    return matrix


def split_rows(
    row_totals: Sequence[int],
    column_totals: Sequence[int],
    seed: list[list[float]],
    steps: Sequence[int],
) -> list[list[int]]:
    """Whole-unit table with the given row and column totals, shaped like `seed`.

    Used for the three competence levels of a subarea: each municipality's row adds up to
    its assessed FTE, each column to the published national sum.
    """
    if sum(row_totals) != sum(column_totals):
        raise CalibrationError("row and column totals differ")
    fitted = fit_margins(seed, row_totals, column_totals)
    room = list(row_totals)
    columns = []
    for j, column_total in enumerate(column_totals[:-1]):
        column = apportion_in_steps(column_total, [row[j] for row in fitted], steps, upper=room)
        room = [r - c for r, c in zip(room, column, strict=True)]
        columns.append(column)
    columns.append(room)
    return [list(row) for row in zip(*columns, strict=True)]


def rounding_interval(value: str, decimals: int) -> tuple[int, int]:
    """Hundredths that round (half away from zero) to the published `value`: [low, high).

    Published figures have at most two decimals, so the bounds are whole hundredths.
    """
    centre = int(Fraction(value) * 100)
    if decimals >= 2:
        return centre, centre + 1
    half_width = 50 // 10**decimals
    return centre - half_width, centre + half_width


def _clear_of_edges(low: int, high: int) -> range:
    # A sum of two-decimal doubles can land a hair beside its exact value, so a figure that
    # sits exactly on a rounding edge could round either way: keep a hundredth away.
    return range(low, high) if high - low == 1 else range(low + 1, high)


def choose_within(
    intervals: Sequence[tuple[int, int]], total: tuple[int, int] | None, preferred: Sequence[int]
) -> list[int] | None:
    """Values inside each interval, closest to `preferred`, whose sum lies inside `total`.

    Used where the report prints both parts and their sum (kvinnor + män = totalt, three
    competence levels = totalt): each rounded part allows a few hundredths of freedom, which
    is enough to make the rounded sum agree too. None when no such values exist.
    """
    candidates = [
        sorted(_clear_of_edges(*interval), key=lambda v, want=want: (abs(v - want), v))[:12]
        for interval, want in zip(intervals, preferred, strict=True)
    ]
    allowed_sums = _clear_of_edges(*total) if total is not None else None
    best: tuple[int, list[int]] | None = None
    for combo in itertools.product(*candidates):
        if allowed_sums is not None and sum(combo) not in allowed_sums:
            continue
        cost = sum(abs(v - w) for v, w in zip(combo, preferred, strict=True))
        if total is not None:
            cost += abs(sum(combo) - (total[0] + total[1]) // 2)
        if best is None or cost < best[0]:
            best = (cost, list(combo))
    return best[1] if best else None
