"""The profile pages per municipality and the key-figure exports (issue 17), on the conformance zone.

One run of the whole job over tests/conformance_zone.py, whose register is the 290
municipalities: publication/kommunprofiler writes a page for each and the index. The figures on
the pages are worked out by hand from the zone's files (the working beside each; the key figures'
own values are in tests/test_nyckeltal.py). Then headless Chromium opens the index and two
profiles with no network: the search filters by name, the tables and charts render, and no
request leaves the machine.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import uuid
from pathlib import Path

import polars as pl
import pytest

from assets.publication.profile_pages import profile_problems
from tests.conformance_zone import build_conformance_landing_zone
from tests.conftest import materialize_pipeline
from tests.test_data_docs_browser import requests_from_pages
from tests.test_publication_browser import chromium, run_chromium
from tests.test_swedish_for_readers import _findings, visible_file_text

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("profiles")
    raw = build_conformance_landing_zone(root / "raw")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    result = materialize_pipeline(raw, warehouse, raise_on_error=False)
    assert result.success
    checks = {
        evaluation.check_name: evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == "every_municipality_has_a_profile"
    }
    assert checks == {"every_municipality_has_a_profile": True}
    return warehouse.parent / "exports"


def page(exports: Path, kommunkod: str) -> str:
    return (exports / "kommuner" / f"{kommunkod}.html").read_text(encoding="utf-8")


def key_figure_row(text: str, nyckeltal_id: str) -> list[str]:
    row = re.search(rf'<tr data-nyckeltal="{nyckeltal_id}">(.*?)</tr>', text).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]


def test_a_page_for_every_municipality_of_the_register_and_an_index(exports):
    pages = sorted(path.name for path in (exports / "kommuner").glob("*.html"))
    assert len(pages) == 290 + 1
    assert "index.html" in pages
    index = (exports / "kommuner" / "index.html").read_text(encoding="utf-8")
    assert index.count('<tr data-namn="') == 290
    assert '<a href="0114.html">Upplands Väsby</a>' in index


def test_a_profile_shows_its_key_figures_beside_its_groups(exports):
    text = page(exports, "0114")
    # Share without a social work degree 2016: Väsby 1 of 12 = 8.3 %; Stockholms län and A2 both
    # 7 of 59.13 = 11.8 %; the nation with Malmö 7 of 1087.53 = 0.6 %; rank 3 of 4 in A2 (after
    # Ekerö 16 % and Huddinge 10 %); change from its 2013 file (2 of 10 = 20 %): -11.7 points.
    # Väsby has 2 fte men, so the split by sex is hidden, both sexes. The secondary step finds
    # its partners elsewhere in 2016 (its total, county, group and the nation stay shown), but
    # hides Väsby's total of 2013 in this zone of a handful of municipalities, and with it the
    # change since 2013 (the change plus 2013's value would give the hidden value away) and
    # the rank beside it.
    assert key_figure_row(text, "handl_utan_socionom_andel") == [
        "Andel handläggare utan socionomexamen",
        "2016",
        "8,3",
        "11,8",
        "11,8",
        "0,6",
        "..",
        "..",
        "kvinnor .. / män ..",
    ]
    # Its grant: 2013 inventering 100 000 kr; 2016 kompetensutveckling 100 000 kr.
    assert f"<tr><td>2013</td><td>100{NBSP}000</td><td>100{NBSP}000</td><td>0</td></tr>" in text
    assert "Kommunen deltog första gången 2013." in text
    # Its four files (2013 and 2016 selected, a copy of 2016 a duplicate, an early 2017 file:
    # conformance_zone.VASBY_2017), each linked to its control report, which is there.
    assert text.count(">Kontrollrapport</a>") == 4
    assert "Kopia: filen är byte för byte identisk" in text
    links = re.findall(r'href="(\.\./\.\./kontrollrapporter/[^"]+)"', text)
    assert all((exports / "kommuner" / link).resolve().is_file() for link in links), links
    assert 'href="../../kontrollrapporter/index.html"' in text
    assert 'id="inga-uppgifter"' not in text


def test_a_municipality_with_no_valid_data_gets_a_page_saying_why(exports):
    # Botkyrka sent nothing.
    assert "Kommunen har inte lämnat in någon kompetensinventering." in page(exports, "0127")
    # Göteborg's 2016 file is selected, but its A (8 + 3 above 10) and D (an unparseable
    # answer) are invalid: no key figure from a form.
    goteborg = page(exports, "1480")
    assert 'id="inga-uppgifter"' in goteborg
    assert "inget av de block som nyckeltalen bygger på var giltigt" in goteborg
    assert "Kommunen deltog inte i kompetenssatsningen." in goteborg  # 2015 repaid in full
    # Stockholm's 2016 is a conflict, but its 2013 file is valid: it has figures.
    assert 'id="inga-uppgifter"' not in page(exports, "0180")


def test_the_key_figures_are_exported_with_their_disclosure(exports):
    parquet = pl.read_parquet(exports / "parquet" / "nyckeltal.parquet")
    vasby_men = parquet.filter(
        (pl.col("nyckeltal_id") == "handl_utan_socionom_andel")
        & (pl.col("kommunkod") == "0114")
        & (pl.col("ar") == 2016)
        & (pl.col("kon") == "M")
    ).row(0, named=True)
    assert (vasby_men["varde"], vasby_men["taljare"], vasby_men["disclosure"]) == (
        None,
        None,
        "primary",
    )
    swedish = (exports / "csv_sv" / "nyckeltal.csv").read_text(encoding="utf-8-sig")
    # The share and its täljare are hidden; its nämnare (the men's 2 fte) is not: the audit
    # leaves the hidden täljare an interval 2d wide without hiding it (the total's täljare, 1,
    # is women + men).
    assert "handl_utan_socionom_andel;kommun;0114;;2016;M;..;..;2,0;2,0;1;primary" in swedish
    # The other sex beside it is hidden with it, as secondary (assets/disclosure/key_figures.py).
    plain = (exports / "csv" / "nyckeltal.csv").read_text(encoding="utf-8")
    assert "handl_utan_socionom_andel,kommun,0114,,2016,K,..,..,10.0,10.0,1,secondary" in plain


def test_the_profile_check_fails_on_a_missing_page_and_an_external_reference(exports, tmp_path):
    folder = tmp_path / "kommuner"
    shutil.copytree(exports / "kommuner", folder)
    (folder / "0114.html").unlink()
    vallentuna = folder / "0115.html"
    vallentuna.write_text(
        vallentuna.read_text(encoding="utf-8").replace(
            "</head>", '<script src="https://cdn.example.com/x.js"></script></head>'
        ),
        encoding="utf-8",
    )
    assert profile_problems(folder, ["0114", "0115", "0117"]) == [
        "0114.html saknas",
        "0115.html hänvisar utanför datorn",
    ]


# --- in headless Chromium -----------------------------------------------------------------------

# Injected at the end of the body of a copy of the page: what was rendered, written into the page
# for the DOM dump. On the index it types a name into the search first.
RENDER_CHECK = """<script>
addEventListener("load", () => {
  const search = document.getElementById("sok");
  if (search) {
    search.value = "vä";
    search.dispatchEvent(new Event("input"));
  }
  const visible = (row) => !row.hidden && row.getBoundingClientRect().height > 0;
  const report = {
    visibleMunicipalities: [...document.querySelectorAll("#kommuner tbody tr")]
      .filter(visible).map((row) => row.cells[0].innerText),
    counted: (document.getElementById("antal") || {}).innerText || null,
    keyFigures: [...document.querySelectorAll("#nyckeltal tbody tr")].map((row) =>
      [...row.cells].map((cell) => cell.innerText.trim())),
    bars: [...document.querySelectorAll("svg rect.stapel")].map((bar) =>
      [bar.closest("figure").dataset.nyckeltal, bar.dataset.plats,
       Math.round(bar.getBoundingClientRect().width)]),
    notice: (document.getElementById("inga-uppgifter") || {}).innerText || null,
  };
  const pre = document.createElement("pre");
  pre.id = "rendered-check";
  pre.textContent = JSON.stringify(report);
  document.body.append(pre);
});
</script>"""


def render(page_path: Path, tmp_path: Path) -> tuple[dict, list[str], Path]:
    """What Chromium rendered of the page with no network, the URLs it requested from the network,
    and a screenshot."""
    checked = page_path.with_name(f"rendered-check-{uuid.uuid4().hex}.html")
    checked.write_text(
        page_path.read_text(encoding="utf-8").replace("</body>", RENDER_CHECK + "</body>", 1),
        encoding="utf-8",
    )
    netlog = tmp_path / f"{page_path.stem}.netlog.json"
    screenshot = tmp_path / f"{page_path.stem}.png"
    try:
        dom = run_chromium(
            chromium(),
            tmp_path,
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
            f"--log-net-log={netlog}",
            "--virtual-time-budget=5000",
            "--window-size=1300,2400",
            f"--screenshot={screenshot}",
            "--dump-dom",
            checked.as_uri(),
        ).stdout
    finally:
        checked.unlink()
    found = re.search(r'<pre id="rendered-check">(.*?)</pre>', dom, re.DOTALL)
    assert found, f"the page never finished loading:\n{dom[:2000]}"
    return json.loads(html.unescape(found.group(1))), requests_from_pages(netlog), screenshot


def test_the_index_and_two_profiles_render_offline_in_chromium(exports, tmp_path):
    index, requests, shot = render(exports / "kommuner" / "index.html", tmp_path)
    assert requests == []
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # "vä" finds the names that hold it, whatever else the register has.
    assert "Upplands Väsby" in index["visibleMunicipalities"]
    assert "Värmdö" in index["visibleMunicipalities"]
    assert "Stockholm" not in index["visibleMunicipalities"]
    assert index["counted"] == f"{len(index['visibleMunicipalities'])} kommuner"

    vasby, requests, _ = render(exports / "kommuner" / "0114.html", tmp_path)
    assert requests == []
    rows = {row[0]: row[1:] for row in vasby["keyFigures"]}
    assert rows["Andel handläggare utan socionomexamen"][:6] == [
        "2016", "8,3", "11,8", "11,8", "0,6", "..",
    ]  # fmt: skip
    bars = {(key, place): width for key, place, width in vasby["bars"]}
    # The chart of that share: Väsby's 2013 value is hidden (see above), so it has no bar; the
    # county and group 11.8 % are the longest (180 px), Väsby 8.3, the nation 0.6; drawn in
    # proportion.
    assert ("handl_utan_socionom_andel", "forsta") not in bars
    longest = bars[("handl_utan_socionom_andel", "lan")]
    assert longest == 180
    for place, share in (
        ("kommun", 100 / 12),
        ("kommungrupp", 100 * 7 / 59.13),
        ("riket", 100 * 7 / 1087.53),
    ):
        assert bars[("handl_utan_socionom_andel", place)] == pytest.approx(
            longest * share / (100 * 7 / 59.13), abs=1
        ), place
    assert vasby["notice"] is None

    goteborg, requests, _ = render(exports / "kommuner" / "1480.html", tmp_path)
    assert requests == []
    assert goteborg["notice"].startswith("Det finns inga giltiga uppgifter")
    # Its register figures remain (2015: 20 000 requisitioned and repaid), with no form figure.
    assert [row[0] for row in goteborg["keyFigures"]] == [
        "Rekvirerat statsbidrag",
        "Rekvirerat statsbidrag per invånare",
        "Andel av rekvirerat bidrag som återbetalats",
    ]


def test_the_pages_are_swedish(exports):
    # The scan of tests/test_swedish_for_readers.py: no bare English word a reader would see.
    pages = [exports / "kommuner" / name for name in ("index.html", "0114.html", "1480.html")]
    assert _findings({path.name: visible_file_text(path) for path in pages}) == {}
