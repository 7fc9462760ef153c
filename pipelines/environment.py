"""The environment the Definitions read their resources from, and the defaults the entry points
(`make`, `python -m pipelines.refresh`, `make dev`) give it when a variable is not set."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from assets.run_context.resources import LandingZone, Warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "kompetens.duckdb"

# Each resource's setting comes from an environment variable (dg.EnvVar, read when a run or a
# sensor starts, never at import). The entry points set these defaults when the variable is not
# set; Dagster itself has no default for an EnvVar.
DEFAULT_ENVIRONMENT = {
    "KOMPETENS_RAW_DIR": str(DEFAULT_RAW_DIR),
    "KOMPETENS_WAREHOUSE": str(DEFAULT_WAREHOUSE),
    # The failure alert's settings (pipelines/alerts.py): the webserver `make dev` starts, and no
    # webhook.
    "KOMPETENS_DAGSTER_URL": "http://127.0.0.1:3000",
    "KOMPETENS_ALERT_WEBHOOK": "",
}


def set_default_environment() -> None:
    """Give each unset variable of DEFAULT_ENVIRONMENT its default, in this process (and the
    processes it starts)."""
    for variable, default in DEFAULT_ENVIRONMENT.items():
        if not os.environ.get(variable):
            os.environ[variable] = default


def landing_zone_from_env() -> LandingZone:
    """The landing zone as the Definitions configure it (KOMPETENS_RAW_DIR)."""
    return LandingZone(raw_dir=dg.EnvVar("KOMPETENS_RAW_DIR"))


def warehouse_from_env() -> Warehouse:
    """The warehouse as the Definitions configure it (KOMPETENS_WAREHOUSE)."""
    return Warehouse(database=dg.EnvVar("KOMPETENS_WAREHOUSE"))
