"""What a build is made of, as one fingerprint: the landing zone, the reference data and the code.

Two builds from equal fingerprints publish the same warehouse, control reports and exports, so a
refresh whose fingerprint equals the published build's has nothing to do (issue 8: a refresh when
nothing changed should parse nothing and rebuild nothing it need not).

The landing zone is fingerprinted per year (quality.year_inputs holds each year's as built): a
refresh builds only the years whose inputs changed (issue 15), and the whole build's fingerprint
is made of the years' as they were built, so a run of some years leaves the others to be built
by the next refresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.landing_zone import (
    ContentHashes,
    StatKey,
    readme_fingerprint,
    year_fingerprints,
)
from pipelines.resources import Warehouse
from schemas.catalog import reference_dir

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Everything a build's output depends on besides the landing zone and the reference data: the
# asset code, the SQL and the locked library versions. Tests and tools are not part of a build.
CODE_PATTERNS = (
    "assets/**/*.py",
    "pipelines/**/*.py",
    "pipelines/**/*.yaml",
    "schemas/**/*.py",
    "warehouse/sql/**/*.sql",
    "uv.lock",
    # The Data Docs' scripts, styles and fonts (assets/expectations/validation.py).
    "package-lock.json",
)


FILE_HASHES_QUERY = (
    "SELECT path, size_bytes, mtime_ns, ctime_ns, inode, sha256 FROM core.file_hashes"
)
YEAR_INPUTS_QUERY = "SELECT ar, fingerprint FROM quality.year_inputs"


@dataclass(frozen=True)
class BuildInputs:
    """What a build would be made of now, beside what the published build was made of."""

    code_and_reference: str  # fingerprint of the reference data and the code
    readme: str  # fingerprint of the landing zone's README
    years: dict[int, str]  # each year's inputs now (year_input_fingerprints)
    published_years: dict[int, str]  # each year's inputs as the published warehouse was built
    # Of the build in the published warehouse, and so of everything published with it: a
    # publication is swapped in whole (pipelines/resources.py).
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
        return build_fingerprint(self.code_and_reference, self.readme, effective)

    @property
    def years_to_build(self) -> list[int]:
        """The years whose inputs differ from the published build's: new, changed or removed
        year folders, or every year when the code or the reference data changed."""
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
    raw_dir: Path, warehouse: Warehouse, known_hashes: dict[StatKey, str] | None = None
) -> BuildInputs:
    """Fingerprint the build inputs and read what the published build was made from. Files whose
    stat is unchanged since the published build (or is in `known_hashes`) are not read again."""
    file_hashes, published, published_years = warehouse.read_published_queries(
        FILE_HASHES_QUERY, "SELECT fingerprint FROM quality.build_inputs", YEAR_INPUTS_QUERY
    )
    hashes = ContentHashes({**known_file_hashes(file_hashes or []), **(known_hashes or {})})
    code_and_reference = code_and_reference_fingerprint()
    published = published or []
    return BuildInputs(
        code_and_reference=code_and_reference,
        readme=readme_fingerprint(raw_dir, hashes),
        years=year_input_fingerprints(raw_dir, hashes, code_and_reference),
        published_years=dict(published_years or []),
        published_fingerprint=published[0][0] if len(published) == 1 else None,
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


def year_input_fingerprints(
    raw_dir: Path, hashes: ContentHashes, code_and_reference: str
) -> dict[int, str]:
    """Each year's inputs as the landing zone lies now."""
    return years_inputs(year_fingerprints(raw_dir, hashes), code_and_reference)


def years_inputs(files_of_years: dict[int, str], code_and_reference: str) -> dict[int, str]:
    """Each year's inputs: its files (a fingerprint of landing_zone's) under the code and
    reference data that read them, so a change of code rebuilds every year."""
    return {
        ar: _sha256(f"{code_and_reference}\0{ar}\0{files}") for ar, files in files_of_years.items()
    }


def build_fingerprint(code_and_reference: str, readme: str, years: dict[int, str]) -> str:
    """One fingerprint of a whole build: the code and reference data, the README and each year's
    inputs as built."""
    lines = [f"code and reference\0{code_and_reference}", f"readme\0{readme}"]
    lines += [f"year\0{ar}\0{years[ar]}" for ar in sorted(years)]
    return _sha256("\n".join(lines))


def code_and_reference_fingerprint() -> str:
    digest = hashlib.sha256()
    for lines in _code_and_reference_lines().values():
        for line in lines:
            digest.update(line)
    return digest.hexdigest()


def code_and_reference_parts() -> dict[str, str]:
    """The fingerprint of the reference data ("reference") and of the code ("code") apart: what
    a publication records, so that a revision can name which of them changed."""
    return {
        label: hashlib.sha256(b"".join(lines)).hexdigest()
        for label, lines in _code_and_reference_lines().items()
    }


def _code_and_reference_lines() -> dict[str, list[bytes]]:
    """Per part, a line per file: its path and the SHA-256 of its content."""
    parts = {}
    for label, root, paths in (
        ("reference", reference_dir(), sorted(reference_dir().glob("*"))),
        ("code", PROJECT_ROOT, _code_files()),
    ):
        parts[label] = [
            f"{label}\0{path.relative_to(root).as_posix()}\0"
            f"{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode()
            for path in paths
            if path.is_file()
        ]
    return parts


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _code_files() -> list[Path]:
    return sorted({path for pattern in CODE_PATTERNS for path in PROJECT_ROOT.glob(pattern)})
