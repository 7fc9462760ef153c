"""What the Dagster UI shows of each asset (pipelines/asset_catalog.py): kinds, owner, group,
warehouse table, column schema and code version on every asset of the Definitions, and a row
count on every materialisation."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from assets.expectations import suites
from assets.feedback.dictionary import DOCUMENTED_SCHEMAS
from assets.ingest.assets import FILE_ANSWERS, FILE_LEDGER, YEAR_FOLDER
from assets.tables import table_columns
from pipelines import warehouse_columns
from pipelines.asset_catalog import CATALOG, OWNER, WAREHOUSE_CATALOG, catalogued, code_version
from pipelines.definitions import defs
from pipelines.environment import DEFAULT_WAREHOUSE
from schemas.catalog import CATALOG_FILE_NAME, REFERENCE_DIR_VARIABLE, SHIPPED_REFERENCE_DIR


def _specs(defs: dg.Definitions) -> dict[dg.AssetKey, dg.AssetSpec]:
    """The assets a run materialises, as the UI shows them (`resolve_all_asset_specs`, public):
    not the observable source of the year folders (raw/year_folder), which is no table and which
    Dagster gives no owner, kinds or code version."""
    return {spec.key: spec for spec in defs.resolve_all_asset_specs() if spec.key != YEAR_FOLDER}


def metadata_problems(defs: dg.Definitions) -> list[str]:
    """Every attribute the UI should show that an asset of `defs` lacks."""
    problems = []
    for key, node in _specs(defs).items():
        name = key.to_user_string()
        table = node.metadata.get("dagster/table_name")
        schema = node.metadata.get("dagster/column_schema")
        if not node.kinds:
            problems.append(f"{name}: no kinds")
        if OWNER not in node.owners:
            problems.append(f"{name}: not owned by {OWNER}")
        if node.group_name in (None, "default"):  # Dagster's group for an asset given none
            problems.append(f"{name}: no group")
        if not node.code_version:
            problems.append(f"{name}: no code_version")
        if not (isinstance(table, str) and table.startswith(f"{WAREHOUSE_CATALOG}.")):
            problems.append(f"{name}: dagster/table_name {table!r}")
        if not (isinstance(schema, dg.TableSchema) and schema.columns):
            problems.append(f"{name}: no dagster/column_schema")
        else:
            problems += [
                f"{name}: column {column.name} has no description"
                for column in schema.columns
                if not column.description
            ]
    return problems


def test_every_asset_shows_kinds_owner_group_table_schema_and_code_version():
    assert metadata_problems(defs) == []


def test_an_asset_missing_from_the_catalog_is_found():
    @dg.asset(key=["report", "not_in_the_catalog"], group_name="report")
    def not_in_the_catalog():
        return None

    problems = metadata_problems(dg.Definitions(assets=catalogued([not_in_the_catalog])))
    assert "report/not_in_the_catalog: no kinds" in problems
    assert "report/not_in_the_catalog: dagster/table_name None" in problems
    assert "report/not_in_the_catalog: no dagster/column_schema" in problems
    # Owner and code version come to every asset, catalogued or not.
    assert not [p for p in problems if "owned" in p or "code_version" in p]


def test_the_catalog_names_only_assets_of_the_definitions():
    assert set(CATALOG) <= set(defs.resolve_all_asset_keys())


def test_table_names_use_the_catalog_duckdb_gives_the_warehouse_file(tmp_path):
    # The published file and a run's staging copy of it.
    for name in (DEFAULT_WAREHOUSE.name, f"{DEFAULT_WAREHOUSE.name}.some_run_id.building"):
        con = duckdb.connect(str(tmp_path / name))
        try:
            assert con.execute("SELECT current_database()").fetchone()[0] == WAREHOUSE_CATALOG
        finally:
            con.close()


def test_assets_with_an_expectation_suite_are_of_kind_great_expectations():
    guarded = {
        dg.AssetKey(list(suite.asset_key))
        for suite in vars(suites).values()
        if isinstance(suite, suites.Suite)
    }
    assert guarded
    of_kind = {key for key, node in _specs(defs).items() if "great_expectations" in node.kinds}
    assert of_kind == guarded


def test_column_schemas_are_those_a_refresh_builds(small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        built = {}
        for schema, table, column, data_type, comment in table_columns(con, DOCUMENTED_SCHEMAS):
            built.setdefault(f"{WAREHOUSE_CATALOG}.{schema}.{table}", []).append(
                (column, data_type, comment)
            )
    finally:
        con.close()
    for key, node in _specs(defs).items():
        table = node.metadata["dagster/table_name"]
        shown = [
            (c.name, c.type, c.description) for c in node.metadata["dagster/column_schema"].columns
        ]
        assert shown == built[table], key.to_user_string()


def test_file_assets_name_where_their_files_are(small_warehouse):
    uris = {
        key: node.metadata["dagster/uri"]
        for key, node in _specs(defs).items()
        if "dagster/uri" in node.metadata
    }
    assert len(uris) == 5
    for key, uri in uris.items():
        assert (small_warehouse.parent / uri).exists(), key.to_user_string()


def test_every_materialisation_has_the_row_count_of_its_table(small_instance, small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    problems = []
    try:
        for key, node in _specs(defs).items():
            records = small_instance.fetch_materializations(key, limit=1000).records
            if not records:
                problems.append(f"{key.to_user_string()}: not materialised")
            for record in records:
                materialization = record.asset_materialization
                where = f"{key.to_user_string()} {materialization.partition or ''}".strip()
                row_count = materialization.metadata.get("dagster/row_count")
                # A year's own rows, beside the table's, which holds every year.
                if materialization.partition is not None and (
                    "dagster/partition_row_count" not in materialization.metadata
                ):
                    problems.append(f"{where}: no dagster/partition_row_count")
                if row_count is None:
                    problems.append(f"{where}: no dagster/row_count")
                else:
                    table = node.metadata["dagster/table_name"].split(".", 1)[1]
                    (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
                    if row_count.value != rows:
                        problems.append(f"{where}: {row_count.value} rows, {table} has {rows}")
    finally:
        con.close()
    assert problems == []


def test_catalogued_keeps_partitions_and_checks_of_a_multi_asset():
    years = dg.DynamicPartitionsDefinition(name="ar_catalog_test")

    @dg.multi_asset(
        specs=[dg.AssetSpec(FILE_LEDGER), dg.AssetSpec(FILE_ANSWERS)],
        check_specs=[dg.AssetCheckSpec("ledger_check", asset=FILE_LEDGER)],
        partitions_def=years,
        group_name="ingest",
    )
    def year_files():
        yield dg.MaterializeResult(asset_key=FILE_LEDGER)
        yield dg.MaterializeResult(asset_key=FILE_ANSWERS)
        yield dg.AssetCheckResult(asset_key=FILE_LEDGER, check_name="ledger_check", passed=True)

    (mapped,) = catalogued([year_files])
    assert mapped.partitions_def == years
    assert mapped.check_keys == year_files.check_keys
    assert {spec.key: spec.kinds for spec in mapped.specs} == {
        FILE_LEDGER: set(CATALOG[FILE_LEDGER].kinds),
        FILE_ANSWERS: set(CATALOG[FILE_ANSWERS].kinds),
    }
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(years.name, ["2016"])
    result = dg.materialize([mapped], instance=instance, partition_key="2016")
    assert result.success
    assert len(result.get_asset_check_evaluations()) == 1


@pytest.fixture
def project(tmp_path):
    """A project tree of a few modules and SQL files, for code versions."""
    files = {
        "assets/__init__.py": "",
        "assets/stage/__init__.py": "",
        "assets/stage/assets.py": (
            "from assets.stage import helper\nfrom assets.upstream.assets import KEY\n"
            "from schemas.rules import (\n    RULES,\n)\n"
        ),
        "assets/stage/helper.py": "import os\n",
        "assets/stage/unused.py": "",
        "assets/upstream/__init__.py": "",
        "assets/upstream/assets.py": "KEY = 1\n",
        "schemas/__init__.py": "",
        "schemas/rules.py": "RULES = {}\n",
        "warehouse/sql/tables/10_stage.sql": "CREATE TABLE a (b INTEGER);\n",
        "warehouse/sql/20_other.sql": "SELECT 1;\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _version(root) -> str:
    return code_version("assets.stage.assets", ("tables/*.sql",), {"assets.upstream.assets"}, root)


@pytest.mark.parametrize(
    ("changed", "changes_version"),
    [
        ("assets/stage/assets.py", True),
        ("assets/stage/helper.py", True),  # imported as `from assets.stage import helper`
        ("schemas/rules.py", True),  # imported over several lines
        ("warehouse/sql/tables/10_stage.sql", True),
        ("assets/upstream/assets.py", False),  # another asset's module: its keys only
        ("assets/stage/unused.py", False),
        ("warehouse/sql/20_other.sql", False),
    ],
)
def test_code_version_follows_the_code_an_asset_runs(project, changed, changes_version):
    before = _version(project)
    assert _version(project) == before
    with (project / changed).open("a") as handle:
        handle.write("\n# changed\n")
    assert (_version(project) != before) == changes_version


def test_column_schemas_come_from_a_cache_built_from_the_same_inputs(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse_columns, "CACHE_DIR", tmp_path)
    built = warehouse_columns.build_warehouse_columns()
    assert warehouse_columns.warehouse_columns() == built
    (cache,) = tmp_path.glob("column_schemas-*.json")

    def must_not_build():
        raise AssertionError("built again despite a cache of the same inputs")

    monkeypatch.setattr(warehouse_columns, "build_warehouse_columns", must_not_build)
    assert warehouse_columns.warehouse_columns() == built
    # A cache cut short is built anew.
    cache.write_text("[[")
    monkeypatch.setattr(warehouse_columns, "build_warehouse_columns", lambda: built[:1])
    assert warehouse_columns.warehouse_columns() == built[:1]


def test_the_column_schema_cache_follows_the_reference_set(tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(reference))
    before = warehouse_columns._schema_inputs_hash()
    with (reference / CATALOG_FILE_NAME).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert warehouse_columns._schema_inputs_hash() != before
