-- report.breakdown_cells_unsuppressed: Tables 1, 3, 9 and 11 (ref.report_tables.broken_down) per
-- county (21 län) and per SKR municipality group (9 groups), beyond the report, for analysts and
-- the publication outputs (assets/publication/). The cells are those of report.table_cells, where
-- each table is defined once for the nation and every group (40_report_tables_long.sql): the same
-- population, valid blocks (contract section 5) and definitions (section 7) as the report's own
-- tables. Values are raw and unrounded, with the number of municipalities each cell rests on.
-- Disclosure control (suppressing small cells) is assets/disclosure's, its one home, never
-- here: the name says so, so that nobody publishes these cells by mistake. The report stage
-- stores the audited cells as report.breakdown_cells_publicerad, which every output reads. Every group has every cell: a group where nobody counts has n_kommuner 0,
-- sums 0 and NULL shares (shown as "–", as every cell resting on no municipality).
CREATE OR REPLACE TABLE report.breakdown_cells_unsuppressed AS
WITH groups AS (
    SELECT DISTINCT dimension, group_code, group_name, group_position
    FROM report.breakdown_groups
    WHERE dimension <> 'riket'
)
SELECT
    c.dimension,
    c.group_code,
    g.group_name,
    g.group_position,
    c.table_id,
    c.row_key,
    c.col_key,
    c.value,
    c.n_kommuner,
    c.ar,
    c.block
FROM report.table_cells AS c
JOIN groups AS g ON g.dimension = c.dimension AND g.group_code = c.group_code
JOIN ref.report_tables AS t ON t.table_id = c.table_id
WHERE t.broken_down
ORDER BY c.dimension, c.table_id, c.row_key, c.col_key, g.group_position;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.breakdown_cells_unsuppressed IS 'Tabell 1, 3, 9 och 11 per län och per SKR-kommungrupp: råa värden med antal kommuner per cell, UTAN röjandekontroll. Får inte publiceras som de är: celler som bygger på för få kommuner döljs (..) först vid redovisningen (assets/disclosure); den röjandekontrollerade versionen är exporterna breakdowns.csv och breakdowns.parquet.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.dimension IS 'lan | kommungrupp.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.group_code IS 'Länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.group_name IS 'Länets eller kommungruppens namn.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.group_position IS 'Gruppens plats i redovisningen.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.table_id IS 'Tabell T01, T03, T09 eller T11.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.row_key IS 'Radens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.col_key IS 'Kolumnens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.value IS 'Värdet för gruppen, ej avrundat och ej röjandekontrollerat; NULL när ingen kommun räknas.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.n_kommuner IS 'Antal kommuner i gruppen som cellen bygger på.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.ar IS 'Populationsradens år: det år vars röjandegranskning cellen ingår i.';
COMMENT ON COLUMN report.breakdown_cells_unsuppressed.block IS 'Blocket cellen läser (core.counted_blocks: vilka kommuner den räknar).';
