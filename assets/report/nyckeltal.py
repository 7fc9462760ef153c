"""Key figures per municipality (report.nyckeltal, report.jamforelse): their checks.

The key figures are defined in schemas/reference/nyckeltal.csv (ref.nyckeltal) and computed by
the report's SQL (85_report_nyckeltal.sql, 86_report_jamforelse.sql,
87_report_nyckeltal_mot_tabeller.sql), which `build_report` runs with every other report table
in report/tables_long's step: one SQL build, so an analyst's `build_report` gets them too. The
asset report/nyckeltal is materialised there, with its checks, on the staging warehouse before
the swap. The published key figures' own
asset is publication/kommunprofiler (assets/publication/profile_asset.py): the profile pages and the
key-figure exports. The check queries are plain functions on a connection, so the tests run them
on broken warehouses and see each fail.
"""

import dagster as dg
import duckdb

NYCKELTAL = dg.AssetKey(["report", "nyckeltal"])
# The first problems a failed check lists in its metadata.
PROBLEMS_SHOWN = 50
# The register terms ref.nyckeltal may name (85_report_nyckeltal.sql, register_values).
REGISTER_TERMS = ("fordelat_sek", "rekvirerat_sek", "aterbetalt_sek", "befolkning", "forsta_ar")


def undefined_terms(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every term of a key figure's täljare or nämnare that names nothing: no question of its
    blocks (after {kon} is replaced by totalt, kvinnor and man) and no register term, as
    "nyckeltal_id: term". Such a term would silently count as nothing."""
    return [
        problem
        for (problem,) in con.execute(
            """
            WITH terms AS (
                SELECT n.nyckeltal_id, n.block,
                    replace(unnest(string_split(concat_ws('+', n.taljare, n.namnare), '+')),
                        '{kon}', s.kon_ord) AS term
                FROM ref.nyckeltal AS n
                JOIN (VALUES ('totalt'), ('kvinnor'), ('man')) AS s (kon_ord)
                    ON n.delas_pa_kon OR s.kon_ord = 'totalt'
            ),
            blocks AS (
                SELECT nyckeltal_id, unnest(string_split(block, '+')) AS block FROM ref.nyckeltal
            )
            SELECT DISTINCT t.nyckeltal_id || ': ' || t.term
            FROM terms AS t
            WHERE t.term NOT IN (SELECT unnest(?::VARCHAR[]))
                AND NOT EXISTS (
                    SELECT 1
                    FROM blocks AS b
                    JOIN ref.questions AS q ON q.block = b.block
                    WHERE b.nyckeltal_id = t.nyckeltal_id
                        AND (q.question_id = t.term
                            OR (contains(t.term, '%') AND q.question_id LIKE t.term))
                )
            ORDER BY 1
            """,
            [list(REGISTER_TERMS)],
        ).fetchall()
    ]


def key_figures_disagreeing_with_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every key figure that, over the report's own population of a row, differs from the
    nation's cell of the same definition (report.nyckeltal_mot_tabeller), as
    "nyckeltal_id ar: key figure value vs table value"."""
    return [
        problem
        for (problem,) in con.execute(
            """
            SELECT format('{} {}: {} vs {} ({} / {} kommuner)', nyckeltal_id, ar,
                nyckeltal_varde, tabell_varde, nyckeltal_n_kommuner, tabell_n_kommuner)
            FROM report.nyckeltal_mot_tabeller
            WHERE NOT overensstammer
            ORDER BY nyckeltal_id, ar
            """
        ).fetchall()
    ]


def repeated_key_figure_rows(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every (nyckeltal_id, place, ar, kon) of report.nyckeltal with more than one row."""
    return [
        problem
        for (problem,) in con.execute(
            """
            SELECT concat_ws(' ', nyckeltal_id, dimension, coalesce(kommunkod, group_code), ar, kon)
            FROM report.nyckeltal
            GROUP BY nyckeltal_id, dimension, kommunkod, group_code, ar, kon
            HAVING count(*) > 1
            ORDER BY 1
            """
        ).fetchall()
    ]


# The asset report/nyckeltal is built in report/tables_long's step (assets/report/assets.py), by
# the same SQL build; its checks are declared with it and emitted with its materialisation.
# Blocking: a failure stops kompetens_warehouse, and so the pages and exports made from it.
NYCKELTAL_CHECKS = {
    "nyckeltal_terms_defined": (
        undefined_terms,
        (
            "Every term of a key figure's definition (schemas/reference/nyckeltal.csv) names a "
            "question of its blocks or a register term: a misspelt term would count as nothing."
        ),
    ),
    "nyckeltal_agree_with_tables": (
        key_figures_disagreeing_with_tables,
        (
            "A key figure with the definition of a report cell, computed over that row's "
            "population, equals the nation's cell (report.nyckeltal_mot_tabeller)."
        ),
    ),
    "nyckeltal_one_row_per_key": (
        repeated_key_figure_rows,
        "report.nyckeltal has one row per (nyckeltal_id, municipality or group, ar, kon).",
    ),
}
NYCKELTAL_CHECK_SPECS = [
    dg.AssetCheckSpec(name, asset=NYCKELTAL, blocking=True, description=description)
    for name, (_, description) in NYCKELTAL_CHECKS.items()
]


def nyckeltal_check_results(con: duckdb.DuckDBPyConnection) -> list[dg.AssetCheckResult]:
    """Each key-figure check's result on the warehouse `con` holds."""
    results = []
    for name, (find_problems, _) in NYCKELTAL_CHECKS.items():
        problems = find_problems(con)
        results.append(
            dg.AssetCheckResult(
                asset_key=NYCKELTAL,
                check_name=name,
                passed=not problems,
                metadata={"problems": len(problems), "first_problems": problems[:PROBLEMS_SHOWN]},
            )
        )
    return results
