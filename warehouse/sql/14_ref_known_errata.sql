-- ref.known_errata: published cells known to be inconsistent in the report itself
-- (schemas/reference/known_errata.csv), contract section 9. report.reconciliation shows the
-- note beside the cell. A text figure is listed with an empty table_id, its figure_key as
-- row_key and `value` or `n_kommuner` as col_key.
-- The file path comes in as the DuckDB variable `known_errata_csv`.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.known_errata AS
SELECT table_id, row_key, col_key, note
FROM read_csv(
    getvariable('known_errata_csv'), header = true, delim = ',', quote = '"', all_varchar = true
);
