-- core.population: which selected submission counts in which row population (contract section 5).
--   'final'      : the year-F submissions (core.final_inventory_year) of municipalities that
--                  participated in at least one year before F (core.earlier_participants). They
--                  make Tables 1–10 and row F of Tables 11–14. A municipality new in F is not
--                  included.
--   'first_year' : for a year Y before F, the year-Y submissions of municipalities whose first
--                  year is Y. They make row Y of Tables 11–14.
-- Each submission belongs to at most one population, and its `ar` is its row in Tables 11–14.
-- Whether it counts in a given table also depends on that table's block: core.counted_blocks.
CREATE OR REPLACE TABLE core.population AS
WITH first_years AS (
    SELECT DISTINCT kommunkod, first_year
    FROM core.participation
    WHERE first_year IS NOT NULL
)
SELECT s.kommunkod, s.ar, s.path, 'final' AS population
FROM core.submissions AS s
JOIN core.final_inventory_year AS f ON s.ar = f.ar
WHERE s.kommunkod IN (SELECT kommunkod FROM core.earlier_participants)
UNION ALL
SELECT s.kommunkod, s.ar, s.path, 'first_year' AS population
FROM core.submissions AS s
JOIN core.final_inventory_year AS f ON s.ar < f.ar
JOIN first_years AS y ON y.kommunkod = s.kommunkod AND y.first_year = s.ar
ORDER BY ar, kommunkod;

-- core.population_rows: every population row of the tables, whether or not a submission falls in
-- it (contract section 5: a population with no municipality counted gives n_kommuner 0, sums 0
-- and shares NULL): for each year Y up to F that has a grant register (the registers decide who
-- is counted where), ('final', F) and ('first_year', Y < F). So the 2015 row of Tables 11–14 is
-- there, with N = 0, when no municipality sent in its first-year inventory that year; a landing
-- zone without a year folder has no population row, and its tables no figures.
CREATE OR REPLACE TABLE core.population_rows AS
SELECT DISTINCT CASE WHEN r.ar = f.ar THEN 'final' ELSE 'first_year' END AS population, r.ar
FROM core.grant_register AS r
JOIN core.final_inventory_year AS f ON r.ar <= f.ar
ORDER BY r.ar;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.population_rows IS 'Tabellernas populationsrader: final för år F och first_year för åren före F, för varje år med bidragsregister, även när ingen inlämning hör dit.';
COMMENT ON COLUMN core.population_rows.population IS 'final | first_year.';
COMMENT ON COLUMN core.population_rows.ar IS 'Populationsradens år = raden i tabell 11–14.';
COMMENT ON TABLE core.population IS 'Vilken vald inlämning som räknas i vilken population (docs/INLAMNING.md, avsnitt 5).';
COMMENT ON COLUMN core.population.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.population.ar IS 'Inlämningens år = raden i tabell 11–14.';
COMMENT ON COLUMN core.population.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.population.population IS 'final (tabell 1–10 och rad F i tabell 11–14) | first_year (rad Y < F i tabell 11–14).';
