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
-- description_sv: what the table shows, in the words of the comment on report.table_NN
-- (50_report_table_NN.sql).
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.report_tables AS
SELECT *
FROM (VALUES
    ('T01', 'A_handlaggare',             'block_sums',  'handlaggare',  true,
        'handläggare (årsarbetare) efter kön och utbildning; block A, slutinventeringens population'),
    ('T02', 'B_handlaggare_utbildning',  'block_sums',  'handlaggare',  false,
        'handläggarnas fortbildning och vidareutbildning (personer); block B, slutinventeringens population'),
    ('T03', NULL,                        'area_shares', NULL,           true,
        'handläggarnas kompetens per kompetensområde (andelar); varje områdes C-block, slutinventeringens population'),
    ('T04', 'C_socialt_arbete',          'subareas',    NULL,           false,
        'kompetens inom socialt arbete per delområde; block C_socialt_arbete, slutinventeringens population'),
    ('T05', 'C_juridik',                 'subareas',    NULL,           false,
        'kompetens inom juridik per delområde; block C_juridik, slutinventeringens population'),
    ('T06', 'C_psykologi',               'subareas',    NULL,           false,
        'kompetens inom psykologi per delområde; block C_psykologi, slutinventeringens population'),
    ('T07', 'C_samhallsvetenskap',       'subareas',    NULL,           false,
        'kompetens inom samhällsvetenskap per delområde; block C_samhallsvetenskap, slutinventeringens population'),
    ('T08', 'C_ebp_placerade_barn',      'subareas',    NULL,           false,
        'kompetens inom evidensbaserad praktik och placerade barn per delområde; block C_ebp_placerade_barn, slutinventeringens population'),
    ('T09', 'D_arbetsledare',            'block_sums',  'arbetsledare', true,
        'arbetsledare (årsarbetare); block D, slutinventeringens population'),
    ('T10', 'E_arbetsledare_utbildning', 'block_sums',  'arbetsledare', false,
        'arbetsledarnas fortbildning och vidareutbildning (personer); block E, slutinventeringens population'),
    ('T11', 'A_handlaggare',             'years',       NULL,           true,
        'handläggare per inventeringsår; block A, en rad per populationsrad'),
    ('T12', 'B_handlaggare_utbildning',  'years',       NULL,           false,
        'handläggarnas utbildning per inventeringsår; block B, en rad per populationsrad'),
    ('T13', 'D_arbetsledare',            'years',       NULL,           false,
        'arbetsledare per inventeringsår; block D, en rad per populationsrad'),
    ('T14', 'E_arbetsledare_utbildning', 'years',       NULL,           false,
        'arbetsledarnas utbildning per inventeringsår; block E, en rad per populationsrad')
) AS report_tables (table_id, block, layout, row_key, broken_down, description_sv);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.report_tables IS 'Vilket block varje rapporttabell läser och hur dess rader bildas (docs/INLAMNING.md, avsnitt 5).';
COMMENT ON COLUMN ref.report_tables.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN ref.report_tables.block IS 'Blocket tabellen läser; NULL för T03 (varje område läser sitt C-block).';
COMMENT ON COLUMN ref.report_tables.layout IS 'block_sums | area_shares | subareas | years.';
COMMENT ON COLUMN ref.report_tables.row_key IS 'Radens nyckel för block_sums-tabeller; annars NULL.';
COMMENT ON COLUMN ref.report_tables.broken_down IS 'Sant för tabellerna som också redovisas per län och per SKR-kommungrupp (report.breakdown_cells_unsuppressed).';
COMMENT ON COLUMN ref.report_tables.description_sv IS 'Vad tabellen visar, med de ord som kommentaren till report.table_NN använder.';
