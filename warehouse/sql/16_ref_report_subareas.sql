-- ref.report_subareas: the subareas Tables 3–8 show, with their area, block and label, derived
-- from the catalog (ref.questions) rather than listed here.
-- A subarea is tabulated only when every year's form asks it: the tables compare one series
-- across the inventories. This is what keeps `uppfoljning_utvardering` (2013–2015 forms only)
-- out of Tables 3 and 8 whatever the final year is (contract section 7).
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.report_subareas AS
WITH catalog_years AS (
    SELECT min(first_year) AS first_year, max(last_year) AS last_year
    FROM ref.questions
)
SELECT
    q.area,
    q.subarea,
    any_value(q.block) AS block,
    -- "Barn och ungas utveckling: Grundläggande kompetens (årsarbetare)"
    --   → "Barn och ungas utveckling"
    any_value(split_part(q.label_sv, ': ', 1)) AS label_sv
FROM ref.questions AS q
CROSS JOIN catalog_years AS c
WHERE q.subarea IS NOT NULL
GROUP BY q.area, q.subarea
HAVING bool_and(q.first_year = c.first_year AND q.last_year = c.last_year);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.report_subareas IS 'Delområdena som tabell 3–8 visar: de som varje års blankett frågar efter.';
COMMENT ON COLUMN ref.report_subareas.area IS 'Kompetensområde (rad i tabell 3).';
COMMENT ON COLUMN ref.report_subareas.subarea IS 'Delområde (rad i tabell 4–8).';
COMMENT ON COLUMN ref.report_subareas.block IS 'C-blocket delområdet hör till.';
COMMENT ON COLUMN ref.report_subareas.label_sv IS 'Delområdets namn på svenska.';
