"""The form specification for municipalities (docs/INLAMNING.md) lists every code the control
reports and the validator can show, in the section they cite, with the same words.

Its prose is written by hand; its tables must agree with the one homes of the lists: the ledger
and block statuses (schemas/contract.py), the severities and every rule with its name and
description (schemas/rules.py), the block names (schemas/reference/blocks.csv), and the hard rules
and limits (schemas/block_schemas.py, the ledger, the reader). A code missing from its section, or words
that differ from their home, fail the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assets.ingest.ledger import MAX_FILE_BYTES
from assets.ingest.reader import MAX_XLSX_UNPACKED_BYTES
from schemas.block_schemas import FTE_WARNING_LIMIT, HARD_RULES, SUM_TOLERANCE
from schemas.catalog import META_BLOCK, load_catalog
from schemas.contract import (
    BLOCK_STATUS_WORDS,
    BLOCK_STATUSES,
    GRANT_PURPOSES,
    LEDGER_STATUS_WORDS,
    LEDGER_STATUSES,
)
from schemas.rules import (
    FORM_SPECIFICATION,
    RULES,
    SEVERITIES,
    SEVERITY_WORDS,
    SPECIFICATION_SECTIONS,
)

SPECIFICATION = Path(__file__).resolve().parents[1] / "docs" / "INLAMNING.md"
SECTIONS = range(1, 7)  # the contract's sections 1–6, numbered as there
_SECTION_HEADING = re.compile(r"^## (\d+)\. ", re.MULTILINE)


def sections(text: str) -> dict[int, str]:
    """Section number → its text, subsections included."""
    headings = list(_SECTION_HEADING.finditer(text))
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    return {int(h.group(1)): text[h.start() : end] for h, end in zip(headings, ends, strict=True)}


def _status_row(word: str, code: str, description: str) -> str:
    return f"| {word} | `{code}` | {description.removeprefix(f'{word}: ')}"


def _formula(rule) -> str:
    return f"`{' + '.join(rule.parts)} {'=' if rule.exact else '<='} {rule.whole}`"


def _swedish_number(number: float) -> str:
    return f"{number:,}".replace(",", " ").replace(".", ",")


def expected_text(section: int) -> list[str]:
    """What section `section` must contain, each as it must be written."""
    expected = [
        f"| {rule.name} | `{rule.rule_id}` | {SEVERITY_WORDS[rule.severity].word} | "
        f"{rule.description} |"
        for rule in RULES.values()
        if SPECIFICATION_SECTIONS[rule.rule_id] == section
    ]
    if section == 2:
        expected += [
            f"`{q.question_id}`" for q in load_catalog().questions.values() if q.block == META_BLOCK
        ]
        expected += [
            f"högst {MAX_FILE_BYTES // 2**20} MiB",
            f"{MAX_XLSX_UNPACKED_BYTES // 2**20} MiB",
        ]
    if section == 3:
        expected += [
            _status_row(LEDGER_STATUS_WORDS[status], status, description)
            for status, description in LEDGER_STATUSES.items()
        ]
        expected += [
            f"| {SEVERITY_WORDS[severity].word} | `{severity}` | "
            f"{SEVERITY_WORDS[severity].consequence} |"
            for severity in SEVERITIES
        ]
    if section == 4:
        expected += [
            f"| {label} | `{block}` |" for block, label in load_catalog().block_labels.items()
        ]
        expected += [
            _status_row(BLOCK_STATUS_WORDS[status], status, description)
            for status, description in BLOCK_STATUSES.items()
        ]
        expected += [_formula(rule) for rule in HARD_RULES]
        expected += [_swedish_number(SUM_TOLERANCE), _swedish_number(FTE_WARNING_LIMIT)]
    if section == 6:
        expected += [f"`{purpose}`" for purpose in GRANT_PURPOSES]
    return expected


def missing_from(text: str) -> list[str]:
    """Everything the specification must say and does not, by section."""
    found = sections(text)
    missing = [f"section {n}" for n in SECTIONS if n not in found]
    for section in SECTIONS:
        section_text = " ".join(found.get(section, "").split())  # a formula may wrap
        missing += [
            f"section {section}: {line}"
            for line in expected_text(section)
            if " ".join(line.split()) not in section_text
        ]
    return missing


def test_the_specification_is_titled_as_the_texts_cite_it():
    assert SPECIFICATION.read_text(encoding="utf-8").startswith(f"# {FORM_SPECIFICATION}\n")


def test_the_specification_lists_every_code_in_the_section_that_explains_it():
    assert missing_from(SPECIFICATION.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "| Avvisad | `rejected` |",
        "| Okänd kommunkod | `unknown_municipality` |",
        "| Block D – Arbetsledare | `D_arbetsledare` |",
        "| Ej besvarat | `not_answered` |",
        "`arbl_magister <= arbl_vidareutbildning`",
    ],
)
def test_a_code_missing_from_the_specification_is_found(line):
    text = SPECIFICATION.read_text(encoding="utf-8")
    assert line in text
    without = "\n".join(row for row in text.splitlines() if line not in row)
    assert missing_from(without)


def test_words_that_differ_from_their_home_are_found():
    text = SPECIFICATION.read_text(encoding="utf-8")
    changed = text.replace(
        "| Okänd fråga | `unknown_question` |", "| Okänd id | `unknown_question` |"
    )
    rule = RULES["unknown_question"]
    assert missing_from(changed) == [
        f"section 2: | {rule.name} | `unknown_question` | Varning | {rule.description} |"
    ]
