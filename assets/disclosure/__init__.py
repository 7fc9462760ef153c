"""Disclosure control (contract section 10): its one home, shared by the report stage, whose
blocking check audits the figures as they will be published, and the publication stage, which
publishes them.

- `audit.py`: the audit, a linear programme per year over every published figure, and the
  secondary suppression that hides further figures until it passes.
- `key_figures.py`: the key figures' rules (report.nyckeltal) and their audit model.
- `breakdowns.py`: the breakdowns' rules (report.breakdown_cells_unsuppressed).

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
