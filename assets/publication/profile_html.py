"""A profile page and the index as HTML: Swedish, self-contained (styles, charts as inline SVG,
the index's search inline), so a page opens from a file share or a USB stick with no request.

Pure: a `Page` in, a string out.
"""

from __future__ import annotations

import html
import re
from datetime import time

from assets.disclosure import SYMBOLS, Disclosure
from assets.feedback.control_reports import LedgerFile, report_location
from assets.publication.figures_shown import cell_text, swedish_number
from assets.publication.profile_data import (
    Municipality,
    Page,
)

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
