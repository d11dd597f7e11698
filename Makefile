# Set-up and entry points. On a fresh Debian machine with Python 3.11 and make, `make demo` and
# `make test` do everything; re-running is fast (pip runs only when pyproject.toml changed).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-test

# The suite runs on two workers (pytest-xdist; the machines have 2 cores); each starts its own
# PostGIS. PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=30

.PHONY: demo test lint venv

demo: $(RUNTIME_STAMP)
	$(VENV)/bin/observatory demo

test: $(TEST_STAMP) lint
	scripts/ensure-postgis.sh
	scripts/ensure-browser.sh
	scripts/ensure-pdf-tools.sh
	$(PY) -m pytest $(PYTEST_ARGS)

# The gates: ruff on the whole tree, mypy on the packages (configured in pyproject.toml).
lint: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

venv: $(PY)

$(PY):
	PYTHON=$(PYTHON) scripts/ensure-venv.sh $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# The test extras include the runtime, so they satisfy `make demo` too.
$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(RUNTIME_STAMP)
