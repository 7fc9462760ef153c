"""What a kept publication costs (docs/PERFORMANCE.md "Kept publications", issue 26).

On the zone of a factor (tools/bench/scaled_zone.py; 1 is the shipped size), two refreshes in
this process: a cold one, then one after a correction in place of one submission (its women's
and men's caseworkers swapped, so figures move and the rules still hold). Prints, per
publication, the published file's size on disk, and the disk the kept publications (the folders
of `publications/`, each a whole publication) take together, hard links counted once, and the
time of the exports step's history work
(`prepare_publication` again, on a copy of the staging warehouse of the second refresh: the
two history tables and the join of two publications' figures).

    .venv/bin/python -m tools.bench.publication_size 100 /tmp/scratch
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb

from assets.publication.publications import prepare_publication
from pipelines.resources import CURRENT_PUBLICATION, Warehouse


def _refresh(raw: Path, warehouse: Path) -> None:
    from pipelines.definitions import defs
    from pipelines.refresh import execute_refresh
    from pipelines.resources import LandingZone

    os.environ["KOMPETENS_RAW_DIR"] = str(raw)
    os.environ["KOMPETENS_WAREHOUSE"] = str(warehouse)
    result = execute_refresh(
        defs,
        dg.DagsterInstance.ephemeral(),
        LandingZone(raw_dir=str(raw)),
        Warehouse(database=str(warehouse)),
    )
    if not result.success:
        raise RuntimeError("the refresh failed")


def _correct_one_submission(raw: Path, warehouse: Path) -> Path:
    """Swap handl_kvinnor and handl_man in the last selected CSV submission where they differ."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        paths = [
            row[0]
            for row in con.execute(
                "SELECT path FROM core.submissions WHERE lower(path) LIKE '%.csv' "
                "ORDER BY ar DESC, path"
            ).fetchall()
        ]
    finally:
        con.close()
    for relative in paths:
        path = raw / relative
        # Latin-1 reads any bytes and writes them back unchanged, whatever the file's encoding.
        text = path.read_bytes().decode("latin-1")
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        answers = {}
        for line in text.splitlines():
            question, _, answer = line.partition(delimiter)
            answers[question.strip()] = answer.strip()
        women, men = answers.get("handl_kvinnor"), answers.get("handl_man")
        if women and men and women != men:
            swapped = []
            for line in text.splitlines():
                question = line.partition(delimiter)[0].strip()
                if question == "handl_kvinnor":
                    line = f"handl_kvinnor{delimiter}{men}"
                elif question == "handl_man":
                    line = f"handl_man{delimiter}{women}"
                swapped.append(line)
            path.write_bytes(("\r\n".join(swapped) + "\r\n").encode("latin-1"))
            return path
    raise RuntimeError("no CSV submission with different numbers of women and men")


def _disk_bytes(folder: Path) -> int:
    """The disk the files under `folder` take, each inode once (as `du`)."""
    seen, total = set(), 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        if stat.st_ino not in seen:
            seen.add(stat.st_ino)
            total += stat.st_blocks * 512
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factor", type=int)
    parser.add_argument("scratch", type=Path)
    arguments = parser.parse_args()
    from tools.bench.scaled_zone import build_scaled_zone

    scratch = arguments.scratch
    zone = build_scaled_zone(arguments.factor, scratch / "zone")
    os.environ["KOMPETENS_REFERENCE_DIR"] = str(zone.reference_dir)
    warehouse = scratch / "warehouse" / "kompetens.duckdb"
    _refresh(zone.raw_dir, warehouse)
    print(f"first publication: {warehouse.stat().st_size / 2**20:.1f} MiB", flush=True)
    corrected = _correct_one_submission(zone.raw_dir, warehouse)
    print(f"corrected in place: {corrected.relative_to(zone.raw_dir)}", flush=True)
    _refresh(zone.raw_dir, warehouse)
    kept = Warehouse(database=str(warehouse)).publications_path
    print(f"second publication: {warehouse.stat().st_size / 2**20:.1f} MiB", flush=True)
    print(f"kept publications together: {_disk_bytes(kept) / 2**20:.1f} MiB", flush=True)
    # The exports step's history work again, on a copy of what the second refresh published,
    # against the first publication: its revisions are the correction's.
    first = min(p.name for p in kept.iterdir() if p.name != CURRENT_PUBLICATION)
    staging = scratch / "staging.duckdb"
    shutil.copyfile(warehouse, staging)
    con = duckdb.connect(str(staging))
    try:
        con.execute("DELETE FROM report.publiceringar WHERE publicering_id <> ?", [first])
        started = time.perf_counter()
        publication = prepare_publication(con, warehouse, kept=0)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    print(
        f"prepare_publication: {seconds:.2f} s, {publication.revised_figures} figures revised",
        flush=True,
    )


if __name__ == "__main__":
    main()
