-- Tables written by the ingest stage (assets/ingest). Contract sections 2, 3 and 6.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS quality;

-- The parse cache: one row per read, keyed by everything the reader reads of a file: its content
-- (SHA-256) and its suffix in lower case (reader.read_key), read under
-- parse_cache.reading_version(): a hash of the reading code's source, its libraries' versions and
-- the reference data (catalog, municipality register) it read against.
-- A file whose content and suffix are unchanged is not read again on the next refresh.
-- Answers and findings exist only for readable reads, and a content is readable by one suffix at
-- most (CSV text has no NUL byte, which the headers of every zip, so every XLSX, have): the
-- sha256 of a selected submission finds its answers and findings.
CREATE TABLE IF NOT EXISTS core.file_reads (
    sha256          VARCHAR NOT NULL,
    suffix          VARCHAR NOT NULL,   -- ".csv", ".xlsx": the file name's, in lower case
    reading_version VARCHAR NOT NULL,
    reason_code     VARCHAR,            -- contract rejection code; NULL when readable
    message         VARCHAR NOT NULL,
    kommunkod       VARCHAR,
    ar              INTEGER,
    inlamnad        TIMESTAMP,
    PRIMARY KEY (sha256, suffix)
);

-- Answers as written in the file (text), catalog questions of the file's year only.
-- Personal data (kontaktperson, kontakt_epost) is dropped before this point, and the text of an
-- answer that is neither a parsed answer nor quotable (schemas/quoting.py) is never kept: its
-- row and the rule it breaks are (assets/ingest/parse_cache.py).
CREATE TABLE IF NOT EXISTS core.file_answers (
    sha256               VARCHAR NOT NULL,
    suffix               VARCHAR NOT NULL,
    question_id          VARCHAR NOT NULL,
    answer_text          VARCHAR,           -- NULL where withheld
    -- Set where the answer is unparseable whatever its text: its CSV row had more fields than
    -- fraga and svar, and is never cut short (contract section 2). The validation reports it.
    unparseable_message  VARCHAR,
    line                 BIGINT,            -- the answer's row in the file
    withheld_rule        VARCHAR            -- set where answer_text is withheld
);

-- Warnings found while reading a file (unknown question, question not in that year's form,
-- the same answer given twice).
CREATE TABLE IF NOT EXISTS core.file_findings (
    sha256       VARCHAR NOT NULL,
    suffix       VARCHAR NOT NULL,
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
    status       VARCHAR NOT NULL,      -- one of ref.ledger_statuses (schemas/contract.py)
    reason_code  VARCHAR,               -- rejected only: one of ref.rules with kind 'rejection'
    message      VARCHAR NOT NULL
);

-- The build this warehouse holds: one row, the fingerprint of everything it was built from.
-- A refresh whose fingerprint is the published one has nothing to rebuild
-- (assets/ingest/build_inputs.py).
CREATE TABLE IF NOT EXISTS quality.build_inputs (
    fingerprint  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    code_years   VARCHAR NOT NULL,  -- the code each year's fingerprint takes (BuildCode.years)
    code_build   VARCHAR NOT NULL,  -- the code the build's fingerprint takes (BuildCode.build)
    code_files   VARCHAR NOT NULL   -- the repository's code files (BuildCode.files)
);

-- Each year's inputs as this warehouse built them: the year folder's files, the grant register
-- and the code. A refresh builds the years whose inputs differ (pipelines/partitions.py).
CREATE TABLE IF NOT EXISTS quality.year_inputs (
    ar           INTEGER NOT NULL PRIMARY KEY,
    fingerprint  VARCHAR NOT NULL
);

-- The content hash of every landing-zone file with the stat it had when hashed
-- (assets/ingest/landing_zone.py, ContentHashes): a file whose stat is unchanged is not read
-- again to be hashed, so a refresh of a large, unchanged landing zone reads no file content.
CREATE TABLE IF NOT EXISTS core.file_hashes (
    path        VARCHAR NOT NULL,   -- relative to the raw dir
    size_bytes  BIGINT NOT NULL,
    mtime_ns    BIGINT NOT NULL,
    ctime_ns    BIGINT NOT NULL,
    inode       BIGINT NOT NULL,
    sha256      VARCHAR NOT NULL
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
    andamal         VARCHAR NOT NULL,   -- one of ref.grant_purposes (schemas/contract.py)
    fordelat_sek    BIGINT NOT NULL,
    rekvirerat_sek  BIGINT NOT NULL,
    aterbetalt_sek  BIGINT NOT NULL,
    PRIMARY KEY (ar, kommunkod, andamal)
);

-- A register problem stops the refresh (assets/ingest/register.py), so no build holds one: the
-- table that kept them is dropped from warehouses published before that rule.
DROP TABLE IF EXISTS core.register_findings;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.file_reads IS 'Parse-cachen: en rad per läsning av ett filinnehåll (SHA-256) med en filändelse, läst med reading_version; filer med oförändrat innehåll och filändelse läses inte om.';
COMMENT ON COLUMN core.file_reads.sha256 IS 'SHA-256 av filens innehåll (hex).';
COMMENT ON COLUMN core.file_reads.suffix IS 'Filändelsen som innehållet lästes som, med små bokstäver (.csv, .xlsx): samma innehåll läses olika beroende på den.';
COMMENT ON COLUMN core.file_reads.reading_version IS 'Läsningens version (parse_cache.reading_version()): en hash av läsarens källkod, dess biblioteksversioner och referensdata (frågekatalogen och kommunregistret) som innehållet lästes mot.';
COMMENT ON COLUMN core.file_reads.reason_code IS 'Avvisningskod enligt docs/INLAMNING.md, avsnitt 3; NULL när filen går att läsa.';
COMMENT ON COLUMN core.file_reads.message IS 'Varför filen avvisades, på svenska; tom när den går att läsa.';
COMMENT ON COLUMN core.file_reads.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"). NULL om den inte kunde läsas.';
COMMENT ON COLUMN core.file_reads.ar IS 'Redovisningsår (frågan ar i filen). NULL om det inte kunde läsas.';
COMMENT ON COLUMN core.file_reads.inlamnad IS 'Inlämningstid (frågan inlamnad), svensk lokal tid; ett datum blir midnatt.';
COMMENT ON TABLE core.file_answers IS 'Svaren som de står i filen (text), bara katalogfrågor i filens års blankett; inga personuppgifter.';
COMMENT ON COLUMN core.file_answers.sha256 IS 'SHA-256 av filens innehåll (hex).';
COMMENT ON COLUMN core.file_answers.suffix IS 'Filändelsen som innehållet lästes som, med små bokstäver (core.file_reads.suffix).';
COMMENT ON COLUMN core.file_answers.question_id IS 'Frågans id i frågekatalogen (ref.questions).';
COMMENT ON COLUMN core.file_answers.answer_text IS 'Svaret som text, trimmat; tomma svar finns inte här. NULL där svaret varken går att tolka eller får citeras (bara siffror, tecken, komma, punkt och mellanrum med högst 6 siffror får det): då sparas bara raden och regeln (withheld_rule).';
COMMENT ON COLUMN core.file_answers.line IS 'Raden i filen som svaret står på (i en XLSX-fil radnumret).';
COMMENT ON COLUMN core.file_answers.withheld_rule IS 'Regeln som svaret bryter (t.ex. unparseable_value) där texten inte sparas (answer_text är NULL); NULL för alla andra svar.';
COMMENT ON COLUMN core.file_answers.unparseable_message IS 'Varför svaret inte går att tolka oavsett texten, på svenska: raden i CSV-filen hade fler fält än fraga och svar (den kortas aldrig av; answer_text har alla fälten). NULL för alla andra svar.';
COMMENT ON TABLE core.file_findings IS 'Varningar vid läsningen av en fil: okänd fråga, fråga utanför årets blankett, samma svar två gånger.';
COMMENT ON COLUMN core.file_findings.sha256 IS 'SHA-256 av filens innehåll (hex).';
COMMENT ON COLUMN core.file_findings.suffix IS 'Filändelsen som innehållet lästes som, med små bokstäver (core.file_reads.suffix).';
COMMENT ON COLUMN core.file_findings.rule IS 'Regel-id i schemas/rules.py.';
COMMENT ON COLUMN core.file_findings.severity IS 'fatal | error | warning (schemas/rules.py).';
COMMENT ON COLUMN core.file_findings.question_id IS 'Frågan som anmärkningen gäller, som den står i filen.';
COMMENT ON COLUMN core.file_findings.value IS 'Svaret som hittades, där det hjälper.';
COMMENT ON COLUMN core.file_findings.message IS 'Vad som hittades och vad kommunen ska göra, på svenska.';
COMMENT ON TABLE quality.file_ledger IS 'Filregistret (docs/INLAMNING.md, avsnitt 3): varje fil under <raw>/<år>/inventering/ med exakt en status.';
COMMENT ON COLUMN quality.file_ledger.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN quality.file_ledger.sha256 IS 'SHA-256 av filens innehåll (hex). NULL för symboliska länkar och filer som inte kunde läsas.';
COMMENT ON COLUMN quality.file_ledger.size_bytes IS 'Filens storlek på disk i byte; NULL för en symbolisk länk.';
COMMENT ON COLUMN quality.file_ledger.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"). NULL där innehållet inte lästs eller inte kunde tolkas.';
COMMENT ON COLUMN quality.file_ledger.ar IS 'Redovisningsår (frågan ar i filen). NULL där det inte kunde läsas.';
COMMENT ON COLUMN quality.file_ledger.inlamnad IS 'Inlämningstid ur filen (frågan inlamnad), svensk lokal tid.';
COMMENT ON COLUMN quality.file_ledger.status IS 'Filens status, en av ref.ledger_statuses (där står vad den betyder).';
COMMENT ON COLUMN quality.file_ledger.reason_code IS 'Avvisningskod för status rejected (t.ex. bad_header; ref.rules med kind rejection); NULL för alla andra statusar.';
COMMENT ON COLUMN quality.file_ledger.message IS 'Förklaring på svenska av statusen och vad kommunen ska göra; tom för selected.';
COMMENT ON TABLE core.file_hashes IS 'Innehållshash för varje fil i rådatamappen med filens stat när den hashades: en fil med oförändrad stat läses inte om.';
COMMENT ON COLUMN core.file_hashes.path IS 'Filens sökväg relativt rådatamappen.';
COMMENT ON COLUMN core.file_hashes.size_bytes IS 'Filens storlek i byte när den hashades.';
COMMENT ON COLUMN core.file_hashes.mtime_ns IS 'Filens ändringstid (st_mtime_ns) när den hashades.';
COMMENT ON COLUMN core.file_hashes.ctime_ns IS 'Filens statusändringstid (st_ctime_ns) när den hashades; kan inte sättas tillbaka av en användare.';
COMMENT ON COLUMN core.file_hashes.inode IS 'Filens inodnummer när den hashades.';
COMMENT ON COLUMN core.file_hashes.sha256 IS 'SHA-256 av filens innehåll (hex).';
COMMENT ON TABLE quality.year_inputs IS 'Varje års indata så som lagret byggdes av dem: årsmappens filer, rekvisitionsregistret och koden. En uppdatering bygger om de år vars indata ändrats.';
COMMENT ON COLUMN quality.year_inputs.ar IS 'Årsmappen (partitionen ar i Dagster).';
COMMENT ON COLUMN quality.year_inputs.fingerprint IS 'SHA-256 över årsmappens filer (sökväg och innehållshash), årets rekvisitionsregister, referensdatan och koden för de tillgångar som byggs per år (quality.build_inputs.code_years; assets/ingest/build_inputs.py).';
COMMENT ON TABLE quality.build_inputs IS 'Bygget som lagret innehåller: en rad med fingeravtrycket av allt det byggdes av (rådatamappen, referensdata, kod).';
COMMENT ON COLUMN quality.build_inputs.fingerprint IS 'SHA-256 över referensdatan, alla tillgångars kod (code_build), rådatamappens README och varje års indata så som de byggdes (quality.year_inputs; assets/ingest/build_inputs.py); oförändrat fingeravtryck = inget att bygga om.';
COMMENT ON COLUMN quality.build_inputs.run_id IS 'Dagster-körningen som byggde lagret.';
COMMENT ON COLUMN quality.build_inputs.started_at IS 'När bygget startade (UTC).';
COMMENT ON COLUMN quality.build_inputs.code_years IS 'SHA-256 över kodversionerna (Dagsters code_version) för de tillgångar som byggs per år, och biblioteksversionerna: den kod varje års fingeravtryck omfattar.';
COMMENT ON COLUMN quality.build_inputs.code_build IS 'SHA-256 över alla tillgångars kodversioner och biblioteksversionerna: den kod byggets fingeravtryck omfattar.';
COMMENT ON COLUMN quality.build_inputs.code_files IS 'SHA-256 över kodfilerna i förrådet: oförändrade är kodversionerna det också (make refresh jämför dem innan Dagster startar).';
COMMENT ON TABLE core.submissions IS 'Den inlämning som gäller för varje (kommunkod, ar): filregistrets rader med status selected.';
COMMENT ON COLUMN core.submissions.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.submissions.sha256 IS 'SHA-256 av filens innehåll (hex).';
COMMENT ON COLUMN core.submissions.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.submissions.ar IS 'Redovisningsår (frågan ar i filen).';
COMMENT ON COLUMN core.submissions.inlamnad IS 'Inlämningstid ur filen, svensk lokal tid.';
COMMENT ON TABLE core.grant_register IS 'Rekvisitionsregistret (docs/INLAMNING.md, avsnitt 6, rekvisitioner.csv): en rad per kommun, år och ändamål.';
COMMENT ON COLUMN core.grant_register.ar IS 'Bidragsåret (årsmappen).';
COMMENT ON COLUMN core.grant_register.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.grant_register.andamal IS 'Ändamål, ett av ref.grant_purposes.';
COMMENT ON COLUMN core.grant_register.fordelat_sek IS 'Fördelat belopp, hela kronor.';
COMMENT ON COLUMN core.grant_register.rekvirerat_sek IS 'Rekvirerat belopp, hela kronor.';
COMMENT ON COLUMN core.grant_register.aterbetalt_sek IS 'Återbetalt belopp, hela kronor.';
