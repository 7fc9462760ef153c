-- The file ledger and the issues with each municipality's name and county beside its code, for
-- the analyst who looks for a municipality by name:
--   SELECT * FROM quality.issues_kommun WHERE kommun = 'Malmö';
-- Views: they show quality.file_ledger and quality.issues as they stand, with every column of
-- theirs after the name and county. A file whose kommunkod could not be read, or is none of the
-- 290 (ref.municipalities), has NULL name and county.

CREATE OR REPLACE VIEW quality.file_ledger_kommun AS
SELECT l.path, l.kommunkod, m.kommun, m.lanskod, m.lan, l.* EXCLUDE (path, kommunkod)
FROM quality.file_ledger AS l
LEFT JOIN ref.municipalities AS m USING (kommunkod);

CREATE OR REPLACE VIEW quality.issues_kommun AS
SELECT i.path, i.kommunkod, m.kommun, m.lanskod, m.lan, i.* EXCLUDE (path, kommunkod)
FROM quality.issues AS i
LEFT JOIN ref.municipalities AS m USING (kommunkod);

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON VIEW quality.file_ledger_kommun IS 'quality.file_ledger med kommunens namn och län bredvid kommunkoden: varje fil under <raw>/<år>/inventering/ med exakt en status. Namn och län är NULL där kommunkoden inte kunde läsas eller inte är en av de 290 kommunerna.';
COMMENT ON COLUMN quality.file_ledger_kommun.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN quality.file_ledger_kommun.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"). NULL där innehållet inte lästs eller inte kunde tolkas.';
COMMENT ON COLUMN quality.file_ledger_kommun.kommun IS 'Kommunens namn (ref.municipalities); NULL där kommunkoden saknas eller är okänd.';
COMMENT ON COLUMN quality.file_ledger_kommun.lanskod IS 'Länskod, två siffror som text (ref.municipalities).';
COMMENT ON COLUMN quality.file_ledger_kommun.lan IS 'Länets namn (ref.municipalities).';
COMMENT ON COLUMN quality.file_ledger_kommun.sha256 IS 'SHA-256 av filens innehåll (hex). NULL för symboliska länkar och filer som inte kunde läsas.';
COMMENT ON COLUMN quality.file_ledger_kommun.size_bytes IS 'Filens storlek på disk i byte; NULL för en symbolisk länk.';
COMMENT ON COLUMN quality.file_ledger_kommun.ar IS 'Redovisningsår (frågan ar i filen). NULL där det inte kunde läsas.';
COMMENT ON COLUMN quality.file_ledger_kommun.inlamnad IS 'Inlämningstid ur filen (frågan inlamnad), svensk lokal tid.';
COMMENT ON COLUMN quality.file_ledger_kommun.status IS 'Filens status, en av ref.ledger_statuses (där står vad den betyder).';
COMMENT ON COLUMN quality.file_ledger_kommun.reason_code IS 'Avvisningskod för status rejected (t.ex. bad_header; ref.rules med kind rejection); NULL för alla andra statusar.';
COMMENT ON COLUMN quality.file_ledger_kommun.message IS 'Förklaring på svenska av statusen och vad kommunen ska göra; tom för selected.';
COMMENT ON VIEW quality.issues_kommun IS 'quality.issues med kommunens namn och län bredvid kommunkoden: en rad per problem oavsett steg. Namn och län är NULL där kommunkoden inte kunde läsas eller inte är en av de 290 kommunerna.';
COMMENT ON COLUMN quality.issues_kommun.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN quality.issues_kommun.kommunkod IS 'Kommunkod, fyra siffror som text ("0180"). NULL för avvisade filer utan läsbar kommunkod.';
COMMENT ON COLUMN quality.issues_kommun.kommun IS 'Kommunens namn (ref.municipalities); NULL där kommunkoden saknas eller är okänd.';
COMMENT ON COLUMN quality.issues_kommun.lanskod IS 'Länskod, två siffror som text (ref.municipalities).';
COMMENT ON COLUMN quality.issues_kommun.lan IS 'Länets namn (ref.municipalities).';
COMMENT ON COLUMN quality.issues_kommun.ar IS 'Redovisningsår (frågan ar i filen). NULL där det inte kunde läsas.';
COMMENT ON COLUMN quality.issues_kommun.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare. NULL när anmärkningen gäller hela filen.';
COMMENT ON COLUMN quality.issues_kommun.question_id IS 'Frågan som anmärkningen gäller; NULL när den gäller hela filen eller blocket.';
COMMENT ON COLUMN quality.issues_kommun.rule IS 'Regel-id i schemas/rules.py (med beskrivning på klarspråk där).';
COMMENT ON COLUMN quality.issues_kommun.severity IS 'fatal (filen används inte) | error (blocket ogiltigt) | warning (uppgiften används).';
COMMENT ON COLUMN quality.issues_kommun.value IS 'Svaret som det stod i filen; NULL när det saknas.';
COMMENT ON COLUMN quality.issues_kommun.message IS 'Vad som hittades och vad kommunen ska göra, på svenska.';
