"""build_ledger: contract section 3 (every file of the landing zone gets one status)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import datetime

import xlsxwriter

from assets.ingest.landing_zone import file_sha256, scan_landing_zone
from assets.ingest.ledger import LedgerRow, build_ledger, needs_content
from assets.ingest.reader import read_key, read_submission
from schemas import contract
from schemas.contract import CONTENT_REASONS


def submission(kommunkod="0180", ar="2016", inlamnad="2016-11-20", handl_man="3") -> bytes:
    rows = [("kommunkod", kommunkod), ("ar", ar), ("inlamnad", inlamnad), ("handl_man", handl_man)]
    return ("fraga;svar\n" + "".join(f"{q};{a}\n" for q, a in rows)).encode()


def write(raw, path: str, data: bytes) -> None:
    target = raw / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def ledger_of(raw) -> dict[str, LedgerRow]:
    """What the ingest asset does: scan, hash, read each content once, decide."""
    files = scan_landing_zone(raw)
    sha256 = {f.path: file_sha256(f.abs_path) for f in files if not f.is_symlink}
    reads = {
        read_key(sha256[f.path], f.path): read_submission(
            f.abs_path.read_bytes(), f.abs_path.suffix
        )
        for f in files
        if needs_content(f)
    }
    rows = build_ledger(files, sha256, reads)
    assert [row.path for row in rows] == sorted(f.path for f in files)  # one row per file
    return {row.path.removeprefix("2016/inventering/"): row for row in rows}


def status(row: LedgerRow) -> tuple[str, str | None]:
    return row.status, row.reason_code


def test_single_readable_submission_is_selected_with_its_metadata(tmp_path):
    data = submission(inlamnad="2016-11-20 10:15")
    write(tmp_path, "2016/inventering/a.csv", data)
    row = ledger_of(tmp_path)["a.csv"]
    assert row == LedgerRow(
        path="2016/inventering/a.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        kommunkod="0180",
        ar=2016,
        inlamnad=datetime(2016, 11, 20, 10, 15),
        status="selected",
        reason_code=None,
        message="",
    )


def test_dot_file_is_ignored(tmp_path):
    write(tmp_path, "2016/inventering/.gitkeep", b"")
    write(tmp_path, "2016/inventering/.~lock.a.csv#", submission())
    rows = ledger_of(tmp_path)
    assert status(rows[".gitkeep"]) == ("ignored", None)
    assert status(rows[".~lock.a.csv#"]) == ("ignored", None)


def test_symlink_is_rejected_symlink_without_hash_or_size(tmp_path):
    write(tmp_path, "elsewhere/a.csv", submission())
    (tmp_path / "2016/inventering").mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere/a.csv", tmp_path / "2016/inventering/link.csv")
    row = ledger_of(tmp_path)["link.csv"]
    assert status(row) == ("rejected", "symlink")
    assert (row.sha256, row.size_bytes, row.kommunkod) == (None, None, None)


def test_other_suffix_is_rejected_unsupported_type_any_case_accepted(tmp_path):
    write(tmp_path, "2016/inventering/a.txt", submission())
    write(tmp_path, "2016/inventering/b.CSV", submission(kommunkod="1280"))
    write(tmp_path, "2016/inventering/noext", submission(kommunkod="1480"))
    rows = ledger_of(tmp_path)
    assert status(rows["a.txt"]) == ("rejected", "unsupported_type")
    assert rows["a.txt"].kommunkod is None  # content never read
    assert status(rows["noext"]) == ("rejected", "unsupported_type")
    assert status(rows["b.CSV"]) == ("selected", None)


def test_file_over_1_mib_is_rejected_too_large(tmp_path):
    write(tmp_path, "2016/inventering/big.csv", submission().ljust(1_048_576 + 1, b"\n"))
    write(tmp_path, "2016/inventering/edge.xlsx", b"x" * 1_048_576)
    rows = ledger_of(tmp_path)
    assert status(rows["big.csv"]) == ("rejected", "too_large")
    assert rows["big.csv"].size_bytes == 1_048_577
    assert "1 048 577 byte" in rows["big.csv"].message
    # Exactly 1 MiB is within the limit: the content is read (and is no workbook).
    assert status(rows["edge.xlsx"]) == ("rejected", "unreadable")


def test_byte_identical_file_is_duplicate_of_the_first_in_path_order(tmp_path):
    write(tmp_path, "2016/inventering/b.csv", submission())
    write(tmp_path, "2016/inventering/a.csv", submission())
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("selected", None)
    assert status(rows["b.csv"]) == ("duplicate", None)
    assert "2016/inventering/a.csv" in rows["b.csv"].message
    assert rows["b.csv"].kommunkod == "0180" and rows["b.csv"].sha256 == rows["a.csv"].sha256


def test_duplicate_of_a_rejected_file_is_still_duplicate(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(kommunkod="9999"))
    write(tmp_path, "2016/inventering/b.csv", submission(kommunkod="9999"))
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("rejected", "unknown_municipality")
    assert status(rows["b.csv"]) == ("duplicate", None)
    assert "2016/inventering/a.csv" in rows["b.csv"].message


def test_copy_with_another_suffix_does_not_make_the_submission_a_duplicate(tmp_path):
    write(tmp_path, "2016/inventering/a.bak", submission())
    write(tmp_path, "2016/inventering/b.csv", submission())
    rows = ledger_of(tmp_path)
    assert status(rows["a.bak"]) == ("rejected", "unsupported_type")
    assert status(rows["b.csv"]) == ("selected", None)


def test_reader_rejection_is_the_reason_code_with_metadata_kept(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(inlamnad="20/11/2016"))
    write(tmp_path, "2016/inventering/b.csv", b"")
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("rejected", "bad_timestamp")
    assert (rows["a.csv"].kommunkod, rows["a.csv"].ar, rows["a.csv"].inlamnad) == (
        "0180",
        2016,
        None,
    )
    # Named by its row: a date is no number that schemas/quoting.py lets a message quote.
    assert "på rad 4" in rows["a.csv"].message and "20/11/2016" not in rows["a.csv"].message
    assert status(rows["b.csv"]) == ("rejected", "empty")


def test_year_other_than_the_folder_is_rejected_year_mismatch(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(ar="2015", inlamnad="2015-11-20"))
    row = ledger_of(tmp_path)["a.csv"]
    assert status(row) == ("rejected", "year_mismatch")
    assert row.ar == 2015
    assert "2015" in row.message and "2016" in row.message


def test_latest_inlamnad_is_selected_earlier_ones_superseded(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(inlamnad="2016-11-25", handl_man="4"))
    write(tmp_path, "2016/inventering/b.csv", submission(inlamnad="2016-11-20"))
    write(tmp_path, "2016/inventering/c.csv", submission(inlamnad="2016-11-25T09:00"))
    write(tmp_path, "2016/inventering/other.csv", submission(kommunkod="1280"))
    rows = ledger_of(tmp_path)
    assert status(rows["c.csv"]) == ("selected", None)
    assert status(rows["a.csv"]) == ("superseded", None)
    assert status(rows["b.csv"]) == ("superseded", None)
    assert (
        rows["b.csv"].message == "Ersatt av 2016/inventering/c.csv (inlämnad 2016-11-25 09:00:00)."
    )
    assert status(rows["other.csv"]) == ("selected", None)  # another municipality


def test_different_files_sharing_the_latest_inlamnad_are_conflict(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(inlamnad="2016-11-25", handl_man="4"))
    write(tmp_path, "2016/inventering/b.csv", submission(inlamnad="2016-11-25", handl_man="5"))
    write(tmp_path, "2016/inventering/c.csv", submission(inlamnad="2016-11-20"))
    rows = ledger_of(tmp_path)
    # reason_code is set for rejected rows only (contract section 3).
    assert status(rows["a.csv"]) == ("conflict", None)
    assert status(rows["b.csv"]) == ("conflict", None)
    assert "2016/inventering/b.csv" in rows["a.csv"].message
    assert "2016-11-25" in rows["a.csv"].message
    assert status(rows["c.csv"]) == ("superseded", None)
    assert rows["c.csv"].message == (
        "Ersatt av 2016/inventering/a.csv och 2016/inventering/b.csv (inlämnad 2016-11-25)."
    )
    assert not any(row.status == "selected" for row in rows.values())


def test_identical_files_sharing_the_latest_inlamnad_are_no_conflict(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission())
    write(tmp_path, "2016/inventering/b.csv", submission())
    rows = ledger_of(tmp_path)
    assert [status(rows[name]) for name in ("a.csv", "b.csv")] == [
        ("selected", None),
        ("duplicate", None),
    ]


def test_file_that_could_not_be_hashed_is_rejected_unreadable(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission())
    files = scan_landing_zone(tmp_path)
    (row,) = build_ledger(files, sha256={}, reads={})
    assert status(row) == ("rejected", "unreadable")
    assert row.sha256 is None


def test_needs_content_only_for_regular_visible_submission_files_within_the_limit(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", b"x")
    write(tmp_path, "2016/inventering/b.xlsx", b"x")
    write(tmp_path, "2016/inventering/.c.csv", b"x")
    write(tmp_path, "2016/inventering/d.pdf", b"x")
    write(tmp_path, "2016/inventering/e.csv", b"x" * 1_048_577)
    os.symlink(tmp_path / "2016/inventering/a.csv", tmp_path / "2016/inventering/f.csv")
    needed = {f.path: needs_content(f) for f in scan_landing_zone(tmp_path)}
    assert needed == {
        "2016/inventering/.c.csv": False,
        "2016/inventering/a.csv": True,
        "2016/inventering/b.xlsx": True,
        "2016/inventering/d.pdf": False,
        "2016/inventering/e.csv": False,
        "2016/inventering/f.csv": False,
    }


# --- the order in which a file's status is decided (contract section 3) ---------------------


def xlsx_unpacking_to_over_20_mib() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024 + 1))
    return buffer.getvalue()


def test_step_2_unsupported_type_before_symlink(tmp_path):
    """Contract section 3, step 2: unsupported_type, symlink, too_large, empty, in that order."""
    write(tmp_path, "2016/inventering/a.csv", submission())
    os.symlink(tmp_path / "2016/inventering/a.csv", tmp_path / "2016/inventering/lank.txt")
    os.symlink(tmp_path / "2016/inventering/a.csv", tmp_path / "2016/inventering/lank.csv")
    rows = ledger_of(tmp_path)
    assert status(rows["lank.txt"]) == ("rejected", "unsupported_type")
    assert status(rows["lank.csv"]) == ("rejected", "symlink")


def test_step_2_before_step_3_two_empty_files_are_both_empty_not_duplicate(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", b"")
    write(tmp_path, "2016/inventering/b.csv", b"")
    write(tmp_path, "2016/inventering/c.csv", b";\r\n")  # nothing but a delimiter
    write(tmp_path, "2016/inventering/d.csv", b";\r\n")
    rows = ledger_of(tmp_path)
    assert [status(rows[name]) for name in ("a.csv", "b.csv", "c.csv", "d.csv")] == [
        ("rejected", "empty")
    ] * 4


def test_step_2_before_step_3_an_xlsx_unpacking_to_over_20_mib_is_too_large_with_a_copy(
    tmp_path,
):
    data = xlsx_unpacking_to_over_20_mib()
    write(tmp_path, "2016/inventering/a.xlsx", data)
    write(tmp_path, "2016/inventering/b.xlsx", data)
    rows = ledger_of(tmp_path)
    assert status(rows["a.xlsx"]) == ("rejected", "too_large")
    assert status(rows["b.xlsx"]) == ("rejected", "too_large")


def test_step_3_duplicates_are_looked_for_within_one_year_folder(tmp_path):
    """Identical files in two year folders are each judged on their own."""
    data = submission(ar="2015", inlamnad="2015-11-20")
    write(tmp_path, "2015/inventering/a.csv", data)
    write(tmp_path, "2016/inventering/a.csv", data)
    write(tmp_path, "2016/inventering/b.csv", data)
    rows = ledger_of(tmp_path)
    assert status(rows["2015/inventering/a.csv"]) == ("selected", None)
    assert status(rows["a.csv"]) == ("rejected", "year_mismatch")
    assert status(rows["b.csv"]) == ("duplicate", None)
    assert "2016/inventering/a.csv" in rows["b.csv"].message


def test_step_3_before_step_4_a_copy_of_a_file_with_a_bad_header_is_duplicate(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", b"question;answer\r\nkommunkod;0180\r\n")
    write(tmp_path, "2016/inventering/b.csv", b"question;answer\r\nkommunkod;0180\r\n")
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("rejected", "bad_header")
    assert status(rows["b.csv"]) == ("duplicate", None)


def test_step_4_year_mismatch_before_bad_timestamp_and_duplicate_question(tmp_path):
    """Contract section 3, step 4: ... bad_year, year_mismatch, bad_timestamp, duplicate_question."""
    write(tmp_path, "2016/inventering/a.csv", submission(ar="2015", inlamnad="förra veckan"))
    twice = submission(ar="2015", inlamnad="2015-11-20") + b"handl_man;4\n"
    write(tmp_path, "2016/inventering/b.csv", twice)
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("rejected", "year_mismatch")
    assert status(rows["b.csv"]) == ("rejected", "year_mismatch")


def test_step_4_bad_year_before_year_mismatch(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(ar="15"))
    assert status(ledger_of(tmp_path)["a.csv"]) == ("rejected", "bad_year")


def test_the_order_of_step_4_is_the_contracts_list_not_a_copy(tmp_path, monkeypatch):
    """The order derives from schemas.contract.CONTENT_REASONS: change it there, and the ledger
    follows."""
    write(tmp_path, "2016/inventering/a.csv", submission(ar="2015", inlamnad="förra veckan"))
    reordered = tuple(r for r in CONTENT_REASONS if r != "year_mismatch") + ("year_mismatch",)
    monkeypatch.setattr(contract, "CONTENT_REASONS", reordered)
    assert status(ledger_of(tmp_path)["a.csv"]) == ("rejected", "bad_timestamp")


def test_step_5_a_rejected_file_never_supersedes(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(inlamnad="2016-11-20"))
    later_but_rejected = submission(inlamnad="2016-12-01") + b"handl_man;4\n"
    write(tmp_path, "2016/inventering/b.csv", later_but_rejected)
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("selected", None)
    assert status(rows["b.csv"]) == ("rejected", "duplicate_question")


def test_step_5_a_date_without_a_time_is_the_start_of_that_day(tmp_path):
    write(tmp_path, "2016/inventering/a.csv", submission(inlamnad="2016-11-30T09:00"))
    write(tmp_path, "2016/inventering/b.csv", submission(inlamnad="2016-11-30", handl_man="4"))
    rows = ledger_of(tmp_path)
    assert status(rows["a.csv"]) == ("selected", None)
    assert status(rows["b.csv"]) == ("superseded", None)


# --- contract section 3: extensions, subfolders ---------------------------------------------


def xlsx_submission() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for line, row in enumerate([("fraga", "svar"), ("kommunkod", 1280), ("ar", 2016)]):
        sheet.write_row(line, 0, row)
    sheet.write_row(3, 0, ("inlamnad", "2016-11-20"))
    workbook.close()
    return buffer.getvalue()


def test_extensions_are_matched_case_insensitively(tmp_path):
    """Contract section 3: `.CSV` is a CSV, `.Xlsx` an XLSX."""
    write(tmp_path, "2016/inventering/a.CSV", submission())
    write(tmp_path, "2016/inventering/b.Xlsx", xlsx_submission())
    rows = ledger_of(tmp_path)
    assert (status(rows["a.CSV"]), rows["a.CSV"].kommunkod) == (("selected", None), "0180")
    assert (status(rows["b.Xlsx"]), rows["b.Xlsx"].kommunkod) == (("selected", None), "1280")


def test_files_in_subfolders_of_inventering_are_ledgered_and_read(tmp_path):
    """Contract section 3: every regular file under <year>/inventering/, in subfolders too."""
    write(tmp_path, "2016/inventering/Inskickat/december/a.csv", submission())
    write(tmp_path, "2016/inventering/Inskickat/.tmp/b.csv", submission(kommunkod="1280"))
    rows = ledger_of(tmp_path)
    assert status(rows["Inskickat/december/a.csv"]) == ("selected", None)
    assert status(rows["Inskickat/.tmp/b.csv"]) == ("ignored", None)  # in a dot-folder
