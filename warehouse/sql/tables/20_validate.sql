-- Tables written by the validate stage (assets/validate). Contract section 4.

-- Each block of each selected submission's form: not_answered | valid | invalid.
CREATE TABLE IF NOT EXISTS core.block_status (
    path       VARCHAR NOT NULL,
    kommunkod  VARCHAR NOT NULL,
    ar         INTEGER NOT NULL,
    block      VARCHAR NOT NULL,
    status     VARCHAR NOT NULL CHECK (status IN ('not_answered', 'valid', 'invalid')),
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
WHERE status IN ('rejected', 'conflict')
UNION ALL
SELECT s.path, s.kommunkod, s.ar, NULL, f.question_id, f.rule, f.severity, f.value, f.message
FROM core.file_findings AS f
JOIN core.submissions AS s USING (sha256)
UNION ALL
SELECT path, kommunkod, ar, block, question_id, rule, severity, value, message
FROM core.block_issues
UNION ALL
SELECT path, kommunkod, ar, NULL, NULL, rule, severity, NULL, message
FROM core.register_findings;
