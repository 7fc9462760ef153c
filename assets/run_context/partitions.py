"""The years as partitions, and the tags that say which years a run builds and how.

A new year is a new folder of the landing zone, and nothing in the code lists the years
(contract section 1): the year-scoped assets (ledger, answers, grant register, validation) are
partitioned by a dynamic partitions definition, `ar`, whose partitions are the year folders. The
sensor `landing_zone_changed` adds a partition when a year folder appears; `make refresh` adds
them before its run. A removed year folder keeps its partition: building it empties that year.
Which years a run targets is the wiring's to plan (pipelines/year_runs.py); the tags it carries
are named here, where the stages read them.
"""

from __future__ import annotations

import warnings

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
