"""Disclosure control of the breakdowns of Tables 1, 3, 9 and 11 by county and SKR municipality
group (report.breakdown_cells_unsuppressed): the primary rule, and the table cells' part of each
year's audit model (assets/disclosure/audit.py): those breakdowns and the nation's cells of every
table (the report's own, never hidden). The model also holds the key figures
(assets/disclosure/key_figures.py): the audit's secondary step decides what else is hidden, over
the breakdowns and the key figures at once. Pure: no Dagster, no DuckDB.

The model: docs/ARCHITECTURE.md, «assets/disclosure/breakdowns.py».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from assets.disclosure import PARTNER_RANK, Disclosure, group_key, municipality_key
from assets.disclosure.audit import MINIMUM_MARGIN, Model, Quantity
from schemas.block_schemas import SUM_TOLERANCE

MIN_MUNICIPALITIES = 3
N_COLUMN_KEY = "n_kommuner"
NATION = "riket"
# Tables 4–8: per subarea of a competence block, each level (ref.report_tables.layout).
SUBAREA_LAYOUT = "subareas"
# The exports write a cell's value as the double it is, every digit: a sum's interval is the
# value itself, a share's only the double's own round-off.
SHARE_TOLERANCE = 1e-9
# The columns of the tables of layout 'years' (Tables 11–14) as question sums, täljare and
# nämnare (40_report_tables_long.sql, year_cells). `_cell_terms` is checked against the SQL's
# cells in every build (`add_breakdowns`).
YEAR_COLUMNS = {
    "T11": {
        "antal_handlaggare": ("handl_totalt", None),
        "socionom_lt1ar_andel": ("handl_socionom_lt1ar", "handl_totalt"),
        "utan_socionom_andel": ("handl_utan_socionom_totalt", "handl_totalt"),
    },
    "T12": {
        "fortbildning": ("handl_fortbildning", None),
        "vidareutbildning": ("handl_vidareutbildning", None),
        "magister_andel": ("handl_magister", "handl_vidareutbildning"),
    },
    "T13": {
        "antal_arbetsledare": ("arbl_totalt", None),
        "forsta_chefsjobb_andel": ("arbl_forsta_chefsjobb", "arbl_totalt"),
        "behov_kompetensutveckling_andel": ("arbl_behov_kompetensutveckling", "arbl_totalt"),
        "lt3ar_erfarenhet_andel": ("arbl_lt3ar_erfarenhet", "arbl_totalt"),
    },
    "T14": {
        "fortbildning": ("arbl_fortbildning", None),
        "vidareutbildning": ("arbl_vidareutbildning", None),
        "magister_andel": ("arbl_magister", "arbl_vidareutbildning"),
    },
}
# The cells' own relative error against their recomputation from the municipalities' answers.
RECOMPUTED_TOLERANCE = 1e-6
# The population rows and blocks the cells read, the nation's of every table and the counties'
# and SKR groups' of the tables broken down (a constant subquery of `read_breakdowns`).
CELL_BLOCKS = "(SELECT DISTINCT ar, block FROM report.table_cells)"


def level_term(block: str, level: str) -> str:
    """A competence level's sum over the subareas Tables 3–8 show, named as the key figures' LIKE
    terms (schemas/reference/nyckeltal.csv: komp_%_saknar over komp_%), so it is one unknown."""
    return f"{block}:komp_%_{level}"


def area_term(block: str) -> str:
    return f"{block}:komp_%"


def subarea_term(block: str, subarea: str) -> str:
    """A subarea's sum over its levels (Tables 4–8, totalt)."""
    return f"{block}:{subarea}"


@dataclass(frozen=True)
class BreakdownInputs:
    """All the breakdowns' part of the audit reads (`read_breakdowns`)."""

    # report.breakdown_cells_unsuppressed, and the nation's cells of every table (dimension
    # riket, published as report.tables_long), with the table's layout.
    cells: pl.DataFrame
    # Which municipalities each cell counts: ar, block, dimension, group_code, kommunkod.
    members: pl.DataFrame
    # The counted submissions' answers: ar, kommunkod, block, question_id, subarea, level,
    # in_tables (the subarea is one Tables 3–8 show).
    answers: pl.DataFrame
    # report.level_key: a level's word in the column keys (grund → grundlaggande).
    level_keys: dict[str, str]

    def of_years(self, years: list[int]) -> BreakdownInputs:
        return BreakdownInputs(
            *(
                frame.filter(pl.col("ar").is_in(years))
                for frame in (self.cells, self.members, self.answers)
            ),
            self.level_keys,
        )

    @property
    def years(self) -> list[int]:
        return sorted(self.cells["ar"].unique().to_list())


def _municipal_sums(answers: pl.DataFrame) -> dict[tuple[str, str], float]:
    """(kommunkod, term) → the municipality's sum: each question, and per competence block each
    level's, each subarea's and all levels' sums over the subareas the tables show."""
    questions = answers.select("kommunkod", term="question_id", value="value")
    levels = answers.filter(pl.col("level").is_not_null() & pl.col("in_tables"))
    by_level = levels.select(
        "kommunkod",
        term=pl.format("{}:komp_%_{}", "block", "level"),
        value="value",
    )
    by_subarea = levels.select(
        "kommunkod", term=pl.format("{}:{}", "block", "subarea"), value="value"
    )
    by_area = levels.select("kommunkod", term=pl.format("{}:komp_%", "block"), value="value")
    sums = (
        pl.concat([questions, by_level, by_subarea, by_area])
        .group_by("kommunkod", "term")
        .agg(pl.col("value").fill_null(0.0).sum())
    )
    return {(k, t): v for k, t, v in sums.iter_rows()}


@dataclass(frozen=True)
class _Catalog:
    """The questions a cell's column names: a block's question by its id without the prefix
    (block_sums), and a subarea's question of a level (subareas)."""

    by_word: dict[tuple[str, str], str]
    by_subarea_level: dict[tuple[str, str, str], str]

    @classmethod
    def of(cls, answers: pl.DataFrame) -> _Catalog:
        questions = answers.select("block", "question_id", "subarea", "level", "in_tables").unique()
        return cls(
            {
                (block, re.sub("^[a-z]+_", "", question)): question
                for block, question in questions.select("block", "question_id").iter_rows()
            },
            {
                (block, subarea, level): question
                for block, question, subarea, level in questions.filter(
                    pl.col("level").is_not_null() & pl.col("in_tables")
                )
                .select("block", "question_id", "subarea", "level")
                .iter_rows()
            },
        )


def _cell_terms(row: dict, catalog: _Catalog, level_keys: dict[str, str]) -> tuple[str, str | None]:
    """A cell's täljare and nämnare (None for a sum) as municipal terms, as
    40_report_tables_long.sql defines the cell."""
    layout, block, col_key = row["layout"], row["block"], row["col_key"]
    if layout == "block_sums":  # the column is the block's question id without its prefix
        return (catalog.by_word[(block, col_key)], None)
    if layout == "years":
        return YEAR_COLUMNS[row["table_id"]][col_key]
    # area_shares and subareas: a subarea's total, or a level's word and what of it is shown
    # (grundlaggande_antal, grundlaggande_andel)
    if col_key == "totalt":
        return (subarea_term(block, row["row_key"]), None)
    level = _level_of(col_key, level_keys)
    if layout == "area_shares":
        return (level_term(block, level), area_term(block))
    part = catalog.by_subarea_level[(block, row["row_key"], level)]
    whole = subarea_term(block, row["row_key"])
    return (part, None) if col_key.endswith("_antal") else (part, whole)


def _level_of(col_key: str, level_keys: dict[str, str]) -> str:
    """The level a column names by its word (grundlaggande_antal → grund); a word no level has
    is a bug."""
    word = col_key.rsplit("_", 1)[0]
    [level] = [lv for lv, w in level_keys.items() if w == word]
    return level


def _projected_term(row: dict, level_keys: dict[str, str]) -> str:
    """The municipal term whose nation's sum carries a cell of Tables 4–8 in the model: a
    level's count and share, the level's sum over the subareas (`level_term`); a subarea's total,
    the area's (`area_term`). Exact while no published figure names a municipality's subarea
    question or subarea sum (docs/RELIABILITY.md, «The national tables in the audit»): then
    questions ≥ 0 that give both every municipality's level sums and the nation's subarea cells
    exist exactly when the totals agree (a transportation problem), so of a block's Tables 4–8
    the audit needs only the nation's sum of each level, and no unknown per question."""
    if row["col_key"] == "totalt":
        return area_term(row["block"])
    return level_term(row["block"], _level_of(row["col_key"], level_keys))


@dataclass(frozen=True)
class BreakdownModel:
    cell_keys: list[str | None]  # per row of the year's cells: its quantity (a share's täljare)
    primary: set[str]  # the quantities the primary rule hides and the audit protects


def add_breakdowns(model: Model, inputs: BreakdownInputs) -> BreakdownModel:
    """One year's table cells into its audit `model`: the counties' and SKR groups' of the
    tables broken down and the nation's of every table. Each published cell as the interval its
    value allows (a share as a ratio of two sums that carries no interval of its own, hidden
    with its täljare), each sum = Σ of its municipalities' terms, which are the key figures'
    where they are the same sums; per municipality total = women + men and an area = Σ its
    levels. Tables 4–8 enter as the nation's sum of each level and of the area
    (`_projected_term`). The nation's cells are the report's and never hidden."""
    sums = _municipal_sums(inputs.answers)
    members: dict[tuple, list[str]] = {}
    for ar, block, dimension, code, kommunkod in inputs.members.sort(pl.all()).iter_rows():
        members.setdefault((ar, block, dimension, code), []).append(kommunkod)
    catalog = _Catalog.of(inputs.answers)
    used: set[tuple[int, str, str]] = set()
    summed: set[str] = set()  # a sum is a cell, a share's nämnare, or both: one relation

    def sum_of(ar, dimension, code, term, members_of, published, hideable):
        key = group_key(ar, dimension, code, term, members_of)
        parts = []
        for kommunkod in members_of:
            part = municipality_key(ar, kommunkod, term)
            used.add((ar, kommunkod, term))
            model.add(Quantity(part, sums.get((kommunkod, term), 0.0), None, rank=(0, False)))
            parts.append(part)
        value = sum(sums.get((kommunkod, term), 0.0) for kommunkod in members_of)
        model.add(
            Quantity(
                key,
                value,
                0.0 if published else None,
                MINIMUM_MARGIN,
                rank=(PARTNER_RANK[dimension], False),
                hideable=hideable,
            )
        )
        if key not in summed:
            summed.add(key)
            model.equal_sum(key, parts)
        return key, value

    cell_keys: list[str | None] = []
    primary: set[str] = set()
    for row in inputs.cells.iter_rows(named=True):
        ar, dimension, code, block = row["ar"], row["dimension"], row["group_code"], row["block"]
        value, n_kommuner = row["value"], row["n_kommuner"]
        if row["col_key"] == N_COLUMN_KEY or not n_kommuner or value is None:
            cell_keys.append(None)  # N is public; a cell on no municipality shows nothing
            continue
        t_term, n_term = _cell_terms(row, catalog, inputs.level_keys)
        hideable = dimension != NATION
        if not hideable and n_kommuner < MIN_MUNICIPALITIES:
            # The report's own table on a population of 1 or 2 municipalities, published beyond
            # disclosure control: what it gives away no hiding can protect, so it is left out.
            cell_keys.append(None)
            continue
        members_of = members[(ar, block, dimension, code)]
        t_value = sum(sums.get((kommunkod, t_term), 0.0) for kommunkod in members_of)
        if n_term is None:
            recomputed = t_value
        else:
            n_value = sum(sums.get((kommunkod, n_term), 0.0) for kommunkod in members_of)
            recomputed = 100 * t_value / n_value
        if abs(recomputed - value) > RECOMPUTED_TOLERANCE * max(1.0, abs(value)):
            # The municipal terms are not the SQL's cell: a bug in `_cell_terms`, never the data.
            raise RuntimeError(
                f"breakdown cell {row['table_id']} {row['row_key']} "
                f"{row['col_key']} {dimension} {code}: {value} ≠ {recomputed}"
            )
        if row["layout"] == SUBAREA_LAYOUT:
            if hideable:
                # The projection is exact for one group over all the subareas' municipalities;
                # Tables 4–8 broken down would need each subarea's sums in the model.
                raise RuntimeError(f"{row['table_id']} is broken down: see `_projected_term`")
            projected = _projected_term(row, inputs.level_keys)
            t_key, _ = sum_of(ar, dimension, code, projected, members_of, True, hideable)
            cell_keys.append(t_key)
            continue
        t_key, _ = sum_of(ar, dimension, code, t_term, members_of, n_term is None, hideable)
        if n_term is not None:
            n_key, _ = sum_of(ar, dimension, code, n_term, members_of, False, hideable)
            share = value / 100
            model.ratio(t_key, n_key, share - SHARE_TOLERANCE, share + SHARE_TOLERANCE)
        cell_keys.append(t_key)
        if hideable and n_kommuner < MIN_MUNICIPALITIES:
            primary.add(t_key)
    _add_municipal_relations(model, used, sums)
    return BreakdownModel(cell_keys, primary)


def _add_municipal_relations(model: Model, used: set, sums: dict) -> None:
    """Per municipality in the model: total = women + men (within the form's tolerance), and a
    competence area = the sum of its levels."""
    terms_of: dict[tuple[int, str], set[str]] = {}
    for ar, kommunkod, term in used:
        terms_of.setdefault((ar, kommunkod), set()).add(term)
    for (ar, kommunkod), terms in sorted(terms_of.items()):
        for total in sorted(t for t in terms if t.endswith("_totalt")):
            stem = total.removesuffix("totalt")
            women, men = f"{stem}kvinnor", f"{stem}man"
            if women in terms and men in terms:
                values = [sums.get((kommunkod, t), 0.0) for t in (total, women, men)]
                residual = abs(values[0] - values[1] - values[2])
                model.equal_sum(
                    municipality_key(ar, kommunkod, total),
                    [municipality_key(ar, kommunkod, t) for t in (women, men)],
                    tolerance=max(SUM_TOLERANCE, residual),
                )
        for area in sorted(t for t in terms if t.endswith(":komp_%")):
            block = area.removesuffix(":komp_%")
            levels = sorted(t for t in terms if t.startswith(f"{block}:komp_%_"))
            if levels:
                model.equal_sum(
                    municipality_key(ar, kommunkod, area),
                    [municipality_key(ar, kommunkod, t) for t in levels],
                )


def disclosed_breakdowns(
    inputs: BreakdownInputs, cell_keys: list[str | None], hidden: set
) -> pl.DataFrame:
    """The counties' and SKR groups' cells as published: `disclosure` per cell, and `value` NULL
    wherever it is not shown. N is always shown; a cell on no municipality is empty."""
    statuses = [
        Disclosure.SHOWN
        if row["col_key"] == N_COLUMN_KEY
        else Disclosure.EMPTY
        if key is None
        else Disclosure.PRIMARY
        if row["n_kommuner"] < MIN_MUNICIPALITIES
        else Disclosure.SECONDARY
        if key in hidden
        else Disclosure.SHOWN
        for row, key in zip(inputs.cells.iter_rows(named=True), cell_keys, strict=True)
    ]
    return (
        inputs.cells.with_columns(disclosure=pl.Series(statuses, dtype=pl.String))
        .filter(pl.col("dimension") != NATION)
        .with_columns(value=pl.when(pl.col("disclosure") == Disclosure.SHOWN).then(pl.col("value")))
        .drop("layout")
    )


def read_breakdowns(con) -> BreakdownInputs:
    """What the table cells' part of the audit reads from a warehouse connection."""
    cells = con.sql(
        """
        SELECT b.*, t.layout
        FROM (
            SELECT * FROM report.breakdown_cells_unsuppressed
            UNION ALL BY NAME
            SELECT c.*, g.group_name, g.group_position
            FROM report.table_cells AS c
            JOIN (SELECT DISTINCT dimension, group_code, group_name, group_position
                  FROM report.breakdown_groups) AS g USING (dimension, group_code)
            WHERE c.dimension = 'riket'
        ) AS b
        JOIN ref.report_tables AS t USING (table_id)
        ORDER BY b.ar, b.dimension, b.table_id, b.row_key, b.col_key, b.group_position
        """
    ).pl()
    members = con.sql(
        f"""
        SELECT c.ar, c.block, g.dimension, g.group_code, c.kommunkod
        FROM core.counted_blocks AS c
        JOIN report.breakdown_groups AS g USING (kommunkod)
        SEMI JOIN {CELL_BLOCKS} AS r USING (ar, block)
        ORDER BY ALL
        """
    ).pl()
    answers = con.sql(
        f"""
        SELECT c.ar, c.kommunkod, c.block, a.question_id, q.subarea, q.level,
            coalesce(q.subarea IN (SELECT subarea FROM ref.report_subareas), false) AS in_tables,
            a.value
        FROM core.counted_blocks AS c
        SEMI JOIN {CELL_BLOCKS} AS r USING (ar, block)
        JOIN core.answers AS a ON a.path = c.path
        JOIN ref.questions AS q ON q.question_id = a.question_id AND q.block = c.block
        ORDER BY ALL
        """
    ).pl()
    level_keys = dict(
        con.execute(
            "SELECT DISTINCT level, report.level_key(level) FROM ref.questions"
            " WHERE level IS NOT NULL ORDER BY ALL"
        ).fetchall()
    )
    return BreakdownInputs(cells, members, answers, level_keys)
