# innkeeper — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PostgreSQL used by `make test` for the second pass; override to point elsewhere.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: help run test test-fast test-sqlite test-postgres lint typecheck install clean system-tools lock
.PHONY: bench bench-tools deploy-check test-cluster

help:
	@echo "make run    install, migrate, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test   install and run the whole suite (SQLite and PostgreSQL at once) + ruff + mypy"
	@echo "make test-fast  the inner loop: SQLite, without the slow and browser tests (< 2 min)"
	@echo "make lock   rewrite the hashed lock files in requirements/ from pyproject.toml"
	@echo "make bench  benchmarks against the local PostgreSQL (bench/README.md; 4-8 min, budget 15)"

# Find a Python >= 3.12 by *running* candidates: PATH names first, then pyenv's folders
# (pyenv shims exist for versions that are not selected and fail when run).
$(VENV)/bin/python:
	@set -e; found=""; \
	for c in python3.13 python3.12 python3 python \
	         $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 \
	         /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12; do \
	  if "$$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    found="$$c"; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "innkeeper needs Python >= 3.12 with venv. Install one, e.g. 'apt-get install python3.12 python3.12-venv'" >&2; \
	  echo "or 'pyenv install 3.13', then run make again." >&2; exit 1; fi; \
	echo "Using $$found ($$("$$found" --version))"; \
	"$$found" -m venv $(VENV)

# Pinned, hashed versions of every dependency (runtime + dev) from requirements/; the project
# itself goes on top without deps. `make lock` rewrites the lock files from pyproject.toml.
LOCKS := requirements/lock.txt requirements/dev-lock.txt
$(STAMP): $(VENV)/bin/python pyproject.toml $(LOCKS)
	@$(PY) tools/check_lock.py
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev-lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# Keeps the current pins where pyproject still allows them (uv reads the old files first);
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions. A file left
# with merge-conflict markers is regenerated from scratch.
LOCK_ARGS ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --quiet $(LOCK_ARGS)
lock: $(VENV)/bin/python
	@[ -x $(BIN)/uv ] || $(PY) -m pip install --quiet uv
	@mkdir -p requirements; for f in $(LOCKS); do \
	  if grep -qE '^(<<<<<<<|>>>>>>>|=======)' "$$f" 2>/dev/null; then rm "$$f"; fi; done
	$(UV_COMPILE) --extra dev -o requirements/dev-lock.txt
	$(UV_COMPILE) -c requirements/dev-lock.txt -o requirements/lock.txt
	@$(PY) tools/check_lock.py && echo "requirements/ is up to date with pyproject.toml"

# Debian tools the suite drives (Chromium, ...): installed when missing (tools/system-packages.txt).
system-tools:
	@tools/ensure-system-packages.sh

run: install
	$(BIN)/innkeeper migrate --no-input
	$(BIN)/innkeeper demo --if-empty
	$(BIN)/innkeeper serve --host 127.0.0.1 --port 8000

lint: install
	$(PY) tools/check_lock.py
	$(BIN)/ruff check src $(wildcard bench) tools
	$(BIN)/ruff format --check src $(wildcard bench) tools
	@! grep -rnE '^\s*(from|import) innkeeper\.[a-z_.]+\.tests\b' src $(wildcard bench) || \
	  { echo "a test imports another test module: move the helper to src/innkeeper/testing/" >&2; \
	    exit 1; }
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy bench

# Each pass runs on PYTEST_WORKERS pytest-xdist workers, each with its own test database
# (pytest-django adds _gw0, _gw1... to its name); a test file stays on one worker, so a
# module's shared server or browser is started once.
PYTEST_WORKERS ?= 2
# Bytecode is cached (PYTHONDONTWRITEBYTECODE unset): every CLI, server and worker the tests
# start then loads innkeeper's modules compiled, and pytest keeps its rewritten test modules.
PYTEST = env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-sqlite: install system-tools
	DATABASE_URL= $(PYTEST)

test-postgres: install system-tools
	@rc=0; $(PY) -m innkeeper.testing.require_postgres "$(TEST_POSTGRES_URL)" || rc=$$?; \
	if [ $$rc -eq 3 ]; then exit 0; elif [ $$rc -ne 0 ]; then exit $$rc; fi; \
	DATABASE_URL="$(TEST_POSTGRES_URL)" ENGINE_INDEPENDENT_ELSEWHERE=1 $(PYTEST)

# The two engines' passes and the static checks run at the same time (each one's output is
# printed as it ends): the passes are CPU-bound, and ruff/lint-imports/mypy fill their waits.
# Tests that do not use the database engine run in the SQLite pass only (root conftest,
# `uses_engine`); the PostgreSQL pass deselects them.
test: install system-tools
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint typecheck test-sqlite test-postgres

# A developer's inner loop: no test marked slow (servers, workers, subprocess CLIs) or browser.
test-fast: install
	DATABASE_URL= $(PYTEST) -m "not slow and not browser"

# deploy/ only (Dockerfile, entry point, compose, kustomize, systemd, nginx/Caddy); also in `make test`.
deploy-check: install system-tools
	$(BIN)/pytest -q src/innkeeper/ops/tests/test_deploy_manifests.py src/innkeeper/ops/tests/test_deploy_image.py

# Several nodes on loopback under a booking load while nodes are killed and a rolling release
# drains each web node (README "Deploy"): nginx + 3 web + 2 workers + 2 schedulers on a scratch
# database of TEST_POSTGRES_URL's server. Minutes long: not part of `make test`.
test-cluster: install system-tools
	TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(PY) -m innkeeper.testing.cluster.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Benchmarks (not part of `make test`): own database `innkeeper_bench` on BENCH_POSTGRES_URL,
# results in bench/results/<date>.json and .md. BENCH_ARGS, e.g. "--size small --only booking".
BENCH_ARGS ?=
bench-tools:
	@if ! command -v wrk >/dev/null; then \
	  echo "installing wrk (Debian package)"; \
	  apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || \
	  { apt-get update >/dev/null && apt-get install -y --no-install-recommends wrk; }; fi
	@command -v pgbench >/dev/null || { echo "pgbench missing: apt-get install postgresql-15" >&2; exit 1; }

bench: install bench-tools
	$(PY) -m bench.run $(BENCH_ARGS)
