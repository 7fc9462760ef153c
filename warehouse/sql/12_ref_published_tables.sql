-- ref.published_tables: every cell of Tables 1–14 as published in the final report
-- (schemas/reference/published_tables.csv), the figures the report SQL must reproduce
-- (contract section 8). `position` keeps the file's order, which is the report's layout order.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.published_tables AS
SELECT
    row_number() OVER () AS position,
    "table" AS table_id,
    row_key,
    col_key,
    row_label,
    col_label,
    CAST(value AS DOUBLE) AS value,
    CAST(decimals AS INTEGER) AS decimals,
    unit
FROM reference_csv('published_tables_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.published_tables IS 'Varje cell i slutrapportens tabell 1–14 som publicerad (Socialstyrelsen 2017): det som ska återskapas.';
COMMENT ON COLUMN ref.published_tables.position IS 'Cellens ordning i referensfilen, som rapportens layout.';
COMMENT ON COLUMN ref.published_tables.table_id IS 'Tabell: T01 … T14.';
COMMENT ON COLUMN ref.published_tables.row_key IS 'Radens nyckel (delområde, område, år eller handlaggare/arbetsledare).';
COMMENT ON COLUMN ref.published_tables.col_key IS 'Kolumnens nyckel, t.ex. kvinnor, saknar_andel, n_kommuner.';
COMMENT ON COLUMN ref.published_tables.row_label IS 'Radens etikett i rapporten.';
COMMENT ON COLUMN ref.published_tables.col_label IS 'Kolumnens etikett i rapporten (kolumnnamnen i report.table_NN).';
COMMENT ON COLUMN ref.published_tables.value IS 'Det publicerade värdet.';
COMMENT ON COLUMN ref.published_tables.decimals IS 'Antal decimaler i rapporten.';
COMMENT ON COLUMN ref.published_tables.unit IS 'Enhet: fte (årsarbetare), persons, percent (0–100), municipalities.';
