"""The Data Docs opened in headless Chromium with no network (issue 14): the index's table lists
every suite with its status icon, a validation page shows its styles and status icons, and no
request leaves the machine.

The source of the pages says little: GX's index is an empty table that jQuery and bootstrap-table
fill in, and a status icon is an empty <i> until Font Awesome's style and font have loaded. So
Chromium loads each page with RENDER_CHECK injected first in its head; once the page's scripts
and fonts have loaded, it writes what was rendered into the page, which the test reads from the
DOM dump. Chromium's net log shows every request that went to the network stack; file:// loads
do not.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from base64 import b64encode
from importlib.util import find_spec
from pathlib import Path

import pandas as pd
import pytest

from tests.test_publication_browser import chromium, run_chromium

# The suites of the small landing zone's run, as its checks judged them (tests/test_expectations.py):
# it reproduces none of the published figures, so only the reconciliation fails.
STATUSES = {
    "quality.file_ledger": "success",
    "core.grant_register": "success",
    "core.answers": "success",
    "report.tables_long": "success",
    "report.reconciliation": "failed",
}
FONT_AWESOME = "Font Awesome 6 Free"
# Found without importing Great Expectations, which takes seconds.
GX_TEMPLATES = Path(find_spec("great_expectations").origin).parent / "render" / "view" / "templates"

RENDER_CHECK = """<script>
const problems = [];
// Capturing: a script or style sheet that fails to load fires its error on its own element.
addEventListener("error", (event) => problems.push(
  event.target === window ? event.message : event.target.outerHTML.slice(0, 200)
), true);
addEventListener("load", async () => {
  await document.fonts.ready;
  const icon = (element) => {
    const glyph = getComputedStyle(element, "::before");
    const box = element.getBoundingClientRect();
    return {
      classes: element.className, width: box.width, height: box.height,
      glyph: glyph.content, font: glyph.fontFamily, weight: glyph.fontWeight,
    };
  };
  // bootstrap-table puts a column's title in .th-inner, beside its filter control.
  const label = (th) => (th.querySelector(".th-inner") || th).innerText.trim();
  const statusTables = [...document.querySelectorAll("table")].filter(
    (table) => table.tHead && table.tHead.rows[0] && label(table.tHead.rows[0].cells[0]) === "Status"
  );
  const report = {
    rows: statusTables.flatMap((table) => {
      const labels = [...table.tHead.rows[0].cells].map(label);
      return [...table.tBodies].flatMap((body) => [...body.rows]).map((row) => ({
        href: row.dataset.href || null,
        cells: Object.fromEntries(labels.map((name, i) => [name, row.cells[i].innerText.trim()])),
        status: [...row.cells[0].querySelectorAll("i")].map(icon),
      }));
    }),
    icons: [...document.querySelectorAll("i.fas")].map(icon),
    fonts: [...document.fonts].map((face) => [face.family, face.weight, face.status]),
    styleSheets: [...document.querySelectorAll("link[rel=stylesheet]")].map(
      (link) => [link.getAttribute("href"), link.sheet !== null]
    ),
    images: [...document.images].map((image) => [image.getAttribute("src"), image.naturalWidth]),
    scripts: {
      jquery: window.jQuery ? jQuery.fn.jquery : null,
      bootstrapTable: window.jQuery && jQuery.fn.bootstrapTable
        ? jQuery.fn.bootstrapTable.Constructor.VERSION : null,
    },
    problems,
  };
  const out = document.createElement("pre");
  out.id = "rendered-check";
  out.hidden = true;
  out.textContent = JSON.stringify(report);
  document.body.append(out);
});
</script>"""


@pytest.fixture(scope="module")
def data_docs(small_warehouse) -> Path:
    return small_warehouse.parent / "data_docs"


def render(page: Path, tmp_path: Path, html_text: str | None = None) -> tuple[dict, list[str]]:
    """What Chromium rendered of `page` (or of `html_text` in its place) with no network, and the
    URLs that it requested from the network. A screenshot is left in `tmp_path`."""
    browser = chromium()
    # Beside the page, so that its relative links resolve as the page's own do.
    checked = page.with_name(f"rendered-check-{uuid.uuid4().hex}.html")
    source = page.read_text(encoding="utf-8") if html_text is None else html_text
    checked.write_text(source.replace("<head>", "<head>" + RENDER_CHECK, 1), encoding="utf-8")
    netlog = tmp_path / f"{page.stem}.netlog.json"
    screenshot = tmp_path / f"{page.stem}.png"
    try:
        dom = run_chromium(
            browser,
            tmp_path,
            # A request that Chromium lets through still fails, and is still logged.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
            f"--log-net-log={netlog}",
            "--virtual-time-budget=10000",
            "--window-size=1400,1000",
            f"--screenshot={screenshot}",
            "--dump-dom",
            checked.as_uri(),
        ).stdout
    finally:
        checked.unlink()
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    found = re.search(r'<pre id="rendered-check"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    assert found, f"the page never finished loading:\n{dom[:2000]}"
    return json.loads(html.unescape(found.group(1))), requests_from_pages(netlog)


def requests_from_pages(netlog: Path) -> list[str]:
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    begins = [
        event["params"]
        for event in log["events"]
        if event["type"] == start
        and event.get("phase") == log["constants"]["logEventPhase"]["PHASE_BEGIN"]
    ]
    # Chromium's own requests (component updates, the clock, accounts) have no initiator; a
    # page's carry the page's origin.
    return sorted({job["url"] for job in begins if job.get("initiator") != "not an origin"})


def assert_icons_visible(icons: list[dict], fonts: list[list[str]]) -> None:
    assert icons
    for icon in icons:
        assert icon["width"] > 0 and icon["height"] > 0, icon
        assert icon["glyph"] not in ("none", "normal", ""), icon
        assert (icon["font"], icon["weight"]) == (f'"{FONT_AWESOME}"', "900"), icon
    # Drawn with Font Awesome's own font, not a fallback font's empty box.
    assert [FONT_AWESOME, "900", "loaded"] in fonts
    assert [face for face in fonts if face[2] == "error"] == []


def assert_loaded_everything_locally(rendered: dict, requests: list[str]) -> None:
    assert requests == []
    assert rendered["problems"] == []
    assert rendered["styleSheets"] and all(loaded for _, loaded in rendered["styleSheets"])
    assert rendered["images"] and all(width > 0 for _, width in rendered["images"])


def statuses(row: dict) -> list[str]:
    return [
        "success" if "fa-check-circle" in icon["classes"] else "failed" for icon in row["status"]
    ]


def test_the_index_lists_every_suites_latest_validation_with_its_status(data_docs, tmp_path):
    rendered, requests = render(data_docs / "index.html", tmp_path)

    assert_loaded_everything_locally(rendered, requests)
    rows = rendered["rows"]
    assert len(rows) == len(STATUSES)
    assert {row["cells"]["Expectation Suite"]: statuses(row) for row in rows} == {
        suite: [status] for suite, status in STATUSES.items()
    }
    # The latest run's validations, each linking to its page.
    assert len({row["cells"]["Run Name"] for row in rows}) == 1
    assert all((data_docs / row["href"]).is_file() for row in rows)
    assert_icons_visible([icon for row in rows for icon in row["status"]], rendered["fonts"])


def test_a_validation_page_has_its_styles_and_status_icons(data_docs, tmp_path):
    (page,) = data_docs.glob("validations/report/reconciliation/*/*/*.html")
    rendered, requests = render(page, tmp_path)

    assert_loaded_everything_locally(rendered, requests)
    assert rendered["scripts"] == {"jquery": "3.7.1", "bootstrapTable": "1.19.1"}
    # The suite's two expectations, of which the small landing zone fails one.
    assert sorted(status for row in rendered["rows"] for status in statuses(row)) == [
        "failed",
        "success",
    ]
    # The icons of the status column and of the suite's status in the overview.
    assert len(rendered["icons"]) == 3
    assert_icons_visible(rendered["icons"], rendered["fonts"])


def test_a_page_that_loads_from_a_cdn_fails_the_checks(data_docs, tmp_path):
    from assets.expectations.validation import VENDOR_FOLDER, VENDORED_FILES

    index = data_docs / "index.html"
    page = index.read_text(encoding="utf-8")
    for url in (
        "https://code.jquery.com/jquery-3.7.1.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
    ):
        local = (VENDOR_FOLDER / VENDORED_FILES[url]).as_posix()
        assert f'"{local}"' in page
        page = page.replace(f'"{local}"', f'"{url}"')
    rendered, requests = render(index, tmp_path, html_text=page)

    assert requests == [
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
        "https://code.jquery.com/jquery-3.7.1.min.js",
    ]
    assert rendered["rows"] == []
    assert [FONT_AWESOME, "900", "loaded"] not in rendered["fonts"]


def test_every_file_that_gx_loads_from_a_cdn_is_served_in_the_version_it_asks_for():
    from assets.expectations.validation import NODE_MODULES, VENDORED_FILES

    templates = "\n".join(path.read_text(encoding="utf-8") for path in GX_TEMPLATES.rglob("*.j2"))
    tags = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"https?://[^>]*>", templates)
    urls = {re.search(r"\"(https?://[^\"]*)\"", tag).group(1) for tag in tags}
    assert urls == set(VENDORED_FILES)

    for url, relative in VENDORED_FILES.items():
        package = Path(*Path(relative).parts[: 2 if relative.startswith("@") else 1])
        served = json.loads((NODE_MODULES / package / "package.json").read_text())["version"]
        asked = re.search(r"[@/-](\d+(?:\.\d+)*)(?=/|\.min\.js$|$)", url).group(1)
        assert served == asked or served.startswith(f"{asked}."), (url, served)
    # Where GX pins a file by its hash, the served file is that very file.
    for tag in tags:
        integrity = re.search(r'integrity="sha384-([^"]*)"', tag)
        if integrity:
            url = re.search(r"\"(https?://[^\"]*)\"", tag).group(1)
            digest = hashlib.sha384((NODE_MODULES / VENDORED_FILES[url]).read_bytes()).digest()
            assert b64encode(digest).decode() == integrity.group(1), url


def test_without_the_installed_files_the_data_docs_fail_naming_the_make_target(
    tmp_path, monkeypatch
):
    from assets.expectations import validation
    from assets.expectations.suites import ANSWERS_SUITE

    monkeypatch.setattr(validation, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(FileNotFoundError, match="`make install`"):
        validation.validate_suite(
            ANSWERS_SUITE, pd.DataFrame(), f"missing-{uuid.uuid4()}", tmp_path / "data_docs"
        )
