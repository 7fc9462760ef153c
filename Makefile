# Two commands set everything up on a machine with Python 3.11, pip, make and npm:
#   make refresh   install the locked environment and materialise the whole pipeline
#   make test      run the test suite
# Both honour KOMPETENS_RAW_DIR, KOMPETENS_WAREHOUSE and DAGSTER_HOME.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
VENV := .venv
# uv itself is bootstrapped with pip into a private folder when it is not on the PATH.
UV := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)

export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: install refresh test validate test-full bench bench-growth dev lint clean

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

# The scripts, styles and icons of the Data Docs (assets/expectations/validation.py), from the npm
# lock; no package here needs an install script, so none runs.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

# The instance's SQLite storage is created here, once: two refreshes started at once on a new
# DAGSTER_HOME would otherwise both try to create it.
$(DAGSTER_HOME)/dagster.yaml: | $(VENV)/.installed
	mkdir -p $(DAGSTER_HOME)
	cp pipelines/dagster.yaml $@
	$(VENV)/bin/dagster instance migrate > /dev/null

# The job `refresh`, in this process; when nothing changed since the published build, it says so
# and starts no run (pipelines/refresh.py).
refresh: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/python -m pipelines.refresh

test: install
	$(VENV)/bin/python -m pytest

# The validator on one file, as a municipality runs it: make validate FILE=path/to/file.csv.
# The quotes keep a file name with spaces whole. make exits 2 whenever the validator does not
# exit 0; the validator's own exit codes are those of $(VENV)/bin/kompetens.
validate: $(VENV)/.installed
	$(VENV)/bin/kompetens validate "$(FILE)"

# The reliability figures of docs/RELIABILITY.md: 10 000 fuzzed files, 21 killed refreshes; and
# long random sequences of changes, each refresh compared with a cold build (issue 22).
test-full: install
	KOMPETENS_TEST_PROFILE=full $(VENV)/bin/python -m pytest -s --hypothesis-show-statistics tests/test_reliability_fuzz.py tests/test_reliability_refresh.py tests/test_reliability_hostile.py tests/test_state_machine.py

# The figures of docs/PERFORMANCE.md against the targets of issue 16: the refresh of the shipped
# data as ratios to the floor, 5 runs (about 6 minutes), and the growth series up to 1000× the
# landing zone with the 100× refresh once more on one core (about an hour, ~4 GB of disk). On a
# quiet machine, with no one editing the code meanwhile (the benchmark notices and says so).
bench: install
	$(VENV)/bin/python -m tools.bench.bench refresh

bench-growth: install
	$(VENV)/bin/python -m tools.bench.bench growth

# The webserver and the daemon, with the resources' default paths where KOMPETENS_RAW_DIR and
# KOMPETENS_WAREHOUSE are not set (pipelines/dev.py).
dev: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/python -m pipelines.dev

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(TOOLS) $(VENV) node_modules .pytest_cache
