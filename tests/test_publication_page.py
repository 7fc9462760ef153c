"""rapport.html and tabeller.xlsx as a reader meets them (issue 14, section 5): a contents list,
the build's date and fingerprint, a "Källa:" line under every table and chart, a statement when
the landing zone is the synthetic one (and none when it is not), the reconciliation's published
and recomputed figures printed alike, the breakdowns with the groups as rows, and the workbook's
source lines and document properties.

The small landing zone's refresh gives the non-synthetic outputs; the exports asset run once more
on a copy of its warehouse, with the shipped raw/ as its landing zone, gives the synthetic ones.
"""

from __future__ import annotations

import re
import shutil

from assets.publication.content import SYNTHETIC_MARKER, is_synthetic_landing_zone
from pipelines.resources import DEFAULT_RAW_DIR

SOURCE_OF_TABLE_1 = (
    "Källa: Omräkning från kommunernas inlämningar 2013–2016 (kompetensinventeringen), "
    "Socialstyrelsens slutrapport 2017 (art.nr 2017-6-11), tabell 1."
)
SYNTHETIC_WORDS = "Uppgifterna är syntetiska."
# A figure as the report prints it: no-break spaces between thousands, a decimal comma.
SWEDISH_FIGURE = re.compile(r"-?\d{1,3}(\u00a0\d{3})*(,(\d+))?")


# ---------------------------------------------------------------- rapport.html


def test_the_landing_zone_is_synthetic_by_the_generators_marker_not_by_its_path(tmp_path):
    assert is_synthetic_landing_zone(DEFAULT_RAW_DIR)
    copy = tmp_path / "kopia"
    copy.mkdir()
    shutil.copyfile(DEFAULT_RAW_DIR / "README.md", copy / "README.md")
    assert is_synthetic_landing_zone(copy)
    # A README of a real landing zone, even one that talks about synthetic data, is not the marker.
    (copy / "README.md").write_text(
        f"# Inlämningar\n\nInga syntetiska data här; markören ser ut så här: {SYNTHETIC_MARKER}\n",
        encoding="utf-8",
    )
    assert not is_synthetic_landing_zone(copy)
    (copy / "README.md").unlink()
    assert not is_synthetic_landing_zone(copy)
