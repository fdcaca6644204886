# Kozak: `make run` starts the platform, `make test` runs the whole suite.
# Both do the whole set-up on a fresh clone: venv, torch (CPU build, pinned) first, then the project.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0

.PHONY: run test lint typecheck install clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PIP) install --quiet $(TORCH)
	$(PIP) install --quiet -e '.[dev,ray]'
	touch $(STAMP)

install: $(STAMP)

# The platform on http://127.0.0.1:8000 with a workspace in ~/.kozak (KOZAK_HOME); the first
# start creates the admin (it prints the password) and the Yeast example project.
run: install
	$(VENV)/bin/kozak db upgrade
	$(VENV)/bin/kozak up --host 127.0.0.1 --port 8000

test: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

bench: install
	$(PY) benchmarks/ingest.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info
