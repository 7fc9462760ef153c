"""The parse cache: each file's read (metadata, answers, findings), kept per content and suffix.

A file is read once per (SHA-256, lower-cased suffix) and reading version, which is derived from
what a read depends on besides the file: the reading code and the reference data
(`reading_version`). The cache survives from one refresh to the next through the staging copy of
the published warehouse (pipelines/resources.py), so a refresh reads only new or changed
contents; under another reading version all of it is dropped, reads, answers and findings alike.

An answer's text is kept only where it is a parsed answer or schemas/quoting.py lets a message
quote it; any other answer (a name typed where a number belongs) is kept as its row and the rule
it breaks, never as its text (contract section 2).

Many new contents are read by a pool of processes, one per core this process may use; each
returns the rows of its share as frames, and this process writes them in order, so the cache is
the same as when one process reads them all.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from assets.ingest.landing_zone import LandingFile, read_file
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
from schemas.catalog import load_catalog, reading_fingerprint
from schemas.quoting import shown_answer_expr
from schemas.rules import RULES
from schemas.values import parse_answers

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


@dataclass(frozen=True)
class ParseCacheRead:
    """What read_into_parse_cache did: the files as read, and how many contents it read."""

    files: list[LandingFile]  # the files given, a file read now with the size of the bytes read
    sha256: dict[str, str]  # path → hash: a file read now by the bytes read, a file gone: none
    contents_read: int  # contents (and suffixes) read and cached now


def read_into_parse_cache(con, files: list[LandingFile], sha256: dict[str, str]) -> ParseCacheRead:
    """Read the files whose (content, suffix) is not yet in the cache, under this reading version.

    `sha256` is each file's hash as last seen (by its stat). A file to read is hashed again from
    the very bytes that are parsed, and its read is cached, and returned, under that hash: a file
    overwritten since it was hashed is never cached under its earlier content's hash. So every
    such file is read, not one per content as `sha256` has it: bytes are cheap, and copies of a
    content read together are parsed once. The cache of another version is dropped first, whole: a read's answers and
    findings are as stale as the read.
    """
    version = reading_version()
    con.execute("DELETE FROM core.file_reads WHERE reading_version <> ?", [version])
    _drop_answers_and_findings_without_a_read(con)
    cached = set(con.execute("SELECT sha256, suffix FROM core.file_reads").fetchall())
    cached_before = len(cached)
    to_read = [
        landing_file
        for landing_file in files
        if needs_content(landing_file)
        and (content_hash := sha256.get(landing_file.path))
        and read_key(content_hash, landing_file.path) not in cached
    ]
    read_now = _read_files(con, to_read, version, cached)
    sha256 = {path: h for path, h in sha256.items() if path not in read_now}
    sha256.update({path: read[0] for path, read in read_now.items() if read})
    files = [
        replace(f, size_bytes=read_now[f.path][1]) if read_now.get(f.path) else f for f in files
    ]
    return ParseCacheRead(files=files, sha256=sha256, contents_read=len(cached) - cached_before)


def _read_files(
    con, files: list[LandingFile], version: str, cached: set[ReadKey]
) -> dict[str, tuple[str, int] | None]:
    """Read `files` into the cache, each content and suffix once (`cached` holds those in it and
    grows with them); path → (hash, size) of the bytes read, None for a file that could not be
    opened."""
    pending = [(landing_file.path, str(landing_file.abs_path)) for landing_file in files]
    workers = reading_workers(len(pending))
    size = READ_BATCH_FILES if workers == 1 else min(READ_BATCH_FILES, POOL_TASK_FILES)
    tasks = [pending[start : start + size] for start in range(0, len(pending), size)]
    found: dict[str, tuple[str, int] | None] = {}
    for task, (contents, frames) in zip(tasks, _read_tasks(tasks, version, workers), strict=True):
        found.update(zip((path for path, _abs_path in task), contents, strict=True))
        # A content in two tasks (copies of one file), or one cached already (a file overwritten
        # with a cached content since it was hashed), is cached once.
        new_keys = pl.DataFrame(
            [
                key
                for key in frames[0].select(list(_READ_KEY_SCHEMA)).iter_rows()
                if key not in cached
            ],
            schema=_READ_KEY_SCHEMA,
            orient="row",
        )
        for table, frame in zip(_PARSE_CACHE_SCHEMAS, frames, strict=True):
            append_rows(con, table, frame.join(new_keys, on=list(_READ_KEY_SCHEMA), how="semi"))
        cached.update(new_keys.iter_rows())
    return found


def reading_workers(contents: int) -> int:
    """How many processes read `contents` new contents, this one included: one per core this
    process may run on (its CPU affinity, so `taskset -c 0` reads in this process alone), when
    there are enough of them to pay for starting the others."""
    if contents < POOL_MIN_FILES:
        return 1
    return usable_cores()


def _read_tasks(tasks: list[list[tuple[str, str]]], version: str, workers: int):
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


def read_contents(
    files: list[tuple[str, str]], version: str
) -> tuple[list[tuple[str, int] | None], tuple[pl.DataFrame, ...]]:
    """Read files, each (path, absolute path), into the rows of core.file_reads,
    core.file_answers and core.file_findings, keyed by the hash of the bytes read; and each
    file's (hash, size) of those bytes, in the order of `files`, None for a file that cannot be
    opened (gone, no permission, a symlink after all). A content and suffix of several files is
    parsed once. Runs in a worker of the pool as well."""
    if reading_version() != version:  # a worker must read against the caller's reference data
        raise RuntimeError(f"reading version {reading_version()} here, not {version}")
    contents: list[tuple[str, int] | None] = []
    to_read: dict[ReadKey, bytes] = {}
    for path, abs_path in files:
        try:
            data = read_file(Path(abs_path))
        except OSError:
            contents.append(None)
            continue
        content_hash = hashlib.sha256(data).hexdigest()
        contents.append((content_hash, len(data)))
        to_read.setdefault(read_key(content_hash, path), data)
    read = read_submissions([(data, suffix) for (_hash, suffix), data in to_read.items()])
    keys = pl.DataFrame(
        {
            "item": range(len(to_read)),
            "sha256": [content_hash for content_hash, _suffix in to_read],
            "suffix": [suffix for _content_hash, suffix in to_read],
        },
        schema={"item": pl.Int64, **_READ_KEY_SCHEMA},
    )
    severity = pl.col("rule").replace_strict(
        {rule: RULES[rule].severity for rule in RULES}, return_dtype=pl.Utf8
    )
    return contents, tuple(
        frame.join(keys, on="item", maintain_order="left").select(
            [extra[column].alias(column) if column in extra else column for column in schema]
        )
        for frame, schema, extra in (
            (read.reads, _FILE_READS_SCHEMA, {"reading_version": pl.lit(version, pl.Utf8)}),
            (_withheld(read.answers), _FILE_ANSWERS_SCHEMA, {}),
            (read.findings, _FILE_FINDINGS_SCHEMA, {"severity": severity}),
        )
    )


def _withheld(answers: pl.DataFrame) -> pl.DataFrame:
    """The answers as the warehouse keeps them: the text of one that is neither accepted (its
    kind's parse gives no rule) nor quotable is null, and the rule it breaks is kept instead
    (`withheld_rule`); a row cut into more fields breaks unparseable_value whatever its text."""
    kinds = pl.DataFrame(
        [(q.question_id, q.kind) for q in load_catalog().questions.values()],
        schema={"question_id": pl.Utf8, "kind": pl.Utf8},
        orient="row",
    )
    parsed = parse_answers(answers.join(kinds, on="question_id", how="left", maintain_order="left"))
    rule = (
        pl.when(pl.col("unparseable_message").is_not_null())
        .then(pl.lit("unparseable_value"))
        .otherwise(pl.col("rule"))
    )
    withheld = rule.is_not_null() & shown_answer_expr(pl.col("answer_text")).is_null()
    return parsed.with_columns(
        pl.when(~withheld).then(pl.col("answer_text")).alias("answer_text"),
        pl.when(withheld).then(rule).alias("withheld_rule"),
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
    "line": pl.Int64,
    "withheld_rule": pl.Utf8,
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
