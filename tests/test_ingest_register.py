"""read_grant_register: contract section 6 (rekvisitioner.csv)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assets.ingest.register import read_grant_register, read_grant_registers, stop_message
from schemas.catalog import municipality_codes

HEADER = "kommunkod;andamal;fordelat_sek;rekvirerat_sek;aterbetalt_sek"


def register(*lines: str, others: bool = True) -> bytes:
    """A register with the given lines first, then (others=True) a zero line per purpose
    for every municipality not mentioned in them."""
    mentioned = {line.split(";")[0] for line in lines}
    filler = [
        f"{kommunkod};{andamal};0;0;0"
        for kommunkod in sorted(municipality_codes() - mentioned)
        for andamal in ("inventering", "kompetensutveckling")
        if others
    ]
    return ("\n".join([HEADER, *lines, *filler]) + "\n").encode()


def rules(read) -> list[tuple[str, int | None]]:
    return [(problem.rule, problem.line) for problem in read.problems]


def test_complete_register_gives_one_row_per_municipality_and_purpose():
    read = read_grant_register(
        register("0180;inventering;250000;250000;0", "0180;kompetensutveckling;3056887;3056887;12"),
        2013,
    )
    assert read.problems == []
    assert len(read.rows) == 290 * 2
    stockholm = [row for row in read.rows if row["kommunkod"] == "0180"]
    assert stockholm == [
        {
            "ar": 2013,
            "kommunkod": "0180",
            "andamal": "inventering",
            "fordelat_sek": 250000,
            "rekvirerat_sek": 250000,
            "aterbetalt_sek": 0,
        },
        {
            "ar": 2013,
            "kommunkod": "0180",
            "andamal": "kompetensutveckling",
            "fordelat_sek": 3056887,
            "rekvirerat_sek": 3056887,
            "aterbetalt_sek": 12,
        },
    ]


def test_bom_and_crlf_are_tolerated():
    data = b"\xef\xbb\xbf" + register(
        "0180;inventering;1;1;0", "0180;kompetensutveckling;0;0;0"
    ).replace(b"\n", b"\r\n")
    read = read_grant_register(data, 2014)
    assert read.problems == []
    assert len(read.rows) == 290 * 2


def test_not_utf8_is_register_unreadable():
    data = register("0180;inventering;1;1;0") + "2403;inventering;0;0;0 Bjurholm åäö\n".encode(
        "cp1252"
    )
    read = read_grant_register(data, 2014)
    assert read.rows == []
    # The Windows-1252 å is on the line after the header, 0180's line and 289 × 2 filler lines.
    assert rules(read) == [("register_unreadable", 581)]
    assert str(read.problems[0]) == (
        "2014/rekvisitioner.csv rad 581: filen är inte UTF-8 (byte 0xe5). Spara den som UTF-8."
    )


def test_wrong_header_is_register_unreadable():
    data = register("0180;inventering;1;1;0").replace(b"andamal;fordelat", b"fordelat;andamal")
    read = read_grant_register(data, 2014)
    assert read.rows == []
    assert rules(read) == [("register_unreadable", 1)]
    assert "rubrikraden ska vara kommunkod;andamal;fordelat_sek" in read.problems[0].problem


def test_comma_delimited_file_is_register_unreadable():
    read = read_grant_register(
        HEADER.replace(";", ",").encode() + b"\n0180,inventering,1,1,0\n", 2014
    )
    assert rules(read) == [("register_unreadable", 1)]


def test_empty_file_is_register_unreadable():
    assert rules(read_grant_register(b"", 2014)) == [("register_unreadable", None)]


def test_amount_that_is_not_plain_whole_kronor_is_register_bad_row():
    read = read_grant_register(
        register(
            "0180;inventering;250 000;250000;0",
            "0180;kompetensutveckling;1000,50;0;0",
            "1280;inventering;-5;0;0",
            "1280;kompetensutveckling;;0;0",
        ),
        2014,
    )
    assert rules(read) == [
        ("register_bad_row", 2),
        ("register_bad_row", 3),
        ("register_bad_row", 4),
        ("register_bad_row", 5),
    ]
    assert str(read.problems[0]).startswith(
        "2014/rekvisitioner.csv rad 2: fordelat_sek '250 000' är inte ett helt antal kronor ≥ 0."
    )
    assert not any(row["kommunkod"] in ("0180", "1280") for row in read.rows)


def test_wrong_field_count_or_purpose_is_register_bad_row():
    read = read_grant_register(
        register("0180;inventering;1;1", "0180;utbildning;1;1;0", "1280;inventering;1;1;0;x"), 2014
    )
    assert rules(read) == [
        ("register_bad_row", 2),
        ("register_bad_row", 3),
        ("register_bad_row", 4),
        # None of the three lines is a row for a purpose: 0180 and 1280 have neither.
        ("register_missing_row", None),
        ("register_missing_row", None),
    ]
    assert read.problems[1].problem == (
        "ändamålet 'utbildning' är varken inventering eller kompetensutveckling."
    )


def test_unknown_kommunkod_is_register_unknown_municipality():
    read = read_grant_register(register("9999;inventering;1;1;0"), 2014)
    assert rules(read) == [("register_unknown_municipality", 2)]
    assert "'9999'" in read.problems[0].problem
    assert len(read.rows) == 580


def test_kommunkod_without_leading_zero_is_read_as_four_digits():
    read = read_grant_register(
        register("180;inventering;7;7;0", "0180;kompetensutveckling;0;0;0"), 2014
    )
    assert read.problems == []
    assert {"ar": 2014, "kommunkod": "0180", "andamal": "inventering", "fordelat_sek": 7,
            "rekvirerat_sek": 7, "aterbetalt_sek": 0} in read.rows  # fmt: skip


def test_same_municipality_and_purpose_twice_is_register_duplicate_row_both_dropped():
    read = read_grant_register(
        register(
            "0180;inventering;1;1;0",
            "0180;kompetensutveckling;5;5;0",
            "0180;inventering;2;2;0",
        ),
        2014,
    )
    assert rules(read) == [("register_duplicate_row", 2)]
    assert "(rad 2 och 4)" in read.problems[0].problem
    stockholm = [
        (row["andamal"], row["fordelat_sek"]) for row in read.rows if row["kommunkod"] == "0180"
    ]
    assert stockholm == [("kompetensutveckling", 5)]


def test_municipalities_without_any_row_are_one_register_missing_municipality():
    lines = [
        f"{kommunkod};{andamal};0;0;0"
        for kommunkod in sorted(municipality_codes() - {"0114", "2403"})
        for andamal in ("inventering", "kompetensutveckling")
    ]
    read = read_grant_register(
        register(*lines, "2403;inventering;0;0;0", "2403;kompetensutveckling;x;0;0", others=False),
        2015,
    )
    # 2403 has its rows (one of them bad), so it is not missing; 0114 has none.
    assert rules(read) == [("register_bad_row", 579), ("register_missing_municipality", None)]
    assert str(read.problems[1]).startswith("2015/rekvisitioner.csv: kommun 0114 saknas.")
    header_only = read_grant_register(register(others=False), 2015)
    assert rules(header_only) == [("register_missing_municipality", None)]
    assert header_only.problems[0].problem.startswith("290 kommuner saknas: 0114, 0115, ")


def test_a_municipality_without_its_row_for_a_purpose_is_register_missing_row():
    """Contract section 6, amended 2026-12-07: a missing (kommunkod, andamal) row stops the
    refresh like every other register problem. A row with an unknown purpose is no row for
    either purpose; a row with a bad amount is the purpose's row, reported for its amount."""
    read = read_grant_register(
        register(
            "0180;inventering;250000;250000;0",
            "1280;kompetensutveckling;1 000;0;0",
            "2403;utbildning;0;0;0",
            "1480;kompetensutveckling;0;0;0",
        ),
        2016,
    )
    assert rules(read) == [
        ("register_bad_row", 3),
        ("register_bad_row", 4),
        ("register_missing_row", None),
        ("register_missing_row", None),
    ]
    assert [str(problem) for problem in read.problems[2:]] == [
        (
            "2016/rekvisitioner.csv: ändamålet inventering saknas för 3 kommuner: 1280, 1480 och "
            "2403. Varje kommun ska ha en rad per ändamål, med 0 där inget rekvirerats."
        ),
        (
            "2016/rekvisitioner.csv: ändamålet kompetensutveckling saknas för 2 kommuner: 0180 och "
            "2403. Varje kommun ska ha en rad per ändamål, med 0 där inget rekvirerats."
        ),
    ]
    assert {(row["kommunkod"], row["andamal"]) for row in read.rows} >= {
        ("0180", "inventering"),
        ("1480", "kompetensutveckling"),
    }


def test_only_a_year_folder_with_submissions_needs_a_register(tmp_path):
    for ar in (2013, 2014, 2015):
        (tmp_path / str(ar) / "inventering").mkdir(parents=True)
    (tmp_path / "2015" / "rekvisitioner.csv").write_bytes(register())
    read = read_grant_registers(tmp_path, {2013, 2014, 2015}, years_with_submissions={2014, 2015})
    assert [(problem.rule, problem.path) for problem in read.problems] == [
        ("register_missing", "2014/rekvisitioner.csv")
    ]
    assert {row["ar"] for row in read.rows} == {2015}


def test_the_stop_message_lists_every_problem_with_file_and_line():
    read = read_grant_register(
        register(
            "0180;inventering;5 000;0;0", "9999;inventering;0;0;0", "0180;kompetensutveckling;0;0;0"
        ),
        2016,
    )
    assert stop_message(read.problems).splitlines() == [
        (
            "Rekvisitionsregistren har 2 problem. Registren avgör vilka kommuner som räknas var, "
            "så uppdateringen stoppas och det publicerade lagret lämnas som det var. Rätta filerna "
            "och kör uppdateringen igen."
        ),
        (
            "- 2016/rekvisitioner.csv rad 2: fordelat_sek '5 000' är inte ett helt antal kronor "
            "≥ 0. Skriv bara siffror, utan mellanslag eller decimaler (5000)."
        ),
        (
            "- 2016/rekvisitioner.csv rad 3: kommunkoden '9999' är inte en av de 290 "
            "kommunkoderna. Ange kommunens fyrsiffriga kod."
        ),
    ]


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data):
    read = read_grant_register(HEADER.encode() + b"\n" + data, 2016)
    assert all(problem.problem for problem in read.problems)


def test_a_purpose_no_row_of_the_register_uses_is_not_missing():
    """The registers of 2014-2016 list only kompetensutveckling (the inventory grant was paid in
    2013): a purpose is expected of every municipality once the register uses it."""
    lines = [f"{kommunkod};kompetensutveckling;0;0;0" for kommunkod in sorted(municipality_codes())]
    read = read_grant_register(("\n".join([HEADER, *lines]) + "\n").encode(), 2015)
    assert rules(read) == []
    assert len(read.rows) == 290
