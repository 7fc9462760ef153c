-- report.table_09: Table 9 of the report, laid out for analysts.
--   Supervisors (fte); block D, final population.
-- Contract sections 5, 7 and 8. The report's Swedish labels: column `rad` holds the row label,
-- then one column per published column, values unrounded.
-- The figures live in report.tables_long, the layout and labels in report.layout_cells.
-- A table rather than a view: DuckDB pivots on a column list read from the reference only when
-- the result is materialised; build_report rebuilds it on every run.
CREATE OR REPLACE TABLE report.table_09 AS
SELECT * EXCLUDE (row_position)
FROM (
    PIVOT (
        SELECT row_position, row_label AS rad, col_label, value
        FROM report.layout_cells
        WHERE table_id = 'T09'
    )
    ON col_label IN (
        SELECT col_label FROM report.layout_cells WHERE table_id = 'T09'
        GROUP BY col_label ORDER BY min(col_position)
    )
    USING any_value(value)
    GROUP BY row_position, rad
)
ORDER BY row_position;

COMMENT ON TABLE report.table_09 IS 'Tabell 9 i slutrapporten, uppställd för analytiker: Supervisors (fte); block D, final population. Kolumnen rad är radetiketten, övriga kolumner rapportens kolumner, ej avrundade (samma värden som report.tables_long där table_id = ''T09'').';
