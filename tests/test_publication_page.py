"""rapport.html and tabeller.xlsx as a reader meets them (issue 14, section 5): a contents list,
the build's date and fingerprint, a "Källa:" line under every table and chart, a statement when
the landing zone is the synthetic one (and none when it is not), the reconciliation's published
and recomputed figures printed alike, the breakdowns with the groups as rows, and the workbook's
source lines and document properties.

The small landing zone's refresh gives the non-synthetic outputs; the exports asset run once more
on a copy of its warehouse, with the shipped raw/ as its landing zone, gives the synthetic ones.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets.ingest.landing_zone import SYNTHETIC_MARKER, is_synthetic_landing_zone
from assets.publication.assets import publication_exports
from assets.publication.workbook import FIRST_BODY_ROW, NOTICE_ROW
from pipelines.resources import DEFAULT_RAW_DIR, EXPORTS_FOLDER, LandingZone, Warehouse
from schemas.catalog import reference_dir

SOURCE_OF_TABLE_1 = (
    "Källa: Omräkning från kommunernas inlämningar 2013–2016 (kompetensinventeringen), "
    "Socialstyrelsens slutrapport 2017 (art.nr 2017-6-11), tabell 1."
)
SYNTHETIC_WORDS = "Uppgifterna är syntetiska."
# A figure as the report prints it: no-break spaces between thousands, a decimal comma.
SWEDISH_FIGURE = re.compile(r"-?\d{1,3}(\u00a0\d{3})*(,(\d+))?")


# ---------------------------------------------------------------- a small DOM of the page

VOID_ELEMENTS = {"meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        while self.stack[-1].tag != tag:
            self.stack.pop()
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> Element:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root


def by_id(dom: Element, element_id: str) -> Element:
    (element,) = [e for e in dom.iter() if e.attrs.get("id") == element_id]
    return element


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small_exports(small_warehouse) -> Path:
    """The small landing zone's refresh: a zone with no generator's marker."""
    return small_warehouse.parent / "exports"


@pytest.fixture(scope="module")
def shipped_zone_exports(small_warehouse, tmp_path_factory) -> Path:
    """The exports asset on a copy of the small zone's warehouse, its landing zone the shipped
    raw/: what it says about the landing zone comes from the landing zone it is given."""
    folder = tmp_path_factory.mktemp("shipped_zone") / "warehouse"
    folder.mkdir()
    shutil.copyfile(small_warehouse, folder / small_warehouse.name)
    # Entered, so that Definitions built in the call read this instance's state storage.
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [publication_exports],
            resources={
                "landing_zone": LandingZone(raw_dir=str(DEFAULT_RAW_DIR)),
                "warehouse": Warehouse(database=str(folder / small_warehouse.name)),
            },
            instance=instance,
        )
    assert result.success
    # Unpublished (the run has no publish step): the exports as the run's staging folder holds them.
    warehouse = Warehouse(database=str(folder / small_warehouse.name))
    return warehouse.staging_folder(result.run_id) / EXPORTS_FOLDER


@pytest.fixture(scope="module")
def page(small_exports) -> Element:
    return parse((small_exports / "rapport.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build(small_warehouse) -> tuple:
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        (row,) = con.execute(
            "SELECT fingerprint, run_id, started_at FROM quality.build_inputs"
        ).fetchall()
        return row
    finally:
        con.close()


# ---------------------------------------------------------------- rapport.html


def test_the_contents_list_links_every_section_table_breakdown_and_chart(page):
    (nav,) = [e for e in page.iter("nav") if e.attrs.get("id") == "innehall"]
    links = [a.attrs["href"] for a in nav.iter("a")]
    assert all(link.startswith("#") for link in links)
    targets = {link[1:] for link in links}
    ids = {e.attrs["id"] for e in page.iter() if e.attrs.get("id")}
    # Every link leads somewhere on the page, and once.
    assert targets <= ids and len(targets) == len(links)
    sections = {h2.attrs["id"] for h2 in page.iter("h2") if h2.attrs.get("id")}
    assert sections >= {"tabeller", "fordelningar", "diagram", "avstamning", "kvalitet"}
    report_tables = {f"T{n:02d}" for n in range(1, 15)}
    breakdowns = {t.attrs["id"] for t in page.iter("table") if "breakdown" in t.classes()}
    figures = {f.attrs["id"] for f in page.iter("figure")}
    assert len(breakdowns) == 8 and len(figures) == 9
    assert report_tables | breakdowns | figures | sections <= targets
    # A link reads as what it leads to: a table's link is its title.
    t01 = next(a for a in nav.iter("a") if a.attrs["href"] == "#T01")
    assert t01.text().startswith("Tabell 1. Antal handläggare")


def test_the_page_gives_the_build_date_in_swedish_time_and_the_fingerprint(page, build):
    fingerprint, run_id, started_at = build
    text = by_id(page, "bygget").text()
    swedish = started_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Stockholm"))
    assert f"Byggd {swedish:%Y-%m-%d} kl. {swedish:%H.%M} (svensk tid)" in text
    assert fingerprint in text and run_id in text
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)


def test_every_table_and_chart_has_a_source_line_under_it(page):
    # In document order: after a table or a chart, the next of them is its "Källa:" line.
    events = [
        ("kalla", e.text()) if e.tag == "p" else (e.tag, e.attrs.get("id") or "")
        for e in page.iter()
        if e.tag in ("table", "img") or (e.tag == "p" and "kalla" in e.classes())
    ]
    tables_and_charts = [i for i, (kind, _) in enumerate(events) if kind != "kalla"]
    assert len(tables_and_charts) == 14 + 8 + 9 + 2 + 2  # tables, breakdowns, charts, 2 + 2
    for i in tables_and_charts:
        assert i + 1 < len(events) and events[i + 1][0] == "kalla", events[i]
        assert re.fullmatch(r"Källa: .+\.", events[i + 1][1]), events[i + 1]
    sources = {events[i][1]: events[i + 1][1] for i in tables_and_charts if events[i][0] == "table"}
    assert sources["T01"] == SOURCE_OF_TABLE_1
    assert sources["T14"] == SOURCE_OF_TABLE_1.removesuffix("1.") + "14."
    assert sources["fordelning-lan-T01"] == (
        SOURCE_OF_TABLE_1.removesuffix(".") + ", fördelad per län enligt SCB:s länsindelning."
    )
    assert sources["fordelning-kommungrupp-T11"].endswith(
        "tabell 11, fördelad per kommungrupp enligt SKR:s kommungruppsindelning 2017."
    )
    chart_sources = [events[i + 1][1] for i in tables_and_charts if events[i][0] == "img"]
    assert chart_sources[0].endswith("tabell 11–14.")  # the shares 2013 and 2016


def test_the_synthetic_statement_is_shown_for_the_shipped_zone_only(
    small_exports, shipped_zone_exports
):
    shipped = parse((shipped_zone_exports / "rapport.html").read_text(encoding="utf-8"))
    statement = by_id(shipped, "syntetiska-data").text()
    assert statement.startswith(SYNTHETIC_WORDS) and "tools/generate_raw" in statement
    # Above the contents list, where a reader starts.
    order = [e.attrs.get("id") for e in shipped.iter() if e.attrs.get("id")]
    assert order.index("syntetiska-data") < order.index("innehall")
    assert SYNTHETIC_WORDS not in (small_exports / "rapport.html").read_text(encoding="utf-8")


def test_the_landing_zone_is_synthetic_by_the_generators_marker_not_by_its_path(tmp_path):
    assert is_synthetic_landing_zone(DEFAULT_RAW_DIR)
    copy = tmp_path / "kopia"
    copy.mkdir()
    shutil.copyfile(DEFAULT_RAW_DIR / "README.md", copy / "README.md")
    assert is_synthetic_landing_zone(copy)
    # A README of a real landing zone, even one that talks about synthetic data, is not the marker.
    (copy / "README.md").write_text(
        f"# Inlämningar\n\nInga syntetiska data här; markören ser ut så här: {SYNTHETIC_MARKER}\n",
        encoding="utf-8",
    )
    assert not is_synthetic_landing_zone(copy)
    (copy / "README.md").unlink()
    assert not is_synthetic_landing_zone(copy)


def test_published_and_recomputed_are_printed_alike_in_the_reconciliation(page):
    table = by_id(page, "avstamning-avvikelser")
    headings = [th.text() for th in table.iter("th")]
    published, recomputed = headings.index("Publicerat"), headings.index("Omräknat")
    rows = [[td.text() for td in tr.iter("td")] for tr in next(table.iter("tbody")).iter("tr")]
    assert rows
    for row in rows:
        pair = (row[published], row[recomputed])
        # A recomputed cell with no value (no municipality counted) is "–".
        matches = [SWEDISH_FIGURE.fullmatch(pair[0])]
        matches += [SWEDISH_FIGURE.fullmatch(pair[1])] if pair[1] != "–" else []
        assert all(matches), pair
        # The same number of decimals: the report's, for both.
        assert len({len(m.group(3) or "") for m in matches}) == 1, pair
    assert any(r[recomputed] != "–" for r in rows)
    # The Stockholm text figure: 3 307 887 published, 3 306 887 from the register.
    text_figure = next(r for r in rows if r[0] == "Rapportens text" and "Stockholms stad" in r[1])
    assert (text_figure[published], text_figure[recomputed]) == (
        "3\u00a0307\u00a0887",
        "3\u00a0306\u00a0887",
    )


def test_the_breakdown_tables_have_the_groups_as_rows_and_riket_last(page):
    with (reference_dir() / "municipalities.csv").open(encoding="utf-8") as handle:
        counties = sorted({row["lan"] for row in csv.DictReader(handle)})
    with (reference_dir() / "kommungrupp.csv").open(encoding="utf-8") as handle:
        groups = sorted({row["group_name"] for row in csv.DictReader(handle)})
    for names, heading, per in (
        (counties, "Län", "län"),
        (groups, "Kommungrupp (SKR 2017)", "kommungrupp (SKR 2017)"),
    ):
        for table_id in ("T01", "T03", "T09", "T11"):
            # Found by its caption, as a reader finds it.
            (table,) = [
                t
                for t in page.iter("table")
                if "breakdown" in t.classes()
                and next(t.iter("caption")).text().startswith(f"Tabell {int(table_id[1:])}.")
                and next(t.iter("caption")).text().endswith(f", per {per}")
            ]
            head = [th.text() for th in next(table.iter("thead")).iter("th")]
            assert head[0] == heading
            # Columns are the report table's: a handful, never one per group.
            assert 2 <= len(head) <= 9 and not set(head) & set(names), head
            for block in table.iter("tbody"):
                row_heads = [th.text() for th in block.iter("th") if th.attrs.get("scope") == "row"]
                assert sorted(row_heads[:-1]) == names and row_heads[-1] == "Riket"
                assert all(len(tr_cells) == len(head) for tr_cells in _cells_per_row(block))
    # Table 3 per county: one block of rows per area, headed by it.
    areas = [
        th.text() for th in by_id(page, "fordelning-lan-T03").iter("th") if "del" in th.classes()
    ]
    assert areas == [
        "Socialt arbete",
        "Juridik",
        "Psykologi",
        "Samhällsvetenskap",
        "Evidensbaserad praktik",
    ]


def _cells_per_row(block: Element) -> list[list[Element]]:
    return [
        [c for c in tr.children if isinstance(c, Element) and c.tag in ("th", "td")]
        for tr in block.iter("tr")
        if not any(isinstance(c, Element) and "del" in c.classes() for c in tr.children)
    ]


# ---------------------------------------------------------------- tabeller.xlsx


def test_the_workbook_has_document_properties_and_a_source_line_on_every_sheet(
    small_exports, build
):
    fingerprint, _, started_at = build
    path = small_exports / "tabeller.xlsx"
    workbook = openpyxl.load_workbook(path)
    properties = workbook.properties
    assert properties.title == "Kompetensinventeringarna 2013–2016: tabell 1–14"
    assert properties.creator == "Socialstyrelsen"
    assert properties.created == started_at.replace(microsecond=0)
    assert fingerprint in properties.description
    with zipfile.ZipFile(path) as archive:
        app = archive.read("docProps/app.xml").decode("utf-8")
    assert "<Company>Socialstyrelsen</Company>" in app
    for number, sheet in enumerate(workbook.worksheets, start=1):
        column_a = [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1)]
        sources = [v for v in column_a if isinstance(v, str) and v.startswith("Källa:")]
        assert sources == [SOURCE_OF_TABLE_1.removesuffix("1.") + f"{number}."], sheet.title
        # Under the table (and its note), never above the figures.
        assert column_a.index(sources[0]) > FIRST_BODY_ROW
        assert sheet.cell(NOTICE_ROW + 1, 1).value is None


def test_the_workbook_of_the_shipped_zone_states_on_every_sheet_that_it_is_synthetic(
    shipped_zone_exports,
):
    workbook = openpyxl.load_workbook(shipped_zone_exports / "tabeller.xlsx")
    assert workbook.properties.description.startswith(SYNTHETIC_WORDS)
    for sheet in workbook.worksheets:
        assert sheet.cell(NOTICE_ROW + 1, 1).value.startswith(SYNTHETIC_WORDS), sheet.title
