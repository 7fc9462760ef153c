-- report.question_totals: per population row (population, ar) and question of that year's form,
-- the answers of the municipalities counted (core.counted_blocks), summed (contract section 7:
-- "all sums run over the municipalities counted").
--   total      : Σ value (fte, persons); NULL when nobody counted
--   n_answered : how many counted municipalities answered (all of them: a valid block is complete)
--   n_ja, n_delvis : how many answered `ja` / `delvis` (choice questions; case-insensitive)
CREATE OR REPLACE TABLE report.question_totals AS
WITH population_rows AS (
    SELECT DISTINCT population, ar FROM core.population
),
counted_answers AS (
    SELECT c.population, c.ar, a.question_id, a.value, lower(a.value_text) AS value_text
    FROM core.counted_blocks AS c
    JOIN core.answers AS a ON a.path = c.path AND a.block = c.block
)
SELECT
    r.population,
    r.ar,
    q.block,
    q.question_id,
    sum(a.value) AS total,
    count(a.question_id) AS n_answered,
    count(*) FILTER (WHERE a.value_text = 'ja') AS n_ja,
    count(*) FILTER (WHERE a.value_text = 'delvis') AS n_delvis
FROM population_rows AS r
JOIN ref.questions AS q ON r.ar BETWEEN q.first_year AND q.last_year
LEFT JOIN counted_answers AS a
    ON a.population = r.population AND a.ar = r.ar AND a.question_id = q.question_id
WHERE q.block <> 'meta'
GROUP BY r.population, r.ar, q.block, q.question_id
ORDER BY r.ar, q.block, q.question_id;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.question_totals IS 'Per populationsrad och fråga: svaren från de kommuner som räknas, summerade.';
COMMENT ON COLUMN report.question_totals.population IS 'final | first_year.';
COMMENT ON COLUMN report.question_totals.ar IS 'Populationsradens år.';
COMMENT ON COLUMN report.question_totals.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN report.question_totals.question_id IS 'Frågans id (ref.questions).';
COMMENT ON COLUMN report.question_totals.total IS 'Summan av värdena (årsarbetare eller antal personer); NULL när ingen räknas.';
COMMENT ON COLUMN report.question_totals.n_answered IS 'Antal räknade kommuner som besvarade frågan.';
COMMENT ON COLUMN report.question_totals.n_ja IS 'Antal som svarade ja (valfrågor).';
COMMENT ON COLUMN report.question_totals.n_delvis IS 'Antal som svarade delvis.';
