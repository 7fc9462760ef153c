"""The form catalog: which questions each year's competence-inventory form asks.

`reference/questions.csv` is copied from the submission contract (shared/contract/questions.csv).
It is the single source for question ids, their blocks, kinds and the years whose form
asks them; nothing else in the project lists questions. `reference/blocks.csv` names each block
in the words a municipality reads ("Block A – Handläggare"); loading the catalog fails when a
block of the questions has no name there, or a name has no block.

The reference data (the catalog, the municipality register and the report's published figures)
is read from `schemas/reference/`, or from a complete replacement set named by the environment
variable KOMPETENS_REFERENCE_DIR: the growth benchmark points the pipeline at a generated
register of more municipalities and a catalog of more years that way.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas.contract import NUMERIC_ANSWER_KINDS

SHIPPED_REFERENCE_DIR = Path(__file__).with_name("reference")
REFERENCE_DIR_VARIABLE = "KOMPETENS_REFERENCE_DIR"
CATALOG_FILE_NAME = "questions.csv"
BLOCKS_FILE_NAME = "blocks.csv"
MUNICIPALITIES_FILE_NAME = "municipalities.csv"


def reference_dir() -> Path:
    """The reference set in use: KOMPETENS_REFERENCE_DIR when set, else the shipped one."""
    return Path(os.environ.get(REFERENCE_DIR_VARIABLE) or SHIPPED_REFERENCE_DIR)


def _reference_file(name: str) -> Path:
    """The file `name` of the reference set in use. The same Path object for as long as the
    setting is the same: the catalog and the register are looked up for every file read and every
    line of a control report, and a new Path per lookup was a tenth of writing a report."""
    return _file_in(os.environ.get(REFERENCE_DIR_VARIABLE) or "", name)


@cache
def _file_in(configured_dir: str, name: str) -> Path:
    return Path(configured_dir or SHIPPED_REFERENCE_DIR) / name


META_BLOCK = "meta"
# Answers of these kinds identify a person and are dropped as soon as a file is read.
PERSONAL_DATA_KIND = "personal_data"
NUMERIC_KINDS = NUMERIC_ANSWER_KINDS
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
    block_labels: dict[str, str]  # block → its name for a reader, "Block A – Handläggare"

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


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog at `path`, by default the one of the reference set in use; the block names
    are read from blocks.csv beside it."""
    return _load_catalog(path or _reference_file(CATALOG_FILE_NAME))


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _load_catalog(path: Path) -> Catalog:
    rows = _read_rows(path)
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
    blocks_path = path.with_name(BLOCKS_FILE_NAME)
    block_labels = {row["block"]: row["label_sv"] for row in _read_rows(blocks_path)}
    answer_blocks = {q.block for q in questions.values() if q.block != META_BLOCK}
    if unnamed := sorted(answer_blocks - set(block_labels)):
        raise ValueError(f"{blocks_path} has no name for the blocks {unnamed} of {path}")
    if unknown := sorted(set(block_labels) - answer_blocks):
        raise ValueError(f"{blocks_path} names blocks that {path} does not have: {unknown}")
    return Catalog(questions, block_labels)


def municipality_codes(path: Path | None = None) -> frozenset[str]:
    """The four-digit municipality codes (kommunkod) of the register in use: the 290."""
    return _municipality_codes(path or _reference_file(MUNICIPALITIES_FILE_NAME))


def municipality_names(path: Path | None = None) -> dict[str, str]:
    """kommunkod → the municipality's name ("0180" → "Stockholm"), of the register in use."""
    return _municipality_names(path or _reference_file(MUNICIPALITIES_FILE_NAME))


@cache
def _municipality_names(path: Path) -> dict[str, str]:
    return {row["kommunkod"]: row["kommun"] for row in _read_rows(path)}


@cache
def _municipality_codes(path: Path) -> frozenset[str]:
    return frozenset(_municipality_names(path))


def reading_fingerprint() -> str:
    """A short hash of what reading a file depends on besides its bytes: the catalog and the
    municipality register. Part of the parse cache key, so a new register re-reads every file."""
    digest = hashlib.sha256()
    for name in (CATALOG_FILE_NAME, MUNICIPALITIES_FILE_NAME):
        digest.update((reference_dir() / name).read_bytes())
    return digest.hexdigest()[:16]
