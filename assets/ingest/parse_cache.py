"""The parse cache: each file's read (metadata, answers, findings), kept per content and suffix.

A file is read once per (SHA-256, lower-cased suffix) and reading version; the cache survives
from one refresh to the next through the staging copy of the published warehouse
(pipelines/resources.py), so a refresh reads only new or changed contents.
"""

from collections import defaultdict

import polars as pl

from assets.ingest.landing_zone import LandingFile
from assets.ingest.ledger import needs_content
from assets.ingest.reader import ReadKey, ReadResult, read_key, read_submission, reading_version
from assets.tables import append_rows
from schemas.rules import RULES

# Contents read before their answers are written to the parse cache: bounds the memory of a
# cold read of a large landing zone (each file holds about a hundred answers).
READ_BATCH_FILES = 5_000


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

    pending = list(to_read.items())
    for start in range(0, len(pending), READ_BATCH_FILES):
        _read_into_cache(con, pending[start : start + READ_BATCH_FILES], version)
    return len(to_read)


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


def _read_into_cache(con, batch: list[tuple[ReadKey, LandingFile]], version: str) -> None:
    """Read a batch of files and append them to the parse cache tables."""
    reads, answers, findings = [], [], []
    for (content_hash, suffix), landing_file in batch:
        key = {"sha256": content_hash, "suffix": suffix}
        result = read_submission(landing_file.abs_path.read_bytes(), suffix)
        reads.append(
            {
                **key,
                "parser_version": version,
                "reason_code": result.reason_code,
                "message": result.message,
                "kommunkod": result.kommunkod,
                "ar": result.ar,
                "inlamnad": result.inlamnad,
            }
        )
        answers.extend(
            {
                **key,
                "question_id": question_id,
                "answer_text": text,
                "unparseable_message": result.unparseable.get(question_id),
            }
            for question_id, text in result.answers.items()
        )
        findings.extend(
            {
                **key,
                "rule": finding.rule,
                "severity": RULES[finding.rule].severity,
                "question_id": finding.question_id,
                "value": finding.value,
                "message": finding.message,
            }
            for finding in result.findings
        )
    _append(con, "core.file_reads", reads, _FILE_READS_SCHEMA)
    _append(con, "core.file_answers", answers, _FILE_ANSWERS_SCHEMA)
    _append(con, "core.file_findings", findings, _FILE_FINDINGS_SCHEMA)


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


def _append(con, table: str, rows: list[dict], schema: dict) -> None:
    append_rows(con, table, pl.DataFrame(rows, schema=schema, orient="row"))


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
