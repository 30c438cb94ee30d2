# Goldfish. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup run migrate test test-sqlite test-postgres test-fast lint format bench bench-matching soak screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create the virtualenv with the pinned dependencies

migrate: setup ## Apply the database migrations (DATABASE_URL, default var/goldfish.db)
	$(BIN)/goldfish migrate

run: migrate ## Set up, migrate and serve on HOST:PORT (127.0.0.1:8000)
	$(BIN)/goldfish serve

# The whole suite on SQLite; then on PostgreSQL too when GOLDFISH_TEST_POSTGRES_URL is set,
# all but the browser tests: those check pages and what a person clicks, which no engine
# changes, while what does differ (locks, connections, processes) is the live tier's
# (tests/live), which runs on both; nor the tests that open no database at all
# (parsers, fetching, rules), which the SQLite run has run. `make test-postgres` runs
# every test on PostgreSQL.
# One pytest process per core (pytest-xdist), a test module kept on one of them.
PYTEST := $(BIN)/pytest -n auto --dist loadfile
test: setup ## Run the whole test suite (SQLite; PostgreSQL too, browsers aside, if configured)
	$(PYTEST)
	@if [ -n "$$GOLDFISH_TEST_POSTGRES_URL" ]; then $(PYTEST) --postgres --database-tests-only -m "not browser"; \
	else echo "PostgreSQL run skipped: set GOLDFISH_TEST_POSTGRES_URL to include it (CI does)."; fi

test-sqlite: setup ## Run the suite on SQLite only
	$(PYTEST)

test-postgres: setup ## Run the suite on PostgreSQL (needs GOLDFISH_TEST_POSTGRES_URL)
	$(PYTEST) --postgres

test-fast: setup ## Everything but the browser tests
	$(PYTEST) -m "not browser"

lint: setup ## ruff check, format check, and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests bench
	$(BIN)/lint-imports

format: setup ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format app tests bench

# ARGS passes options through, e.g. make bench ARGS="--only journal --requests 10";
# ARGS="--only data" runs only the full export/import bench (python -m bench.data).
bench: setup ## Print page timings, ratios to a bare page (the floor), export/import time and memory, and a 1,000-row spreadsheet import
	$(BIN)/python -m bench $(ARGS)
	$(BIN)/python -m bench.ratios
	$(BIN)/python -m bench.journal_export
	$(BIN)/python -m bench.spreadsheet

# ARGS passes options through, e.g. make bench-matching ARGS="--data DIR --compare".
bench-matching: setup ## Print release-matching quality (precision, recall, feedback) and speed
	$(BIN)/python -m bench.matching $(ARGS)

# ARGS passes options through, e.g. make soak ARGS="--quick --only lock".
soak: setup ## Soak the real server: load, kill -9, a held lock, RSS, SIGTERM (ARGS=--quick)
	$(BIN)/python -m bench.soak $(ARGS)

# PNGs of every page (demo data, a real server, Chromium at /usr/bin/chromium), e.g.
# var/screenshots/phone-dark/portfolio.png; ARGS="--full-page" for whole pages.
screenshots: setup ## Photograph every page at 1280×800 and 390×844, light and dark (var/screenshots/)
	$(BIN)/python -m bench.screens $(ARGS)

clean: ## Remove the virtualenv and caches (keeps var/, your data)
	rm -rf $(VENV) .pytest_cache .ruff_cache
