"""Run one expectation suite with Great Expectations and rebuild the Data Docs.

Imported only in the helper process (assets/helper_process.py), which the checks send their
frames to: importing Great Expectations takes seconds, which the refresh's own process, loading
the Definitions or a unit test should not pay.

Each run keeps a small GX project of its own (in the system's temp dir) whose validation store
holds the results of this run's suites; every check adds its result and rebuilds the Data Docs
from that store, so after the last check the docs show every suite of the run. The helper process
keeps the run's GX context open between its suites, so the project is read once per run, and GX's
page templates compiled, so each suite pays for rendering its own pages only (issue 16).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# There is no network: GX must not try to send usage statistics. Set before the import.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import jinja2
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

from assets.expectations.suites import Expectation, ExpectationOutcome, Suite, SuiteOutcome

DOCS_SITE = "kompetens"
GX_PROJECTS_DIR = Path(tempfile.gettempdir()) / "kompetens-gx"
STALE_PROJECT_SECONDS = 24 * 3600
FAILING_ROWS_SHOWN = 20
# Where `make install` puts the npm packages: in the project, beside package.json.
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
VENDOR_FOLDER = Path("static") / "vendor"
# Every style and script that GX's page templates (great_expectations/render/view/templates) load
# from a CDN, and the same file of the npm package of the same version (package.json, locked in
# package-lock.json) that the pages load instead from the Data Docs' static/vendor/. Offline, a
# CDN tag leaves the index without its table (jQuery and bootstrap-table draw it) and the pages
# without style and status icons (Font Awesome). The vega scripts are the latest of the major
# version that GX asks jsDelivr for.
VENDORED_FILES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js-1.12.9/dist/umd/popper.min.js"
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/dist/js/bootstrap.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    # GX takes the filter control's styles from the release before its scripts'.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
# Font Awesome's all.min.css loads its glyphs from ../webfonts/.
VENDORED_FOLDERS = ("@fortawesome/fontawesome-free/webfonts",)
# GX's logo comes from its S3 bucket; GX also copies it into the docs' static/images/. Its
# dark-mode variant has no local copy, so dark mode shows the same logo.
_GX_IMAGES = {
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png": (
        "static/images/logo-long.png"
    ),
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png": (
        "static/images/logo-long.png"
    ),
}
# Where a page loads something: a script's, a style sheet's or an image's src or href, and a
# url() in a style. Plain hyperlinks (<a href>) load nothing and stay.
_LOADING_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
_TAG_URL = re.compile(r"\b(src|href)=\"(https?://[^\"]*)\"", re.IGNORECASE)
# A local file carries no CORS headers: a crossorigin request for it fails in Chromium, and so
# does an integrity check of an opaque response. tests/test_data_docs_browser.py compares the
# vendored files with the templates' hashes instead.
_CORS_ATTRIBUTE = re.compile(r"\s(?:integrity|crossorigin)=\"[^\"]*\"", re.IGNORECASE)
_STYLE_URL = re.compile(r"url\(\s*(['\"]?)(https?://[^'\")\s]*)\1\s*\)", re.IGNORECASE)


class _CompiledTemplates(jinja2.BytecodeCache):
    """GX's compiled page templates, kept for the life of the process.

    Every Data Docs build makes new views, each with a Jinja environment of its own, so without
    this every suite parsed and compiled the same templates again: about 0.2 s of each suite, as
    much as validating and rendering took together. Jinja checks each template's source against
    the checksum it was compiled from, so a changed template is compiled anew. The bytecode
    depends on the environment's options as well, which are the same in every GX view.
    """

    def __init__(self) -> None:
        self._bytecode: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._bytecode:
            bucket.bytecode_from_string(self._bytecode[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._bytecode[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


class _SharesCompiledTemplates:
    # GX passes a view only the arguments that its __init__ names: without them, the pages
    # would go without the project's custom styles.
    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.bytecode_cache = _COMPILED_TEMPLATES


class PageView(_SharesCompiledTemplates, DefaultJinjaPageView):
    """GX's page of a suite or a validation, rendered as GX renders it."""


class IndexPageView(_SharesCompiledTemplates, DefaultJinjaIndexPageView):
    """GX's index page, rendered as GX renders it."""


def _view(view_class: type) -> dict:
    return {"module_name": view_class.__module__, "class_name": view_class.__name__}


def validate_suite(
    suite: Suite, frame: pd.DataFrame, run_id: str, data_docs_dir: Path
) -> SuiteOutcome:
    """Validate `frame` against `suite`, store the result in this run's GX project and rebuild
    the Data Docs in `data_docs_dir`."""
    run = _open_run(run_id, data_docs_dir)
    context = run.context
    batch_definition = (
        context.data_sources.add_or_update_pandas("warehouse")
        .add_dataframe_asset(suite.table)
        .add_batch_definition_whole_dataframe("staging warehouse")
    )
    gx_suite = context.suites.add(
        gx.ExpectationSuite(
            name=suite.table,
            expectations=[_gx_expectation(expectation) for expectation in suite.expectations],
            meta={"notes": suite.description},
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.table, data=batch_definition, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=suite.table,
            validation_definitions=[validation],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(suite.row_identity),
            },
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": _in_fixed_order(frame, suite)},
        run_id=RunIdentifier(run_name=run_id),
    )
    _make_self_contained(data_docs_dir, run.self_contained)
    (validation_result,) = result.run_results.values()
    return SuiteOutcome(
        rows_validated=len(frame),
        expectations=[
            _outcome(expectation_result) for expectation_result in validation_result.results
        ],
    )


def _in_fixed_order(frame: pd.DataFrame, suite: Suite) -> pd.DataFrame:
    """`frame` sorted by its row identity, then by its other columns, with a fresh index.

    A suite's query has no ORDER BY, so the warehouse returns its rows in no fixed order (as they
    were written, or as a GROUP BY's threads finish), which differs between a refresh of a few
    years and a cold build of the same landing zone. GX fingerprints the frame it validates
    (pandas_data_fingerprint on the Data Docs pages) and lists failing rows in frame order:
    sorted, both depend on the rows alone (issue 16).
    """
    identity = [column for column in suite.row_identity if column in frame.columns]
    columns = [*identity, *(column for column in frame.columns if column not in identity)]
    if not columns:
        return frame
    return frame.sort_values(columns, kind="stable", na_position="last").reset_index(drop=True)


def _gx_expectation(expectation: Expectation):
    kwargs = dict(expectation.kwargs, meta={"blocking": expectation.blocking})
    if expectation.only_where is not None:
        column, value = expectation.only_where
        kwargs["row_condition"] = Column(column) == value
    return getattr(gx.expectations, expectation.kind)(**kwargs)


@dataclass
class _Run:
    context: object  # the GX context of the run's project
    # Each file of the Data Docs as _make_self_contained left it (os.stat's mtime, size, inode).
    self_contained: dict[Path, tuple[int, int, int]] = field(default_factory=dict)


# (run id, Data Docs folder) -> that run: the latest run only.
_open_runs: dict[tuple[str, Path], _Run] = {}


def _open_run(run_id: str, data_docs_dir: Path) -> _Run:
    key = (run_id, data_docs_dir)
    if key not in _open_runs:
        _open_runs.clear()
        _open_runs[key] = _Run(_open_run_context(run_id, data_docs_dir))
    return _open_runs[key]


def _open_run_context(run_id: str, data_docs_dir: Path):
    project_dir = GX_PROJECTS_DIR / run_id
    first_suite_of_run = not project_dir.exists()
    if first_suite_of_run:
        _remove_stale_projects()
        # The docs describe the latest run only: pages of earlier runs would otherwise linger.
        shutil.rmtree(data_docs_dir, ignore_errors=True)
    _copy_vendored_files(data_docs_dir)
    project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=project_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if DOCS_SITE not in context.get_site_names():
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "view": _view(IndexPageView),
                },
                # GX's own sections, only with the views above. (The profiling section renders
                # nothing: no run of ours is named "profiling".)
                "site_section_builders": {
                    "expectations": {"view": _view(PageView)},
                    "validations": {"view": _view(PageView)},
                },
            },
        )
    return context


def _remove_stale_projects() -> None:
    # A finished run's project is only its stored results; a day later nobody needs it.
    for project in GX_PROJECTS_DIR.glob("*"):
        try:
            stale = time.time() - project.stat().st_mtime > STALE_PROJECT_SECONDS
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(project, ignore_errors=True)


def _copy_vendored_files(data_docs_dir: Path) -> None:
    vendor = data_docs_dir / VENDOR_FOLDER
    for relative in VENDORED_FILES.values():
        source = NODE_MODULES / relative
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} is missing: the Data Docs serve their scripts, styles and icons from "
                "the npm packages of package-lock.json, which `make install` installs (npm ci)"
            )
        (vendor / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, vendor / relative)
    for relative in VENDORED_FOLDERS:
        shutil.copytree(NODE_MODULES / relative, vendor / relative, dirs_exist_ok=True)


def _make_self_contained(
    data_docs_dir: Path, self_contained: dict[Path, tuple[int, int, int]]
) -> None:
    """Point every page and style sheet of the docs to the local copies of what it loads.

    Only the files written since the last call: GX writes the index, this validation's page and
    its suite's, and copies its static files, and leaves the pages of the run's earlier suites,
    which this rewrote already. `self_contained` holds each file as this left it; a new process
    starts with none and rewrites every file once.
    """
    for page in [*data_docs_dir.rglob("*.html"), *data_docs_dir.rglob("*.css")]:
        if self_contained.get(page) == _written(page):
            continue
        text = page.read_text(encoding="utf-8")
        rewritten = _load_locally(text, page, data_docs_dir)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")
        self_contained[page] = _written(page)


def _written(page: Path) -> tuple[int, int, int]:
    stat = page.stat()
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _load_locally(text: str, page: Path, data_docs_dir: Path) -> str:
    """`text` with every style, script and image that it loads from the network pointed to its
    local copy beside the pages; a URL with none fails, rather than publish pages that call out."""

    def local(url: str) -> str:
        return _local_copy(url, page, data_docs_dir)

    def loading_tag(tag: re.Match) -> str:
        return _TAG_URL.sub(
            lambda found: f'{found.group(1)}="{local(found.group(2))}"',
            _CORS_ATTRIBUTE.sub("", tag.group(0)),
        )

    return _STYLE_URL.sub(
        lambda found: f"url('{local(found.group(2))}')", _LOADING_TAG.sub(loading_tag, text)
    )


def _local_copy(url: str, page: Path, data_docs_dir: Path) -> str:
    """`url`'s local copy, relative to `page`. GX adds a query to its logo's URL."""
    address = url.split("?", 1)[0]
    if address in VENDORED_FILES:
        target = data_docs_dir / VENDOR_FOLDER / VENDORED_FILES[address]
    elif address in _GX_IMAGES:
        target = data_docs_dir / _GX_IMAGES[address]
    else:
        raise ValueError(
            f"{page} loads {url}, which has no local copy: add its npm package to package.json "
            "and the file to VENDORED_FILES in assets/expectations/validation.py"
        )
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _outcome(expectation_result) -> ExpectationOutcome:
    config = expectation_result.expectation_config
    kwargs = config.kwargs
    columns = kwargs.get("column") or ", ".join(kwargs.get("column_list", []))
    details = expectation_result.result or {}
    failing_rows = details.get("unexpected_index_list") or []
    return ExpectationOutcome(
        expectation=f"{config.type}({columns})",
        blocking=bool(config.meta.get("blocking")),
        success=bool(expectation_result.success),
        unexpected_count=details.get("unexpected_count"),
        unexpected_values=_plain(details.get("partial_unexpected_list") or []),
        failing_rows=_plain(failing_rows[:FAILING_ROWS_SHOWN]),
    )


def _plain(values: list) -> list:
    """JSON-ready values for Dagster metadata (numpy scalars and NaN become plain Python)."""

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if pd.api.types.is_scalar(value) and pd.isna(value):
            return None
        return value.item() if hasattr(value, "item") else value

    return [plain(value) for value in values]
