-- Tables written by the publication stage before the exports read them (assets/publication/publications.py).
-- Contract section 11. They describe the history of publications, so they differ between an
-- incremental build and a cold one by design: the incremental-equals-cold comparisons leave
-- them out by name.
CREATE SCHEMA IF NOT EXISTS report;

-- One row per kept publication, this one last: each is kept unchanged as
-- <warehouse dir>/publications/<publicering_id>/kompetens.duckdb, a folder the swap made.
CREATE TABLE IF NOT EXISTS report.publiceringar (
    publicering_id         VARCHAR NOT NULL PRIMARY KEY,
    publicerad             TIMESTAMP NOT NULL,
    fingerprint            VARCHAR NOT NULL,
    reference_fingerprint  VARCHAR NOT NULL,
    code_fingerprint       VARCHAR NOT NULL,
    filer_per_status       MAP(VARCHAR, BIGINT) NOT NULL,
    path                   VARCHAR NOT NULL,
    attach_sql             VARCHAR NOT NULL
);

-- Every published figure whose value differs from the previous publication's, one row per
-- change behind it (warehouse/sql/publish/revisioner.sql). Raw, before disclosure control.
CREATE TABLE IF NOT EXISTS report.revisioner (
    publicering_id        VARCHAR NOT NULL,
    forra_publicering_id  VARCHAR NOT NULL,
    kalla                 VARCHAR NOT NULL,
    table_id              VARCHAR,
    row_key               VARCHAR,
    col_key               VARCHAR,
    figure_key            VARCHAR,
    nyckeltal_id          VARCHAR,
    dimension             VARCHAR,
    kommunkod             VARCHAR,
    group_code            VARCHAR,
    ar                    INTEGER,
    kon                   VARCHAR,
    value_before          DOUBLE,
    value_after           DOUBLE,
    cause                 VARCHAR,
    cause_kommunkod       VARCHAR,
    cause_ar              INTEGER,
    path                  VARCHAR,
    superseded_path       VARCHAR
);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.publiceringar IS 'Varje bevarad publicering , den senaste sist. Varje publicering ligger oförändrad som <lagrets mapp>/publications/<publicering_id>/kompetens.duckdb och kan frågas igen skrivskyddat: kör attach_sql och fråga sedan publicering_<publicering_id>.report.table_11 som det publicerade lagret.';
COMMENT ON COLUMN report.publiceringar.publicering_id IS 'Publiceringens id: tiden (UTC) och fingeravtryckets första tecken, t.ex. 20261201T021503Z_cd553980.';
COMMENT ON COLUMN report.publiceringar.publicerad IS 'När publiceringen gjordes (UTC).';
COMMENT ON COLUMN report.publiceringar.fingerprint IS 'Byggets fingeravtryck (quality.build_inputs): allt publiceringen byggdes av.';
COMMENT ON COLUMN report.publiceringar.reference_fingerprint IS 'SHA-256 över referensdatan som publiceringen byggdes med (assets/ingest/build_inputs.py).';
COMMENT ON COLUMN report.publiceringar.code_fingerprint IS 'SHA-256 över koden och SQL:en som publiceringen byggdes med (assets/ingest/build_inputs.py).';
COMMENT ON COLUMN report.publiceringar.filer_per_status IS 'Antal filer i filregistret per status (ref.ledger_statuses), t.ex. filer_per_status[''selected''].';
COMMENT ON COLUMN report.publiceringar.path IS 'Den bevarade filen, som den hette när den publicerades.';
COMMENT ON COLUMN report.publiceringar.attach_sql IS 'Hur publiceringen frågas: satsen som öppnar den skrivskyddat som databasen publicering_<publicering_id>.';
COMMENT ON TABLE report.revisioner IS 'Varje publicerad uppgift vars värde skiljer sig från förra publiceringens, med värdet före och efter och vad som ändrats bakom den: en rad per ändring. RÅA värden UTAN röjandekontroll, som report.breakdown_cells_unsuppressed: får inte publiceras som de är.';
COMMENT ON COLUMN report.revisioner.publicering_id IS 'Publiceringen där värdet är value_after (report.publiceringar).';
COMMENT ON COLUMN report.revisioner.forra_publicering_id IS 'Förra publiceringen, där värdet var value_before.';
COMMENT ON COLUMN report.revisioner.kalla IS 'Var uppgiften publiceras: tables_long (en cell i tabell 1–14, riket), text_figures (en uppgift i texten) eller nyckeltal (ett nyckeltal för en kommun eller grupp).';
COMMENT ON COLUMN report.revisioner.table_id IS 'tables_long: tabellen (T01–T14).';
COMMENT ON COLUMN report.revisioner.row_key IS 'tables_long: cellens rad.';
COMMENT ON COLUMN report.revisioner.col_key IS 'tables_long: cellens kolumn.';
COMMENT ON COLUMN report.revisioner.figure_key IS 'text_figures: uppgiftens nyckel.';
COMMENT ON COLUMN report.revisioner.nyckeltal_id IS 'nyckeltal: nyckeltalet (ref.nyckeltal).';
COMMENT ON COLUMN report.revisioner.dimension IS 'nyckeltal: kommun, lan, kommungrupp eller riket; tables_long och text_figures: riket.';
COMMENT ON COLUMN report.revisioner.kommunkod IS 'nyckeltal för en kommun: kommunkoden.';
COMMENT ON COLUMN report.revisioner.group_code IS 'nyckeltal för en grupp: länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.revisioner.ar IS 'Året uppgiften gäller (tables_long: radens år i tabell 11–14, annars slutinventeringens år; text_figures: tomt).';
COMMENT ON COLUMN report.revisioner.kon IS 'nyckeltal: K, M eller T (totalt).';
COMMENT ON COLUMN report.revisioner.value_before IS 'Värdet i förra publiceringen, ej avrundat; tomt om uppgiften saknades där.';
COMMENT ON COLUMN report.revisioner.value_after IS 'Värdet i denna publicering, ej avrundat; tomt om uppgiften saknas nu.';
COMMENT ON COLUMN report.revisioner.cause IS 'Vad som ändrats bakom uppgiften: added (ny vald fil), corrected (vald fil ersatt av en senare, eller ändrad på samma plats), withdrawn (vald fil borttagen eller nu avvisad), grant_register (rekvisitionsregistret), reference_data (referensdatan), code (koden); tomt om inget av dem hittades.';
COMMENT ON COLUMN report.revisioner.cause_kommunkod IS 'Kommunen vars fil eller rekvisitionsrader ändrats.';
COMMENT ON COLUMN report.revisioner.cause_ar IS 'Året vars fil eller rekvisitionsregister ändrats.';
COMMENT ON COLUMN report.revisioner.path IS 'Filen (sökväg under rådatamappen): den nu valda för added och corrected, den tidigare valda för withdrawn, årets rekvisitioner.csv för grant_register.';
COMMENT ON COLUMN report.revisioner.superseded_path IS 'corrected: den tidigare valda filen när den ersatts av en annan.';
