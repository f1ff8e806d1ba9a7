# ALLFORCES — two commands: `make run` (site on http://127.0.0.1:8000) and `make test`; `make e2e` and `make lighthouse` for the browser.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Parallel test workers (pytest-xdist); `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: install run serve worker test migrate demo check bench bench-newsroom bench-fault clean e2e lighthouse browser-deps image-smoke test-replica

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

## demo: load the Japanese demo articles (idempotent) and re-render stored articles with the current Markdown pipeline
demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py rerender_articles

## run: install, migrate, load demo content and serve on http://127.0.0.1:8000
run: demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## serve: production settings (DEBUG off) under gunicorn on http://$(HOST):$(PORT); SQLite unless
## DATABASE_URL is set, Redis when REDIS_URL is set. Plain HTTP, so no HTTPS redirect or secure cookies.
## DJANGO_ALLOW_LOCAL_SERVICES=1 accepts SQLite, the local cache and console e-mail on purpose here;
## a real deployment leaves it unset and must set every variable (config/checks.py).
## Background tasks (e-mails, WebSub pings) wait in the database for `make worker`.
serve: $(STAMP)
	@test -n "$$DJANGO_SECRET_KEY" || test -s .serve-secret-key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > .serve-secret-key
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .serve-secret-key)}" DJANGO_DEBUG=0 \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_SERVE_MEDIA=1 \
	  DJANGO_ALLOW_LOCAL_SERVICES="$${DJANGO_ALLOW_LOCAL_SERVICES:-1}" \
	  DJANGO_SITE_URL="$${DJANGO_SITE_URL:-http://$(HOST):$(PORT)}" \
	  GUNICORN_BIND="$(HOST):$(PORT)" && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	exec $(BIN)/gunicorn --config gunicorn.conf.py config.wsgi:application

## worker: run background tasks (e-mails, WebSub pings) queued in the database, as production does.
## `make run` runs them in the server process; to try the worker, start both with the database backend:
##   DJANGO_TASKS_BACKEND=database make run   and, in another shell,   make worker
worker: migrate
	DJANGO_DEBUG=1 DJANGO_TASKS_BACKEND=database $(PY) manage.py db_worker

## bench: load benchmark (bench/README.md); BENCH_ARGS="--articles 500 --duration 5" for a quick run
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

## bench-newsroom: readers across the whole data set, quiet and while a writer and an editor work
## (bench/newsroom.py; needs REDIS_URL), e.g. BENCH_ARGS="--articles 1000 --duration 60"
bench-newsroom: $(STAMP)
	$(PY) bench/run.py --newsroom $(BENCH_ARGS)

## bench-fault: bounded load while Redis and PostgreSQL go away and come back (bench/fault.py)
bench-fault: $(STAMP)
	$(PY) bench/fault.py $(FAULT_ARGS)

## test: the whole test suite but the browser tests (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

# npm ci writes node_modules/.package-lock.json: reinstall when the lock file changes.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

## browser-deps: Debian's Chromium, Japanese fonts and Java 17 (for vnu), installed when missing
browser-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing (apt-get)"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
	@test -x /usr/bin/chromium || { echo "FATAL: /usr/bin/chromium is still missing after apt-get install chromium" >&2; exit 1; }
	@command -v java >/dev/null || { echo "FATAL: java is still missing (needed by the Nu HTML checker)" >&2; exit 1; }

## e2e: browser tests (Playwright + Debian's Chromium), axe-core and the Nu HTML checker; screenshots in artifacts/
e2e: $(STAMP) $(NODE_STAMP) browser-deps
	$(BIN)/pytest -n 0 -m e2e tests/e2e $(PYTEST_ARGS)

## lighthouse: Lighthouse scores of the home page and an article, served by gunicorn with demo data
lighthouse: $(STAMP) $(NODE_STAMP) browser-deps
	$(PY) bench/lighthouse.py

## test-replica: the replica tests and the public-page tests with a real streaming replica of the local
## PostgreSQL cluster (.ci/with-replica; needs root and DATABASE_URL on 127.0.0.1:5432)
REPLICA_TESTS ?= tests/test_replicas.py tests/blog/test_pages.py tests/blog/test_feeds.py tests/blog/test_json_feed.py \
  tests/blog/test_sitemap.py tests/blog/test_news_sitemap.py
test-replica: $(STAMP)
	.ci/with-replica $(BIN)/pytest -n 0 -m "not e2e" $(REPLICA_TESTS) $(PYTEST_ARGS)

## image-smoke: build the Docker image with podman and run it against the local PostgreSQL and Redis
## (migrate, demo content, web; checks /healthz, pages, a static file). Installs podman when missing.
## IMAGE_SMOKE_DB, IMAGE_SMOKE_REDIS_DB, IMAGE_SMOKE_PORT choose what it uses (docs/operations.md).
image-smoke:
	.ci/image-smoke

## check: Django's system checks and a missing-migration check
check: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache node_modules artifacts
