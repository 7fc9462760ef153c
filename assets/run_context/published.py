"""The published warehouse as the stages name it in Dagster: its asset key, and the metadata
names of the events recorded on it. Here, beneath the stages, because ingest records on it
(a refresh that finds nothing to build confirms it current) and publish materialises it."""

import dagster as dg

# The asset that swaps a run's staging warehouse in as the published one (assets/publish).
PUBLISHED_WAREHOUSE = dg.AssetKey("kompetens_warehouse")
