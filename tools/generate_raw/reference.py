"""The project's reference data as the generator needs it: municipalities and published figures.

Read from `schemas/reference/` (the copies the pipeline uses), never from elsewhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas.catalog import SHIPPED_REFERENCE_DIR


@dataclass(frozen=True)
class Municipality:
    kommunkod: str
    kommun: str
    group_code: str  # SKR 2017 kommungrupp, A1 … C9
    population: dict[int, int]  # year → inhabitants on 31 December

    def __hash__(self) -> int:
        return hash(self.kommunkod)


@dataclass(frozen=True)
class PublishedCell:
    value: str  # as printed, e.g. "5390.5"
    decimals: int
    unit: str


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def municipalities(directory: Path = SHIPPED_REFERENCE_DIR) -> tuple[Municipality, ...]:
    """The 290 municipalities, sorted by kommunkod."""
    groups = {row["kommunkod"]: row["group_code"] for row in _rows("kommungrupp.csv", directory)}
    population: dict[str, dict[int, int]] = {}
    for row in _rows("population_2013_2017.csv", directory):
        population.setdefault(row["kommunkod"], {})[int(row["year"])] = int(row["population"])
    return tuple(
        Municipality(
            row["kommunkod"], row["kommun"], groups[row["kommunkod"]], population[row["kommunkod"]]
        )
        for row in sorted(_rows("municipalities.csv", directory), key=lambda r: r["kommunkod"])
    )


@cache
def published_tables(
    directory: Path = SHIPPED_REFERENCE_DIR,
) -> dict[tuple[str, str, str], PublishedCell]:
    """(table, row_key, col_key) → the published cell."""
    return {
        (row["table"], row["row_key"], row["col_key"]): PublishedCell(
            row["value"], int(row["decimals"]), row["unit"]
        )
        for row in _rows("published_tables.csv", directory)
    }


@cache
def published_text_figures(
    directory: Path = SHIPPED_REFERENCE_DIR,
) -> dict[str, tuple[int, int | None]]:
    """figure_key → (value, n_kommuner). Every text figure is a whole number or a rounded share."""
    return {
        row["figure_key"]: (
            int(row["value"]),
            int(row["n_kommuner"]) if row["n_kommuner"] else None,
        )
        for row in _rows("published_text_figures.csv", directory)
    }
