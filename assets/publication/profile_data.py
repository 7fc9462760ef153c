"""What a municipality's profile page shows, read from the warehouse once: the key figures
after disclosure control, the comparisons, the grants, the ledger and the revisions, as one
`Page` per municipality (its inputs: a page whose `Page` is unchanged is not made again).

Pure: reads a warehouse connection; no Dagster. What a page shows: docs/ARCHITECTURE.md,
«assets/publication/profile_pages.py».
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import polars as pl

from assets.feedback.control_reports import LedgerFile
from assets.publication.figures_shown import swedish_time
from assets.publication.revisions import Revisions, read_revisions
from assets.report.disclosure import PUBLISHED_KEY_FIGURES


@dataclass(frozen=True)
class Municipality:
    kommunkod: str
    kommun: str
    lanskod: str
    lan: str
    kommungrupp: str
    kommungrupp_namn: str


@dataclass
class ProfileData:
    municipalities: list[Municipality]
    definitions: list[dict]  # ref.nyckeltal, in order
    key_figures: pl.DataFrame  # report.nyckeltal after disclosure control
    comparisons: pl.DataFrame  # report.jamforelse, kon T, the columns a page shows
    grants: pl.DataFrame  # per kommunkod and ar, summed over purposes
    ledger: list[LedgerFile]
    ledger_statuses: dict[str, str]  # status → Swedish description
    rules: dict[str, str]  # rule id → Swedish description
    revisions: Revisions  # the figures revised since the previous publication


def read_profile_data(con: duckdb.DuckDBPyConnection) -> ProfileData:
    """Everything the pages show, from the published warehouse."""
    municipalities = [
        Municipality(*row)
        for row in con.execute(
            """
            -- Every municipality of the register gets its page, in an SKR group or not (a
            -- replacement reference set may add municipalities the grouping does not know).
            SELECT m.kommunkod, m.kommun, m.lanskod, m.lan, coalesce(g.group_code, '–'),
                coalesce(g.group_name, 'utan kommungrupp')
            FROM ref.municipalities AS m
            LEFT JOIN ref.kommungrupp AS g ON g.kommunkod = m.kommunkod
            ORDER BY m.kommun, m.kommunkod
            """
        ).fetchall()
    ]
    ledger = [
        LedgerFile(*row)
        for row in con.execute(
            """
            SELECT path, kommunkod, kommun, ar, inlamnad, status, reason_code, message
            FROM quality.file_ledger_kommun
            WHERE kommunkod IS NOT NULL
            ORDER BY ar, path
            """
        ).fetchall()
    ]
    return ProfileData(
        municipalities=municipalities,
        definitions=con.sql("SELECT * FROM ref.nyckeltal ORDER BY position").pl().to_dicts(),
        # Disclosure control ran once, in the report stage; its result is published as it is.
        key_figures=con.sql(
            f"""
            SELECT p.* FROM {PUBLISHED_KEY_FIGURES} AS p
            JOIN ref.nyckeltal AS n USING (nyckeltal_id)
            ORDER BY n.position, p.dimension, p.kommunkod, p.group_code, p.ar, p.kon
            """
        ).pl(),
        comparisons=con.sql(
            f"""
            SELECT kommunkod, nyckeltal_id, ar, {", ".join(SHOWN_COMPARISON_COLUMNS)}
            FROM report.jamforelse
            WHERE kon = 'T'
            ORDER BY kommunkod, nyckeltal_id, ar
            """
        ).pl(),
        grants=con.sql(
            """
            SELECT kommunkod, ar, CAST(sum(fordelat_sek) AS DOUBLE) AS fordelat_sek,
                CAST(sum(rekvirerat_sek) AS DOUBLE) AS rekvirerat_sek,
                CAST(sum(aterbetalt_sek) AS DOUBLE) AS aterbetalt_sek
            FROM core.grant_register
            GROUP BY kommunkod, ar
            ORDER BY kommunkod, ar
            """
        ).pl(),
        ledger=ledger,
        ledger_statuses=dict(
            con.execute("SELECT status, description_sv FROM ref.ledger_statuses").fetchall()
        ),
        rules=dict(con.execute("SELECT rule, description_sv FROM ref.rules").fetchall()),
        revisions=read_revisions(con),
    )


@dataclass(frozen=True)
class Page:
    """Everything one municipality's page shows, and nothing else: the page is made from this
    alone, so that its digest tells whether the page changed (assets/output_sets.py)."""

    municipality: Municipality
    definitions: list[dict]  # ref.nyckeltal, in order
    # nyckeltal_id → the municipality's rows of the key figures, all years and sexes
    own: dict[str, list[dict]]
    # (nyckeltal_id, ar) → (varde, disclosure) of its county, SKR group and the nation, both
    # sexes together; each the same object on the pages of all its municipalities
    lan: dict[tuple[str, int], tuple]
    kommungrupp: dict[tuple[str, int], tuple]
    riket: dict[tuple[str, int], tuple]
    comparisons: dict[tuple[str, int], dict]  # (nyckeltal_id, ar) → its report.jamforelse row
    grants: list[dict]  # per year
    ledger: list[LedgerFile]
    ledger_statuses: dict[str, str]
    rules: dict[str, str]
    # (dimension, nyckeltal_id, ar, kon) → (varde, disclosure) in the previous publication, of
    # the municipality's and its county's, SKR group's and the nation's revised key figures
    revised: dict[tuple[str, str, int, str], tuple]
    revised_since: str | None  # the previous publication's date, as a reader in Sweden reads it


# The columns of report.nyckeltal (after disclosure control) and report.jamforelse that a page
# shows.
SHOWN_KEY_FIGURE_COLUMNS = ("ar", "kon", "varde", "disclosure")
SHOWN_COMPARISON_COLUMNS = (
    "rang_i_kommungrupp",
    "antal_rangordnade",
    "forandring",
    "forsta_inventering_ar",
    "forsta_inventering_varde",
)


def pages(data: ProfileData) -> Iterator[Page]:
    """Each municipality's page inputs, in the order of data.municipalities, one at a time: a
    page's rows are made when it is reached, so that the pages of a large register are never
    all in memory at once."""
    # In a fixed order, whatever order the figures were read in: a page shows a key figure's
    # rows by year and sex. A page's rows hold the columns it shows only, so that a change
    # elsewhere (a numerator behind an unchanged value) leaves the page as it is.
    key_figures = data.key_figures.select(
        "dimension", "kommunkod", "group_code", "nyckeltal_id", *SHOWN_KEY_FIGURE_COLUMNS
    ).sort("dimension", "kommunkod", "group_code", "nyckeltal_id", "ar", "kon", nulls_last=True)
    groups: dict[tuple[str, str], dict[tuple[str, int], tuple]] = defaultdict(dict)
    compared_groups = key_figures.filter((pl.col("dimension") != "kommun") & (pl.col("kon") == "T"))
    for dimension, _, group_code, key, ar, _, varde, disclosure in compared_groups.iter_rows():
        groups[(dimension, group_code)][(key, ar)] = (varde, disclosure)
    own = _by_kommunkod(
        key_figures.filter(pl.col("dimension") == "kommun").select(
            "kommunkod", "nyckeltal_id", *SHOWN_KEY_FIGURE_COLUMNS
        )
    )
    comparisons = _by_kommunkod(data.comparisons)
    grants = _by_kommunkod(data.grants)
    ledger: dict[str, list[LedgerFile]] = defaultdict(list)
    for ledger_file in data.ledger:
        ledger[ledger_file.kommunkod].append(ledger_file)
    revised: dict[tuple[str, str], dict[tuple[str, str, int, str], tuple]] = defaultdict(dict)
    revised_figures = data.revisions.figures().filter(pl.col("kalla") == "nyckeltal")
    for figure in revised_figures.iter_rows(named=True):
        dimension = figure["dimension"]
        code = figure["kommunkod"] if dimension == "kommun" else figure["group_code"]
        key = (dimension, figure["nyckeltal_id"], figure["ar"], figure["kon"])
        revised[(dimension, code)][key] = (figure["value_before"], figure["disclosure_before"])
    since = data.revisions.forra_publicerad
    for m in data.municipalities:
        own_rows: dict[str, list[dict]] = defaultdict(list)
        for _, key, *shown in own(m.kommunkod).iter_rows():
            own_rows[key].append(dict(zip(SHOWN_KEY_FIGURE_COLUMNS, shown)))
        compared = {"lan": m.lanskod, "kommungrupp": m.kommungrupp, "riket": "00"}
        page_revised = {
            key: before
            for dimension, code in (("kommun", m.kommunkod), *compared.items())
            for key, before in revised.get((dimension, code), {}).items()
        }
        yield Page(
            municipality=m,
            definitions=data.definitions,
            own=dict(own_rows),
            **{
                dimension: groups.get((dimension, code), {}) for dimension, code in compared.items()
            },
            comparisons={
                (key, ar): dict(zip(SHOWN_COMPARISON_COLUMNS, shown))
                for _, key, ar, *shown in comparisons(m.kommunkod).iter_rows()
            },
            grants=grants(m.kommunkod).to_dicts(),
            ledger=ledger.get(m.kommunkod, []),
            ledger_statuses=data.ledger_statuses,
            rules=data.rules,
            revised=page_revised,
            # Only on a page that marks a value: a page's inputs decide whether it is rewritten.
            revised_since=swedish_time(since) if since and page_revised else None,
        )


def _by_kommunkod(frame: pl.DataFrame) -> Callable[[str], pl.DataFrame]:
    """A municipality's rows of `frame`, which is sorted by kommunkod, in `frame`'s order (a slice,
    not a copy)."""
    if not frame.get_column("kommunkod").is_sorted():
        raise ValueError("the rows are not sorted by kommunkod")
    bounds = (
        frame.with_row_index("position")
        .group_by("kommunkod", maintain_order=True)
        .agg(pl.col("position").first(), pl.len())
    )
    rows = {kommunkod: (first, count) for kommunkod, first, count in bounds.iter_rows()}

    def of(kommunkod: str) -> pl.DataFrame:
        return frame.slice(*rows.get(kommunkod, (0, 0)))

    return of
