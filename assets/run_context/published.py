"""The published warehouse as the stages name it in Dagster: its asset key, and the metadata
names of the events recorded on it. Here, beneath the stages, because ingest records on it
(a refresh that finds nothing to build confirms it current) and publish materialises it."""

import dagster as dg

# The asset that swaps a run's staging warehouse in as the published one (assets/swap).
PUBLISHED_WAREHOUSE = dg.AssetKey("kompetens_warehouse")
# The metadata key of the observation quality/build_inputs records when a refresh finds the
# published build current; the freshness check (assets/swap/freshness_check.py) counts it.
CONFIRMED_CURRENT = "confirmed_current"
