"""House rules of issue 25, item 5: short module docstrings and short source files in the
stages (assets/), the wiring (pipelines/), the contract's homes (schemas/) and the command
(validator/)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assets", "pipelines", "schemas", "validator")
MAX_DOCSTRING_LINES = 12
MAX_SOURCE_LINES = 650


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_sources_are_found():
    assert len(_sources()) > 50


def test_module_docstrings_are_short():
    too_long = {}
    for path in _sources():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if docstring and len(docstring.splitlines()) > MAX_DOCSTRING_LINES:
            too_long[_name(path)] = len(docstring.splitlines())
    assert too_long == {}, (
        f"module docstrings over {MAX_DOCSTRING_LINES} lines: say what the module is for and "
        "move the history to docs/ under a heading named for the module"
    )


def test_source_files_are_short():
    too_long = {}
    for path in _sources():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_SOURCE_LINES:
            too_long[_name(path)] = lines
    assert too_long == {}, f"source files over {MAX_SOURCE_LINES} lines: split them by idea"


# Attributes of Dagster's objects that are not marked @public in its source and that this project
# once used (issue 22, item 6): they change without notice on an upgrade.
NON_PUBLIC_DAGSTER_ATTRIBUTES = {
    "asset_layer",  # JobDefinition
    "asset_graph",  # RepositoryDefinition, AssetGraph
    "resolve_asset_graph",  # Definitions
    "metadata_by_key",  # AssetsDefinition; get_asset_spec(key).metadata is public
    "get_repository_def",  # Definitions; build_sensor_context(definitions=...) is public
}


def test_only_dagsters_public_api_is_used():
    # The tests too: a test that reads a private attribute breaks on the upgrade it should check.
    found = []
    tests = sorted((ROOT / "tests").rglob("*.py"))
    for path in [*_sources(), *(t for t in tests if t.name != Path(__file__).name)]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in NON_PUBLIC_DAGSTER_ATTRIBUTES:
                found.append(f"{_name(path)}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [getattr(node, "module", None) or ""] + [a.name for a in node.names]
                found += [
                    f"{_name(path)}:{node.lineno} {n}" for n in names if n.startswith("dagster._")
                ]
    assert found == []
