"""rapport.html: one self-contained page (no network: inline CSS, charts as data: URIs, and a
Content-Security-Policy that forbids fetching anything) with the tables, the breakdowns after
disclosure control, the charts, the reconciliation against the published report and a
data-quality summary.

At the top: a statement when the landing zone is the synthetic one, the build's date and
fingerprint, a statement when no submission is used (the tables are empty), and a contents list
linking every section, table and chart. Every table and chart has its "Källa:" line under it. Last,
the figures revised since the previous publication (assets/publication/revisions.py).
Every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import polars as pl

from assets.disclosure.breakdowns import MIN_MUNICIPALITIES
from assets.publication.charts import Chart, charts
from assets.publication.figures_shown import (
    DIMENSION_LABELS,
    FINAL_REPORT,
    NOTHING_TO_SHOW,
    SYNTHETIC_STATEMENT,
    TOTAL_LABEL,
    BreakdownTable,
    Publication,
    ReportTable,
    cell_text,
    source_line,
    swedish_number,
    swedish_time,
)
from assets.publication.revisions import FIGURE_COLUMNS, Revisions
from schemas.codes_in_words import ledger_status_text, severity_text, with_code
from schemas.contract import RECONCILIATION_STATUSES, REVISION_CAUSES
from schemas.rules import RULES

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = (
    "body{font-family:sans-serif;max-width:90em;margin:2em auto;padding:0 1em;color:#111}"
    "table{border-collapse:collapse;margin:.5em 0 .3em}"
    "th,td{border:1px solid #999;padding:.25em .5em;vertical-align:top}"
    "td.num{text-align:right;white-space:nowrap}th{background:#eee;text-align:left}"
    ".wide{overflow-x:auto}caption{text-align:left;font-weight:bold;padding:.3em 0}"
    "p.note{font-style:italic;max-width:60em;margin:.3em 0}"
    "p.kalla{font-size:90%;margin:.3em 0 1.8em}"
    "tbody th.del{background:#f6f6f6;padding-top:.6em}tr.riket th,tr.riket td{font-weight:bold}"
    ".syntetisk{border:3px solid #111;padding:.5em 1em;max-width:60em;font-size:110%}"
    "nav ol ol{font-size:95%}code{word-break:break-all}"
    "figure{margin:1em 0 2em}img{max-width:100%}figcaption p{margin:.3em 0}"
)
_DISCLOSURE_EXPLAINED = (
    f"<p>Röjandekontroll: en cell som bygger på färre än {MIN_MUNICIPALITIES} kommuner visas som "
    "<b>..</b>; är bara en cell i en rad undertryckt, undertrycks även den cell i raden som "
    "bygger på minst antal kommuner, så att värdet inte kan räknas fram ur riket. <b>–</b>: ingen "
    "kommun. Riket är rapportens värde och visas alltid.</p>"
)
_RECONCILIATION_SOURCE = (
    f"Källa: {FINAL_REPORT}, tabell 1–14 och siffror i rapportens text, jämförda med omräkningen."
)


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def _number(value: float | None, decimals: int) -> str:
    return _h(swedish_number(value, decimals))


def report_html(publication: Publication, chart_files: dict[str, list[Path]]) -> str:
    """The page, with the charts drawn into `chart_files` (chart name → its files, PNG first)."""
    every_chart = charts(publication)
    # (id, heading, [(id, text) of what the contents list links within it], body)
    sections = [
        (
            "tabeller",
            "Tabeller",
            [(table.table_id, table.title) for table in publication.tables],
            [_report_table(table) for table in publication.tables],
        ),
        (
            "fordelningar",
            "Fördelningar per län och kommungrupp",
            [(_breakdown_id(b), b.title) for b in publication.breakdowns],
            [
                _DISCLOSURE_EXPLAINED,
                *(_breakdown_table(breakdown) for breakdown in publication.breakdowns),
            ],
        ),
        (
            "diagram",
            "Diagram",
            [(_chart_id(name), every_chart[name].caption) for name in chart_files],
            [_figure(name, every_chart[name], files) for name, files in chart_files.items()],
        ),
        (
            "avstamning",
            "Avstämning mot den publicerade rapporten",
            [],
            [_reconciliation(publication)],
        ),
        ("kvalitet", "Datakvalitet", [], [_quality(publication)]),
        (
            "revideringar",
            "Revideringar sedan förra publiceringen",
            [],
            [_revisions(publication.revisions)],
        ),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        "<title>Kompetensinventeringarna 2013–2016: tabeller och diagram</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Kompetensinventeringarna 2013–2016</h1>",
        (
            '<p class="syntetisk" id="syntetiska-data">'
            f"<strong>{_h(SYNTHETIC_STATEMENT)}</strong></p>"
            if publication.synthetic
            else ""
        ),
        (
            "<p>Slutrapportens tabell 1–14 omräknade från kommunernas inlämningar, med "
            "fördelningar per län och kommungrupp, diagram, avstämning mot den publicerade "
            "rapporten och en sammanfattning av datakvaliteten.</p>"
        ),
        _build(publication),
        f"<p><b>{_h(NOTHING_TO_SHOW)}</b></p>" if publication.nothing_to_show else "",
        _contents(sections),
        *(
            f'<h2 id="{section_id}">{_h(heading)}</h2>' + "".join(body)
            for section_id, heading, _, body in sections
        ),
        "</body></html>",
    ]
    return "\n".join(parts)


def _build(publication: Publication) -> str:
    build = publication.build
    return (
        f'<p id="bygget">Byggd {_h(build.date)} (svensk tid) i körning '
        f"<code>{_h(build.run_id)}</code>. Byggets fingeravtryck, en SHA-256 av "
        "landningszonens filer, referensdata och programkoden: "
        f"<code>{_h(build.fingerprint)}</code>.</p>"
    )


def _contents(sections) -> str:
    items = []
    for section_id, heading, entries, _ in sections:
        links = "".join(f'<li><a href="#{_h(i)}">{_h(text)}</a></li>' for i, text in entries)
        items.append(
            f'<li><a href="#{section_id}">{_h(heading)}</a>'
            + (f"<ol>{links}</ol>" if links else "")
            + "</li>"
        )
    return f'<nav id="innehall"><h2>Innehåll</h2><ol>{"".join(items)}</ol></nav>'


def _source(text: str) -> str:
    return f'<p class="kalla">{_h(text)}</p>'


def _report_table(table: ReportTable) -> str:
    caption = _h(table.title)
    if table.n_kommuner is not None:
        caption += f" (N = {_number(table.n_kommuner, 0)})"
    head = "".join(f"<th>{_h(c.label)}</th>" for c in table.columns)
    body = "".join(
        f"<tr><th>{_h(row.label)}</th>"
        + "".join(
            f'<td class="num">{_number(table.values.get((row.key, c.key)), c.decimals)}</td>'
            for c in table.columns
        )
        + "</tr>"
        for row in table.rows
    )
    note = f'<p class="note">{_h(table.note)}</p>' if table.note else ""
    return (
        f'<div class="wide"><table id="{_h(table.table_id)}"><caption>{caption}</caption>'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}"
        + _source(table.source)
    )


def _breakdown_id(breakdown: BreakdownTable) -> str:
    return f"fordelning-{breakdown.dimension}-{breakdown.table_id}"


def _breakdown_table(breakdown: BreakdownTable) -> str:
    """The groups as rows, Riket last, and the report table's columns as columns; a report table
    of several rows (the areas of Table 3, the years of Table 11) is one block of rows each."""
    columns = breakdown.columns
    group_heading = DIMENSION_LABELS[breakdown.dimension]
    head = f'<th scope="col">{_h(group_heading[0].upper() + group_heading[1:])}</th>' + "".join(
        f'<th scope="col">{_h(column.label)}</th>' for column in columns
    )
    parts = breakdown.parts
    blocks = []
    for row_label, lines in parts:
        rows = []
        if len(parts) > 1:
            rows.append(
                f'<tr><th colspan="{len(columns) + 1}" scope="colgroup" class="del">'
                f"{_h(row_label)}</th></tr>"
            )
        for position, (_, group_name) in enumerate(breakdown.groups):
            cells = "".join(
                f'<td class="num">{_h(cell_text(*lines[c.key].cells[position], c.decimals))}</td>'
                if c.key in lines
                else "<td></td>"
                for c in columns
            )
            rows.append(f'<tr><th scope="row">{_h(group_name)}</th>{cells}</tr>')
        totals = "".join(
            f'<td class="num">{_number(lines[c.key].total, c.decimals)}</td>'
            if c.key in lines
            else "<td></td>"
            for c in columns
        )
        rows.append(f'<tr class="riket"><th scope="row">{TOTAL_LABEL}</th>{totals}</tr>')
        blocks.append(f"<tbody>{''.join(rows)}</tbody>")
    return (
        f'<div class="wide"><table class="breakdown" id="{_breakdown_id(breakdown)}">'
        f"<caption>{_h(breakdown.title)}</caption><thead><tr>{head}</tr></thead>"
        f"{''.join(blocks)}</table></div>" + _source(breakdown.source)
    )


def _chart_id(name: str) -> str:
    return f"diagram-{name}"


def _figure(name: str, chart: Chart, files: list[Path]) -> str:
    png = next(path for path in files if path.suffix == ".png")
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    caption = _h(chart.caption)
    return (
        f'<figure id="{_chart_id(name)}"><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption><p>{caption} (även som {_h(name)}.svg)</p>"
        f'<p class="kalla">{_h(chart.source)}</p></figcaption></figure>'
    )


def _reconciliation(publication: Publication) -> str:
    counts = "".join(
        f"<tr><th>{_h(RECONCILIATION_STATUSES.get(status, status))}</th>"
        f'<td class="num">{count}</td></tr>'
        for status, count in publication.reconciliation_counts
    )
    deviations = "".join(
        f"<tr><td>{_h(f'Tabell {int(table_id[1:])}' if table_id else 'Rapportens text')}</td>"
        f"<td>{_h(row_label)}</td><td>{_h(col_label or '')}</td>"
        # Both as the report prints the published figure: its number of decimals.
        f'<td class="num">{_number(published, decimals)}</td>'
        f'<td class="num">{_number(recomputed, decimals)}</td>'
        # The status's word alone: the table above gives each status with its explanation.
        f"<td>{_h(RECONCILIATION_STATUSES.get(status, status).partition(' (')[0])}</td>"
        f"<td>{_h(note or '')}</td></tr>"
        for table_id, row_label, col_label, published, recomputed, decimals, status, note in (
            publication.reconciliation_deviations
        )
    )
    return (
        '<table id="avstamning-summa"><caption>Publicerade celler per status</caption>'
        f"<tbody>{counts}</tbody></table>"
        + _source(_RECONCILIATION_SOURCE)
        + '<div class="wide"><table id="avstamning-avvikelser"><caption>Celler som inte stämmer '
        "exakt, och varför</caption><thead><tr><th>Tabell</th><th>Rad</th><th>Kolumn</th>"
        "<th>Publicerat</th><th>Omräknat</th><th>Status</th><th>Förklaring</th></tr></thead>"
        f"<tbody>{deviations}</tbody></table></div>" + _source(_RECONCILIATION_SOURCE)
    )


def _quality(publication: Publication) -> str:
    # Statuses, severities and rules in words, each with its code beside them, as the control
    # reports tell them (schemas/codes_in_words.py).
    files = "".join(
        f"<tr><td>{_h(ledger_status_text(status))}</td>"
        f"<td>{_h(with_code(RULES[reason].name, reason) if reason else '')}</td>"
        f'<td class="num">{count}</td></tr>'
        for status, reason, count in publication.ledger_counts
    )
    issues = "".join(
        f"<tr><td>{_h(with_code(RULES[rule].name, rule))}</td>"
        f'<td>{_h(severity_text(severity))}</td><td class="num">{count}</td>'
        f"<td>{_h(RULES[rule].description)}</td></tr>"
        for rule, severity, count in publication.issue_counts
    )
    return (
        '<table id="filer"><caption>Filer per status (quality.file_ledger)</caption>'
        "<thead><tr><th>Status</th><th>Orsak</th><th>Filer</th></tr></thead>"
        f"<tbody>{files}</tbody></table>"
        + _source("Källa: Filregistret över landningszonens filer (quality.file_ledger).")
        + '<div class="wide"><table id="problem"><caption>Problem per regel (quality.issues)'
        "</caption><thead><tr><th>Regel</th><th>Allvarlighet</th><th>Antal</th>"
        f"<th>Beskrivning</th></tr></thead><tbody>{issues}</tbody></table></div>"
        + _source("Källa: Valideringen av kommunernas inlämningar (quality.issues).")
        # Both folders lie beside exports/ (next to the warehouse file), built by the same refresh.
        + "<p>Valideringsrapporter för lagrets tabeller (Great Expectations): "
        '<a href="../data_docs/index.html">data_docs/index.html</a>. '
        "Kontrollrapporter per inskickad fil: "
        '<a href="../kontrollrapporter/index.html">kontrollrapporter/index.html</a>.</p>'
    )


def _revisions(revisions: Revisions) -> str:
    """The national figures revised since the previous publication (cells of Tables 1–14, text
    figures, the nation's key figures), each with its value before and after and what changed
    behind it; the municipalities' and groups' key figures are counted here and listed in
    revisioner.csv and on the profile pages."""
    if revisions.forra_publicering_id is None:
        return "<p>Detta är den första publiceringen: det finns inget att jämföra med.</p>"
    since = (
        f" {swedish_time(revisions.forra_publicerad)} (svensk tid)"
        if revisions.forra_publicerad
        else ""
    )
    intro = (
        f"<p>Jämfört med publiceringen <code>{_h(revisions.forra_publicering_id)}</code>{since}. "
        "Värdena före och efter visas med röjandekontrollen som respektive publicering "
        "tillämpade.</p>"
    )
    source = _source(
        source_line(
            f"publiceringarna {revisions.forra_publicering_id} och {revisions.publicering_id} "
            "jämförda (report.revisioner)"
        )
    )
    figures = revisions.figures()
    if figures.is_empty():
        return intro + "<p>Inga uppgifter har reviderats.</p>" + source
    national = figures.filter(pl.col("dimension") == "riket")
    causes = _causes_per_figure(revisions.rows)
    rows = "".join(
        f"<tr><td>{_h(_where(figure))}</td><td>{_h(figure['label'])}</td>"
        f'<td class="num">{_h(_side(figure, "before"))}</td>'
        f'<td class="num">{_h(_side(figure, "after"))}</td>'
        f"<td>{causes[_figure_key(figure)]}</td></tr>"
        for figure in national.iter_rows(named=True)
    )
    others = figures.height - national.height
    also = (
        f"<p>Dessutom har {others} nyckeltal för kommuner, län och kommungrupper reviderats: se "
        "revisioner.csv bland exportfilerna och kommunprofilerna.</p>"
        if others
        else ""
    )
    return (
        intro
        + '<div class="wide"><table id="revideringar-tabell"><caption>Reviderade uppgifter för '
        "riket</caption><thead><tr><th>Var</th><th>Uppgift</th><th>Före</th><th>Efter</th>"
        f"<th>Vad som ändrats</th></tr></thead><tbody>{rows}</tbody></table></div>" + also + source
    )


def _figure_key(figure: dict) -> tuple:
    return tuple(figure[column] for column in FIGURE_COLUMNS)


def _where(figure: dict) -> str:
    if figure["kalla"] == "tables_long":
        return f"Tabell {int(figure['table_id'][1:])}"
    if figure["kalla"] == "text_figures":
        return "Rapportens text"
    kon = {"K": ", kvinnor", "M": ", män"}.get(figure["kon"], "")
    return f"Nyckeltal, riket {figure['ar']}{kon}"


def _side(figure: dict, side: str) -> str:
    return cell_text(figure[f"value_{side}"], figure[f"disclosure_{side}"], figure["decimals"] or 0)


def _causes_per_figure(rows: pl.DataFrame) -> dict[tuple, str]:
    """Each figure's changes as HTML: the kind in words, with the file's path where there is one."""
    causes: dict[tuple, list[str]] = {}
    for row in rows.iter_rows(named=True):
        texts = causes.setdefault(_figure_key(row), [])
        if row["cause"] is None:
            continue
        text = _h(REVISION_CAUSES[row["cause"]])
        if row["path"] is not None:
            text += f" <code>{_h(row['path'])}</code>"
        if row["superseded_path"] is not None:
            text += f" (ersätter <code>{_h(row['superseded_path'])}</code>)"
        texts.append(text)
    return {key: "<br>".join(texts) or "–" for key, texts in causes.items()}
