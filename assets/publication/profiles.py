"""A profile page per municipality, and an index searchable by name (issue 17).

`<warehouse dir>/exports/kommuner/<kommunkod>.html` for every municipality of the register, and
`index.html`. Each page is in Swedish and self-contained (styles, charts as inline SVG and the
index's search inline): it makes no request, so it opens from a file share or a USB stick.

A page shows the municipality's key figures (report.nyckeltal after disclosure control,
assets/publication/breakdowns.py) beside its county, SKR group and the nation with its rank in its
group, a chart per key figure, the change since its first inventory (report.jamforelse), its grant
history (core.grant_register), its submissions' ledger status (quality.file_ledger) and links to
their control reports (<warehouse dir>/kontrollrapporter/). A municipality with no key figure
from a valid block gets a page that says so, and why.

Pure: reads a published warehouse connection, writes files; no Dagster.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import duckdb
import polars as pl

from assets.feedback.control_reports import LedgerFile, report_location
from assets.folders import replace_folder
from assets.publication.breakdowns import Disclosure, apply_key_figure_disclosure_control
from assets.publication.content import cell_text, swedish_number

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
    comparisons: pl.DataFrame  # report.jamforelse, kon T
    grants: pl.DataFrame  # per kommunkod and ar, summed over purposes
    ledger: list[LedgerFile]
    ledger_statuses: dict[str, str]  # status → Swedish description
    rules: dict[str, str]  # rule id → Swedish description


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
            SELECT l.path, l.kommunkod, m.kommun, l.ar, l.inlamnad, l.status, l.reason_code,
                l.message
            FROM quality.file_ledger AS l
            LEFT JOIN ref.municipalities AS m ON m.kommunkod = l.kommunkod
            WHERE l.kommunkod IS NOT NULL
            ORDER BY l.ar, l.path
            """
        ).fetchall()
    ]
    return ProfileData(
        municipalities=municipalities,
        definitions=con.sql("SELECT * FROM ref.nyckeltal ORDER BY position").pl().to_dicts(),
        key_figures=apply_key_figure_disclosure_control(
            con.sql("SELECT * FROM report.nyckeltal").pl(),
            con.sql("SELECT dimension, group_code, kommunkod FROM report.breakdown_groups").pl(),
        ),
        comparisons=con.sql("SELECT * FROM report.jamforelse WHERE kon = 'T'").pl(),
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
    )


@dataclass
class _Lookups:
    """The figures by key, so that 290 pages need no search through the tables."""

    # (nyckeltal_id, kommunkod) → the municipality's rows, all years and sexes
    own: dict[tuple[str, str], list[dict]]
    # (nyckeltal_id, dimension, group_code, ar, kon) → (varde, disclosure)
    groups: dict[tuple, tuple]
    # (nyckeltal_id, kommunkod, ar) → the row of report.jamforelse (kon T)
    comparisons: dict[tuple, dict]
    grants: dict[str, list[dict]]
    ledger: dict[str, list[LedgerFile]]


def _lookups(data: ProfileData) -> _Lookups:
    own: dict[tuple[str, str], list[dict]] = defaultdict(list)
    groups = {}
    for row in data.key_figures.iter_rows(named=True):
        if row["dimension"] == "kommun":
            own[(row["nyckeltal_id"], row["kommunkod"])].append(row)
        else:
            key = (row["nyckeltal_id"], row["dimension"], row["group_code"], row["ar"], row["kon"])
            groups[key] = (row["varde"], row["disclosure"])
    grants: dict[str, list[dict]] = defaultdict(list)
    for row in data.grants.iter_rows(named=True):
        grants[row["kommunkod"]].append(row)
    ledger: dict[str, list[LedgerFile]] = defaultdict(list)
    for ledger_file in data.ledger:
        ledger[ledger_file.kommunkod].append(ledger_file)
    return _Lookups(
        own=own,
        groups=groups,
        comparisons={
            (row["nyckeltal_id"], row["kommunkod"], row["ar"]): row
            for row in data.comparisons.iter_rows(named=True)
        },
        grants=grants,
        ledger=ledger,
    )


def write_profiles(target: Path, data: ProfileData) -> int:
    """Write every municipality's page and the index into `target`, swapped in whole; returns
    the number of municipality pages written."""
    lookups = _lookups(data)

    def build(folder: Path) -> None:
        for municipality in data.municipalities:
            page = profile_html(municipality, data.definitions, lookups, data)
            (folder / f"{municipality.kommunkod}.html").write_text(page, encoding="utf-8")
        (folder / INDEX_NAME).write_text(index_html(data.municipalities), encoding="utf-8")

    replace_folder(target, build)
    return len(data.municipalities)


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


def profile_html(
    municipality: Municipality, definitions: list[dict], lookups: _Lookups, data: ProfileData
) -> str:
    m = municipality
    has_form_figures = any(
        lookups.own.get((definition["nyckeltal_id"], m.kommunkod))
        for definition in definitions
        if definition["block"] != "register"
    )
    ledger = lookups.ledger.get(m.kommunkod, [])
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
    parts.append(_key_figure_section(m, definitions, lookups))
    parts.append(_grant_section(lookups.grants.get(m.kommunkod, []), lookups, m.kommunkod))
    parts.append(_ledger_section(ledger, data))
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


def _key_figure_section(m: Municipality, definitions: list[dict], lookups: _Lookups) -> str:
    group_codes = {"lan": m.lanskod, "kommungrupp": m.kommungrupp, "riket": "00"}
    rows, charts = [], []
    for definition in definitions:
        if definition["sammanvagning"] == "antal_kommuner":
            continue  # the first year of participation: shown with the grant history
        key = definition["nyckeltal_id"]
        mine = lookups.own.get((key, m.kommunkod), [])
        totals = sorted((row for row in mine if row["kon"] == "T"), key=lambda row: row["ar"])
        if not totals:
            continue
        latest = totals[-1]
        ar, decimals = latest["ar"], definition["decimaler"]
        values = {"kommun": (latest["varde"], latest["disclosure"])}
        for dimension, code in group_codes.items():
            values[dimension] = lookups.groups.get(
                (key, dimension, code, ar, "T"), (None, Disclosure.EMPTY.value)
            )
        rank = change = "–"
        comparison = lookups.comparisons.get((key, m.kommunkod, ar))
        if comparison is not None:
            if comparison["rang_i_kommungrupp"] is not None:
                rank = f"{comparison['rang_i_kommungrupp']} av {comparison['antal_rangordnade']}"
            if comparison["forandring"] is not None:
                change = (
                    f"{_signed(comparison['forandring'], decimals)} sedan "
                    f"{comparison['forsta_inventering_ar']}"
                )
        cells = "".join(
            f"<td>{cell_text(value, disclosure, decimals)}</td>"
            for value, disclosure in values.values()
        )
        by_sex = " / ".join(
            f"{SEX_LABELS[row['kon']]} {cell_text(row['varde'], row['disclosure'], decimals)}"
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
året där blocket som nyckeltalet bygger på är giltigt.</p>
<h2>Jämförelser</h2>
<p>Kommunen bredvid länet, kommungruppen och riket samma år, och överst kommunen det år den
inventerade första gången.</p>
<div id="diagram">
{chr(10).join(charts)}
</div>"""


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


def _grant_section(grants: list[dict], lookups: _Lookups, kommunkod: str) -> str:
    first_year = lookups.own.get(("forsta_deltagarar", kommunkod))
    participation = (
        f"Kommunen deltog första gången {first_year[0]['ar']}."
        if first_year
        else "Kommunen deltog inte i kompetenssatsningen."
    )
    rows = "\n".join(
        f"<tr><td>{g['ar']}</td><td>{swedish_number(g['fordelat_sek'], 0)}</td>"
        f"<td>{swedish_number(g['rekvirerat_sek'], 0)}</td>"
        f"<td>{swedish_number(g['aterbetalt_sek'], 0)}</td></tr>"
        for g in grants
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


def _ledger_section(ledger: list[LedgerFile], data: ProfileData) -> str:
    if not ledger:
        rows = '<tr><td colspan="5">Inga inlämnade filer.</td></tr>'
    else:
        rows = "\n".join(
            f"<tr><td>{f.ar if f.ar is not None else '–'}</td>"
            f"<td>{html.escape(f.path)}</td>"
            f"<td>{_submitted(f)}</td>"
            f"<td>{html.escape(data.ledger_statuses.get(f.status, f.status))}"
            + (
                f" ({html.escape(data.rules.get(f.reason_code, f.reason_code))})"
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
# attribute that loads or links (the SVG namespace is an identifier, never fetched).
_EXTERNAL = re.compile(
    r'(?:src|href|action|srcset)\s*=\s*"(?!data:)(?:[a-z][a-z0-9+.-]*:|//)', re.IGNORECASE
)


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
        if _EXTERNAL.search(page.read_text(encoding="utf-8")):
            problems.append(f"{page.name} hänvisar utanför datorn")
    return problems
