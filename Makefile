# innkeeper — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PostgreSQL used by `make test` for the second pass; override to point elsewhere.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: help run test test-sqlite test-postgres lint typecheck install clean system-tools
.PHONY: bench bench-tools deploy-check test-cluster

help:
	@echo "make run    install, migrate, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test   install and run the whole suite (SQLite, then PostgreSQL) + ruff + mypy"
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

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian tools the suite drives (Chromium, ...): installed when missing (tools/system-packages.txt).
system-tools:
	@tools/ensure-system-packages.sh

run: install
	$(BIN)/innkeeper migrate --no-input
	$(BIN)/innkeeper demo --if-empty
	$(BIN)/innkeeper serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src $(wildcard bench)
	$(BIN)/ruff format --check src $(wildcard bench)

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy bench

test-sqlite: install system-tools
	DATABASE_URL= $(BIN)/pytest

test-postgres: install system-tools
	@rc=0; $(PY) -m innkeeper.testing.require_postgres "$(TEST_POSTGRES_URL)" || rc=$$?; \
	if [ $$rc -eq 3 ]; then exit 0; elif [ $$rc -ne 0 ]; then exit $$rc; fi; \
	DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest

test: install lint typecheck test-sqlite test-postgres

# deploy/ only (Dockerfile, entry point, compose, kustomize, systemd, nginx/Caddy); also in `make test`.
deploy-check: install system-tools
	$(BIN)/pytest -q src/innkeeper/ops/tests/test_deploy_manifests.py src/innkeeper/ops/tests/test_deploy_image.py

# Several nodes on loopback under a booking load while nodes are killed and a rolling release
# drains each web node (README "Deploy"): nginx + 3 web + 2 workers + 2 schedulers on a scratch
# database of TEST_POSTGRES_URL's server. Minutes long: not part of `make test`.
test-cluster: install system-tools
	TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(PY) -m innkeeper.testing.cluster.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

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
