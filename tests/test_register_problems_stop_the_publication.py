"""Contract section 6: a register problem stops the publication.

"A year folder with submissions but no rekvisitioner.csv, a row that cannot be read, an unknown
or repeated (kommunkod, andamal), a missing (kommunkod, andamal) row, or a municipality missing
makes the refresh fail with a message naming the file, line and problem, and the published
warehouse stays as it was."

One good refresh publishes the small landing zone; then each broken copy of it is refreshed once
into the same warehouse. The small zone's registers (tests/landing_zone_fixture.py write_register)
have a header on line 1 and then two lines per municipality in code order, inventering before
kompetensutveckling: 0114 (the lowest code) on lines 2 and 3, and 290 × 2 = 580 data lines, so
line 582 is the first after them.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import materialize_pipeline
from tests.landing_zone_fixture import build_small_landing_zone


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path, str]:
    """(good raw dir, published warehouse, its SHA-256) after one good refresh."""
    root = tmp_path_factory.mktemp("register_problems")
    raw = build_small_landing_zone(root / "raw")
    # A year folder with no submission file needs no register.
    (raw / "2017" / "inventering").mkdir(parents=True)
    (raw / "2017" / "inventering" / ".gitkeep").write_text("")
    warehouse = root / "warehouse" / "kompetens.duckdb"
    assert materialize_pipeline(raw, warehouse).success
    return raw, warehouse, sha256(warehouse)


def register_lines(raw: Path, ar: int) -> list[str]:
    return (raw / str(ar) / "rekvisitioner.csv").read_text(encoding="utf-8").splitlines()


def write_register_lines(raw: Path, ar: int, lines: list[str]) -> None:
    (raw / str(ar) / "rekvisitioner.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def missing_register(raw: Path) -> None:
    # 2015 has a submission (goteborg-2015.csv).
    (raw / "2015" / "rekvisitioner.csv").unlink()


def wrong_header(raw: Path) -> None:
    lines = register_lines(raw, 2016)
    lines[0] = "kommun;andamal;fordelat_sek;rekvirerat_sek;aterbetalt_sek"
    write_register_lines(raw, 2016, lines)


def amount_with_a_space(raw: Path) -> None:
    lines = register_lines(raw, 2016)
    lines[1] = "0114;inventering;5 000;0;0"
    write_register_lines(raw, 2016, lines)


def unknown_kommunkod(raw: Path) -> None:
    write_register_lines(raw, 2016, [*register_lines(raw, 2016), "9999;inventering;0;0;0"])


def repeated_municipality_and_purpose(raw: Path) -> None:
    lines = register_lines(raw, 2016)
    write_register_lines(raw, 2016, [*lines, lines[1]])


def missing_row(raw: Path) -> None:
    lines = register_lines(raw, 2016)
    assert lines[2].startswith("0114;kompetensutveckling;")
    write_register_lines(raw, 2016, [*lines[:2], *lines[3:]])


def missing_municipality(raw: Path) -> None:
    lines = register_lines(raw, 2016)
    assert lines[1].startswith("0114;") and lines[2].startswith("0114;")
    write_register_lines(raw, 2016, [lines[0], *lines[3:]])


@pytest.mark.parametrize(
    ("break_zone", "expected_line"),
    [
        pytest.param(missing_register, "2015/rekvisitioner.csv: filen saknas", id="missing"),
        pytest.param(
            wrong_header, "2016/rekvisitioner.csv rad 1: rubrikraden ska vara ", id="unreadable"
        ),
        pytest.param(
            amount_with_a_space,
            "2016/rekvisitioner.csv rad 2: fordelat_sek '5 000' är inte ett helt antal kronor",
            id="bad_row",
        ),
        pytest.param(
            unknown_kommunkod,
            "2016/rekvisitioner.csv rad 582: kommunkoden '9999' är inte en av de 290",
            id="unknown_municipality",
        ),
        pytest.param(
            repeated_municipality_and_purpose,
            "2016/rekvisitioner.csv rad 2: kommun 0114 har 2 rader för ändamålet inventering "
            "(rad 2 och 582)",
            id="duplicate_row",
        ),
        pytest.param(
            missing_row,
            "2016/rekvisitioner.csv: ändamålet kompetensutveckling saknas för kommun 0114",
            id="missing_row",
        ),
        pytest.param(
            missing_municipality,
            "2016/rekvisitioner.csv: kommun 0114 saknas",
            id="missing_municipality",
        ),
    ],
)
def test_a_register_problem_fails_the_refresh_naming_file_line_and_problem_and_publishes_nothing(
    published, tmp_path, break_zone: Callable[[Path], None], expected_line: str
):
    good_raw, warehouse, published_sha256 = published
    raw = tmp_path / "raw"
    shutil.copytree(good_raw, raw)
    break_zone(raw)

    result = materialize_pipeline(raw, warehouse, raise_on_error=False)

    assert not result.success
    failures = [event for event in result.all_events if event.is_step_failure]
    assert [event.step_key for event in failures] == ["core__grant_register"]
    message = failures[0].step_failure_data.error.message
    assert any(line.startswith(f"- {expected_line}") for line in message.splitlines()), message
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("kompetens_warehouse") not in materialized
    assert sha256(warehouse) == published_sha256
