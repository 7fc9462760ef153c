"""A profile page per municipality, and an index searchable by name (issue 17).

`<warehouse dir>/exports/kommuner/<kommunkod>.html` for every municipality of the register, and
`index.html`; each page in Swedish and self-contained (it makes no request). A refresh makes only
the pages whose inputs (`Page`) changed. Pure: reads a published warehouse connection, writes
files; no Dagster.

What a page shows: docs/ARCHITECTURE.md, «assets/publication/profile_pages.py».
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path

import polars as pl

from assets.output_sets import (
    Item,
    Written,
    code_and_reference_version,
    digest,
    link_file,
    make_across_cores,
    rebuild_folder,
    write_file,
)
from assets.publication.exports import FLAT_FOLDERS, KEY_FIGURES_NAME, write_key_figure_exports
from assets.publication.profile_data import (
    Page,
    ProfileData,
    pages,
)
from assets.publication.profile_html import (
    INDEX_NAME,
    index_html,
    profile_html,
    refers_outside,
)

PROFILES_FOLDER = "kommuner"


def write_profiles(target: Path, data: ProfileData, previous: Path | None = None) -> Written:
    """Write every municipality's page and the index into the new folder `target`.

    Only the pages whose inputs (`Page`) changed since the set in `previous` (the published one)
    are made; the others are linked from it (assets/output_sets.py)."""
    shared: dict[int, tuple[object, str]] = {}
    items = {
        page.municipality.kommunkod: Item(
            page_digest(page, shared), (f"{page.municipality.kommunkod}.html",)
        )
        for page in pages(data)
    }
    items[INDEX_NAME] = Item(digest(data.municipalities), (INDEX_NAME,))

    def make(folder: Path, keys: list[str]) -> dict[str, str]:
        digests: dict[str, str] = {}
        if INDEX_NAME in keys:
            write_file(folder, INDEX_NAME, index_html(data.municipalities).encode("utf-8"), digests)
        # The pages are made again, one at a time, rather than kept from their digests.
        to_make = set(keys) - {INDEX_NAME}
        work = (
            (items[page.municipality.kommunkod].files[0], page)
            for page in pages(data)
            if page.municipality.kommunkod in to_make
        )
        return digests | make_across_cores(
            _write_pages, folder, work, len(to_make), PARALLEL_MIN_PAGES
        )

    return rebuild_folder(target, code_and_reference_version(), items, make, previous)


# Pages are made across the cores from this many on: a worker is ready about 0.7 s after it is
# spawned (the imports of this module), and this process makes a page in about 3 ms.
PARALLEL_MIN_PAGES = 500


def _write_pages(folder: Path, pages_to_make: list[tuple[str, Page]]) -> dict[str, str]:
    """Write each (file name, page)."""
    digests: dict[str, str] = {}
    for name, page in pages_to_make:
        write_file(folder, name, profile_html(page).encode("utf-8"), digests)
    return digests


# The key figures' flat files are a set of their own (one item), in the publication beside the
# exports rather than in them: a set's folder holds its files only. They are linked into the
# exports' flat folders, and made again only when the key figures changed.
KEY_FIGURES_SET = ".nyckeltal"


def write_key_figures(
    exports: Path, key_figures: pl.DataFrame, made: Path, previous: Path | None = None
) -> list[Path]:
    """The key figures after disclosure control as flat files (write_key_figure_exports) in the
    flat folders of `exports`; returns them. They are made as the set `made` (a KEY_FIGURES_SET),
    or linked from the set `previous` (the published one) when the key figures are the same
    (assets/output_sets.py), and linked into `exports`."""
    files = tuple(
        f"{folder}/{KEY_FIGURES_NAME}.{'parquet' if folder == 'parquet' else 'csv'}"
        for folder in FLAT_FOLDERS
    )
    items = {KEY_FIGURES_NAME: Item(frame_digest(key_figures), files)}
    rebuild_folder(
        made,
        code_and_reference_version(),
        items,
        lambda folder, _: write_key_figure_exports(folder, key_figures),
        previous,
    )
    written = []
    for name in files:
        (exports / name).parent.mkdir(parents=True, exist_ok=True)
        (exports / name).unlink(missing_ok=True)
        link_file(made / name, exports / name)
        written.append(exports / name)
    return written


def frame_digest(frame: pl.DataFrame) -> str:
    """The digest of a frame's types and values, in its row order. As text, not Arrow IPC: IPC
    carries what lies under a null, which differs between equal frames computed differently.
    Floats are written in the shortest form that reads back as the same double, text is always
    quoted, and a null is NULL unquoted."""
    text = frame.write_csv(quote_style="non_numeric", null_value="NULL")
    return digest(str(frame.schema), hashlib.sha256(text.encode("utf-8")).hexdigest())


# The fields whose value is the same object on many pages (the definitions, a county's figures):
# each such value is digested once.
_SHARED_FIELDS = ("definitions", "lan", "kommungrupp", "riket", "ledger_statuses", "rules")


def page_digest(page: Page, shared: dict[int, tuple[object, str]]) -> str:
    """The digest of every field of `page`. `shared` holds the digest of each value of the
    `_SHARED_FIELDS` digested so far, by object id, with the value (which keeps the id its own)."""
    parts = []
    for field in fields(Page):
        value = getattr(page, field.name)
        if field.name not in _SHARED_FIELDS:
            parts.append(digest(value))
            continue
        if id(value) not in shared:
            shared[id(value)] = (value, digest(value))
        parts.append(shared[id(value)][1])
    return digest(*parts)


def profile_problems(folder: Path, kommunkoder: list[str]) -> list[str]:
    """What is wrong with a written set of pages: a municipality without its page, no index, or a
    page that refers to anything outside the machine. Empty when all is well."""
    problems = [
        f"{kommunkod}.html saknas"
        for kommunkod in kommunkoder
        if not (folder / f"{kommunkod}.html").is_file()
    ]
    if not (folder / INDEX_NAME).is_file():
        problems.append(f"{INDEX_NAME} saknas")
    for page in sorted(folder.glob("*.html")):
        if refers_outside(page.read_text(encoding="utf-8")):
            problems.append(f"{page.name} hänvisar utanför datorn")
    return problems
