# Trygg: `make run` serves the demo, `make test` runs the whole suite, `make check` lints and type-checks.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
TRYGG := $(VENV)/bin/trygg
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# Work stealing: a worker that runs dry takes tests queued for the other, so a few long browser tests near the end
# of one worker's share do not leave the other core idle.
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist worksteal

# The tests marked date_sensitive run again with the clock frozen on each of these Stockholm moments
# (tests/frozen_clock.py): a leap day, New Year's Eve half an hour before midnight, and New Year's night four years
# from now, more than three years after the demo's current promise (the one for the running year) has ended.
FROZEN_CLOCKS ?= 2028-02-29T10:00 2030-12-31T23:30 $(shell echo $$(( $$(date +%Y) + 4 )))-01-01T00:30

.PHONY: install axe-core run test test-sqlite test-postgres test-dates check fuzz drill drill-cluster bench messages lock clean

# The browser tests' accessibility engine: axe-core's tarball from the npm registry at a pinned version, its script
# checked against a pinned SHA-256 (the Python package bundles an older axe). No Node or npm: only axe.min.js is used.
AXE_CORE_VERSION := 4.14.1
AXE_CORE_SHA256 := 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE_CORE_JS := var/axe-core/axe.min.js

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Trygg's modules compiled to bytecode as pip does for an installed package (an editable install is not compiled, and
# a shell with PYTHONDONTWRITEBYTECODE would compile them again at every start); only changed files are redone.
install: $(STAMP)
	$(PY) -m compileall -q -j 0 trygg

$(AXE_CORE_JS): Makefile tools/fetch_axe_core.py
	$(PYTHON) tools/fetch_axe_core.py $(AXE_CORE_VERSION) $(AXE_CORE_SHA256) $@

axe-core: $(AXE_CORE_JS)

run: install
	$(TRYGG) migrate --no-input
	$(TRYGG) load_demo
	@echo "Trygg serves the demo on http://127.0.0.1:8000 (staff pages: http://127.0.0.1:8000/personal/)"
	$(TRYGG) serve 127.0.0.1:8000

# The whole suite on SQLite, then every database-touching test again on a throwaway PostgreSQL, then the
# date-sensitive tests under frozen clocks.
test: test-sqlite test-postgres test-dates

test-sqlite: install axe-core
	$(PY) -m pytest $(PYTEST_XDIST)

test-postgres: install axe-core
	$(PY) tools/with_postgres.py -- $(PY) -m pytest $(PYTEST_XDIST) --db-only

# One session runs each date-sensitive test once per moment (its id names the moment): one start-up, collection and
# set of test databases instead of one per moment.
test-dates: install axe-core
	$(PY) -m pytest $(PYTEST_XDIST) -q --frozen-clock="$(FROZEN_CLOCKS)"

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy trygg tools scripts/loopback_cluster.py
	$(TRYGG) makemigrations --check --dry-run

fuzz: install axe-core
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest $(PYTEST_XDIST)

# Fault drills (security checklist items 36, 37, 39): kill -9 of the app and of PostgreSQL under load.
drill: install
	TRYGG_DRILL=1 $(PY) -m pytest -m drill trygg/core/tests

# The cluster drill (docs/deploy.md, "A cluster"): two application nodes, a PostgreSQL standby, PgBouncer and Redis
# on loopback; kill -9 of a node under a Locust mix, Redis stopped, the primary killed and the standby promoted.
# About five minutes on two cores, so not part of `make test`; its figures are printed (and with DRILL_FIGURES=<file>).
drill-cluster: install
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	TRYGG_DRILL=1 $(PY) -m pytest -n 0 -s -p no:cacheprovider tests/deploy/test_cluster_drill.py

# Every benchmark, then one table of their figures in docs/performance.md (bench_load.py alone takes ~40 min).
bench: install
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	mkdir -p var && rm -f var/bench-results.jsonl
	@for script in bench/bench_*.py; do echo "== $$script"; BENCH_RESULTS=var/bench-results.jsonl $(PY) $$script || exit 1; done
	@echo "== bench/bench_import_crimestats.py on PostgreSQL"
	BENCH_RESULTS=var/bench-results.jsonl $(PY) tools/with_postgres.py -- \
		sh -c '$(PY) bench/bench_import_crimestats.py --database-url "$$DATABASE_URL"'
	$(PY) tools/bench_table.py var/bench-results.jsonl docs/performance.md

messages: install
	cd trygg && ../$(TRYGG) makemessages -l en --ignore 'demo/*' && ../$(TRYGG) compilemessages -l en

lock: install
	$(PY) -m pip freeze --exclude-editable | grep -v '^trygg' > requirements.lock

clean:
	rm -rf $(VENV) var build *.egg-info
