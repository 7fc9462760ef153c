"""Issue 16: a refresh after one new or corrected submission builds exactly what a cold build of
the same landing zone builds.

Side A is the way a submission period runs: the small landing zone refreshed cold, then one
submission arrives and the same warehouse folder is refreshed again with the same Dagster
instance (the incremental refresh, which may redo only what the change touches). Side B is a copy
of A's final landing zone refreshed cold into a fresh folder. Compared:
- every table and view of both warehouses (listed from the catalog, so a new one is compared
  too): the catalog entries (types, comments, view and macro definitions, constraints) and the
  rows, sorted by all their columns, value for value with their Python types;
- every file beside the warehouse file (exports/, kontrollrapporter/, data_docs/, the data
  dictionary README.md, and anything a refresh leaves behind there): the same set of files,
  byte-identical but for the fields below.

The history of publications differs by design (a cold build has none before its own): the
tables `report.publiceringar` and `report.revisioner` (HISTORY_TABLES, assets/publish/
publications.py) and the kept publications (every folder of `publications/` but the current
one) are left out by name, and so is what the
outputs show of the revisions: the exports `revisioner.*`, the section "Revideringar sedan förra
publiceringen" of rapport.html (REPORT_FIELDS), a revised value's mark on the profile pages
(PROFILE_FIELDS) and the profile pages' manifests (their digests cover the marks).

What legitimately differs between two builds is named below, each with why: the columns in
VARYING_COLUMNS, and the fields naming the build's run or time in rapport.html, tabeller.xlsx's
properties and the Data Docs, which are replaced by placeholders before the bytes are compared.
To keep that list minimal, the test asserts that each varying column does differ between A and B,
and that each field is found in B's files: an entry that no longer applies fails until removed.

Proven by hand to catch a stale row and a stale file (2026-11-26, in a copy of the tree at
4d1b895, each change made alone):
- with the call of `prune_parse_cache` in assets/ingest/assets.py made a no-op, `rattad_fil`
  fails: A's core.file_reads and core.file_answers keep the rows of malmo_2013.csv's first
  content, which B never read;
- with assets/folders.py's `replace_folder` building into the existing folder instead of a new
  one, `tillbakadragen` fails: A keeps kontrollrapporter/2015/goteborg-2015_csv-….html and .md
  of the withdrawn file. (The two other cases cannot show a stale file: no output of their first
  refresh loses its counterpart, which is why the third case exists.)
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.incremental import MANIFEST_NAME
from assets.publication.exports import FLAT_FOLDERS, REVISIONS_NAME
from assets.publication.profiles import PROFILES_FOLDER
from assets.publication.publications import HISTORY_TABLES
from pipelines.resources import Warehouse
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import (
    BLOCK_A,
    BLOCK_B,
    BLOCK_D,
    BLOCK_E,
    MALMO_2013,
    block,
    build_small_landing_zone,
    competence,
    meta,
    write_csv,
)

WAREHOUSE_FILE = "kompetens.duckdb"

# (schema, table) → columns that two builds of the same landing zone legitimately fill
# differently; every other column of every table and view is compared.
VARYING_COLUMNS: dict[tuple[str, str], dict[str, str]] = {
    ("core", "file_hashes"): {
        # The stat key of the content-hash cache. A copy of a landing zone is other files on
        # disk, with their own inode numbers and change times (no copy can set a ctime); the
        # mtimes and sizes are copied (copytree) and are compared.
        "inode": "another file on disk",
        "ctime_ns": "set by the kernel when the copy is written",
    },
    ("quality", "build_inputs"): {
        "run_id": "the Dagster run that built the warehouse",
        "started_at": "when that run started",
    },
}

# A UUID: Dagster's run ids, and the ids Great Expectations gives page elements at random.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# "2026-11-26 kl. 02.48": the build's start in Swedish time (content.swedish_time).
_BUILD_DATE = r"\d{4}-\d{2}-\d{2} kl\. \d{2}\.\d{2}"
# Great Expectations' validation time as it names a folder: "20261126T014808.786292Z".
_GX_RUN_TIME = r"\d{8}T\d{6}\.\d{6}Z"


@dataclass(frozen=True)
class Field:
    """A field of a file that names the build's run or time; replaced by `placeholder`."""

    why: str
    pattern: re.Pattern[bytes]
    placeholder: bytes


def _field(why: str, pattern: str, placeholder: str) -> Field:
    return Field(why, re.compile(pattern.encode()), placeholder.encode())


# rapport.html keeps its build date and run id: the reader needs to know which build it shows.
REPORT_FIELDS = [
    _field(
        "rapport.html: the build's date and run id",
        rf'<p id="bygget">Byggd {_BUILD_DATE} \(svensk tid\) i körning <code>{_UUID}</code>\.',
        '<p id="bygget">Byggd <datum> (svensk tid) i körning <code><körning></code>.',
    ),
    _field(
        "rapport.html: the revisions since the previous publication (a cold build has none)",
        r'(?s)<h2 id="revideringar">.*?(?=<h2|</body>)',
        '<h2 id="revideringar"><revideringar>',
    ),
]
# A profile page marks a revised value with its previous value and date, and explains the mark
# (a cold build has no revision). Not in the check that each field is found in B's files: B has
# none of them.
PROFILE_FIELDS = [
    _field("a revised value's mark", r' <span class="reviderad">\(.*?\)</span>', ""),
    _field("the mark's explanation", r" Reviderat: [^<]*", ""),
]
# The revisions listed in the exports, and the profile pages' manifests (the digests of the
# pages' inputs, the revisions among them): a cold build has none.
HISTORY_FILES = {
    *(
        f"exports/{folder}/{REVISIONS_NAME}.{folder if folder == 'parquet' else 'csv'}"
        for folder in FLAT_FOLDERS
    ),
    f"exports/{PROFILES_FOLDER}/{MANIFEST_NAME}",
}
# tabeller.xlsx's document properties: created at the build's start (workbook.py), with its date
# in the comments. xlsxwriter writes the same time as modified.
WORKBOOK_CORE_FIELDS = [
    _field(
        "tabeller.xlsx docProps/core.xml: created and modified, the build's start",
        r'<dcterms:(created|modified) xsi:type="dcterms:W3CDTF">'
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z</dcterms:\1>",
        "<dcterms:time/>",
    ),
    _field(
        "tabeller.xlsx docProps/core.xml: the build's date in the comments",
        rf"Byggd {_BUILD_DATE} \(svensk tid\)\.",
        "Byggd <datum> (svensk tid).",
    ),
]
# Great Expectations names each validation by the run (the Dagster run id) and its time, in the
# pages and in their paths, and gives collapsible elements random ids.
DATA_DOCS_FIELDS = [
    _field(
        "Data Docs: the run's id (a Dagster run id) and GX's random element ids", _UUID, "<uuid>"
    ),
    _field("Data Docs: the validation's time, as GX names it", _GX_RUN_TIME, "<tid>"),
    _field(
        "Data Docs: the validation's time on the pages",
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "<tid>",
    ),
    _field(
        "Data Docs index: the validation's time in its table",
        r"'run_time': '\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC', '_run_time_sort': [0-9.]+",
        "'run_time': <tid>",
    ),
]
# Data Docs' page of a validation lies in validations/<suite>/<run id>/<time>/.
DATA_DOCS_PATH = re.compile(rf"^(data_docs/validations/.+)/{_UUID}/{_GX_RUN_TIME}/")


def _new_submission(raw: Path) -> None:
    """Göteborg sends its 2015 inventory again a week later with block A corrected; the new file
    supersedes goteborg-2015.csv, which stays in the landing zone."""
    resent = meta("1480", "2015", "2015-11-09") + block(
        BLOCK_A, "92", "10", "102", "12", "5", "2", "7"
    )
    write_csv(
        raw / "2015" / "inventering" / "goteborg-2015-rattad.csv",
        resent,
        delimiter=",",
        encoding="utf-8-sig",
    )


def _corrected_in_place(raw: Path) -> None:
    """Malmö overwrites its 2013 file with corrected answers in blocks B, D, E and one
    competence subarea: same name, same inlamnad, other content."""
    path = raw / "2013" / "inventering" / "malmo_2013.csv"
    before = path.read_bytes()
    corrected = (
        meta("1280", "2013", "2013-10-03")
        + [pair for pair in MALMO_2013 if pair[0] in BLOCK_A]
        + block(BLOCK_B, "14", "3", "1")
        + block(BLOCK_D, "3", "0,5", "3,5", "1", "2", "1")
        + block(BLOCK_E, "2", "2", "1")
        + competence("evidensbaserad_praktik", "11", "5", "4")
        + [
            pair
            for pair in MALMO_2013
            if pair[0].startswith(("komp_placerade_barn", "komp_uppfoljning_utvardering"))
        ]
    )
    write_csv(path, corrected)
    assert path.read_bytes() != before


def _withdrawn(raw: Path) -> None:
    """Göteborg's 2015 file is taken out of the landing zone (sent for the wrong year, say): its
    ledger row and control report must go, and Göteborg's first year becomes 2016. The one case
    where an output file of the first refresh has no counterpart in the second."""
    (raw / "2015" / "inventering" / "goteborg-2015.csv").unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    "ny_inlamning": _new_submission,
    "rattad_fil": _corrected_in_place,
    "tillbakadragen": _withdrawn,
}


@pytest.fixture(scope="module")
def small_zone(tmp_path_factory) -> Path:
    # Built once and copied: building it again would write other XLSX bytes (their timestamps).
    return build_small_landing_zone(tmp_path_factory.mktemp("zone") / "raw")


@pytest.mark.parametrize("change", CHANGES)
def test_a_refresh_after_one_submission_equals_a_cold_build(small_zone, tmp_path, change):
    incremental_raw = tmp_path / "A" / "raw"
    incremental = tmp_path / "A" / "warehouse" / WAREHOUSE_FILE
    shutil.copytree(small_zone, incremental_raw)
    # One instance for both refreshes of A, as make refresh keeps one in DAGSTER_HOME: what a
    # refresh may take over from the last one includes what the instance remembers.
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_pipeline(incremental_raw, incremental, instance).success
    before_change = _warehouse_rows(incremental)

    CHANGES[change](incremental_raw)
    assert materialize_pipeline(incremental_raw, incremental, instance).success

    cold_raw = tmp_path / "B" / "raw"
    cold = tmp_path / "B" / "warehouse" / WAREHOUSE_FILE
    shutil.copytree(incremental_raw, cold_raw)
    assert materialize_pipeline(cold_raw, cold).success

    incremental_rows, cold_rows = _warehouse_rows(incremental), _warehouse_rows(cold)
    # Without this the test could pass on a change that changes nothing, or on an incremental
    # refresh that does nothing.
    changed = {name for name in cold_rows if before_change.get(name) != cold_rows[name]}
    assert "quality.file_ledger" in changed and any(n.startswith("report.") for n in changed), (
        f"the change touched too little to test anything: {sorted(changed)}"
    )

    assert _catalog(incremental) == _catalog(cold)
    assert sorted(incremental_rows) == sorted(cold_rows), "the warehouses' tables and views differ"
    differing = {
        name: _row_difference(incremental_rows[name], cold_rows[name])
        for name in cold_rows
        if incremental_rows[name] != cold_rows[name]
    }
    assert not differing, f"rows of the incremental refresh (A) and the cold build (B): {differing}"
    _assert_varying_columns_vary(incremental, cold)

    _assert_same_files(incremental.parent, cold.parent)


def test_a_suite_validates_the_same_frame_whatever_order_the_rows_come_in():
    """The suites' queries have no ORDER BY: a refresh of some years and a cold build return the
    same rows in other orders, and GX's fingerprint of the validated frame, on every Data Docs
    page, must not tell them apart (seen in the file ledger's, the grant register's and the fte
    answers' pages of `rattad_fil` before validation.py sorted the frame)."""
    from great_expectations.execution_engine.pandas_execution_engine import (
        hash_pandas_dataframe,
    )

    from assets.expectations.suites import FILE_LEDGER_SUITE
    from assets.expectations.validation import _in_fixed_order

    ledger = pd.DataFrame(
        {
            "path": ["2016/inventering/b.csv", "2013/inventering/a.csv", "2016/inventering/.x"],
            "kommunkod": ["0180", "1280", None],
            "ar": [2016, 2013, None],
            "status": ["selected", "selected", "ignored"],
            "reason_code": [None, None, None],
        }
    )
    written_otherwise = ledger.iloc[[2, 0, 1]].reset_index(drop=True)
    assert hash_pandas_dataframe(ledger) != hash_pandas_dataframe(written_otherwise)
    assert hash_pandas_dataframe(_in_fixed_order(ledger, FILE_LEDGER_SUITE)) == (
        hash_pandas_dataframe(_in_fixed_order(written_otherwise, FILE_LEDGER_SUITE))
    )


def _connect_both(incremental: Path, cold: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{incremental}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{cold}' AS b (READ_ONLY)")
    return con


def _relations(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = ? ORDER BY ALL",
        [database],
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[str]:
    return [
        column
        for (column,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? "
            "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [database, schema, table],
        ).fetchall()
    ]


def _warehouse_rows(database: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every table's and view's rows but the varying columns, sorted by all their columns; each
    value as its repr, so 1 and 1.0, or a Decimal and a float, differ, and NaN equals NaN."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{database}' AS w (READ_ONLY)")
        rows = {}
        for schema, table in _relations(con, "w"):
            # The history of publications differs by design: a cold build has none.
            if f"{schema}.{table}" in HISTORY_TABLES:
                continue
            varying = VARYING_COLUMNS.get((schema, table), {})
            columns = [c for c in _columns(con, "w", schema, table) if c not in varying]
            selected = ", ".join(f'"{column}"' for column in columns)
            rows[f"{schema}.{table}"] = [
                tuple(map(repr, row))
                for row in con.execute(
                    f'SELECT {selected} FROM w."{schema}"."{table}" ORDER BY ALL'
                ).fetchall()
            ]
        return rows
    finally:
        con.close()


def _row_difference(incremental: list, cold: list) -> dict[str, list]:
    only_incremental = Counter(incremental) - Counter(cold)
    only_cold = Counter(cold) - Counter(incremental)
    if not only_incremental and not only_cold:
        return {"same rows in another order": []}
    return {
        "only in A (incremental)": sorted(only_incremental.elements())[:5],
        "only in B (cold)": sorted(only_cold.elements())[:5],
    }


def _catalog(database: Path) -> dict[str, list[tuple]]:
    """What the warehouse declares, beside its rows: schemas, the columns' types, defaults and
    comments, the tables' and views' definitions and comments, constraints and macros."""
    queries = {
        "schemas": "SELECT schema_name, comment FROM duckdb_schemas() WHERE database_name = 'w'",
        "tables": "SELECT schema_name, table_name, comment, sql FROM duckdb_tables() "
        "WHERE database_name = 'w'",
        "views": "SELECT schema_name, view_name, comment, sql FROM duckdb_views() "
        "WHERE database_name = 'w' AND NOT internal",
        "columns": "SELECT schema_name, table_name, column_index, column_name, data_type, "
        "is_nullable, column_default, comment FROM duckdb_columns() WHERE database_name = 'w'",
        "constraints": "SELECT schema_name, table_name, constraint_type, constraint_text "
        "FROM duckdb_constraints() WHERE database_name = 'w'",
        "macros": "SELECT schema_name, function_name, function_type, macro_definition, "
        "parameters FROM duckdb_functions() WHERE database_name = 'w' AND NOT internal",
        "indexes": "SELECT schema_name, table_name, index_name, sql FROM duckdb_indexes() "
        "WHERE database_name = 'w'",
        "sequences": "SELECT schema_name, sequence_name, sql FROM duckdb_sequences() "
        "WHERE database_name = 'w'",
    }
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{database}' AS w (READ_ONLY)")
        return {
            kind: sorted(map(repr, con.execute(sql).fetchall())) for kind, sql in queries.items()
        }
    finally:
        con.close()


def _assert_varying_columns_vary(incremental: Path, cold: Path) -> None:
    con = _connect_both(incremental, cold)
    try:
        for (schema, table), columns in VARYING_COLUMNS.items():
            for column in columns:
                a, b = (
                    sorted(
                        map(
                            repr,
                            con.execute(
                                f'SELECT "{column}" FROM {db}."{schema}"."{table}"'
                            ).fetchall(),
                        )
                    )
                    for db in ("a", "b")
                )
                assert a != b, (
                    f"{schema}.{table}.{column} is the same in both builds: take it out of "
                    "VARYING_COLUMNS so that it is compared"
                )
    finally:
        con.close()


def _output_files(folder: Path) -> dict[str, list[Path]]:
    """Every file beside the warehouse file (the outputs and anything a refresh leaves there),
    by its path with the Data Docs' run id and time taken out: a list, since a suite validated
    twice, or a page left from an earlier run, gives two files of one name."""
    published = Warehouse(database=str(folder / WAREHOUSE_FILE))
    not_outputs = {
        published.published_path,  # compared table by table above
        published.lock_path,  # the run lock: it names the last run that held it, and when
    }
    # The current publication's folder is named by the run's time and id: its files are compared
    # by their place in it, which is where readers find them (through the stable paths, which
    # are symlinks and not walked). Its warehouse file is compared table by table above.
    current = published.current_publication.resolve()
    not_outputs.add(current / WAREHOUSE_FILE)
    files: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path in not_outputs:
            continue
        in_publication = path.is_relative_to(current)
        if not in_publication and path.is_relative_to(published.publications_path):
            continue  # a kept publication: a cold build has none but its own
        relative = path.relative_to(current if in_publication else folder).as_posix()
        if relative not in HISTORY_FILES:
            files.setdefault(DATA_DOCS_PATH.sub(r"\1/<uuid>/<tid>/", relative), []).append(path)
    return files


def _assert_same_files(
    incremental_folder: Path, cold_folder: Path, left_out: re.Pattern | None = None
) -> None:
    """`left_out`: the names of files that the caller says why it does not compare."""
    incremental, cold = _output_files(incremental_folder), _output_files(cold_folder)
    if left_out is not None:
        incremental, cold = (
            {name: paths for name, paths in files.items() if not left_out.search(name)}
            for files in (incremental, cold)
        )
    assert sorted(incremental) == sorted(cold), (
        f"only after the incremental refresh: {sorted(set(incremental) - set(cold))}; "
        f"only after the cold build: {sorted(set(cold) - set(incremental))}"
    )
    used: Counter[str] = Counter()
    differing = [
        name
        for name in sorted(cold)
        if sorted(_comparable(name, path, Counter()) for path in incremental[name])
        != sorted(_comparable(name, path, used) for path in cold[name])
    ]
    assert not differing, f"files that differ between A (incremental) and B (cold): {differing}"
    # Each field taken out must be in the cold build's files, or its rule is stale (when every
    # file is compared: a file left out may be the one that holds it).
    for field in REPORT_FIELDS + WORKBOOK_CORE_FIELDS + DATA_DOCS_FIELDS:
        assert left_out or used[field.why], f"no file holds {field.why!r} any more: remove its rule"


def _comparable(name: str, path: Path, used: Counter[str]) -> bytes | list[tuple]:
    """The file's bytes with only the fields that name the build's run or time replaced."""
    data = path.read_bytes()
    if name == "exports/rapport.html":
        return _replaced(data, REPORT_FIELDS, used)
    if name.startswith(f"exports/{PROFILES_FOLDER}/"):
        return _replaced(data, PROFILE_FIELDS, Counter())
    if name.startswith("data_docs/") and name.endswith(".html"):
        return _replaced(data, DATA_DOCS_FIELDS, used)
    if name.endswith(".xlsx"):
        return _workbook_members(path, used)
    return data


def _replaced(data: bytes, fields: list[Field], used: Counter[str]) -> bytes:
    for field in fields:
        data, count = field.pattern.subn(field.placeholder, data)
        used[field.why] += count
    return data


def _workbook_members(path: Path, used: Counter[str]) -> list[tuple]:
    """An xlsx is a zip whose core properties are compressed: compared member by member, with
    each member's zip header (name, date, compression, attributes) and its uncompressed bytes."""
    with zipfile.ZipFile(path) as workbook:
        return [
            (
                info.filename,
                info.date_time,
                info.compress_type,
                info.external_attr,
                _replaced(workbook.read(info), WORKBOOK_CORE_FIELDS, used)
                if info.filename == "docProps/core.xml"
                else workbook.read(info),
            )
            for info in workbook.infolist()
        ]
