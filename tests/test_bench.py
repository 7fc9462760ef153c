"""The pure parts of the refresh benchmark: summary statistics and the Dagster log parser."""

import pytest

from tools.bench.bench import parse_step_timings, summarise

# Four STEP_SUCCESS lines in each of Dagster's duration formats, and one line that is not a step.
DAGSTER_LOG = """\
2026-11-23 03:58:07 +0000 - dagster - DEBUG - __ASSET_JOB - 751a - 6529 - core__grant_register - STEP_SUCCESS - Finished execution of step "core__grant_register" in 154ms.
2026-11-23 03:58:08 +0000 - dagster - DEBUG - __ASSET_JOB - 751a - 6529 - core__grant_register_grant_register_expectations - STEP_SUCCESS - Finished execution of step "core__grant_register_grant_register_expectations" in 6.45s.
2026-11-23 03:58:09 +0000 - dagster - DEBUG - __ASSET_JOB - 751a - 6529 - kompetens_warehouse - STEP_SUCCESS - Finished execution of step "kompetens_warehouse" in 8.3ms.
2026-11-23 03:58:10 +0000 - dagster - DEBUG - __ASSET_JOB - 751a - 6529 - publication__exports - STEP_SUCCESS - Finished execution of step "publication__exports" in 4m52s.
2026-11-23 03:58:11 +0000 - dagster - DEBUG - __ASSET_JOB - 751a - 6529 - RUN_SUCCESS - Finished execution of run for "__ASSET_JOB".
"""


def test_step_timings_are_read_from_every_duration_format():
    assert parse_step_timings(DAGSTER_LOG) == pytest.approx(
        {
            "core__grant_register": 0.154,
            "core__grant_register_grant_register_expectations": 6.45,
            "kompetens_warehouse": 0.0083,
            "publication__exports": 292.0,  # 4 × 60 + 52
        }
    )


def test_summary_is_median_min_max():
    summary = summarise([3.0, 1.0, 10.0])
    assert (summary.median, summary.minimum, summary.maximum) == (3.0, 1.0, 10.0)


def test_summary_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert summarise([4.0, 1.0, 2.0, 3.0]).median == 2.5
