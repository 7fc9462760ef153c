"""Control reports (kontrollrapporter): what the pipeline found in each file, for the municipality.

Modelled on Statistics Norway's KOSTRA control program: one short report per file of the ledger
(HTML and Markdown, in Swedish) with the municipality, the file, its status and every problem
with its severity, question, the value found, the rule in plain words and what to do; and an
index listing each municipality with its worst severity.

Pure: no Dagster, no DuckDB. File names and answers are hostile input: every file-derived text is
escaped (HTML and Markdown), and report file names are built from a safe alphabet only.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from assets.folders import replace_folder
from schemas.contract import LEDGER_STATUSES
from schemas.rules import ERROR, FATAL, RULES, SEVERITIES, WARNING

UNKNOWN_YEAR_FOLDER = "okant_ar"
NO_PROBLEMS = "inga"
SEVERITY_LABELS = {
    FATAL: "FATAL: filen avvisas och används inte",
    ERROR: "ERROR: blocket är ogiltigt och räknas inte i någon tabell",
    WARNING: "WARNING: kontrollera uppgiften; den används",
    NO_PROBLEMS: "Inga anmärkningar",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#!])")  # < > & are HTML-escaped first


@dataclass(frozen=True)
class LedgerFile:
    """One row of quality.file_ledger, with the municipality's name."""

    path: str
    kommunkod: str | None
    kommun: str | None
    ar: int | None
    inlamnad: datetime | None
    status: str
    reason_code: str | None
    message: str


@dataclass(frozen=True)
class Problem:
    """One row of quality.issues, with the question's label from the catalog."""

    severity: str
    rule: str
    block: str | None
    question_id: str | None
    question_label: str | None
    value: str | None
    message: str


def year_folder(ledger_file: LedgerFile) -> str:
    """The folder of its report: the file's year, or okant_ar when no year could be read."""
    return str(ledger_file.ar) if ledger_file.ar is not None else UNKNOWN_YEAR_FOLDER


def report_stem(path: str) -> str:
    """A safe, unique file name stem for the report of `path` (paths are unique in the ledger)."""
    readable = _SAFE_NAME.sub("_", PurePosixPath(path).name).strip("_")[:60] or "fil"
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{readable}-{digest[:10]}"


def report_location(ledger_file: LedgerFile) -> str:
    """Where its report lies, relative to the kontrollrapporter folder, without extension."""
    return f"{year_folder(ledger_file)}/{report_stem(ledger_file.path)}"


def worst_severity(problems: list[Problem]) -> str:
    for severity in SEVERITIES:  # ordered worst first
        if any(problem.severity == severity for problem in problems):
            return severity
    return NO_PROBLEMS


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {severity: position for position, severity in enumerate(SEVERITIES)}
    return sorted(
        problems,
        key=lambda p: (
            order.get(p.severity, len(order)),
            p.block or "",
            p.question_id or "",
            p.rule,
        ),
    )


def _municipality(ledger_file: LedgerFile) -> str:
    if ledger_file.kommunkod is None:
        return "okänd (kommunkoden kunde inte läsas)"
    return f"{ledger_file.kommunkod} {ledger_file.kommun or ''}".strip()


def _facts(ledger_file: LedgerFile, problems: list[Problem]) -> list[tuple[str, str]]:
    facts = [
        ("Kommun", _municipality(ledger_file)),
        ("År", str(ledger_file.ar) if ledger_file.ar is not None else "okänt"),
        ("Fil", ledger_file.path),
        ("Inlämnad", ledger_file.inlamnad.isoformat(sep=" ") if ledger_file.inlamnad else "okänt"),
        ("Status", LEDGER_STATUSES.get(ledger_file.status, ledger_file.status)),
        ("Allvarligaste anmärkning", SEVERITY_LABELS[worst_severity(problems)]),
    ]
    if ledger_file.message:
        facts.insert(5, ("Besked", ledger_file.message))
    return facts


def _problem_cells(problem: Problem) -> list[str]:
    question = problem.question_id or "(hela filen)"
    if problem.question_label:
        question += f": {problem.question_label}"
    rule = RULES.get(problem.rule)
    return [
        problem.severity.upper(),
        problem.block or "",
        question,
        "" if problem.value is None else problem.value,
        f"{problem.rule}: {rule.description}" if rule else problem.rule,
        problem.message,
    ]


_PROBLEM_HEADERS = [
    "Allvarlighet",
    "Block",
    "Fråga",
    "Värde i filen",
    "Regel",
    "Vad som hittades och vad du ska göra",
]
_TITLE = "Kontrollrapport, kompetensinventering"


def control_report_markdown(ledger_file: LedgerFile, problems: list[Problem]) -> str:
    lines = [f"# {_TITLE}", ""]
    lines += [f"- **{label}:** {_md(value)}" for label, value in _facts(ledger_file, problems)]
    lines.append("")
    if problems:
        lines += [
            "## Anmärkningar",
            "",
            _md_row(_PROBLEM_HEADERS),
            _md_row(["---"] * len(_PROBLEM_HEADERS)),
        ]
        lines += [_md_row([_md(cell) for cell in _problem_cells(p)]) for p in _sorted(problems)]
    else:
        lines.append("Inga anmärkningar.")
    return "\n".join(lines) + "\n"


def control_report_html(ledger_file: LedgerFile, problems: list[Problem]) -> str:
    facts = "".join(
        f"<tr><th>{_h(label)}</th><td>{_h(value)}</td></tr>"
        for label, value in _facts(ledger_file, problems)
    )
    if problems:
        header = "".join(f"<th>{_h(cell)}</th>" for cell in _PROBLEM_HEADERS)
        rows = "".join(
            f'<tr class="{_h(p.severity)}">'
            + "".join(f"<td>{_h(c)}</td>" for c in _problem_cells(p))
            + "</tr>"
            for p in _sorted(problems)
        )
        body = f"<h2>Anmärkningar</h2><table><tr>{header}</tr>{rows}</table>"
    else:
        body = "<p>Inga anmärkningar.</p>"
    return _html_page(_TITLE, f"<table>{facts}</table>{body}", back_link="../index.html")


def index_markdown(entries: list[tuple[LedgerFile, list[Problem]]]) -> str:
    lines = [
        "# Kontrollrapporter, kompetensinventering",
        "",
        _md_row(["Kommun", "Allvarligaste anmärkning", "Rapporter"]),
        _md_row(["---"] * 3),
    ]
    for municipality, worst, files in _index_rows(entries):
        links = ", ".join(f"[{_md(_link_text(f))}]({report_location(f)}.md)" for f in files)
        lines.append(_md_row([_md(municipality), worst.upper(), links]))
    return "\n".join(lines) + "\n"


def index_html(entries: list[tuple[LedgerFile, list[Problem]]]) -> str:
    rows = "".join(
        f'<tr class="{_h(worst)}"><td>{_h(municipality)}</td><td>{_h(worst.upper())}</td><td>'
        + ", ".join(
            f'<a href="{_h(report_location(f))}.html">{_h(_link_text(f))}</a>' for f in files
        )
        + "</td></tr>"
        for municipality, worst, files in _index_rows(entries)
    )
    table = f"<table><tr><th>Kommun</th><th>Allvarligaste anmärkning</th><th>Rapporter</th></tr>{rows}</table>"
    return _html_page("Kontrollrapporter, kompetensinventering", table, back_link=None)


def _index_rows(
    entries: list[tuple[LedgerFile, list[Problem]]],
) -> list[tuple[str, str, list[LedgerFile]]]:
    """(municipality, its worst severity over all its files, its files); files without a
    readable kommunkod last, as one row."""
    by_municipality: dict[str | None, list[tuple[LedgerFile, list[Problem]]]] = {}
    for ledger_file, problems in entries:
        by_municipality.setdefault(ledger_file.kommunkod, []).append((ledger_file, problems))
    rows = []
    for kommunkod in sorted(by_municipality, key=lambda code: (code is None, code or "")):
        group = by_municipality[kommunkod]
        all_problems = [problem for _, problems in group for problem in problems]
        files = sorted((f for f, _ in group), key=lambda f: f.path)
        rows.append((_municipality(group[0][0]), worst_severity(all_problems), files))
    return rows


def _link_text(ledger_file: LedgerFile) -> str:
    return f"{ledger_file.path} ({ledger_file.status})"


def write_control_reports(
    target: Path, ledger: list[LedgerFile], problems: dict[str, list[Problem]]
) -> int:
    """Write one report per ledger row and the index into `target`, replacing its old contents.

    The set is built in a temporary folder beside `target` and renamed into place, so a reader
    sees the old set or the new one, never a mixture (between the two renames the folder is
    briefly absent). Returns the number of reports.
    """
    entries = [(f, problems.get(f.path, [])) for f in ledger]

    def build(folder: Path) -> None:
        for ledger_file, file_problems in entries:
            location = report_location(ledger_file)
            (folder / location).parent.mkdir(exist_ok=True)
            (folder / f"{location}.html").write_text(
                control_report_html(ledger_file, file_problems),
                encoding="utf-8",
                errors="backslashreplace",
            )
            (folder / f"{location}.md").write_text(
                control_report_markdown(ledger_file, file_problems),
                encoding="utf-8",
                errors="backslashreplace",
            )
        (folder / "index.html").write_text(
            index_html(entries), encoding="utf-8", errors="backslashreplace"
        )
        (folder / "index.md").write_text(
            index_markdown(entries), encoding="utf-8", errors="backslashreplace"
        )

    replace_folder(target, build)
    return len(entries)


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _md(text: str) -> str:
    """File-derived text made inert in a Markdown table cell: one line, no markup, no raw HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


_STYLE = (
    "body{font-family:sans-serif;max-width:70em;margin:2em auto}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
    "tr.fatal td{background:#f8d7da}tr.error td{background:#fde2c8}tr.warning td{background:#fff3cd}"
)


def _html_page(title: str, body: str, back_link: str | None) -> str:
    back = f'<p><a href="{back_link}">Alla kontrollrapporter</a></p>' if back_link else ""
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{_h(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{_h(title)}</h1>{back}{body}</body></html>\n"
    )
