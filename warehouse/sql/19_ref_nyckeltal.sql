-- ref.nyckeltal: the key figures per municipality (report.nyckeltal, 85_report_nyckeltal.sql),
-- defined in schemas/reference/nyckeltal.csv, the one home of their definitions: a key figure
-- is added or changed there, never in the SQL.
--   taljare, namnare : the terms summed for the numerator and the denominator, joined by '+'.
--                      A term is a question id, or a LIKE pattern over the question ids of the
--                      key figure's block (komp_%_saknar); `{kon}` stands for totalt, kvinnor
--                      or man, and a key figure with it is split by sex (kon T, K, M).
--                      Register terms: rekvirerat_sek, aterbetalt_sek, fordelat_sek, befolkning
--                      (ref.befolkning) and forsta_ar (core.participation).
--   block            : the block(s) that must be valid, joined by '+'; 'register' for the
--                      grant register and the population.
--   sammanvagning    : how a county, SKR group or the nation is made of its municipalities:
--                      kvot (faktor × Σ täljare / Σ nämnare), summa (Σ täljare) or
--                      antal_kommuner (how many municipalities have a value that year).
--   tabell_id, tabell_rad, tabell_kolumn : the report's cell with the same definition, where
--                      there is one ({ar}: the row of the year); report.nyckeltal_mot_tabeller
--                      compares the two over the same population.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE TABLE ref.nyckeltal AS
SELECT
    nyckeltal_id,
    row_number() OVER () AS position,
    titel,
    beskrivning,
    enhet,
    formel,
    block,
    taljare,
    nullif(trim(namnare), '') AS namnare,
    CAST(decimaler AS INTEGER) AS decimaler,
    CAST(faktor AS INTEGER) AS faktor,
    sammanvagning,
    contains(taljare, '{kon}') AS delas_pa_kon,
    nullif(trim(tabell_id), '') AS tabell_id,
    nullif(trim(tabell_rad), '') AS tabell_rad,
    nullif(trim(tabell_kolumn), '') AS tabell_kolumn
FROM reference_csv('nyckeltal_csv');

-- ref.befolkning: the population of each municipality on 31 December of each year (SCB,
-- schemas/reference/population_2013_2017.csv; see SOURCES_municipalities.md). It is the whole
-- population: no reference file holds the children aged 0–20, so the key figures are per
-- inhabitant, not per child.
CREATE OR REPLACE TABLE ref.befolkning AS
SELECT kommunkod, CAST(year AS INTEGER) AS ar, CAST(population AS BIGINT) AS befolkning
FROM reference_csv('population_csv');

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE ref.nyckeltal IS 'Nyckeltalen per kommun (report.nyckeltal): definitionerna, från schemas/reference/nyckeltal.csv.';
COMMENT ON COLUMN ref.nyckeltal.nyckeltal_id IS 'Nyckeltalets id, t.ex. handl_utan_socionom_andel.';
COMMENT ON COLUMN ref.nyckeltal.position IS 'Nyckeltalets plats i redovisningen (ordningen i filen).';
COMMENT ON COLUMN ref.nyckeltal.titel IS 'Nyckeltalets rubrik på svenska.';
COMMENT ON COLUMN ref.nyckeltal.beskrivning IS 'Vad nyckeltalet visar och dess begränsningar.';
COMMENT ON COLUMN ref.nyckeltal.enhet IS 'Enhet: procent, årsarbetare, antal, kronor …';
COMMENT ON COLUMN ref.nyckeltal.formel IS 'Formeln i ord.';
COMMENT ON COLUMN ref.nyckeltal.block IS 'Blocket eller blocken (med +) som måste vara giltiga; register för bidragsregistret och befolkningen.';
COMMENT ON COLUMN ref.nyckeltal.taljare IS 'Täljarens termer med +: fråge-id, LIKE-mönster över blockets frågor, eller registertermer; {kon} = totalt, kvinnor eller man.';
COMMENT ON COLUMN ref.nyckeltal.namnare IS 'Nämnarens termer på samma sätt; NULL för en summa.';
COMMENT ON COLUMN ref.nyckeltal.decimaler IS 'Antal decimaler värdet visas med i profilsidorna.';
COMMENT ON COLUMN ref.nyckeltal.faktor IS 'Kvoten multipliceras med faktorn: 100 för procent, 10 000 för per 10 000 invånare.';
COMMENT ON COLUMN ref.nyckeltal.sammanvagning IS 'Hur län, kommungrupp och riket bildas: kvot (Σ täljare / Σ nämnare), summa eller antal_kommuner.';
COMMENT ON COLUMN ref.nyckeltal.delas_pa_kon IS 'Sant när blanketten delar upp nyckeltalet på kön (kon T, K och M); annars bara T.';
COMMENT ON COLUMN ref.nyckeltal.tabell_id IS 'Rapporttabellen med samma definition (T03, T11 … T14); NULL när ingen finns.';
COMMENT ON COLUMN ref.nyckeltal.tabell_rad IS 'Raden i den tabellen: {ar} = årets rad, annars radens nyckel (område i tabell 3).';
COMMENT ON COLUMN ref.nyckeltal.tabell_kolumn IS 'Kolumnen i den tabellen (col_key i report.tables_long).';
COMMENT ON TABLE ref.befolkning IS 'Folkmängd per kommun den 31 december varje år 2013–2017 (SCB). Hela befolkningen: antalet barn 0–20 år finns inte i referensdata.';
COMMENT ON COLUMN ref.befolkning.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN ref.befolkning.ar IS 'År (folkmängden den 31 december).';
COMMENT ON COLUMN ref.befolkning.befolkning IS 'Folkmängd, antal invånare.';
