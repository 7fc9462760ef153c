-- The breakdowns beyond the report: Tables 1, 3, 9 and 11 per county (21 län) and per SKR
-- municipality group (9 groups), for analysts and the publication outputs (assets/publication/).
-- Who counts is not decided here: the cells sum core.counted_blocks (the population and valid
-- blocks of contract section 5), grouped by the municipality's county or group, with the
-- definitions of contract section 7. Values are raw and unrounded, with the number of
-- municipalities each cell rests on: disclosure control (suppressing small cells) is applied
-- when presenting, by assets/publication/breakdowns.py, never here.

-- report.breakdown_groups: which municipality belongs to which group of each dimension.
CREATE OR REPLACE TABLE report.breakdown_groups AS
SELECT
    'lan' AS dimension,
    lanskod AS group_code,
    lan AS group_name,
    dense_rank() OVER (ORDER BY lanskod) AS group_position,
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

COMMENT ON TABLE report.breakdown_groups IS 'Vilken kommun som hör till vilken grupp: län (lan) och SKR:s kommungrupp (kommungrupp).';
COMMENT ON COLUMN report.breakdown_groups.dimension IS 'lan | kommungrupp.';
COMMENT ON COLUMN report.breakdown_groups.group_code IS 'Länskod (01 …) eller kommungruppens kod (A1 … C9).';
COMMENT ON COLUMN report.breakdown_groups.group_name IS 'Länets eller kommungruppens namn.';
COMMENT ON COLUMN report.breakdown_groups.group_position IS 'Gruppens plats i redovisningen (kodordning).';
COMMENT ON COLUMN report.breakdown_groups.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';

-- report.breakdown_cells: one row per group and cell of Tables 1, 3, 9 and 11, keyed like
-- report.tables_long. Every group has every cell: a group where nobody counts has n_kommuner 0
-- and NULL figures.
CREATE OR REPLACE TABLE report.breakdown_cells AS
WITH
groups AS (
    SELECT DISTINCT dimension, group_code, group_name, group_position
    FROM report.breakdown_groups
),
-- Every population row and block the report has, for every group.
group_rows AS (
    SELECT g.dimension, g.group_code, c.population, c.ar, c.block
    FROM groups AS g
    CROSS JOIN report.block_counts AS c
),
counted AS (
    SELECT g.dimension, g.group_code, c.population, c.ar, c.block, count(*) AS n_kommuner
    FROM core.counted_blocks AS c
    JOIN report.breakdown_groups AS g ON g.kommunkod = c.kommunkod
    GROUP BY ALL
),
answer_totals AS (
    SELECT g.dimension, g.group_code, c.population, c.ar, a.question_id, sum(a.value) AS total
    FROM core.counted_blocks AS c
    JOIN core.answers AS a ON a.path = c.path AND a.block = c.block
    JOIN report.breakdown_groups AS g ON g.kommunkod = c.kommunkod
    GROUP BY ALL
),
-- Per group, population row and question of the block's form: the sum, and N of its block.
question_totals AS (
    SELECT
        r.dimension, r.group_code, r.population, r.ar, r.block, q.question_id, q.subarea, q.level,
        t.total,
        coalesce(n.n_kommuner, 0) AS n_kommuner
    FROM group_rows AS r
    JOIN ref.questions AS q ON q.block = r.block AND r.ar BETWEEN q.first_year AND q.last_year
    LEFT JOIN answer_totals AS t
        ON t.dimension = r.dimension AND t.group_code = r.group_code
        AND t.population = r.population AND t.ar = r.ar AND t.question_id = q.question_id
    LEFT JOIN counted AS n
        ON n.dimension = r.dimension AND n.group_code = r.group_code
        AND n.population = r.population AND n.ar = r.ar AND n.block = r.block
),
final_totals AS (
    SELECT * FROM question_totals WHERE population = 'final'
),

-- T01, T09: the sums of the block's questions (column = question id without handl_ / arbl_).
block_sum_cells AS (
    SELECT
        q.dimension, q.group_code, t.table_id, t.row_key,
        regexp_replace(q.question_id, '^[a-z]+_', '') AS col_key,
        q.total AS value,
        q.n_kommuner
    FROM ref.report_tables AS t
    JOIN final_totals AS q ON q.block = t.block
    WHERE t.table_id IN ('T01', 'T09')
),

-- T03, per area: each level's share of all three levels over the area's subareas.
area_levels AS (
    SELECT
        q.dimension, q.group_code, s.area, q.level, sum(q.total) AS total,
        any_value(q.n_kommuner) AS n_kommuner
    FROM ref.report_subareas AS s
    JOIN final_totals AS q ON q.subarea = s.subarea
    GROUP BY q.dimension, q.group_code, s.area, q.level
),
area_cells AS (
    SELECT
        dimension, group_code, 'T03' AS table_id, area AS row_key,
        report.level_key(level) || '_andel' AS col_key,
        report.percent(total, sum(total) OVER (PARTITION BY dimension, group_code, area)) AS value,
        n_kommuner
    FROM area_levels
),

-- T11: one row per population row `ar`.
row_sums AS (
    PIVOT (
        SELECT dimension, group_code, ar, n_kommuner, question_id, total
        FROM question_totals
        WHERE block = 'A_handlaggare'
    )
    ON question_id IN ('handl_totalt', 'handl_socionom_lt1ar', 'handl_utan_socionom_totalt')
    USING sum(total)
    GROUP BY dimension, group_code, ar, n_kommuner
),
year_cells AS (
    SELECT dimension, group_code, 'T11' AS table_id, CAST(ar AS VARCHAR) AS row_key, col_key, value,
        n_kommuner
    FROM (
        SELECT
            dimension, group_code, ar, n_kommuner,
            handl_totalt AS antal_handlaggare,
            report.percent(handl_socionom_lt1ar, handl_totalt) AS socionom_lt1ar_andel,
            report.percent(handl_utan_socionom_totalt, handl_totalt) AS utan_socionom_andel
        FROM row_sums
    ) UNPIVOT INCLUDE NULLS (value FOR col_key IN (
        antal_handlaggare, socionom_lt1ar_andel, utan_socionom_andel
    ))
),

figures AS (
    SELECT * FROM block_sum_cells
    UNION ALL
    SELECT * FROM area_cells
    UNION ALL
    SELECT * FROM year_cells
),
-- N is a cell of its own, as in report.tables_long.
cells AS (
    SELECT dimension, group_code, table_id, row_key, col_key, CAST(value AS DOUBLE) AS value,
        n_kommuner
    FROM figures
    UNION ALL
    SELECT DISTINCT dimension, group_code, table_id, row_key, 'n_kommuner', n_kommuner, n_kommuner
    FROM figures
)
SELECT
    c.dimension, c.group_code, g.group_name, g.group_position,
    c.table_id, c.row_key, c.col_key, c.value, c.n_kommuner
FROM cells AS c
JOIN groups AS g USING (dimension, group_code)
ORDER BY c.dimension, c.table_id, c.row_key, c.col_key, g.group_position;

COMMENT ON TABLE report.breakdown_cells IS 'Tabell 1, 3, 9 och 11 per län och per SKR-kommungrupp: råa värden med antal kommuner per cell. Röjandekontroll (..) tillämpas först vid redovisningen.';
COMMENT ON COLUMN report.breakdown_cells.dimension IS 'lan | kommungrupp.';
COMMENT ON COLUMN report.breakdown_cells.group_code IS 'Länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.breakdown_cells.group_name IS 'Länets eller kommungruppens namn.';
COMMENT ON COLUMN report.breakdown_cells.group_position IS 'Gruppens plats i redovisningen.';
COMMENT ON COLUMN report.breakdown_cells.table_id IS 'Tabell T01, T03, T09 eller T11.';
COMMENT ON COLUMN report.breakdown_cells.row_key IS 'Radens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells.col_key IS 'Kolumnens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells.value IS 'Värdet för gruppen, ej avrundat och ej röjandekontrollerat; NULL när ingen kommun räknas.';
COMMENT ON COLUMN report.breakdown_cells.n_kommuner IS 'Antal kommuner i gruppen som cellen bygger på.';
