-- report.question_totals: per group (report.breakdown_groups: the nation, each county, each SKR
-- group), population row (population, ar) and question of that year's form, the answers of the
-- municipalities counted (core.counted_blocks), summed (contract section 7: "all sums run over the
-- municipalities counted").
--   total      : Σ value (fte, persons); 0 when nobody counted (contract section 5: an empty
--                population sums to 0), in every population row of core.population_rows.
--                Summed as DECIMAL(38, 2), so exactly (contract section 8: 542.49, never
--                542.4900000000001): an fte answer has two decimals (rounded on reading) and a
--                persons answer none, and at most 30 digits before the decimal mark
--                (schemas/values.py), so no sum overflows. The cast from core.answers' DOUBLE is
--                exact for a value of up to 15 significant digits; core.answers keeps DOUBLE:
--                the answers suite can then see a value the reading failed to round, and a
--                warehouse built before keeps its column type (its tables are created only if
--                missing).
--   n_answered : how many counted municipalities answered (all of them: a valid block is complete)
--   n_ja, n_delvis : how many answered `ja` / `delvis` (choice questions; case-insensitive)
CREATE OR REPLACE TABLE report.question_totals AS
WITH groups AS (
    SELECT DISTINCT dimension, group_code FROM report.breakdown_groups
),
counted_totals AS (
    SELECT
        g.dimension,
        g.group_code,
        c.population,
        c.ar,
        a.question_id,
        sum(CAST(a.value AS DECIMAL(38, 2))) AS total,
        count(*) AS n_answered,
        count(*) FILTER (WHERE lower(a.value_text) = 'ja') AS n_ja,
        count(*) FILTER (WHERE lower(a.value_text) = 'delvis') AS n_delvis
    FROM core.counted_blocks AS c
    JOIN core.answers AS a ON a.path = c.path AND a.block = c.block
    JOIN report.breakdown_groups AS g ON g.kommunkod = c.kommunkod
    GROUP BY g.dimension, g.group_code, c.population, c.ar, a.question_id
)
SELECT
    g.dimension,
    g.group_code,
    r.population,
    r.ar,
    q.block,
    q.question_id,
    coalesce(t.total, 0) AS total,
    coalesce(t.n_answered, 0) AS n_answered,
    coalesce(t.n_ja, 0) AS n_ja,
    coalesce(t.n_delvis, 0) AS n_delvis
FROM groups AS g
CROSS JOIN core.population_rows AS r
JOIN ref.questions AS q ON r.ar BETWEEN q.first_year AND q.last_year
LEFT JOIN counted_totals AS t
    ON t.dimension = g.dimension AND t.group_code = g.group_code
    AND t.population = r.population AND t.ar = r.ar AND t.question_id = q.question_id
WHERE q.block <> 'meta'
ORDER BY g.dimension, g.group_code, r.ar, q.block, q.question_id;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.question_totals IS 'Per grupp (riket, län, kommungrupp), populationsrad och fråga: svaren från de kommuner som räknas, summerade.';
COMMENT ON COLUMN report.question_totals.dimension IS 'riket | lan | kommungrupp (report.breakdown_groups).';
COMMENT ON COLUMN report.question_totals.group_code IS 'Gruppens kod: 00 (riket), länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.question_totals.population IS 'final | first_year.';
COMMENT ON COLUMN report.question_totals.ar IS 'Populationsradens år.';
COMMENT ON COLUMN report.question_totals.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN report.question_totals.question_id IS 'Frågans id (ref.questions).';
COMMENT ON COLUMN report.question_totals.total IS 'Summan av värdena (årsarbetare eller antal personer), exakt i decimalaritmetik; 0 när ingen räknas.';
COMMENT ON COLUMN report.question_totals.n_answered IS 'Antal räknade kommuner som besvarade frågan.';
COMMENT ON COLUMN report.question_totals.n_ja IS 'Antal som svarade ja (valfrågor).';
COMMENT ON COLUMN report.question_totals.n_delvis IS 'Antal som svarade delvis.';
