# The two commands of the README: `make demo` and `make test`. Both install first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PRAKERJA_HOME ?= $(CURDIR)/warehouse
PORT ?= 8501
SEED ?= 1

.PHONY: install demo test lint bench lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: install
	$(BIN)/prakerja generate --scale demo --seed $(SEED) --out $(PRAKERJA_HOME)/inbox
	$(BIN)/prakerja nightly
	$(BIN)/prakerja dashboard --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.run

# Regenerate the lock of the full resolved set after changing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark --python-version 3.11 \
		--no-header -o requirements.lock

clean:
	rm -rf $(VENV) warehouse dbt_project/target dbt_project/logs .pytest_cache
