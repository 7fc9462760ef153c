"""The form changelog (formulärändringar): which questions each year's form added and removed.

Like KOSTRA's changelogs: generated from the question catalog (schemas/reference/questions.csv), never
written by hand. docs/FORMULARANDRINGAR.md is this module's output; a test keeps it current.

    python -m assets.feedback.form_changes      # rewrites docs/FORMULARANDRINGAR.md
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from schemas.catalog import Catalog, Question, load_catalog

CHANGELOG_PATH = Path(__file__).resolve().parents[2] / "docs" / "FORMULARANDRINGAR.md"


def form_years(catalog: Catalog) -> list[int]:
    """Every year some form of the catalog covers, in order."""
    questions = catalog.questions.values()
    first = min(q.first_year for q in questions)
    last = max(q.last_year for q in questions)
    return list(range(first, last + 1))


def form_changelog(catalog: Catalog) -> str:
    years = form_years(catalog)
    lines = [
        "# Formulärändringar: kompetensinventeringens frågor år för år",
        "",
        (
            "Genererad från frågekatalogen (`schemas/reference/questions.csv`) av "
            "`python -m assets.feedback.form_changes`; redigera inte för hand."
        ),
        "",
        f"## {years[0]}: första blanketten",
        "",
    ]
    first_form = catalog.form(years[0])
    lines += _by_block(first_form, heading="frågor")
    for previous, year in pairwise(years):
        before = {q.question_id for q in catalog.form(previous)}
        now = {q.question_id for q in catalog.form(year)}
        added = [q for q in catalog.form(year) if q.question_id not in before]
        removed = [q for q in catalog.form(previous) if q.question_id not in now]
        lines += [f"## {year} jämfört med {previous}", ""]
        if not added and not removed:
            lines += ["Inga ändringar.", ""]
            continue
        if added:
            lines += _by_block(added, heading="tillagda frågor")
        if removed:
            lines += _by_block(removed, heading="borttagna frågor")
    return "\n".join(lines).rstrip("\n") + "\n"


def _by_block(questions: list[Question], heading: str) -> list[str]:
    blocks: dict[str, list[Question]] = {}
    for question in questions:
        blocks.setdefault(question.block, []).append(question)
    lines = [f"{len(questions)} {heading}:", ""]
    for block, block_questions in blocks.items():
        lines.append(f"- Block `{block}` ({len(block_questions)}):")
        lines += [f"  - `{q.question_id}`: {q.label_sv}" for q in block_questions]
    lines.append("")
    return lines


if __name__ == "__main__":
    CHANGELOG_PATH.write_text(form_changelog(load_catalog()), encoding="utf-8")
