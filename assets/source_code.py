"""The project's own code as an input of what it builds: the modules a module imports, and one
hash of their sources.

An asset's code version (pipelines/asset_catalog.py) and the parse cache's reading version
(assets/ingest/parse_cache.py) are such hashes, so a change of code is found by reading the code,
never by a constant that someone must remember to bump.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import re
import sys
from collections.abc import Collection, Iterable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The packages whose modules are the project's code.
PROJECT_PACKAGES = ("assets", "schemas")


def project_modules(
    roots: Iterable[str], boundary: Collection[str] = (), root: Path = PROJECT_ROOT
) -> dict[str, Path]:
    """Module name -> source of `roots` and the project modules they import, directly or through
    each other, short of `boundary`. A root may lie outside the project's packages."""
    sources = _module_sources(root)
    found: dict[str, Path] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = sources.get(name) or Path(importlib.util.find_spec(name).origin)
            source = found[name].read_text(encoding="utf-8")
            pending += [
                imported
                for imported in imported_modules(source)
                if imported in sources and imported not in boundary
            ]
    return found


def files_digest(files: dict[str, Path]) -> str:
    """A hash of the files' names (modules, SQL or reference files) and contents."""
    digest = hashlib.sha256()
    for name, path in sorted(files.items()):
        digest.update(f"{name}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def library_versions(modules: Iterable[Path]) -> tuple[str, ...]:
    """`name==version` of every installed distribution the sources of `modules` import (not the
    standard library's, not the project's): what they run besides their own code."""
    libraries = (
        {
            name.split(".")[0]
            for path in modules
            for name in imported_modules(path.read_text(encoding="utf-8"))
        }
        - set(sys.stdlib_module_names)
        - set(PROJECT_PACKAGES)
    )
    # A module of no distribution (the project's `pipelines`) has no version to add.
    return tuple(sorted(filter(None, map(_distribution_version, libraries))))


def _distribution_version(library: str) -> str:
    """`name==version` of the installed distribution a top-level module comes from."""
    try:  # a distribution mostly has its module's name (openpyxl, polars, duckdb)
        return f"{library}=={importlib.metadata.version(library)}"
    except importlib.metadata.PackageNotFoundError:
        # Scans every installed distribution's metadata (~0.5 s), so only when the name differs.
        distributions = importlib.metadata.packages_distributions().get(library, ())
        return ",".join(
            f"{name}=={importlib.metadata.version(name)}" for name in sorted(distributions)
        )


@functools.cache
def _module_sources(root: Path) -> dict[str, Path]:
    """Module name -> source file of every module of the project's packages under `root`."""
    sources = {}
    for package in PROJECT_PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            sources[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return sources


# Import statements, the names of a `from … import (…)` over several lines included. A regular
# expression, not ast: parsing every module costs the import of the Definitions ~0.5 s. A
# docstring line that reads like an import can only add a module to a version, never drop one.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))",
    re.MULTILINE,
)


def imported_modules(source: str) -> list[str]:
    """The modules a module's source imports, and the names it imports from them as modules
    (`from assets import tables` gives `assets` and `assets.tables`)."""
    names = []
    for from_module, from_names, plain in _IMPORT.findall(source):
        if from_module:
            names.append(from_module)
            names += [f"{from_module}.{name}" for name in _AS.findall(from_names.split("#")[0])]
        else:
            names += _AS.findall(plain.split("#")[0])
    return names


# A name imported, without the alias it is bound to ("polars as pl" → "polars").
_AS = re.compile(r"([\w.]+)(?:[ \t]+as[ \t]+\w+)?")
