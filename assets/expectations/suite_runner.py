"""A suite run by Great Expectations, as the helper process is sent it: this module imports
Great Expectations only when `run_suite` is called, so the checks that send it never do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assets.expectations.suites import Suite, SuiteOutcome

if TYPE_CHECKING:
    import pandas as pd


def run_suite(suite: Suite, frame: pd.DataFrame, run_id: str, data_docs_dir: Path) -> SuiteOutcome:
    """`suite` validated on `frame`, the run's Data Docs rebuilt (assets/expectations/validation.py)."""
    from assets.expectations.validation import validate_suite

    return validate_suite(suite, frame, run_id, data_docs_dir)
