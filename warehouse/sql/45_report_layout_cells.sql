-- report.layout_cells: the cells of report.tables_long placed in the report's layout, with its
-- Swedish labels, for report.table_01 … report.table_14 (contract section 8).
-- Columns: the published col_keys of the table only, in published order, labelled with the
-- published col_label. Rows: every row the table has, published rows first in published order,
-- then any other row by key. A row the report did not print is labelled by its subarea's name
-- from the catalog, else by its key. Labels come from the reference; values never do.
CREATE OR REPLACE TABLE report.layout_cells AS
WITH published_columns AS (
    SELECT
        table_id,
        col_key,
        any_value(col_label) AS col_label,
        min(position) AS col_position,
        -- Contract section 8: counts (N, persons) are integers; fte sums and shares are not.
        CASE WHEN bool_and(coalesce(u.whole_number, false)) THEN 'count' ELSE 'figure' END
            AS col_kind
    FROM ref.published_tables AS p
    LEFT JOIN ref.units AS u USING (unit)
    GROUP BY table_id, col_key
),
published_rows AS (
    SELECT table_id, row_key, any_value(row_label) AS row_label, min(position) AS published_position
    FROM ref.published_tables
    GROUP BY table_id, row_key
),
table_rows AS (
    SELECT
        r.table_id,
        r.row_key,
        coalesce(p.row_label, s.label_sv, r.row_key) AS row_label,
        row_number() OVER (
            PARTITION BY r.table_id ORDER BY p.published_position NULLS LAST, r.row_key
        ) AS row_position
    FROM (SELECT DISTINCT table_id, row_key FROM report.tables_long) AS r
    LEFT JOIN published_rows AS p ON p.table_id = r.table_id AND p.row_key = r.row_key
    LEFT JOIN ref.report_subareas AS s ON s.subarea = r.row_key
)
SELECT
    r.table_id,
    r.row_position,
    r.row_key,
    r.row_label,
    c.col_position,
    c.col_key,
    c.col_label,
    c.col_kind,
    t.value
FROM report.tables_long AS t
JOIN table_rows AS r ON r.table_id = t.table_id AND r.row_key = t.row_key
JOIN published_columns AS c ON c.table_id = t.table_id AND c.col_key = t.col_key
ORDER BY r.table_id, r.row_position, c.col_position;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.layout_cells IS 'Cellerna i report.tables_long placerade i rapportens layout med dess svenska etiketter.';
COMMENT ON COLUMN report.layout_cells.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN report.layout_cells.row_position IS 'Radens plats i tabellen.';
COMMENT ON COLUMN report.layout_cells.row_key IS 'Radens nyckel.';
COMMENT ON COLUMN report.layout_cells.row_label IS 'Radens etikett.';
COMMENT ON COLUMN report.layout_cells.col_position IS 'Kolumnens plats i tabellen.';
COMMENT ON COLUMN report.layout_cells.col_key IS 'Kolumnens nyckel (kolumnens namn i report.table_NN).';
COMMENT ON COLUMN report.layout_cells.col_label IS 'Kolumnens rubrik i rapporten och i exporterna (kommentaren till kolumnen i report.table_NN).';
COMMENT ON COLUMN report.layout_cells.col_kind IS 'count (antal kommuner eller personer: heltal i report.table_NN) | figure (årsarbetare eller andel).';
COMMENT ON COLUMN report.layout_cells.value IS 'Värdet, ej avrundat.';
