"""read_submission: contract section 2 (one file's bytes → metadata, answers, findings)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime
from pathlib import PurePosixPath

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.ingest import reader
from assets.ingest.reader import (
    file_suffix,
    normalize_kommunkod,
    parse_inlamnad,
    read_submission,
)
from schemas import contract
from schemas.contract import CONTENT_REASONS

META = [("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "2016-11-20")]
CONTACT_NAME = "Åsa Öberg-Testsson"
CONTACT_EMAIL = "asa.oberg@stockholm.example.se"


def csv_bytes(rows, delimiter=";", encoding="utf-8", header=("fraga", "svar")) -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=("fraga", "svar")) -> bytes:
    """A workbook as Excel writes it (shared strings; datetimes as date-formatted numbers)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "default_date_format": "yyyy-mm-dd hh:mm"}
    )
    sheet = workbook.add_worksheet()
    for line, row in enumerate([header, *rows]):
        sheet.write_row(line, 0, row)
    workbook.close()
    return buffer.getvalue()


def with_replaced_part(xlsx: bytes, part: str, edit) -> bytes:
    """The XLSX with one of its XML parts rewritten by `edit` (bytes → bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(buffer, "w") as target:
        assert part in source.namelist()
        for member in source.infolist():
            content = source.read(member.filename)
            target.writestr(member, edit(content) if member.filename == part else content)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def read_csv(rows, **kwargs):
    return read_submission(csv_bytes(rows, **kwargs), ".csv")


# --- CSV: encodings, delimiters, header --------------------------------------------------


def test_semicolon_utf8_file_is_readable_with_metadata_and_answers():
    result = read_csv(META + [("handl_kvinnor", "12,5"), ("handl_man", "3")])
    assert result.reason_code is None and result.message == ""
    assert (result.kommunkod, result.ar, result.inlamnad) == ("0180", 2016, datetime(2016, 11, 20))
    assert result.answers == {"handl_kvinnor": "12,5", "handl_man": "3"}
    assert result.findings == ()


def test_utf8_bom_before_header_is_tolerated():
    data = b"\xef\xbb\xbf" + csv_bytes(META + [("handl_man", "3")])
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}


def test_windows_1252_file_is_decoded_with_swedish_letters():
    data = csv_bytes(META + [("handl_totalt", "ca fem årsarbetare, ö/ä")], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the premise: this file is not UTF-8
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_totalt": "ca fem årsarbetare, ö/ä"}


def test_bytes_undefined_in_windows_1252_are_unreadable():
    data = csv_bytes(META) + b"handl_man;\x81\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code == "unreadable"
    assert "0x81" in result.message


def test_nul_bytes_are_unreadable():
    result = read_submission("fraga;svar\r\n".encode("utf-16-le"), ".csv")
    assert result.reason_code == "unreadable"
    assert "NUL" in result.message


def test_tab_delimiter():
    result = read_csv(META + [("handl_man", "3")], delimiter="\t")
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}


def test_comma_delimiter_with_quoted_decimal_comma_and_thousands_space():
    data = (
        b"fraga,svar\r\nkommunkod,0180\r\nar,2016\r\ninlamnad,2016-11-20\r\n"
        b'handl_totalt,"5 390,5"\r\n"handl_man","1 028,4"\r\n'
    )
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_totalt": "5 390,5", "handl_man": "1 028,4"}


def test_header_in_either_order_any_case():
    """Contract section 2: the header fraga, svar in either order, case-insensitive."""
    for header in (b"FRAGA;Svar", b" Svar ;fraga "):
        svar_first = header.strip().lower().startswith(b"svar")
        rows = [(b"kommunkod", b"0180"), (b"ar", b"2016"), (b"inlamnad", b"2016-11-20")]
        rows += [(b"handl_man", b"3")]
        lines = [b";".join(reversed(row) if svar_first else row) for row in rows]
        result = read_submission(b"\r\n".join([header, *lines]) + b"\r\n", ".csv")
        assert result.reason_code is None, header
        assert (result.kommunkod, result.answers) == ("0180", {"handl_man": "3"})


COMMA_ROWS = b"fraga,svar\r\nkommunkod,0180\r\nar,2016\r\ninlamnad,2016-11-20\r\n"


def test_row_with_more_than_two_fields_is_never_cut_short_its_answer_is_unparseable():
    """Contract section 2: an unquoted decimal comma in a comma file is not read as 5 or 1028."""
    data = COMMA_ROWS + b'handl_totalt,5,5\r\nhandl_kvinnor,1 028,4\r\nhandl_man,"5,5"\r\n'
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    # The answers as written, whole: the validation reports them as unparseable.
    assert result.answers == {"handl_totalt": "5,5", "handl_kvinnor": "1 028,4", "handl_man": "5,5"}
    assert result.unparseable == {
        "handl_totalt": "handl_totalt på rad 5 har 3 fält i stället för två (fraga och svar), "
        "så svaret '5,5' går inte att tolka. I en fil med komma som avgränsare ska ett "
        'decimalkomma stå inom citattecken ("5,5"), eller spara filen med semikolon som '
        "avgränsare.",
        "handl_kvinnor": "handl_kvinnor på rad 6 har 3 fält i stället för två (fraga och svar), "
        "så svaret '1 028,4' går inte att tolka. I en fil med komma som avgränsare ska ett "
        'decimalkomma stå inom citattecken ("1 028,4"), eller spara filen med semikolon som '
        "avgränsare.",
    }


def test_extra_fields_belong_to_the_answer_also_when_svar_comes_first():
    data = b"svar,fraga\r\n0180,kommunkod\r\n2016,ar\r\n2016-11-20,inlamnad\r\n5,5,handl_totalt\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_totalt": "5,5"}
    assert "rad 5 har 3 fält" in result.unparseable["handl_totalt"]


def test_a_third_column_of_comments_makes_its_rows_unparseable_and_empty_fields_do_not():
    data = (
        b"fraga;svar;kommentar\r\nkommunkod;0180;\r\nar;2016;;\r\ninlamnad;2016-11-20\r\n"
        b"handl_man;3;egen kommentar\r\nhandl_kvinnor;4; \r\n"
    )
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3;egen kommentar", "handl_kvinnor": "4"}
    assert list(result.unparseable) == ["handl_man"]
    assert result.unparseable["handl_man"] == (
        "handl_man på rad 5 har 3 fält i stället för två (fraga och svar), så svaret "
        "går inte att tolka. En rad ska bara ha fråga och svar: ta bort det "
        "som står i de extra fälten, eller sätt svaret inom citattecken om det innehåller "
        "semikolon."
    )


@pytest.mark.parametrize(
    ("row", "reason_code"),
    [
        (b"kommunkod,0180,x", "unknown_municipality"),
        (b"kommunkod,180,0", "unknown_municipality"),
        (b"ar,2016,0", "bad_year"),
        (b"inlamnad,2016-11-20,09:00", "bad_timestamp"),
    ],
)
def test_metadata_row_with_more_than_two_fields_rejects_the_file_with_its_reason(row, reason_code):
    """Contract section 2: for a metadata question, the file is rejected with its reason code."""
    question_id = row.split(b",")[0].decode()
    rows = [line for line in COMMA_ROWS.split(b"\r\n") if line and not line.startswith(row[:3])]
    data = b"\r\n".join([*rows, row]) + b"\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code == reason_code
    assert result.message.startswith(f"{question_id} på rad 4 har 3 fält i stället för två")


def test_personal_data_row_with_more_than_two_fields_is_dropped_and_never_echoed():
    data = COMMA_ROWS + f"kontaktperson,Öberg, Åsa\r\nkontakt_epost,{CONTACT_EMAIL},x\r\n".encode()
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {} and result.unparseable == {} and result.findings == ()
    assert "Öberg" not in repr(result) and CONTACT_EMAIL not in repr(result)


def test_a_known_id_with_an_empty_answer_is_not_answered_and_a_lone_id_is_a_row_warning():
    data = csv_bytes(META) + b"handl_man\r\nhandl_kvinnor;\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {}
    # Contract section 2 (2026-12-07): a row without a delimiter is accounted for by its number.
    assert [(f.rule, f.question_id, f.value) for f in result.findings] == [
        ("row_without_delimiter", None, None)
    ]
    assert result.findings[0].message.startswith("Rad 5: ")


def test_question_ids_are_matched_case_insensitively_ignoring_white_space():
    result = read_csv(META + [("  HANDL_Man ", " 3 ")])
    assert result.answers == {"handl_man": "3"}


def test_surrounding_white_space_of_answers_is_ignored_no_break_spaces_included():
    """Contract section 2: surrounding white space of an answer is ignored."""
    rows = [
        ("kommunkod", "\u00a00180 "),
        ("ar", "\t2016"),
        ("inlamnad", "2016-11-20\u202f"),
        ("\u00a0handl_man", "\u00a03\u00a0"),
        ("handl_kvinnor", "\u202f1 028,4\u202f"),
        ("handl_totalt", "\u00a0"),  # nothing but white space: not answered
    ]
    result = read_csv(rows)
    assert (result.reason_code, result.kommunkod, result.ar) == (None, "0180", 2016)
    assert result.inlamnad == datetime(2016, 11, 20)
    assert result.answers == {"handl_man": "3", "handl_kvinnor": "1 028,4"}


def test_empty_answer_means_not_answered():
    result = read_csv(META + [("handl_man", "  "), ("handl_kvinnor", "0")])
    assert result.answers == {"handl_kvinnor": "0"}


def test_blank_lines_are_skipped():
    data = b"\r\n;;\r\n" + csv_bytes(META + [("handl_man", "3")]).replace(b"\r\n", b"\r\n\r\n")
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}


# --- rejections, one per reason code, and their precedence -----------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n;;\r\n\t\r\n"])
def test_empty_file_is_rejected_empty(data):
    assert read_submission(data, ".csv").reason_code == "empty"


def test_empty_xlsx_sheet_is_rejected_empty():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet()
    workbook.close()
    assert read_submission(buffer.getvalue(), ".xlsx").reason_code == "empty"


def test_wrong_header_is_rejected_bad_header():
    result = read_csv(META, header=("fråga", "svar"))
    assert result.reason_code == "bad_header"
    assert "fraga och svar" in result.message


def test_file_without_header_is_rejected_bad_header():
    data = b"kommunkod;0180\r\nar;2016\r\n"
    assert read_submission(data, ".csv").reason_code == "bad_header"


def test_same_question_twice_with_different_answers_is_rejected_duplicate_question():
    result = read_csv(META + [("handl_man", "3"), ("handl_kvinnor", "1"), ("HANDL_MAN", "4")])
    assert result.reason_code == "duplicate_question"
    assert "handl_man" in result.message and "rad 5" in result.message and "rad 7" in result.message
    assert result.answers == {} and result.findings == ()
    assert (result.kommunkod, result.ar) == ("0180", 2016)  # metadata kept where readable


def test_same_question_twice_with_same_answer_is_only_repeated_answer():
    result = read_csv(META + [("handl_man", "3"), ("handl_man", " 3")])
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}
    assert [(f.rule, f.question_id, f.value) for f in result.findings] == [
        ("repeated_answer", "handl_man", "3")
    ]
    assert "Rad 6" in result.findings[0].message and "rad 5" in result.findings[0].message


@pytest.mark.parametrize(
    ("question_id", "answer", "repeated"),
    [
        ("handl_totalt", "5,0", "5.0"),
        ("handl_totalt", "1 028,4", "1028.40"),
        ("handl_fortbildning", "12", "12,0"),  # persons
        ("uppf_medarbetarsamtal", "Ja", "ja"),
        ("genomfort_handlaggare", "DELVIS", "delvis"),
        # cannot be parsed: compared by the stripped text
        ("handl_totalt", "fem", "  fem"),
    ],
)
def test_duplicate_question_compares_parsed_answers_the_same_is_repeated_answer(
    question_id, answer, repeated
):
    """Contract section 3: the same parsed answer twice is only the warning repeated_answer."""
    result = read_csv(META + [(question_id, answer), (question_id, repeated)])
    assert result.reason_code is None
    assert result.answers == {question_id: answer}
    assert [(f.rule, f.question_id) for f in result.findings] == [("repeated_answer", question_id)]


@pytest.mark.parametrize(
    ("question_id", "answer", "repeated"),
    [
        ("kommunkod", "0180", "180"),
        ("ar", "2016", "2016.0"),
        ("inlamnad", "2016-11-20", "2016-11-20T00:00"),
        ("inlamnad", "2016-11-20T10:15", "2016-11-20T09:15:00Z"),  # the same Swedish time
    ],
)
def test_duplicate_question_compares_parsed_metadata_the_same_is_repeated_answer(
    question_id, answer, repeated
):
    """Contract section 3: kommunkod 180 is 0180, a date is that day at 00:00."""
    rows = [(q, answer if q == question_id else a) for q, a in META] + [(question_id, repeated)]
    result = read_csv(rows)
    assert result.reason_code is None
    assert (result.kommunkod, result.ar) == ("0180", 2016)
    assert [(f.rule, f.question_id) for f in result.findings] == [("repeated_answer", question_id)]


@pytest.mark.parametrize(
    ("question_id", "answer", "repeated"),
    [
        ("handl_totalt", "5,0", "5,01"),
        ("handl_fortbildning", "12", "13"),
        ("uppf_medarbetarsamtal", "ja", "nej"),
        ("kommunkod", "0180", "1280"),
        ("inlamnad", "2016-11-20", "2016-11-20T09:00"),
        # cannot be parsed: the stripped texts differ
        ("handl_totalt", "fem", "Fem"),
        ("handl_totalt", "fem", "5"),
    ],
)
def test_duplicate_question_different_parsed_answers_are_rejected(question_id, answer, repeated):
    """Contract section 3: one id twice with different (parsed) answers is duplicate_question."""
    rows = [(q, a) for q, a in META if q != question_id] + [
        (question_id, answer),
        (question_id, repeated),
    ]
    result = read_csv(rows)
    assert result.reason_code == "duplicate_question"
    assert question_id in result.message


@pytest.mark.parametrize("absent", ["kommunkod", "ar", "inlamnad"])
def test_missing_metadata(absent):
    rows = [(question, answer) for question, answer in META if question != absent]
    result = read_csv(rows)
    assert result.reason_code == "missing_metadata"
    assert absent in result.message


def test_empty_metadata_answer_is_missing_metadata():
    result = read_csv([("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "")])
    assert result.reason_code == "missing_metadata"


@pytest.mark.parametrize("kommunkod", ["9999", "Stockholm", "01800", "0"])
def test_unknown_municipality(kommunkod):
    result = read_csv([("kommunkod", kommunkod), ("ar", "2016"), ("inlamnad", "2016-11-20")])
    assert result.reason_code == "unknown_municipality"
    assert kommunkod in result.message
    assert result.kommunkod is None and result.ar == 2016


@pytest.mark.parametrize("ar", ["16", "år 2016", "2016-01", "20166"])
def test_bad_year(ar):
    result = read_csv([("kommunkod", "0180"), ("ar", ar), ("inlamnad", "2016-11-20")])
    assert result.reason_code == "bad_year"
    assert result.ar is None and result.kommunkod == "0180"


@pytest.mark.parametrize(
    "inlamnad", ["20/11/2016", "2016-02-30", "2016-11-20T25:00", "20 november 2016", "42694"]
)
def test_bad_timestamp(inlamnad):
    result = read_csv([("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", inlamnad)])
    assert result.reason_code == "bad_timestamp"
    assert (result.kommunkod, result.ar, result.inlamnad) == ("0180", 2016, None)


def test_precedence_missing_metadata_before_duplicate_question():
    """Contract section 3, step 4: duplicate_question is the last of the content checks."""
    result = read_csv([("kommunkod", "0180"), ("handl_man", "3"), ("handl_man", "4")])
    assert result.reason_code == "missing_metadata"


def test_precedence_bad_timestamp_before_duplicate_question():
    rows = [("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", "x")]
    result = read_csv(rows + [("handl_man", "3"), ("handl_man", "4")])
    assert result.reason_code == "bad_timestamp"


def test_the_precedence_is_the_contracts_list_not_a_copy(monkeypatch):
    """The order derives from schemas.contract.CONTENT_REASONS: change it there, and the reader
    follows."""
    reordered = ("bad_timestamp",) + tuple(r for r in CONTENT_REASONS if r != "bad_timestamp")
    monkeypatch.setattr(contract, "CONTENT_REASONS", reordered)
    rows = [("kommunkod", "9999"), ("ar", "2016"), ("inlamnad", "x")]
    assert read_csv(rows).reason_code == "bad_timestamp"


def test_precedence_missing_metadata_before_unknown_municipality_and_bad_year():
    result = read_csv([("kommunkod", "9999"), ("ar", "16")])
    assert result.reason_code == "missing_metadata"


def test_precedence_unknown_municipality_before_bad_year_before_bad_timestamp():
    assert read_csv([("kommunkod", "9999"), ("ar", "16"), ("inlamnad", "x")]).reason_code == (
        "unknown_municipality"
    )
    assert read_csv([("kommunkod", "0180"), ("ar", "16"), ("inlamnad", "x")]).reason_code == (
        "bad_year"
    )


def test_unsupported_suffix_is_rejected_unsupported_type():
    assert read_submission(b"fraga;svar\n", ".txt").reason_code == "unsupported_type"


def test_suffix_is_case_insensitive():
    assert read_submission(csv_bytes(META), ".CSV").reason_code is None


# --- metadata values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("0180", "0180"), ("180", "0180"), ("180.0", "0180"), (" 2403 ", "2403")]
)
def test_kommunkod_without_leading_zero_is_normalised(text, expected):
    assert normalize_kommunkod(text) == expected


def test_year_written_as_excel_float_text():
    result = read_csv([("kommunkod", "180"), ("ar", "2016.0"), ("inlamnad", "2016-11-20")])
    assert (result.reason_code, result.kommunkod, result.ar) == (None, "0180", 2016)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-11-20", datetime(2016, 11, 20)),
        ("2016-11-20 10:15", datetime(2016, 11, 20, 10, 15)),
        ("2016-11-20T10:15:30", datetime(2016, 11, 20, 10, 15, 30)),
        ("2016-11-20T10:15:30.250", datetime(2016, 11, 20, 10, 15, 30, 250000)),
        # With a UTC offset: converted to Swedish local time (CET in November, CEST in June).
        ("2016-11-20T09:15:00Z", datetime(2016, 11, 20, 10, 15)),
        ("2016-11-20T10:15+01:00", datetime(2016, 11, 20, 10, 15)),
        ("2016-06-20T08:15:00+00:00", datetime(2016, 6, 20, 10, 15)),
        # Contract section 2 (2026-12-07): basic forms, a comma before the fraction, an offset
        # of hours only or without a colon, letters in lower case.
        ("20161231", datetime(2016, 12, 31)),
        ("20161120T1015", datetime(2016, 11, 20, 10, 15)),
        ("20161120 101530", datetime(2016, 11, 20, 10, 15, 30)),
        ("2016-11-20T10:15:30,5", datetime(2016, 11, 20, 10, 15, 30, 500000)),
        ("2016-11-20T10:15+0100", datetime(2016, 11, 20, 10, 15)),
        ("2016-11-20T10:15+01", datetime(2016, 11, 20, 10, 15)),
        ("2016-11-20t09:15z", datetime(2016, 11, 20, 10, 15)),
        ("20161120T0915Z", datetime(2016, 11, 20, 10, 15)),
        # An ambiguous local time (summer time ends at 03:00 on 2016-10-30) is as written: the
        # first of the two, as naive local time orders it.
        ("2016-10-30T02:30", datetime(2016, 10, 30, 2, 30)),
    ],
)
def test_inlamnad_iso_8601_forms(text, expected):
    assert parse_inlamnad(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2016-W47-7",  # a week date
        "2016W477",
        "2016-325",  # an ordinal date
        "2016325",
        "2016-11-20T10",  # hours without minutes
        "20161120T10",
        "2016-11-20T10:1530",  # extended and basic mixed
        "201611-20",
        "2016-11-20T24:00",
        "2016-11-20T10:15:60",
        "2016-11-20T10:15+24:00",
        "2016-11-20T10:15,5",  # a fraction only after seconds
    ],
)
def test_inlamnad_forms_the_contract_does_not_accept(text):
    assert parse_inlamnad(text) is None
    result = read_csv([("kommunkod", "0180"), ("ar", "2016"), ("inlamnad", text)])
    assert result.reason_code == "bad_timestamp"


# --- questions outside the form, personal data ------------------------------------------------


def test_unknown_question_is_a_finding_and_not_an_answer():
    result = read_csv(META + [("handl_totalt2", "7"), ("handl_man", "3")])
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}
    assert [(f.rule, f.question_id, f.value) for f in result.findings] == [
        ("unknown_question", "handl_totalt2", None)
    ]
    assert "Rad 5" in result.findings[0].message


def test_answer_without_question_id_is_an_unknown_question_finding():
    result = read_csv(META + [("", "7")])
    assert [(f.rule, f.question_id) for f in result.findings] == [("unknown_question", None)]


def test_question_not_in_that_years_form():
    question = "komp_uppfoljning_utvardering_grund"  # in the 2013–2015 forms only
    in_2016 = read_csv(META + [(question, "2")])
    assert in_2016.answers == {}
    assert [(f.rule, f.question_id, f.value) for f in in_2016.findings] == [
        ("question_not_in_form_year", question, "2")
    ]
    meta_2015 = [("kommunkod", "0180"), ("ar", "2015"), ("inlamnad", "2015-11-20")]
    in_2015 = read_csv(meta_2015 + [(question, "2")])
    assert in_2015.answers == {question: "2"} and in_2015.findings == ()


def test_personal_data_is_never_in_the_result():
    rows = META + [
        ("kontaktperson", CONTACT_NAME),
        ("Kontakt_Epost", CONTACT_EMAIL),
        ("kontakt_epost", CONTACT_EMAIL),  # a repeat: still no finding that could carry it
        ("handl_man", "3"),
    ]
    for result in (read_csv(rows), read_submission(xlsx_bytes(rows), ".xlsx")):
        assert result.reason_code is None
        assert result.answers == {"handl_man": "3"}
        assert result.findings == ()
        assert CONTACT_EMAIL not in repr(result) and CONTACT_NAME not in repr(result)


def test_personal_data_given_twice_differently_is_rejected_without_the_values():
    other_email = "annan.person@stockholm.example.se"
    result = read_csv(META + [("kontakt_epost", CONTACT_EMAIL), ("kontakt_epost", other_email)])
    assert result.reason_code == "duplicate_question"
    assert "kontakt_epost" in result.message
    assert CONTACT_EMAIL not in repr(result) and other_email not in repr(result)


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_numbers_dates_and_float_artefacts_become_text():
    rows = [
        ("kommunkod", 180),  # Excel dropped the leading zero
        ("ar", 2016.0),
        ("inlamnad", datetime(2016, 11, 20, 14, 30)),  # an Excel date cell
        ("handl_kvinnor", 12.25),  # rewritten below: Excel writes 12.2 + 0.1 in full
        ("handl_man", 180.0),
        ("handl_totalt", "5 390,5"),
        ("uppf_medarbetarsamtal", "Ja"),
    ]
    data = with_replaced_part(
        xlsx_bytes(rows),
        SHEET,
        lambda xml: xml.replace(b"<v>12.25</v>", b"<v>12.299999999999999</v>"),
    )
    result = read_submission(data, ".xlsx")
    assert result.reason_code is None
    assert (result.kommunkod, result.ar) == ("0180", 2016)
    assert result.inlamnad == datetime(2016, 11, 20, 14, 30)
    assert result.answers == {
        "handl_kvinnor": "12.299999999999999",  # kept: the value parser rounds
        "handl_man": "180",
        "handl_totalt": "5 390,5",
        "uppf_medarbetarsamtal": "Ja",
    }


def test_xlsx_date_only_cell_is_midnight():
    rows = [("kommunkod", "0180"), ("ar", 2016), ("inlamnad", date(2016, 11, 20))]
    result = read_submission(xlsx_bytes(rows), ".xlsx")
    assert result.inlamnad == datetime(2016, 11, 20)


def test_xlsx_header_must_be_fraga_svar():
    result = read_submission(xlsx_bytes(META, header=("question", "answer")), ".xlsx")
    assert result.reason_code == "bad_header"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (180, "180"),
        (180.0, "180"),
        (0.1 + 0.2, "0.3"),  # as xlsxwriter writes it, to 16 digits: the text is what is written
        (1e-07, "0.0000001"),
        (1e20, "100000000000000000000"),
        (True, "TRUE"),
        (False, "FALSE"),
        (" text ", "text"),
    ],
)
def test_an_xlsx_cell_is_read_as_the_text_a_person_would_have_typed(value, text):
    result = read_submission(xlsx_bytes(META + [("uppf_medarbetarsamtal", value)]), ".xlsx")
    assert result.answers == {"uppf_medarbetarsamtal": text}


def test_not_a_zip_is_unreadable():
    result = read_submission(b"PK\x03\x04 this is no zip", ".xlsx")
    assert result.reason_code == "unreadable"


def test_zip_that_is_no_workbook_is_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hej")
    assert read_submission(buffer.getvalue(), ".xlsx").reason_code == "unreadable"


def test_csv_content_named_xlsx_is_unreadable():
    assert read_submission(csv_bytes(META), ".xlsx").reason_code == "unreadable"


def test_xlsx_unpacking_to_over_20_mib_is_too_large_without_unpacking(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024 + 1))
    data = buffer.getvalue()
    assert len(data) < 100_000  # the premise: small on disk

    def never(*args, **kwargs):
        raise AssertionError("the workbook must not be opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    started = time.perf_counter()
    result = read_submission(data, ".xlsx")
    assert result.reason_code == "too_large"
    assert time.perf_counter() - started < 0.5


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "xl/sharedStrings.xml"])
def test_xlsx_with_entity_expansion_is_unreadable_not_a_hang(part):
    def add_billion_laughs(xml: bytes) -> bytes:
        body = xml.decode("utf-8").split("?>", 1)[-1]
        body = body.replace("<t>handl_man</t>", "<t>&lol9;</t>")
        return (BILLION_LAUGHS + body).encode()

    rows = META + [("handl_man", "3")]
    data = with_replaced_part(xlsx_bytes(rows), part, add_billion_laughs)
    started = time.perf_counter()
    result = read_submission(data, ".xlsx")
    assert result.reason_code == "unreadable"
    assert "XML-entiteter" in result.message
    assert time.perf_counter() - started < 1.0


def test_xlsx_row_numbered_beyond_excel_is_unreadable_not_a_hang():
    far_row = (
        b'<row r="2000000000"><c r="A2000000000" t="inlineStr">'
        b"<is><t>handl_man</t></is></c></row></sheetData>"
    )
    data = with_replaced_part(
        xlsx_bytes(META), SHEET, lambda xml: xml.replace(b"</sheetData>", far_row)
    )
    started = time.perf_counter()
    result = read_submission(data, ".xlsx")
    assert result.reason_code == "unreadable"
    assert "utanför Excels rader" in result.message
    assert time.perf_counter() - started < 2.0


# --- never raises -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_never_raise(data, suffix):
    result = read_submission(data, suffix)
    assert result.reason_code is None or result.message


@settings(max_examples=30, deadline=None)
@given(position=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255))
def test_corrupted_xlsx_never_raises(position, byte):
    data = bytearray(xlsx_bytes(META + [("handl_man", 3)]))
    data[position % len(data)] = byte
    read_submission(bytes(data), ".xlsx")


@pytest.mark.parametrize(
    "path",
    [
        "2016/inventering/0180_kompetensinventering.csv",
        "2016/inventering/A.CSV",
        "2016/inventering/a.Xlsx",
        "2016/inventering/.csv",
        "2016/inventering/.hidden.csv",
        "2016/inventering/a.",
        "2016/inventering/a..csv",
        "2016/inventering/a.b.CSV",
        "2016/inventering/utan_suffix",
        "2016/inventering/..",
        "2016/inventering/export (4).csv",
        "2016/inventering/Åre älv.CSV",
        "2016/inventering/undermapp/fil.csv",
        "2016/inventering.d/fil",
        "2016/inventering/mapp/",
        "fil.tar.gz",
    ],
)
def test_a_files_suffix_is_pathlibs_in_lower_case(path):
    assert file_suffix(path) == PurePosixPath(path).suffix.lower()
    assert file_suffix(PurePosixPath(path)) == PurePosixPath(path).suffix.lower()


# --- bugs crash, bad input does not (issue 22.4) ------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_bug_in_the_reader_raises_and_is_never_an_unreadable_verdict(monkeypatch, suffix):
    data = csv_bytes(META) if suffix == ".csv" else xlsx_bytes(META)

    def broken(*args, **kwargs):
        raise TypeError("a bug of ours")

    monkeypatch.setattr(reader, "_metadata_value", broken)
    with pytest.raises(TypeError, match="a bug of ours"):
        read_submission(data, suffix)


def test_a_bug_in_the_xlsx_module_raises_and_is_never_an_unreadable_verdict(monkeypatch):
    from assets.ingest import xlsx_sheet

    def broken(*args, **kwargs):
        raise KeyError("a bug of ours")

    monkeypatch.setattr(xlsx_sheet, "_cell_text", broken)
    with pytest.raises(KeyError, match="a bug of ours"):
        read_submission(xlsx_bytes(META), ".xlsx")


# --- every row accounted for (issue 23; contract section 2, 2026-12-07) -------------------------


@pytest.mark.parametrize(("delimiter", "other", "word"), [(";", ",", "komma"), (";", "\t", "tabb")])
def test_a_row_with_another_delimiter_is_that_questions_unparseable_answer(delimiter, other, word):
    data = csv_bytes(META, delimiter=delimiter) + f"handl_kvinnor{other}6\r\n".encode()
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert set(result.answers) == {"handl_kvinnor"}
    assert result.unparseable["handl_kvinnor"].startswith("Rad 5: frågan handl_kvinnor följs av")
    assert word in result.unparseable["handl_kvinnor"]
    assert result.findings == ()


def test_a_metadata_row_with_another_delimiter_rejects_the_file_with_its_code():
    data = b"fraga;svar\r\nkommunkod,0180\r\nar;2016\r\ninlamnad;2016-11-20\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code == "unknown_municipality"
    assert result.message.startswith(
        "Rad 2: frågan kommunkod följs av komma i stället för semikolon"
    )


def test_any_other_row_without_a_delimiter_is_a_warning_naming_its_row():
    data = csv_bytes(META) + b"   \r\nhandl_kvinnor 6\r\nAnna Andersson\r\n"
    result = read_submission(data, ".csv")
    assert result.reason_code is None and result.answers == {}
    assert [(f.rule, f.question_id, f.value, f.message[:7]) for f in result.findings] == [
        ("row_without_delimiter", None, None, "Rad 6: "),
        ("row_without_delimiter", None, None, "Rad 7: "),
    ]
    assert "Anna" not in repr(result)  # the row's text is not copied


def test_an_unknown_id_is_a_warning_with_or_without_an_answer():
    data = csv_bytes(META + [("handl_kvinor", ""), ("handl_kvinnr", "5")])
    result = read_submission(data, ".csv")
    assert result.reason_code is None and result.answers == {}
    assert [(f.rule, f.question_id) for f in result.findings] == [
        ("unknown_question", "handl_kvinor"),
        ("unknown_question", "handl_kvinnr"),
    ]


def test_a_question_outside_the_years_form_is_a_warning_with_or_without_an_answer():
    question = "komp_uppfoljning_utvardering_grund"  # 2013–2015 forms only
    result = read_csv(META + [(question, "")])
    assert [(f.rule, f.question_id, f.value) for f in result.findings] == [
        ("question_not_in_form_year", question, None)
    ]


def test_an_ignored_question_twice_with_different_answers_takes_no_part_in_the_duplicate_rule():
    question = "komp_uppfoljning_utvardering_grund"  # 2013–2015 forms only
    for rows in (
        [(question, "1"), (question, "2")],
        [("handl_kvinor", "1"), ("handl_kvinor", "2")],
    ):
        result = read_csv(META + rows)
        assert result.reason_code is None, rows
        assert len(result.findings) == 2
        assert {f.rule for f in result.findings} <= {
            "question_not_in_form_year",
            "unknown_question",
        }


def test_a_field_of_140_000_characters_is_its_questions_warning_not_an_unreadable_file():
    data = csv_bytes(META + [("kommentar", "x" * 140_000), ("handl_man", "3")])
    assert len(data) < 1_048_576
    result = read_submission(data, ".csv")
    assert result.reason_code is None
    assert result.answers == {"handl_man": "3"}
    assert [(f.rule, f.question_id) for f in result.findings] == [("unknown_question", "kommentar")]


@pytest.mark.parametrize(
    ("row", "answer"),
    [
        (("handl_man", None, 6), "6"),  # B empty, C answered: not "not answered"
        (("handl_man", 3, "kommentar"), "3"),
        (("handl_man", 3, None, None, 7), "3"),  # column E
    ],
)
def test_an_xlsx_row_with_a_value_beyond_column_b_is_unparseable(row, answer):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for number, cells in enumerate([("fraga", "svar"), *META, row]):
        for column, value in enumerate(cells):
            if value is not None:
                sheet.write(number, column, value)
    workbook.close()
    result = read_submission(buffer.getvalue(), ".xlsx")
    assert result.reason_code is None
    assert set(result.answers) == {"handl_man"} and answer in result.answers["handl_man"]
    assert result.unparseable["handl_man"].startswith(
        "Rad 5: frågan handl_man har värden utanför kolumn A och B"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_csv_with_nul_bytes_is_unreadable(encoding):
    result = read_submission(csv_bytes(META, encoding=encoding), ".csv")
    assert result.reason_code == "unreadable" and "NUL" in result.message
