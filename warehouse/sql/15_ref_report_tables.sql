-- ref.report_tables: which block each report table reads and how its rows are made
-- (contract section 5, "Tables and blocks"; section 7 for the definitions).
--   layout 'block_sums' : one row (row_key), the sums of the block's questions (T01 T02 T09 T10)
--   layout 'area_shares': one row per area, each reading its own area's C block (T03)
--   layout 'subareas'   : one row per subarea of the block                       (T04–T08)
--   layout 'years'      : one row per inventory year                            (T11–T14)
-- Tables 1–10 count the final population; Tables 11–14 one population per row
-- (core.population).
-- broken_down: the tables also published per county and per SKR municipality group, beyond the
-- report (report.breakdown_cells_unsuppressed).
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.report_tables AS
SELECT *
FROM (VALUES
    ('T01', 'A_handlaggare',             'block_sums',  'handlaggare',  true),
    ('T02', 'B_handlaggare_utbildning',  'block_sums',  'handlaggare',  false),
    ('T03', NULL,                        'area_shares', NULL,           true),
    ('T04', 'C_socialt_arbete',          'subareas',    NULL,           false),
    ('T05', 'C_juridik',                 'subareas',    NULL,           false),
    ('T06', 'C_psykologi',               'subareas',    NULL,           false),
    ('T07', 'C_samhallsvetenskap',       'subareas',    NULL,           false),
    ('T08', 'C_ebp_placerade_barn',      'subareas',    NULL,           false),
    ('T09', 'D_arbetsledare',            'block_sums',  'arbetsledare', true),
    ('T10', 'E_arbetsledare_utbildning', 'block_sums',  'arbetsledare', false),
    ('T11', 'A_handlaggare',             'years',       NULL,           true),
    ('T12', 'B_handlaggare_utbildning',  'years',       NULL,           false),
    ('T13', 'D_arbetsledare',            'years',       NULL,           false),
    ('T14', 'E_arbetsledare_utbildning', 'years',       NULL,           false)
) AS report_tables (table_id, block, layout, row_key, broken_down);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.report_tables IS 'Vilket block varje rapporttabell läser och hur dess rader bildas (docs/INLAMNING.md, avsnitt 5).';
COMMENT ON COLUMN ref.report_tables.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN ref.report_tables.block IS 'Blocket tabellen läser; NULL för T03 (varje område läser sitt C-block).';
COMMENT ON COLUMN ref.report_tables.layout IS 'block_sums | area_shares | subareas | years.';
COMMENT ON COLUMN ref.report_tables.row_key IS 'Radens nyckel för block_sums-tabeller; annars NULL.';
COMMENT ON COLUMN ref.report_tables.broken_down IS 'Sant för tabellerna som också redovisas per län och per SKR-kommungrupp (report.breakdown_cells_unsuppressed).';
