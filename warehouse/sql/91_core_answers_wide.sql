-- core.answers_wide: one row per selected submission (core.submissions) with every answer of its
-- form as a column, for the analyst who wants to look at one municipality's inventories:
--   SELECT * FROM core.answers_wide WHERE kommun = 'Malmö' ORDER BY ar;
-- The answer columns are the questions of ref.questions (every block but meta, so no personal
-- data) in the catalog's order, each named by its question id; a question the year's form does
-- not ask is NULL.
-- The answers are those of core.answers, the valid blocks' answers, which the tables count
-- (contract section 5). An invalid block's answers are left out, NULL as an unanswered question
-- is, and the block is named in invalid_blocks: a row never mixes answers the tables refuse with
-- the ones they count, so a column sums to what the report's tables add up, and quality.issues
-- says what was wrong with the block.
-- A table rather than a view: DuckDB pivots on a column list read from the catalog only when the
-- result is materialised; build_report rebuilds it on every run.
-- A pivoted column has one type, so each question is pivoted twice, as a number (DOUBLE: fte and
-- persons, core.answers.value) and as a text (the choices, core.answers.value_text), under its id
-- tagged with its type ('handl_totalt number'); the outer SELECT keeps the one of the question's
-- own type, named by the question id alone.
-- A question's column in the pivot: its id tagged with the type of its answer. The numeric kinds
-- of answers (ref.units.answer_kind, from schemas/contract.py) have their answer in
-- core.answers.value, every other kind in value_text. Temporary: it lives as long as the build's
-- connection.
CREATE OR REPLACE TEMP MACRO typed_question(question_id, kind) AS
    question_id || CASE
        WHEN kind IN (SELECT unit FROM ref.units WHERE answer_kind) THEN ' number' ELSE ' text'
    END;

CREATE OR REPLACE TABLE core.answers_wide AS
WITH
answers AS (
    PIVOT (
        SELECT
            a.path,
            typed_question(a.question_id, q.kind) AS typed_id,
            a.value AS number,
            a.value_text AS text
        FROM core.answers AS a
        JOIN ref.questions AS q USING (question_id)
    )
    ON typed_id IN (
        -- rowid: ref.questions holds the catalog's rows in the file's order.
        SELECT typed_question(question_id, kind)
        FROM ref.questions
        WHERE block <> 'meta'
        ORDER BY rowid
    )
    USING any_value(number) AS number, any_value(text) AS text
    GROUP BY path
),
invalid_blocks AS (
    SELECT path, list(block ORDER BY block) AS invalid_blocks
    FROM core.block_status
    WHERE status = 'invalid'
    GROUP BY path
)
SELECT
    s.kommunkod,
    m.kommun,
    m.lanskod,
    m.lan,
    s.ar,
    s.inlamnad,
    s.path,
    coalesce(i.invalid_blocks, []) AS invalid_blocks,
    COLUMNS('^(.*) (number_number|text_text)$') AS '\1'
FROM core.submissions AS s
JOIN ref.municipalities AS m USING (kommunkod)
LEFT JOIN invalid_blocks AS i USING (path)
LEFT JOIN answers AS a USING (path)
ORDER BY s.kommunkod, s.ar;

-- The data dictionary (assets/feedback/dictionary.py renders it as warehouse/README.md; it
-- comments the answer columns from ref.questions, whose ids name them).
COMMENT ON TABLE core.answers_wide IS 'En rad per vald inlämning med varje svar som en kolumn, för den som vill se en kommuns inventeringar (SELECT * FROM core.answers_wide WHERE kommun = ''Malmö''). Svarskolumnerna är frågorna i ref.questions i katalogens ordning, namngivna efter frågans id. Bara giltiga blocks svar (core.answers), de som tabellerna räknar: ett ogiltigt blocks svar är NULL som en obesvarad fråga, och blocket står i invalid_blocks (varför står i quality.issues). Byggs om vid varje uppdatering.';
COMMENT ON COLUMN core.answers_wide.kommunkod IS 'Kommunkod, fyra siffror som text ("0180").';
COMMENT ON COLUMN core.answers_wide.kommun IS 'Kommunens namn (ref.municipalities).';
COMMENT ON COLUMN core.answers_wide.lanskod IS 'Länskod, två siffror som text (ref.municipalities).';
COMMENT ON COLUMN core.answers_wide.lan IS 'Länets namn (ref.municipalities).';
COMMENT ON COLUMN core.answers_wide.ar IS 'Redovisningsår (frågan ar i filen).';
COMMENT ON COLUMN core.answers_wide.inlamnad IS 'Inlämningstid ur filen, svensk lokal tid.';
COMMENT ON COLUMN core.answers_wide.path IS 'Filens sökväg relativt rådatamappen, t.ex. 2016/inventering/a.csv.';
COMMENT ON COLUMN core.answers_wide.invalid_blocks IS 'Inlämningens ogiltiga block (core.block_status), vars svar är NULL här och inte räknas i någon tabell; tom lista när alla besvarade block är giltiga.';
