-- ref.municipalities: the 290 municipalities (schemas/reference/municipalities.csv).
-- kommunkod and lanskod are text: "0180" keeps its leading zero.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.municipalities AS
SELECT kommunkod, kommun, lanskod, lan
FROM reference_csv('municipalities_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.municipalities IS 'Landets 290 kommuner (schemas/reference/municipalities.csv).';
COMMENT ON COLUMN ref.municipalities.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN ref.municipalities.kommun IS 'Kommunens namn.';
COMMENT ON COLUMN ref.municipalities.lanskod IS 'Länskod, två siffror som text.';
COMMENT ON COLUMN ref.municipalities.lan IS 'Länets namn.';
