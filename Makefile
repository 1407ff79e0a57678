# Two commands for a learner: `make lab` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The newest Python 3.11+ on PATH builds the venv.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: lab test lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: install it and run make again."; exit 1; }
	@echo "Setting up $(VENV) with $(PYTHON) (first run takes a few minutes)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Extra options for JupyterLab, e.g. make lab JUPYTER_ARGS="--no-browser --port 8899"
JUPYTER_ARGS ?=
# JupyterLab would otherwise fetch news, update checks and the extension list from the internet.
JUPYTER_OFFLINE := --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.news_url=None \
	--LabApp.extension_manager=readonly

lab: $(STAMP)
	LABS_MODE=$${LABS_MODE:-local} $(BIN)/jupyter lab $(JUPYTER_OFFLINE) $(JUPYTER_ARGS) \
		notebooks/00-start-here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check labs tests bench conftest.py
	$(BIN)/ruff format --check labs tests bench conftest.py

test: $(STAMP) lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
