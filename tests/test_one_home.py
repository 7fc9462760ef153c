"""One home per rule: the contract's lists are written once (docs/ARCHITECTURE.md).

A second copy of a list is how a ledger came to write a reason code that the expectation suite,
with its own copy of the code list, did not allow. These tests look through the project's code
and SQL for any other literal that holds two or more members of one of the lists: using one
member (`status = 'selected'`) is fine, restating the list is not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from schemas import contract, rules

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HOMES = {PROJECT_ROOT / "schemas" / "contract.py", PROJECT_ROOT / "schemas" / "rules.py"}
CODE_FOLDERS = ("assets", "pipelines", "schemas", "warehouse")

CONTRACT_LISTS = {
    "ledger statuses": set(contract.LEDGER_STATUSES),
    "rejection reasons": set(contract.REJECTION_REASONS),
    "block statuses": set(contract.BLOCK_STATUSES),
    "grant purposes": set(contract.GRANT_PURPOSES),
    "reconciliation statuses": set(contract.RECONCILIATION_STATUSES),
    "severities": set(rules.SEVERITIES),
    "units": set(contract.UNITS),
}


def _python_files() -> list[Path]:
    return [
        path
        for folder in CODE_FOLDERS
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path not in HOMES
    ]


def _sql_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "warehouse").rglob("*.sql"))


def _string_collections(tree: ast.AST):
    """(line, strings) of every tuple, list, set and dict literal of string constants."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            elements = node.elts
        elif isinstance(node, ast.Dict):
            elements = [key for key in node.keys if key is not None]
        else:
            continue
        strings = {
            element.value
            for element in elements
            if isinstance(element, ast.Constant) and isinstance(element.value, str)
        }
        if strings:
            yield node.lineno, strings


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def copies_in_python(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{_shown(path)}:{line} restates the {name}: {sorted(strings & members)}"
        for line, strings in _string_collections(tree)
        for name, members in CONTRACT_LISTS.items()
        if len(strings & members) >= 2
    ]


# A parenthesised list of two or more quoted strings, as in IN (...) or VALUES (...), (...).
_SQL_QUOTED = re.compile(r"'([^']*)'")
_SQL_LIST = re.compile(r"(?:IN|VALUES)\s*\((?:[^()]|\([^()]*\))*\)", re.IGNORECASE | re.DOTALL)


def copies_in_sql(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    findings = []
    for match in _SQL_LIST.finditer(text):
        strings = set(_SQL_QUOTED.findall(match.group(0)))
        line = text.count("\n", 0, match.start()) + 1
        findings.extend(
            f"{_shown(path)}:{line} restates the {name}: {sorted(strings & members)}"
            for name, members in CONTRACT_LISTS.items()
            if len(strings & members) >= 2
        )
    return findings


def test_no_module_but_the_home_restates_a_contract_list():
    copies = [copy for path in _python_files() for copy in copies_in_python(path)]
    assert copies == []


def test_no_sql_file_restates_a_contract_list():
    copies = [copy for path in _sql_files() for copy in copies_in_sql(path)]
    assert copies == []


@pytest.mark.parametrize(
    "source",
    [
        'PURPOSES = ("inventering", "kompetensutveckling")',
        'CODES = {"symlink": 1, "too_large": 2}',
        'STATUSES = ["selected", "conflict"]',
    ],
)
def test_the_search_finds_a_restated_list_in_python(tmp_path, source):
    module = tmp_path / "restated.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert copies_in_python(module)


def test_the_search_finds_a_restated_list_in_sql(tmp_path):
    probe = tmp_path / "restated.sql"
    probe.write_text(
        "SELECT * FROM core.block_status WHERE status IN ('valid', 'invalid');\n", encoding="utf-8"
    )
    assert copies_in_sql(probe)


def test_the_sql_reads_the_lists_from_their_home(tmp_path):
    import duckdb

    from assets.report.build import load_reference
    from schemas.catalog import reference_dir

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    load_reference(con, reference_dir())
    assert [
        s for (s,) in con.sql("SELECT status FROM ref.ledger_statuses ORDER BY position").fetchall()
    ] == list(contract.LEDGER_STATUSES)
    assert [
        r
        for (r,) in con.sql(
            "SELECT rule FROM ref.rules WHERE kind = 'rejection' ORDER BY position"
        ).fetchall()
    ] == list(contract.REJECTION_REASONS)
    assert dict(con.sql("SELECT andamal, key_word FROM ref.grant_purposes").fetchall()) == (
        contract.GRANT_PURPOSES
    )
