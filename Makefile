# Two commands on a fresh machine: `make demo` runs chatshop, `make test` runs every check.
# Both install the locked dependencies (uv.lock) into .venv on first use; nothing else is
# needed but Python 3.11+ and make. uv itself is bootstrapped from the package index into
# .tools/ at the pinned version below, so every machine resolves and installs the same way.

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/uv-$(UV_VERSION)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced-stamp
# Never let uv download an interpreter of its own: use the machine's Python 3.11+.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= python3
# 2 workers measured fastest on 2 cores (docs/benchmarks.md, "Test suite").
PYTEST_WORKERS ?= 2

.PHONY: demo serve test lint pytest lock test-latest bench docs screenshots clean

$(UV):
	@echo "chatshop: fetching uv $(UV_VERSION), the installer that reads uv.lock (once) ..."
	python3 -m venv $(TOOLS)/uv-$(UV_VERSION)
	$(TOOLS)/uv-$(UV_VERSION)/bin/python -m pip install --disable-pip-version-check -q uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	@echo "chatshop: installing the locked dependencies into $(VENV) (first run only) ..."
	$(UV) sync --locked
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/chatshop demo

# The demo in a browser: http://127.0.0.1:8000/ (textual-serve; one demo per tab).
serve: $(STAMP)
	$(VENV)/bin/chatshop serve --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src server tests bench tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

pytest: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --cov --cov-report=term:skip-covered

test: lint pytest

# Upgrade every dependency on purpose: rewrite uv.lock to the newest releases, then install.
lock: | $(UV)
	$(UV) lock --upgrade
	$(UV) sync --locked
	@touch $(STAMP)

# The whole suite against the newest releases, in .venv-latest, leaving uv.lock alone:
# drift is found here on purpose, not by a newcomer. Not part of CI.
test-latest: | $(UV)
	$(UV) venv --allow-existing .venv-latest
	$(UV) pip install --python .venv-latest --upgrade -e . --group dev
	.venv-latest/bin/ruff check src server tests bench tools
	.venv-latest/bin/mypy
	.venv-latest/bin/lint-imports
	.venv-latest/bin/python -m pytest -n $(PYTEST_WORKERS)

bench: $(STAMP)
	$(PY) bench/relay_bench.py

docs: $(STAMP)
	$(PY) -m tools.docgen
	$(PY) -m tools.openapi

screenshots: $(STAMP)
	$(VENV)/bin/chatshop screenshots

clean:
	rm -rf $(VENV) .venv-latest $(TOOLS)
