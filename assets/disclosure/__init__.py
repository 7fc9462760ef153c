"""Disclosure control (contract section 10): its one home, shared by the report stage, whose
blocking check audits the figures as they will be published, and the publication stage, which
publishes them.

- `audit.py`: the audit, a linear programme per year over every published figure, and the
  secondary suppression that hides further figures until it passes.
- `key_figures.py`: the key figures' rules (report.nyckeltal) and their audit model.
- `breakdowns.py`: the breakdowns' rules (report.breakdown_cells_unsuppressed) and their part of
  the same audit model, so that the relations cross tables.

Pure: no Dagster, no DuckDB.
"""

from enum import StrEnum


class Disclosure(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    EMPTY = "empty"


# How a cell that shows no figure is printed (Statistics Sweden's conventions).
SYMBOLS = {Disclosure.PRIMARY: "..", Disclosure.SECONDARY: "..", Disclosure.EMPTY: "–"}

# Which shown quantity is hidden first as a partner (audit._partner), as statistical offices
# choose (tau-argus's least cost): a municipality's before a county's or SKR group's, whose
# figures more readers use, and the nation's only when nothing else is left.
PARTNER_RANK = {"kommun": 0, "lan": 1, "kommungrupp": 1, "riket": 2}


# A quantity's key names the sum it is, not where it is published: the same sum published by a
# key figure and by a breakdown cell is one unknown of the audit, so the relations cross tables.
def municipality_key(ar: int, kommunkod: str, term: str) -> str:
    return f"{ar}|kommun|{kommunkod}|{term}"


def group_key(ar: int, dimension: str, group_code: str, term: str, members: list[str]) -> str:
    """A group's sum of `term` over `members` (sorted kommunkoder)."""
    return f"{ar}|{dimension}|{group_code}|{term}|{','.join(members)}"
