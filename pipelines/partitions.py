"""The years as partitions, and which of them a refresh builds.

A new year is a new folder of the landing zone, and nothing in the code lists the years
(contract section 1): the year-scoped assets (ledger, answers, grant register, validation) are
partitioned by a dynamic partitions definition, `ar`, whose partitions are the year folders. The
sensor `landing_zone_changed` adds a partition when a year folder appears; `make refresh` adds
them before its run. A removed year folder keeps its partition: building it empties that year.

A refresh builds the years whose inputs changed since the published build (per-year fingerprints,
assets/ingest/build_inputs.py) and then the report, which reads every year, in one run that ends
in one publication. A run can only target a range of partitions, so the run spans the changed
years in partition order; the unchanged years inside the span are rebuilt too, from the parse
cache, and come out the same.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import dagster as dg

# A run of a range of partitions is tagged with its first and last key, as Dagster's command line
# (`--partition-range`) and its backfills tag it; the tags are Dagster's documented names.
PARTITION_TAG = "dagster/partition"
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
# The runs that our automation starts (the nightly schedule, the sensor, `make refresh`) carry
# this tag: their first asset, quality/build_inputs, skips every step when the published build is
# current (the cheap path). A run someone asked for (the UI, a backfill, Dagster's command line)
# has no such tag and does what it selects.
WHEN_CHANGED_TAG = "kompetens/build"
WHEN_CHANGED = {WHEN_CHANGED_TAG: "when_changed"}

YEAR_PARTITIONS = dg.DynamicPartitionsDefinition(name="ar")
# Every year builds in the same run: a backfill of every year is one run ending in one
# publication, not one run (and one swap of the warehouse) per year.
YEAR_BACKFILL_POLICY = dg.BackfillPolicy.single_run()
# Dagster marks the assets' `backfill_policy` parameter beta; said once per asset on every import,
# the warning would stand above every `make refresh` summary.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


def single_run_backfills(assets: list[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Every asset with the single-run backfill policy, the unpartitioned ones too: then Dagster's
    command line runs a range of years and the report in one run (it refuses a range otherwise),
    as `make refresh` does."""
    return [asset.with_attributes(backfill_policy=YEAR_BACKFILL_POLICY) for asset in assets]


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


def run_years(context: dg.AssetExecutionContext) -> set[int]:
    """The years a run builds, for an asset that is not partitioned itself (the build's
    fingerprint records which years it built): from the run's partition tags."""
    tags = context.run.tags
    if PARTITION_TAG in tags:
        return {int(tags[PARTITION_TAG])}
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start is None or end is None:
        return set()
    # A range runs over the partitions from start to end in the order they were added.
    keys = context.instance.get_dynamic_partitions(YEAR_PARTITIONS.name)
    return {int(key) for key in keys[keys.index(start) : keys.index(end) + 1]}


def unpartitioned_asset_keys(asset_graph) -> list[dg.AssetKey]:
    """The assets that read every year (the report and what follows it): what a run builds when
    no year changed but the build did (the README, or exports cut short)."""
    return [
        key
        for key in asset_graph.get_all_asset_keys()
        if asset_graph.get(key).partitions_def is None
    ]
