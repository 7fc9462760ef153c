-- ref.known_errata: published cells known to be inconsistent in the report itself
-- (schemas/reference/known_errata.csv), contract section 9. report.reconciliation shows the
-- note beside the cell. A text figure is listed with an empty table_id, its figure_key as
-- row_key and `value` or `n_kommuner` as col_key.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.known_errata AS
SELECT table_id, row_key, col_key, note
FROM reference_csv('known_errata_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.known_errata IS 'Publicerade celler som är kända för att vara inkonsistenta i själva rapporten (docs/DEFINITIONER.md, avsnitt 9).';
COMMENT ON COLUMN ref.known_errata.table_id IS 'Tabell T01 … T14; NULL för en textsiffra.';
COMMENT ON COLUMN ref.known_errata.row_key IS 'Radens nyckel, eller textsiffrans figure_key.';
COMMENT ON COLUMN ref.known_errata.col_key IS 'Kolumnens nyckel, eller value / n_kommuner för en textsiffra.';
COMMENT ON COLUMN ref.known_errata.note IS 'Varför den publicerade siffran inte går att återskapa.';
