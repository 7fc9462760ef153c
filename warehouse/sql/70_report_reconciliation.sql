-- report.reconciliation: every published cell beside its recomputed value (contract section 8):
-- the cells of Tables 1–14 (source 'table') and the text figures (source 'text_figure', keyed
-- row_key = figure_key, col_key = 'value', row_label = the quoted sentence; plus an 'n_kommuner'
-- row where the text gives one).
--   match            : the recomputed value, rounded as the report prints it (half away from
--                      zero, to the published number of decimals), equals the published figure
--   within_tolerance : a share (unit 'percent') within 1.0 percentage point of the published one;
--                      the report rounded shares so each row adds up to 100
--   deviates         : anything else, also when nothing could be recomputed (NULL)
-- note: why the published figure itself is wrong, where ref.known_errata lists it (section 9).
CREATE OR REPLACE TABLE report.reconciliation AS
WITH published_cells AS (
    SELECT
        1 AS source_order,
        p.position,
        'table' AS source,
        p.table_id,
        p.row_key,
        p.col_key,
        p.row_label,
        p.col_label,
        p.unit,
        p.decimals,
        p.value AS published,
        t.value AS recomputed
    FROM ref.published_tables AS p
    LEFT JOIN report.tables_long AS t
        ON t.table_id = p.table_id AND t.row_key = p.row_key AND t.col_key = p.col_key
    UNION ALL
    SELECT
        2, p.position, 'text_figure', NULL, p.figure_key, 'value',
        p.quote, NULL, p.unit, p.decimals, p.value, f.value
    FROM ref.published_text_figures AS p
    LEFT JOIN report.text_figures AS f ON f.figure_key = p.figure_key
    UNION ALL
    SELECT
        2, p.position, 'text_figure', NULL, p.figure_key, 'n_kommuner',
        p.quote, 'N', 'municipalities', 0, p.n_kommuner, f.n_kommuner
    FROM ref.published_text_figures AS p
    LEFT JOIN report.text_figures AS f ON f.figure_key = p.figure_key
    WHERE p.n_kommuner IS NOT NULL
)
SELECT
    c.source,
    c.table_id,
    c.row_key,
    c.col_key,
    c.row_label,
    c.col_label,
    c.unit,
    c.decimals,
    c.published,
    c.recomputed,
    c.recomputed - c.published AS difference,
    CASE
        WHEN report.round_half_away(c.recomputed, c.decimals)
            = report.round_half_away(c.published, c.decimals) THEN 'match'
        -- The 1e-9 keeps a difference of exactly one point from failing on binary float error.
        WHEN c.unit = 'percent' AND abs(c.recomputed - c.published) <= 1.0 + 1e-9
            THEN 'within_tolerance'
        ELSE 'deviates'
    END AS status,
    e.note
FROM published_cells AS c
LEFT JOIN ref.known_errata AS e
    ON e.table_id IS NOT DISTINCT FROM c.table_id
    AND e.row_key = c.row_key
    AND e.col_key = c.col_key
-- A text figure's n_kommuner row comes right after its value.
ORDER BY c.source_order, c.position, c.col_key = 'n_kommuner';

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.reconciliation IS 'Varje publicerad cell bredvid sitt omräknade värde, med differens och status.';
COMMENT ON COLUMN report.reconciliation.source IS 'table (tabell 1–14) | text_figure (löptextens siffror).';
COMMENT ON COLUMN report.reconciliation.table_id IS 'Tabell T01 … T14; NULL för textsiffror.';
COMMENT ON COLUMN report.reconciliation.row_key IS 'Radens nyckel, eller textsiffrans figure_key.';
COMMENT ON COLUMN report.reconciliation.col_key IS 'Kolumnens nyckel, eller value / n_kommuner för textsiffror.';
COMMENT ON COLUMN report.reconciliation.row_label IS 'Radens etikett, eller meningen som citerar textsiffran.';
COMMENT ON COLUMN report.reconciliation.col_label IS 'Kolumnens etikett.';
COMMENT ON COLUMN report.reconciliation.unit IS 'Enhet: fte, persons, percent, municipalities, SEK.';
COMMENT ON COLUMN report.reconciliation.decimals IS 'Publicerat antal decimaler.';
COMMENT ON COLUMN report.reconciliation.published IS 'Det publicerade värdet.';
COMMENT ON COLUMN report.reconciliation.recomputed IS 'Det omräknade värdet, ej avrundat.';
COMMENT ON COLUMN report.reconciliation.difference IS 'recomputed − published.';
COMMENT ON COLUMN report.reconciliation.status IS 'match (lika avrundat som i rapporten) | within_tolerance (andel inom 1,0 procentenhet) | deviates.';
COMMENT ON COLUMN report.reconciliation.note IS 'Varför den publicerade siffran är fel, där ref.known_errata anger det.';
