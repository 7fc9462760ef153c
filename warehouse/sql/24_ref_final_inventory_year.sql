-- ref.final_inventory_year: F, the year of the programme's final inventory (contract section 5:
-- a setting of the reference data, 2016), from schemas/reference/final_inventory_year.csv (its
-- source: SOURCES_final_inventory_year.md). One row; the file must hold exactly one four-digit
-- year, else loading the reference data fails (error() aborts the statement).
-- The file path comes in as the DuckDB variable `final_inventory_year_csv`.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.final_inventory_year AS
WITH rows AS (
    SELECT trim(final_inventory_year) AS ar, count(*) OVER () AS n_rows
    FROM read_csv(
        getvariable('final_inventory_year_csv'),
        header = true, delim = ',', quote = '"', all_varchar = true
    )
)
SELECT
    CASE
        WHEN n_rows = 1 AND regexp_full_match(ar, '[0-9]{4}') THEN CAST(ar AS INTEGER)
        ELSE error('final_inventory_year.csv: exactly one year of four digits expected, found '
            || n_rows || ' row(s), the first ' || coalesce(ar, 'empty'))
    END AS ar
FROM rows
LIMIT 1;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.final_inventory_year IS 'F, slutinventeringens år för programmet (2016), en inställning i referensdata (schemas/reference/final_inventory_year.csv).';
COMMENT ON COLUMN ref.final_inventory_year.ar IS 'Slutinventeringens år: tabell 1–10 och sista raden i tabell 11–14 räknar årets inlämningar.';
