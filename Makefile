# Two commands on a fresh machine: `make demo` runs chatshop, `make test` runs every check.
# Both create the virtual environment in .venv on first use.

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench docs screenshots

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/chatshop demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src server tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/relay_bench.py

docs: $(STAMP)
	$(PY) -m chatshop.protocol.docgen

screenshots: $(STAMP)
	$(VENV)/bin/chatshop screenshots
