"""What a build is made of, as one fingerprint: the landing zone, the reference data and the code.

Two builds from equal fingerprints publish the same warehouse, control reports and exports, so a
refresh whose fingerprint equals the published build's has nothing to do (issue 8: a refresh when
nothing changed should parse nothing and rebuild nothing it need not).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assets.ingest.landing_zone import ContentHashes, landing_zone_fingerprint
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
)


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
