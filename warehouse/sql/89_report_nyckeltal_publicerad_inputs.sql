-- report.nyckeltal_publicerad_inputs: per year, a digest of all the key figures' disclosure
-- control read (the year's key figures, the groups of its municipalities, the definitions, the
-- settings and the code) and the audit's result. Made empty here, after report.nyckeltal_publicerad;
-- the report stage reads both before its SQL runs and fills both in one transaction
-- (assets/report/disclosure.py): a year whose digest is unchanged keeps its stored rows and audit.
CREATE OR REPLACE TABLE report.nyckeltal_publicerad_inputs (
    ar INTEGER,
    digest VARCHAR,
    hidden INTEGER,
    secondary INTEGER,
    intervals STRUCT(figure VARCHAR, value DOUBLE, low DOUBLE, high DOUBLE, required_width DOUBLE)[]
);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.nyckeltal_publicerad_inputs IS 'Per år: vad röjandekontrollen av report.nyckeltal_publicerad läste (som en hash) och granskningens resultat. Ett år vars hash är oförändrad behåller sitt lagrade resultat i nästa bygge och löses inte om.';
COMMENT ON COLUMN report.nyckeltal_publicerad_inputs.ar IS 'År, som i report.nyckeltal.';
COMMENT ON COLUMN report.nyckeltal_publicerad_inputs.digest IS 'SHA-256 av årets rader i report.nyckeltal (i läsordning), grupptillhörigheten (län, kommungrupp) för årets kommuner, ref.nyckeltal, inställningarna och koden för röjandekontrollen med biblioteksversionerna.';
COMMENT ON COLUMN report.nyckeltal_publicerad_inputs.hidden IS 'Antal dolda storheter (täljare och nämnare) året, primärt och sekundärt dolda.';
COMMENT ON COLUMN report.nyckeltal_publicerad_inputs.secondary IS 'Antal storheter som den sekundära röjandekontrollen dolde året.';
COMMENT ON COLUMN report.nyckeltal_publicerad_inputs.intervals IS 'Varje dold storhets intervall enligt granskningen (figure, value, low, high, required_width = 2d), exakt som lösningen gav det; high är oändligt där inget begränsar den.';
