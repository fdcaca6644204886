# Kozak: `make run` starts the platform, `make test` runs the whole suite.
# Both do the whole set-up on a fresh clone: venv, torch (CPU build, pinned) first, then the project,
# every package at the version requirements.lock pins (`make lock` refreshes it, deliberately).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
LOCK := requirements.lock
EXTRAS := .[dev,ray,modisco]
LOCK_VENV := build/lock-venv

.PHONY: run test lint typecheck layers install lock clean bench frontend api-types

# The web UI: `npm ci` when the lock file changes, a build when its sources change.
UI_STAMP := frontend/node_modules/.installed
UI_BUILD := src/kozak/server/static/index.html
UI_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/tsconfig.json frontend/vite.config.ts \
	frontend/postcss.config.cjs

$(PY):
	$(PYTHON) -m venv $(VENV)

# The build tools come from the lock too, so the project is built without an isolated environment
# (which would take whatever setuptools was released last).
$(STAMP): $(PY) pyproject.toml $(LOCK)
	$(PIP) install --quiet -c $(LOCK) pip setuptools wheel
	$(PIP) install --quiet -c $(LOCK) $(TORCH)
	$(PIP) install --quiet -c $(LOCK) --no-build-isolation -e '$(EXTRAS)'
	touch $(STAMP)

install: $(STAMP)

# Pin, in a clean venv, what pyproject.toml's ranges install: packages already in the lock keep
# their pins and new ones are resolved (as pip-compile does); `make lock UPGRADE=1` re-resolves
# everything to the newest releases the ranges allow. Review the diff, run `make test`, and commit
# the lock with the change that needed it.
KEEP_PINS := $(if $(UPGRADE),,$(if $(wildcard $(LOCK)),-c $(LOCK)))
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade $(KEEP_PINS) pip setuptools wheel
	$(LOCK_VENV)/bin/pip install --quiet $(KEEP_PINS) $(TORCH)
	$(LOCK_VENV)/bin/pip install --quiet $(KEEP_PINS) -e '$(EXTRAS)'
	{ echo "# The platform's install, every package pinned: made by \`make lock\` from a clean venv"; \
	  echo "# (torch first, then '$(EXTRAS)'); used as pip constraints by \`make install\`."; \
	  $(LOCK_VENV)/bin/pip freeze --all --exclude-editable | sed 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/'; \
	} > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(LOCK_VENV)

$(UI_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(UI_STAMP)

$(UI_BUILD): $(UI_STAMP) $(UI_SOURCES)
	cd frontend && npm run build

frontend: $(UI_BUILD)

# After changing an API route or schema: the schema the UI is typed from, and its TypeScript types.
api-types: install $(UI_STAMP)
	$(PY) -m kozak.server.openapi
	cd frontend && npm run api-types

# The platform on http://127.0.0.1:8000 with a workspace in ~/.kozak (KOZAK_HOME); the first
# start creates the admin (it prints the password) and the Yeast example project.
run: install frontend
	$(VENV)/bin/kozak db upgrade
	$(VENV)/bin/kozak up --host 127.0.0.1 --port 8000

test: install frontend
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

# The layer contract (pyproject.toml, [tool.importlinter]): imports point downward only.
layers: install
	$(VENV)/bin/lint-imports

bench: install
	$(PY) benchmarks/ingest.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info frontend/node_modules src/kozak/server/static
