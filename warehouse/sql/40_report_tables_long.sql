-- Tables 1–14, defined once (contract section 7) and computed for every group of
-- report.breakdown_groups: the nation, each county and each SKR municipality group.
--   report.table_cells : every cell of every group, with the number of municipalities it rests on
--   report.tables_long : the nation's cells, keyed like ref.published_tables (contract section 8)
-- report.breakdown_cells_unsuppressed (80_report_breakdowns.sql) takes the counties' and the SKR
-- groups' cells of the tables broken down from report.table_cells.

-- report.table_cells: one row per group and cell (table_id, row_key, col_key), values unrounded,
-- shares in percent (0–100) and NULL where the denominator is 0. Every group has every cell of
-- every population row (core.population_rows): a group or a population row where nobody counts
-- has n_kommuner 0, sums 0 and NULL shares (contract section 5).
-- Cells the report did not print are there too (e.g. a year row or subarea the report left out).
CREATE OR REPLACE TABLE report.table_cells AS
WITH
final_totals AS (
    SELECT t.dimension, t.group_code, t.ar, t.block, t.question_id, t.total, q.subarea, q.level
    FROM report.question_totals AS t
    JOIN ref.questions AS q ON q.question_id = t.question_id
    WHERE t.population = 'final'
),
final_counts AS (
    SELECT dimension, group_code, ar, block, n_kommuner
    FROM report.block_counts
    WHERE population = 'final'
),

-- T01, T02, T09, T10: the sums of the block's questions. The column is the question id without
-- its handl_ / arbl_ prefix (handl_utan_socionom_man → utan_socionom_man).
block_sum_cells AS (
    SELECT
        q.dimension,
        q.group_code,
        q.ar,
        t.block,
        t.table_id,
        t.row_key,
        regexp_replace(q.question_id, '^[a-z]+_', '') AS col_key,
        q.total AS value
    FROM ref.report_tables AS t
    JOIN final_totals AS q ON q.block = t.block
    WHERE t.layout = 'block_sums'
    UNION ALL
    SELECT c.dimension, c.group_code, c.ar, t.block, t.table_id, t.row_key, 'n_kommuner', c.n_kommuner
    FROM ref.report_tables AS t
    JOIN final_counts AS c ON c.block = t.block
    WHERE t.layout = 'block_sums'
),

-- T04–T08, per subarea of the table's block: the sum of each level (*_antal), their total
-- (totalt) and each level's share of it (*_andel).
subarea_levels AS (
    SELECT
        q.dimension,
        q.group_code,
        q.ar,
        t.block,
        t.table_id,
        q.subarea,
        q.level,
        q.total,
        sum(q.total) OVER (PARTITION BY q.dimension, q.group_code, t.table_id, q.subarea) AS totalt
    FROM ref.report_tables AS t
    JOIN ref.report_subareas AS s ON s.block = t.block
    JOIN final_totals AS q ON q.subarea = s.subarea
    WHERE t.layout = 'subareas'
),
subarea_cells AS (
    SELECT
        dimension,
        group_code,
        ar,
        block,
        table_id,
        subarea AS row_key,
        report.level_key(level) || '_antal' AS col_key,
        total AS value
    FROM subarea_levels
    UNION ALL
    SELECT
        dimension, group_code, ar, block, table_id, subarea,
        report.level_key(level) || '_andel', report.percent(total, totalt)
    FROM subarea_levels
    UNION ALL
    SELECT DISTINCT dimension, group_code, ar, block, table_id, subarea, 'totalt', totalt
    FROM subarea_levels
    UNION ALL
    -- N is one figure for the whole table, printed in the row the report calls "Hela tabellen".
    SELECT c.dimension, c.group_code, c.ar, t.block, t.table_id, '_tabell', 'n_kommuner', c.n_kommuner
    FROM ref.report_tables AS t
    JOIN final_counts AS c ON c.block = t.block
    WHERE t.layout = 'subareas'
),

-- T03, per area: each level's share of all three levels, summed over the area's subareas in
-- Tables 4–8 (so over ref.report_subareas), each area counting the municipalities whose C block
-- for that area is valid.
area_levels AS (
    SELECT q.dimension, q.group_code, q.ar, s.area, s.block, q.level, sum(q.total) AS total
    FROM ref.report_subareas AS s
    JOIN final_totals AS q ON q.subarea = s.subarea
    GROUP BY q.dimension, q.group_code, q.ar, s.area, s.block, q.level
),
area_cells AS (
    SELECT
        a.dimension,
        a.group_code,
        a.ar,
        a.block,
        t.table_id,
        a.area AS row_key,
        report.level_key(a.level) || '_andel' AS col_key,
        report.percent(
            a.total, sum(a.total) OVER (PARTITION BY a.dimension, a.group_code, a.area)
        ) AS value
    FROM area_levels AS a
    JOIN ref.report_tables AS t ON t.layout = 'area_shares'
    UNION ALL
    SELECT DISTINCT
        c.dimension, c.group_code, c.ar, c.block, t.table_id, a.area, 'n_kommuner', c.n_kommuner
    FROM area_levels AS a
    JOIN final_counts AS c
        ON c.dimension = a.dimension AND c.group_code = a.group_code AND c.block = a.block
    JOIN ref.report_tables AS t ON t.layout = 'area_shares'
),

-- T11–T14: one row per population row `ar` (core.population: row F is the final population,
-- a row before F the municipalities in their first year), with one column per question summed.
row_sums AS (
    PIVOT (SELECT dimension, group_code, ar, question_id, total FROM report.question_totals)
    ON question_id IN (SELECT question_id FROM ref.questions WHERE block <> 'meta')
    USING sum(total)
    GROUP BY dimension, group_code, ar
),
year_cells AS (
    SELECT dimension, group_code, ar, 'T11' AS table_id, col_key, value
    FROM (
        SELECT
            dimension,
            group_code,
            ar,
            handl_totalt AS antal_handlaggare,
            report.percent(handl_socionom_lt1ar, handl_totalt) AS socionom_lt1ar_andel,
            report.percent(handl_utan_socionom_totalt, handl_totalt) AS utan_socionom_andel
        FROM row_sums
    ) UNPIVOT INCLUDE NULLS (value FOR col_key IN (
        antal_handlaggare, socionom_lt1ar_andel, utan_socionom_andel
    ))
    UNION ALL
    SELECT dimension, group_code, ar, 'T12', col_key, value
    FROM (
        SELECT
            dimension,
            group_code,
            ar,
            handl_fortbildning AS fortbildning,
            handl_vidareutbildning AS vidareutbildning,
            report.percent(handl_magister, handl_vidareutbildning) AS magister_andel
        FROM row_sums
    ) UNPIVOT INCLUDE NULLS (value FOR col_key IN (fortbildning, vidareutbildning, magister_andel))
    UNION ALL
    SELECT dimension, group_code, ar, 'T13', col_key, value
    FROM (
        SELECT
            dimension,
            group_code,
            ar,
            arbl_totalt AS antal_arbetsledare,
            report.percent(arbl_forsta_chefsjobb, arbl_totalt) AS forsta_chefsjobb_andel,
            report.percent(arbl_behov_kompetensutveckling, arbl_totalt)
                AS behov_kompetensutveckling_andel,
            report.percent(arbl_lt3ar_erfarenhet, arbl_totalt) AS lt3ar_erfarenhet_andel
        FROM row_sums
    ) UNPIVOT INCLUDE NULLS (value FOR col_key IN (
        antal_arbetsledare,
        forsta_chefsjobb_andel,
        behov_kompetensutveckling_andel,
        lt3ar_erfarenhet_andel
    ))
    UNION ALL
    SELECT dimension, group_code, ar, 'T14', col_key, value
    FROM (
        SELECT
            dimension,
            group_code,
            ar,
            arbl_fortbildning AS fortbildning,
            arbl_vidareutbildning AS vidareutbildning,
            report.percent(arbl_magister, arbl_vidareutbildning) AS magister_andel
        FROM row_sums
    ) UNPIVOT INCLUDE NULLS (value FOR col_key IN (fortbildning, vidareutbildning, magister_andel))
    UNION ALL
    SELECT c.dimension, c.group_code, c.ar, t.table_id, 'n_kommuner', c.n_kommuner
    FROM ref.report_tables AS t
    JOIN report.block_counts AS c ON c.block = t.block
    WHERE t.layout = 'years'
),

-- Each cell with the block and population row (ar) it reads, for its n_kommuner.
cells AS (
    SELECT dimension, group_code, ar, block, table_id, row_key, col_key, value
    FROM block_sum_cells
    UNION ALL
    SELECT dimension, group_code, ar, block, table_id, row_key, col_key, value
    FROM subarea_cells
    UNION ALL
    SELECT dimension, group_code, ar, block, table_id, row_key, col_key, value
    FROM area_cells
    UNION ALL
    -- The rows of Tables 11–14 are keyed by the year as text ('2013').
    SELECT y.dimension, y.group_code, y.ar, t.block, y.table_id, CAST(y.ar AS VARCHAR), y.col_key,
        y.value
    FROM year_cells AS y
    JOIN ref.report_tables AS t ON t.table_id = y.table_id
)
SELECT
    c.dimension,
    c.group_code,
    c.table_id,
    c.row_key,
    c.col_key,
    CAST(c.value AS DOUBLE) AS value,
    n.n_kommuner,
    -- Which municipalities a cell counts (core.counted_blocks of its population row and block):
    -- the disclosure audit's relations (assets/disclosure/breakdowns.py).
    c.ar,
    c.block
FROM cells AS c
-- A population row's year decides its population (core.population), so (ar, block) finds its N.
LEFT JOIN report.block_counts AS n
    ON n.dimension = c.dimension AND n.group_code = c.group_code
    AND n.ar = c.ar AND n.block = c.block
ORDER BY c.dimension, c.group_code, c.table_id, c.row_key, c.col_key;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.table_cells IS 'Varje cell i tabell 1–14 för varje grupp: riket, varje län och varje SKR-kommungrupp, ej avrundad, med antal kommuner cellen bygger på. Tabellerna definieras här en gång; report.tables_long är riket, report.breakdown_cells_unsuppressed länen och kommungrupperna.';
COMMENT ON COLUMN report.table_cells.dimension IS 'riket | lan | kommungrupp (report.breakdown_groups).';
COMMENT ON COLUMN report.table_cells.group_code IS 'Gruppens kod: 00 (riket), länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.table_cells.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN report.table_cells.row_key IS 'Radens nyckel som i ref.published_tables (delområde, område, år …).';
COMMENT ON COLUMN report.table_cells.col_key IS 'Kolumnens nyckel som i ref.published_tables.';
COMMENT ON COLUMN report.table_cells.value IS 'Värdet för gruppen, ej avrundat: årsarbetare, antal, eller procent 0–100 (NULL där nämnaren är 0); summor 0 när ingen kommun räknas.';
COMMENT ON COLUMN report.table_cells.n_kommuner IS 'Antal kommuner i gruppen som cellen bygger på (blockets N i populationsraden).';
COMMENT ON COLUMN report.table_cells.ar IS 'Populationsradens år (core.population): slutinventeringens år i tabell 1–10, radens år i tabell 11–14.';
COMMENT ON COLUMN report.table_cells.block IS 'Blocket cellen läser (core.counted_blocks: vilka kommuner den räknar).';

-- report.tables_long: every figure of Tables 1–14 for the nation, one row per cell (table_id,
-- row_key, col_key), contract sections 7 and 8. The keys are spelled as in ref.published_tables,
-- and every published key is present: with a NULL value where nothing could be computed (no
-- population, nobody counted).
CREATE OR REPLACE TABLE report.tables_long AS
WITH national AS (
    SELECT table_id, row_key, col_key, value
    FROM report.table_cells
    WHERE dimension = 'riket'
)
SELECT table_id, row_key, col_key, value
FROM national
UNION ALL
SELECT p.table_id, p.row_key, p.col_key, NULL
FROM ref.published_tables AS p
WHERE NOT EXISTS (
    SELECT 1 FROM national AS n
    WHERE n.table_id = p.table_id AND n.row_key = p.row_key AND n.col_key = p.col_key
)
ORDER BY table_id, row_key, col_key;

COMMENT ON TABLE report.tables_long IS 'Varje siffra i tabell 1–14 för riket, en rad per cell, ej avrundad (docs/DEFINITIONER.md, avsnitt 7–8).';
COMMENT ON COLUMN report.tables_long.table_id IS 'Tabell T01 … T14.';
COMMENT ON COLUMN report.tables_long.row_key IS 'Radens nyckel som i ref.published_tables (delområde, område, år …).';
COMMENT ON COLUMN report.tables_long.col_key IS 'Kolumnens nyckel som i ref.published_tables.';
COMMENT ON COLUMN report.tables_long.value IS 'Värdet, ej avrundat: årsarbetare, antal, eller procent 0–100 (NULL där nämnaren är 0); NULL när inget kunde beräknas.';
