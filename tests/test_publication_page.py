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
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

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
def page(small_exports) -> Element:
    return parse((small_exports / "rapport.html").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- rapport.html


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
