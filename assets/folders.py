"""Folders of output files (control reports, exports) that readers must never see half-written."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path


def replace_folder(target: Path, build: Callable[[Path], None]) -> None:
    """Build a whole set of files with `build(folder)` and swap it in as `target`.

    The set is built in a temporary folder beside `target` and renamed into place, so readers see
    the old set or the new one, never half of one (between the two renames the folder is briefly
    absent). A failed build leaves the old set in place.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.{uuid.uuid4().hex}.building")
    building.mkdir()
    try:
        build(building)
        # os.replace cannot put a folder over a non-empty one: move the old set aside first.
        retired = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        if target.exists():
            os.replace(target, retired)
        os.replace(building, target)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(building, ignore_errors=True)
