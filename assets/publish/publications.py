"""The store of kept publications (contract section 11): every publication stays readable.

Each publication is kept unchanged as `<warehouse dir>/publiceringar/<publicering_id>.duckdb`, a
hard link to the published file made just after the swap. The swap replaces the published
file's name with a new file and never writes the old one, so the kept file costs no copy and
stays byte for byte what was published (the parse cache included). `report.publiceringar`
lists the kept publications and `report.revisioner` the figures that differ from the previous
one's; both are written into the staging warehouse just before the swap, so that a failed or
killed refresh leaves the history as it was.

The publish path calls two functions: `prepare_publication` before the swap (in the staging
warehouse) and `keep_publication` after it succeeded.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.ingest.build_inputs import code_and_reference_parts
from assets.ingest.landing_zone import REGISTER_FILE_NAME

# A folder of its own, apart from whatever the swap writes and cleans up beside the warehouse.
PUBLICATIONS_FOLDER = "publiceringar"
PUBLICATION_SUFFIX = ".duckdb"
SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "sql" / "publish"
# The history tables: they differ between an incremental build and a cold one by design.
HISTORY_TABLES = ("report.publiceringar", "report.revisioner")
# How many figures report.revisioner revises (it has a row per figure and change behind it).
REVISED_FIGURES_QUERY = (
    "SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (cause, cause_kommunkod, cause_ar, path, "
    "superseded_path) FROM report.revisioner)"
)
# The latest publication and the figures it revised, for the refresh's summary.
LATEST_PUBLICATION_QUERY = (
    f"SELECT publicering_id, ({REVISED_FIGURES_QUERY}) FROM report.publiceringar "
    "ORDER BY publicerad DESC LIMIT 1"
)


@dataclass(frozen=True)
class NewPublication:
    """A publication written into the staging warehouse, to be kept once it is swapped in."""

    publicering_id: str
    path: Path  # where it is kept
    kept_ids: tuple[str, ...]  # every publication listed in it, itself included
    revised_figures: int  # how many figures differ from the previous publication's


def publications_path(published: Path) -> Path:
    return published.parent / PUBLICATIONS_FOLDER


def kept_path(published: Path, publicering_id: str) -> Path:
    return publications_path(published) / f"{publicering_id}{PUBLICATION_SUFFIX}"


def prepare_publication(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    kept: int,
    now: datetime | None = None,
) -> NewPublication | None:
    """Before the swap, in the staging warehouse `con`: list this publication in
    report.publiceringar and compute report.revisioner against the previous publication.

    None, writing nothing, when the staging warehouse's build is the last publication's (a run
    with nothing changed adds no publication). `kept` publications stay listed (0: every one;
    else at least 2, this one and the one its revisions are against).
    """
    if kept == 1:
        # The outputs read the previous publication's kept file for the disclosure control of
        # each revision's value before (assets/publication/revisions.py).
        raise ValueError("publications_kept is 0 (keep every one) or at least 2, not 1")
    _keep_the_published_one(published)
    listed = con.execute(
        "SELECT publicering_id, fingerprint, reference_fingerprint, code_fingerprint "
        "FROM report.publiceringar ORDER BY publicerad"
    ).fetchall()
    # A publication without its kept file is not listed: one removed by hand, or this run's own
    # from an attempt that failed before its swap (a retried step).
    gone = [row[0] for row in listed if not kept_path(published, row[0]).exists()]
    if gone:
        con.execute(
            "DELETE FROM report.publiceringar WHERE list_contains(?, publicering_id)", [gone]
        )
        listed = [row for row in listed if row[0] not in gone]
    ((fingerprint,),) = con.execute("SELECT fingerprint FROM quality.build_inputs").fetchall()
    if listed and listed[-1][1] == fingerprint:
        return None
    now = now or datetime.now(UTC)
    publicering_id = f"{now:%Y%m%dT%H%M%SZ}_{fingerprint[:8]}"
    path = kept_path(published, publicering_id)
    parts = code_and_reference_parts()
    _set_variables(
        con,
        publicering_id=publicering_id,
        publicerad=now.replace(tzinfo=None),
        reference_fingerprint=parts["reference"],
        code_fingerprint=parts["code"],
        path=str(path),
        kept=kept,
    )
    con.execute(_sql("publiceringar.sql"))
    revised = 0
    if listed:
        previous_id, _, previous_reference, previous_code = listed[-1]
        revised = _write_revisions(
            con,
            kept_path(published, previous_id),
            publicering_id=publicering_id,
            forra_publicering_id=previous_id,
            reference_changed=previous_reference != parts["reference"],
            code_changed=previous_code != parts["code"],
        )
    else:
        con.execute("DELETE FROM report.revisioner")
    kept_ids = tuple(
        row[0]
        for row in con.execute(
            "SELECT publicering_id FROM report.publiceringar ORDER BY publicerad"
        ).fetchall()
    )
    return NewPublication(publicering_id, path, kept_ids, revised)


def keep_publication(published: Path, publication: NewPublication) -> None:
    """After the swap succeeded: keep the published file as `publication`, and remove the kept
    files of the publications it no longer lists (the retention setting)."""
    _link_or_copy(published, publication.path)
    listed = set(publication.kept_ids)
    for candidate in publications_path(published).glob(f"*{PUBLICATION_SUFFIX}"):
        if candidate.name.removesuffix(PUBLICATION_SUFFIX) not in listed:
            candidate.unlink(missing_ok=True)


def _keep_the_published_one(published: Path) -> None:
    """A run killed between its swap and keep_publication left its publication unkept; the
    published file is still that publication, so it is kept now."""
    if not published.exists():
        return
    con = duckdb.connect(str(published), read_only=True)
    try:
        last = con.execute(
            "SELECT publicering_id FROM report.publiceringar ORDER BY publicerad DESC LIMIT 1"
        ).fetchall()
    except duckdb.CatalogException:  # published before publications were kept
        last = []
    finally:
        con.close()
    if last and not kept_path(published, last[0][0]).exists():
        _link_or_copy(published, kept_path(published, last[0][0]))


def _write_revisions(con: duckdb.DuckDBPyConnection, previous: Path, **variables) -> int:
    _set_variables(con, register_file=REGISTER_FILE_NAME, **variables)
    escaped = str(previous).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS forra (READ_ONLY)")
    try:
        con.execute(_sql("revisioner.sql"))
    finally:
        con.execute("DETACH forra")
    ((revised,),) = con.execute(REVISED_FIGURES_QUERY).fetchall()
    return revised


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` holding what `source` holds: a hard link, or a copy where the file system has
    none. Written under a temporary name first, so a kept file is never half there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        os.link(source, partial)
    except OSError:
        shutil.copyfile(source, partial)
    os.replace(partial, target)


def _set_variables(con: duckdb.DuckDBPyConnection, **variables) -> None:
    for name, value in variables.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
