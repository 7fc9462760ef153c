"""Contract section 2: a CSV data row with more than two fields is never cut short.

From the reader through core.file_answers into the validation: `handl_kvinnor,4,5` in a
comma-delimited file is neither 4 nor 4.5 but an unparseable answer, which makes its block
invalid; in a metadata row it rejects the file with that question's reason code. Expected
values are worked out by hand below.
"""

from __future__ import annotations

import duckdb
import pytest

from assets.validate.cli import check_file
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import CONTACT_NAME, build_small_landing_zone

VALLENTUNA = "2016/inventering/vallentuna.csv"
OSTERAKER = "2016/inventering/osteraker.csv"
# 0115 Vallentuna has no grant, so it is counted in no table: only its issues are looked at.
VALLENTUNA_2016 = (
    "fraga,svar\n"
    "kommunkod,0115\nar,2016\ninlamnad,2016-11-21\n"
    # A name with a comma in it: personal data, dropped however many fields its row has.
    f"kontaktperson,{CONTACT_NAME}, socialtjänsten\n"
    # Cut short, handl_kvinnor would be 4 and break kvinnor + män = totalt (4 + 0,5 ≠ 5).
    'handl_kvinnor,4,5\nhandl_man,"0,5"\nhandl_totalt,5\nhandl_socionom_lt1ar,1\n'
    "handl_utan_socionom_kvinnor,1\nhandl_utan_socionom_man,0\nhandl_utan_socionom_totalt,1\n"
    "handl_fortbildning,1 028,4\nhandl_vidareutbildning,3\nhandl_magister,1\n"
)
OSTERAKER_2016 = "fraga,svar\nkommunkod,0117,x\nar,2016\ninlamnad,2016-11-22\n"

COMMA_ADVICE = (
    "I en fil med komma som avgränsare ska ett decimalkomma stå inom citattecken ({}), eller "
    "spara filen med semikolon som avgränsare."
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    root = tmp_path_factory.mktemp("extra_fields")
    raw = build_small_landing_zone(root / "raw")
    (raw / VALLENTUNA).write_text(VALLENTUNA_2016, encoding="utf-8")
    (raw / OSTERAKER).write_text(OSTERAKER_2016, encoding="utf-8")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success
    con = duckdb.connect(str(warehouse), read_only=True)
    yield raw, con
    con.close()


def test_an_answer_with_extra_fields_is_unparseable_and_its_block_invalid(zone):
    _, con = zone
    issues = con.execute(
        "SELECT block, question_id, rule, severity, value, message FROM quality.issues "
        "WHERE path = ? ORDER BY block",
        [VALLENTUNA],
    ).fetchall()
    assert issues == [
        (
            "A_handlaggare",
            "handl_kvinnor",
            "unparseable_value",
            "error",
            "4,5",
            "handl_kvinnor på rad 6 har 3 fält i stället för två (fraga och svar), så svaret "
            "'4,5' går inte att tolka. " + COMMA_ADVICE.format('"4,5"'),
        ),
        (
            "B_handlaggare_utbildning",
            "handl_fortbildning",
            "unparseable_value",
            "error",
            "1 028,4",
            "handl_fortbildning på rad 13 har 3 fält i stället för två (fraga och svar), så "
            "svaret '1 028,4' går inte att tolka. " + COMMA_ADVICE.format('"1 028,4"'),
        ),
    ]
    statuses = dict(
        con.execute(
            "SELECT block, status FROM core.block_status WHERE path = ? "
            "AND block IN ('A_handlaggare', 'B_handlaggare_utbildning')",
            [VALLENTUNA],
        ).fetchall()
    )
    assert statuses == {"A_handlaggare": "invalid", "B_handlaggare_utbildning": "invalid"}


def test_a_metadata_row_with_extra_fields_rejects_the_file_with_its_reason_code(zone):
    _, con = zone
    row = con.execute(
        "SELECT status, reason_code, message FROM quality.file_ledger WHERE path = ?", [OSTERAKER]
    ).fetchone()
    assert row == (
        "rejected",
        "unknown_municipality",
        # Not quoted (a letter is no part of a number: schemas/quoting.py); the advice's example
        # is then the form's own.
        "kommunkod på rad 2 har 3 fält i stället för två (fraga och svar), så svaret "
        "går inte att tolka. " + COMMA_ADVICE.format('"5,5"'),
    )


def test_personal_data_with_extra_fields_is_dropped_and_never_echoed(zone):
    _, con = zone
    assert not con.execute(
        "SELECT * FROM core.file_answers WHERE question_id = 'kontaktperson'"
    ).fetchall()
    texts = con.execute(
        "SELECT string_agg(coalesce(value, '') || message, ' ') FROM quality.issues"
    ).fetchone()[0]
    assert "Öberg" not in texts and "socialtjänsten" not in texts


def test_the_validator_reports_the_same_for_the_file(zone):
    raw, con = zone
    pipeline = set(
        con.execute(
            "SELECT rule, question_id, severity, value, message FROM quality.issues WHERE path = ?",
            [VALLENTUNA],
        ).fetchall()
    )
    check = check_file(raw / VALLENTUNA)
    assert {(f.rule, f.question_id, f.severity, f.value, f.message) for f in check.findings} == (
        pipeline
    )
