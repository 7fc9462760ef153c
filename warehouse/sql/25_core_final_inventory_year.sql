-- core.final_inventory_year: F, the year of the final inventory (one row; NULL when there are no
-- submissions). Contract section 5: Tables 1–10 and the last row of Tables 11–14 count the
-- final inventory (2016 in the report).
-- F is the latest year with a selected submission, not the latest register year: the register
-- of a new grant year can arrive before any inventory of that year, and the report must not
-- move on to a year that has no inventory to count yet.
CREATE OR REPLACE TABLE core.final_inventory_year AS
SELECT max(ar) AS ar
FROM core.submissions;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.final_inventory_year IS 'F, året för slutinventeringen: senaste året med en vald inlämning (en rad).';
COMMENT ON COLUMN core.final_inventory_year.ar IS 'Slutinventeringens år (2016 i rapporten); NULL utan inlämningar.';
