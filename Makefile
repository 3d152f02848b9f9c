# The two set-up commands of the README:  `make run`  and  `make test`.
# Each installs whatever is missing (a venv with the Python packages, the npm parts) and then acts.
# Stamps under .stamps/ make the second run fast; delete .stamps/ to force a reinstall.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .stamps
# CI's wall clock is 90 minutes; the suite gets a hard outer limit well inside it.
TEST_TIMEOUT ?= 3600

.PHONY: run test setup parts lint bench clean

setup: $(STAMPS)/venv $(STAMPS)/parts

$(STAMPS)/venv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/parts: $(STAMPS)/npm $(STAMPS)/venv tools/build_parts.py desktop_app/sandbox/contracts/DataProtector.sol
	$(BIN)/python tools/build_parts.py
	@touch $@

parts: $(STAMPS)/parts

# 1. Install everything and start the app on the local sandbox.
run: setup
	$(BIN)/dataprotector-desktop sandbox up

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# 2. Install everything and run the whole test suite.
test: lint
	timeout -k 10 $(TEST_TIMEOUT) $(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python tests/bench/bench_sandbox.py
	$(BIN)/python tests/bench/bench_ipfs.py
	$(BIN)/python tests/bench/bench_pool.py

clean:
	rm -rf $(VENV) $(STAMPS) .parts node_modules build
