"""The history of publications (contract section 11): every publication stays readable.

A publication is the folder the one swap makes, `<warehouse dir>/publications/<publicering_id>/`
(pipelines/resources.py, `Warehouse.publish`), whole and unchanged: its warehouse
`kompetens.duckdb`, exports and control reports. `report.publiceringar` lists the kept
publications and `report.revisioner` the figures that differ from the previous one's; the
exports asset writes both into the staging warehouse (`prepare_publication`) before it reads it,
so the exports show the revisions of the publication they are part of, and a failed or killed
refresh, which never swaps, leaves the history as it was. The publish asset names the folder by
the id chosen here (`new_publication`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.ingest.build_inputs import code_and_reference_parts
from assets.ingest.landing_zone import REGISTER_FILE_NAME
from pipelines.resources import BUILD_QUERY, publication_database

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
    """A publication written into the staging warehouse, to be swapped in under its id."""

    publicering_id: str
    revised_figures: int  # how many figures differ from the previous publication's


def prepare_publication(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    kept: int,
    now: datetime | None = None,
) -> NewPublication | None:
    """Before the exports read it, in the staging warehouse `con`: list this publication in
    report.publiceringar and compute report.revisioner against the previous publication.

    None, writing nothing, when the staging warehouse's build is the last publication's (a run
    with nothing changed adds no publication). `kept` publications stay listed (0: every one;
    else at least 2, this one and the one its revisions are against).
    """
    if kept == 1:
        # The outputs read the previous publication's warehouse for the disclosure control of
        # each revision's value before (assets/publication/revisions.py).
        raise ValueError("publications_kept is 0 (keep every one) or at least 2, not 1")
    listed = con.execute(
        "SELECT publicering_id, fingerprint, reference_fingerprint, code_fingerprint "
        "FROM report.publiceringar ORDER BY publicerad"
    ).fetchall()
    # A publication without its folder is not listed: one removed by hand or by retention, or
    # this run's own from an attempt that failed before its swap (a retried step, or a run that
    # succeeded without publishing and handed its staging folder on).
    gone = [row[0] for row in listed if not publication_database(published, row[0]).exists()]
    if gone:
        con.execute(
            "DELETE FROM report.publiceringar WHERE list_contains(?, publicering_id)", [gone]
        )
        listed = [row for row in listed if row[0] not in gone]
    ((fingerprint,),) = con.execute(BUILD_QUERY).fetchall()
    if listed and listed[-1][1] == fingerprint:
        return None
    now = now or datetime.now(UTC)
    publicering_id = f"{now:%Y%m%dT%H%M%SZ}_{fingerprint[:8]}"
    path = publication_database(published, publicering_id)
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
            publication_database(published, previous_id),
            publicering_id=publicering_id,
            forra_publicering_id=previous_id,
            reference_changed=previous_reference != parts["reference"],
            code_changed=previous_code != parts["code"],
        )
    else:
        con.execute("DELETE FROM report.revisioner")
    return NewPublication(publicering_id, revised)


def new_publication(con: duckdb.DuckDBPyConnection, published: Path) -> NewPublication | None:
    """The publication that `prepare_publication` listed in the staging warehouse `con` for its
    build and that is not yet published; None when there is none (the build is the current
    publication's, or the exports were not made for it)."""
    rows = con.execute(
        f"SELECT publicering_id, ({REVISED_FIGURES_QUERY}) FROM report.publiceringar "
        f"WHERE fingerprint = ({BUILD_QUERY}) ORDER BY publicerad DESC LIMIT 1"
    ).fetchall()
    if not rows or publication_database(published, rows[0][0]).exists():
        return None
    return NewPublication(*rows[0])


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


def _set_variables(con: duckdb.DuckDBPyConnection, **variables) -> None:
    for name, value in variables.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
