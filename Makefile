# lastmile: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
DEBIAN_PACKAGES := chromium freeradius freeradius-rest freeradius-utils gettext libpango-1.0-0 libpangoft2-1.0-0 poppler-utils snmp snmpd

.PHONY: help bootstrap deps system-deps demo test test-fast lint format bench messages clean-db docs

help:
	@echo "make demo   - install, start embedded PostgreSQL, load demo data, serve on 127.0.0.1:8000"
	@echo "make test   - install what is missing, lint, run the whole test suite"
	@echo "make lint   - ruff check, ruff format --check, mypy, layer contracts (import-linter)"
	@echo "make bench  - benchmarks (writes docs/benchmarks.md)"

# uv itself comes from PyPI when missing.
$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages uv

deps: $(UV)
	$(UV) sync --frozen --quiet

# Debian packages the tests need (browser, radclient, msgfmt); only as root.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing Debian packages (install them as root):$$missing"; fi; \
	fi

bootstrap: deps system-deps

demo: deps
	LASTMILE_DEMO=1 $(BIN)/lastmile demo

lint: deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	LASTMILE_DEMO=1 $(BIN)/mypy src tests
	$(BIN)/lint-imports --no-cache

format: deps
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

test: bootstrap lint
	$(BIN)/pytest -q -n 2

test-fast: deps
	$(BIN)/pytest -q -x -m "not e2e"

bench: deps
	$(BIN)/python bench/run.py

messages: deps
	cd src/lastmile && LASTMILE_DEMO=1 ../../$(BIN)/lastmile makemessages -l ru --no-obsolete --no-location
	cd src/lastmile && LASTMILE_DEMO=1 ../../$(BIN)/lastmile compilemessages

# Stops and deletes the demo's and the tests' embedded clusters, wherever they live
# (as root the data sits under LASTMILE_PG_ROOT_DIR, behind a symlink in var/).
clean-db:
	@test -x $(BIN)/python || { echo "No $(VENV) here: nothing lastmile started to clean."; exit 0; }; \
	LASTMILE_DEMO=1 $(BIN)/python -c "from pathlib import Path; from lastmile.db.runtime import cluster_at; [cluster_at(Path(p)).remove() for p in ('var/pg', 'var/pg-test', 'var/pg-bench')]"

docs: deps
	LASTMILE_DEMO=1 $(BIN)/python -c "from lastmile.conf import configuration_markdown as m; open('docs/configuration.md', 'w').write(m())"
