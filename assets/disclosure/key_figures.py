"""Disclosure control of the key figures per municipality, county, SKR group and the nation
(report.nyckeltal), and their model for the audit (assets/disclosure/audit.py): each year's
model also takes that year's breakdown cells (assets/disclosure/breakdowns.py), so one audit
covers both and its relations cross them.

Pure: no Dagster, no DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from assets.disclosure import PARTNER_RANK, Disclosure, group_key, municipality_key
from assets.disclosure.audit import (
    MINIMUM_MARGIN,
    Model,
    Quantity,
    Suppression,
    secondary_suppression,
)
from assets.disclosure.breakdowns import BreakdownInputs, add_breakdowns, disclosed_breakdowns
from schemas.block_schemas import SUM_TOLERANCE

# --- Key figures per municipality and group (report.nyckeltal) -------------------------------
#
# A key figure split by sex describes the caseworkers or managers of one sex: where few of them
# rest under it, the share (e.g. "without a social work degree") tells something about a person.
# - Primary: a K or M figure of a ratio (it has a nämnare) resting on more than 0 but fewer than
#   MIN_FTE_BY_SEX årsarbetare of that sex hides its täljare (and so its value).
# - The other sex's täljare at the same place is hidden with it: T and one sex give the other.
# - Secondary: audit.secondary_suppression hides further täljare and nämnare (of any
#   place, sex included T, and the nation's) until the audit passes over every key figure of the
#   year at once.
# Disclosure control works on quantities, not rows: a municipality's handl_kvinnor is the täljare
# of handl_arsarbetare K, of handl_andel_kvinnor and the nämnare of handl_utan_socionom_andel K,
# so hiding it hides it in all three. A row's value is shown only while its täljare and nämnare
# are; n_underlag goes with the term it copies.
# - A figure with no value (nämnare 0) has nothing to hide: "–".
MIN_FTE_BY_SEX = 3
SEXES_SPLIT = ("K", "M")
SEX_WORDS = {"T": "totalt", "K": "kvinnor", "M": "man"}
# The key-figure files publish the täljare and nämnare as the exact decimal sums they are
# (DECIMAL(38, 2), every decimal): the interval a published one allows is the value itself.
EXACT_SUM_HALF_WIDTH = 0.0


@dataclass
class KeyFigureDisclosure:
    frame: pl.DataFrame  # the key figures as published
    models: dict[int, Model]  # per year
    suppressions: dict[int, Suppression]  # per year
    # The breakdowns as published (disclosed_breakdowns), where they were given
    breakdowns: pl.DataFrame | None = None


def key_figure_disclosure(
    nyckeltal: pl.DataFrame,
    groups: pl.DataFrame,
    definitions: pl.DataFrame,
    secondary_rounds: int | None = None,
    breakdowns: BreakdownInputs | None = None,
) -> KeyFigureDisclosure:
    """The key figures (and the `breakdowns`, where given) after disclosure control, with each
    year's audit model and result: one model per year over both, so the relations cross them."""
    terms = _row_terms(nyckeltal, groups, definitions)
    models: dict[int, Model] = {}
    suppressions: dict[int, Suppression] = {}
    hidden: set = set()
    years = set(terms["ar"].unique().to_list()) | set(breakdowns.years if breakdowns else [])
    # Empty, not missing, where no year is solved: its columns are those of every year.
    disclosed = [disclosed_breakdowns(breakdowns.of_years([]), [], set())] if breakdowns else []
    for ar in sorted(years):
        year = terms.filter(pl.col("ar") == ar)
        model = _key_figure_model(year)
        primary = _key_figure_primary(year)
        if breakdowns is not None:
            cells = breakdowns.of_years([ar])
            added = add_breakdowns(model, cells)
            primary |= added.primary
        suppression = secondary_suppression(model, primary, secondary_rounds)
        models[ar], suppressions[ar] = model, suppression
        hidden |= suppression.hidden
        if breakdowns is not None:
            disclosed.append(disclosed_breakdowns(cells, added.cell_keys, suppression.hidden))
    t_hidden = pl.Series([key in hidden for key in terms["t_key"]], dtype=pl.Boolean)
    n_hidden = pl.Series([key in hidden for key in terms["n_key"]], dtype=pl.Boolean)
    marked = terms.with_columns(
        _primary=_is_primary(),
        _t_hidden=t_hidden,
        _n_hidden=n_hidden,
    )
    hidden_value = pl.col("_t_hidden") | pl.col("_n_hidden")
    disclosure = (
        pl.when(pl.col("_primary"))
        .then(pl.lit(Disclosure.PRIMARY.value))
        .when(hidden_value)
        .then(pl.lit(Disclosure.SECONDARY.value))
        .when(pl.col("varde").is_null())
        .then(pl.lit(Disclosure.EMPTY.value))
        .otherwise(pl.lit(Disclosure.SHOWN.value))
    )
    frame = (
        marked.with_columns(disclosure=disclosure)
        .with_columns(
            varde=pl.when(~hidden_value).then(pl.col("varde")),
            taljare=pl.when(~pl.col("_t_hidden")).then(pl.col("taljare")),
            namnare=pl.when(~pl.col("_n_hidden")).then(pl.col("namnare")),
            n_underlag=pl.when(
                pl.when(pl.col("_sammanvagning") == "kvot")
                .then(~pl.col("_n_hidden"))
                .otherwise(~pl.col("_t_hidden"))
            ).then(pl.col("n_underlag")),
        )
        .select(*nyckeltal.columns, "disclosure")
    )
    return KeyFigureDisclosure(
        frame, models, suppressions, pl.concat(disclosed) if disclosed else None
    )


def _is_primary() -> pl.Expr:
    split = pl.col("kon").is_in(SEXES_SPLIT) & pl.col("namnare").is_not_null()
    return (split & (pl.col("n_underlag") > 0) & (pl.col("n_underlag") < MIN_FTE_BY_SEX)).fill_null(
        False
    )


def _term_key(template: str | None, kon: str, block: str) -> str | None:
    if template is None:
        return None
    term = template.replace("{kon}", SEX_WORDS[kon])
    # A LIKE pattern (komp_%_saknar) means the questions of the key figure's block.
    return f"{block}:{term}" if "%" in term else term


def _row_terms(
    nyckeltal: pl.DataFrame, groups: pl.DataFrame, definitions: pl.DataFrame
) -> pl.DataFrame:
    """report.nyckeltal with the key of the quantity its täljare (t_key) and nämnare (n_key) are,
    and for a group the kommunkoder it is made of (_members). A group's quantity is its term over
    its members: the same sum wherever it is published, whichever key figure publishes it."""
    rows = nyckeltal.with_row_index("_row").join(
        definitions.select(
            "nyckeltal_id",
            pl.col("block").alias("_block"),
            pl.col("taljare").alias("_taljare_term"),
            pl.col("namnare").alias("_namnare_term"),
            pl.col("sammanvagning").alias("_sammanvagning"),
            pl.col("faktor").alias("_faktor"),
        ),
        on="nyckeltal_id",
        how="left",
    )
    # As 85_report_nyckeltal.sql: a ratio without its nämnare stays out of its groups.
    members = (
        rows.filter(
            (pl.col("dimension") == "kommun")
            & (pl.col("namnare").is_not_null() | (pl.col("_sammanvagning") != "kvot"))
        )
        .select("nyckeltal_id", "ar", "kon", "kommunkod")
        .join(groups.select("dimension", "group_code", "kommunkod"), on="kommunkod")
        .group_by("nyckeltal_id", "ar", "kon", "dimension", "group_code")
        .agg(_members=pl.col("kommunkod").sort())
    )
    rows = rows.join(
        members, on=["nyckeltal_id", "ar", "kon", "dimension", "group_code"], how="left"
    )
    t_keys, n_keys = [], []
    for row in rows.select(
        "ar",
        "dimension",
        "kommunkod",
        "group_code",
        "kon",
        "_block",
        "_taljare_term",
        "_namnare_term",
        "_sammanvagning",
        "_members",
    ).iter_rows():
        ar, dimension, kommunkod, group_code, kon, block, taljare, namnare, weighting, group = row
        if weighting == "antal_kommuner":
            # A count of municipalities by their first year: public through the grant register.
            t_keys.append(None)
            n_keys.append(None)
            continue
        t_term, n_term = _term_key(taljare, kon, block), _term_key(namnare, kon, block)
        if dimension == "kommun":
            keys = [
                municipality_key(ar, kommunkod, term) if term else None for term in (t_term, n_term)
            ]
        else:
            keys = [
                group_key(ar, dimension, group_code, term, group or []) if term else None
                for term in (t_term, n_term)
            ]
        t_keys.append(keys[0])
        n_keys.append(keys[1])
    return rows.sort("_row").with_columns(
        t_key=pl.Series(t_keys, dtype=pl.String), n_key=pl.Series(n_keys, dtype=pl.String)
    )


def _key_figure_primary(year: pl.DataFrame) -> set[str]:
    """The täljare hidden by the primary rule, and the other sex's beside each."""
    primary = year.filter(_is_primary())
    places = primary.select("nyckeltal_id", "dimension", "kommunkod", "group_code").unique()
    partners = year.filter(pl.col("kon").is_in(SEXES_SPLIT)).join(
        places, on=["nyckeltal_id", "dimension", "kommunkod", "group_code"], nulls_equal=True
    )
    return set(primary["t_key"]) | set(partners["t_key"])


def _key_figure_model(year: pl.DataFrame) -> Model:
    """One year's key figures as the audit model."""
    # In report.nyckeltal's order whatever the joins before left: the order of the quantities
    # and relations is the order of the solver's columns and rows, which decides the optimum it
    # returns and so the partners chosen from it (audit._partner); the same data must hide the
    # same figures.
    year = year.sort("_row")
    model = Model()
    quantity_rows = year.filter(pl.col("t_key").is_not_null())
    for column, key in (("taljare", "t_key"), ("namnare", "n_key")):
        for key_value, value, dimension, kon, term_unit in quantity_rows.select(
            key, column, "dimension", "kon", "_block"
        ).iter_rows():
            if key_value is None:
                continue
            model.add(
                Quantity(
                    key_value,
                    float(value) if value is not None else 0.0,
                    EXACT_SUM_HALF_WIDTH,
                    # Kronor have no floor; fte, persons and inhabitants half a person.
                    minimum_margin=0.0
                    if key_value.endswith("_sek") or "_sek|" in key_value
                    else MINIMUM_MARGIN,
                    rank=(PARTNER_RANK[dimension], kon == "T"),
                )
            )
    # A group is the sum of its members.
    for key in ("t_key", "n_key"):
        groups = quantity_rows.filter(
            (pl.col("dimension") != "kommun") & pl.col(key).is_not_null()
        ).unique(key, maintain_order=True)
        for key_value, members, ar in groups.select(key, "_members", "ar").iter_rows():
            term = key_value.split("|")[3]
            model.equal_sum(key_value, [municipality_key(ar, m, term) for m in members or []])
    # A nation is the sum of the counties (or SKR groups) where they cover its members.
    places = quantity_rows.filter(pl.col("dimension") != "kommun")
    for key in ("t_key", "n_key"):
        by_figure = places.filter(pl.col(key).is_not_null()).group_by(
            "nyckeltal_id", "kon", maintain_order=True
        )
        for _, figure in by_figure:
            nation = figure.filter(pl.col("dimension") == "riket")
            if nation.height != 1:
                continue
            everyone = sorted(nation["_members"].to_list()[0] or [])
            for dimension in ("lan", "kommungrupp"):
                line = figure.filter(pl.col("dimension") == dimension)
                covered = sorted(m for members in line["_members"].to_list() for m in members or [])
                if covered == everyone:
                    model.equal_sum(nation[key][0], line[key].unique(maintain_order=True).to_list())
    # Total = women + men, within the form's tolerance, and a share's täljare ≤ its nämnare.
    municipalities = quantity_rows.filter(pl.col("dimension") == "kommun")
    split = municipalities.filter(pl.col("_taljare_term").str.contains("{kon}", literal=True))
    for key in ("t_key", "n_key"):
        wide = split.filter(pl.col(key).is_not_null()).pivot(
            on="kon", index=["nyckeltal_id", "kommunkod"], values=key, aggregate_function="first"
        )
        if not {"T", "K", "M"} <= set(wide.columns):
            continue
        for total, women, men in wide.select("T", "K", "M").iter_rows():
            if None in (total, women, men):
                continue
            values = [model.quantities[k].value for k in (total, women, men)]
            residual = abs(values[0] - values[1] - values[2])
            model.equal_sum(total, [women, men], tolerance=max(SUM_TOLERANCE, residual))
    shares = municipalities.filter((pl.col("_faktor") == 100) & pl.col("n_key").is_not_null())
    for part, whole in shares.select("t_key", "n_key").unique(maintain_order=True).iter_rows():
        if model.quantities[part].value <= model.quantities[whole].value:
            model.at_most(part, whole)
    return model


def read_key_figures(con) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What the key figures' disclosure control reads from a warehouse connection: report.nyckeltal,
    report.breakdown_groups and ref.nyckeltal."""
    return (
        con.sql("SELECT * FROM report.nyckeltal").pl(),
        con.sql("SELECT dimension, group_code, kommunkod FROM report.breakdown_groups").pl(),
        con.sql("SELECT * FROM ref.nyckeltal ORDER BY position").pl(),
    )
