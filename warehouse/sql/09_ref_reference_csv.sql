-- reference_csv(variable): the one way the ref tables read a reference CSV (10_ref_… to
-- 24_ref_…). `variable` names the DuckDB variable that holds the file's path (set by
-- assets/report/build.py, `load_reference`), so no path is pasted into SQL text.
-- Every column is read as text: kommunkod "0180" keeps its leading zero. Each ref table then
-- names its columns and casts them itself.
-- A temporary macro: it lives as long as the connection that loads the reference data, and the
-- warehouse file does not keep it.
CREATE OR REPLACE TEMP MACRO reference_csv(variable) AS TABLE
SELECT *
FROM read_csv(getvariable(variable), header = true, delim = ',', quote = '"', all_varchar = true);
