"""Control reports: one per ledger row, an index with each municipality's worst severity, and
hostile file-derived text escaped."""

from __future__ import annotations

from pathlib import Path

from assets.feedback.control_reports import (
    LedgerFile,
    Problem,
    control_report_html,
    control_report_markdown,
    index_html,
    report_location,
    write_control_reports,
)


def _ledger_files(small_db) -> list[LedgerFile]:
    return [
        LedgerFile(path, kommunkod, None, ar, None, status, reason, message)
        for path, kommunkod, ar, status, reason, message in small_db.execute(
            "SELECT path, kommunkod, ar, status, reason_code, message FROM quality.file_ledger"
        ).fetchall()
    ]


def test_a_control_report_exists_for_every_ledger_row(small_warehouse, small_db):
    folder = small_warehouse.parent / "kontrollrapporter"
    ledger = _ledger_files(small_db)
    assert len(ledger) == 15
    for ledger_file in ledger:
        for suffix in (".html", ".md"):
            report = folder / f"{report_location(ledger_file)}{suffix}"
            assert report.is_file(), ledger_file.path
    # Rejected files without a readable year go under okant_ar/.
    fel_rubrik = next(f for f in ledger if f.path == "2016/inventering/fel_rubrik.csv")
    assert report_location(fel_rubrik).startswith("okant_ar/")
    malmo = next(f for f in ledger if f.path == "2016/inventering/malmo.csv")
    text = (folder / f"{report_location(malmo)}.md").read_text(encoding="utf-8")
    assert "1280 Malmö" in text and "A\\_handl\\_kon\\_summa" in text and "ERROR" in text


def test_the_index_lists_each_municipality_with_its_worst_severity(small_warehouse):
    index = (small_warehouse.parent / "kontrollrapporter" / "index.md").read_text(encoding="utf-8")
    worst = {
        line.split(" | ")[0].lstrip("| "): line.split(" | ")[1]
        for line in index.splitlines()
        if line.startswith("| ")
        and not line.startswith("| Kommun")
        and not line.startswith("| ---")
    }
    # By hand: Malmö 2016 breaks A (error), Bjurholm 2016 leaves a C block partly answered
    # (error), Göteborg 2016 has an unknown question (warning), Stockholm and Väsby are clean;
    # anteckningar.txt and fel_rubrik.csv are rejected without a kommunkod (fatal).
    assert worst == {
        "0114 Upplands Väsby": "INGA",
        "0180 Stockholm": "INGA",
        "1280 Malmö": "ERROR",
        "1480 Göteborg": "WARNING",
        "2403 Bjurholm": "ERROR",
        "okänd (kommunkoden kunde inte läsas)": "FATAL",
    }
    assert (small_warehouse.parent / "kontrollrapporter" / "index.html").is_file()


HOSTILE = '<script>alert("x")</script>|[a](javascript:x).csv'


def test_file_derived_text_is_escaped_in_html_and_markdown():
    ledger_file = LedgerFile(
        f"2016/inventering/{HOSTILE}", "0180", "Stockholm", 2016, None, "selected", None, ""
    )
    problem = Problem(
        "warning",
        "unknown_question",
        None,
        "<b>q</b>",
        None,
        "<img src=x>",
        "Frågan '<b>q</b>' finns inte.",
    )
    page = control_report_html(ledger_file, [problem])
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page
    markdown = control_report_markdown(ledger_file, [problem])
    assert "<script>" not in markdown and "[a](javascript" not in markdown
    assert "<script>" not in index_html([(ledger_file, [problem])])
    # The report's own file name keeps only a safe alphabet.
    assert set(report_location(ledger_file)) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/"
    )


def test_a_new_set_replaces_the_old_one_whole(tmp_path: Path):
    target = tmp_path / "kontrollrapporter"
    old = LedgerFile(
        "2015/inventering/gammal.csv", "0180", "Stockholm", 2015, None, "selected", None, ""
    )
    new = LedgerFile(
        "2016/inventering/ny.csv", "0180", "Stockholm", 2016, None, "selected", None, ""
    )
    write_control_reports(target, [old], {})
    assert write_control_reports(target, [new], {}) == 1
    assert not (target / f"{report_location(old)}.html").exists()
    assert (target / f"{report_location(new)}.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kontrollrapporter"
    ]  # nothing left behind


def test_a_file_name_that_is_not_utf8_still_gets_its_report(tmp_path: Path):
    name = b"ogiltigt_\xff.csv".decode("utf-8", "surrogateescape")
    ledger_file = LedgerFile(
        f"2016/inventering/{name}",
        None,
        None,
        None,
        None,
        "rejected",
        "unreadable",
        f"Filen {name} gick inte att läsa.",
    )
    write_control_reports(tmp_path / "kontrollrapporter", [ledger_file], {})
    page = (tmp_path / "kontrollrapporter" / f"{report_location(ledger_file)}.html").read_text(
        encoding="utf-8"
    )
    assert "ogiltigt_\\udcff.csv" in page
