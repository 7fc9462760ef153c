-- report.nyckeltal_mot_tabeller: each key figure that has a cell of the report with the same
-- definition (ref.nyckeltal.tabell_id …), computed again over the report's own population of
-- that row (core.population) from the municipalities' täljare and nämnare in report.nyckeltal,
-- beside the nation's cell (report.table_cells). The key figures count every selected submission
-- of a year, the report only its populations (contract section 5), so the nation's key figure
-- differs from the cell where the populations differ (municipalities new in the final year, or
-- submitting in a year that is not their first); over the same population they must agree.
-- The asset check nyckeltal_agree_with_tables (assets/report/nyckeltal.py) reads this table.
CREATE OR REPLACE TABLE report.nyckeltal_mot_tabeller AS
WITH
matched AS (
    SELECT nyckeltal_id, faktor, sammanvagning, tabell_id, tabell_rad, tabell_kolumn
    FROM ref.nyckeltal
    WHERE tabell_id IS NOT NULL
),
-- A row of Tables 11–14 is its year's population; Table 3 counts the final population.
population_rows AS (
    SELECT DISTINCT
        m.nyckeltal_id,
        p.population,
        p.ar,
        CASE WHEN m.tabell_rad = '{ar}' THEN CAST(p.ar AS VARCHAR) ELSE m.tabell_rad END AS row_key
    FROM matched AS m
    CROSS JOIN core.population AS p
    WHERE m.tabell_rad = '{ar}' OR p.population = 'final'
),
over_population AS (
    SELECT
        r.nyckeltal_id,
        r.population,
        r.ar,
        r.row_key,
        sum(k.taljare) AS taljare,
        sum(k.namnare) AS namnare,
        count(k.kommunkod) AS n_kommuner
    FROM population_rows AS r
    JOIN core.population AS p ON p.population = r.population AND p.ar = r.ar
    LEFT JOIN report.nyckeltal AS k
        ON k.nyckeltal_id = r.nyckeltal_id AND k.dimension = 'kommun' AND k.kon = 'T'
        AND k.kommunkod = p.kommunkod AND k.ar = p.ar
    GROUP BY ALL
),
compared AS (
    SELECT
        o.nyckeltal_id,
        o.population,
        o.ar,
        m.tabell_id,
        o.row_key AS tabell_rad,
        m.tabell_kolumn,
        CAST(CASE m.sammanvagning
            WHEN 'kvot' THEN m.faktor * (o.taljare / nullif(o.namnare, 0))
            -- A sum over no value is 0, as the table's (contract section 5).
            WHEN 'summa' THEN coalesce(o.taljare, 0)
        END AS DOUBLE) AS nyckeltal_varde,
        c.value AS tabell_varde,
        o.n_kommuner AS nyckeltal_n_kommuner,
        c.n_kommuner AS tabell_n_kommuner
    FROM over_population AS o
    JOIN matched AS m ON m.nyckeltal_id = o.nyckeltal_id
    LEFT JOIN report.table_cells AS c
        ON c.dimension = 'riket' AND c.table_id = m.tabell_id AND c.row_key = o.row_key
        AND c.col_key = m.tabell_kolumn
)
SELECT
    *,
    -- Equal up to the last bits of a double: both divide the same exact decimal sums.
    coalesce(
        abs(nyckeltal_varde - tabell_varde) <= 1e-9,
        nyckeltal_varde IS NULL AND tabell_varde IS NULL
    ) AND nyckeltal_n_kommuner = tabell_n_kommuner AS overensstammer
FROM compared
ORDER BY nyckeltal_id, ar;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.nyckeltal_mot_tabeller IS 'Nyckeltal med samma definition som en cell i rapporten, beräknade över rapportens population för raden, bredvid rikets cell: de ska stämma överens.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.nyckeltal_id IS 'Nyckeltalets id (ref.nyckeltal).';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.population IS 'final | first_year (core.population).';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.ar IS 'Populationsradens år.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.tabell_id IS 'Rapporttabellen (T03, T11 … T14).';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.tabell_rad IS 'Radens nyckel i tabellen (året, eller området i tabell 3).';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.tabell_kolumn IS 'Kolumnens nyckel i tabellen.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.nyckeltal_varde IS 'Nyckeltalet för riket, beräknat från kommunernas täljare och nämnare över populationen.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.tabell_varde IS 'Rikets cell i rapporttabellen (report.table_cells).';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.nyckeltal_n_kommuner IS 'Antal kommuner i populationen med ett värde för nyckeltalet.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.tabell_n_kommuner IS 'Cellens n_kommuner.';
COMMENT ON COLUMN report.nyckeltal_mot_tabeller.overensstammer IS 'Sant när värdena är lika (högst 1e-9 ifrån varandra) och bygger på lika många kommuner.';
