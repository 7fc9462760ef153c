-- ref.municipalities: the 290 municipalities (schemas/reference/municipalities.csv).
-- kommunkod and lanskod are text: "0180" keeps its leading zero.
-- The file path comes in as the DuckDB variable `municipalities_csv`.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.municipalities AS
SELECT kommunkod, kommun, lanskod, lan
FROM read_csv(
    getvariable('municipalities_csv'), header = true, delim = ',', quote = '"', all_varchar = true
);
