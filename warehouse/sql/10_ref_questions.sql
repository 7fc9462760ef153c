-- ref.questions: the question catalog (schemas/reference/questions.csv, copied from the contract), one row
-- per question, with the first and last year of the forms that ask it. Codes and ids stay text.
-- Contract section 2 (question ids), section 4 (blocks), section 7 (areas, subareas, levels).
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
FROM reference_csv('questions_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.questions IS 'Frågekatalogen (schemas/reference/questions.csv): en rad per fråga med blankettens första och sista år.';
COMMENT ON COLUMN ref.questions.question_id IS 'Frågans id, som i filerna (fraga).';
COMMENT ON COLUMN ref.questions.block IS 'Blocket frågan hör till; meta för metadata.';
COMMENT ON COLUMN ref.questions.kind IS 'Svarstyp: fte (årsarbetare), persons (antal), yes_no, yes_partly_no, municipality_code, year, timestamp, personal_data.';
COMMENT ON COLUMN ref.questions.years IS 'Åren vars blankett ställer frågan, som i katalogen ("2013-2016" eller "2016").';
COMMENT ON COLUMN ref.questions.first_year IS 'Första året frågan ställs.';
COMMENT ON COLUMN ref.questions.last_year IS 'Sista året frågan ställs.';
COMMENT ON COLUMN ref.questions.area IS 'Kompetensområde (tabell 3) för C-frågor; annars NULL.';
COMMENT ON COLUMN ref.questions.subarea IS 'Delområde (tabell 4–8) för C-frågor; annars NULL.';
COMMENT ON COLUMN ref.questions.level IS 'Kompetensnivå för C-frågor: grund | fordjupad | saknar.';
COMMENT ON COLUMN ref.questions.label_sv IS 'Frågans text på svenska.';
