"""The shell commands of README.md work as written, after the two set-up commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import dagster as dg

from pipelines.environment import PROJECT_ROOT
from tests.landing_zone_fixture import EXPECTED_LEDGER, build_small_landing_zone
from tests.test_operations import count_in_fresh_process

README = PROJECT_ROOT / "README.md"


def readme_commands(containing: str) -> list[str]:
    """The lines of README.md's ```sh blocks (indented ones in lists too) that contain a string."""
    commands, in_block = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("```"):
            in_block = text == "```sh" and not in_block
        elif in_block and containing in text:
            # Up to a trailing comment, as in the set-up block.
            commands.append(text.split("  #")[0])
    return commands


def run(command: str, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env or os.environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_readmes_validator_commands_work_as_written():
    commands = readme_commands(" validate ")
    # `.venv/bin/kompetens validate …` and `make validate FILE=…`; a bare `kompetens` is not on
    # the PATH after the set-up.
    assert len(commands) == 2, commands
    for command in commands:
        (file,) = re.findall(r"raw/\S+", command)
        completed = run(command, PROJECT_ROOT)
        assert completed.returncode == 0, (command, completed.stdout, completed.stderr)
        assert f"Fil: {file.removeprefix('raw/')}" in completed.stdout.splitlines(), command


def test_the_readmes_dagster_command_materialises_into_the_projects_instance(tmp_path):
    (command,) = readme_commands("dagster asset materialize")
    # The instance it names is the one the Makefile sets for `make refresh` and `make dev`.
    (makefile_home,) = re.findall(
        r"^export DAGSTER_HOME \?= \$\(CURDIR\)/(\S+)$",
        (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert command.startswith(
        f"DAGSTER_HOME=$PWD/{makefile_home} KOMPETENS_RAW_DIR=$PWD/raw "
        "KOMPETENS_WAREHOUSE=$PWD/warehouse/kompetens.duckdb "
    )
    (year,) = re.findall(r"--partition (\d{4})$", command)
    # Run as written in a folder laid out as a clone is after the set-up (the project's
    # environment, the instance `make` creates), so that $PWD/.dagster_home is not the project's
    # own instance; on the small landing zone, to be quick.
    (tmp_path / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    dagster_home = tmp_path / makefile_home
    dagster_home.mkdir()
    shutil.copy(PROJECT_ROOT / "pipelines" / "dagster.yaml", dagster_home / "dagster.yaml")
    # The years are partitions, as `make refresh` leaves them.
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.add_dynamic_partitions("ar", ["2013", "2014", "2015", "2016"])
    build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DAGSTER_HOME", "KOMPETENS_RAW_DIR", "KOMPETENS_WAREHOUSE"}
    }
    completed = run(command, tmp_path, env)
    assert completed.returncode == 0, completed.stderr[-5000:]
    # The year's files only: the run built that partition, into the paths the command names.
    assert count_in_fresh_process(warehouse, "SELECT count(*) FROM quality.file_ledger") == len(
        [path for path in EXPECTED_LEDGER if path.startswith(f"{year}/")]
    )
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        (materialisation,) = instance.get_runs()
    finally:
        instance.dispose()
    assert materialisation.is_success
