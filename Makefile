# Two commands do everything: `make serve` and `make test`. Both create .venv on first use and
# reinstall only when requirements.lock or pyproject.toml changed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: serve test test-all test-cpython test-stress pythons build lint lock clean images expected-output bench

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; run make PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

# Live reload watches docs/ (MkDocs' default) and images/, tinyloop/ and hooks/ (mkdocs.yml `watch:`).
serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# Lint and types first (fast, and they name file:line), then every test: the blocks under both
# loops, the strict site build, the scan for other hosts and the browser test.
# `make test PAGE=docs/x.md` checks one page instead: its blocks' lint, its links, anchors and
# pictures, its references to CPython's source, and its blocks under both loops (PAGE may name
# several pages, separated by spaces).
ifdef PAGE
test: $(STAMP)
	$(BIN)/ruff format --check $(PAGE)
	$(BIN)/python -m tools.lint_blocks $(PAGE)
	$(BIN)/python -m tools.check_links $(PAGE)
	$(BIN)/python -m tools.sources $(PAGE)
	$(BIN)/python -m pytest $(addprefix --page ,$(PAGE)) $(PYTEST_ARGS)
else
test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

# `make test` under every supported Python (3.11 to 3.15) that this machine has, each in a virtual
# environment of its own under .nox/. A missing one is a note, or a failure with CI=true.
test-all: $(STAMP)
	$(BIN)/python -m tools.pythons check
	$(BIN)/nox --noxfile noxfile.py

# CPython's own test_asyncio on tinyloop (tools/cpython_suite.py) under every supported Python that
# this machine has, each in its environment under .nox/ (about five minutes a version). A version
# whose total pass % is below CPYTHON_SUITE_MIN_PASS (noxfile.py) fails, naming its rate;
# `make test-cpython MIN_PASS=95` sets another. Each test's outcome: build/cpython_suite/*.json.
test-cpython: $(STAMP)
	$(BIN)/python -m tools.pythons check
	$(if $(MIN_PASS),CPYTHON_SUITE_MIN_PASS=$(MIN_PASS)) $(BIN)/nox --noxfile noxfile.py --session cpython_suite

# Every block under both loops N times while the machine is kept busy (tools/stress.py); lists
# every block whose output ever differed from its page. `make test-stress N=20 PAGE=docs/x.md`.
N ?= 5
test-stress: $(STAMP)
	$(BIN)/python -m tools.stress --runs $(N) $(PAGE)

# Install the supported Pythons the machine lacks into .pythons/ (Debian or Ubuntu: from Debian's
# unstable suite, with mmdebstrap; see tools/pythons.py), each with its test package, which
# make test-cpython runs. A second run does nothing; a .pythons/ folder made without the test
# package is installed again.
pythons:
	$(PYTHON) -m tools.pythons install

lint: $(STAMP)
	$(BIN)/ruff check tinyloop tests hooks tools bench conftest.py noxfile.py
	$(BIN)/ruff format --check tinyloop tests hooks tools bench conftest.py noxfile.py docs
	$(BIN)/python -m tools.lint_blocks
	$(BIN)/mypy
	$(BIN)/codespell

# Rewrite the output blocks of the pages (or of PAGE) from real runs; review with `git diff`.
# Refuses, naming the block, where asyncio and tinyloop print different things.
expected-output: $(STAMP)
	$(BIN)/python -m tools.expected_output $(PAGE)

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir build/site

# Redraw the pictures in images/ (tools/pictures); tests/test_pictures.py checks they are current.
images: $(STAMP)
	$(BIN)/python -m tools.pictures images

# Run the benchmarks (about ten minutes; on a quiet machine), then rebuild docs/performance.md
# and images/bench_*.svg from bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench --full --out bench/results.json
	$(BIN)/python -m bench.page bench/results.json

# Re-pin every package from requirements.in for Python 3.11 to 3.15 (needs uv on PATH).
lock:
	@command -v uv >/dev/null || { echo "make lock needs uv: python3 -m pip install uv"; exit 1; }
	uv pip compile requirements.in --universal --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .nox build site .pytest_cache .mypy_cache .ruff_cache
# .pythons/ is kept: `rm -rf .pythons` to remove the installed Pythons too.
