# Kyoso — everyday commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install lock messages node-modules migrate demo run test lint format check-migrations ci clean \
	backup restore screenshots bench bench-scale

# Installs exactly the locked versions (hashes checked), then Kyoso itself without dependencies.
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# The lock files from pyproject.toml's ranges: requirements.lock (what the image runs) and
# requirements-dev.lock (the same pins plus the dev tools). Pins already in the files are kept;
# `make lock LOCK_ARGS=--upgrade` moves every package to its newest release within the ranges.
LOCK_ARGS ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_ARGS)
lock: install
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock

# Compile the translation catalogues (*.po → *.mo) with polib, so no system gettext is needed.
messages: install
	$(BIN)/python -m consortium.i18n_build

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate messages
	$(MANAGE) load_demo

run: demo
	$(MANAGE) runserver $(HOST):$(PORT)

# axe-core for the accessibility test (tests/e2e/test_accessibility.py), a test-only npm package
# that the site never serves: installed from tests/e2e/package-lock.json when npm is there and
# the lock is newer than what is installed. Without it the test is skipped (fails in CI).
E2E_NODE := tests/e2e/node_modules
node-modules:
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "npm not found: tests/e2e/test_accessibility.py will be skipped"; \
	elif [ ! -d $(E2E_NODE) ] || [ tests/e2e/package-lock.json -nt $(E2E_NODE) ]; then \
	  { npm ci --prefix tests/e2e --no-audit --no-fund && touch $(E2E_NODE); } \
	    || echo "npm ci failed: tests/e2e/test_accessibility.py will be skipped"; \
	fi

test: messages node-modules
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (style, and the size limits on app code: complexity 12, branches, statements, arguments)
# and mypy with django-stubs on the apps, at zero errors.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy consortium members projects events reports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(MANAGE) makemigrations --check --dry-run

ci:
	bash .ci/run

# README screenshots (docs/screenshots/*.png) from the demo data in a scratch SQLite database,
# taken in headless Chromium; needs Debian's chromium.
SHOTS_DATABASE_URL ?= sqlite:////tmp/kyoso-shots.sqlite3
screenshots: messages
	DATABASE_URL=$(SHOTS_DATABASE_URL) $(BIN)/python -m tests.e2e.make_screenshots

# Backups of the PostgreSQL database (DATABASE_URL) and the uploaded files (MEDIA_ROOT, meeting
# materials and signed agreements), owner-only (dir 0700, files 0600): `make backup` writes
# backups/kyoso-<time>/{db.dump,files.tar.gz}; `make restore BACKUP=backups/kyoso-…` restores both
# (the database's tables and the file folders are replaced). See consortium/backup.py.
BACKUP ?= backups/kyoso-$(shell date +%Y%m%d-%H%M%S)
backup:
	$(BIN)/python -m consortium.backup create "$(BACKUP)"

restore:
	$(BIN)/python -m consortium.backup restore "$(BACKUP)"

# Benchmarks at prefecture scale (1M attendance rows) on PostgreSQL: writes bench/RESULTS.md.
# Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kyoso_bench, created if missing);
# BENCH_LOAD_SECONDS shortens the load test for trial runs, BENCH_SKIP_TESTS=1 skips `make test`.
# BENCH_ATTENDANCE=10000000 measures ten times the prefecture (its own database, kyoso_bench_10m);
# `make bench-scale` measures 1M and 10M and prints them side by side. Load needs wrk (apt).
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/kyoso_bench)
bench: messages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

bench-scale: messages
	BENCH_ATTENDANCE=1000000,10000000 DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media $(E2E_NODE)
