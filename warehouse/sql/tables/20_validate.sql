-- Tables written by the validate stage (assets/validate). Contract section 4.

-- Each block of each selected submission's form with its status (ref.block_statuses).
CREATE TABLE IF NOT EXISTS core.block_status (
    path       VARCHAR NOT NULL,
    kommunkod  VARCHAR NOT NULL,
    ar         INTEGER NOT NULL,
    block      VARCHAR NOT NULL,
    status     VARCHAR NOT NULL,   -- one of ref.block_statuses (schemas/contract.py)
    PRIMARY KEY (kommunkod, ar, block)
);

-- The answers of valid blocks only: what the report tables read. `value` for fte (årsarbetare,
-- two decimals) and persons; `value_text` (ja | delvis | nej) for choice questions.
CREATE TABLE IF NOT EXISTS core.answers (
    path         VARCHAR NOT NULL,
    kommunkod    VARCHAR NOT NULL,
    ar           INTEGER NOT NULL,
    block        VARCHAR NOT NULL,
    question_id  VARCHAR NOT NULL,
    value        DOUBLE,
    value_text   VARCHAR,
    PRIMARY KEY (kommunkod, ar, question_id)
);

-- Problems found in the blocks of selected submissions: invalid answers, broken hard rules
-- (severity error) and warnings.
CREATE TABLE IF NOT EXISTS core.block_issues (
    path         VARCHAR NOT NULL,
    kommunkod    VARCHAR NOT NULL,
    ar           INTEGER NOT NULL,
    block        VARCHAR,
    question_id  VARCHAR,
    rule         VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,
    value        VARCHAR,
    message      VARCHAR NOT NULL
);

-- Contract section 8: one row per problem, whatever stage found it. Severity: fatal (the file
-- or the municipality-year cannot be used), error (a block is left out of every table),
-- warning (reported, data kept).
CREATE OR REPLACE VIEW quality.issues AS
SELECT path, kommunkod, ar, NULL::VARCHAR AS block, NULL::VARCHAR AS question_id,
       coalesce(reason_code, status) AS rule, 'fatal' AS severity, NULL::VARCHAR AS value, message
FROM quality.file_ledger
-- A rejected file (the only status with a reason code) or a conflict.
WHERE reason_code IS NOT NULL OR status = 'conflict'
UNION ALL
SELECT s.path, s.kommunkod, s.ar, NULL, f.question_id, f.rule, f.severity, f.value, f.message
FROM core.file_findings AS f
JOIN core.submissions AS s USING (sha256)
UNION ALL
SELECT path, kommunkod, ar, block, question_id, rule, severity, value, message
FROM core.block_issues;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.block_status IS 'Status för varje block i varje vald inlämnings blankett (docs/INLAMNING.md, avsnitt 4).';
COMMENT ON COLUMN core.block_status.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.block_status.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.block_status.ar IS 'Redovisningsår (frågan ar i filen).';
COMMENT ON COLUMN core.block_status.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN core.block_status.status IS 'Blockets status, en av ref.block_statuses: not_answered (ingen fråga besvarad), valid eller invalid (utesluts ur alla tabeller).';
COMMENT ON TABLE core.answers IS 'De typade svaren i giltiga block: det som rapporttabellerna läser.';
COMMENT ON COLUMN core.answers.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.answers.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.answers.ar IS 'Redovisningsår (frågan ar i filen).';
COMMENT ON COLUMN core.answers.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
COMMENT ON COLUMN core.answers.question_id IS 'Frågans id (ref.questions).';
COMMENT ON COLUMN core.answers.value IS 'Värdet för fte-frågor (årsarbetare, två decimaler) och persons-frågor (antal personer); NULL för valfrågor.';
COMMENT ON COLUMN core.answers.value_text IS 'Svaret på valfrågor: ja | delvis | nej; NULL för talfrågor.';
COMMENT ON TABLE core.block_issues IS 'Problem i blocken i valda inlämningar: ogiltiga svar, brutna hårda regler (error) och varningar.';
COMMENT ON COLUMN core.block_issues.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.block_issues.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.block_issues.ar IS 'Redovisningsår (frågan ar i filen).';
COMMENT ON COLUMN core.block_issues.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare. NULL när anmärkningen gäller hela filen.';
COMMENT ON COLUMN core.block_issues.question_id IS 'Frågan som anmärkningen gäller; NULL när den gäller hela filen eller blocket.';
COMMENT ON COLUMN core.block_issues.rule IS 'Regel-id i schemas/rules.py (med beskrivning på klarspråk där).';
COMMENT ON COLUMN core.block_issues.severity IS 'fatal (filen används inte) | error (blocket ogiltigt) | warning (uppgiften används).';
COMMENT ON COLUMN core.block_issues.value IS 'Svaret som det stod i filen; NULL när det saknas.';
COMMENT ON COLUMN core.block_issues.message IS 'Vad som hittades och vad kommunen ska göra, på svenska.';
COMMENT ON VIEW quality.issues IS 'Enligt docs/DEFINITIONER.md, avsnitt 8: en rad per problem oavsett steg: avvisade filer och konflikter (fatal), läsvarningar och blockproblem. Problem i rekvisitionsregistren stoppar uppdateringen och finns därför aldrig här.';
COMMENT ON COLUMN quality.issues.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN quality.issues.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"). NULL för avvisade filer utan läsbar kommunkod.';
COMMENT ON COLUMN quality.issues.ar IS 'Redovisningsår (frågan ar i filen). NULL där det inte kunde läsas.';
COMMENT ON COLUMN quality.issues.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare. NULL när anmärkningen gäller hela filen.';
COMMENT ON COLUMN quality.issues.question_id IS 'Frågan som anmärkningen gäller; NULL när den gäller hela filen eller blocket.';
COMMENT ON COLUMN quality.issues.rule IS 'Regel-id i schemas/rules.py (med beskrivning på klarspråk där).';
COMMENT ON COLUMN quality.issues.severity IS 'fatal (filen används inte) | error (blocket ogiltigt) | warning (uppgiften används).';
COMMENT ON COLUMN quality.issues.value IS 'Svaret som det stod i filen; NULL när det saknas.';
COMMENT ON COLUMN quality.issues.message IS 'Vad som hittades och vad kommunen ska göra, på svenska.';
