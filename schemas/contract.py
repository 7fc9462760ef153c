"""The contract's short lists, each written once: everything else derives from them.

- the ledger statuses (contract section 3), with the words a municipality reads (each
  description starts with the status's word and a colon: "Avvisad: …");
- the rejection reasons, in the order a file's status is decided (section 3); their ids and
  plain-Swedish descriptions are rules of `schemas.rules.LEDGER_RULES`;
- the block statuses (section 4), described the same way;
- the grant purposes (section 6), with the word the text figures' keys use for each;
- the units of the answers and the published figures;
- the reconciliation statuses (section 8).

The Pandera schemas, the expectation suites, the ledger, the register reader, the control
reports and the tests import these; the SQL reads them as `ref.ledger_statuses`,
`ref.block_statuses`, `ref.grant_purposes` and `ref.rules`, written from here by
`assets.report.build.load_reference`. docs/ARCHITECTURE.md maps every rule of the contract to
its one home.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.rules import LEDGER_RULES


def _words(descriptions: dict[str, str]) -> dict[str, str]:
    """Status → its word, the start of its description up to the colon: "Avvisad"."""
    return {status: text.partition(":")[0] for status, text in descriptions.items()}


# --- Contract section 3: the file ledger ---------------------------------------------------

SELECTED = "selected"
SUPERSEDED = "superseded"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
REJECTED = "rejected"
IGNORED = "ignored"

# Status → what it means, in the words a municipality reads in its control report.
LEDGER_STATUSES: dict[str, str] = {
    SELECTED: "Används: filen är den som gäller för kommunen och året.",
    SUPERSEDED: "Ersatt: en senare inlämning för samma kommun och år används i stället.",
    DUPLICATE: "Kopia: filen är byte för byte identisk med en tidigare fil i samma årsmapp och "
    "räknas inte.",
    CONFLICT: "Konflikt: flera olika filer har samma senaste inlämningstid; ingen används.",
    REJECTED: "Avvisad: filen kan inte användas.",
    IGNORED: "Ignorerad: dold fil, läses inte.",
}
LEDGER_STATUS_WORDS = _words(LEDGER_STATUSES)

# Every reason_code of a rejected file, in the order of the contract's decision list: the first
# that applies is the file's reason. reason_code is NULL for every other status.
REJECTION_REASONS: tuple[str, ...] = tuple(LEDGER_RULES)
# Step 2: what the directory entry and the file's size decide, before duplicates are looked for.
FILE_REASONS: tuple[str, ...] = REJECTION_REASONS[: REJECTION_REASONS.index("empty") + 1]
# Step 4: the content checks, after duplicates.
CONTENT_REASONS: tuple[str, ...] = tuple(r for r in REJECTION_REASONS if r not in FILE_REASONS)

# --- Contract section 4: blocks -------------------------------------------------------------

NOT_ANSWERED = "not_answered"
VALID = "valid"
INVALID = "invalid"
BLOCK_STATUSES: dict[str, str] = {
    NOT_ANSWERED: "Ej besvarat: ingen fråga i blocket har ett svar.",
    VALID: "Giltigt: alla frågor har giltiga svar och blockets regler håller.",
    INVALID: "Ogiltigt: blocket räknas inte i någon tabell.",
}
BLOCK_STATUS_WORDS = _words(BLOCK_STATUSES)

# --- Contract section 6: the grant register -------------------------------------------------

# andamal → the word the text figures' keys use for it (anslag_2013_kompetens_sek).
GRANT_PURPOSES: dict[str, str] = {
    "inventering": "inventering",
    "kompetensutveckling": "kompetens",
}

# --- Units of the answers and of the published figures -------------------------------------


@dataclass(frozen=True)
class Unit:
    label_sv: str  # what a reader is told the number counts
    # Decimals shown in the publication, as the report prints them (values are stored unrounded).
    decimals: int
    # A count, stored as an integer (contract section 8: N and persons are integers).
    whole_number: bool
    # A kind of numeric answer in the form (questions.csv, column kind).
    answer_kind: bool


FTE = "fte"
PERSONS = "persons"
PERCENT = "percent"
MUNICIPALITIES = "municipalities"
SEK = "SEK"
# The kinds of numeric answers (questions.csv, column kind) and the units of the published
# figures (published_tables.csv and published_text_figures.csv, column unit).
UNITS: dict[str, Unit] = {
    FTE: Unit("årsarbetare", 1, whole_number=False, answer_kind=True),
    PERSONS: Unit("antal personer", 0, whole_number=True, answer_kind=True),
    PERCENT: Unit(
        "procent (0–100), NULL där nämnaren är 0", 0, whole_number=False, answer_kind=False
    ),
    MUNICIPALITIES: Unit("antal kommuner", 0, whole_number=True, answer_kind=False),
    SEK: Unit("kronor", 0, whole_number=True, answer_kind=False),
}
# The kinds of answers that are numbers (the others are choices or text).
NUMERIC_ANSWER_KINDS = frozenset(unit for unit, spec in UNITS.items() if spec.answer_kind)

# --- Contract section 8: the reconciliation -------------------------------------------------

MATCH = "match"
WITHIN_TOLERANCE = "within_tolerance"
DEVIATES = "deviates"
# Status → what it means for a reader of the reconciliation.
RECONCILIATION_STATUSES: dict[str, str] = {
    MATCH: "Stämmer (lika avrundat som i rapporten)",
    WITHIN_TOLERANCE: "Inom toleransen (andel inom 1,0 procentenhet; rapporten avrundade raderna "
    "till 100)",
    DEVIATES: "Avviker",
}
RECONCILED_STATUSES = (MATCH, WITHIN_TOLERANCE)

# --- Contract section 11: what changed behind a revised figure (report.revisioner.cause) -------

REVISION_CAUSES: dict[str, str] = {
    "added": "Ny fil",
    "corrected": "Rättad fil",
    "withdrawn": "Återtagen fil",
    "grant_register": "Rekvisitionsregistret",
    "reference_data": "Referensdata",
    "code": "Programkoden",
}
