"""rapport.html opened in headless Chromium: the tables and images render, and a screenshot is saved.

Skipped (with the reason) only where Chromium is absent outside CI; in CI (CI=true) a missing
Chromium fails, so the browser test cannot pass there without running.
"""

import base64
import os
import re
import shutil
import subprocess

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """Chromium's path; shared with the other browser tests."""
    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/run installs the Debian package chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    return browser


def run_chromium(browser: str, tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_html_report_renders_its_tables_and_images_in_chromium(small_warehouse, tmp_path):
    browser = chromium()
    report = small_warehouse.parent / "exports" / "rapport.html"
    page = report.read_text(encoding="utf-8")
    # Self-contained: nothing is fetched from anywhere. The only links lead to the sibling
    # folders a refresh writes beside exports/ (Data Docs, control reports), never off the machine.
    assert not re.search(r'src="(?!data:)', page)
    assert re.findall(r'href="(?!#)([^"]*)"', page) == [
        "../data_docs/index.html",
        "../kontrollrapporter/index.html",
    ]

    dom = run_chromium(browser, tmp_path, "--dump-dom", report.as_uri()).stdout
    assert dom.count("<table") >= 14 + 8 + 4  # Tables 1–14, 8 breakdowns, reconciliation, quality
    for number in (1, 11, 14):
        assert f"Tabell {number}." in dom
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', dom)
    # Shares 2013→2016, area, subarea; three measures per county and per municipality group.
    assert len(images) == 3 + 3 * 2
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for data in images)

    screenshot = small_warehouse.parent / "exports" / "rapport_screenshot.png"
    run_chromium(
        browser, tmp_path, f"--screenshot={screenshot}", "--window-size=1400,4000", report.as_uri()
    )
    shot = screenshot.read_bytes()
    assert shot.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
    assert (width, height) == (1400, 4000)
