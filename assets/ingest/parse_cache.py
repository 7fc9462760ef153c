"""The parse cache: each file's read (metadata, answers, findings), kept per content and suffix.

A file is read once per (SHA-256, lower-cased suffix) and reading version, which is derived from
what a read depends on besides the file: the reading code and the reference data
(`reading_version`). The cache survives from one refresh to the next through the staging copy of
the published warehouse (pipelines/resources.py), so a refresh reads only new or changed
contents; under another reading version all of it is dropped, reads, answers and findings alike.

Many new contents are read by a pool of processes, one per core this process may use; each
returns the rows of its share as frames, and this process writes them in order, so the cache is
the same as when one process reads them all.
"""

import hashlib
from collections import defaultdict
from pathlib import Path

import polars as pl

from assets.ingest.landing_zone import LandingFile
from assets.ingest.ledger import needs_content
from assets.ingest.reader import (
    ReadKey,
    ReadResult,
    read_key,
    read_submissions,
)
from assets.processes import in_task_order, usable_cores
from assets.source_code import PROJECT_ROOT, files_digest, library_versions, project_modules
from assets.tables import append_rows
from schemas.catalog import reading_fingerprint
from schemas.rules import RULES

# The code that makes a cached read, with the project modules it imports: the reader, and this
# module, which turns its reads into the cache's rows.
READING_MODULES = ("assets.ingest.reader", __name__)

# Contents read before their answers are written to the parse cache: bounds the memory of a
# cold read of a large landing zone (each file holds about a hundred answers).
READ_BATCH_FILES = 5_000
# Reading is spread over processes, one per core this process may use, when there are at least
# this many contents to read: a worker is ready to read about 0.8 s after it is spawned (the
# imports of the reader), while this process reads 1 000 files in about 0.4 s.
POOL_MIN_FILES = 4_000
# Contents per task of the pool: small enough to keep every worker busy to the end, large
# enough for the columnar pass over a task's plain CSV files to pay.
POOL_TASK_FILES = 500

_Content = tuple[str, str, str]  # (sha256, suffix, absolute path): one content to read


def drop_parse_cache_of_another_shape(con) -> None:
    """A warehouse built by an earlier version may hold the parse cache with other columns (or
    key). It is only a cache, so all of it is dropped, to be created anew and every file read
    again; before create_tables, whose column comments name this version's columns."""
    columns: dict[str, set[str]] = defaultdict(set)
    for table, column in con.execute(
        "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database()"
    ).fetchall():
        columns[table].add(column)
    if any(
        columns[table] and columns[table] != set(schema)
        for table, schema in _PARSE_CACHE_SCHEMAS.items()
    ):
        for table in _PARSE_CACHE_SCHEMAS:
            con.execute(f"DROP TABLE IF EXISTS {table}")


def reading_version(root: Path = PROJECT_ROOT) -> str:
    """What a cached read depends on besides the file's content and suffix: the source of the
    reading code (READING_MODULES and the project modules they import), the versions of the
    libraries it imports, and the reference data it reads against (the catalog and the
    municipality register). Derived, never bumped: any change to them is a new version."""
    code = project_modules(READING_MODULES, root=root)
    parts = (files_digest(code), *library_versions(code.values()), reading_fingerprint())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_into_parse_cache(con, files: list[LandingFile], sha256: dict[str, str]) -> int:
    """Read the files whose (content, suffix) is not yet in the cache, under this reading version;
    returns how many contents were read. The cache of another version is dropped first, whole:
    a read's answers and findings are as stale as the read."""
    version = reading_version()
    con.execute("DELETE FROM core.file_reads WHERE reading_version <> ?", [version])
    _drop_answers_and_findings_without_a_read(con)
    cached = set(con.execute("SELECT sha256, suffix FROM core.file_reads").fetchall())
    to_read: dict[ReadKey, LandingFile] = {}
    for landing_file in files:
        content_hash = sha256.get(landing_file.path)
        if content_hash and needs_content(landing_file):
            key = read_key(content_hash, landing_file.path)
            if key not in cached:
                to_read.setdefault(key, landing_file)

    pending = [
        (content_hash, suffix, str(landing_file.abs_path))
        for (content_hash, suffix), landing_file in to_read.items()
    ]
    workers = reading_workers(len(pending))
    size = READ_BATCH_FILES if workers == 1 else min(READ_BATCH_FILES, POOL_TASK_FILES)
    tasks = [pending[start : start + size] for start in range(0, len(pending), size)]
    for frames in _read_tasks(tasks, version, workers):
        for table, frame in zip(_PARSE_CACHE_SCHEMAS, frames, strict=True):
            append_rows(con, table, frame)
    return len(to_read)


def reading_workers(contents: int) -> int:
    """How many processes read `contents` new contents, this one included: one per core this
    process may run on (its CPU affinity, so `taskset -c 0` reads in this process alone), when
    there are enough of them to pay for starting the others."""
    if contents < POOL_MIN_FILES:
        return 1
    return usable_cores()


def _read_tasks(tasks: list[list[_Content]], version: str, workers: int):
    return in_task_order(read_contents, ((task, version) for task in tasks), workers)


def prune_parse_cache(con, present: set[ReadKey]) -> None:
    """Drop the cached reads, answers and findings of contents and suffixes not in `present`
    (those of every file the landing zone still holds), so the cache never outgrows it."""
    con.register(
        "present_reads", pl.DataFrame(sorted(present), schema=_READ_KEY_SCHEMA, orient="row")
    )
    try:
        con.execute(
            "DELETE FROM core.file_reads WHERE (sha256, suffix) NOT IN "
            "(SELECT (sha256, suffix) FROM present_reads)"
        )
    finally:
        con.unregister("present_reads")
    _drop_answers_and_findings_without_a_read(con)


def _drop_answers_and_findings_without_a_read(con) -> None:
    for table in ("core.file_answers", "core.file_findings"):
        con.execute(
            f"DELETE FROM {table} WHERE (sha256, suffix) NOT IN "
            "(SELECT (sha256, suffix) FROM core.file_reads)"
        )


def read_contents(contents: list[_Content], version: str) -> tuple[pl.DataFrame, ...]:
    """Read files into the rows of core.file_reads, core.file_answers and core.file_findings,
    in the order of `contents`. Runs in a worker of the pool as well."""
    if reading_version() != version:  # a worker must read against the caller's reference data
        raise RuntimeError(f"reading version {reading_version()} here, not {version}")
    read = read_submissions(
        [(Path(path).read_bytes(), suffix) for _content_hash, suffix, path in contents]
    )
    keys = pl.DataFrame(
        {
            "item": range(len(contents)),
            "sha256": [content_hash for content_hash, _suffix, _path in contents],
            "suffix": [suffix for _content_hash, suffix, _path in contents],
        },
        schema={"item": pl.Int64, **_READ_KEY_SCHEMA},
    )
    severity = pl.col("rule").replace_strict(
        {rule: RULES[rule].severity for rule in RULES}, return_dtype=pl.Utf8
    )
    return tuple(
        frame.join(keys, on="item", maintain_order="left").select(
            [extra[column].alias(column) if column in extra else column for column in schema]
        )
        for frame, schema, extra in (
            (read.reads, _FILE_READS_SCHEMA, {"reading_version": pl.lit(version, pl.Utf8)}),
            (read.answers, _FILE_ANSWERS_SCHEMA, {}),
            (read.findings, _FILE_FINDINGS_SCHEMA, {"severity": severity}),
        )
    )


_READ_KEY_SCHEMA = {"sha256": pl.Utf8, "suffix": pl.Utf8}
_FILE_READS_SCHEMA = {
    **_READ_KEY_SCHEMA,
    "reading_version": pl.Utf8,
    "reason_code": pl.Utf8,
    "message": pl.Utf8,
    "kommunkod": pl.Utf8,
    "ar": pl.Int32,
    "inlamnad": pl.Datetime("us"),
}
_FILE_ANSWERS_SCHEMA = {
    **_READ_KEY_SCHEMA,
    "question_id": pl.Utf8,
    "answer_text": pl.Utf8,
    "unparseable_message": pl.Utf8,
}
_FILE_FINDINGS_SCHEMA = {
    **_READ_KEY_SCHEMA,
    "rule": pl.Utf8,
    "severity": pl.Utf8,
    "question_id": pl.Utf8,
    "value": pl.Utf8,
    "message": pl.Utf8,
}


_PARSE_CACHE_SCHEMAS = {
    "core.file_reads": _FILE_READS_SCHEMA,
    "core.file_answers": _FILE_ANSWERS_SCHEMA,
    "core.file_findings": _FILE_FINDINGS_SCHEMA,
}


def cached_reads(con) -> dict[ReadKey, ReadResult]:
    """The ledger needs each read's metadata and rejection, not its answers."""
    rows = con.execute(
        "SELECT sha256, suffix, reason_code, message, kommunkod, ar, inlamnad FROM core.file_reads"
    ).fetchall()
    return {
        (content_hash, suffix): ReadResult(
            reason_code=reason_code,
            message=message,
            kommunkod=kommunkod,
            ar=ar,
            inlamnad=inlamnad,
            answers={},
            findings=(),
            unparseable={},
        )
        for content_hash, suffix, reason_code, message, kommunkod, ar, inlamnad in rows
    }
