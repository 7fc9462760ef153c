-- Tables written by the ingest stage (assets/ingest). Contract sections 2, 3 and 6.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS quality;

-- The parse cache: one row per distinct file content (SHA-256) read with PARSER_VERSION.
-- A file whose content is unchanged is not read again on the next refresh.
CREATE TABLE IF NOT EXISTS core.file_reads (
    sha256          VARCHAR PRIMARY KEY,
    parser_version  VARCHAR NOT NULL,
    reason_code     VARCHAR,            -- contract rejection code; NULL when readable
    message         VARCHAR NOT NULL,
    kommunkod       VARCHAR,
    ar              INTEGER,
    inlamnad        TIMESTAMP
);

-- Answers as written in the file (text), catalog questions of the file's year only.
-- Personal data (kontaktperson, kontakt_epost) is dropped before this point.
CREATE TABLE IF NOT EXISTS core.file_answers (
    sha256       VARCHAR NOT NULL,
    question_id  VARCHAR NOT NULL,
    answer_text  VARCHAR NOT NULL
);

-- Warnings found while reading a file (unknown question, question not in that year's form,
-- the same answer given twice).
CREATE TABLE IF NOT EXISTS core.file_findings (
    sha256       VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,
    question_id  VARCHAR,
    value        VARCHAR,
    message      VARCHAR NOT NULL
);

-- Contract section 3: every file under <raw>/<year>/inventering/ has exactly one row.
CREATE TABLE IF NOT EXISTS quality.file_ledger (
    path         VARCHAR PRIMARY KEY,   -- relative to the raw dir
    sha256       VARCHAR,
    size_bytes   BIGINT,
    kommunkod    VARCHAR,
    ar           INTEGER,
    inlamnad     TIMESTAMP,
    status       VARCHAR NOT NULL,      -- selected | superseded | duplicate | conflict | rejected | ignored
    reason_code  VARCHAR,
    message      VARCHAR NOT NULL
);

-- The submission used for each (kommunkod, ar): the ledger's selected files.
CREATE TABLE IF NOT EXISTS core.submissions (
    path       VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    kommunkod  VARCHAR NOT NULL,
    ar         INTEGER NOT NULL,
    inlamnad   TIMESTAMP NOT NULL,
    PRIMARY KEY (kommunkod, ar)
);

-- Contract section 6: the grant register, one row per municipality, year and purpose.
CREATE TABLE IF NOT EXISTS core.grant_register (
    ar              INTEGER NOT NULL,
    kommunkod       VARCHAR NOT NULL,
    andamal         VARCHAR NOT NULL,   -- inventering | kompetensutveckling
    fordelat_sek    BIGINT NOT NULL,
    rekvirerat_sek  BIGINT NOT NULL,
    aterbetalt_sek  BIGINT NOT NULL,
    PRIMARY KEY (ar, kommunkod, andamal)
);

-- Problems in the grant registers (rows left out, municipalities missing).
CREATE TABLE IF NOT EXISTS core.register_findings (
    path       VARCHAR NOT NULL,
    ar         INTEGER NOT NULL,
    kommunkod  VARCHAR,
    line       INTEGER,
    rule       VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,
    message    VARCHAR NOT NULL
);
