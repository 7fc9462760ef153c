"""Which years a run targets: the partitions a refresh adds, the range its run spans, and what a
run builds when no year changed. Used by the sensor, the nightly schedule and `make refresh`.

How partitions come and go, and why a run spans unchanged years: docs/ARCHITECTURE.md,
«assets/run_context/partitions.py».
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg

from assets.run_context.partitions import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    YEAR_BACKFILL_POLICY,
)


def single_run_backfills(assets: list) -> list:
    """Every asset with the single-run backfill policy, the unpartitioned ones too: then Dagster's
    command line runs a range of years and the report in one run (it refuses a range otherwise),
    as `make refresh` does."""
    return [
        asset.with_attributes(backfill_policy=YEAR_BACKFILL_POLICY)
        if isinstance(asset, dg.AssetsDefinition)
        else asset  # the observable source of the year folders, which is observed, not built
        for asset in assets
    ]


@dataclass(frozen=True)
class YearsRun:
    """The partitions a refresh must add, and what its run targets."""

    years: list[int]  # the years the run builds, all of them within the tags' range
    new_partitions: list[str]  # to add to the instance before the run
    tags: dict[str, str]  # the partition range; empty when no year is built

    @property
    def builds_years(self) -> bool:
        return bool(self.tags)


def plan_years_run(
    existing_partitions: list[str], years: list[int], landing_zone_years: list[int]
) -> YearsRun:
    """The run that builds `years`: every landing-zone year and every year to build becomes a
    partition (new ones added in year order), and the run's range spans the years to build in
    partition order."""
    known = set(existing_partitions)
    new_partitions = sorted({str(ar) for ar in (*landing_zone_years, *years)} - known, key=int)
    order = [*existing_partitions, *new_partitions]
    if not years:
        return YearsRun(years=[], new_partitions=new_partitions, tags={})
    positions = sorted(order.index(str(ar)) for ar in years)
    span = order[positions[0] : positions[-1] + 1]
    return YearsRun(
        years=sorted(int(key) for key in span),
        new_partitions=new_partitions,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: span[0],
            ASSET_PARTITION_RANGE_END_TAG: span[-1],
        },
    )


def unpartitioned_asset_keys(specs: Iterable[dg.AssetSpec]) -> list[dg.AssetKey]:
    """The assets that read every year (the report and what follows it): what a run builds when
    no year changed but the build did (the README, the report's or the publication's code, or
    exports cut short)."""
    return [spec.key for spec in specs if spec.partitions_def is None]
