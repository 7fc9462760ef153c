-- report.nyckeltal: the key figures of ref.nyckeltal (schemas/reference/nyckeltal.csv) per
-- municipality, county, SKR group and the nation, in Kolada's long shape: one row per
-- (nyckeltal_id, municipality or group, ar, kon).
--
-- Which submissions count (for the municipalities' own figures, beyond the report's populations):
-- in year `ar`, the municipality's selected submission of that year (core.submissions), where
-- every block the key figure reads is valid (core.block_status): an invalid or unanswered block
-- gives that key figure no row, as in the report (contract section 5). Unlike Tables 1–14, a
-- submission counts whether or not the municipality participated in the grant that year: its own
-- figures describe its own staff. So a national figure equals the report's cell only where the
-- populations are the same: the municipality rows carry their täljare and nämnare, and summed
-- over core.population (e.g. the final population) they give the published cell
-- (tests/test_nyckeltal.py). Register figures count every (municipality, year) of the grant
-- register and of ref.befolkning.
--
-- A county, SKR group and the nation (report.breakdown_groups, whose membership is not restated
-- here) are made of their municipalities' rows of the same (nyckeltal_id, ar, kon):
-- kvot = faktor × Σ täljare / Σ nämnare, as the report's shares; summa = Σ täljare;
-- antal_kommuner = the number of municipalities with a row. A group with no municipality counted
-- has no row.
--
-- Values are unrounded and NOT disclosure-controlled: a split by sex resting on few caseworkers
-- is hidden when presented, by assets/disclosure (its one home), in the exports
-- and the profile pages.
CREATE OR REPLACE TABLE report.nyckeltal AS
WITH
sexes AS (
    SELECT * FROM (VALUES ('T', 'totalt'), ('K', 'kvinnor'), ('M', 'man')) AS s (kon, kon_ord)
),
definitions AS (
    SELECT n.nyckeltal_id, n.faktor, n.sammanvagning, n.block, n.taljare, n.namnare, s.kon, s.kon_ord
    FROM ref.nyckeltal AS n
    JOIN sexes AS s ON n.delas_pa_kon OR s.kon = 'T'
),
-- One row per term of a key figure's numerator (taljare) or denominator (namnare) and sex.
terms AS (
    SELECT nyckeltal_id, kon, 'taljare' AS del,
        replace(unnest(string_split(taljare, '+')), '{kon}', kon_ord) AS term
    FROM definitions
    UNION ALL
    SELECT nyckeltal_id, kon, 'namnare',
        replace(unnest(string_split(namnare, '+')), '{kon}', kon_ord)
    FROM definitions
    WHERE namnare IS NOT NULL
),
form_blocks AS (
    SELECT nyckeltal_id, unnest(string_split(block, '+')) AS block
    FROM ref.nyckeltal
    WHERE block <> 'register'
),
-- The selected submissions in which every block the key figure reads is valid.
form_units AS (
    SELECT f.nyckeltal_id, b.kommunkod, b.ar, b.path
    FROM form_blocks AS f
    JOIN core.block_status AS b ON b.block = f.block AND b.status = 'valid'
    GROUP BY f.nyckeltal_id, b.kommunkod, b.ar, b.path
    HAVING count(*) = (SELECT count(*) FROM form_blocks AS g WHERE g.nyckeltal_id = f.nyckeltal_id)
),
-- A term is a question id or a LIKE pattern over the questions of the key figure's blocks. A
-- competence question counts only in the subareas Tables 3–8 show (ref.report_subareas), so an
-- area's share is Table 3's: uppfoljning_utvardering (2013–2015 forms only) stays out.
form_terms AS (
    SELECT DISTINCT t.nyckeltal_id, t.kon, t.del, q.question_id
    FROM terms AS t
    JOIN form_blocks AS f ON f.nyckeltal_id = t.nyckeltal_id
    JOIN ref.questions AS q ON q.block = f.block
    WHERE (q.question_id = t.term OR (contains(t.term, '%') AND q.question_id LIKE t.term))
        AND (q.subarea IS NULL OR q.subarea IN (SELECT subarea FROM ref.report_subareas))
),
form_sums AS (
    SELECT u.nyckeltal_id, t.kon, t.del, u.kommunkod, u.ar,
        sum(CAST(a.value AS DECIMAL(38, 2))) AS summa
    FROM form_units AS u
    JOIN form_terms AS t ON t.nyckeltal_id = u.nyckeltal_id
    JOIN core.answers AS a ON a.path = u.path AND a.question_id = t.question_id
    GROUP BY ALL
),
-- The register terms per municipality and year: the grant summed over its purposes, the
-- population, and the first year of participation (given for that year only).
register_values AS (
    SELECT kommunkod, ar, term, CAST(summa AS DECIMAL(38, 2)) AS summa
    FROM (
        SELECT kommunkod, ar, sum(fordelat_sek) AS fordelat_sek,
            sum(rekvirerat_sek) AS rekvirerat_sek, sum(aterbetalt_sek) AS aterbetalt_sek
        FROM core.grant_register
        GROUP BY kommunkod, ar
    ) UNPIVOT (summa FOR term IN (fordelat_sek, rekvirerat_sek, aterbetalt_sek))
    UNION ALL
    SELECT kommunkod, ar, 'befolkning', befolkning FROM ref.befolkning
    UNION ALL
    SELECT DISTINCT kommunkod, first_year, 'forsta_ar', first_year
    FROM core.participation
    WHERE first_year IS NOT NULL
),
-- A register key figure has a row wherever its numerator has a value.
register_units AS (
    SELECT DISTINCT t.nyckeltal_id, r.kommunkod, r.ar
    FROM ref.nyckeltal AS n
    JOIN terms AS t ON t.nyckeltal_id = n.nyckeltal_id AND t.del = 'taljare'
    JOIN register_values AS r ON r.term = t.term
    WHERE n.block = 'register'
),
units AS (
    SELECT nyckeltal_id, kommunkod, ar FROM form_units
    UNION ALL
    SELECT nyckeltal_id, kommunkod, ar FROM register_units
),
register_sums AS (
    SELECT u.nyckeltal_id, t.kon, t.del, u.kommunkod, u.ar, sum(r.summa) AS summa
    FROM units AS u
    JOIN terms AS t ON t.nyckeltal_id = u.nyckeltal_id
    JOIN register_values AS r ON r.kommunkod = u.kommunkod AND r.ar = u.ar AND r.term = t.term
    GROUP BY ALL
),
term_sums AS (
    SELECT * FROM form_sums
    UNION ALL
    SELECT * FROM register_sums
),
municipality_sums AS (
    SELECT
        d.nyckeltal_id,
        u.kommunkod,
        u.ar,
        d.kon,
        sum(s.summa) FILTER (WHERE s.del = 'taljare') AS taljare,
        sum(s.summa) FILTER (WHERE s.del = 'namnare') AS namnare
    FROM units AS u
    JOIN definitions AS d ON d.nyckeltal_id = u.nyckeltal_id
    LEFT JOIN term_sums AS s
        ON s.nyckeltal_id = u.nyckeltal_id AND s.kon = d.kon
        AND s.kommunkod = u.kommunkod AND s.ar = u.ar
    GROUP BY ALL
),
group_sums AS (
    SELECT
        m.nyckeltal_id,
        g.dimension,
        g.group_code,
        m.ar,
        m.kon,
        sum(m.taljare) AS taljare,
        sum(m.namnare) AS namnare,
        count(*) AS n_kommuner
    FROM municipality_sums AS m
    JOIN ref.nyckeltal AS n ON n.nyckeltal_id = m.nyckeltal_id
    JOIN report.breakdown_groups AS g ON g.kommunkod = m.kommunkod
    -- A ratio without its denominator (no population registered for that year) stays out of
    -- its groups, numerator and all.
    WHERE m.namnare IS NOT NULL OR n.sammanvagning <> 'kvot'
    GROUP BY ALL
),
all_sums AS (
    SELECT nyckeltal_id, 'kommun' AS dimension, kommunkod, NULL AS group_code, ar, kon, taljare,
        namnare, 1 AS n_kommuner
    FROM municipality_sums
    UNION ALL
    SELECT nyckeltal_id, dimension, NULL, group_code, ar, kon, taljare, namnare, n_kommuner
    FROM group_sums
)
SELECT
    s.nyckeltal_id,
    s.dimension,
    s.kommunkod,
    s.group_code,
    s.ar,
    s.kon,
    CAST(CASE n.sammanvagning
        -- Divided before the factor is applied, as report.percent: see 20_report_macros.sql.
        WHEN 'kvot' THEN n.faktor * (s.taljare / nullif(s.namnare, 0))
        WHEN 'summa' THEN s.taljare
        WHEN 'antal_kommuner' THEN
            CASE WHEN s.dimension = 'kommun' THEN s.taljare ELSE s.n_kommuner END
    END AS DOUBLE) AS varde,
    s.taljare,
    s.namnare,
    CASE n.sammanvagning
        WHEN 'kvot' THEN s.namnare
        WHEN 'summa' THEN s.taljare
    END AS n_underlag,
    s.n_kommuner
FROM all_sums AS s
JOIN ref.nyckeltal AS n ON n.nyckeltal_id = s.nyckeltal_id
ORDER BY n.position, s.dimension, s.kommunkod, s.group_code, s.ar, s.kon;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.nyckeltal IS 'Nyckeltal (ref.nyckeltal) per kommun, län, SKR-kommungrupp och riket, år och kön, i Koladas långa form. En kommun räknas ett år med sin valda inlämning det året, där nyckeltalets block är giltiga. Ej avrundade och UTAN röjandekontroll: uppdelningar på kön som bygger på för få personer döljs (..) först vid redovisningen (assets/disclosure).';
COMMENT ON COLUMN report.nyckeltal.nyckeltal_id IS 'Nyckeltalets id (ref.nyckeltal).';
COMMENT ON COLUMN report.nyckeltal.dimension IS 'kommun | lan | kommungrupp | riket (grupperna som i report.breakdown_groups).';
COMMENT ON COLUMN report.nyckeltal.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"), på kommunens rader; NULL på gruppernas.';
COMMENT ON COLUMN report.nyckeltal.group_code IS 'Gruppens kod på gruppernas rader: 00 (riket), länskod eller kommungruppens kod; NULL på kommunernas.';
COMMENT ON COLUMN report.nyckeltal.ar IS 'År: inlämningens år, registerår eller (första deltagarår) det första året.';
COMMENT ON COLUMN report.nyckeltal.kon IS 'Kön: T (totalt), K (kvinnor) eller M (män); bara T där blanketten inte delar upp på kön.';
COMMENT ON COLUMN report.nyckeltal.varde IS 'Nyckeltalets värde, ej avrundat, i ref.nyckeltal.enhet; NULL där nämnaren är 0 eller saknas.';
COMMENT ON COLUMN report.nyckeltal.taljare IS 'Täljaren: summan av täljarens termer (årsarbetare, antal, kronor …), exakt i decimalaritmetik.';
COMMENT ON COLUMN report.nyckeltal.namnare IS 'Nämnaren: summan av nämnarens termer; NULL för nyckeltal som är summor.';
COMMENT ON COLUMN report.nyckeltal.n_underlag IS 'Vad värdet bygger på: nämnaren för en kvot (t.ex. handläggarnas årsarbetare av ett kön), summan för en summa; NULL för första deltagarår.';
COMMENT ON COLUMN report.nyckeltal.n_kommuner IS 'Antal kommuner värdet bygger på (1 på kommunens rader).';
