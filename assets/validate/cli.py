"""`kompetens validate FIL`: the pipeline's own control of one submission, before it is sent in.

The municipality (or the statistics office at the counter) runs exactly what a refresh runs on
the file: the ledger's screening and year check (assets/ingest/ledger.py), the reader
(assets/ingest/reader.py) and the block validation (assets/validate/blocks.py). The file is
checked as if it were the only one of its municipality and year, so supersession, duplicates and
conflicts, which depend on the other files of the landing zone, cannot arise here. The findings
are told in the control reports' words (assets/feedback/control_reports.py), in Swedish, each
code beside its words.

No warehouse and no Dagster instance are needed. The exit code is the verdict: 0 clean,
1 warnings only, 2 errors (a fatal rejection or an error that makes a block invalid); 3 when the
validator cannot run at all (no such file, a bad argument). argparse's own code for a bad
argument, 2, would read as a verdict, so the parser exits 3 instead, and speaks Swedish.

    kompetens validate raw/2016/inventering/0180.csv
    python -m assets.validate.cli validate FIL --year 2016 --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import NoReturn

import polars as pl

from assets.ingest.landing_zone import SUBMISSIONS_FOLDER, LandingFile, relative_path
from assets.ingest.ledger import build_ledger, format_inlamnad, needs_content
from assets.ingest.reader import ReadResult, read_key, read_submission
from assets.validate.blocks import validate_submissions
from schemas.catalog import load_catalog, municipality_names
from schemas.contract import BLOCK_STATUS_WORDS, CONFLICT, REJECTED, SELECTED
from schemas.rules import ERROR, FATAL, FORM_SPECIFICATION, RULES, SEVERITIES, WARNING
from schemas.words import (
    block_text,
    ledger_status_text,
    rule_text,
    severity_counts_text,
    severity_text,
    with_code,
)

EXIT_CLEAN = 0
EXIT_WARNINGS = 1
EXIT_ERRORS = 2
EXIT_CANNOT_RUN = 3
_YEAR_FOLDER = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class FileFinding:
    """One problem, with the columns of quality.issues that describe it."""

    severity: str
    rule: str
    block: str | None
    question_id: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class FileCheck:
    path: str  # as the pipeline would name it: "<year>/inventering/…" inside a landing zone
    year_folder: int | None  # the year the file is checked against; None: no year check
    year_source: str | None  # where that year came from: "--year 2014" or "mappen 2016/"
    status: str  # the ledger status the file would get on its own
    kommunkod: str | None
    kommun: str | None
    ar: int | None
    inlamnad: str | None  # as the control reports show it: "2016-11-15", "2016-11-20 14:30:00"
    ledger_message: str
    findings: tuple[FileFinding, ...]
    blocks: dict[str, str]  # block → status, in the order of the form; empty unless selected

    @property
    def exit_code(self) -> int:
        severities = {finding.severity for finding in self.findings}
        if severities & {FATAL, ERROR}:
            return EXIT_ERRORS
        return EXIT_WARNINGS if WARNING in severities else EXIT_CLEAN


def check_file(file: Path, year: int | None = None) -> FileCheck:
    """Every finding the pipeline would report for `file` if it were the only submission.

    `year` is the year folder to check the file's `ar` against; without it, the year folder
    the file lies in (`<raw>/<year>/inventering/…`), else no year check. Never raises for bad
    content; a file that cannot be read from disk is rejected `unreadable`, like in the ledger.
    """
    file = Path(os.path.abspath(file))  # absolute without following a symlink
    path, folder_year, hidden = _place_in_landing_zone(file)
    is_symlink = file.is_symlink()
    landing_file = LandingFile(
        path=path,
        abs_path=file,
        year_folder=0,  # settled below: the content may be needed to know it
        size_bytes=None if is_symlink else file.lstat().st_size,
        is_symlink=is_symlink,
        is_dotfile=hidden,
    )
    sha256: dict[str, str] = {}
    reads: dict[str, ReadResult] = {}
    read = None
    if needs_content(landing_file):
        try:
            data = file.read_bytes()
        except OSError:
            data = None  # the ledger rejects a file without a hash as unreadable
        if data is not None:
            content_hash = hashlib.sha256(data).hexdigest()
            read = read_submission(data, file.suffix)
            sha256[path], reads[read_key(content_hash, path)] = content_hash, read
    year_folder = year if year is not None else folder_year
    year_source = f"--year {year}" if year is not None else _folder_source(folder_year)
    # Without a year folder the year cannot mismatch: check against the file's own year.
    checked_year = year_folder if year_folder is not None else (read.ar if read else 0)
    row = build_ledger([replace(landing_file, year_folder=checked_year)], sha256, reads)[0]
    if year is not None and row.reason_code == "year_mismatch":
        # The ledger says the file lies in a folder of that year; here the year came from --year.
        row = replace(
            row,
            message=f"Filen anger året {row.ar}, men enligt --year {year} ska den gälla {year}. "
            "Rätta året i filen, eller ange rätt år med --year.",
        )

    findings: list[FileFinding] = []
    blocks: dict[str, str] = {}
    if row.status in (REJECTED, CONFLICT):
        rule = row.reason_code or row.status
        findings.append(FileFinding(RULES[rule].severity, rule, None, None, None, row.message))
    elif row.status == SELECTED:
        findings.extend(
            FileFinding(RULES[f.rule].severity, f.rule, None, f.question_id, f.value, f.message)
            for f in read.findings
        )
        block_findings, blocks = _validated(row.path, sha256[path], read)
        findings.extend(block_findings)
    return FileCheck(
        path=row.path,
        year_folder=year_folder,
        year_source=year_source if year_folder is not None else None,
        status=row.status,
        kommunkod=row.kommunkod,
        kommun=municipality_names().get(row.kommunkod) if row.kommunkod else None,
        ar=row.ar,
        inlamnad=format_inlamnad(row.inlamnad) if row.inlamnad else None,
        ledger_message=row.message,
        findings=tuple(findings),
        blocks=blocks,
    )


def _folder_source(folder_year: int | None) -> str | None:
    return f"mappen {folder_year}/" if folder_year is not None else None


def _place_in_landing_zone(file: Path) -> tuple[str, int | None, bool]:
    """(path as the ledger names it, its year folder, hidden) for a file of
    `<raw>/<year>/inventering/…`; (file name, None, dot-file) for a file anywhere else. A name
    that is not valid UTF-8 is named as the ledger names it, its undecodable bytes escaped."""
    for folder in file.parents:
        if folder.name == SUBMISSIONS_FOLDER and _YEAR_FOLDER.fullmatch(folder.parent.name):
            inside = file.relative_to(folder).parts
            hidden = any(part.startswith(".") for part in inside)
            return relative_path(folder.parent.parent, file), int(folder.parent.name), hidden
    return relative_path(file.parent, file), None, file.name.startswith(".")


def _validated(
    path: str, content_hash: str, read: ReadResult
) -> tuple[list[FileFinding], dict[str, str]]:
    """The block validation's findings and the status of each block, in the order of the form."""
    submissions = pl.DataFrame(
        [{"path": path, "sha256": content_hash, "kommunkod": read.kommunkod, "ar": read.ar}]
    )
    answers = pl.DataFrame(
        [
            {
                "sha256": content_hash,
                "question_id": question_id,
                "answer_text": text,
                "unparseable_message": read.unparseable.get(question_id),
                "line": read.lines.get(question_id),
            }
            for question_id, text in read.answers.items()
        ],
        schema={
            "sha256": pl.String,
            "question_id": pl.String,
            "answer_text": pl.String,
            "unparseable_message": pl.String,
            "line": pl.Int64,
        },
    )
    validation = validate_submissions(submissions, answers)
    findings = [
        FileFinding(
            issue["severity"],
            issue["rule"],
            issue["block"],
            issue["question_id"],
            issue["value"],
            issue["message"],
        )
        for issue in validation.issues.iter_rows(named=True)
    ]
    statuses = dict(validation.block_status.select("block", "status").iter_rows())
    blocks = {block: statuses[block] for block in load_catalog().block_labels if block in statuses}
    return findings, blocks


def format_text(check: FileCheck) -> str:
    """The findings for a person, in Swedish."""
    lines = [f"Fil: {check.path}"]
    if check.kommunkod or check.ar:
        municipality = " ".join(part for part in (check.kommunkod, check.kommun) if part)
        lines.append(
            f"Kommun: {municipality or 'okänd'}, år: {check.ar or 'okänt'}, "
            f"inlämnad: {check.inlamnad or 'okänt'}"
        )
    if check.year_source:
        lines.append(f"Året kontrolleras mot {check.year_folder} enligt {check.year_source}.")
    elif check.status == SELECTED:
        lines.append("Året har inte jämförts med någon årsmapp (ange --year för att göra det).")
    lines.append(f"Status vid inlämning: {ledger_status_text(check.status)}")
    if check.ledger_message and not check.findings:
        lines.append(f"Besked: {check.ledger_message}")

    order = {severity: position for position, severity in enumerate(SEVERITIES)}
    findings = sorted(
        check.findings,
        key=lambda f: (order[f.severity], f.block or "", f.question_id or "", f.rule),
    )
    if findings:
        lines += ["", "Anmärkningar:"]
        for finding in findings:
            lines.append(f"  {severity_text(finding.severity)}: {rule_text(finding.rule)}")
            if where := _where(finding):
                lines.append(f"    {where}")
            lines.append(f"    {finding.message}")
    if check.blocks:
        lines += ["", "Blocken:"]
        lines += [
            f"  {block_text(block)}: {with_code(BLOCK_STATUS_WORDS[status], status)}"
            for block, status in check.blocks.items()
        ]
    lines.append("")
    if findings:
        lines.append(f"Summa: {severity_counts_text([f.severity for f in findings])}.")
        lines.append(
            f"Avsnitten hänvisar till {FORM_SPECIFICATION}, som beskriver varje regel och vad "
            "du ska göra."
        )
    else:
        lines.append("Inga anmärkningar.")
    return "\n".join(lines)


def _where(finding: FileFinding) -> str:
    """The block and question of a finding: Block A – Handläggare (A_handlaggare), fråga
    handl_totalt: Handläggare, totalt (årsarbetare)."""
    parts = [block_text(finding.block)] if finding.block else []
    if finding.question_id:
        question = load_catalog().get(finding.question_id)
        label = f": {question.label_sv}" if question else ""
        parts.append(f"fråga {finding.question_id}{label}")
    return ", ".join(parts)


def format_json(check: FileCheck) -> str:
    document = asdict(check)
    document["findings"] = [
        {
            **asdict(finding),
            "name": RULES[finding.rule].name,
            "description": RULES[finding.rule].description,
        }
        for finding in check.findings
    ]
    document["exit_code"] = check.exit_code
    return json.dumps(document, ensure_ascii=False, indent=2)


class _SwedishHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "användning: " if prefix is None else prefix)


# Python's argparse has no Swedish translation: the messages of the mistakes a person can make
# with this command, as Python 3.11 words them, in Swedish. Another message is shown as it is.
_ARGPARSE_IN_SWEDISH = (
    (re.compile(r"the following arguments are required: (.+)"), r"följande argument saknas: \1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"okända argument: \1"),
    (re.compile(r"invalid choice: (.+) \(choose from (.+)\)"), r"okänt val \1 (välj bland \2)"),
    (re.compile(r"expected one argument"), "ett värde saknas"),
    (re.compile(r"ignored explicit argument (.+)"), r"tar inget värde, men fick \1"),
)


def _in_swedish(message: str) -> str:
    for english, swedish in _ARGPARSE_IN_SWEDISH:
        message = english.sub(swedish, message)
    return message


class _SwedishArgumentParser(argparse.ArgumentParser):
    """argparse in Swedish, whose usage errors exit EXIT_CANNOT_RUN: its own code for them, 2,
    is this command's verdict "errors in the file". Its sub-commands' parsers are of this class
    too (argparse makes them of their parent's class)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(formatter_class=_SwedishHelpFormatter, add_help=False, **kwargs)
        # argparse titles its two groups of arguments in English.
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument(
            "-h", "--help", action="help", help="visa den här hjälptexten och avsluta"
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_CANNOT_RUN, f"{self.prog}: {_in_swedish(message)}\n")


def _year(text: str) -> int:
    if not _YEAR_FOLDER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"ska vara ett år med fyra siffror, till exempel 2016 (angivet: {text!r})"
        )
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = _SwedishArgumentParser(
        prog="kompetens", description="Kompetensinventeringen: kontroll av inskickade filer."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="KOMMANDO", title="kommandon"
    )
    validate = commands.add_parser(
        "validate",
        help="kontrollera en fil med pipelinens regler",
        description="Kör pipelinens inläsnings- och valideringsregler på en fil. "
        "Slutkod 0: inga anmärkningar, 1: bara varningar, 2: fel; "
        "3: kontrollen kunde inte köras (filen finns inte, felaktigt argument).",
        epilog=f"Reglerna beskrivs i {FORM_SPECIFICATION}.",
    )
    validate.add_argument("file", type=Path, metavar="FIL", help="filen som ska kontrolleras")
    validate.add_argument(
        "--year",
        type=_year,
        metavar="ÅR",
        help="året filen ska gälla (annars årsmappen <år>/inventering/ som filen ligger i)",
    )
    validate.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    file: Path = arguments.file
    if not file.is_symlink() and not file.is_file():
        # A name that is not valid UTF-8 is shown with its undecodable bytes escaped.
        shown = os.fsencode(file).decode("utf-8", "backslashreplace")
        print(f"kompetens: {shown} finns inte eller är inte en fil.", file=sys.stderr)
        return EXIT_CANNOT_RUN
    check = check_file(file, arguments.year)
    print(format_json(check) if arguments.json else format_text(check))
    return check.exit_code


if __name__ == "__main__":
    sys.exit(main())
