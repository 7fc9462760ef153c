"""Write the synthetic landing zone: raw/<year>/rekvisitioner.csv, raw/<year>/inventering/*
and raw/README.md, byte-identical on every run."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from .answers import build_answers
from .design import build_design
from .files import build_uploads
from .grants import build_registers, register_csv
from .raw_readme import render_readme
from .reference import municipalities

GENERATED_ENTRY = re.compile(r"^(\d{4}|README\.md)$")


def build() -> dict[str, bytes]:
    """Relative path → content of every file of the landing zone."""
    all_municipalities = municipalities()
    design = build_design(all_municipalities)
    answers = build_answers(design, all_municipalities)
    registers = build_registers(design, all_municipalities)
    uploads = build_uploads(design, answers, all_municipalities)
    files = {f"{year}/rekvisitioner.csv": register_csv(rows) for year, rows in registers.items()}
    for year, year_uploads in uploads.items():
        files.update(
            {f"{year}/inventering/{upload.file_name}": upload.content for upload in year_uploads}
        )
    files["README.md"] = render_readme(
        design, answers, registers, uploads, all_municipalities
    ).encode("utf-8")
    return dict(sorted(files.items()))


def write(out_dir: Path, replace: bool) -> int:
    if out_dir.exists() and any(out_dir.iterdir()):
        foreign = sorted(p.name for p in out_dir.iterdir() if not GENERATED_ENTRY.match(p.name))
        if not replace or foreign:
            reason = (
                f"it holds files the generator did not write: {foreign}"
                if foreign
                else "use --replace"
            )
            print(f"{out_dir} is not empty; {reason}", file=sys.stderr)
            return 2
        for entry in out_dir.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    files = build()
    for relative, content in files.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"wrote {len(files)} files to {out_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate_raw", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="landing zone to write, e.g. raw")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace an earlier output in --out (year folders and README.md only)",
    )
    args = parser.parse_args(argv)
    return write(args.out, args.replace)
