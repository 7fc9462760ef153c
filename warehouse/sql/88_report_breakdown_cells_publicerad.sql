-- report.breakdown_cells_publicerad: the breakdowns of Tables 1, 3, 9 and 11 by county and SKR
-- group as they are published, after disclosure control. Made empty here with
-- report.breakdown_cells_unsuppressed's columns; the report stage fills it once per build
-- (assets/report/disclosure.py), from the same audit as report.nyckeltal_publicerad (one model per
-- year over both), so every output that shows a breakdown (exports, workbook, rapport.html,
-- charts) shows what the blocking check passed and never decides again.
CREATE OR REPLACE TABLE report.breakdown_cells_publicerad AS
SELECT *, CAST(NULL AS VARCHAR) AS disclosure FROM report.breakdown_cells_unsuppressed LIMIT 0;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE report.breakdown_cells_publicerad IS 'report.breakdown_cells_unsuppressed efter röjandekontroll (assets/disclosure), som uppdelningarna publiceras: value är NULL där cellen döljs eller är tom, och disclosure säger varför.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.dimension IS 'lan | kommungrupp.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.group_code IS 'Länskod eller kommungruppens kod.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.group_name IS 'Länets eller kommungruppens namn.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.group_position IS 'Gruppens plats i redovisningen.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.table_id IS 'Tabell T01, T03, T09 eller T11.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.row_key IS 'Radens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.col_key IS 'Kolumnens nyckel som i report.tables_long.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.value IS 'Värdet för gruppen, ej avrundat; NULL där det döljs eller ingen kommun räknas.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.n_kommuner IS 'Antal kommuner i gruppen som cellen bygger på (visas alltid).';
COMMENT ON COLUMN report.breakdown_cells_publicerad.ar IS 'Populationsradens år: det år vars röjandegranskning cellen ingår i.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.block IS 'Blocket cellen läser.';
COMMENT ON COLUMN report.breakdown_cells_publicerad.disclosure IS 'shown | primary (färre än 3 kommuner) | secondary (dold så att en dold uppgift inte kan räknas fram) | empty (ingen kommun).';
