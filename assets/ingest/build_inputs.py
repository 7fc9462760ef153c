"""What a build is made of, as one fingerprint: the landing zone, the reference data and the code.

Two builds from equal fingerprints publish the same warehouse, control reports and exports, so a
refresh whose fingerprint equals the published build's has nothing to do (issue 8: a refresh when
nothing changed should parse nothing and rebuild nothing it need not).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.landing_zone import ContentHashes, StatKey, landing_zone_fingerprint
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


@dataclass(frozen=True)
class BuildInputs:
    fingerprint: str  # of the landing zone, reference data and code as they are now
    published_fingerprint: str | None  # of the build in the published warehouse
    exported_fingerprint: str | None  # of the build the exports were made from
    hashes: ContentHashes  # every landing-zone file's SHA-256, by its stat

    @property
    def published_build_is_current(self) -> bool:
        """True when the warehouse, control reports and exports were all built from these inputs."""
        return self.published_fingerprint == self.fingerprint == self.exported_fingerprint


def read_build_inputs(raw_dir: Path, warehouse: Warehouse) -> BuildInputs:
    """Fingerprint the build inputs and read what the published build was made from. Files whose
    stat is unchanged since the published build are not read again."""
    hashes = ContentHashes(known_file_hashes(warehouse.read_published(FILE_HASHES_QUERY) or []))
    published = warehouse.read_published("SELECT fingerprint FROM quality.build_inputs") or []
    return BuildInputs(
        fingerprint=build_inputs_fingerprint(raw_dir, hashes),
        published_fingerprint=published[0][0] if len(published) == 1 else None,
        exported_fingerprint=warehouse.exported_fingerprint(),
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


def build_inputs_fingerprint(raw_dir: Path, hashes: ContentHashes) -> str:
    digest = hashlib.sha256()
    digest.update(b"landing zone\0" + landing_zone_fingerprint(raw_dir, hashes).encode() + b"\n")
    for label, root, paths in (
        ("reference", reference_dir(), sorted(reference_dir().glob("*"))),
        ("code", PROJECT_ROOT, _code_files()),
    ):
        for path in paths:
            if path.is_file():
                relative = path.relative_to(root).as_posix()
                content = hashlib.sha256(path.read_bytes()).hexdigest()
                digest.update(f"{label}\0{relative}\0{content}\n".encode())
    return digest.hexdigest()


def _code_files() -> list[Path]:
    return sorted({path for pattern in CODE_PATTERNS for path in PROJECT_ROOT.glob(pattern)})
