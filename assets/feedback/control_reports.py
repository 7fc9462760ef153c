"""Control reports (kontrollrapporter): what the pipeline found in each file, for the municipality.

Modelled on Statistics Norway's KOSTRA control program: one short report per file of the ledger
(HTML and Markdown, in Swedish) with the municipality, the file, its status, every problem with
its severity, block, question, the value found, the rule and what to do, and the status of each
block of a selected file; and an index listing each municipality with its worst severity.

Everything is told in words, each code beside its words ("Avvisad (rejected)", "Block A –
Handläggare (A_handlaggare)"); the words come from their homes (schemas/contract.py, rules.py and
reference/blocks.csv). Rules cite the section of the form specification (docs/INLAMNING.md) that
explains them. The words are told by schemas/words.py, which the validator
(assets/validate/cli.py) and rapport.html share.

A refresh writes only the reports whose ledger row, problems or blocks changed, and the index
when any did; the others are linked from the published set (`update_control_reports`,
assets/incremental.py).

Pure: no Dagster, no DuckDB. File names and answers are hostile input: every file-derived text is
escaped (HTML and Markdown), and report file names are built from a safe alphabet only.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from assets.incremental import (
    Item,
    Written,
    code_and_reference_version,
    digest,
    make_across_cores,
    rebuild_folder,
    write_file,
)

# The ledger's way of showing a submission time: a date alone when it has no time of day.
from assets.ingest.ledger import format_inlamnad
from schemas.catalog import load_catalog
from schemas.contract import LEDGER_STATUS_WORDS
from schemas.rules import FORM_SPECIFICATION, SEVERITIES
from schemas.words import (
    NO_PROBLEMS,
    block_status_text,
    block_text,
    ledger_status_text,
    rule_text,
    severity_counts_text,
    severity_text,
    with_code,
    worst_severity_text,
)

UNKNOWN_YEAR_FOLDER = "okant_ar"
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
    """A safe, unique file name stem for the report of `path` (paths are unique in the ledger):
    "…/Åre trasig.csv" → "Are_trasig_csv-<hash>"."""
    readable = _SAFE_NAME.sub("_", _without_diacritics(PurePosixPath(path).name)).strip("_")
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{readable[:60] or 'fil'}-{digest[:10]}"


def _without_diacritics(text: str) -> str:
    """Å → A, ä → a, ö → o, é → e, ü → u: each letter without its marks, so that a Swedish name
    stays readable in the safe alphabet instead of losing its letters."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def report_location(ledger_file: LedgerFile) -> str:
    """Where its report lies, relative to the kontrollrapporter folder, without extension."""
    return f"{year_folder(ledger_file)}/{report_stem(ledger_file.path)}"


def worst_severity(problems: list[Problem]) -> str | None:
    """The worst severity among the problems, None when there are none."""
    for severity in SEVERITIES:  # ordered worst first
        if any(problem.severity == severity for problem in problems):
            return severity
    return None


SPECIFICATION_NOTE = (
    f"Avsnitten hänvisar till {FORM_SPECIFICATION}, som beskriver varje regel och vad du ska "
    "göra: filens status i avsnitt 3, blocken och deras regler i avsnitt 4."
)


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
        ("Inlämnad", format_inlamnad(ledger_file.inlamnad) if ledger_file.inlamnad else "okänt"),
        ("Status", ledger_status_text(ledger_file.status)),
    ]
    if ledger_file.message:
        facts.append(("Besked", ledger_file.message))
    facts.append(("Allvarligaste anmärkning", worst_severity_text(worst_severity(problems))))
    if problems:
        facts.append(("Anmärkningar", severity_counts_text([p.severity for p in problems])))
    return facts


def _problem_cells(problem: Problem) -> list[str]:
    question = problem.question_id or "(hela filen)"
    if problem.question_label:
        question += f": {problem.question_label}"
    return [
        severity_text(problem.severity),
        block_text(problem.block) if problem.block else "",
        question,
        "" if problem.value is None else problem.value,
        rule_text(problem.rule),
        problem.message,
    ]


# A table row: its class (which colours it in HTML) and its cells.
_Row = tuple[str, list[str]]


def _problem_rows(problems: list[Problem]) -> list[_Row]:
    return [(problem.severity, _problem_cells(problem)) for problem in _sorted(problems)]


def _block_rows(blocks: dict[str, str]) -> list[_Row]:
    """A file's blocks and their statuses, in the order of the form."""
    return [
        (blocks[block], [block_text(block), block_status_text(blocks[block])])
        for block in load_catalog().block_labels
        if block in blocks
    ]


_PROBLEM_HEADERS = [
    "Allvarlighet",
    "Block",
    "Fråga",
    "Värde i filen",
    "Regel",
    "Vad som hittades och vad du ska göra",
]
_BLOCK_HEADERS = ["Block", "Status"]
_TITLE = "Kontrollrapport, kompetensinventering"


def control_report_markdown(
    ledger_file: LedgerFile, problems: list[Problem], blocks: dict[str, str]
) -> str:
    """The report of one file; `blocks` is block → status for a selected file, else empty."""
    lines = [f"# {_TITLE}", ""]
    lines += [f"- **{label}:** {_md(value)}" for label, value in _facts(ledger_file, problems)]
    lines.append("")
    if problems:
        lines += ["## Anmärkningar", "", *_md_table(_PROBLEM_HEADERS, _problem_rows(problems))]
    else:
        lines += [f"{NO_PROBLEMS}.", ""]
    if blocks:
        lines += ["## Blocken", "", *_md_table(_BLOCK_HEADERS, _block_rows(blocks))]
    lines.append(SPECIFICATION_NOTE)
    return "\n".join(lines) + "\n"


def control_report_html(
    ledger_file: LedgerFile, problems: list[Problem], blocks: dict[str, str]
) -> str:
    """The report of one file; `blocks` is block → status for a selected file, else empty."""
    facts = "".join(
        f"<tr><th>{_h(label)}</th><td>{_h(value)}</td></tr>"
        for label, value in _facts(ledger_file, problems)
    )
    body = f"<table>{facts}</table>"
    if problems:
        body += "<h2>Anmärkningar</h2>" + _html_table(_PROBLEM_HEADERS, _problem_rows(problems))
    else:
        body += f"<p>{NO_PROBLEMS}.</p>"
    if blocks:
        body += "<h2>Blocken</h2>" + _html_table(_BLOCK_HEADERS, _block_rows(blocks))
    body += f"<p>{_h(SPECIFICATION_NOTE)}</p>"
    return _html_page(_TITLE, body, back_link="../index.html")


def _md_table(headers: list[str], rows: list[_Row]) -> list[str]:
    return [
        _md_row(headers),
        _md_row(["---"] * len(headers)),
        *(_md_row([_md(cell) for cell in cells]) for _, cells in rows),
        "",
    ]


def _html_table(headers: list[str], rows: list[_Row]) -> str:
    header = "".join(f"<th>{_h(cell)}</th>" for cell in headers)
    body = "".join(
        f'<tr class="{_h(row_class)}">'
        + "".join(f"<td>{_h(cell)}</td>" for cell in cells)
        + "</tr>"
        for row_class, cells in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"


def index_markdown(entries: list[tuple[LedgerFile, list[Problem]]]) -> str:
    lines = [
        "# Kontrollrapporter, kompetensinventering",
        "",
        _md_row(["Kommun", "Allvarligaste anmärkning", "Rapporter"]),
        _md_row(["---"] * 3),
    ]
    for municipality, worst, files in _index_rows(entries):
        links = ", ".join(f"[{_md(_link_text(f))}]({report_location(f)}.md)" for f in files)
        lines.append(_md_row([_md(municipality), _md(worst_severity_text(worst)), links]))
    return "\n".join(lines) + "\n"


def index_html(entries: list[tuple[LedgerFile, list[Problem]]]) -> str:
    rows = "".join(
        f'<tr class="{_h(worst or "")}"><td>{_h(municipality)}</td>'
        f"<td>{_h(worst_severity_text(worst))}</td><td>"
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
) -> list[tuple[str, str | None, list[LedgerFile]]]:
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
    status = ledger_file.status
    return f"{ledger_file.path} – {with_code(LEDGER_STATUS_WORDS[status], status)}"


INDEX_ITEM = "index"  # the index's item in the manifest; a report's key holds a "/"


def update_control_reports(
    target: Path,
    ledger: list[LedgerFile],
    problems: dict[str, list[Problem]],
    blocks: dict[str, dict[str, str]],
    version: str | None = None,
    previous: Path | None = None,
) -> Written:
    """Write the set of reports and the index as the new folder `target`, making only the
    reports whose ledger row, problems or blocks changed since the set in `previous` (the
    published one; assets/incremental.py); the others are linked from it. `problems` are the files' problems by path, `blocks` the selected files' block →
    status; `version` is the code and reference data's (computed when not given)."""
    entries = {
        report_location(f): (f, problems.get(f.path, []), blocks.get(f.path, {})) for f in ledger
    }
    items = {
        location: Item(
            # The blocks in a fixed order: the report lists them in the form's order anyway.
            digest(ledger_file, file_problems, sorted(file_blocks.items())),
            (f"{location}.html", f"{location}.md"),
        )
        for location, (ledger_file, file_problems, file_blocks) in entries.items()
    }
    index_entries = [(f, p) for f, p, _ in entries.values()]
    items[INDEX_ITEM] = Item(
        digest([(f, sorted({p.severity for p in ps})) for f, ps in index_entries]),
        ("index.html", "index.md"),
    )

    def make(folder: Path, keys: list[str]) -> dict[str, str]:
        digests: dict[str, str] = {}
        if INDEX_ITEM in keys:
            write_file(folder, "index.html", _encoded(index_html(index_entries)), digests)
            write_file(folder, "index.md", _encoded(index_markdown(index_entries)), digests)
        reports = [(key, *entries[key]) for key in keys if key != INDEX_ITEM]
        digests |= make_across_cores(
            _write_reports, folder, reports, len(reports), PARALLEL_MIN_REPORTS
        )
        return digests

    return rebuild_folder(target, version or code_and_reference_version(), items, make, previous)


# Reports are made across the cores from this many on: a worker is ready about 0.5 s after it is
# spawned (the imports of this module), and this process makes a report in about 0.3 ms.
PARALLEL_MIN_REPORTS = 4_000


def _write_reports(
    folder: Path, reports: list[tuple[str, LedgerFile, list[Problem], dict[str, str]]]
) -> dict[str, str]:
    """Write each (location, ledger row, its problems, its blocks) as its two report files."""
    digests: dict[str, str] = {}
    for location, ledger_file, file_problems, file_blocks in reports:
        (folder / location).parent.mkdir(exist_ok=True)
        html_text = control_report_html(ledger_file, file_problems, file_blocks)
        markdown = control_report_markdown(ledger_file, file_problems, file_blocks)
        write_file(folder, f"{location}.html", _encoded(html_text), digests)
        write_file(folder, f"{location}.md", _encoded(markdown), digests)
    return digests


def _encoded(text: str) -> bytes:
    # A file name read from the landing zone may hold lone surrogates: kept visible, not fatal.
    return text.encode("utf-8", "backslashreplace")


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
    "tr.fatal td{background:#f8d7da}tr.error td,tr.invalid td{background:#fde2c8}"
    "tr.warning td{background:#fff3cd}"
)


def _html_page(title: str, body: str, back_link: str | None) -> str:
    back = f'<p><a href="{back_link}">Alla kontrollrapporter</a></p>' if back_link else ""
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{_h(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{_h(title)}</h1>{back}{body}</body></html>\n"
    )
