"""The nightly schedule and the sensor that refreshes when the landing zone changes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dagster as dg

from assets.ingest.landing_zone import file_sha256, scan_landing_zone, year_folders
from assets.ingest.register import REGISTER_FILE_NAME
from pipelines.jobs import refresh_job
from pipelines.resources import LandingZone

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# (path, size, mtime_ns, inode) → SHA-256: the sensor runs every 30 s in a long-lived code
# server, and re-hashing files whose stat has not changed would make each tick cost a full read.
_hash_cache: dict[tuple[str, int, int, int], str] = {}


def landing_zone_fingerprint(raw_dir: Path) -> str:
    """One hash over every landing-zone file's path and content hash, grant registers included.

    Symlinks are recorded by their target text, never followed (contract section 3).
    """
    digest = hashlib.sha256()
    hashes_seen: dict[tuple[str, int, int, int], str] = {}
    registers = [raw_dir / str(ar) / REGISTER_FILE_NAME for ar in year_folders(raw_dir)]
    entries = [(f.path, f.abs_path) for f in scan_landing_zone(raw_dir)]
    entries += [
        (p.relative_to(raw_dir).as_posix(), p) for p in registers if p.exists() or p.is_symlink()
    ]
    for relative, path in sorted(entries):
        if path.is_symlink():
            entry = f"L\0{relative}\0{os.readlink(path)}"
        else:
            stat = path.stat()
            key = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
            hashes_seen[key] = _hash_cache.get(key) or file_sha256(path)
            entry = f"F\0{relative}\0{hashes_seen[key]}"
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    # Keep only this tick's files, so the cache never outgrows the landing zone.
    _hash_cache.clear()
    _hash_cache.update(hashes_seen)
    return digest.hexdigest()


@dg.sensor(
    name="landing_zone_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_zone_changed(context: dg.SensorEvaluationContext, landing_zone: LandingZone):
    """Request a refresh when a file in the landing zone is added, removed or changed.

    The cursor holds the fingerprint of the last landing zone a refresh was requested for, and
    the fingerprint is also the run key, so the same content never starts two refreshes.
    """
    if not landing_zone.path.is_dir():
        return dg.SkipReason(f"The landing zone {landing_zone.path} does not exist")
    fingerprint = landing_zone_fingerprint(landing_zone.path)
    if fingerprint == context.cursor:
        return dg.SkipReason("No file in the landing zone was added or changed")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
