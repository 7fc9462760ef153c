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
