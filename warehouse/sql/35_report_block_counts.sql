-- report.block_counts: n_kommuner, the number of municipalities counted, per population row
-- (population, ar) and block of that year's form (contract section 5). A block in which nobody
-- counts has 0, so a table whose population exists shows N = 0 rather than nothing.
CREATE OR REPLACE TABLE report.block_counts AS
WITH population_rows AS (
    SELECT DISTINCT population, ar FROM core.population
),
form_blocks AS (
    SELECT DISTINCT r.population, r.ar, q.block
    FROM population_rows AS r
    JOIN ref.questions AS q ON r.ar BETWEEN q.first_year AND q.last_year
    WHERE q.block <> 'meta'
)
SELECT f.population, f.ar, f.block, count(c.kommunkod) AS n_kommuner
FROM form_blocks AS f
LEFT JOIN core.counted_blocks AS c
    ON c.population = f.population AND c.ar = f.ar AND c.block = f.block
GROUP BY f.population, f.ar, f.block
ORDER BY f.ar, f.block;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.block_counts IS 'n_kommuner per populationsrad och block: antal kommuner som räknas.';
COMMENT ON COLUMN report.block_counts.population IS 'final | first_year.';
COMMENT ON COLUMN report.block_counts.ar IS 'Populationsradens år.';
COMMENT ON COLUMN report.block_counts.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN report.block_counts.n_kommuner IS 'Antal kommuner med giltigt block.';
