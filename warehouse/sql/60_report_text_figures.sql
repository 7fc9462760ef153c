-- report.text_figures: the figures of the report's running text, one row per figure_key
-- (contract section 7, "Text figures" and "Grant figures"; section 8). `value` is unrounded;
-- `n_kommuner` is what the figure is out of where the text says so ("236 av de 243").
-- A key that names a year is made for every year of the data (anslag_2014_sek, nya_2015_kommuner,
-- ebp_saknar_andel_2013 …), so a new year needs no new SQL. Every key of
-- ref.published_text_figures is present, NULL where nothing could be computed.
CREATE OR REPLACE TABLE report.text_figures AS
WITH
-- The report's figures are the nation's: the riket group of the per-group sums and counts.
national_totals AS (
    SELECT * FROM report.question_totals WHERE dimension = 'riket'
),
national_counts AS (
    SELECT * FROM report.block_counts WHERE dimension = 'riket'
),
-- The figure keys name the two purposes (andamal) by a short word.
purpose_words AS (
    SELECT andamal, key_word FROM ref.grant_purposes
),
-- The register per municipality and year, all purposes together.
municipality_years AS (
    SELECT
        ar,
        kommunkod,
        sum(fordelat_sek) AS fordelat_sek,
        sum(rekvirerat_sek) AS rekvirerat_sek,
        sum(aterbetalt_sek) AS aterbetalt_sek
    FROM core.grant_register
    GROUP BY ar, kommunkod
),
register_years_before_final AS (
    SELECT min(r.ar) AS first_ar, max(r.ar) AS last_ar
    FROM (SELECT DISTINCT ar FROM core.grant_register) AS r
    JOIN core.final_inventory_year AS f ON r.ar < f.ar
),
-- The municipalities that participated before F: are they counted in Table 1?
earlier_participants_counted AS (
    SELECT
        e.kommunkod,
        e.participated_final,
        e.kommunkod IN (
            SELECT c.kommunkod
            FROM core.counted_blocks AS c
            JOIN ref.report_tables AS t ON t.block = c.block
            WHERE t.table_id = 'T01' AND c.population = 'final'
        ) AS counted_in_table_1
    FROM core.earlier_participants AS e
),

-- ebp_saknar_andel_<Y>: the share lacking competence in evidence-based practice, over the
-- population of row Y of Tables 11–14 (the final population for F), like a share of Table 8.
ebp_figures AS (
    SELECT
        'ebp_saknar_andel_' || t.ar AS figure_key,
        report.percent(sum(t.total) FILTER (WHERE q.level = 'saknar'), sum(t.total)) AS value,
        any_value(c.n_kommuner) AS n_kommuner
    FROM national_totals AS t
    JOIN ref.questions AS q ON q.question_id = t.question_id
    JOIN national_counts AS c
        ON c.population = t.population AND c.ar = t.ar AND c.block = t.block
    WHERE q.subarea = 'evidensbaserad_praktik'
    GROUP BY t.ar
),

-- Choice questions of the final inventory: how many of the municipalities counted answered yes
-- (`delvis` counts as yes where the report says "helt eller delvis"), out of those that answered.
choice_questions (figure_key, question_id, delvis_counts) AS (
    VALUES
        ('uppfoljning_medarbetarsamtal_kommuner',    'uppf_medarbetarsamtal',  false),
        ('uppfoljning_annat_satt_kommuner',          'uppf_annat_satt',        false),
        ('planerad_genomford_handlaggare_kommuner',  'genomfort_handlaggare',  true),
        ('planerad_genomford_arbetsledare_kommuner', 'genomfort_arbetsledare', true)
),
choice_figures AS (
    SELECT
        q.figure_key,
        t.n_ja + CASE WHEN q.delvis_counts THEN t.n_delvis ELSE 0 END AS value,
        t.n_answered AS n_kommuner
    FROM choice_questions AS q
    JOIN national_totals AS t ON t.question_id = q.question_id
    WHERE t.population = 'final'
),

grant_figures AS (
    -- anslag_<Y>_sek: the year's grant, Σ fordelat_sek over all purposes.
    SELECT 'anslag_' || ar || '_sek' AS figure_key, sum(fordelat_sek) AS value, NULL AS n_kommuner
    FROM core.grant_register
    GROUP BY ar
    UNION ALL
    -- anslag_<Y>_<purpose>_sek: the same per purpose.
    SELECT 'anslag_' || g.ar || '_' || w.key_word || '_sek', sum(g.fordelat_sek), NULL
    FROM core.grant_register AS g
    JOIN purpose_words AS w ON w.andamal = g.andamal
    GROUP BY g.ar, w.key_word
    UNION ALL
    -- rekvirerat_<purpose>_<Y>_kommuner: municipalities that requisitioned for that purpose.
    SELECT 'rekvirerat_' || w.key_word || '_' || g.ar || '_kommuner',
        count(*) FILTER (WHERE g.rekvirerat_sek > 0), NULL
    FROM core.grant_register AS g
    JOIN purpose_words AS w ON w.andamal = g.andamal
    GROUP BY g.ar, w.key_word
    UNION ALL
    -- rekvirerat_<Y>_kommuner: requisitioned for any purpose, out of the year's register (290).
    SELECT 'rekvirerat_' || ar || '_kommuner', count(*) FILTER (WHERE rekvirerat_sek > 0), count(*)
    FROM municipality_years
    GROUP BY ar
    UNION ALL
    -- nya_<Y>_kommuner: municipalities whose first year is Y.
    SELECT 'nya_' || ar || '_kommuner', count(*) FILTER (WHERE first_year = ar), NULL
    FROM core.participation
    GROUP BY ar
    UNION ALL
    -- aterbetalat_helt_<Y>_kommuner: requisitioned, then repaid all of it.
    SELECT 'aterbetalat_helt_' || ar || '_kommuner',
        count(*) FILTER (WHERE rekvirerat_sek > 0 AND aterbetalt_sek = rekvirerat_sek), NULL
    FROM municipality_years
    GROUP BY ar
    UNION ALL
    -- deltagit_<first>_<last>_kommuner: participated in at least one register year before F.
    SELECT 'deltagit_' || y.first_ar || '_' || y.last_ar || '_kommuner',
        (SELECT count(*) FROM earlier_participants_counted), NULL
    FROM register_years_before_final AS y
    WHERE y.first_ar IS NOT NULL
    UNION ALL
    -- webbformular_ej_deltagit_<F>_kommuner: of those, the ones not participating in F.
    SELECT 'webbformular_ej_deltagit_' || f.ar || '_kommuner',
        (SELECT count(*) FILTER (WHERE NOT participated_final) FROM earlier_participants_counted),
        NULL
    FROM core.final_inventory_year AS f
    WHERE f.ar IS NOT NULL
    UNION ALL
    -- ej_svar_<F>_kommuner: of those, the ones not counted in Table 1.
    SELECT 'ej_svar_' || f.ar || '_kommuner',
        (SELECT count(*) FILTER (WHERE NOT counted_in_table_1) FROM earlier_participants_counted),
        NULL
    FROM core.final_inventory_year AS f
    WHERE f.ar IS NOT NULL
    UNION ALL
    -- minsta_belopp_sek: the smallest amount a municipality was allocated in a year (all
    -- purposes together), over the years after the first register year (2014–2016 in the report;
    -- 2013's amounts were set differently, with a separate part for the inventory). A
    -- municipality allocated nothing that year has no amount and is left out.
    SELECT 'minsta_belopp_sek', min(fordelat_sek), NULL
    FROM municipality_years
    WHERE ar > (SELECT min(ar) FROM core.grant_register) AND fordelat_sek > 0
    UNION ALL
    -- stockholm_<Y>_totalt_sek and stockholm_<Y>_<purpose>_sek: Stockholm's (0180) allocation.
    SELECT 'stockholm_' || ar || '_totalt_sek', fordelat_sek, NULL
    FROM municipality_years
    WHERE kommunkod = '0180'
    UNION ALL
    SELECT 'stockholm_' || g.ar || '_' || w.key_word || '_sek', g.fordelat_sek, NULL
    FROM core.grant_register AS g
    JOIN purpose_words AS w ON w.andamal = g.andamal
    WHERE g.kommunkod = '0180'
),

computed AS (
    SELECT figure_key, CAST(value AS DOUBLE) AS value, CAST(n_kommuner AS INTEGER) AS n_kommuner
    FROM ebp_figures
    UNION ALL
    SELECT figure_key, CAST(value AS DOUBLE), CAST(n_kommuner AS INTEGER) FROM choice_figures
    UNION ALL
    SELECT figure_key, CAST(value AS DOUBLE), CAST(n_kommuner AS INTEGER) FROM grant_figures
)
SELECT figure_key, value, n_kommuner
FROM computed
UNION ALL
SELECT p.figure_key, NULL, NULL
FROM ref.published_text_figures AS p
WHERE p.figure_key NOT IN (SELECT figure_key FROM computed)
ORDER BY figure_key;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.text_figures IS 'Siffrorna i rapportens löptext, omräknade (docs/DEFINITIONER.md, avsnitt 7–8).';
COMMENT ON COLUMN report.text_figures.figure_key IS 'Siffrans nyckel, som i ref.published_text_figures.';
COMMENT ON COLUMN report.text_figures.value IS 'Värdet, ej avrundat (procent, antal kommuner eller kronor).';
COMMENT ON COLUMN report.text_figures.n_kommuner IS 'Antal kommuner siffran gäller, där texten anger det.';
