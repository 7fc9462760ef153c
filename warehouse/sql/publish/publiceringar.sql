-- report.publiceringar: this publication's row after those of the publications kept before it
-- (contract section 11), run in the staging warehouse before the exports read it by
-- assets/publication/publications.py, which sets the variables publicering_id, publicerad, the
-- reference and code fingerprints, the path it will be kept at, and `kept`, how many
-- publications to keep (0: every one). The caller has removed the rows of publications whose
-- kept file is gone.
INSERT INTO report.publiceringar BY NAME
SELECT
    getvariable('publicering_id') AS publicering_id,
    getvariable('publicerad')::TIMESTAMP AS publicerad,
    (SELECT fingerprint FROM quality.build_inputs) AS fingerprint,
    getvariable('reference_fingerprint') AS reference_fingerprint,
    getvariable('code_fingerprint') AS code_fingerprint,
    (
        SELECT map(list(s.status ORDER BY s.position), list(coalesce(l.n, 0) ORDER BY s.position))
        FROM ref.ledger_statuses AS s
        LEFT JOIN (
            SELECT status, count(*) AS n FROM quality.file_ledger GROUP BY status
        ) AS l USING (status)
    ) AS filer_per_status,
    getvariable('path') AS path,
    'ATTACH ''' || replace(getvariable('path'), '''', '''''') || ''' AS publicering_'
        || getvariable('publicering_id') || ' (READ_ONLY);' AS attach_sql;

-- Retention: the newest `kept` publications stay listed; the caller removes the others' files
-- after the swap.
DELETE FROM report.publiceringar
WHERE publicering_id IN (
    SELECT publicering_id
    FROM (
        SELECT publicering_id, row_number() OVER (ORDER BY publicerad DESC) AS newest
        FROM report.publiceringar
    )
    WHERE getvariable('kept') > 0 AND newest > getvariable('kept')
);
