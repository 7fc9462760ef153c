"""The parse cache: each file's read (metadata, answers, findings), kept per content and suffix.

A file is read once per (SHA-256, lower-cased suffix) and reading version; the cache survives
from one refresh to the next through the staging copy of the published warehouse
(pipelines/resources.py), so a refresh reads only new or changed contents.

An answer's text is kept only where it is a parsed answer or schemas/quoting.py lets a message
quote it; any other answer (a name typed where a number belongs) is kept as its row and the rule
it breaks, never as its text (contract section 2).

Many new contents are read by a pool of processes, one per core this process may use; each
returns the rows of its share as frames, and this process writes them in order, so the cache is
the same as when one process reads them all.
"""

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
    reading_version,
)
from assets.processes import in_task_order, usable_cores
from assets.tables import append_rows
from schemas.catalog import load_catalog
from schemas.quoting import shown_answer_expr
from schemas.rules import RULES
from schemas.values import parse_answers

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


def read_into_parse_cache(con, files: list[LandingFile], sha256: dict[str, str]) -> int:
    """Read the files whose (content, suffix) is not yet in the cache, under this reading version;
    returns how many contents were read. Reads of another version are dropped first."""
    version = reading_version()
    con.execute("DELETE FROM core.file_reads WHERE parser_version <> ?", [version])
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
            (read.reads, _FILE_READS_SCHEMA, {"parser_version": pl.lit(version, pl.Utf8)}),
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
    "parser_version": pl.Utf8,
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
