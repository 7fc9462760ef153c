"""Control reports: one per ledger row, in Swedish words with each code beside its words, an index
with each municipality's worst severity, and hostile file-derived text escaped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assets.feedback.control_reports import (
    INDEX_ITEM,
    LedgerFile,
    Problem,
    control_report_html,
    control_report_markdown,
    index_html,
    report_location,
    report_stem,
    update_control_reports,
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
    assert "- **Kommun:** 1280 Malmö" in text
    assert "- **Inlämnad:** 2016-11-15\n" in text  # a date alone: no 00:00:00
    assert "- **Status:** Används (selected): filen är den som gäller" in text
    assert "- **Allvarligaste anmärkning:** Fel – blocket räknas inte (error)" in text
    assert "- **Anmärkningar:** 0 allvarliga fel, 1 fel, 0 varningar" in text
    # Malmö's 19 + 2 is not 22: block A breaks its sum rule, pointed at handl_totalt.
    assert (
        "| Fel (error) | Block A – Handläggare (A\\_handlaggare) | handl\\_totalt: Handläggare, "
        "totalt (årsarbetare) | 22 | Kvinnor + män ska vara lika med totalt "
        "(A\\_handl\\_kon\\_summa), avsnitt 4 |"
    ) in text
    # Its blocks: A is invalid, B answered and valid, D and E not answered (2016 form).
    assert "| Block A – Handläggare (A\\_handlaggare) | Ogiltigt (invalid): blocket räknas" in text
    assert "| Block B – Handläggarnas fortbildning och vidareutbildning (B\\_handlaggare" in text
    assert "| Block D – Arbetsledare (D\\_arbetsledare) | Ej besvarat (not\\_answered)" in text
    assert "Specifikation för inlämning av kompetensinventeringen" in text


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
        "0114 Upplands Väsby": "Inga anmärkningar",
        "0180 Stockholm": "Inga anmärkningar",
        "1280 Malmö": "Fel – blocket räknas inte (error)",
        "1480 Göteborg": "Varning – uppgiften används men bör kontrolleras (warning)",
        "2403 Bjurholm": "Fel – blocket räknas inte (error)",
        "okänd (kommunkoden kunde inte läsas)": "Allvarligt fel – filen används inte (fatal)",
    }
    assert "[2016/inventering/stockholm\\_2016\\_final\\_kopia.csv – Kopia (duplicate)](" in index
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
    page = control_report_html(ledger_file, [problem], {})
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page
    markdown = control_report_markdown(ledger_file, [problem], {})
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
    update_control_reports(target, [old], {}, {})
    written = update_control_reports(target, [new], {}, {})
    assert sorted(written.made + written.reused) == sorted([report_location(new), INDEX_ITEM])
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
    update_control_reports(tmp_path / "kontrollrapporter", [ledger_file], {}, {})
    page = (tmp_path / "kontrollrapporter" / f"{report_location(ledger_file)}.html").read_text(
        encoding="utf-8"
    )
    assert "ogiltigt_\\udcff.csv" in page


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("Åre trasig.csv", "Are_trasig_csv"),
        (
            "Kompetensinventering Älvkarleby Östhammar.xlsx",
            "Kompetensinventering_Alvkarleby_Osthammar_xlsx",
        ),
        ("Malmö é ü.csv", "Malmo_e_u_csv"),
    ],
)
def test_a_report_file_name_keeps_swedish_letters_without_their_marks(name, readable):
    stem = report_stem(f"2016/inventering/{name}")
    assert stem.rpartition("-")[0] == readable


def _report(inlamnad: datetime | None) -> str:
    ledger_file = LedgerFile(
        "2016/inventering/a.csv", "0180", "Stockholm", 2016, inlamnad, "selected", None, ""
    )
    return control_report_markdown(ledger_file, [], {})


def test_inlamnad_is_a_date_alone_when_the_file_gave_no_time():
    assert "- **Inlämnad:** 2016-11-20\n" in _report(datetime(2016, 11, 20))
    assert "- **Inlämnad:** 2016-11-20 14:30:00\n" in _report(datetime(2016, 11, 20, 14, 30))
    assert "- **Inlämnad:** okänt\n" in _report(None)
