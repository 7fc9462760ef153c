"""Issue 22, item 5: the gate (quality/build_inputs) decides from the assets' own code versions.

Each year's fingerprint takes the code versions of the year-scoped assets (and the gate's), the
build's those of every asset: a change of publication code rebuilds the report and publishes
without re-reading a year, a change of ingest code rebuilds every year, and a change of a module
that no asset imports rebuilds nothing. A code change is made here as it reaches the gate: as
another code version of the changed asset (pipelines/asset_catalog.py derives it from the module's
source), handed to the gate by the same wiring (`gate_metadata`).
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from assets.ingest import build_inputs
from assets.ingest.assets import BUILD_INPUTS, FILE_LEDGER, build_code
from assets.ingest.build_inputs import (
    CODE_FILES_METADATA,
    CODE_VERSIONS_METADATA,
    LIBRARY_FILES,
    YEAR_SCOPED_METADATA,
    read_build_inputs_before_definitions,
)
from assets.publication.assets import EXPORTS
from assets.run_context.resources import LandingZone, Warehouse
from pipelines.asset_catalog import gate_metadata
from pipelines.environment import PROJECT_ROOT
from tests.conftest import paths_in_environment
from tests.landing_zone_fixture import build_small_landing_zone
from tests.test_operations import sensor_tick

YEARS_OF_THE_SMALL_ZONE = "2013, 2014, 2015, 2016"


def _gate(defs: dg.Definitions) -> dg.AssetSpec:
    (gate,) = [spec for spec in defs.resolve_all_asset_specs() if spec.key == BUILD_INPUTS]
    return gate


def _built_specs(defs: dg.Definitions) -> list[dg.AssetSpec]:
    """The specs of the assets `defs` builds, as the wiring hands them to `gate_metadata`: not
    the observable source of the year folders (raw/year_folder), which is observed."""
    return [
        assets_def.get_asset_spec(key)
        for assets_def in defs.assets
        if isinstance(assets_def, dg.AssetsDefinition)
        for key in assets_def.keys
    ]


def _specs_mapped(defs: dg.Definitions, func) -> dg.Definitions:
    """`defs` with `func` applied to the spec of every asset it builds. Dagster's own
    `Definitions.map_asset_specs` refuses Definitions with an observable source, which
    `dg.observable_source_asset` makes as a SourceAsset."""
    return dg.Definitions(
        assets=[
            a.map_asset_specs(func) if isinstance(a, dg.AssetsDefinition) else a
            for a in defs.assets
        ],
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        schedules=defs.schedules,
        sensors=defs.sensors,
        resources=defs.resources,
        executor=defs.executor,
    )


def with_code_edited(defs: dg.Definitions, key: dg.AssetKey) -> dg.Definitions:
    """The Definitions after an edit of `key`'s code: another code version, which the wiring
    hands to the gate as it does any."""
    edited = _specs_mapped(
        defs,
        lambda spec: (
            spec.replace_attributes(code_version=f"{spec.code_version}, edited")
            if spec.key == key
            else spec
        ),
    )
    metadata = gate_metadata(_built_specs(edited))
    return _specs_mapped(
        edited,
        lambda spec: spec.merge_attributes(metadata=metadata) if spec.key == BUILD_INPUTS else spec,
    )


def test_the_gates_code_is_the_assets_code_versions():
    from pipelines.definitions import defs

    specs = _built_specs(defs)
    metadata = _gate(defs).metadata
    assert metadata[CODE_VERSIONS_METADATA] == {
        spec.key.to_user_string(): spec.code_version for spec in specs
    }
    assert metadata[YEAR_SCOPED_METADATA] == sorted(
        spec.key.to_user_string() for spec in specs if spec.partitions_def is not None
    )
    code = build_code(_gate(defs))
    # No list of code files of the gate's own: another digest of the repository's code files
    # leaves what it compares as it is.
    other_files = build_code(
        _gate(defs).merge_attributes(metadata={CODE_FILES_METADATA: "other code files"})
    )
    assert (other_files.years, other_files.build) == (code.years, code.build)
    publication = build_code(_gate(with_code_edited(defs, EXPORTS)))
    assert publication.years == code.years and publication.build != code.build
    ingest = build_code(_gate(with_code_edited(defs, FILE_LEDGER)))
    assert ingest.years != code.years and ingest.build != code.build


@pytest.fixture
def built(tmp_path):
    """The small landing zone built once, with its instance."""
    from pipelines.definitions import defs

    raw = build_small_landing_zone(tmp_path / "raw")
    warehouse = tmp_path / "warehouse" / "kompetens.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    assert _refresh(defs, raw, warehouse, instance).success
    return raw, warehouse, instance


def _refresh(defs: dg.Definitions, raw, warehouse, instance) -> dg.ExecuteInProcessResult:
    """A run as `make refresh`, the sensor and the schedule start it (the tag WHEN_CHANGED)."""
    from pipelines.refresh import execute_refresh

    with paths_in_environment(raw, warehouse):
        return execute_refresh(
            defs, instance, LandingZone(raw_dir=str(raw)), Warehouse(database=str(warehouse))
        )


def _steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {event.step_key for event in result.all_events if event.is_step_success}


def _gate_metadata(result: dg.ExecuteInProcessResult) -> dict:
    (materialization,) = [
        m for m in result.asset_materializations_for_node("quality__build_inputs")
    ]
    return {name: value.value for name, value in materialization.metadata.items()}


def _publications(warehouse) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM report.publiceringar").fetchone()[0]


def test_a_change_of_publication_code_republishes_and_reads_no_year(built):
    from pipelines.definitions import defs

    raw, warehouse, instance = built
    result = _refresh(with_code_edited(defs, EXPORTS), raw, warehouse, instance)
    assert result.success
    assert _gate_metadata(result)["years_built"] == "none"
    assert "submission_files" not in _steps(result)  # no file listed, hashed or parsed
    assert "publication__exports" in _steps(result)
    assert _publications(warehouse) == 2


def test_a_change_of_ingest_code_rebuilds_every_year(built):
    from pipelines.definitions import defs

    raw, warehouse, instance = built
    result = _refresh(with_code_edited(defs, FILE_LEDGER), raw, warehouse, instance)
    assert result.success
    assert _gate_metadata(result)["years_built"] == YEARS_OF_THE_SMALL_ZONE
    assert "submission_files" in _steps(result)


def test_a_change_of_a_module_no_asset_imports_rebuilds_nothing(built, tmp_path, monkeypatch):
    """pipelines/dev.py edited: the repository's code files differ, so `make refresh` cannot
    tell before the Definitions and starts the run; its gate finds the code versions unchanged
    and skips every step."""
    from pipelines.definitions import defs

    raw, warehouse, instance = built
    published = Warehouse(database=str(warehouse))
    with paths_in_environment(raw, warehouse):
        assert read_build_inputs_before_definitions(raw, published).published_build_is_current

    project = tmp_path / "project"
    for folder in ("assets", "pipelines", "schemas", "warehouse/sql"):
        shutil.copytree(PROJECT_ROOT / folder, project / folder)
    for name in LIBRARY_FILES:
        shutil.copy(PROJECT_ROOT / name, project / name)
    dev = project / "pipelines" / "dev.py"
    dev.write_text(dev.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(build_inputs, "PROJECT_ROOT", project)

    with paths_in_environment(raw, warehouse):
        assert read_build_inputs_before_definitions(raw, published) is None
    result = _refresh(defs, raw, warehouse, instance)
    assert result.success
    assert _steps(result) == {"quality__build_inputs"}
    assert _publications(warehouse) == 1


def test_the_sensor_requests_the_report_alone_after_a_change_of_publication_code(built):
    """The sensor's code versions are its repository's: after an edit of publication code it
    requests a run of what reads every year, without a year."""
    from pipelines.definitions import defs
    from pipelines.year_runs import unpartitioned_asset_keys

    raw, warehouse, instance = built
    edited = with_code_edited(defs, EXPORTS)
    (request,) = sensor_tick(raw, warehouse, instance, cursor=None, defs=edited).run_requests
    assert "dagster/asset_partition_range_start" not in request.tags
    assert set(request.asset_selection) == set(
        unpartitioned_asset_keys(edited.resolve_all_asset_specs())
    )
