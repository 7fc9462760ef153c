-- ref.kommungrupp: SKR's municipality groups (kommungruppsindelning 2017, nine groups A1–C9),
-- for the breakdowns beyond the report (schemas/reference/kommungrupp.csv).
-- kommunkod is text: "0180" keeps its leading zero.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.kommungrupp AS
SELECT kommunkod, version, group_code, group_name, main_group_code, main_group_name
FROM reference_csv('kommungrupp_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.kommungrupp IS 'SKR:s kommungruppsindelning 2017, nio grupper (schemas/reference/kommungrupp.csv).';
COMMENT ON COLUMN ref.kommungrupp.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN ref.kommungrupp.version IS 'Indelningens version, t.ex. SKR 2017.';
COMMENT ON COLUMN ref.kommungrupp.group_code IS 'Kommungruppens kod, A1 … C9.';
COMMENT ON COLUMN ref.kommungrupp.group_name IS 'Kommungruppens namn.';
COMMENT ON COLUMN ref.kommungrupp.main_group_code IS 'Huvudgruppens kod, A … C.';
COMMENT ON COLUMN ref.kommungrupp.main_group_name IS 'Huvudgruppens namn.';
