-- ref.published_text_figures: the figures quoted in the running text of the final report
-- (schemas/reference/published_text_figures.csv), contract sections 7 and 8.
-- The file gives no number of decimals, so `decimals` is read off the published number itself
-- ("28" → 0). `position` keeps the file's order.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.published_text_figures AS
SELECT
    row_number() OVER () AS position,
    figure_key,
    CAST(value AS DOUBLE) AS value,
    CAST(length(split_part(value, '.', 2)) AS INTEGER) AS decimals,
    unit,
    CAST(n_kommuner AS INTEGER) AS n_kommuner,
    source_seed,
    quote
FROM reference_csv('published_text_figures_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.published_text_figures IS 'Siffror som slutrapportens löptext citerar (schemas/reference/published_text_figures.csv).';
COMMENT ON COLUMN ref.published_text_figures.position IS 'Ordning i referensfilen.';
COMMENT ON COLUMN ref.published_text_figures.figure_key IS 'Siffrans nyckel, t.ex. anslag_2013_sek (definitioner i docs/DEFINITIONER.md, avsnitt 7).';
COMMENT ON COLUMN ref.published_text_figures.value IS 'Det publicerade värdet.';
COMMENT ON COLUMN ref.published_text_figures.decimals IS 'Antal decimaler i den publicerade siffran.';
COMMENT ON COLUMN ref.published_text_figures.unit IS 'Enhet: percent, municipalities eller SEK.';
COMMENT ON COLUMN ref.published_text_figures.n_kommuner IS 'Antal kommuner siffran gäller, där texten anger det.';
COMMENT ON COLUMN ref.published_text_figures.source_seed IS 'Var i rapporten siffran står.';
COMMENT ON COLUMN ref.published_text_figures.quote IS 'Meningen i rapporten som citerar siffran.';
