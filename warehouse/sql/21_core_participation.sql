-- core.participation: per municipality and year of the grant register, whether it took part
-- and its first year (contract section 5, from the register of section 6).
-- A municipality participated in year `ar` when, for any purpose that year,
-- rekvirerat_sek > aterbetalt_sek: one that requisitioned and repaid everything did not take
-- part. first_year is the earliest year it participated (NULL if it never did). The years are
-- those of the register, whatever they are.
CREATE OR REPLACE TABLE core.participation AS
WITH per_year AS (
    SELECT kommunkod, ar, bool_or(rekvirerat_sek > aterbetalt_sek) AS participated
    FROM core.grant_register
    GROUP BY kommunkod, ar
)
SELECT
    kommunkod,
    ar,
    participated,
    min(ar) FILTER (WHERE participated) OVER (PARTITION BY kommunkod) AS first_year
FROM per_year
ORDER BY kommunkod, ar;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.participation IS 'Per kommun och registerår: deltog kommunen (rekvirerat_sek > aterbetalt_sek för något ändamål) och dess första år.';
COMMENT ON COLUMN core.participation.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.participation.ar IS 'Registerår.';
COMMENT ON COLUMN core.participation.participated IS 'Sant när kommunen deltog det året.';
COMMENT ON COLUMN core.participation.first_year IS 'Första året kommunen deltog; NULL om aldrig.';
