"""Many submissions read at once, each to exactly what `read_submission` gives it: the fast path
of the reader (assets/ingest/reader.py), which tests/test_parallel_reading.py holds equal to it
file by file.

Most submissions are plain CSV: one encoding, no quotes, fraga and svar as the only columns,
each question once. Those are split and matched against the catalog in one columnar pass over
all of them; every other file, and any plain file the pass finds something unusual in (extra
fields, a repeated question, missing or unparseable metadata, a question id that is not ASCII),
is read by `read_submission`.
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass

import polars as pl

from assets.ingest.metadata import METADATA
from assets.ingest.reader import (
    CSV_DELIMITERS,
    NOTHING_BUT_SEPARATORS,
    ReadResult,
    csv_text,
    filled_cells,
    not_in_form,
    read_submission,
    unknown_question,
)
from schemas.catalog import META_BLOCK, load_catalog

READS_SCHEMA = {
    "item": pl.Int64,  # the file's position in the list read
    "reason_code": pl.Utf8,
    "message": pl.Utf8,
    "kommunkod": pl.Utf8,
    "ar": pl.Int32,
    "inlamnad": pl.Datetime("us"),
}
ANSWERS_SCHEMA = {
    "item": pl.Int64,
    "question_id": pl.Utf8,
    "answer_text": pl.Utf8,
    "unparseable_message": pl.Utf8,
    "line": pl.Int64,  # ReadResult.lines
}
FINDINGS_SCHEMA = {
    "item": pl.Int64,
    "rule": pl.Utf8,
    "question_id": pl.Utf8,
    "value": pl.Utf8,
    "message": pl.Utf8,
}

# The characters str.strip() takes for white space besides " ", "\t" and the line breaks, and
# the BOM the header's cells lose: a plain CSV has none of them, so that stripping " \t" in
# the columnar pass is what str.strip() does.
_NOT_PLAIN_CSV = re.compile(
    '["\ufeff\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]'
)
_PLAIN_HEADERS = {("fraga", "svar"): False, ("svar", "fraga"): True}  # → svar comes first
_PLAIN_BLANK = " \t"
# A field of a plain CSV row beyond its first two that holds more than blanks and delimiters:
# the row has more fields than fraga and svar (`filled_cells` drops only blank fields at the end).
_NOT_BLANK_UNDER = {
    delimiter: f"[^{escaped}{_PLAIN_BLANK}]"
    for delimiter, escaped in ((";", ";"), (",", ","), ("\t", r"\t"))
}


@dataclass(frozen=True)
class SubmissionReads:
    """What `read_submission` gives for each file of a list, as frames: one row per file in
    `reads`, its answers (in the order of `ReadResult.answers`) and findings (in theirs),
    keyed by `item`, the file's position in the list, and in item order."""

    reads: pl.DataFrame
    answers: pl.DataFrame
    findings: pl.DataFrame


@dataclass(frozen=True)
class _PlainCsv:
    text: str  # decoded, "\r\n" made "\n"
    delimiter: str
    svar_first: bool
    header_line: int  # 1-based; the rows after it are the data


def read_submissions(files: list[tuple[bytes, str]]) -> SubmissionReads:
    """Read many submissions, each (bytes, suffix) as for `read_submission`."""
    plain = {}
    for item, (data, suffix) in enumerate(files):
        if (layout := _plain_csv(data, suffix)) is not None:
            plain[item] = layout
    columnar, unsettled = _settle(_plain_csv_entries(plain), list(plain))
    one_by_one = {
        item: read_submission(data, suffix)
        for item, (data, suffix) in enumerate(files)
        if item in unsettled or item not in plain
    }
    parts = [columnar, _frames_of(one_by_one)]
    return SubmissionReads(
        *(
            pl.concat([part[index] for part in parts]).sort("item", maintain_order=True)
            for index in range(3)
        )
    )


def _plain_csv(data: bytes, suffix: str) -> _PlainCsv | None:
    """The layout of a plain CSV (see above), or None when the file is anything else."""
    if suffix.lower() != ".csv" or not data or b"\x00" in data:
        return None
    try:
        text = csv_text(data)
    except UnicodeDecodeError:
        return None
    if (
        text.count("\r") != text.count("\r\n")
        or _NOT_PLAIN_CSV.search(text)
        or NOTHING_BUT_SEPARATORS.fullmatch(text)
    ):
        return None
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    # As the reader's _csv_rows: the first delimiter under which the first non-blank row is a header.
    for delimiter in CSV_DELIMITERS:
        for number, line in enumerate(lines, start=1):
            cells = line.split(delimiter)
            if any(cell.strip() for cell in cells):
                break
        else:
            return None
        header = [cell.strip().lower() for cell in filled_cells(cells)]
        if "fraga" in header and "svar" in header:
            svar_first = _PLAIN_HEADERS.get(tuple(header))
            if svar_first is None:
                return None
            return _PlainCsv(text, delimiter, svar_first, number)
    return None


def _plain_csv_entries(plain: dict[int, _PlainCsv]) -> pl.DataFrame:
    """The answered rows of the plain CSVs, split in one columnar pass (as the reader's `_csv_rows` and
    `_entries` would), `unsettled` on every row of a file with something the pass does not
    read as they would (more fields than two, a question id that is not ASCII)."""
    lines = (
        pl.LazyFrame(
            {
                "item": list(plain),
                "delimiter": [layout.delimiter for layout in plain.values()],
                "svar_first": [layout.svar_first for layout in plain.values()],
                "header_line": [layout.header_line for layout in plain.values()],
                "text": [layout.text for layout in plain.values()],
            },
            schema={
                "item": pl.Int64,
                "delimiter": pl.Utf8,
                "svar_first": pl.Boolean,
                "header_line": pl.Int64,
                "text": pl.Utf8,
            },
        )
        .with_columns(pl.col("text").str.split("\n"))
        .explode("text")
        .with_columns(line=pl.int_range(1, pl.len() + 1).over("item"))
        .filter(pl.col("line") > pl.col("header_line"))
    )
    rows = pl.concat(
        [
            lines.filter(pl.col("delimiter") == delimiter)
            .with_columns(pl.col("text").str.splitn(delimiter, 3).alias("fields"))
            .unnest("fields")
            .with_columns(extra_fields=pl.col("field_2").str.contains(not_blank).fill_null(False))
            for delimiter, not_blank in _NOT_BLANK_UNDER.items()
        ]
    ).sort("item", maintain_order=True)  # back in file order: an item has one delimiter
    question = pl.when("svar_first").then(pl.col("field_1")).otherwise(pl.col("field_0"))
    answer = pl.when("svar_first").then(pl.col("field_0")).otherwise(pl.col("field_1"))
    stripped_question = question.fill_null("").str.strip_chars(_PLAIN_BLANK)
    entries = (
        rows.with_columns(
            question_id=stripped_question.str.to_lowercase(),
            answer_text=answer.fill_null("").str.strip_chars(_PLAIN_BLANK),
            not_ascii=stripped_question.str.contains(r"[^\x00-\x7F]"),
            undelimited=pl.col("field_1").is_null()
            & (pl.col("text").str.strip_chars(_PLAIN_BLANK) != ""),
        )
        # As the reader's `_entries`: a row with neither id nor answer is no entry; a row with extra fields
        # or without a delimiter is kept to be seen below.
        .filter(
            (pl.col("answer_text") != "")
            | (pl.col("question_id") != "")
            | pl.col("extra_fields")
            | pl.col("undelimited")
        )
        .with_columns(
            unsettled=(pl.col("extra_fields") | pl.col("undelimited") | pl.col("not_ascii"))
            .any()
            .over("item")
        )
        .select(list(_ENTRY_COLUMNS))
        .collect()
    )
    return entries


_ENTRY_COLUMNS = {
    "item": pl.Int64,
    "line": pl.Int64,
    "question_id": pl.Utf8,
    "answer_text": pl.Utf8,
    "unsettled": pl.Boolean,
}


def _settle(entries: pl.DataFrame, items: list[int]) -> tuple[tuple[pl.DataFrame, ...], set[int]]:
    """The three frames of the files whose answered rows are `entries` (all of `items`), read as
    the reader's `_interpret` reads them, and the items left to `read_submission`: a file whose rows are
    unsettled, that repeats a question, or that lacks valid metadata (it is rejected, with
    `_interpret`'s reason and message)."""
    # A question twice, answered or not: `_interpret` decides which rule applies.
    repeated = (pl.col("question_id") != "") & pl.struct("item", "question_id").is_duplicated()
    unsettled = set(entries.filter(pl.col("unsettled") | repeated)["item"])
    entries = entries.filter(~pl.col("item").is_in(unsettled))
    # Each question once from here, so its metadata are the file's.
    metadata: dict[int, dict[str, str]] = {item: {} for item in items if item not in unsettled}
    for item, question_id, answer_text in (
        entries.filter(pl.col("question_id").is_in(list(METADATA)))
        .select("item", "question_id", "answer_text")
        .iter_rows()
    ):
        metadata[item][question_id] = answer_text
    reads = []
    for item, written in metadata.items():
        values = [
            METADATA[question_id].parse(written[question_id]) if question_id in written else None
            for question_id in METADATA
        ]
        if None in values:  # rejected: its reason and message are read_submission's
            unsettled.add(item)
        else:
            reads.append((item, None, "", *values))
    reads_frame = pl.DataFrame(reads, schema=READS_SCHEMA, orient="row")
    # The inner join leaves out the unsettled files, which have no read here.
    entries = entries.join(reads_frame.select("item", "ar"), on="item", maintain_order="left").join(
        _catalog_frame(), on="question_id", how="left", maintain_order="left"
    )
    in_form = pl.col("ar").is_between(pl.col("first_year"), pl.col("last_year"))
    kept = ~pl.col("personal_data") & (pl.col("block") != META_BLOCK)
    answers = entries.filter(kept & in_form & (pl.col("answer_text") != "")).select(
        "item",
        "question_id",
        "answer_text",
        unparseable_message=pl.lit(None, pl.Utf8),
        line="line",
    )
    findings = []
    for item, line, question_id, answer_text, ar, known in (
        entries.filter(pl.col("block").is_null() | (kept & ~in_form))
        .select("item", "line", "question_id", "answer_text", "ar", pl.col("block").is_not_null())
        .iter_rows()
    ):
        finding = (
            not_in_form(line, question_id, answer_text, ar)
            if known
            else unknown_question(line, question_id)
        )
        findings.append((item, *astuple(finding)))
    return (
        reads_frame,
        answers.cast(ANSWERS_SCHEMA),  # type: ignore[arg-type]
        pl.DataFrame(findings, schema=FINDINGS_SCHEMA, orient="row"),
    ), unsettled


def _catalog_frame() -> pl.DataFrame:
    questions = load_catalog().questions.values()
    return pl.DataFrame(
        {
            "question_id": [q.question_id for q in questions],
            "block": [q.block for q in questions],
            "personal_data": [q.is_personal_data for q in questions],
            "first_year": [q.first_year for q in questions],
            "last_year": [q.last_year for q in questions],
        },
        schema={
            "question_id": pl.Utf8,
            "block": pl.Utf8,
            "personal_data": pl.Boolean,
            "first_year": pl.Int32,
            "last_year": pl.Int32,
        },
    )


def _frames_of(results: dict[int, ReadResult]) -> tuple[pl.DataFrame, ...]:
    reads = [
        (item, r.reason_code, r.message, r.kommunkod, r.ar, r.inlamnad)
        for item, r in results.items()
    ]
    answers = [
        (item, question_id, text, r.unparseable.get(question_id), r.lines.get(question_id))
        for item, r in results.items()
        for question_id, text in r.answers.items()
    ]
    findings = [(item, *astuple(f)) for item, r in results.items() for f in r.findings]
    return tuple(
        pl.DataFrame(rows, schema=schema, orient="row")
        for rows, schema in (
            (reads, READS_SCHEMA),
            (answers, ANSWERS_SCHEMA),
            (findings, FINDINGS_SCHEMA),
        )
    )
