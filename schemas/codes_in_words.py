"""The words a municipality reads for the contract's codes, each code beside its words.

"Avvisad (rejected): filen kan inte användas.", "Block A – Handläggare (A_handlaggare)",
"1 allvarligt fel, 0 fel, 2 varningar". The words come from the codes' homes
(schemas/contract.py, schemas/rules.py, schemas/reference/blocks.csv); the control reports, the
validator and the publication tell codes with these functions, so each is told the same way
everywhere.
"""

from __future__ import annotations

from collections import Counter

from schemas.catalog import load_catalog
from schemas.contract import (
    BLOCK_STATUS_WORDS,
    BLOCK_STATUSES,
    LEDGER_STATUS_WORDS,
    LEDGER_STATUSES,
)
from schemas.rules import RULES, SEVERITIES, SEVERITY_WORDS, SPECIFICATION_SECTIONS

NO_PROBLEMS = "Inga anmärkningar"


def with_code(words: str, code: str) -> str:
    return f"{words} ({code})"


def ledger_status_text(status: str) -> str:
    """The status, its code and its meaning: Avvisad (rejected): filen kan inte användas."""
    word = LEDGER_STATUS_WORDS[status]
    return with_code(word, status) + LEDGER_STATUSES[status].removeprefix(word)


def block_status_text(status: str) -> str:
    """The status, its code and its meaning: Ogiltigt (invalid): blocket räknas inte …"""
    word = BLOCK_STATUS_WORDS[status]
    return with_code(word, status) + BLOCK_STATUSES[status].removeprefix(word)


def severity_text(severity: str) -> str:
    """A problem's severity in a table: Fel (error)."""
    return with_code(SEVERITY_WORDS[severity].word, severity)


def worst_severity_text(severity: str | None) -> str:
    """The worst severity with its consequence, Fel – blocket räknas inte (error), or none."""
    return with_code(SEVERITY_WORDS[severity].label, severity) if severity else NO_PROBLEMS


def block_text(block: str) -> str:
    """Block A – Handläggare (A_handlaggare)."""
    return with_code(load_catalog().block_labels[block], block)


def rule_text(rule_id: str) -> str:
    """The rule's name, its id and the section of the form specification that explains it:
    Kvinnor + män ska vara lika med totalt (A_handl_kon_summa), avsnitt 4."""
    return f"{with_code(RULES[rule_id].name, rule_id)}, avsnitt {SPECIFICATION_SECTIONS[rule_id]}"


def severity_counts_text(severities: list[str]) -> str:
    """How many of each severity, counted in words: 1 allvarligt fel, 0 fel, 2 varningar."""
    counts = Counter(severities)
    return ", ".join(SEVERITY_WORDS[severity].count(counts[severity]) for severity in SEVERITIES)
