"""What a build is made of, as one fingerprint: the landing zone, the reference data and the code
(the assets' own code versions, BuildCode).

Two builds from equal fingerprints publish the same warehouse, control reports and exports, so a
refresh whose fingerprint equals the published build's has nothing to do (issue 8: a refresh when
nothing changed should parse nothing and rebuild nothing it need not).

The landing zone is fingerprinted per year (quality.year_inputs holds each year's as built): a
refresh builds only the years whose inputs changed (issue 15), and the whole build's fingerprint
is made of the years' as they were built, so a run of some years leaves the others to be built
by the next refresh. A year's fingerprint takes the code of the year-scoped assets only, the
build's every asset's: a change of report or publication code rebuilds no year.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from assets.ingest.landing_zone import (
    ContentHashes,
    StatKey,
    readme_fingerprint,
    year_fingerprints,
)
from assets.run_context.resources import Warehouse
from schemas.catalog import reference_dir

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The locked library versions: the assets' code versions leave them out. The Data Docs' scripts,
# styles and fonts (assets/expectations/validation.py) are package-lock.json's.
LIBRARY_FILES = ("uv.lock", "package-lock.json")
# The repository's code files: what a publication records as its code, what an output set's
# items are versioned by (assets/output_sets.py), and what `make refresh` compares before it
# imports the Definitions (BuildCode.files). Tests and tools are not part of a build.
CODE_PATTERNS = (
    "assets/**/*.py",
    "pipelines/**/*.py",
    "pipelines/**/*.yaml",
    "schemas/**/*.py",
    "warehouse/sql/**/*.sql",
    *LIBRARY_FILES,
)
# What the wiring (pipelines/asset_catalog.py) puts on the spec of quality/build_inputs: the code
# version of every asset of the Definitions, the year-scoped ones among them, and the digest of
# the repository's code files, all taken when the Definitions were made.
CODE_VERSIONS_METADATA = "kompetens/code_versions"
YEAR_SCOPED_METADATA = "kompetens/year_scoped"
CODE_FILES_METADATA = "kompetens/code_files"


FILE_HASHES_QUERY = (
    "SELECT path, size_bytes, mtime_ns, ctime_ns, inode, sha256 FROM core.file_hashes"
)
YEAR_INPUTS_QUERY = "SELECT ar, fingerprint FROM quality.year_inputs"
# The code the build in a warehouse was made by, as its quality/build_inputs recorded it.
BUILD_CODE_QUERY = "SELECT code_years, code_build, code_files FROM quality.build_inputs"


@dataclass(frozen=True)
class BuildCode:
    """The code a build is made by, as the gate compares it: digests of the assets' code
    versions (Dagster's, pipelines/asset_catalog.py) and of the locked library versions, which
    the code versions leave out (a library's upgrade rebuilds every year: reading depends on it)."""

    years: str  # what each year's fingerprint takes: the year-scoped assets' and the gate's
    build: str  # what the build's fingerprint takes: every asset's
    # The repository's code files: unchanged, so are the code versions made from them (the
    # shortcut of `make refresh`, which decides before it imports the Definitions).
    files: str

    @classmethod
    def of_gate(cls, metadata: Mapping, gate: str) -> BuildCode:
        """From the metadata on the spec of the gate `gate` (CODE_VERSIONS_METADATA, ...): the
        gate decides which years are built, so its code is a year's too."""
        versions: Mapping[str, str] = metadata[CODE_VERSIONS_METADATA]
        year_code = {*metadata[YEAR_SCOPED_METADATA], gate}
        libraries = _files_lines("library", PROJECT_ROOT, [PROJECT_ROOT / f for f in LIBRARY_FILES])
        return cls(
            years=_versions_digest(
                {key: version for key, version in versions.items() if key in year_code}, libraries
            ),
            build=_versions_digest(versions, libraries),
            files=metadata[CODE_FILES_METADATA],
        )


@dataclass(frozen=True)
class BuildInputs:
    """What a build would be made of now, beside what the published build was made of."""

    code: BuildCode
    reference: str  # fingerprint of the reference data
    readme: str  # fingerprint of the landing zone's README
    years: dict[int, str]  # each year's inputs now (years_inputs)
    published_years: dict[int, str]  # each year's inputs as the published warehouse was built
    # Of the build in the published warehouse, and so of everything published with it: a
    # publication is swapped in whole (assets/run_context/resources.py).
    published_fingerprint: str | None
    hashes: ContentHashes  # every landing-zone file's SHA-256, by its stat

    @property
    def fingerprint(self) -> str:
        """Of everything a build would read now."""
        return self.fingerprint_after_building(self.years, self.published_years)

    def fingerprint_after_building(self, years: Iterable[int], built: dict[int, str]) -> str:
        """Of the build that results when `years` are built from these inputs and every other
        year stays as `built` holds it (a run of some years leaves the others as they were)."""
        years = set(years)
        effective = {ar: fp for ar, fp in built.items() if ar not in years}
        effective.update({ar: fp for ar, fp in self.years.items() if ar in years})
        return build_fingerprint(self.code.build, self.reference, self.readme, effective)

    @property
    def years_to_build(self) -> list[int]:
        """The years whose inputs differ from the published build's: new, changed or removed
        year folders, or every year when the year-scoped assets' code or the reference data
        changed."""
        return sorted(
            ar
            for ar in self.years.keys() | self.published_years.keys()
            if self.years.get(ar) != self.published_years.get(ar)
        )

    @property
    def published_build_is_current(self) -> bool:
        """True when the publication (warehouse, control reports, exports) was built from these
        inputs. The years are compared as well: the published fingerprint was taken before its
        run read the landing zone, each year's as the run read it (a file may change in between)."""
        return not self.years_to_build and self.published_fingerprint == self.fingerprint


def read_build_inputs(
    raw_dir: Path,
    warehouse: Warehouse,
    code: BuildCode,
    known_hashes: dict[StatKey, str] | None = None,
) -> BuildInputs:
    """Fingerprint the build inputs under `code` (the Definitions') and read what the published
    build was made from. Files whose stat is unchanged since the published build (or is in
    `known_hashes`) are not read again."""
    return _build_inputs(raw_dir, code, _read_published(warehouse), known_hashes or {})


def read_build_inputs_before_definitions(raw_dir: Path, warehouse: Warehouse) -> BuildInputs | None:
    """The build inputs as `make refresh` can tell them without the Definitions: under the code
    the published build recorded, when the repository's code files are as it recorded them (then
    the code versions made from them are too). None when they are not, or nothing is recorded
    (a warehouse of an earlier version): then only the Definitions' code versions can tell."""
    published = _read_published(warehouse)
    if not published.code or len(published.code) != 1:
        return None
    code = BuildCode(*published.code[0])
    if code.files != code_files_fingerprint():
        return None
    return _build_inputs(raw_dir, code, published, {})


class _Published(NamedTuple):
    """The rows of what the published build was made from (None: not answerable)."""

    file_hashes: list[tuple] | None
    fingerprint: list[tuple] | None
    years: list[tuple] | None
    code: list[tuple] | None


def _read_published(warehouse: Warehouse) -> _Published:
    return _Published(
        *warehouse.read_published_queries(
            FILE_HASHES_QUERY,
            "SELECT fingerprint FROM quality.build_inputs",
            YEAR_INPUTS_QUERY,
            BUILD_CODE_QUERY,
        )
    )


def _build_inputs(
    raw_dir: Path, code: BuildCode, published: _Published, known_hashes: dict[StatKey, str]
) -> BuildInputs:
    hashes = ContentHashes({**known_file_hashes(published.file_hashes or []), **known_hashes})
    reference = reference_fingerprint()
    fingerprint = published.fingerprint or []
    return BuildInputs(
        code=code,
        reference=reference,
        readme=readme_fingerprint(raw_dir, hashes),
        years=years_inputs(year_fingerprints(raw_dir, hashes), code.years, reference),
        published_years=dict(published.years or []),
        published_fingerprint=fingerprint[0][0] if len(fingerprint) == 1 else None,
        hashes=hashes,
    )


def nothing_changed_message(fingerprint: str) -> str:
    return (
        f"Nothing changed since the published build ({fingerprint[:12]}): the landing zone, the "
        "reference data and the code are the same, so the warehouse, the control reports and the "
        "exports are current. Nothing is rebuilt."
    )


def known_file_hashes(rows: list[tuple]) -> dict[StatKey, str]:
    """The rows of FILE_HASHES_QUERY as ContentHashes takes them."""
    return {tuple(row[:5]): row[5] for row in rows}


def years_inputs(files_of_years: dict[int, str], code_years: str, reference: str) -> dict[int, str]:
    """Each year's inputs: its files (a fingerprint of landing_zone's) under the code that reads
    them (BuildCode.years) and the reference data, so a change of either rebuilds every year."""
    return {
        ar: _sha256(f"{code_years}\0{reference}\0{ar}\0{files}")
        for ar, files in files_of_years.items()
    }


def build_fingerprint(code_build: str, reference: str, readme: str, years: dict[int, str]) -> str:
    """One fingerprint of a whole build: every asset's code (BuildCode.build), the reference
    data, the README and each year's inputs as built."""
    lines = [f"code\0{code_build}", f"reference\0{reference}", f"readme\0{readme}"]
    lines += [f"year\0{ar}\0{years[ar]}" for ar in sorted(years)]
    return _sha256("\n".join(lines))


def reference_fingerprint() -> str:
    return hashlib.sha256(b"".join(_reference_lines())).hexdigest()


def code_files_fingerprint() -> str:
    """Of the repository's code files (CODE_PATTERNS)."""
    return hashlib.sha256(b"".join(_code_lines())).hexdigest()


def code_and_reference_fingerprint() -> str:
    """Of the reference data and the repository's code files: what an output set's items are
    versioned by (assets/output_sets.py)."""
    return hashlib.sha256(b"".join([*_reference_lines(), *_code_lines()])).hexdigest()


def code_and_reference_parts() -> dict[str, str]:
    """The fingerprint of the reference data ("reference") and of the repository's code files
    ("code") apart: what a publication records, so that a revision can name which of them
    changed."""
    return {"reference": reference_fingerprint(), "code": code_files_fingerprint()}


def _reference_lines() -> list[bytes]:
    return _files_lines("reference", reference_dir(), sorted(reference_dir().glob("*")))


def _code_lines() -> list[bytes]:
    return _files_lines("code", PROJECT_ROOT, _code_files())


def _files_lines(label: str, root: Path, paths: Iterable[Path]) -> list[bytes]:
    """A line per file: its path and the SHA-256 of its content."""
    return [
        f"{label}\0{path.relative_to(root).as_posix()}\0"
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode()
        for path in paths
        if path.is_file()
    ]


def _versions_digest(versions: Mapping[str, str], libraries: list[bytes]) -> str:
    lines = [f"asset\0{key}\0{version}\n".encode() for key, version in sorted(versions.items())]
    return hashlib.sha256(b"".join([*lines, *libraries])).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _code_files() -> list[Path]:
    return sorted({path for pattern in CODE_PATTERNS for path in PROJECT_ROOT.glob(pattern)})
