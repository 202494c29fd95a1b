# Two commands do all the set-up on a fresh machine:
#   make run    install into .venv, migrate, load the roster and demo data, serve on 127.0.0.1:$(PORT)
#   make test   install into .venv and run the whole suite (DATABASE_URL chooses the database)
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
# Folders the development settings point at (settings create nothing when imported).
VAR_DIR    ?= $(or $(PORTAL_VAR_DIR),var)
STATIC_DIR ?= $(or $(STATIC_ROOT),staticfiles)
# The suite on both cores (pytest-xdist): each worker has its own test database and upload
# folder. `--dist load` hands each worker its tests in collection order, so the transactional
# tests (which empty the tables; pytest-django puts them last) still run after the others on
# every worker; worksteal or loadfile would break that. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2

.PHONY: run test e2e setup install dirs lint format clean docs

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet ".[dev]"
	touch $(STAMP)

install: $(STAMP)

dirs:
	mkdir -p "$(VAR_DIR)" "$(STATIC_DIR)"

setup: install dirs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_roster
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py load_demo_data

run: setup
	@echo "门户地址: http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install dirs
	$(PY) manage.py check
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

# Browser journeys (Playwright driving Debian's Chromium at /usr/bin/chromium), one at a
# time: they share a live server.
e2e: install
	$(VENV)/bin/pytest -p no:xdist -m e2e tests/e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# The contracts, copied from the product's shared specification so that a clone is complete.
SHARED ?= ../shared
docs:
	cp $(SHARED)/DOMAIN.md docs/domain.md
	cp $(SHARED)/WORKBOOK.md docs/workbook.md
