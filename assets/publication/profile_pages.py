"""A profile page per municipality, and an index searchable by name (issue 17).

`<warehouse dir>/exports/kommuner/<kommunkod>.html` for every municipality of the register, and
`index.html`; each page in Swedish and self-contained (it makes no request). A refresh makes only
the pages whose inputs (`Page`) changed. Pure: reads a published warehouse connection, writes
files; no Dagster.

What a page shows: docs/ARCHITECTURE.md, «assets/publication/profile_pages.py».
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path

import duckdb
import polars as pl

from assets.disclosure import SYMBOLS, Disclosure
from assets.feedback.control_reports import LedgerFile, report_location
from assets.output_sets import (
    Item,
    Written,
    code_and_reference_version,
    digest,
    link_file,
    make_across_cores,
    rebuild_folder,
    write_file,
)
from assets.publication.exports import FLAT_FOLDERS, KEY_FIGURES_NAME, write_key_figure_exports
from assets.publication.figures_shown import cell_text, swedish_number, swedish_time
from assets.publication.revisions import Revisions, read_revisions
from assets.report.disclosure import PUBLISHED_KEY_FIGURES

PROFILES_FOLDER = "kommuner"
INDEX_NAME = "index.html"
# From exports/kommuner/ to <warehouse dir>/kontrollrapporter/.
CONTROL_REPORTS = "../../kontrollrapporter"
COMPARED = (
    ("kommun", "Kommunen"),
    ("lan", "Länet"),
    ("kommungrupp", "Kommungruppen"),
    ("riket", "Riket"),
)
SEX_LABELS = {"K": "kvinnor", "M": "män"}
CHART_COLOURS = {
    "forsta": "#b9cfe0",
    "kommun": "#1f5f8b",
    "lan": "#7a9cb8",
    "kommungrupp": "#9bb58a",
    "riket": "#8c8c8c",
}


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


def write_profiles(target: Path, data: ProfileData, previous: Path | None = None) -> Written:
    """Write every municipality's page and the index into the new folder `target`.

    Only the pages whose inputs (`Page`) changed since the set in `previous` (the published one)
    are made; the others are linked from it (assets/output_sets.py)."""
    shared: dict[int, tuple[object, str]] = {}
    items = {
        page.municipality.kommunkod: Item(
            page_digest(page, shared), (f"{page.municipality.kommunkod}.html",)
        )
        for page in pages(data)
    }
    items[INDEX_NAME] = Item(digest(data.municipalities), (INDEX_NAME,))

    def make(folder: Path, keys: list[str]) -> dict[str, str]:
        digests: dict[str, str] = {}
        if INDEX_NAME in keys:
            write_file(folder, INDEX_NAME, index_html(data.municipalities).encode("utf-8"), digests)
        # The pages are made again, one at a time, rather than kept from their digests.
        to_make = set(keys) - {INDEX_NAME}
        work = (
            (items[page.municipality.kommunkod].files[0], page)
            for page in pages(data)
            if page.municipality.kommunkod in to_make
        )
        return digests | make_across_cores(
            _write_pages, folder, work, len(to_make), PARALLEL_MIN_PAGES
        )

    return rebuild_folder(target, code_and_reference_version(), items, make, previous)


# Pages are made across the cores from this many on: a worker is ready about 0.7 s after it is
# spawned (the imports of this module), and this process makes a page in about 3 ms.
PARALLEL_MIN_PAGES = 500


def _write_pages(folder: Path, pages_to_make: list[tuple[str, Page]]) -> dict[str, str]:
    """Write each (file name, page)."""
    digests: dict[str, str] = {}
    for name, page in pages_to_make:
        write_file(folder, name, profile_html(page).encode("utf-8"), digests)
    return digests


# The key figures' flat files are a set of their own (one item), in the publication beside the
# exports rather than in them: a set's folder holds its files only. They are linked into the
# exports' flat folders, and made again only when the key figures changed.
KEY_FIGURES_SET = ".nyckeltal"


def write_key_figures(
    exports: Path, key_figures: pl.DataFrame, made: Path, previous: Path | None = None
) -> list[Path]:
    """The key figures after disclosure control as flat files (write_key_figure_exports) in the
    flat folders of `exports`; returns them. They are made as the set `made` (a KEY_FIGURES_SET),
    or linked from the set `previous` (the published one) when the key figures are the same
    (assets/output_sets.py), and linked into `exports`."""
    files = tuple(
        f"{folder}/{KEY_FIGURES_NAME}.{'parquet' if folder == 'parquet' else 'csv'}"
        for folder in FLAT_FOLDERS
    )
    items = {KEY_FIGURES_NAME: Item(frame_digest(key_figures), files)}
    rebuild_folder(
        made,
        code_and_reference_version(),
        items,
        lambda folder, _: write_key_figure_exports(folder, key_figures),
        previous,
    )
    written = []
    for name in files:
        (exports / name).parent.mkdir(parents=True, exist_ok=True)
        (exports / name).unlink(missing_ok=True)
        link_file(made / name, exports / name)
        written.append(exports / name)
    return written


def frame_digest(frame: pl.DataFrame) -> str:
    """The digest of a frame's types and values, in its row order. As text, not Arrow IPC: IPC
    carries what lies under a null, which differs between equal frames computed differently.
    Floats are written in the shortest form that reads back as the same double, text is always
    quoted, and a null is NULL unquoted."""
    text = frame.write_csv(quote_style="non_numeric", null_value="NULL")
    return digest(str(frame.schema), hashlib.sha256(text.encode("utf-8")).hexdigest())


# The fields whose value is the same object on many pages (the definitions, a county's figures):
# each such value is digested once.
_SHARED_FIELDS = ("definitions", "lan", "kommungrupp", "riket", "ledger_statuses", "rules")


def page_digest(page: Page, shared: dict[int, tuple[object, str]]) -> str:
    """The digest of every field of `page`. `shared` holds the digest of each value of the
    `_SHARED_FIELDS` digested so far, by object id, with the value (which keeps the id its own)."""
    parts = []
    for field in fields(Page):
        value = getattr(page, field.name)
        if field.name not in _SHARED_FIELDS:
            parts.append(digest(value))
            continue
        if id(value) not in shared:
            shared[id(value)] = (value, digest(value))
        parts.append(shared[id(value)][1])
    return digest(*parts)


# --- the pages ---------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; color: #222; }
table { font-size: 0.9em; }
h1 { margin-bottom: 0.2em; } .ingress { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.saknas { background: #fff4e5; border-left: 4px solid #e69500; padding: 0.6em 1em; }
.diagram { display: inline-block; margin: 0 1.5em 1em 0; vertical-align: top; }
.diagram figcaption { font-size: 0.9em; max-width: 22em; }
.anm { font-size: 0.9em; color: #555; }
.reviderad { font-size: 0.85em; color: #8a4b00; }
#kommuner td, #inlamningar td, #inlamningar th, #kommuner th { text-align: left; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def index_html(municipalities: list[Municipality]) -> str:
    """All municipalities, in name order, with a search field that filters them by name."""
    rows = "\n".join(
        f'<tr data-namn="{html.escape(m.kommun.lower())}"><td>'
        f'<a href="{m.kommunkod}.html">{html.escape(m.kommun)}</a></td>'
        f"<td>{m.kommunkod}</td><td>{html.escape(m.lan)}</td>"
        f"<td>{html.escape(m.kommungrupp)} {html.escape(m.kommungrupp_namn)}</td></tr>"
        for m in municipalities
    )
    body = f"""<h1>Kommunprofiler</h1>
<p class="ingress">Kompetensinventeringen inom den sociala barn- och ungdomsvården 2013–2016:
nyckeltal för varje kommun jämförda med länet, kommungruppen och riket.</p>
<p><label for="sok">Sök kommun: </label>
<input id="sok" type="search" autocomplete="off" placeholder="Kommunens namn"></p>
<p id="antal">{len(municipalities)} kommuner</p>
<table id="kommuner">
<thead><tr><th>Kommun</th><th>Kommunkod</th><th>Län</th><th>Kommungrupp (SKR 2017)</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script>
const sok = document.getElementById("sok");
sok.addEventListener("input", () => {{
  const text = sok.value.trim().toLowerCase();
  let visible = 0;
  for (const row of document.querySelectorAll("#kommuner tbody tr")) {{
    const match = row.dataset.namn.includes(text);
    row.hidden = !match;
    if (match) visible += 1;
  }}
  document.getElementById("antal").textContent = visible + " kommuner";
}});
</script>"""
    return _page("Kommunprofiler – kompetensinventeringen 2013–2016", body)


def profile_html(page: Page) -> str:
    m = page.municipality
    has_form_figures = any(
        page.own.get(definition["nyckeltal_id"])
        for definition in page.definitions
        if definition["block"] != "register"
    )
    ledger = page.ledger
    parts = [
        f"<h1>{html.escape(m.kommun)}</h1>",
        (
            f'<p class="ingress">Kommunkod {m.kommunkod} · {html.escape(m.lan)} · kommungrupp '
            f"{html.escape(m.kommungrupp)} {html.escape(m.kommungrupp_namn)} (SKR 2017) · "
            f'<a href="{INDEX_NAME}">Alla kommuner</a></p>'
        ),
    ]
    if not has_form_figures:
        parts.append(
            '<div class="saknas" id="inga-uppgifter"><p><strong>Det finns inga giltiga uppgifter '
            "från kommunens kompetensinventeringar.</strong></p>"
            f"<p>{html.escape(_why_no_valid_data(ledger))}</p></div>"
        )
    parts.append(_key_figure_section(page))
    parts.append(_grant_section(page))
    parts.append(_ledger_section(page))
    return _page(f"{m.kommun} – kommunprofil, kompetensinventeringen", "\n".join(parts))


def _why_no_valid_data(ledger: list[LedgerFile]) -> str:
    if not ledger:
        return "Kommunen har inte lämnat in någon kompetensinventering."
    if not any(f.status == "selected" for f in ledger):
        return (
            "Ingen av kommunens inlämnade filer kunde användas: se filernas status nedan och "
            "kontrollrapporterna."
        )
    return (
        "Kommunens inlämningar användes, men inget av de block som nyckeltalen bygger på var "
        "giltigt (alla frågor besvarade och reglerna uppfyllda): se kontrollrapporterna."
    )


def _key_figure_section(page: Page) -> str:
    m = page.municipality
    rows, charts = [], []
    for definition in page.definitions:
        if definition["sammanvagning"] == "antal_kommuner":
            continue  # the first year of participation: shown with the grant history
        key = definition["nyckeltal_id"]
        mine = page.own.get(key, [])
        totals = sorted((row for row in mine if row["kon"] == "T"), key=lambda row: row["ar"])
        if not totals:
            continue
        latest = totals[-1]
        ar, decimals = latest["ar"], definition["decimaler"]
        values = {"kommun": (latest["varde"], latest["disclosure"])}
        for dimension in ("lan", "kommungrupp", "riket"):
            values[dimension] = getattr(page, dimension).get(
                (key, ar), (None, Disclosure.EMPTY.value)
            )
        rank = change = "–"
        comparison = page.comparisons.get((key, ar))
        # The rank and the change are worked out from the municipality's own values (report.
        # jamforelse is not disclosure-controlled): where a value they rest on is hidden, so are
        # they, or the change less the first inventory's value would give the hidden value away.
        shown_by_year = {row["ar"]: row["disclosure"] == Disclosure.SHOWN for row in totals}
        if comparison is not None and not (
            shown_by_year[ar] and shown_by_year.get(comparison["forsta_inventering_ar"], True)
        ):
            rank = change = SYMBOLS[Disclosure.SECONDARY]
            comparison = None
        if comparison is not None:
            if comparison["rang_i_kommungrupp"] is not None:
                rank = f"{comparison['rang_i_kommungrupp']} av {comparison['antal_rangordnade']}"
            if comparison["forandring"] is not None:
                change = (
                    f"{_signed(comparison['forandring'], decimals)} sedan "
                    f"{comparison['forsta_inventering_ar']}"
                )
        cells = "".join(
            f"<td>{cell_text(value, disclosure, decimals)}"
            f"{_revised(page, (dimension, key, ar, 'T'), decimals)}</td>"
            for dimension, (value, disclosure) in values.items()
        )
        by_sex = " / ".join(
            f"{SEX_LABELS[row['kon']]} {cell_text(row['varde'], row['disclosure'], decimals)}"
            + _revised(page, ("kommun", key, ar, row["kon"]), decimals)
            for row in sorted(mine, key=lambda row: row["kon"])
            if row["ar"] == ar and row["kon"] in SEX_LABELS
        )
        rows.append(
            f'<tr data-nyckeltal="{key}"><td>{html.escape(definition["titel"])}</td>'
            f"<td>{ar}</td>{cells}<td>{rank}</td><td>{change}</td><td>{by_sex}</td></tr>"
        )
        # A sum grows with the size of the place: only ratios compare in a chart. The chart
        # starts with the municipality's own value at its first inventory, where it had one.
        if definition["sammanvagning"] == "kvot":
            bars = [(dimension, label, *values[dimension]) for dimension, label in COMPARED]
            if comparison is not None and comparison["forandring"] is not None:
                first_bar = (
                    "forsta",
                    f"Kommunen {comparison['forsta_inventering_ar']}",
                    comparison["forsta_inventering_varde"],
                    Disclosure.SHOWN.value,
                )
                bars.insert(0, first_bar)
            charts.append(
                _bar_chart(key, definition["titel"], definition["enhet"], ar, bars, decimals)
            )
    if not rows:
        return ""
    return f"""<h2>Nyckeltal</h2>
<p>Kommunens senaste värde för varje nyckeltal, bredvid länet, kommungruppen och riket samma år,
kommunens rang i kommungruppen (1 = högst värde) och förändringen sedan kommunens första
inventering.</p>
<table id="nyckeltal">
<thead><tr><th>Nyckeltal</th><th>År</th><th>Kommunen</th><th>{html.escape(m.lan)}</th>
<th>Kommungrupp {html.escape(m.kommungrupp)}</th><th>Riket</th><th>Rang i kommungruppen</th>
<th>Förändring</th><th>Kvinnor / män</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="anm">.. = uppgiften visas inte (röjandekontroll): den bygger på färre än 3 årsarbetare av
ett kön, eller skulle tillsammans med andra uppgifter kunna visa en sådan uppgift, och skulle kunna
röja enskilda personer. – = uppgift saknas. Andelar i procent;
förändringen för andelar i procentenheter. En kommun räknas ett år med sin valda inlämning det
året där blocket som nyckeltalet bygger på är giltigt.{_REVISED_EXPLAINED if page.revised else ""}</p>
<h2>Jämförelser</h2>
<p>Kommunen bredvid länet, kommungruppen och riket samma år, och överst kommunen det år den
inventerade första gången.</p>
<div id="diagram">
{chr(10).join(charts)}
</div>"""


_REVISED_EXPLAINED = (
    " Reviderat: värdet har ändrats sedan förra publiceringen; inom parentes värdet då, med "
    "samma röjandekontroll som den publiceringen tillämpade."
)


def _revised(page: Page, key: tuple[str, str, int, str], decimals: int) -> str:
    """The mark of a value revised since the previous publication: its value there and when."""
    before = page.revised.get(key)
    if before is None:
        return ""
    published = f", publicerat {html.escape(page.revised_since)}" if page.revised_since else ""
    return (
        f' <span class="reviderad">(reviderat; tidigare {cell_text(*before, decimals)}'
        f"{published})</span>"
    )


def _signed(value: float, decimals: int) -> str:
    text = swedish_number(value, decimals)
    return text if text.startswith("-") or value == 0 else "+" + text


def _bar_chart(key: str, title: str, unit: str, ar: int, bars: list[tuple], decimals: int) -> str:
    """A horizontal bar per (place, label, value, disclosure): the municipality at its first
    inventory where there is one, then the municipality, its county, group and the nation."""
    shown = [value for _, _, value, d in bars if d == Disclosure.SHOWN and value is not None]
    largest = max((abs(value) for value in shown), default=0) or 1
    width, bar_height, label_width, value_width = 360, 22, 110, 70
    drawn = []
    for position, (place, label, value, disclosure) in enumerate(bars):
        y = position * (bar_height + 6)
        length = 0
        if disclosure == Disclosure.SHOWN and value is not None:
            length = (width - label_width - value_width) * abs(value) / largest
        drawn.append(
            f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label)}</text>'
            f'<rect class="stapel" data-plats="{place}" x="{label_width}" y="{y}" '
            f'width="{length:.1f}" height="{bar_height}" fill="{CHART_COLOURS[place]}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}" font-size="12">'
            f"{cell_text(value, disclosure, decimals)}</text>"
        )
    height = len(bars) * (bar_height + 6)
    return (
        f'<figure class="diagram" data-nyckeltal="{key}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)} {ar}">{"".join(drawn)}</svg>'
        f"<figcaption>{html.escape(title)}, {ar} ({html.escape(unit)})</figcaption></figure>"
    )


def _grant_section(page: Page) -> str:
    first_year = page.own.get("forsta_deltagarar")
    participation = (
        f"Kommunen deltog första gången {first_year[0]['ar']}."
        if first_year
        else "Kommunen deltog inte i kompetenssatsningen."
    )
    rows = "\n".join(
        f"<tr><td>{g['ar']}</td><td>{swedish_number(g['fordelat_sek'], 0)}</td>"
        f"<td>{swedish_number(g['rekvirerat_sek'], 0)}</td>"
        f"<td>{swedish_number(g['aterbetalt_sek'], 0)}</td></tr>"
        for g in page.grants
    )
    return f"""<h2>Statsbidraget per år</h2>
<table id="bidrag">
<thead><tr><th>År</th><th>Fördelat (kr)</th><th>Rekvirerat (kr)</th><th>Återbetalt (kr)</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p id="deltagande">{participation}</p>
<p class="anm">Båda ändamålen (inventering och kompetensutveckling) tillsammans. Kommunen deltog ett
år när den rekvirerade mer än den återbetalade.</p>"""


def _submitted(ledger_file: LedgerFile) -> str:
    """The inlamnad as sent: a date alone (read as midnight) is shown without a time."""
    moment = ledger_file.inlamnad
    if moment is None:
        return "–"
    return moment.strftime("%Y-%m-%d" if moment.time() == time() else "%Y-%m-%d kl. %H.%M")


def _ledger_section(page: Page) -> str:
    ledger = page.ledger
    if not ledger:
        rows = '<tr><td colspan="5">Inga inlämnade filer.</td></tr>'
    else:
        rows = "\n".join(
            f"<tr><td>{f.ar if f.ar is not None else '–'}</td>"
            f"<td>{html.escape(f.path)}</td>"
            f"<td>{_submitted(f)}</td>"
            f"<td>{html.escape(page.ledger_statuses.get(f.status, f.status))}"
            + (
                f" ({html.escape(page.rules.get(f.reason_code, f.reason_code))})"
                if f.reason_code
                else ""
            )
            + f'</td><td><a href="{CONTROL_REPORTS}/{html.escape(report_location(f))}.html">'
            "Kontrollrapport</a></td></tr>"
            for f in ledger
        )
    return f"""<h2>Inlämningar</h2>
<table id="inlamningar">
<thead><tr><th>År</th><th>Fil</th><th>Inlämnad</th><th>Status</th><th>Kontroll</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p><a href="{CONTROL_REPORTS}/index.html">Alla kontrollrapporter</a></p>"""


# --- what the asset check looks for ----------------------------------------------------------

# A reference that would leave the machine: an absolute URL or a protocol-relative one in an
# attribute that loads or links (the SVG namespace is an identifier, never fetched). Searched in
# the lower-cased page from the value's start, the attribute's name then looked for before it:
# a pattern that starts with a literal is scanned for quickly, an alternation of names is not
# (the 290 pages took 0.4 s with one case-insensitive pattern).
_EXTERNAL_VALUE = re.compile(r'=\s*"(?!data:)(?:[a-z][a-z0-9+.-]*:|//)')
_LINKING_ATTRIBUTES = ("src", "href", "action", "srcset")


def refers_outside(page: str) -> bool:
    """Whether the page's HTML refers to anything outside the machine."""
    text = page.lower()
    for value in _EXTERNAL_VALUE.finditer(text):
        name_end = value.start()
        while name_end > 0 and text[name_end - 1].isspace():
            name_end -= 1
        if text.endswith(_LINKING_ATTRIBUTES, 0, name_end):
            return True
    return False


def profile_problems(folder: Path, kommunkoder: list[str]) -> list[str]:
    """What is wrong with a written set of pages: a municipality without its page, no index, or a
    page that refers to anything outside the machine. Empty when all is well."""
    problems = [
        f"{kommunkod}.html saknas"
        for kommunkod in kommunkoder
        if not (folder / f"{kommunkod}.html").is_file()
    ]
    if not (folder / INDEX_NAME).is_file():
        problems.append(f"{INDEX_NAME} saknas")
    for page in sorted(folder.glob("*.html")):
        if refers_outside(page.read_text(encoding="utf-8")):
            problems.append(f"{page.name} hänvisar utanför datorn")
    return problems
