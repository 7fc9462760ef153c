"""The charts, as PNG and SVG, readable in black and white (hatches and grey tones, no colour
coding) and byte-for-byte reproducible (fixed SVG hash salt, no dates in the metadata).

Breakdowns are drawn after disclosure control; each chart comes with its caption and "Källa:"
line (`Chart`); a refresh draws only the charts whose inputs changed.

The charts one by one, and the rules of what is drawn: docs/ARCHITECTURE.md,
«assets/publication/charts.py».
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assets.disclosure import SYMBOLS, Disclosure
from assets.disclosure.breakdowns import MIN_MUNICIPALITIES
from assets.output_sets import Item, code_and_reference_version, digest, fill_folder
from assets.parallel import helper_process
from assets.publication.figures_shown import (
    DIMENSION_LABELS,
    BreakdownTable,
    Publication,
    ReportTable,
    source_line,
    swedish_number,
)
from schemas.contract import PERCENT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
LEVELS = (
    # (column key stem, legend label, fill, hatch)
    ("grundlaggande", "Grundläggande", "0.85", ""),
    ("fordjupad", "Fördjupad", "0.45", "..."),
    ("saknar", "Saknar kompetens", "white", "///"),
)
# What is drawn per county and per municipality group: one measure of each breakdown table, in
# the final year (the table's last line with that column).
# (chart name stem, table, column, axis label, caption before ", per <group>")
BREAKDOWN_FIGURES = (
    (
        "handlaggare",
        "T01",
        "totalt",
        "Årsarbetare",
        "Handläggare (årsarbetare) vid slutinventeringen",
    ),
    (
        "arbetsledare",
        "T09",
        "totalt",
        "Årsarbetare",
        "Arbetsledare (årsarbetare) vid slutinventeringen",
    ),
    (
        "handlaggare_utan_socionom",
        "T11",
        "utan_socionom_andel",
        "Procent",
        "Andel handläggare utan socionomexamen vid slutinventeringen",
    ),
)
_STYLE = {
    "svg.hashsalt": "kompetens",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "hatch.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
NOTHING_IN_CHART = "Inget att visa: inga kommuner räknas i de här siffrorna."
SYMBOLS_EXPLAINED = f"(.. = färre än {MIN_MUNICIPALITIES} kommuner, – = inga kommuner)"


@dataclass(frozen=True)
class Chart:
    caption: str  # what the chart shows, printed under it in rapport.html
    source: str  # its "Källa:" line
    draw: Callable[[], Figure]
    # Everything `draw` draws from (the tables, the title): equal inputs draw equal files.
    inputs: tuple


def manifest_path(folder: Path) -> Path:
    """The manifest of the charts in `folder` lies beside it: the folder holds the charts only."""
    return folder.with_name(f".{folder.name}.manifest.json")


def draw_charts(
    folder: Path, publication: Publication, previous: Path | None = None
) -> dict[str, list[Path]]:
    """Draw the charts into the new `folder`, half of them in the helper process at the same
    time (assets/parallel/helper_process.py); returns chart name → its files (PNG first), in chart order.

    A chart whose inputs are those of a chart in `previous` (the published charts folder) is
    not drawn again but linked from there, when that set of charts and its manifest agree
    (assets/output_sets.py)."""
    every_chart = charts(publication)
    items = {
        name: Item(
            # With its name: the name decides which function draws the inputs.
            digest(name, chart.inputs),
            tuple(f"{name}.{suffix}" for suffix in FORMATS),
        )
        for name, chart in every_chart.items()
    }
    fill_folder(
        folder,
        manifest_path(folder),
        code_and_reference_version(),
        items,
        lambda new_folder, names: _draw_in_two_processes(new_folder, publication, names),
        previous,
        manifest_path(previous) if previous is not None else None,
    )
    return {name: [folder / file for file in item.files] for name, item in items.items()}


def _draw_in_two_processes(folder: Path, publication: Publication, names: list[str]) -> None:
    if len(names) == 1:
        write_charts(folder, publication, names)
        return
    # Resolved: the helper keeps the working directory it was started in.
    helper_folder = folder.resolve()
    with helper_process.submit(
        write_charts, helper_folder, publication, names[1::2]
    ) as helper_half:
        write_charts(folder, publication, names[::2])
        helper_half.result()


def write_charts(
    folder: Path, publication: Publication, names: list[str] | None = None
) -> dict[str, list[Path]]:
    """Draw the charts `names` (every chart by default) into `folder`; returns chart name → its
    files (PNG first)."""
    folder.mkdir(parents=True, exist_ok=True)
    every_chart = charts(publication)
    written = {}
    for name in every_chart if names is None else names:
        with drawn(every_chart[name].draw) as figure:
            written[name] = []
            for suffix in FORMATS:
                path = folder / f"{name}.{suffix}"
                figure.savefig(path, format=suffix, dpi=110, metadata=_METADATA[suffix])
                written[name].append(path)
    return written


def _pyplot():
    """matplotlib's pyplot, imported at the first chart drawn: a refresh in which no chart changed
    draws none and does not pay the second or so its import takes."""
    import matplotlib

    matplotlib.use("Agg")  # no display: charts are files
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def drawn(draw: Callable[[], Figure]) -> Iterator[Figure]:
    """The figure `draw` makes, in the charts' style and margins, as it is saved; closed after."""
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure = draw()
        try:
            # Fixed margins rather than constrained layout: the long Swedish labels fit in the
            # left margin, and a refresh does not spend seconds measuring text.
            height = figure.get_figheight()
            figure.subplots_adjust(left=0.36, right=0.95, top=1 - 1.0 / height, bottom=0.6 / height)
            yield figure
        finally:
            plt.close(figure)


def charts(publication: Publication) -> dict[str, Chart]:
    """Every chart by name, in the order rapport.html shows them."""
    tables = {table.table_id: table for table in publication.tables}
    share_tables = [tables[f"T{n}"] for n in range(11, 15)]
    return {
        "andelar_2013_2016": Chart(
            "Andelarna i tabell 11–14, första inventeringsåret och slutinventeringen",
            source_line("tabell 11–14"),
            lambda: _share_change(share_tables),
            (share_tables,),
        ),
        "kompetens_omrade": _levels_chart(
            [tables["T03"]], "Kompetensnivå per kompetensområde (tabell 3)", "tabell 3"
        ),
        "kompetens_delomrade": _levels_chart(
            [tables[f"T0{n}"] for n in range(4, 9)],
            "Kompetensnivå per delområde (tabell 4–8)",
            "tabell 4–8",
        ),
        **{
            f"{stem}_{breakdown.dimension}": _breakdown_chart(breakdown, col_key, axis, caption)
            for stem, table_id, col_key, axis, caption in BREAKDOWN_FIGURES
            for breakdown in publication.breakdowns
            if breakdown.table_id == table_id
        },
    }


def _levels_chart(tables: list[ReportTable], title: str, source_tables: str) -> Chart:
    return Chart(
        title, source_line(source_tables), lambda: _stacked_levels(tables, title), (tables, title)
    )


def _breakdown_chart(breakdown: BreakdownTable, col_key: str, axis: str, caption: str) -> Chart:
    title = f"{caption}, per {DIMENSION_LABELS[breakdown.dimension]}"
    return Chart(
        title,
        breakdown.source,
        lambda: breakdown_bars(breakdown, col_key, axis, title),
        (breakdown, col_key, axis, title),
    )


def _share_label(label: str) -> str:
    return label.removesuffix(". Procent").removeprefix("Varav ")


def _share_change(tables: list[ReportTable]):
    plt = _pyplot()
    labels, first, last = [], [], []
    years = None
    for table in tables:
        first_row, last_row = table.rows[0], table.rows[-1]
        years = (first_row.label, last_row.label)
        for column in table.columns:
            if column.unit != "percent":
                continue
            labels.append(f"T. {table.number}: {_share_label(column.label)}")
            first.append(table.values.get((first_row.key, column.key)))
            last.append(table.values.get((last_row.key, column.key)))
    title = f"Andelar {years[0]} och {years[1]} (tabell 11–14)"
    if all(value is None for value in first + last):
        return _nothing_to_show(title)
    figure, axes = plt.subplots(figsize=(9, 0.55 * len(labels) + 1.5))
    positions = range(len(labels))
    height = 0.38
    for offset, values, year, fill, hatch in (
        (-height / 2, first, years[0], "white", "///"),
        (height / 2, last, years[1], "0.35", ""),
    ):
        bars = axes.barh(
            [p + offset for p in positions],
            [v or 0 for v in values],
            height=height,
            color=fill,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=year,
        )
        axes.bar_label(bars, labels=[swedish_number(v, 0) for v in values], padding=2, fontsize=8)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlabel("Procent")
    axes.set_title(title, pad=20)
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
    return figure


def _stacked_levels(tables: list[ReportTable], title: str):
    plt = _pyplot()
    labels, shares = [], {stem: [] for stem, *_ in LEVELS}
    for table in tables:
        for row in table.rows:
            if (row.key, f"{LEVELS[0][0]}_andel") not in table.values:
                continue
            labels.append(row.label if len(tables) == 1 else f"{row.label} (t. {table.number})")
            for stem, values in shares.items():
                values.append(table.values.get((row.key, f"{stem}_andel")))
    if all(value is None for values in shares.values() for value in values):
        return _nothing_to_show(title)
    shares = {stem: [value or 0 for value in values] for stem, values in shares.items()}
    figure, axes = plt.subplots(figsize=(9, 0.32 * len(labels) + 1.6))
    left = [0.0] * len(labels)
    for stem, legend, fill, hatch in LEVELS:
        bars = axes.barh(
            labels,
            shares[stem],
            left=left,
            color=fill,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.5,
            label=legend,
        )
        axes.bar_label(
            bars,
            labels=[swedish_number(v, 0) if v >= 6 else "" for v in shares[stem]],
            label_type="center",
            fontsize=7,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )
        left = [a + b for a, b in zip(left, shares[stem])]
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Procent av årsarbetarna")
    axes.set_title(title, pad=24)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    return figure


def breakdown_bars(breakdown: BreakdownTable, col_key: str, axis_label: str, title: str):
    """One figure of a breakdown in the final year, a bar per group; a share with the national
    share as a reference line."""
    # The final year is the table's last row. A breakdown of no municipality has no lines, or,
    # where the population row exists with nobody counted (contract section 5), only empty cells.
    line = next((line for line in reversed(breakdown.lines) if line.column.key == col_key), None)
    if line is None or all(disclosure == Disclosure.EMPTY for _, disclosure in line.cells):
        return _nothing_to_show(title)
    plt = _pyplot()
    names = [name for _, name in breakdown.groups]
    values = [value if disclosure == Disclosure.SHOWN else None for value, disclosure in line.cells]
    labels = [
        swedish_number(v, 0) if d == Disclosure.SHOWN else SYMBOLS[Disclosure(d)]
        for v, d in line.cells
    ]
    figure, axes = plt.subplots(figsize=(9, 0.3 * len(names) + 1.6))
    bars = axes.barh(names, [v or 0 for v in values], color="0.7", edgecolor="black", linewidth=0.5)
    if line.column.unit == PERCENT and line.total is not None:
        axes.axvline(
            line.total,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"Riket {swedish_number(line.total, 0)}",
        )
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
        # The values in a column right of the bars: at the bars' ends, those close to the
        # national share would be crossed by its line.
        for position, label in enumerate(labels):
            axes.annotate(
                label,
                xy=(1, position),
                xycoords=axes.get_yaxis_transform(),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=8,
            )
    else:
        axes.bar_label(bars, labels=labels, padding=2, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(axis_label)
    # Wrapped: centred over the bars, a long title would run off the figure's right edge.
    axes.set_title(f"{textwrap.fill(title, 60)}\n{SYMBOLS_EXPLAINED}", pad=22)
    return figure


def _nothing_to_show(title: str):
    plt = _pyplot()
    # Figure text, not axes: the text is centred whatever margins write_charts gives the axes.
    figure = plt.figure(figsize=(9, 2))
    figure.text(0.5, 0.68, textwrap.fill(title, 90), ha="center", va="center", fontsize=10)
    figure.text(0.5, 0.3, NOTHING_IN_CHART, ha="center", va="center")
    return figure
