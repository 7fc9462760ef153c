-- report.nyckeltal_publicerad: the key figures as they are published, after disclosure control.
-- Made empty here with report.nyckeltal's columns; the report stage fills it once per build
-- (assets/report/disclosure.py, after this SQL), with the secondary suppression and the audit
-- its blocking check reports, so the publication stage reads which figures are hidden and never
-- solves the audit again.
CREATE OR REPLACE TABLE report.nyckeltal_publicerad AS
SELECT *, CAST(NULL AS VARCHAR) AS disclosure FROM report.nyckeltal LIMIT 0;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.nyckeltal_publicerad IS 'report.nyckeltal efter röjandekontroll (assets/disclosure), som nyckeltalen publiceras: värde, täljare, nämnare och n_underlag är NULL där de döljs, och disclosure säger varför.';
COMMENT ON COLUMN report.nyckeltal_publicerad.nyckeltal_id IS 'Nyckeltalets id (ref.nyckeltal).';
COMMENT ON COLUMN report.nyckeltal_publicerad.dimension IS 'kommun | lan | kommungrupp | riket (grupperna som i report.breakdown_groups).';
COMMENT ON COLUMN report.nyckeltal_publicerad.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"), på kommunens rader; NULL på gruppernas.';
COMMENT ON COLUMN report.nyckeltal_publicerad.group_code IS 'Gruppens kod på gruppernas rader: 00 (riket), länskod eller kommungruppens kod; NULL på kommunernas.';
COMMENT ON COLUMN report.nyckeltal_publicerad.ar IS 'År, som i report.nyckeltal.';
COMMENT ON COLUMN report.nyckeltal_publicerad.kon IS 'Kön: T (totalt), K (kvinnor) eller M (män).';
COMMENT ON COLUMN report.nyckeltal_publicerad.varde IS 'Nyckeltalets värde, ej avrundat; NULL där det döljs eller nämnaren är 0 eller saknas.';
COMMENT ON COLUMN report.nyckeltal_publicerad.taljare IS 'Täljaren; NULL där den döljs.';
COMMENT ON COLUMN report.nyckeltal_publicerad.namnare IS 'Nämnaren; NULL där den döljs och för nyckeltal som är summor.';
COMMENT ON COLUMN report.nyckeltal_publicerad.n_underlag IS 'Vad värdet bygger på (som i report.nyckeltal); NULL där termen det kopierar döljs.';
COMMENT ON COLUMN report.nyckeltal_publicerad.n_kommuner IS 'Antal kommuner värdet bygger på (1 på kommunens rader).';
COMMENT ON COLUMN report.nyckeltal_publicerad.disclosure IS 'shown | primary (för få personer av ett kön) | secondary (dold så att en dold uppgift inte kan räknas fram) | empty (inget värde).';
