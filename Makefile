# The two commands: `make run` and `make test`. Everything they need is set up here, so
# a fresh clone (and CI) gets the same result as a developer's machine.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PORT ?= 8000
PY := .venv/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# Bytecode is cached (in __pycache__, ignored by git) even where the environment says
# PYTHONDONTWRITEBYTECODE (this machine's does): without the cache every Python process
# compiles Django, DRF, Celery and the project again, about 10 s of CPU each (collecting
# the suite: 16 s of CPU cold, 6 s warm), and `make test` starts about ten of them.
unexport PYTHONDONTWRITEBYTECODE
# WeasyPrint's CJK font and faster font subsetting; pdftotext/pdftoppm; the test browser.
APT_PACKAGES := fonts-wqy-microhei libharfbuzz-subset0 poppler-utils chromium
# The PostgreSQL pass of `make test` (skipped, with the reason, when nothing answers).
PG_TEST_URL ?= postgres://root@127.0.0.1:5432/test

.PHONY: run dev test checks setup system-deps venv migrate demo lint format sqlite-tests pg-tests redis-tests bench serve

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "安装系统软件包：$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "缺少系统软件包，请以 root 执行："; \
	  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $$missing"; \
	fi

venv: .tools/bin/uv
	$(UV) sync --frozen --python python3 --quiet

setup: system-deps venv
	@mkdir -p var/staticfiles var/media
	$(PY) manage.py migrate --noinput -v0

demo: setup
	$(PY) manage.py seed_demo

# `make run` serves as production does (DEBUG off, Chinese error pages, a secret generated
# once into var/secret_key, static files collected and served by WhiteNoise, gunicorn),
# over plain HTTP on this machine and with Celery tasks in-process. `make dev` keeps
# Django's debug mode and the autoreloading development server.
RUN_ENV = DEBUG=false SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SERVE_HTTPS=false TASKS_IN_PROCESS=true

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: demo var/secret_key
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "在浏览器中打开 http://127.0.0.1:$(PORT)/"
	$(RUN_ENV) $(PY) -m gunicorn config.wsgi -c config/gunicorn.py --bind 127.0.0.1:$(PORT)

dev: demo
	@echo "开发模式（DEBUG）：http://127.0.0.1:$(PORT)/"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Three workers on two cores: the browser tests, the bench's server and the live-server
# walks wait on other processes, so two workers left the cores idle about a third of the
# time (fresh clone, idle machine: `make test` 6 min 05 s with two, 5 min 37 s with three;
# after the suite's own cuts, 3 min 29 s and 3 min 45 s with three, 2026-12-04).
# `--dist loadfile`: a file's tests run in one worker, so a module-scoped fixture (the
# demo district that the OpenAPI and fuzz tests share, about 10 s to seed) is built once,
# not once per worker; `--no-loadscope-reorder` keeps the order tests/conftest.py sets
# (the modules marked `slow` first), so no worker ends the pass alone on a long file.
# The three passes and the checks share nothing (SQLite in memory, a SQLite file of
# their own for the Redis pass, PostgreSQL) and run side by side, each one's output
# printed whole when it ends; the Redis pass mostly waits on its workers and the broker.
test: setup
	$(MAKE) --no-print-directory -j4 --output-sync=target checks sqlite-tests redis-tests pg-tests

# The linters and Django's checks, beside the test passes (they read, never write).
checks:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# The SQLite pass builds its in-memory databases from the models (`--no-migrations`, 6 s
# of CPU less per worker): `makemigrations --check` above proves the migrations make the
# same schema, the Redis and PostgreSQL passes run them, and the reference data the first
# migration inserts is put back by tests/conftest.py (`_reference_data`).
sqlite-tests:
	$(PY) -m pytest -m "not postgres and not redis" -n 3 --dist loadfile --no-loadscope-reorder \
	  --no-migrations

# Tests that start a real Celery worker on the real Redis run outside xdist, each file in
# a process of its own: in-process workers sharing one process (or one Redis under -n 2)
# starve each other, and a test that points Celery at a dead broker leaves it there.
# Their test database is a file (WAL, 20 s busy timeout) rather than SQLite's shared-cache
# memory database, whose table locks fail at once ("database table is locked") when the
# worker thread and the test write at the same moment; the first file migrates it and the
# others reuse it (`--reuse-db`; their tests are transactional and leave it empty).
REDIS_TEST_DB := $(CURDIR)/var/test-redis.sqlite3
redis-tests:
	@rm -f $(REDIS_TEST_DB)*; \
	for f in $$(grep -rl "pytest.mark.redis" tests | sort); do \
	  TEST_DB_NAME=$(REDIS_TEST_DB) \
	  $(PY) -m pytest -m "redis and not postgres" -p no:xdist --reuse-db -q $$f; rc=$$?; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then exit $$rc; fi; \
	done; rm -f $(REDIS_TEST_DB)*

# Tests that need PostgreSQL run against it when it answers; otherwise pytest reports
# them as skipped with the reason.
pg-tests:
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=2).close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -m postgres; rc=$$?; \
	else \
	  echo "PostgreSQL 不可达（$(PG_TEST_URL)）"; PG_UNREACHABLE=1 $(PY) -m pytest -m postgres; rc=$$?; \
	fi; \
	if [ $$rc -eq 5 ]; then echo "没有标记为 postgres 的测试"; exit 0; fi; exit $$rc

# The benchmark on a database of its own: `make bench SCALE=city`, or on PostgreSQL
# `make bench SCALE=nation BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/bench_nation`.
SCALE ?= district
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench-$(SCALE).sqlite3
bench: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench --scale $(SCALE)
