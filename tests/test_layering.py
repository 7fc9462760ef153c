"""The layers of the code, read from its imports (docs/ARCHITECTURE.md, "The house").

Beneath everything lie `schemas/` and the run context (`assets/run_context/`); above it the
stages in the order data flows through them; above the stages the wiring, `pipelines/`, which
nothing but the entry points imports; beside the wiring the `kompetens` command (`validator/`),
which uses the stages' pure logic and which nothing imports. An earlier stage that imported a
later one would tie its logic to what it feeds, as the build fingerprint (ingest) once did by
reading the exports' marker through the publication's module instead of the Warehouse resource.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assets", "schemas", "pipelines", "validator")
# The stages, in the order data flows through them.
STAGES = ("ingest", "validate", "report", "feedback", "publication", "swap")
RUN_CONTEXT = "assets.run_context"
COMMAND = "validator"


def project_modules(root: Path) -> dict[str, Path]:
    """Module name -> source file of every module of the project's packages under `root`."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_modules(module: str, path: Path) -> Iterator[str]:
    """Every module the source imports, anywhere in it (inside a function and under
    TYPE_CHECKING too), with the names imported from a package that may be modules."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    modules = project_modules(root)
    return {
        module: {name for name in imported_modules(module, path) if name in modules} - {module}
        for module, path in modules.items()
    }


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "assets" and parts[1] in STAGES else None


def layering_violations(root: Path) -> list[str]:
    """Each import that reaches up a layer: into pipelines/ from below it, into a later stage
    from an earlier one, into any stage from the run context, into assets/ from schemas/, into the
    command from anywhere else, and from the command into a stage's Dagster assets."""
    found = []
    for module, imported in sorted(import_graph(root).items()):
        for name in sorted(imported):
            if _is_within(name, "pipelines") and not _is_within(module, "pipelines"):
                found.append(f"{module} imports the wiring {name}")
            elif _is_within(name, COMMAND) and not _is_within(module, COMMAND):
                found.append(f"{module} imports the command {name}")
            elif _is_within(module, COMMAND) and _stage(name) and name.endswith(".assets"):
                found.append(f"{module} (the command) imports the Dagster assets {name}")
            elif _is_within(module, "schemas") and _is_within(name, "assets"):
                found.append(f"{module} (the contract) imports {name}")
            elif _is_within(module, RUN_CONTEXT) and _stage(name) is not None:
                found.append(f"{module} (the run context) imports the stage {name}")
            elif (
                _stage(module) is not None
                and _stage(name) is not None
                and STAGES.index(_stage(name)) > STAGES.index(_stage(module))
            ):
                found.append(f"{module} imports the later stage {name}")
    return found


def import_cycles(root: Path) -> list[list[str]]:
    """The groups of project modules that import each other, directly or through others
    (strongly connected components of more than one module, Tarjan's algorithm)."""
    graph = import_graph(root)
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for name in sorted(graph[module]):
            if name not in index:
                visit(name)
                lowest[module] = min(lowest[module], lowest[name])
            elif name in stack:
                lowest[module] = min(lowest[module], index[name])
        if lowest[module] == index[module]:
            group = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_a_layer_above_it():
    assert layering_violations(PROJECT_ROOT) == []


def test_no_modules_import_each_other():
    assert import_cycles(PROJECT_ROOT) == []


def _write(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_the_search_finds_each_import_that_reaches_up(tmp_path):
    _write(tmp_path, "pipelines.resources", "")
    _write(tmp_path, "assets.publication.assets", "EXPORTS = 1\n")
    _write(tmp_path, "assets.validate.block_status", "")
    _write(tmp_path, "assets.ingest.probe", "from assets.publication.assets import EXPORTS\n")
    _write(
        tmp_path,
        "assets.validate.probe",
        "def late():\n    from pipelines import resources\n",
    )
    _write(tmp_path, "assets.run_context.probe", "import assets.validate.block_status\n")
    _write(tmp_path, "schemas.probe", "from assets.validate import block_status\n")
    _write(tmp_path, "assets.feedback.probe", "from validator import cli\n")
    _write(tmp_path, "validator.cli", "from assets.publication.assets import EXPORTS\n")
    assert layering_violations(tmp_path) == [
        "assets.feedback.probe imports the command validator.cli",
        "assets.ingest.probe imports the later stage assets.publication.assets",
        "assets.run_context.probe (the run context) imports the stage assets.validate.block_status",
        "assets.validate.probe imports the wiring pipelines.resources",
        "schemas.probe (the contract) imports assets.validate.block_status",
        "validator.cli (the command) imports the Dagster assets assets.publication.assets",
    ]


def test_the_search_finds_a_circle_through_an_import_inside_a_function(tmp_path):
    _write(tmp_path, "pipelines.alerts", "from pipelines.refresh import failure_reasons\n")
    _write(tmp_path, "pipelines.refresh", "def main():\n    from pipelines import definitions\n")
    _write(tmp_path, "pipelines.definitions", "from pipelines.alerts import refresh_failed\n")
    _write(tmp_path, "schemas.contract", "")
    assert import_cycles(tmp_path) == [
        ["pipelines.alerts", "pipelines.definitions", "pipelines.refresh"]
    ]
