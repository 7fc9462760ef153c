-- core.earlier_participants: the municipalities that participated in at least one year before
-- the final inventory year F (contract section 5). Their year-F submissions make Tables 1–10;
-- the report counts them as `deltagit_2013_2015_kommuner` (section 7).
-- participated_final says whether they took part in year F as well (false also when F has no
-- register yet).
CREATE OR REPLACE TABLE core.earlier_participants AS
SELECT
    p.kommunkod,
    coalesce(bool_or(p.participated) FILTER (WHERE p.ar = f.ar), false) AS participated_final
FROM core.participation AS p
JOIN core.final_inventory_year AS f ON p.ar <= f.ar
GROUP BY p.kommunkod, f.ar
HAVING bool_or(p.participated AND p.ar < f.ar)
ORDER BY p.kommunkod;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.earlier_participants IS 'Kommuner som deltog något år före slutinventeringens år F.';
COMMENT ON COLUMN core.earlier_participants.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.earlier_participants.participated_final IS 'Sant när kommunen deltog även år F.';
