-- core.counted_blocks: the blocks in which a member of a population counts (contract section 5:
-- "a municipality counts in a table only where the block that the table reads is valid").
-- One row per population member and valid block; an invalid or unanswered block leaves the
-- municipality out of the tables reading that block only.
CREATE OR REPLACE TABLE core.counted_blocks AS
SELECT p.population, p.ar, p.kommunkod, p.path, b.block
FROM core.population AS p
JOIN core.block_status AS b ON b.path = p.path
WHERE b.status = 'valid'
ORDER BY p.ar, p.kommunkod, b.block;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md).
COMMENT ON TABLE core.counted_blocks IS 'De giltiga block i vilka en populationsmedlem räknas.';
COMMENT ON COLUMN core.counted_blocks.population IS 'final | first_year.';
COMMENT ON COLUMN core.counted_blocks.ar IS 'Populationsradens år.';
COMMENT ON COLUMN core.counted_blocks.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.counted_blocks.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.counted_blocks.block IS 'Blankettens block (kolumnen block i ref.questions), t.ex. A_handlaggare.';
