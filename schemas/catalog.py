"""The form catalog: which questions each year's competence-inventory form asks.

`questions.csv` is copied from the submission contract (shared/contract/questions.csv).
It is the single source for question ids, their blocks, kinds and the years whose form
asks them; nothing else in the project lists questions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("questions.csv")
REFERENCE_DIR = Path(__file__).with_name("reference")

META_BLOCK = "meta"
# Answers of these kinds identify a person and are dropped as soon as a file is read.
PERSONAL_DATA_KIND = "personal_data"
NUMERIC_KINDS = frozenset({"fte", "persons"})
CHOICE_KINDS = {
    "yes_no": ("ja", "nej"),
    "yes_partly_no": ("ja", "delvis", "nej"),
}


@dataclass(frozen=True)
class Question:
    question_id: str
    block: str
    kind: str
    first_year: int
    last_year: int
    area: str | None
    subarea: str | None
    level: str | None
    label_sv: str

    def in_form(self, ar: int) -> bool:
        return self.first_year <= ar <= self.last_year

    @property
    def is_personal_data(self) -> bool:
        return self.kind == PERSONAL_DATA_KIND


def _parse_years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    return int(first), int(last or first)


@dataclass(frozen=True)
class Catalog:
    questions: dict[str, Question]

    def get(self, question_id: str) -> Question | None:
        return self.questions.get(question_id)

    def form(self, ar: int) -> list[Question]:
        """Every question of year `ar`'s form, metadata included, in catalog order."""
        return [q for q in self.questions.values() if q.in_form(ar)]

    def blocks(self, ar: int) -> dict[str, list[Question]]:
        """The answer blocks of year `ar`'s form (metadata excluded), in catalog order."""
        blocks: dict[str, list[Question]] = {}
        for question in self.form(ar):
            if question.block != META_BLOCK:
                blocks.setdefault(question.block, []).append(question)
        return blocks


def _blank_to_none(text: str) -> str | None:
    return text.strip() or None


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    questions = {}
    for row in rows:
        first, last = _parse_years(row["years"])
        questions[row["question_id"]] = Question(
            question_id=row["question_id"],
            block=row["block"],
            kind=row["kind"],
            first_year=first,
            last_year=last,
            area=_blank_to_none(row["area"]),
            subarea=_blank_to_none(row["subarea"]),
            level=_blank_to_none(row["level"]),
            label_sv=row["label_sv"],
        )
    return Catalog(questions)


@cache
def municipality_codes(path: Path = REFERENCE_DIR / "municipalities.csv") -> frozenset[str]:
    """The 290 four-digit municipality codes (kommunkod)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["kommunkod"] for row in csv.DictReader(handle))
