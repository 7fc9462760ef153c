"""Issue 16: after one new or corrected submission only the publication work the change touches
is redone (assets/output_sets.py): the control reports of changed ledger rows, the charts whose
tables changed, the profile pages of municipalities whose data changed; and the result is byte
for byte a cold build's.

"Made again" is told by the file's inode: a file taken over from the previous set is a hard link
to it (same inode), a file made again is a new file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets import output_sets
from assets.feedback import control_reports
from assets.feedback.control_reports import (
    LedgerFile,
    Problem,
    report_location,
    update_control_reports,
)
from assets.output_sets import MANIFEST_NAME, Item, rebuild_folder, write_file
from assets.parallel import worker_pool
from assets.publication import charts as charts_module
from assets.publication import profile_pages
from assets.publication.charts import draw_charts, manifest_path
from assets.publication.exports import CHARTS_FOLDER, write_publication
from assets.publication.profile_data import Page, pages, read_profile_data
from assets.publication.profile_html import INDEX_NAME, refers_outside
from assets.publication.profile_pages import (
    KEY_FIGURES_SET,
    frame_digest,
    page_digest,
    write_key_figures,
    write_profiles,
)
from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import BLOCK_A, block, build_small_landing_zone, meta, write_csv

VERSION = "v1"


def inodes(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_ino
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def contents(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_manifest_matches_files(folder: Path) -> None:
    """The manifest lists every file of the set with the SHA-256 of its bytes on disk."""
    items = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["items"]
    listed = {name: sha for item in items.values() for name, sha in item["files"].items()}
    on_disk = {
        name: hashlib.sha256(data).hexdigest()
        for name, data in contents(folder).items()
        if name != MANIFEST_NAME
    }
    assert listed == on_disk


def remade(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """The files of `after` that are not the same file as in `before`."""
    return {name for name, inode in after.items() if before.get(name) != inode}


# --- the folder of items (assets/output_sets.py) -------------------------------------------


def text_set(texts: dict[str, str]) -> tuple[dict[str, Item], list[list[str]]]:
    """Items that are one text file each, and a record of the keys each make call made."""
    items = {key: Item(f"inputs of {text}", (f"{key}.txt",)) for key, text in texts.items()}
    return items, []


def write_texts(texts: dict[str, str], calls: list[list[str]]):
    def make(folder: Path, keys: list[str]) -> None:
        calls.append(sorted(keys))
        for key in keys:
            (folder / f"{key}.txt").write_text(texts[key], encoding="utf-8")

    return make


def build(
    target: Path, texts: dict[str, str], version: str = VERSION, previous: Path | None = None
) -> list[list[str]]:
    items, calls = text_set(texts)
    rebuild_folder(target, version, items, write_texts(texts, calls), previous)
    return calls


def test_only_the_changed_item_is_made_and_the_set_equals_a_cold_build(tmp_path):
    published, target = tmp_path / "published", tmp_path / "set"
    assert build(published, {"a": "A", "b": "B", "c": "C"}) == [["a", "b", "c"]]
    before = inodes(published)

    texts = {"a": "A", "b": "B2", "d": "D"}
    assert build(target, texts, previous=published) == [["b", "d"]]
    assert remade(before, inodes(target)) == {"b.txt", "d.txt", MANIFEST_NAME}
    assert not (target / "c.txt").exists()  # an item that is gone takes its file with it
    assert inodes(published) == before  # the published set is left as it was

    cold = tmp_path / "cold"
    build(cold, texts)
    assert contents(target) == contents(cold)


def test_nothing_changed_makes_nothing(tmp_path):
    published, target = tmp_path / "published", tmp_path / "set"
    build(published, {"a": "A", "b": "B"})
    before = inodes(published)
    assert build(target, {"a": "A", "b": "B"}, previous=published) == []
    assert remade(before, inodes(target)) == {MANIFEST_NAME}


def test_a_folder_left_by_an_earlier_attempt_is_made_anew(tmp_path):
    published, target = tmp_path / "published", tmp_path / "set"
    build(published, {"a": "A"})
    build(target, {"a": "A", "b": "B"})
    assert build(target, {"a": "A"}, previous=published) == []
    assert sorted(contents(target)) == [MANIFEST_NAME, "a.txt"]


def _no_manifest(target: Path) -> None:
    (target / MANIFEST_NAME).unlink()


def _manifest_cut_short(target: Path) -> None:
    text = (target / MANIFEST_NAME).read_text(encoding="utf-8")
    (target / MANIFEST_NAME).write_text(text[: len(text) // 2], encoding="utf-8")


def _file_missing(target: Path) -> None:
    (target / "c.txt").unlink()


def _file_cut_short(target: Path) -> None:
    (target / "a.txt").write_text("", encoding="utf-8")


def _file_changed_in_place(target: Path) -> None:
    (target / "b.txt").write_text("X", encoding="utf-8")  # same size, other bytes


def _file_added(target: Path) -> None:
    (target / "stray.txt").write_text("?", encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        _no_manifest,
        _manifest_cut_short,
        _file_missing,
        _file_cut_short,
        _file_changed_in_place,
        _file_added,
    ],
)
def test_a_previous_set_that_does_not_match_its_manifest_is_not_trusted(tmp_path, damage):
    published, target = tmp_path / "published", tmp_path / "set"
    texts = {"a": "A", "b": "B", "c": "C"}
    build(published, texts)
    damage(published)
    # Every item is made again, also those whose own files are intact.
    assert build(target, texts, previous=published) == [["a", "b", "c"]]
    cold = tmp_path / "cold"
    build(cold, texts)
    assert contents(target) == contents(cold)


def test_a_set_made_by_other_code_or_reference_data_is_not_reused(tmp_path):
    build(tmp_path / "published", {"a": "A"}, version="old code")
    assert build(
        tmp_path / "set", {"a": "A"}, version="new code", previous=tmp_path / "published"
    ) == [["a"]]


def test_a_make_that_writes_other_files_than_its_items_fails_and_keeps_the_old_set(tmp_path):
    published = tmp_path / "published"
    build(published, {"a": "A"})
    before = contents(published)
    items, _ = text_set({"a": "A2"})

    def make(folder: Path, keys: list[str]) -> None:
        (folder / "a.txt").write_text("A2", encoding="utf-8")
        (folder / "unlisted.txt").write_text("!", encoding="utf-8")

    with pytest.raises(RuntimeError, match="unlisted.txt"):
        rebuild_folder(tmp_path / "set", VERSION, items, make, published)
    assert contents(published) == before


def test_the_manifest_holds_nothing_that_differs_between_two_builds(tmp_path):
    for name in ("one", "two"):
        build(tmp_path / name, {"a": "A", "b": "B"})
    manifest = (tmp_path / "one" / MANIFEST_NAME).read_bytes()
    assert manifest == (tmp_path / "two" / MANIFEST_NAME).read_bytes()
    assert set(json.loads(manifest)["items"]) == {"a", "b"}


# --- control reports -------------------------------------------------------------------------


def ledger_and_problems():
    ledger = [
        LedgerFile(
            f"2016/inventering/{name}.csv", "0180", "Stockholm", 2016, None, status, None, ""
        )
        for name, status in (("a", "selected"), ("b", "superseded"), ("c", "duplicate"))
    ]
    problems = {
        ledger[0].path: [
            Problem("warning", "A_handl_kon_summa", "A_handlaggare", None, None, "3", "Summan …")
        ]
    }
    blocks = {ledger[0].path: {"A_handlaggare": "valid"}}
    return ledger, problems, blocks


def test_only_the_reports_of_changed_ledger_rows_are_written(tmp_path):
    published = tmp_path / "published" / "kontrollrapporter"
    target = tmp_path / "staging" / "kontrollrapporter"
    ledger, problems, blocks = ledger_and_problems()
    update_control_reports(published, ledger, problems, blocks, version=VERSION)
    before = inodes(published)

    # A new file supersedes c; a's problem is resolved; b is as it was.
    new = LedgerFile(
        "2016/inventering/d.csv", "0180", "Stockholm", 2016, None, "selected", None, ""
    )
    changed = [ledger[0], ledger[1], dataclasses.replace(ledger[2], status="superseded"), new]
    written = update_control_reports(
        target, changed, {}, blocks, version=VERSION, previous=published
    )

    a, b, c, d = (report_location(f) for f in changed)
    assert sorted(written.made) == sorted([a, c, d, "index"])
    assert written.reused == [b]
    assert remade(before, inodes(target)) == {
        f"{location}.{suffix}" for location in (a, c, d) for suffix in ("html", "md")
    } | {"index.html", "index.md", MANIFEST_NAME}

    cold = tmp_path / "cold" / "kontrollrapporter"
    update_control_reports(cold, changed, {}, blocks, version=VERSION)
    assert contents(target) == contents(cold)
    assert_manifest_matches_files(target)


@pytest.mark.parametrize("what", ["ledger row", "problems", "blocks"])
def test_a_report_is_written_again_when_any_of_its_inputs_changes(tmp_path, what):
    published = tmp_path / "published" / "kontrollrapporter"
    target = tmp_path / "staging" / "kontrollrapporter"
    ledger, problems, blocks = ledger_and_problems()
    update_control_reports(published, ledger, problems, blocks, version=VERSION)
    first = ledger[0]
    if what == "ledger row":
        ledger = [dataclasses.replace(first, message="Ny fil."), *ledger[1:]]
    elif what == "problems":
        problems = {first.path: [dataclasses.replace(problems[first.path][0], value="4")]}
    else:
        blocks = {first.path: {"A_handlaggare": "invalid"}}
    written = update_control_reports(
        target, ledger, problems, blocks, version=VERSION, previous=published
    )
    assert report_location(first) in written.made
    cold = tmp_path / "cold" / "kontrollrapporter"
    update_control_reports(cold, ledger, problems, blocks, version=VERSION)
    assert contents(target) == contents(cold)


def test_a_removed_ledger_row_takes_its_report_with_it(tmp_path):
    published = tmp_path / "published" / "kontrollrapporter"
    target = tmp_path / "staging" / "kontrollrapporter"
    ledger, problems, blocks = ledger_and_problems()
    update_control_reports(published, ledger, problems, blocks, version=VERSION)
    written = update_control_reports(
        target, ledger[:2], problems, blocks, version=VERSION, previous=published
    )
    assert written.made == ["index"]
    assert not (target / f"{report_location(ledger[2])}.html").exists()
    cold = tmp_path / "cold" / "kontrollrapporter"
    update_control_reports(cold, ledger[:2], problems, blocks, version=VERSION)
    assert contents(target) == contents(cold)


# --- charts ----------------------------------------------------------------------------------


def with_table_changed(publication, table_id: str):
    """The publication with one cell of one of Tables 1–14 changed."""
    tables = []
    for table in publication.tables:
        if table.table_id == table_id:
            key = next(k for k, v in table.values.items() if v is not None)
            table = dataclasses.replace(table, values={**table.values, key: table.values[key] + 7})
        tables.append(table)
    return dataclasses.replace(publication, tables=tables)


def test_only_the_charts_whose_tables_changed_are_drawn_again(publication, tmp_path):
    first = tmp_path / "first" / "diagram"
    draw_charts(first, publication)
    assert manifest_path(first).is_file()

    again = tmp_path / "again" / "diagram"
    draw_charts(again, publication, previous=first)
    assert inodes(again) == inodes(first)  # nothing drawn

    # As the exports step does it: the published exports folder's charts are the previous set.
    published, exports = tmp_path / "published" / "exports", tmp_path / "staging" / "exports"
    write_publication(published, publication)
    before = inodes(published / CHARTS_FOLDER)
    changed = with_table_changed(publication, "T03")
    write_publication(exports, changed, previous=published)
    assert remade(before, inodes(exports / CHARTS_FOLDER)) == {
        "kompetens_omrade.png",
        "kompetens_omrade.svg",
    }

    cold = tmp_path / "cold" / "diagram"
    files = draw_charts(cold, changed)
    assert list(files) == list(charts_module.charts(changed))
    assert contents(exports / CHARTS_FOLDER) == contents(cold)
    assert manifest_path(exports / CHARTS_FOLDER).read_bytes() == manifest_path(cold).read_bytes()


# --- profile pages ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_data(small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        return read_profile_data(con)
    finally:
        con.close()


def test_only_the_pages_of_municipalities_whose_data_changed_are_written(profile_data, tmp_path):
    published = tmp_path / "published" / "kommuner"
    target = tmp_path / "staging" / "kommuner"
    write_profiles(published, profile_data)
    before = inodes(published)

    resent = next(f for f in profile_data.ledger if f.status == "selected")
    changed = dataclasses.replace(
        profile_data,
        ledger=[
            dataclasses.replace(f, status="superseded") if f == resent else f
            for f in profile_data.ledger
        ],
    )
    written = write_profiles(target, changed, previous=published)
    assert written.made == [resent.kommunkod]
    assert remade(before, inodes(target)) == {f"{resent.kommunkod}.html", MANIFEST_NAME}
    assert inodes(published) == before

    cold = tmp_path / "cold" / "kommuner"
    write_profiles(cold, changed)
    assert contents(target) == contents(cold)
    assert_manifest_matches_files(target)


def test_a_national_figure_changes_every_page(profile_data, tmp_path):
    published, target = tmp_path / "published", tmp_path / "kommuner"
    write_profiles(published, profile_data)
    key_figures = profile_data.key_figures
    riket = (key_figures["dimension"] == "riket") & (key_figures["kon"] == "T")
    changed = dataclasses.replace(
        profile_data,
        key_figures=key_figures.with_columns(
            varde=pl.when(riket).then(pl.col("varde") + 1).otherwise(pl.col("varde"))
        ),
    )
    written = write_profiles(target, changed, previous=published)
    assert sorted(written.made) == sorted(m.kommunkod for m in profile_data.municipalities)
    assert written.reused == [INDEX_NAME]
    cold = tmp_path / "cold"
    write_profiles(cold, changed)
    assert contents(target) == contents(cold)


KEY_FIGURE_FILES = ("csv/nyckeltal.csv", "csv_sv/nyckeltal.csv", "parquet/nyckeltal.parquet")


def test_the_key_figure_files_are_written_only_when_the_key_figures_change(profile_data, tmp_path):
    published, staging = tmp_path / "published", tmp_path / "staging"
    files = write_key_figures(
        published / "exports", profile_data.key_figures, published / KEY_FIGURES_SET
    )
    assert sorted(path.relative_to(published / "exports").as_posix() for path in files) == sorted(
        KEY_FIGURE_FILES
    )
    before = inodes(published / KEY_FIGURES_SET)
    write_key_figures(
        staging / "exports",
        profile_data.key_figures,
        staging / KEY_FIGURES_SET,
        published / KEY_FIGURES_SET,
    )
    assert remade(before, inodes(staging / KEY_FIGURES_SET)) == {MANIFEST_NAME}
    assert inodes(staging / "exports") == {name: before[name] for name in KEY_FIGURE_FILES}

    changed = profile_data.key_figures.with_columns(varde=pl.col("varde") * 2)
    again = tmp_path / "again"
    write_key_figures(
        again / "exports", changed, again / KEY_FIGURES_SET, staging / KEY_FIGURES_SET
    )
    assert remade(before, inodes(again / KEY_FIGURES_SET)) == set(KEY_FIGURE_FILES) | {
        MANIFEST_NAME
    }
    cold = tmp_path / "cold"
    write_key_figures(cold / "exports", changed, cold / KEY_FIGURES_SET)
    assert contents(again / "exports") == contents(cold / "exports")


def test_a_frame_digest_tells_values_and_types_apart_and_not_what_lies_under_a_null():
    base = pl.DataFrame({"s": ["a", "NULL", None], "x": [0.1 + 0.2, 1.0, 2.0]})
    variants = [
        base.with_columns(s=pl.Series(["a", None, None])),  # the text NULL against a null
        base.with_columns(x=pl.Series([0.3, 1.0, 2.0])),  # the next double
        base.with_columns(pl.col("x").cast(pl.Float32)),
        base.with_columns(s=pl.Series(["a", "NULL", ""])),
        base.reverse(),
    ]
    digests = {frame_digest(frame) for frame in [base, *variants]}
    assert len(digests) == 1 + len(variants)
    # Equal frames whose nulls hide other values (a when/then over other columns).
    hidden = [
        pl.DataFrame({"v": values, "show": [True, False]}).select(
            v=pl.when(pl.col("show")).then(pl.col("v"))
        )
        for values in ([1.0, 5.0], [1.0, 9.0])
    ]
    assert frame_digest(hidden[0]) == frame_digest(hidden[1])


def test_every_field_of_a_page_is_in_its_digest(profile_data):
    # profile_html reads a Page only; a field left out of the digest would keep a stale page.
    page = next(pages(profile_data))
    digest = page_digest(page, {})
    for field in dataclasses.fields(Page):
        changed = dataclasses.replace(page, **{field.name: "ändrad"})
        assert page_digest(changed, {}) != digest, field.name


OLD_EXTERNAL = re.compile(
    r'(?:src|href|action|srcset)\s*=\s*"(?!data:)(?:[a-z][a-z0-9+.-]*:|//)', re.IGNORECASE
)


@pytest.mark.parametrize(
    "page",
    [
        '<a href="https://example.org">',
        '<a HREF = "HTTPS://example.org">',
        '<img src="//cdn.example.org/x.png">',
        '<img srcset="http://x 2x">',
        '<form action="mailto:a@b">',
        '<img src="data:image/png;base64,AAAA">',
        '<a href="0114.html">',
        '<a href="../../kontrollrapporter/2016/x.html">',
        '<svg xmlns="http://www.w3.org/2000/svg" width="360">',
        '<rect x="0" y="1"/>',
        '<a href\n\t  =\n"javascript:alert(1)">',
    ],
)
def test_the_faster_search_for_external_references_finds_what_the_pattern_found(page):
    assert refers_outside(page) == bool(OLD_EXTERNAL.search(page))


# --- a refresh -------------------------------------------------------------------------------


def test_a_refresh_after_one_resent_submission_rewrites_only_what_it_touches(tmp_path):
    """Väsby sends its 2016 file again a week later with the same answers: its report and the
    new file's, the index of the reports and Väsby's page are written; no chart is drawn."""
    raw = build_small_landing_zone(tmp_path / "A" / "raw")
    warehouse = tmp_path / "A" / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success
    folder = warehouse.parent
    reports, exports = folder / "kontrollrapporter", folder / "exports"
    before = {
        "reports": inodes(reports),
        "charts": inodes(exports / "diagram"),
        "pages": inodes(exports / "kommuner"),
        "key figures": inodes(folder / "publications" / "current" / KEY_FIGURES_SET),
    }

    resent = "2016/inventering/vasby_2016_rattelse.csv"
    write_csv(
        raw / resent,
        meta("0114", "2016", "2016-11-29") + block(BLOCK_A, "10", "1", "11", "1", "1", "0", "1"),
    )
    assert materialize_pipeline(raw, warehouse).success

    con = duckdb.connect(str(warehouse), read_only=True)
    ledger = {
        path: LedgerFile(path, *rest)
        for path, *rest in con.execute(
            "SELECT path, kommunkod, NULL, ar, inlamnad, status, reason_code, message "
            "FROM quality.file_ledger"
        ).fetchall()
    }
    con.close()
    assert ledger[resent].status == "selected"
    assert ledger["2016/inventering/vasby_2016.csv"].status == "superseded"
    touched = {
        f"{report_location(ledger[path])}.{suffix}"
        for path in (resent, "2016/inventering/vasby_2016.csv")
        for suffix in ("html", "md")
    }
    assert remade(before["reports"], inodes(reports)) == touched | {
        "index.html",
        "index.md",
        MANIFEST_NAME,
    }
    assert remade(before["charts"], inodes(exports / "diagram")) == set()
    assert remade(before["pages"], inodes(exports / "kommuner")) == {"0114.html", MANIFEST_NAME}
    assert remade(
        before["key figures"], inodes(folder / "publications" / "current" / KEY_FIGURES_SET)
    ) == {MANIFEST_NAME}
    for name in KEY_FIGURE_FILES:
        assert (exports / name).stat().st_ino == before["key figures"][name]

    cold_raw = tmp_path / "B" / "raw"
    shutil.copytree(raw, cold_raw)
    cold = tmp_path / "B" / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(cold_raw, cold).success
    for name in (
        "kontrollrapporter",
        "exports/diagram",
        "exports/kommuner",
        f"publications/current/{KEY_FIGURES_SET}",
        *(f"exports/{name}" for name in KEY_FIGURE_FILES),
    ):
        assert contents(folder / name) == contents(cold.parent / name), name
    assert (exports / ".diagram.manifest.json").read_bytes() == (
        cold.parent / "exports" / ".diagram.manifest.json"
    ).read_bytes()


# --- sets made across the cores --------------------------------------------------------------


def _write_with_process_id(folder: Path, part: list[int]) -> dict[str, str]:
    """A part of the items, each a file naming the process that wrote it (a worker's task)."""
    digests: dict[str, str] = {}
    for number in part:
        write_file(folder, f"{number}.txt", f"{number} {os.getpid()}".encode(), digests)
    return digests


def _pool_started(monkeypatch) -> list[int]:
    """Two cores for this process, and a record of the pools started (their workers)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    started: list[int] = []

    class Pool(worker_pool.ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            started.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(worker_pool, "ProcessPoolExecutor", Pool)
    return started


def test_items_are_made_across_the_cores_from_the_threshold_on(tmp_path, monkeypatch):
    started = _pool_started(monkeypatch)
    monkeypatch.setattr(output_sets, "ITEMS_PER_TASK", 5)
    work = list(range(40))

    alone = output_sets.make_across_cores(
        _write_with_process_id, tmp_path, work, len(work), min_items=41
    )
    assert started == []
    assert {path.read_text().split()[1] for path in tmp_path.iterdir()} == {str(os.getpid())}

    shared = tmp_path / "shared"
    shared.mkdir()
    digests = output_sets.make_across_cores(
        _write_with_process_id, shared, iter(work), len(work), min_items=40
    )
    assert started == [1]  # a worker besides this process, which makes its share too
    writers = {path.read_text().split()[1] for path in shared.iterdir()}
    assert len(writers) == 2 and str(os.getpid()) in writers
    assert sorted(digests) == sorted(alone) == [f"{number}.txt" for number in sorted(work, key=str)]
    assert digests == {
        name: hashlib.sha256((shared / name).read_bytes()).hexdigest() for name in digests
    }


def test_reports_made_across_the_cores_equal_those_of_one_process(tmp_path, monkeypatch):
    ledger, problems, blocks = ledger_and_problems()
    ledger += [
        LedgerFile(
            f"2015/inventering/{n}.csv", "0114", "Upplands Väsby", 2015, None, "selected", None, ""
        )
        for n in range(12)
    ]
    one_process = tmp_path / "one" / "kontrollrapporter"
    update_control_reports(one_process, ledger, problems, blocks, version=VERSION)

    started = _pool_started(monkeypatch)
    monkeypatch.setattr(output_sets, "ITEMS_PER_TASK", 4)
    monkeypatch.setattr(control_reports, "PARALLEL_MIN_REPORTS", len(ledger))
    shared = tmp_path / "shared" / "kontrollrapporter"
    update_control_reports(shared, ledger, problems, blocks, version=VERSION)

    assert started == [1]
    assert contents(shared) == contents(one_process)
    assert_manifest_matches_files(shared)


def test_pages_made_across_the_cores_equal_those_of_one_process(
    profile_data, tmp_path, monkeypatch
):
    one_process = tmp_path / "one" / "kommuner"
    write_profiles(one_process, profile_data)

    started = _pool_started(monkeypatch)
    monkeypatch.setattr(output_sets, "ITEMS_PER_TASK", 3)
    monkeypatch.setattr(profile_pages, "PARALLEL_MIN_PAGES", len(profile_data.municipalities))
    shared = tmp_path / "shared" / "kommuner"
    write_profiles(shared, profile_data)

    assert started == [1]
    assert contents(shared) == contents(one_process)
    assert_manifest_matches_files(shared)
