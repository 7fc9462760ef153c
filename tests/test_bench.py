"""The pure parts of the refresh benchmark: summary statistics and the step times of a run."""

import pytest

from tools.bench.bench import (
    dagster_run_ids,
    fit_line,
    render_document,
    step_timings,
    summarise,
)


def test_step_timings_are_read_from_the_run_in_the_instance(tmp_path):
    # make refresh prints a summary, not the step events: the benchmark reads them from the
    # Dagster instance, and only for the run the measured command made.
    import dagster as dg

    @dg.op
    def one_step():
        return 1

    @dg.job
    def tiny():
        one_step()

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    assert dagster_run_ids(str(home)) == set()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = tiny.execute_in_process(instance=instance).run_id
    assert dagster_run_ids(str(home)) == {run_id}
    steps = step_timings(str(home), run_id)
    assert set(steps) == {"one_step"}
    assert 0 < steps["one_step"] < 60
    assert dagster_run_ids(None) == set()


def test_summary_is_median_min_max():
    summary = summarise([3.0, 1.0, 10.0])
    assert (summary.median, summary.minimum, summary.maximum) == (3.0, 1.0, 10.0)


def test_summary_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert summarise([4.0, 1.0, 2.0, 3.0]).median == 2.5


def test_a_line_through_exact_points_gives_its_slope_and_intercept():
    fit = fit_line([1_000, 10_000, 100_000], [12.0, 21.0, 111.0])  # 11 s + 1 ms per submission
    assert fit.seconds_per_submission == pytest.approx(0.001)
    assert fit.intercept_seconds == pytest.approx(11.0)


def _scenario(seconds, steps=None, rss=100.0):
    return {"seconds": seconds, "peak_rss_mib": rss, "steps": steps or {}}


REFRESH = {
    "measured_at": "2026-11-23 05:00 UTC",
    "machine": "2 CPUs",
    "runs": 1,
    "scenarios": {
        "cold": [_scenario(9.0, {"submission_files": 2.0, "publication__exports": 3.0})],
        "no_change": [_scenario(1.0)],
        "no_change_run": [_scenario(4.6, {"quality__build_inputs": 0.1})],
        "new_file": [_scenario(9.5)],
        "import_definitions": [_scenario(2.0)],
        "hash_raw": [_scenario(0.5)],
        "build_report": [_scenario(0.3, rss=None)],
        "without_suites_and_charts": [_scenario(8.0)],
    },
    "pandas": {"duckdb_seconds": [0.1], "pandas_seconds": [0.15], "cells": 298, "ratio": 1.5},
}


def test_the_document_judges_the_targets_against_the_floor():
    document = render_document(REFRESH, None, "## Notes\n")
    # Floor 2.5 s: cold 9.0 s is above 3 × 2.5 = 7.5 s but under 10 s; no change 1.0 < 4.5 s,
    # but the Dagster run with nothing changed, 4.6 s, is not.
    assert (
        "| a. cold refresh within 3× the floor | 7.50 | 9.00 | **missed** by 1.50 s (1.2× the limit) |"
        in document
    )
    assert "| a. cold refresh under 10 s | 10.00 | 9.00 | met |" in document
    assert "| b. no-change refresh under 2 s beyond the floor | 4.50 | 1.00 | met |" in document
    assert (
        "| b2. the same for a Dagster run of the graph | 4.50 | 4.60 | **missed** by 0.10 s (1.0× the limit) |"
        in document
    )
    assert "a cold refresh takes\n8.00 s" in document
    # Steps the Dagster run with nothing changed did not execute were skipped.
    assert "| `publication__exports` | 3.00 | 60% | skipped |" in document
    assert "| `submission_files` | 2.00 | 40% | skipped |" in document
    assert "ratio pandas/DuckDB **1.50**, 298 cells equal" in document
    assert "## Growth\n\nNot measured yet." in document
    assert document.endswith("## Notes\n")


def test_the_growth_section_gives_time_per_submission_and_the_memory_verdict():
    point = {"municipalities": 290, "years": 4, "files": 559, "ledger_rows": 559, "answers": 50}
    growth = {
        "measured_at": "2026-11-23 06:00 UTC",
        "machine": "2 CPUs",
        "points": [
            {**point, "factor": 1, "submissions": 1_000, "seconds": 12.0, "peak_rss_mib": 500.0,
             "steps": {"submission_files": 1.0}, "pandas": {"ratio": 1.2, "duckdb_seconds": [0.1]}},
            {**point, "factor": 1000, "submissions": 100_000, "seconds": 111.0, "peak_rss_mib": 5000.0,
             "steps": {"submission_files": 90.0}, "pandas": None},
        ],
    }  # fmt: skip
    document = render_document(None, growth, "")
    assert "**1.00 ms per\nsubmission** plus 11.0 s" in document
    assert "5000 MiB against the 4 GiB target: **missed**" in document
    # 12 ms → 1.11 ms per submission from 1× to 1000×: the fixed cost is spread.
    assert "from 1× to 1000×: 12.00 → 1.11 ms (linear or better: met)" in document
    assert (
        "| 1000× | 290 × 4 | 559 | 100000 | 50 | 111.0 | 5000 | 1.11 | `submission_files` 90.0 |"
        in document
    )


def test_the_counterfactual_refresh_is_refused_if_it_wrote_data_docs_or_charts(tmp_path):
    from tools.bench.without_suites_and_charts import assert_left_out

    database = tmp_path / "kompetens.duckdb"
    assert_left_out(database)  # neither written: the counterfactual held
    (tmp_path / "exports" / "diagram").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="diagram"):
        assert_left_out(database)
    (tmp_path / "exports" / "diagram").rmdir()
    (tmp_path / "data_docs").mkdir()
    with pytest.raises(RuntimeError, match="data_docs"):
        assert_left_out(database)
