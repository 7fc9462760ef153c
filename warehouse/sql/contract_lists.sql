-- Comments on the ref tables that assets/report/build.py writes from schemas/contract.py and
-- schemas/rules.py, the one home of each list (docs/ARCHITECTURE.md). Not numbered: it runs
-- right after those tables are written, not in the report build.
COMMENT ON TABLE ref.ledger_statuses IS 'Filregistrets statusar (docs/INLAMNING.md, avsnitt 3) med vad de betyder; från schemas/contract.py.';
COMMENT ON COLUMN ref.ledger_statuses.status IS 'Statusen som den står i quality.file_ledger.status.';
COMMENT ON COLUMN ref.ledger_statuses.position IS 'Ordning i tabellen i docs/INLAMNING.md, avsnitt 3.';
COMMENT ON COLUMN ref.ledger_statuses.description_sv IS 'Vad statusen betyder för kommunen.';
COMMENT ON TABLE ref.block_statuses IS 'Blockens statusar (docs/INLAMNING.md, avsnitt 4); från schemas/contract.py.';
COMMENT ON COLUMN ref.block_statuses.status IS 'Statusen som den står i core.block_status.status.';
COMMENT ON COLUMN ref.block_statuses.description_sv IS 'Vad statusen betyder.';
COMMENT ON TABLE ref.units IS 'Enheterna för svarens och de publicerade siffrornas tal; från schemas/contract.py.';
COMMENT ON COLUMN ref.units.unit IS 'Enheten som den står i ref.questions.kind och ref.published_tables.unit.';
COMMENT ON COLUMN ref.units.label_sv IS 'Vad talet räknar, som läsaren får veta det.';
COMMENT ON COLUMN ref.units.decimals IS 'Antal decimaler i publiceringen (värdena lagras oavrundade).';
COMMENT ON COLUMN ref.units.whole_number IS 'Sant för antal (N, personer, kronor): lagras som heltal.';
COMMENT ON COLUMN ref.units.answer_kind IS 'Sant för de svarstyper i blanketten som är tal (fte, persons).';
COMMENT ON TABLE ref.grant_purposes IS 'Bidragets ändamål i rekvisitionsregistret (docs/INLAMNING.md, avsnitt 6); från schemas/contract.py.';
COMMENT ON COLUMN ref.grant_purposes.andamal IS 'Ändamålet som det står i core.grant_register.andamal.';
COMMENT ON COLUMN ref.grant_purposes.key_word IS 'Ordet som textsiffrornas nycklar använder för ändamålet (anslag_2013_kompetens_sek).';
COMMENT ON TABLE ref.rules IS 'Varje regel som kan rapporteras, med allvarlighetsgrad och beskrivning på klarspråk; från schemas/rules.py.';
COMMENT ON COLUMN ref.rules.rule IS 'Regelns id: reason_code i quality.file_ledger eller rule i quality.issues.';
COMMENT ON COLUMN ref.rules.kind IS 'rejection (avvisningskod), conflict, reading (läsvarning), block (blockregel), warning (varning) eller register (rekvisitionsregistret).';
COMMENT ON COLUMN ref.rules.position IS 'Ordning inom sin sort; för rejection beslutsordningen i docs/INLAMNING.md, avsnitt 3.1.';
COMMENT ON COLUMN ref.rules.severity IS 'fatal (filen eller kommunåret används inte), error (blocket är ogiltigt) eller warning (uppgiften används).';
COMMENT ON COLUMN ref.rules.name_sv IS 'Regelns namn med några ord, som kommunen läser det i kontrollrapporten.';
COMMENT ON COLUMN ref.rules.description_sv IS 'Vad regeln kontrollerar och vad kommunen ska göra.';
