-- Small helpers the report SQL shares, so each rule is written once.
CREATE SCHEMA IF NOT EXISTS report;

-- A share in percent (0–100); NULL where the denominator is 0 or unknown (contract section 7).
-- The nullif matters: DuckDB divides by zero to infinity, not NULL. Divided before the 100 is
-- applied: the sums are DECIMAL(38, 2), and 100 × a sum above 10^34 does not fit one, while
-- their quotient is a DOUBLE, as a share is stored.
CREATE OR REPLACE MACRO report.percent(part, whole) AS
    100 * (part / nullif(whole, 0));

-- The number as the report prints it: rounded half away from zero to `decimals` places.
-- The 1e-9 nudge keeps binary float error from moving a half down: a sum of 5390.45 stored as
-- 5390.4499999… must still print as 5390.5.
CREATE OR REPLACE MACRO report.round_half_away(x, decimals) AS
    sign(x) * floor(abs(x) * 10 ** decimals + 0.5 + 1e-9) / 10 ** decimals;

-- The report's column word for a competence level: the question ids say `grund`, the tables
-- `grundlaggande_antal` / `grundlaggande_andel`.
CREATE OR REPLACE MACRO report.level_key(level) AS
    CASE level WHEN 'grund' THEN 'grundlaggande' ELSE level END;
