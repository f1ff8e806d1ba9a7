# ALLFORCES — two commands: `make run` (site on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Parallel test workers (pytest-xdist); `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: install run test migrate demo check clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## install: create .venv with the runtime and development dependencies
install: $(STAMP)

## migrate: apply database migrations (SQLite db.sqlite3 unless DATABASE_URL is set)
migrate: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

## demo: load the Japanese demo articles (idempotent)
demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo

## run: install, migrate, load demo content and serve on http://127.0.0.1:8000
run: demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## test: the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## check: Django's system checks and a missing-migration check
check: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache
