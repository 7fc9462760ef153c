-- report.jamforelse: each municipality's key figures (report.nyckeltal) beside its county, its
-- SKR group (report.breakdown_groups) and the nation for the same (nyckeltal_id, ar, kon), beside
-- its own value in its first inventory year, and ranked within its SKR group: "where does
-- Jönköping stand among similar municipalities" in one query.
--   first inventory year : the earliest year of the municipality's selected submissions
--                          (core.submissions); forandring is the change from that year's value
--                          of the same key figure, for the years after it (the change to 2016).
--   rank                 : rank 1 is the highest value in the SKR group that year (ties share a
--                          rank); whether high is good depends on the key figure.
-- Key figures aggregated as a count of municipalities (forsta_deltagarar) have no group value
-- to compare with and are left out. Not disclosure-controlled, as report.nyckeltal.
CREATE OR REPLACE TABLE report.jamforelse AS
WITH
municipality_values AS (
    SELECT k.nyckeltal_id, k.kommunkod, k.ar, k.kon, k.varde
    FROM report.nyckeltal AS k
    JOIN ref.nyckeltal AS n ON n.nyckeltal_id = k.nyckeltal_id
    WHERE k.dimension = 'kommun' AND n.sammanvagning <> 'antal_kommuner'
),
memberships AS (
    SELECT
        kommunkod,
        any_value(group_code) FILTER (WHERE dimension = 'lan') AS lanskod,
        any_value(group_code) FILTER (WHERE dimension = 'kommungrupp') AS kommungrupp,
        any_value(group_code) FILTER (WHERE dimension = 'riket') AS riket
    FROM report.breakdown_groups
    GROUP BY kommunkod
),
group_values AS (
    SELECT nyckeltal_id, dimension, group_code, ar, kon, varde
    FROM report.nyckeltal
    WHERE dimension <> 'kommun'
),
first_inventory AS (
    SELECT kommunkod, min(ar) AS ar
    FROM core.submissions
    GROUP BY kommunkod
)
SELECT
    m.nyckeltal_id,
    m.kommunkod,
    m.ar,
    m.kon,
    m.varde,
    g.lanskod,
    lan.varde AS lan_varde,
    g.kommungrupp,
    grupp.varde AS kommungrupp_varde,
    riket.varde AS riket_varde,
    f.ar AS forsta_inventering_ar,
    forsta.varde AS forsta_inventering_varde,
    CASE WHEN m.ar > f.ar THEN m.varde - forsta.varde END AS forandring,
    CASE WHEN m.varde IS NOT NULL THEN
        rank() OVER (
            PARTITION BY m.nyckeltal_id, m.ar, m.kon, g.kommungrupp, m.varde IS NULL
            ORDER BY m.varde DESC
        )
    END AS rang_i_kommungrupp,
    count(m.varde) OVER (PARTITION BY m.nyckeltal_id, m.ar, m.kon, g.kommungrupp)
        AS antal_rangordnade
FROM municipality_values AS m
JOIN memberships AS g ON g.kommunkod = m.kommunkod
LEFT JOIN group_values AS lan
    ON lan.nyckeltal_id = m.nyckeltal_id AND lan.ar = m.ar AND lan.kon = m.kon
    AND lan.dimension = 'lan' AND lan.group_code = g.lanskod
LEFT JOIN group_values AS grupp
    ON grupp.nyckeltal_id = m.nyckeltal_id AND grupp.ar = m.ar AND grupp.kon = m.kon
    AND grupp.dimension = 'kommungrupp' AND grupp.group_code = g.kommungrupp
LEFT JOIN group_values AS riket
    ON riket.nyckeltal_id = m.nyckeltal_id AND riket.ar = m.ar AND riket.kon = m.kon
    AND riket.dimension = 'riket' AND riket.group_code = g.riket
LEFT JOIN first_inventory AS f ON f.kommunkod = m.kommunkod
LEFT JOIN municipality_values AS forsta
    ON forsta.nyckeltal_id = m.nyckeltal_id AND forsta.kommunkod = m.kommunkod
    AND forsta.kon = m.kon AND forsta.ar = f.ar
ORDER BY m.nyckeltal_id, m.kommunkod, m.ar, m.kon;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.jamforelse IS 'Varje kommuns nyckeltal bredvid länet, SKR-kommungruppen, riket och kommunens eget första inventeringsår, med rang inom kommungruppen. Ej avrundade och UTAN röjandekontroll, som report.nyckeltal.';
COMMENT ON COLUMN report.jamforelse.nyckeltal_id IS 'Nyckeltalets id (ref.nyckeltal).';
COMMENT ON COLUMN report.jamforelse.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN report.jamforelse.ar IS 'År.';
COMMENT ON COLUMN report.jamforelse.kon IS 'Kön: T, K eller M.';
COMMENT ON COLUMN report.jamforelse.varde IS 'Kommunens värde (report.nyckeltal).';
COMMENT ON COLUMN report.jamforelse.lanskod IS 'Kommunens län.';
COMMENT ON COLUMN report.jamforelse.lan_varde IS 'Länets värde samma år och kön.';
COMMENT ON COLUMN report.jamforelse.kommungrupp IS 'Kommunens SKR-kommungrupp (A1 … C9).';
COMMENT ON COLUMN report.jamforelse.kommungrupp_varde IS 'Kommungruppens värde samma år och kön.';
COMMENT ON COLUMN report.jamforelse.riket_varde IS 'Rikets värde samma år och kön.';
COMMENT ON COLUMN report.jamforelse.forsta_inventering_ar IS 'Kommunens första inventeringsår: det tidigaste året med en vald inlämning.';
COMMENT ON COLUMN report.jamforelse.forsta_inventering_varde IS 'Kommunens värde det första inventeringsåret; NULL när blocket då inte var giltigt.';
COMMENT ON COLUMN report.jamforelse.forandring IS 'Förändring sedan första inventeringen: värdet minus värdet det första inventeringsåret (procentenheter för andelar); NULL det första året och tidigare.';
COMMENT ON COLUMN report.jamforelse.rang_i_kommungrupp IS 'Rang inom kommungruppen samma år och kön: 1 = högst värde; lika värden delar rang; NULL utan värde.';
COMMENT ON COLUMN report.jamforelse.antal_rangordnade IS 'Antal kommuner i kommungruppen med ett värde det året och könet.';
