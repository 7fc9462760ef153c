"""One language per reader (issue 14, section 3): what a municipality or a reader of the
publication sees is Swedish. A status or severity code may appear only in parentheses right after
its Swedish words ("Avvisad (rejected)", "Fel – blocket räknas inte (error)"); standing alone it is
English in a Swedish text.

The scan reads the control reports of the small landing zone, the validator's output for a clean
file, a file with warnings, one with errors, rejected and ignored files and runs that cannot
start, and the publication page rapport.html.
"""

from __future__ import annotations

import itertools
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assets.feedback.control_reports import (
    LedgerFile,
    Problem,
    control_report_html,
    control_report_markdown,
    index_html,
    index_markdown,
)
from schemas.catalog import BLOCKS_FILE_NAME, META_BLOCK, SHIPPED_REFERENCE_DIR, load_catalog
from schemas.contract import BLOCK_STATUSES, LEDGER_STATUSES
from schemas.rules import RULES
from tests.landing_zone_fixture import MALMO_2016, write_csv
from validator.cli import main

ENGLISH_WORDS = (
    "selected",
    "superseded",
    "duplicate",
    "conflict",
    "rejected",
    "ignored",
    "ERROR",
    "WARNING",
    "FATAL",
    "error",
    "warning",
    "fatal",
    "not_answered",
    "valid",
    "invalid",
)
_ENGLISH = "|".join(sorted({word.lower() for word in ENGLISH_WORDS}))
_ENGLISH_WORD = re.compile(rf"(?<!\w)(?:{_ENGLISH})(?!\w)", re.IGNORECASE)
# A code beside its words: a word of letters, not part of a file name ("malmo.csv (selected)")
# and not itself one of the English words, then the code in parentheses.
_CODE_BESIDE_ITS_WORDS = re.compile(
    rf"(?<![\w.])(?!(?:{_ENGLISH})(?!\w))[^\W\d_]+ \((?:{_ENGLISH})\)", re.IGNORECASE
)
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]|#!])")


def bare_english_words(text: str) -> list[str]:
    """The English status and severity words of `text` that do not stand beside Swedish words."""
    return _ENGLISH_WORD.findall(_CODE_BESIDE_ITS_WORDS.sub("", text))


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(text: str, markdown: bool) -> str:
    """What a reader sees of a report: the text of a page, or Markdown without its escapes."""
    if markdown:
        return _MARKDOWN_ESCAPE.sub(r"\1", text)
    parser = _VisibleText()
    parser.feed(text)
    return " ".join(parser.parts)


def visible_file_text(path: Path) -> str:
    return visible_text(path.read_text(encoding="utf-8"), markdown=path.suffix == ".md")


def _findings(texts: dict[str, str]) -> dict[str, list[str]]:
    return {name: words for name, text in texts.items() if (words := bare_english_words(text))}


# --- the scan itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Status: selected",
        "Status: rejected: filen kan inte användas.",
        "| ERROR | A_handlaggare |",
        "Blocket är invalid.",
        "2016/inventering/malmo.csv (selected)",
        "selected (selected)",
        "Allvarligaste anmärkning: warning",
    ],
)
def test_the_scan_finds_a_bare_english_word(text):
    assert bare_english_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "Status: Avvisad (rejected): filen kan inte användas.",
        "Fel – blocket räknas inte (error)",
        "Block A – Handläggare (A_handlaggare): Ej besvarat (not_answered)",
        "Regel: Kvinnor + män ska vara lika med totalt (A_handl_kon_summa)",
        "2016/inventering/malmo.csv – Används (selected)",
        "Frågan error_rate finns inte i frågekatalogen.",
    ],
)
def test_the_scan_lets_a_code_beside_its_words_pass(text):
    assert bare_english_words(text) == []


# --- the words' homes ----------------------------------------------------------------------


def test_every_block_of_the_catalog_has_a_name():
    catalog = load_catalog()
    blocks = {q.block for q in catalog.questions.values()} - {META_BLOCK}
    assert set(catalog.block_labels) == blocks
    assert catalog.block_labels["A_handlaggare"] == "Block A – Handläggare"


def test_a_block_without_a_name_stops_the_catalog(tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_REFERENCE_DIR, reference)
    names = reference / BLOCKS_FILE_NAME
    lines = names.read_text(encoding="utf-8").splitlines(keepends=True)
    names.write_text("".join(line for line in lines if not line.startswith("D_")), "utf-8")
    with pytest.raises(ValueError, match="D_arbetsledare"):
        load_catalog(reference / "questions.csv")


# --- the control reports --------------------------------------------------------------------


def test_the_control_reports_are_swedish(small_warehouse):
    folder = small_warehouse.parent / "kontrollrapporter"
    reports = sorted(folder.rglob("*.md")) + sorted(folder.rglob("*.html"))
    assert len(reports) == 2 * (15 + 1)  # a report per ledger row and the index, in two formats
    assert _findings({str(p.relative_to(folder)): visible_file_text(p) for p in reports}) == {}


def test_every_status_severity_rule_and_block_is_told_in_words():
    # Beyond the small landing zone: a report of each ledger status, with a problem of every
    # rule in every block, and the blocks in every block status.
    block_labels = load_catalog().block_labels
    problems = [
        Problem(rule.severity, rule.rule_id, block, None, None, None, "Rätta uppgiften.")
        for rule in RULES.values()
        for block in (None, *block_labels)
    ]
    blocks = dict(zip(block_labels, itertools.cycle(BLOCK_STATUSES), strict=False))
    entries = [
        (
            LedgerFile(f"2016/inventering/fil_{n}.csv", "0180", None, 2016, None, status, None, ""),
            problems,
        )
        for n, status in enumerate(LEDGER_STATUSES)
    ]
    texts = {"index.md": visible_text(index_markdown(entries), markdown=True)}
    texts["index.html"] = visible_text(index_html(entries), markdown=False)
    for ledger_file, file_problems in entries:
        texts[f"{ledger_file.status}.md"] = visible_text(
            control_report_markdown(ledger_file, file_problems, blocks), markdown=True
        )
        texts[f"{ledger_file.status}.html"] = visible_text(
            control_report_html(ledger_file, file_problems, blocks), markdown=False
        )
    assert _findings(texts) == {}


# --- the validator --------------------------------------------------------------------------


def _validator_output(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        exit_code = main(argv)
    except SystemExit as stop:  # argparse stops the run on --help and on a bad argument
        exit_code = stop.code
    captured = capsys.readouterr()
    return exit_code, captured.out + captured.err


def test_the_validator_speaks_swedish_whatever_the_verdict(small_warehouse, tmp_path, capsys):
    inventering = small_warehouse.parent.parent / "raw" / "2016" / "inventering"
    year_mismatch = tmp_path / "raw" / "2015" / "inventering" / "malmo.csv"
    write_csv(year_mismatch, MALMO_2016)
    runs = {
        "clean": ["validate", str(inventering / "stockholm_2016_final.csv")],
        "warnings": ["validate", str(inventering / "goteborg.csv")],
        "errors": ["validate", str(inventering / "malmo.csv")],
        "partly answered": ["validate", str(inventering / "bjurholm.csv")],
        "rejected type": ["validate", str(inventering / "anteckningar.txt")],
        "rejected header": ["validate", str(inventering / "fel_rubrik.csv")],
        "rejected year by folder": ["validate", str(year_mismatch)],
        "rejected year by option": ["validate", str(inventering / "malmo.csv"), "--year", "2014"],
        "ignored": ["validate", str(inventering / ".gitkeep")],
        "no such file": ["validate", str(inventering / "finns_inte.csv")],
        "no command": [],
        "unknown command": ["kontrollera"],
        "no file": ["validate"],
        "unknown option": ["validate", str(inventering / "malmo.csv"), "--ar", "2016"],
        "year not a number": ["validate", str(inventering / "malmo.csv"), "--year", "x"],
        "year without value": ["validate", str(inventering / "malmo.csv"), "--year"],
        "help": ["validate", "--help"],
        "help of the command": ["--help"],
    }
    outputs = {}
    for name, argv in runs.items():
        exit_code, outputs[name] = _validator_output(capsys, argv)
        assert outputs[name].strip(), name
        assert exit_code in (0, 1, 2, 3), name
    assert _findings(outputs) == {}


# --- the publication ------------------------------------------------------------------------


def test_the_publication_page_is_swedish(small_warehouse):
    page = small_warehouse.parent / "exports" / "rapport.html"
    assert _findings({page.name: visible_file_text(page)}) == {}


def test_the_warehouse_comments_cite_only_documents_the_project_ships():
    # Comments once cited "kontraktet avsnitt N", a document the project does not ship; a reader
    # of warehouse/README.md must be able to open what a comment points to.
    project = Path(__file__).resolve().parents[1]
    cited = set()
    for sql in sorted((project / "warehouse" / "sql").rglob("*.sql")):
        text = sql.read_text(encoding="utf-8")
        comments = " ".join(re.findall(r"COMMENT ON .*? IS '(.*)';", text))
        assert "kontrakt" not in comments.lower(), sql
        cited |= set(re.findall(r"docs/[A-Z_]+\.md", comments))
    assert cited == {"docs/INLAMNING.md", "docs/DEFINITIONER.md"}
    assert all((project / document).is_file() for document in cited)
