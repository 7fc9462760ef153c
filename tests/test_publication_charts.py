"""The breakdown charts (issue 14, section 5): the national figure is a reference line only where
it shares the bars' scale (a share), and no value label overlaps it. A count's national total is
the sum of its bars: drawn as a line it squeezed every bar into the left fifth of the chart.
"""

from __future__ import annotations

from assets.publication.charts import breakdown_bars, charts, drawn
from assets.publication.figures_shown import BreakdownLine, BreakdownTable, Column

COUNTIES = [
    "Stockholms län",
    "Uppsala län",
    "Södermanlands län",
    "Östergötlands län",
    "Gotlands län",
    "Blekinge län",
    "Skåne län",
    "Västra Götalands län",
]


def one_line_breakdown(column: Column, values: list[float | None], total: float):
    """A breakdown per county of one figure; a None is a suppressed cell."""
    cells = [(v, "shown") if v is not None else (None, "primary") for v in values]
    return BreakdownTable(
        dimension="lan",
        table_id="T11",
        title="",
        groups=[(f"{i:02d}", name) for i, name in enumerate(COUNTIES, start=1)],
        lines=[BreakdownLine(row_label="2016", column=column, cells=cells, total=total)],
    )


def test_a_count_per_county_draws_no_national_total_and_its_bars_fill_the_axis():
    fte = Column("totalt", "Totalt", "fte")
    values = [1172.0, 168.2, 166.1, 256.3, None, 93.8, 698.2, 893.2]
    breakdown = one_line_breakdown(fte, values, total=5390.5)
    with drawn(lambda: breakdown_bars(breakdown, "totalt", "Årsarbetare", "Handläggare")) as figure:
        (axes,) = figure.axes
        assert len(axes.lines) == 0  # no reference line
        assert axes.get_legend() is None
        # The longest bar reaches most of the axis, not a fifth of it.
        assert max(v for v in values if v) / axes.get_xlim()[1] > 0.8
        labels = [text.get_text() for text in axes.texts]
        assert labels == ["1\u00a0172", "168", "166", "256", "..", "94", "698", "893"]


def test_a_share_per_county_draws_the_national_share_and_no_label_overlaps_it():
    share = Column("utan_socionom_andel", "Varav utan socionomexamen. Procent", "percent")
    # Bars ending just short of and just past the national 12 per cent: labels at the bars' ends
    # would be crossed by its line.
    values = [11.95, 14.0, 10.2, 12.05, None, 11.9, 12.0, 0.0]
    breakdown = one_line_breakdown(share, values, total=12.0)
    with drawn(lambda: breakdown_bars(breakdown, share.key, "Procent", "Andel")) as figure:
        (axes,) = figure.axes
        (line,) = axes.lines
        assert list(line.get_xdata()) == [12.0, 12.0]
        assert [t.get_text() for t in axes.get_legend().get_texts()] == ["Riket 12"]
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        line_x = axes.transData.transform((12.0, 0))[0]
        labels = axes.texts
        assert [t.get_text() for t in labels] == ["12", "14", "10", "12", "..", "12", "12", "0"]
        for label in labels:
            box = label.get_window_extent(renderer)
            assert not box.x0 - 1 <= line_x <= box.x1 + 1, label.get_text()


def test_of_the_refreshs_breakdown_charts_only_the_shares_have_a_reference_line(publication):
    every_chart = charts(publication)
    drawn_lines = {}
    for name in every_chart:
        if name.endswith(("_lan", "_kommungrupp")):
            with drawn(every_chart[name].draw) as figure:
                drawn_lines[name] = [list(line.get_xdata()) for line in figure.axes[0].lines]
    t11 = next(t for t in publication.tables if t.table_id == "T11")
    national_share = t11.values[(t11.rows[-1].key, "utan_socionom_andel")]
    assert drawn_lines == {
        "handlaggare_lan": [],
        "handlaggare_kommungrupp": [],
        "arbetsledare_lan": [],
        "arbetsledare_kommungrupp": [],
        "handlaggare_utan_socionom_lan": [[national_share] * 2],
        "handlaggare_utan_socionom_kommungrupp": [[national_share] * 2],
    }
