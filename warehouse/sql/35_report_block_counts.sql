-- report.block_counts: n_kommuner, the number of municipalities counted, per group
-- (report.breakdown_groups: the nation, each county, each SKR group), population row
-- (population, ar) and block of that year's form (contract section 5). A block in which nobody
-- counts has 0, and so has every block of a population row in which nobody counts at all
-- (core.population_rows), so a table shows N = 0 rather than nothing, in every group.
CREATE OR REPLACE TABLE report.block_counts AS
WITH groups AS (
    SELECT DISTINCT dimension, group_code FROM report.breakdown_groups
),
form_blocks AS (
    SELECT DISTINCT r.population, r.ar, q.block
    FROM core.population_rows AS r
    JOIN ref.questions AS q ON r.ar BETWEEN q.first_year AND q.last_year
    WHERE q.block <> 'meta'
),
counted AS (
    SELECT g.dimension, g.group_code, c.population, c.ar, c.block, count(*) AS n_kommuner
    FROM core.counted_blocks AS c
    JOIN report.breakdown_groups AS g ON g.kommunkod = c.kommunkod
    GROUP BY g.dimension, g.group_code, c.population, c.ar, c.block
)
SELECT
    g.dimension,
    g.group_code,
    f.population,
    f.ar,
    f.block,
    coalesce(c.n_kommuner, 0) AS n_kommuner
FROM groups AS g
CROSS JOIN form_blocks AS f
LEFT JOIN counted AS c
    ON c.dimension = g.dimension AND c.group_code = g.group_code
    AND c.population = f.population AND c.ar = f.ar AND c.block = f.block
ORDER BY g.dimension, g.group_code, f.ar, f.block;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.block_counts IS 'n_kommuner per grupp (riket, län, kommungrupp), populationsrad och block: antal kommuner som räknas.';
COMMENT ON COLUMN report.block_counts.dimension IS 'riket | lan | kommungrupp (report.breakdown_groups).';
COMMENT ON COLUMN report.block_counts.group_code IS 'Gruppens kod: 00 (riket), länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.block_counts.population IS 'final | first_year.';
COMMENT ON COLUMN report.block_counts.ar IS 'Populationsradens år.';
COMMENT ON COLUMN report.block_counts.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN report.block_counts.n_kommuner IS 'Antal kommuner i gruppen med giltigt block.';
