-- ref.published_tables: every cell of Tables 1–14 as published in the final report
-- (schemas/reference/published_tables.csv), the figures the report SQL must reproduce
-- (contract section 8). `position` keeps the file's order, which is the report's layout order.
-- The file path comes in as the DuckDB variable `published_tables_csv`.
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
FROM read_csv(
    getvariable('published_tables_csv'), header = true, delim = ',', quote = '"', all_varchar = true
);
