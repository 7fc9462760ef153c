"""Output folders rewritten in part: only the items whose inputs changed since the previous set.

The control reports, the charts and the profile pages are sets of items (a ledger row's report,
a chart, a municipality's page), each a few files made from known inputs only. After one new or
corrected submission most items' inputs are unchanged, and making them again (render, write)
was most of what those steps cost (issue 16).

Each set is written with a manifest: for every item, the digest of its inputs and of each of its
files, and for the whole set the version of the code and reference data that made it. A new set
is always a new folder in the run's staging publication, which is swapped in whole with
everything else the run publishes (pipelines/resources.py), as a cold build's is; an item whose
inputs digest equals the previous set's (the current publication's) is hard-linked from the
previous folder instead of being made again. Nothing ever writes into a published file: a link
shares its inode with the published set. Its bytes are those the previous set verified, which are the bytes
a cold build makes from the same inputs: the new set is byte for byte a cold build's.

The previous set is trusted only whole. It is used when its manifest is of this version of the
code and reference data, lists exactly the files its folder holds, and every file to be reused
has the digest listed; otherwise (a manifest missing, cut short or stale, a file added, removed
or changed by hand) nothing is reused and every item is made again. A run killed while writing
never leaves a half set to trust: the set is built in staging and the manifest is written last.

The manifest holds only what the inputs decide (no times, no inode numbers), so an incremental
refresh and a cold build write the same manifest too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assets.processes import in_task_order, usable_cores

MANIFEST_NAME = ".manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Item:
    """One item of a set: the digest of everything its files are made from, and its files
    (paths relative to the set's folder)."""

    inputs: str
    files: tuple[str, ...]


# make(folder, keys) writes the files of the items `keys` into the new folder `folder`. It may
# return the SHA-256 of the files it wrote, by name, computed from the bytes it wrote; the files
# it does not name are read back for the manifest.
Make = Callable[[Path, list[str]], dict[str, str] | None]


def write_file(folder: Path, name: str, data: bytes, digests: dict[str, str]) -> None:
    """Write `data` as the file `name` of `folder`, and its SHA-256 into `digests` (for a `Make`
    to return)."""
    (folder / name).write_bytes(data)
    digests[name] = hashlib.sha256(data).hexdigest()


# Items per task of the pool that makes a set across the cores: enough to pay for pickling a
# task's inputs, few enough to keep every worker busy to the end.
ITEMS_PER_TASK = 250

# writes(folder, part) writes the files of a part of the items to make into `folder` and returns
# their SHA-256 by name (`write_file`); a module-level function, for a worker to call.
WriteItems = Callable[[Path, list], dict[str, str]]


def make_across_cores(
    writes: WriteItems, folder: Path, work: Iterable, count: int, min_items: int
) -> dict[str, str]:
    """`writes(folder, part)` over parts of `work` (the `count` items' inputs, which must pickle),
    across the cores this process may use when there are at least `min_items` items: the items of
    a set are independent of each other, so the files are those one process writes. `work` is
    consumed a few parts ahead of the writing. Returns the digests of every file written, by name
    (what a `Make` returns)."""
    processes = usable_cores() if count >= min_items else 1
    items = iter(work)
    parts = iter(lambda: list(itertools.islice(items, ITEMS_PER_TASK)), [])
    digests: dict[str, str] = {}
    for written in in_task_order(writes, ((folder, part) for part in parts), processes):
        digests.update(written)
    return digests


@dataclass(frozen=True)
class Written:
    """What writing a set did: the items made anew and the items reused, by key."""

    made: list[str]
    reused: list[str]


def digest(*parts: object) -> str:
    """The digest of `parts` by their repr: callers pass values whose repr is all they are
    (str, int, float, None, datetime, Decimal, tuples, lists and frozen dataclasses of these;
    dicts in an order that the inputs decide)."""
    text = repr(parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def code_and_reference_version() -> str:
    """The digest of the code and the reference data that an output may depend on beyond the
    inputs an item lists (the words of schemas/, the block labels of the reference, the layout
    of a page): a change to either makes every item again."""
    # Imported here: the build's fingerprint of its code and reference data has one home.
    from assets.ingest.build_inputs import code_and_reference_fingerprint

    return code_and_reference_fingerprint()


def rebuild_folder(
    target: Path,
    version: str,
    items: dict[str, Item],
    make: Make,
    previous: Path | None = None,
) -> Written:
    """Write the set `items` as the new folder `target`, with its manifest inside it.

    `make(folder, keys)` writes the files of the items `keys` into `folder` (see `Make`); the
    other items are linked from the set in `previous` (the published one), when that set can be
    trusted. A `target` left by an earlier attempt (a step run again, a staging folder handed
    over) is made anew."""
    _remove_folder(target)
    return fill_folder(
        target,
        target / MANIFEST_NAME,
        version,
        items,
        make,
        previous,
        previous / MANIFEST_NAME if previous is not None else None,
    )


def _remove_folder(folder: Path) -> None:
    # Unlinking a file linked from the published set leaves the published file as it is.
    if folder.is_dir():
        shutil.rmtree(folder)


def fill_folder(
    folder: Path,
    manifest: Path,
    version: str,
    items: dict[str, Item],
    make: Make,
    previous: Path | None,
    previous_manifest: Path | None,
) -> Written:
    """Write the set `items` into the new, empty `folder` and its manifest as `manifest` (inside
    the folder or beside it): items reusable from the set in `previous` are linked, the others
    made by `make(folder, keys)`. Raises if `make` writes other files than its items list."""
    reusable = _reusable(previous, previous_manifest, version, items)
    folder.mkdir(parents=True, exist_ok=True)
    source, destination = os.fspath(previous or ""), os.fspath(folder)
    for key in reusable:
        for name in items[key].files:
            _link(os.path.join(source, name), os.path.join(destination, name))
    made = [key for key in items if key not in reusable]
    told = (make(folder, made) if made else None) or {}
    listed = {name for item in items.values() for name in item.files}
    found = _files(folder, manifest)
    if found != listed:
        raise RuntimeError(
            f"{folder}: the files written are not the items' files: not listed "
            f"{sorted(found - listed)[:5]}, missing {sorted(listed - found)[:5]}"
        )

    def files_digests(key: str) -> dict[str, str]:
        if key in reusable:
            return reusable[key]
        names = items[key].files
        if all(name in told for name in names):
            return {name: told[name] for name in names}
        return _file_digests(folder, names)

    _write_manifest(manifest, version, items, {key: files_digests(key) for key in items})
    return Written(made=made, reused=[key for key in items if key in reusable])


def _reusable(
    previous: Path | None, manifest: Path | None, version: str, items: dict[str, Item]
) -> dict[str, dict[str, str]]:
    """key → its files' digests, for the items whose inputs and files the previous set has as
    they are now; empty when the previous set cannot be trusted whole."""
    if previous is None or manifest is None or not previous.is_dir():
        return {}
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if recorded["format"] != MANIFEST_FORMAT or recorded["version"] != version:
            return {}
        entries: dict[str, dict] = recorded["items"]
        listed = {name for entry in entries.values() for name in entry["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if _files(previous, manifest) != listed:
        return {}
    reusable = {}
    for key, item in items.items():
        entry = entries.get(key)
        if entry is None or entry["inputs"] != item.inputs:
            continue
        if sorted(entry["files"]) != sorted(item.files):
            continue
        if _file_digests(previous, item.files) != entry["files"]:
            return {}  # a file differs from what the set says it is: trust none of it
        reusable[key] = entry["files"]
    return reusable


def _files(folder: Path, manifest: Path) -> set[str]:
    """Every file under `folder` (relative, POSIX), but the manifest."""
    # Strings, not Paths: a set of reports has a file per ledger row and two per submission.
    top, skip = os.fspath(folder), os.fspath(manifest)
    found = set()
    for root, _, names in os.walk(top):
        prefix = "" if root == top else os.path.relpath(root, top).replace(os.sep, "/") + "/"
        found.update(prefix + name for name in names if os.path.join(root, name) != skip)
    return found


def _file_digests(folder: Path, names: tuple[str, ...]) -> dict[str, str]:
    top = os.fspath(folder)
    digests = {}
    for name in names:
        try:
            with open(os.path.join(top, name), "rb") as handle:
                digests[name] = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return {}
    return digests


def link_file(source: Path, destination: Path) -> None:
    """Put the file `source` at `destination` as well, without copying its bytes where the file
    system allows."""
    _link_or_copy(os.fspath(source), os.fspath(destination))


def _link(source: str, destination: str) -> None:
    """Hard-link `source` as `destination`, creating its folder if need be."""
    try:
        _link_or_copy(source, destination)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        _link_or_copy(source, destination)


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        # A file system without hard links (or across devices): a copy has the same bytes.
        shutil.copyfile(source, destination)


def _write_manifest(
    manifest: Path, version: str, items: dict[str, Item], files: dict[str, dict[str, str]]
) -> None:
    entries = {key: {"inputs": item.inputs, "files": files[key]} for key, item in items.items()}
    text = json.dumps(
        {"format": MANIFEST_FORMAT, "version": version, "items": entries},
        sort_keys=True,
        indent=0,
    )
    manifest.write_text(text + "\n", encoding="utf-8")
