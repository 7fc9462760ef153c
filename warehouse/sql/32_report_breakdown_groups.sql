-- report.breakdown_groups: the groups Tables 1–14 are computed for, and which municipality belongs
-- to which group:
--   'riket'       : the whole nation, one group ('00', SCB's code for Riket): the report's tables
--   'lan'         : each county (21 län)
--   'kommungrupp' : each SKR municipality group (kommungruppsindelning 2017, nine groups A1–C9)
-- The nation is a group like the others so that each table is defined once, for every group
-- (report.table_cells): report.tables_long is its riket group, report.breakdown_cells_unsuppressed
-- the counties and SKR groups.
CREATE OR REPLACE TABLE report.breakdown_groups AS
SELECT
    'riket' AS dimension,
    '00' AS group_code,
    'Riket' AS group_name,
    1 AS group_position,
    kommunkod
FROM ref.municipalities
UNION ALL
SELECT
    'lan',
    lanskod,
    lan,
    dense_rank() OVER (ORDER BY lanskod),
    kommunkod
FROM ref.municipalities
UNION ALL
SELECT
    'kommungrupp',
    group_code,
    group_name,
    dense_rank() OVER (ORDER BY group_code),
    kommunkod
FROM ref.kommungrupp
ORDER BY dimension, group_position, kommunkod;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.breakdown_groups IS 'Vilken kommun som hör till vilken grupp: hela riket (riket), län (lan) och SKR:s kommungrupp (kommungrupp). Tabell 1–14 beräknas för varje grupp.';
COMMENT ON COLUMN report.breakdown_groups.dimension IS 'riket | lan | kommungrupp.';
COMMENT ON COLUMN report.breakdown_groups.group_code IS '00 (riket), länskod (01 …) eller kommungruppens kod (A1 … C9).';
COMMENT ON COLUMN report.breakdown_groups.group_name IS 'Riket, länets eller kommungruppens namn.';
COMMENT ON COLUMN report.breakdown_groups.group_position IS 'Gruppens plats i redovisningen (kodordning).';
COMMENT ON COLUMN report.breakdown_groups.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
