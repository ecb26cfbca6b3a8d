# certdesk: `make run` starts the server on its embedded defaults, `make test` runs every check.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install run demo test pytest lint format typecheck services bench load soak clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(VENV)/bin/certdesk serve --dev

demo: install  # against a running `make run`
	$(VENV)/bin/certdesk demo

services:
	scripts/services.sh

test: install services lint typecheck pytest

pytest: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy bot handlers models key_bridge

bench: install services
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m bench

load: install services  # LOAD_N applicants (default 200) through 2 servers + 1 worker
	$(PY) -m tests.load --applicants $${LOAD_N:-200}

soak: install services  # the load run while servers are killed (-9) and restarted
	$(PY) -m tests.load --applicants $${LOAD_N:-200} --crash

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
