-- report.revisioner: every published figure whose value differs from the previous
-- publication's, with what changed behind it (contract section 11). Run in the staging
-- warehouse before the exports read it by assets/publication/publications.py, with the previous
-- publication attached read-only as `forra` and the variables publicering_id,
-- forra_publicering_id, reference_changed, code_changed and register_file set.
--
-- A figure is a cell of report.tables_long (the nation), a text figure, or a key figure of a
-- municipality or group (report.nyckeltal). It covers municipalities and years: a national cell
-- every municipality of its year (the year of its row in Tables 11–14, else the final inventory
-- year); a text figure every municipality of the years its key names (every year when it names
-- none); a key figure its municipality, or its group's members (report.breakdown_groups), of its
-- year. Behind it are the changes of those municipalities and years: their selected files
-- (core.submissions: added, corrected, withdrawn) and their grant register rows; and, for every
-- figure, the reference data and the code. One row per figure and change; a figure with none
-- of them found has one row with an empty cause. Raw values: disclosure control is applied
-- where readers see them (assets/publication/).
CREATE OR REPLACE TEMP TABLE revision_figures AS
WITH figures_now AS (
    SELECT 'tables_long' AS kalla, table_id, row_key, col_key, NULL AS figure_key,
        NULL AS nyckeltal_id, 'riket' AS dimension, NULL AS kommunkod, NULL AS group_code,
        NULL::INTEGER AS ar, NULL AS kon, value
    FROM report.tables_long
    UNION ALL
    SELECT 'text_figures', NULL, NULL, NULL, figure_key, NULL, 'riket', NULL, NULL, NULL, NULL,
        value
    FROM report.text_figures
    UNION ALL
    SELECT 'nyckeltal', NULL, NULL, NULL, NULL, nyckeltal_id, dimension, kommunkod, group_code,
        ar, kon, varde
    FROM report.nyckeltal
),
figures_before AS (
    SELECT 'tables_long' AS kalla, table_id, row_key, col_key, NULL AS figure_key,
        NULL AS nyckeltal_id, 'riket' AS dimension, NULL AS kommunkod, NULL AS group_code,
        NULL::INTEGER AS ar, NULL AS kon, value
    FROM forra.report.tables_long
    UNION ALL
    SELECT 'text_figures', NULL, NULL, NULL, figure_key, NULL, 'riket', NULL, NULL, NULL, NULL,
        value
    FROM forra.report.text_figures
    UNION ALL
    SELECT 'nyckeltal', NULL, NULL, NULL, NULL, nyckeltal_id, dimension, kommunkod, group_code,
        ar, kon, varde
    FROM forra.report.nyckeltal
),
revised AS (
    SELECT
        coalesce(n.kalla, b.kalla) AS kalla,
        coalesce(n.table_id, b.table_id) AS table_id,
        coalesce(n.row_key, b.row_key) AS row_key,
        coalesce(n.col_key, b.col_key) AS col_key,
        coalesce(n.figure_key, b.figure_key) AS figure_key,
        coalesce(n.nyckeltal_id, b.nyckeltal_id) AS nyckeltal_id,
        coalesce(n.dimension, b.dimension) AS dimension,
        coalesce(n.kommunkod, b.kommunkod) AS kommunkod,
        coalesce(n.group_code, b.group_code) AS group_code,
        coalesce(n.ar, b.ar) AS ar,
        coalesce(n.kon, b.kon) AS kon,
        b.value AS value_before,
        n.value AS value_after
    FROM figures_now AS n
    FULL OUTER JOIN figures_before AS b
        ON n.kalla = b.kalla
        AND n.table_id IS NOT DISTINCT FROM b.table_id
        AND n.row_key IS NOT DISTINCT FROM b.row_key
        AND n.col_key IS NOT DISTINCT FROM b.col_key
        AND n.figure_key IS NOT DISTINCT FROM b.figure_key
        AND n.nyckeltal_id IS NOT DISTINCT FROM b.nyckeltal_id
        AND n.dimension IS NOT DISTINCT FROM b.dimension
        AND n.kommunkod IS NOT DISTINCT FROM b.kommunkod
        AND n.group_code IS NOT DISTINCT FROM b.group_code
        AND n.ar IS NOT DISTINCT FROM b.ar
        AND n.kon IS NOT DISTINCT FROM b.kon
    WHERE n.value IS DISTINCT FROM b.value
)
SELECT
    row_number() OVER () AS figure_nr,
    r.*,
    CASE
        WHEN r.kalla = 'tables_long'
            THEN coalesce(
                TRY_CAST(r.row_key AS INTEGER), (SELECT ar FROM core.final_inventory_year)
            )
        ELSE r.ar
    END AS covered_year,
    -- The years a text figure's key names, first to last ("deltagit_2013_2015_kommuner").
    [
        part::INTEGER FOR part IN string_split(r.figure_key, '_')
        IF regexp_full_match(part, '\d{4}')
    ] AS named_years
FROM revised AS r;

-- Each revised figure's municipalities (NULL: every one) and years (NULL: every one).
CREATE OR REPLACE TEMP TABLE revision_coverage AS
SELECT f.figure_nr, NULL AS kommunkod, f.covered_year AS ar
FROM revision_figures AS f
WHERE f.kalla = 'tables_long' OR (f.kalla = 'nyckeltal' AND f.dimension = 'riket')
UNION ALL
SELECT f.figure_nr, NULL, y.ar
FROM revision_figures AS f
LEFT JOIN LATERAL (
    SELECT unnest(range(list_min(f.named_years), list_max(f.named_years) + 1)) AS ar
) AS y ON true
WHERE f.kalla = 'text_figures'
UNION ALL
SELECT f.figure_nr, f.kommunkod, f.ar
FROM revision_figures AS f
WHERE f.kalla = 'nyckeltal' AND f.dimension = 'kommun'
UNION ALL
SELECT f.figure_nr, g.kommunkod, f.ar
FROM revision_figures AS f
JOIN report.breakdown_groups AS g ON g.dimension = f.dimension AND g.group_code = f.group_code
WHERE f.kalla = 'nyckeltal' AND f.dimension NOT IN ('kommun', 'riket');

-- What changed between the two publications, per municipality and year.
CREATE OR REPLACE TEMP TABLE revision_changes AS
WITH selected_now AS (
    SELECT kommunkod, ar, path, sha256 FROM core.submissions
),
selected_before AS (
    SELECT kommunkod, ar, path, sha256 FROM forra.core.submissions
),
register_changed AS (
    SELECT DISTINCT kommunkod, ar
    FROM (
        (SELECT * FROM core.grant_register EXCEPT SELECT * FROM forra.core.grant_register)
        UNION ALL
        (SELECT * FROM forra.core.grant_register EXCEPT SELECT * FROM core.grant_register)
    )
)
SELECT
    coalesce(n.kommunkod, b.kommunkod) AS kommunkod,
    coalesce(n.ar, b.ar) AS ar,
    CASE WHEN b.path IS NULL THEN 'added' WHEN n.path IS NULL THEN 'withdrawn' ELSE 'corrected' END
        AS cause,
    coalesce(n.path, b.path) AS path,
    CASE WHEN n.path <> b.path THEN b.path END AS superseded_path
FROM selected_now AS n
FULL OUTER JOIN selected_before AS b ON n.kommunkod = b.kommunkod AND n.ar = b.ar
WHERE n.path IS DISTINCT FROM b.path OR n.sha256 IS DISTINCT FROM b.sha256
UNION ALL
SELECT kommunkod, ar, 'grant_register', ar || '/' || getvariable('register_file'), NULL
FROM register_changed;

DELETE FROM report.revisioner;

INSERT INTO report.revisioner BY NAME
WITH causes AS (
    SELECT DISTINCT c.figure_nr, x.cause, x.kommunkod AS cause_kommunkod, x.ar AS cause_ar,
        x.path, x.superseded_path
    FROM revision_coverage AS c
    JOIN revision_changes AS x
        ON (c.kommunkod IS NULL OR c.kommunkod = x.kommunkod)
        AND (c.ar IS NULL OR c.ar = x.ar)
    UNION ALL
    SELECT f.figure_nr, g.cause, NULL, NULL, NULL, NULL
    FROM revision_figures AS f
    CROSS JOIN (
        SELECT 'reference_data' AS cause WHERE getvariable('reference_changed')
        UNION ALL
        SELECT 'code' WHERE getvariable('code_changed')
    ) AS g
)
SELECT
    getvariable('publicering_id') AS publicering_id,
    getvariable('forra_publicering_id') AS forra_publicering_id,
    f.kalla, f.table_id, f.row_key, f.col_key, f.figure_key, f.nyckeltal_id, f.dimension,
    f.kommunkod, f.group_code, f.ar, f.kon, f.value_before, f.value_after,
    c.cause, c.cause_kommunkod, c.cause_ar, c.path, c.superseded_path
FROM revision_figures AS f
LEFT JOIN causes AS c USING (figure_nr)
ORDER BY f.kalla, f.table_id, f.row_key, f.col_key, f.figure_key, f.nyckeltal_id, f.dimension,
    f.group_code, f.kommunkod, f.ar, f.kon, c.cause, c.cause_kommunkod, c.cause_ar, c.path;

DROP TABLE revision_figures;
DROP TABLE revision_coverage;
DROP TABLE revision_changes;
