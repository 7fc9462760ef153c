-- report.table_07: Table 7 of the report, laid out for analysts.
--   Competence in social science per subarea; block C_samhallsvetenskap, final population.
-- Contract sections 5, 7 and 8. The report's Swedish labels: column `rad` holds the row label,
-- then one column per published column, values unrounded; counts (N, persons) are integers.
-- The figures live in report.tables_long, the layout and labels in report.layout_cells.
-- A table rather than a view: DuckDB pivots on a column list read from the reference only when
-- the result is materialised; build_report rebuilds it on every run.
-- A pivoted column has one type, so each column label is pivoted twice, as a figure (DOUBLE) and
-- as a count (BIGINT), under its label tagged with its kind ('N count'); the outer SELECT keeps the
-- one of the label's own kind, in published order, named by the label alone.
CREATE OR REPLACE TABLE report.table_07 AS
SELECT rad, COLUMNS('^(.*) (figure_figure|count_count)$') AS '\1'
FROM (
    PIVOT (
        SELECT
            row_position,
            row_label AS rad,
            col_label || ' ' || col_kind AS typed_label,
            value AS figure,
            -- A persons sum beyond BIGINT (more persons than live on earth) is no integer: NULL
            -- here, the figure stays in report.tables_long.
            CASE WHEN col_kind = 'count' THEN TRY_CAST(value AS BIGINT) END AS count
        FROM report.layout_cells
        WHERE table_id = 'T07'
    )
    ON typed_label IN (
        SELECT any_value(col_label || ' ' || col_kind)
        FROM report.layout_cells
        WHERE table_id = 'T07'
        GROUP BY col_label
        ORDER BY min(col_position)
    )
    USING any_value(figure) AS figure, any_value(count) AS count
    GROUP BY row_position, rad
)
ORDER BY row_position;

COMMENT ON TABLE report.table_07 IS 'Tabell 7 i slutrapporten, uppställd för analytiker: Competence in social science per subarea; block C_samhallsvetenskap, final population. Kolumnen rad är radetiketten, övriga kolumner rapportens kolumner, ej avrundade, antal kommuner och personer som heltal (samma värden som report.tables_long där table_id = ''T07'').';
