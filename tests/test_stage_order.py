"""A stage never imports a later stage (docs/ARCHITECTURE.md, "Stages and modules").

The stages run in this order; an earlier one that imported a later one would tie its logic to
what it feeds, as the build fingerprint (ingest) once did by reading the exports' marker through
the publication's module instead of the Warehouse resource.
"""

from __future__ import annotations

import re
from pathlib import Path

STAGES = ("ingest", "validate", "report", "feedback", "publication", "publish")
ASSETS = Path(__file__).resolve().parents[1] / "assets"


def later_stage_imports(assets_dir: Path) -> list[str]:
    found = []
    for source in sorted(assets_dir.rglob("*.py")):
        stage = source.relative_to(assets_dir).parts[0]
        if stage not in STAGES:
            continue
        for imported in re.findall(
            r"^\s*from assets\.(\w+)", source.read_text("utf-8"), re.MULTILINE
        ):
            if imported in STAGES and STAGES.index(imported) > STAGES.index(stage):
                found.append(f"{source.relative_to(assets_dir)} imports assets.{imported}")
    return found


def test_no_stage_imports_a_later_stage():
    assert later_stage_imports(ASSETS) == []


def test_the_search_finds_an_earlier_stage_importing_a_later_one(tmp_path):
    (tmp_path / "ingest").mkdir()
    (tmp_path / "ingest" / "probe.py").write_text("from assets.publication.assets import EXPORTS\n")
    assert later_stage_imports(tmp_path) == ["ingest/probe.py imports assets.publication"]
