"""Seeded randomness that gives the same numbers on every platform and Python version.

Only `Random.random()` is used (Mersenne Twister, stable for decades); the helpers below do
their own arithmetic instead of relying on library functions whose algorithms have changed
between Python versions (shuffle, sample, choices) or on libm (gauss, lognormvariate).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

SEED = 20170611  # the report's art.nr 2017-6-11

T = TypeVar("T")


def stream(name: str) -> random.Random:
    """An independent stream per purpose, so changing one part leaves the others untouched."""
    return random.Random(f"{SEED}/{name}")


def jitter(rng: random.Random, spread: float) -> float:
    """A factor in [1 - spread, 1 + spread], bell-shaped around 1."""
    return 1.0 + spread * (rng.random() + rng.random() + rng.random() - 1.5) / 1.5


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """`k` distinct items, each draw with probability proportional to its weight."""
    pool = list(zip(items, weights, strict=True))
    if k > len(pool):
        raise ValueError(f"cannot draw {k} of {len(pool)}")
    chosen = []
    for _ in range(k):
        threshold = rng.random() * sum(weight for _, weight in pool)
        running = 0.0
        index = len(pool) - 1
        for position, (_, weight) in enumerate(pool):
            running += weight
            if threshold < running:
                index = position
                break
        chosen.append(pool.pop(index)[0])
    return chosen


def shuffled(rng: random.Random, items: Sequence[T]) -> list[T]:
    return weighted_sample(rng, items, [1.0] * len(items), len(items))
