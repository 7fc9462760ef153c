-- ref.report_layout: the Swedish title and the note ("Anm.") of each report table, for the
-- publication outputs (schemas/reference/report_layout.csv). Text only: column headings and row
-- labels come from ref.published_tables, figures from report.tables_long.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.report_layout AS
SELECT table_id, title_sv, nullif(trim(note_sv), '') AS note_sv
FROM reference_csv('report_layout_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.report_layout IS 'Rubrik och anmärkning (Anm.) för varje rapporttabell, till publiceringen.';
COMMENT ON COLUMN ref.report_layout.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN ref.report_layout.title_sv IS 'Tabellens rubrik på svenska, utan nummer.';
COMMENT ON COLUMN ref.report_layout.note_sv IS 'Anmärkningen under tabellen; NULL när tabellen har ingen.';
