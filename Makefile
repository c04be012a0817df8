# Liaison: `make demo` sets everything up and serves the demo; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
ESCO_PATH ?= $(SHARED)/data/esco
MIGRANT_STOCKS ?= $(SHARED)/data/worldbank/WB_Bilateral_Estimates_Migrant_Stocks_2017.xlsx
REMITTANCE_FLOWS ?= $(SHARED)/data/worldbank/WB_Bilateral_Remittance_Estimates_2017.xlsx
RPW_HISTORY ?= $(SHARED)/data/worldbank/RPW_corridor_average_total_cost_2011-2020.csv
DEMO_MEMBERS ?= 2000
DEMO_SEED ?= 1
DEMO_RESPONSES ?= 400
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/liaison
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEV := LIAISON_ENV=development
TEST := LIAISON_ENV=test

.PHONY: help demo serve test lint typecheck checks pytest pytest-sqlite pytest-postgres \
	schema assets messages makemessages chromium gettext benchmarks clean openapi.yaml

help:
	@echo "make demo   set up everything (virtualenv, packages, assets, database, demo data) and serve http://$(HOST):$(PORT)"
	@echo "make test   lint, type-check, check migrations and API schema, run the suite on SQLite and PostgreSQL"

# --- setup -----------------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

liaison/static/dist/app.js: node_modules/.installed frontend/build.mjs $(wildcard frontend/src/*)
	npm run --silent build

assets: liaison/static/dist/app.js

gettext:
	@command -v msgfmt >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq gettext)

messages: $(VENV)/.installed gettext
	cd liaison && $(DEV) ../$(PY) ../manage.py compilemessages -v0

makemessages: $(VENV)/.installed gettext
	cd liaison && $(DEV) ../$(PY) ../manage.py makemessages -l fr -l ar --ignore "static/*" --no-obsolete

chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium)

# --- demo ------------------------------------------------------------------------------------
demo: $(VENV)/.installed assets messages
	$(DEV) $(PY) manage.py migrate --noinput -v0
	@if [ -d "$(ESCO_PATH)" ]; then $(DEV) $(PY) manage.py import_esco "$(ESCO_PATH)" --skip-if-loaded; \
	else echo "No ESCO folder at $(ESCO_PATH): running on the built-in ISCO-08 groups."; fi
	$(DEV) $(PY) manage.py seed_demo --members $(DEMO_MEMBERS) --seed $(DEMO_SEED) --if-empty
	$(DEV) $(PY) manage.py load_questionnaires --demo-responses $(DEMO_RESPONSES)
	$(DEV) $(PY) manage.py seed_opportunities
	$(DEV) $(PY) manage.py seed_remittances
	@if [ -f "$(MIGRANT_STOCKS)" ]; then $(DEV) $(PY) manage.py import_migrant_stocks "$(MIGRANT_STOCKS)"; fi
	@if [ -f "$(REMITTANCE_FLOWS)" ]; then $(DEV) $(PY) manage.py import_remittance_flows "$(REMITTANCE_FLOWS)"; fi
	@if [ -f "$(RPW_HISTORY)" ]; then $(DEV) $(PY) manage.py import_rpw_history "$(RPW_HISTORY)"; fi
	$(MAKE) --no-print-directory serve

serve:
	@echo "Starting the task worker and the server on http://$(HOST):$(PORT) (Ctrl+C stops both)"
	@$(DEV) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# --- checks ----------------------------------------------------------------------------------
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(TEST) $(VENV)/bin/mypy liaison tests benchmarks

schema: $(VENV)/.dev-installed
	@mkdir -p var
	$(TEST) $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
	@diff -u openapi.yaml var/openapi.yaml || (echo "openapi.yaml is out of date: run 'make openapi.yaml' and commit it." && exit 1)

openapi.yaml: $(VENV)/.dev-installed
	$(TEST) $(PY) manage.py spectacular --validate --fail-on-warn --file openapi.yaml

checks: lint typecheck schema
	$(TEST) $(PY) manage.py makemigrations --check --dry-run

pytest-sqlite: $(VENV)/.dev-installed assets messages chromium
	env -u DATABASE_URL $(TEST) $(VENV)/bin/pytest $(PYTEST_ARGS)

pytest-postgres: $(VENV)/.dev-installed assets messages chromium
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== pytest on PostgreSQL ($(TEST_DATABASE_URL))"; \
		$(TEST) DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then echo "CI needs PostgreSQL at $(TEST_DATABASE_URL) and none answers." && exit 1; \
	else echo "!! No PostgreSQL answers at $(TEST_DATABASE_URL): the PostgreSQL run is left out on this machine."; fi

test: checks
	@echo "== pytest on SQLite"
	$(MAKE) --no-print-directory pytest-sqlite
	$(MAKE) --no-print-directory pytest-postgres

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.dev-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	touch $@

benchmarks: $(VENV)/.bench-installed
	@ls benchmarks/*.py | grep -v '/_' | while read f; do echo "== $$f"; $(TEST) $(PY) $$f || exit 1; done

clean:
	rm -rf var liaison/static/dist node_modules $(VENV)
