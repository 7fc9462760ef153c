-- ref.questions: the question catalog (schemas/questions.csv, copied from the contract), one row
-- per question, with the first and last year of the forms that ask it. Codes and ids stay text.
-- Contract section 2 (question ids), section 4 (blocks), section 7 (areas, subareas, levels).
-- The file path comes in as the DuckDB variable `questions_csv` (set by assets/report/build.py).
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.questions AS
SELECT
    question_id,
    block,
    kind,
    years,
    CAST(split_part(years, '-', 1) AS INTEGER) AS first_year,
    -- "2016" is a single year; "2013-2015" a range.
    CAST(
        coalesce(nullif(split_part(years, '-', 2), ''), split_part(years, '-', 1)) AS INTEGER
    ) AS last_year,
    area,
    subarea,
    level,
    label_sv
FROM read_csv(
    getvariable('questions_csv'), header = true, delim = ',', quote = '"', all_varchar = true
);
