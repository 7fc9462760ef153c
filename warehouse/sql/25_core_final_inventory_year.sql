-- core.final_inventory_year: F, the year of the final inventory (one row). Contract section 5:
-- Tables 1–10 and the last row of Tables 11–14 count the final inventory, and F is a setting of
-- the reference data (ref.final_inventory_year, 2016 for the programme of the report), not the
-- latest year with data: one early file in a new year folder must not move the tables to a
-- year with almost nobody in them. A later year is read, validated and counted in the key
-- figures and profile pages, which do not read F.
CREATE OR REPLACE TABLE core.final_inventory_year AS
SELECT ar
FROM ref.final_inventory_year;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.final_inventory_year IS 'F, året för slutinventeringen (en rad): inställningen i ref.final_inventory_year.';
COMMENT ON COLUMN core.final_inventory_year.ar IS 'Slutinventeringens år (2016 i rapporten).';
