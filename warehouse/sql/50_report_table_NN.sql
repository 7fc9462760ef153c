-- report.table_NN: Table N of the report, laid out for analysts; one template for Tables 1–14.
-- build_report (assets/report/build.py) runs it once per row of ref.report_tables, with
-- {{NN}} the table's two-digit number (07 for T07), {{N}} its number (7) and
-- {{description_sv}} the row's description_sv, which says what the table shows.
-- Contract sections 5, 7 and 8. One row per row of the report: row_key as in report.tables_long and
-- the report's row_label; then one column per published column, in published order, named by its
-- col_key (ref.published_tables), so no query has to quote it; the report's heading is the
-- column's comment (assets/feedback/dictionary.py) and the exports' heading. Values unrounded;
-- counts (N, persons) are integers.
-- The figures live in report.tables_long, the layout and labels in report.layout_cells.
-- A table rather than a view: DuckDB pivots on a column list read from the reference only when
-- the result is materialised; build_report rebuilds it on every run.
-- A pivoted column has one type, so each column is pivoted twice, as a figure (DOUBLE) and as a
-- count (BIGINT), under its col_key tagged with its kind ('n_kommuner count'); the outer SELECT
-- keeps the one of the column's own kind, in published order, named by the col_key alone.
CREATE OR REPLACE TABLE report.table_{{NN}} AS
SELECT row_key, row_label, COLUMNS('^(.*) (figure_figure|count_count)$') AS '\1'
FROM (
    PIVOT (
        SELECT
            row_position,
            row_key,
            row_label,
            col_key || ' ' || col_kind AS typed_key,
            value AS figure,
            -- A persons sum beyond BIGINT (more persons than live on earth) is no integer: NULL
            -- here, the figure stays in report.tables_long.
            CASE WHEN col_kind = 'count' THEN TRY_CAST(value AS BIGINT) END AS count
        FROM report.layout_cells
        WHERE table_id = 'T{{NN}}'
    )
    ON typed_key IN (
        SELECT any_value(col_key || ' ' || col_kind)
        FROM report.layout_cells
        WHERE table_id = 'T{{NN}}'
        GROUP BY col_key
        ORDER BY min(col_position)
    )
    USING any_value(figure) AS figure, any_value(count) AS count
    GROUP BY row_position, row_key, row_label
)
ORDER BY row_position;

COMMENT ON TABLE report.table_{{NN}} IS 'Tabell {{N}} i slutrapporten, uppställd för analytiker: {{description_sv}}. En rad per rad i rapporten: row_key är radens nyckel och row_label rapportens radetikett; varje övrig kolumn heter som kolumnens col_key i ref.published_tables och har rapportens rubrik i sin kommentar. Värdena är inte avrundade, antal kommuner och personer är heltal (samma värden som report.tables_long där table_id = ''T{{NN}}'').';
