# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint typecheck pytest lock messages serve clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Propulse needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.lock pyproject.toml
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev: $(BIN)/python requirements-dev.lock pyproject.toml
	$(PIP) install -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	@touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime  ## set up, seed and serve the demo workspace on http://127.0.0.1:8000
	$(BIN)/propulse demo

serve: $(VENV)/.runtime
	$(BIN)/propulse serve

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.dev
	$(BIN)/mypy

pytest: $(VENV)/.dev
	bash scripts/run-tests.sh

test: lint typecheck pytest  ## set up and run everything: ruff, mypy, pytest on SQLite and PostgreSQL, browser tests

lock:  ## re-pin the dependencies (after a change to pyproject.toml)
	bash scripts/lock.sh

messages: $(VENV)/.dev  ## extract the messages and update the French catalog
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
