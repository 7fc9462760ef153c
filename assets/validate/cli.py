"""`kompetens validate FILE`: the pipeline's own control of one submission, before it is sent in.

The municipality (or the statistics office at the counter) runs exactly what a refresh runs on
the file: the ledger's screening and year check (assets/ingest/ledger.py), the reader
(assets/ingest/reader.py) and the block validation (assets/validate/blocks.py). The file is
checked as if it were the only one of its municipality and year, so supersession, duplicates and
conflicts, which depend on the other files of the landing zone, cannot arise here.

No warehouse and no Dagster instance are needed. Exit codes: 0 clean, 1 warnings only,
2 errors (a FATAL rejection or an ERROR that makes a block invalid), also for a FILE that
cannot be found.

    kompetens validate raw/2016/inventering/0180.csv
    python -m assets.validate.cli validate FILE --year 2016 --json
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

import polars as pl

from assets.ingest.landing_zone import SUBMISSIONS_FOLDER, LandingFile
from assets.ingest.ledger import build_ledger, needs_content
from assets.ingest.reader import ReadResult, read_key, read_submission
from assets.validate.blocks import validate_submissions
from schemas.contract import CONFLICT, REJECTED, SELECTED
from schemas.rules import ERROR, FATAL, RULES, WARNING

EXIT_CLEAN = 0
EXIT_WARNINGS = 1
EXIT_ERRORS = 2
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
    status: str  # the ledger status the file would get on its own
    kommunkod: str | None
    ar: int | None
    ledger_message: str
    findings: tuple[FileFinding, ...]

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
    # Without a year folder the year cannot mismatch: check against the file's own year.
    checked_year = year_folder if year_folder is not None else (read.ar if read else 0)
    row = build_ledger([replace(landing_file, year_folder=checked_year)], sha256, reads)[0]

    findings: list[FileFinding] = []
    if row.status in (REJECTED, CONFLICT):
        rule = row.reason_code or row.status
        findings.append(FileFinding(RULES[rule].severity, rule, None, None, None, row.message))
    elif row.status == SELECTED:
        findings.extend(
            FileFinding(RULES[f.rule].severity, f.rule, None, f.question_id, f.value, f.message)
            for f in read.findings
        )
        findings.extend(_block_findings(row.path, sha256[path], read))
    return FileCheck(
        path=row.path,
        year_folder=year_folder,
        status=row.status,
        kommunkod=row.kommunkod,
        ar=row.ar,
        ledger_message=row.message,
        findings=tuple(findings),
    )


def _place_in_landing_zone(file: Path) -> tuple[str, int | None, bool]:
    """(path as the ledger names it, its year folder, hidden) for a file of
    `<raw>/<year>/inventering/…`; (file name, None, dot-file) for a file anywhere else."""
    for folder in file.parents:
        if folder.name == SUBMISSIONS_FOLDER and _YEAR_FOLDER.fullmatch(folder.parent.name):
            inside = file.relative_to(folder).parts
            hidden = any(part.startswith(".") for part in inside)
            return (
                file.relative_to(folder.parent.parent).as_posix(),
                int(folder.parent.name),
                hidden,
            )
    return file.name, None, file.name.startswith(".")


def _block_findings(path: str, content_hash: str, read: ReadResult) -> list[FileFinding]:
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
            }
            for question_id, text in read.answers.items()
        ],
        schema={
            "sha256": pl.String,
            "question_id": pl.String,
            "answer_text": pl.String,
            "unparseable_message": pl.String,
        },
    )
    issues = validate_submissions(submissions, answers).issues
    return [
        FileFinding(
            issue["severity"],
            issue["rule"],
            issue["block"],
            issue["question_id"],
            issue["value"],
            issue["message"],
        )
        for issue in issues.iter_rows(named=True)
    ]


_SEVERITY_ORDER = {FATAL: 0, ERROR: 1, WARNING: 2}


def format_text(check: FileCheck) -> str:
    """The findings for a person, in Swedish."""
    lines = [f"Fil: {check.path}"]
    if check.kommunkod or check.ar:
        lines.append(f"Kommun: {check.kommunkod or 'okänd'}, år: {check.ar or 'okänt'}")
    if check.year_folder is None and check.status == SELECTED:
        lines.append("Året har inte jämförts med någon årsmapp (ange --year för att göra det).")
    lines.append(
        f"Status: {check.status}" + (f": {check.ledger_message}" if check.ledger_message else "")
    )
    findings = sorted(
        check.findings,
        key=lambda f: (_SEVERITY_ORDER[f.severity], f.block or "", f.question_id or "", f.rule),
    )
    for finding in findings:
        where = " ".join(part for part in (finding.block, finding.question_id) if part)
        lines.append(
            f"{finding.severity.upper():8} {finding.rule}"
            + (f" ({where})" if where else "")
            + f": {finding.message}"
        )
    counts = {
        severity: sum(f.severity == severity for f in findings) for severity in _SEVERITY_ORDER
    }
    if findings:
        lines.append(
            f"Summa: {counts[FATAL]} fatala, {counts[ERROR]} fel, {counts[WARNING]} varningar."
        )
    else:
        lines.append("Inga anmärkningar.")
    return "\n".join(lines)


def format_json(check: FileCheck) -> str:
    document = asdict(check)
    document["findings"] = [
        {**asdict(finding), "description": RULES[finding.rule].description}
        for finding in check.findings
    ]
    document["exit_code"] = check.exit_code
    return json.dumps(document, ensure_ascii=False, indent=2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kompetens", description="Kompetensinventeringen: kontroll av inskickade filer."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser(
        "validate",
        help="kontrollera en fil med pipelinens regler",
        description="Kör pipelinens inläsnings- och valideringsregler på en fil. "
        "Slutkod 0: inga anmärkningar, 1: bara varningar, 2: fel.",
    )
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.add_argument(
        "--year", type=int, help="året filen ska gälla (annars årsmappen filen ligger i)"
    )
    validate.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    file: Path = arguments.file
    if not file.is_symlink() and not file.is_file():
        print(f"kompetens: {file} finns inte eller är inte en fil.", file=sys.stderr)
        return EXIT_ERRORS
    check = check_file(file, arguments.year)
    output = format_json(check) if arguments.json else format_text(check)
    # A file name that is not valid UTF-8 must not make the report itself fail to print.
    print(output.encode("utf-8", "backslashreplace").decode("utf-8"))
    return check.exit_code


if __name__ == "__main__":
    sys.exit(main())
