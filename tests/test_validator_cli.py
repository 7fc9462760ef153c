"""The validator CLI (`kompetens validate FILE`) against the pipeline, on the small landing zone.

The pipeline's findings for each file come from quality.issues of the session's small warehouse;
the CLI must report the same (rule, question, severity) for every file, and exit 0 / 1 / 2 by its
verdict, or 3 when it cannot run. It tells a person its findings in Swedish words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assets.validate.cli import EXIT_CANNOT_RUN, check_file, main
from tests.landing_zone_fixture import EXPECTED_LEDGER, MALMO_2016, STOCKHOLM_2016, write_csv

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Worked out by hand from tests/landing_zone_fixture.py: malmo.csv breaks A (19 + 2 ≠ 22),
# bjurholm.csv leaves C_ebp_placerade_barn partly answered, goteborg.csv has an unknown question,
# anteckningar.txt and fel_rubrik.csv are rejected; everything else is clean.
EXPECTED_EXIT_CODES = {path: 0 for path in EXPECTED_LEDGER} | {
    "2016/inventering/malmo.csv": 2,
    "2016/inventering/bjurholm.csv": 2,
    "2016/inventering/goteborg.csv": 1,
    "2016/inventering/anteckningar.txt": 2,
    "2016/inventering/fel_rubrik.csv": 2,
}


def _raw_dir(small_warehouse: Path) -> Path:
    return small_warehouse.parent.parent / "raw"


def _pipeline_findings(small_db, path: str) -> set[tuple]:
    return set(
        small_db.execute(
            "SELECT rule, question_id, severity FROM quality.issues WHERE path = ?", [path]
        ).fetchall()
    )


@pytest.mark.parametrize("path", sorted(EXPECTED_LEDGER))
def test_validator_and_pipeline_agree_on_every_fixture_file(
    small_warehouse, small_db, path, capsys
):
    file = _raw_dir(small_warehouse) / path
    check = check_file(file)
    assert check.path == path
    cli_findings = {(f.rule, f.question_id, f.severity) for f in check.findings}
    assert cli_findings == _pipeline_findings(small_db, path)

    exit_code = main(["validate", str(file), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert exit_code == document["exit_code"] == EXPECTED_EXIT_CODES[path]
    assert {
        (f["rule"], f["question_id"], f["severity"]) for f in document["findings"]
    } == cli_findings


def test_the_installed_command_runs_as_a_module_with_the_same_exit_code(small_warehouse, small_db):
    path = "2016/inventering/malmo.csv"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "assets.validate.cli",
            "validate",
            str(_raw_dir(small_warehouse) / path),
            "--json",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    assert {(f["rule"], f["question_id"], f["severity"]) for f in findings} == _pipeline_findings(
        small_db, path
    )
    assert ("A_handl_kon_summa", "handl_totalt", "error") in {
        (f["rule"], f["question_id"], f["severity"]) for f in findings
    }


def test_year_mismatch_against_the_year_option(tmp_path, capsys):
    file = tmp_path / "malmo.csv"
    write_csv(file, MALMO_2016)  # ar 2016
    assert main(["validate", str(file), "--year", "2015"]) == 2
    assert "(year_mismatch)" in capsys.readouterr().out
    # Outside a landing zone and without --year there is no year folder to compare with.
    assert [f.rule for f in check_file(file).findings] == ["A_handl_kon_summa"]
    main(["validate", str(file)])
    assert "Året har inte jämförts med någon årsmapp" in capsys.readouterr().out


def test_year_mismatch_against_the_year_folder(tmp_path, capsys):
    file = tmp_path / "raw" / "2015" / "inventering" / "malmo.csv"
    write_csv(file, MALMO_2016)
    check = check_file(file)
    assert (check.path, check.status) == ("2015/inventering/malmo.csv", "rejected")
    assert [f.rule for f in check.findings] == ["year_mismatch"]
    assert main(["validate", str(file)]) == 2
    output = capsys.readouterr().out
    assert "Året kontrolleras mot 2015 enligt mappen 2015/." in output
    assert "Filen anger året 2016 men ligger i mappen 2015." in output


def test_the_year_option_is_named_as_the_year_source_not_the_folder(tmp_path, capsys):
    # The file lies in 2016/ and says 2016; --year 2014 is what it is checked against.
    file = tmp_path / "raw" / "2016" / "inventering" / "malmo.csv"
    write_csv(file, MALMO_2016)
    assert main(["validate", str(file), "--year", "2014"]) == 2
    output = capsys.readouterr().out
    assert "Året kontrolleras mot 2014 enligt --year 2014." in output
    assert "Filen anger året 2016, men enligt --year 2014 ska den gälla 2014." in output
    assert "mappen 2014" not in output


def test_symlink_is_rejected_and_never_followed(tmp_path):
    target = tmp_path / "real.csv"
    write_csv(target, MALMO_2016)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert [(f.rule, f.severity) for f in check_file(link).findings] == [("symlink", "fatal")]


def test_too_large_file_is_rejected_unread(tmp_path):
    file = tmp_path / "stor.csv"
    file.write_bytes(b"fraga;svar\n" + b"x" * 1_048_576)
    assert [f.rule for f in check_file(file).findings] == ["too_large"]


def test_a_missing_file_cannot_be_checked_and_exits_3(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "finns_inte.csv")]) == EXIT_CANNOT_RUN == 3
    assert "finns inte" in capsys.readouterr().err


# Issue 23 point 10: a file name in Latin-1 (Ödeshög), not UTF-8, as a Windows share or an old
# zip archive leaves it. The validator names it as the ledger does (its bytes escaped) and judges
# the file; the process never dies of the name, whatever it prints to.
LATIN1_NAME = b"\xd6desh\xf6g.csv"
LEDGER_NAME = "2016/inventering/\\xd6desh\\xf6g.csv"


def _validate_in_a_process(*arguments: str | bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assets.validate.cli", "validate", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=False,
        # A stdout in UTF-8 cannot take the name's surrogate escapes: what broke the validator.
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_a_file_name_not_in_utf8_is_judged_like_any_other(tmp_path, as_json):
    folder = tmp_path / "raw" / "2016" / "inventering"
    folder.mkdir(parents=True)
    file = os.fsencode(folder) + b"/" + LATIN1_NAME
    with open(file, "wb") as handle:
        handle.write(b"fraga;svar\nkommunkod;0180\nar;2016\ninlamnad;2016-11-20\nokand_fraga;1\n")

    completed = _validate_in_a_process(file, *(["--json"] if as_json else []))

    assert completed.returncode == 1, completed.stderr  # one warning: the unknown question
    assert b"Traceback" not in completed.stderr
    output = completed.stdout.decode("utf-8")
    if as_json:
        document = json.loads(output)
        assert document["path"] == LEDGER_NAME
        assert [f["rule"] for f in document["findings"]] == ["unknown_question"]
    else:
        assert LEDGER_NAME in output
    # The same as the pipeline's ledger and issues for that file (tests/test_conformance.py).
    check = check_file(Path(os.fsdecode(file)))
    assert (check.path, check.status) == (LEDGER_NAME, "selected")


def test_a_missing_file_whose_name_is_not_in_utf8_exits_3_in_swedish(tmp_path):
    completed = _validate_in_a_process(os.fsencode(tmp_path) + b"/" + LATIN1_NAME)

    assert completed.returncode == EXIT_CANNOT_RUN
    assert completed.stderr.decode("utf-8").endswith(
        "\\xd6desh\\xf6g.csv finns inte eller är inte en fil.\n"
    )


# argparse's English, which must not reach a person.
ARGPARSE_ENGLISH = ("usage", "error", "required", "arguments", "options", "invalid", "expected")


@pytest.mark.parametrize(
    ("argv", "swedish"),
    [
        ([], "kompetens: följande argument saknas: KOMMANDO"),
        (["kontrollera"], "okänt val 'kontrollera' (välj bland 'validate')"),
        (["validate"], "kompetens validate: följande argument saknas: FIL"),
        (["validate", "a.csv", "--ar", "2016"], "kompetens: okända argument: --ar 2016"),
        (["validate", "a.csv", "--year", "x"], "argument --year: ska vara ett år med fyra siffror"),
        (["validate", "a.csv", "--year", "16"], "ska vara ett år med fyra siffror"),
        (["validate", "a.csv", "--year"], "argument --year: ett värde saknas"),
        (["validate", "a.csv", "--json=ja"], "argument --json: tar inget värde, men fick 'ja'"),
    ],
)
def test_a_bad_argument_exits_3_in_swedish(argv, swedish, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == EXIT_CANNOT_RUN
    message = capsys.readouterr().err
    assert message.startswith("användning: kompetens")
    assert swedish in message
    assert not [word for word in ARGPARSE_ENGLISH if word in message.lower()]


def test_the_help_is_swedish_and_names_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["validate", "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("användning: kompetens validate [-h] [--year ÅR] [--json] FIL")
    assert "Slutkod 0: inga anmärkningar, 1: bara varningar, 2: fel; 3: kontrollen kunde" in text
    assert "argument: FIL" in text and "flaggor: -h, --help visa den här hjälptexten" in text
    assert not [word for word in ARGPARSE_ENGLISH if word in text.lower()]


def _text(small_warehouse, path: str, capsys) -> str:
    main(["validate", str(_raw_dir(small_warehouse) / path)])
    return capsys.readouterr().out


def test_the_findings_are_told_in_words_with_their_codes_beside(small_warehouse, capsys):
    malmo = _text(small_warehouse, "2016/inventering/malmo.csv", capsys)
    assert "Kommun: 1280 Malmö, år: 2016, inlämnad: 2016-11-15\n" in malmo
    assert "Status vid inlämning: Används (selected): filen är den som gäller" in malmo
    assert (
        "  Fel (error): Kvinnor + män ska vara lika med totalt (A_handl_kon_summa), avsnitt 4\n"
        "    Block A – Handläggare (A_handlaggare), fråga handl_totalt: Handläggare, totalt "
        "(årsarbetare)\n"
        "    handl_kvinnor 19 + handl_man 2 = 21 men handl_totalt är 22."
    ) in malmo
    assert "  Block A – Handläggare (A_handlaggare): Ogiltigt (invalid)\n" in malmo
    assert "  Block D – Arbetsledare (D_arbetsledare): Ej besvarat (not_answered)\n" in malmo
    assert "Summa: 0 allvarliga fel, 1 fel, 0 varningar." in malmo

    rejected = _text(small_warehouse, "2016/inventering/anteckningar.txt", capsys)
    assert "Status vid inlämning: Avvisad (rejected): filen kan inte användas." in rejected
    assert (
        "Allvarligt fel (fatal): Filtypen är varken CSV eller XLSX (unsupported_type)" in rejected
    )
    assert "Summa: 1 allvarligt fel, 0 fel, 0 varningar." in rejected


@pytest.mark.parametrize(
    ("unknown_questions", "summary"),
    [
        (1, "Summa: 0 allvarliga fel, 0 fel, 1 varning."),
        (2, "Summa: 0 allvarliga fel, 0 fel, 2 varningar."),
    ],
)
def test_the_counts_agree_with_their_number(tmp_path, capsys, unknown_questions, summary):
    # Stockholm's clean 2016 file with questions the catalog does not have: one warning each.
    extra = [(f"extra_{number}", "1") for number in range(unknown_questions)]
    file = tmp_path / "raw" / "2016" / "inventering" / "stockholm.csv"
    write_csv(file, STOCKHOLM_2016 + extra)
    assert main(["validate", str(file)]) == 1
    assert summary in capsys.readouterr().out
