# The two set-up commands of the README:  `make run`  and  `make test`.
# Each installs whatever is missing (a venv with the Python packages, the npm parts) and then acts.
# Stamps under .stamps/ make the second run fast; delete .stamps/ to force a reinstall.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .stamps
# CI's wall clock is 90 minutes; the suite gets a hard outer limit well inside it.
TEST_TIMEOUT ?= 3600

# What Qt needs from the system: offscreen rendering (tests) and an X server (Xvfb, screenshots, real use);
# see shared/design/desktop-engineering.md §1.4 and §6.
SYSTEM_PACKAGES := libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 \
  fonts-dejavu-core xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1

.PHONY: run test test-gui setup system parts lint bench clean translations

setup: system $(STAMPS)/venv $(STAMPS)/parts

# Installs the system libraries Qt needs when they are missing: by itself as root on Debian/Ubuntu,
# otherwise it names them. Elsewhere (no dpkg) it trusts the system.
system:
	@command -v dpkg >/dev/null 2>&1 || { echo "system: no dpkg here; make sure Qt's libraries and Xvfb are installed"; exit 0; }; \
	missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && apt-get install -y --no-install-recommends $$missing; \
	else \
	  echo "Qt needs these system packages, which are missing:$$missing"; \
	  echo "Install them with:  sudo apt-get install -y --no-install-recommends$$missing"; \
	  echo "(or run:  sudo make system)"; exit 1; \
	fi

$(STAMPS)/venv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,gui]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/parts: $(STAMPS)/npm $(STAMPS)/venv tools/build_parts.py desktop_app/sandbox/contracts/DataProtector.sol
	$(BIN)/python tools/build_parts.py
	@touch $@

parts: $(STAMPS)/parts

# 1. Install everything and open the window on the local sandbox (which the app starts itself).
run: setup
	$(BIN)/dataprotector-desktop

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# 2. Install everything and run the whole test suite.
test: lint
	QT_QPA_PLATFORM=offscreen QT_API=pyside6 \
	  timeout -k 10 $(TEST_TIMEOUT) $(BIN)/python -m pytest -q -p no:cacheprovider -p no:xvfb


# The GUI tests alone (they are part of `make test` too).
test-gui: setup
	QT_QPA_PLATFORM=offscreen QT_API=pyside6 \
	  timeout -k 10 $(TEST_TIMEOUT) $(BIN)/python -m pytest -q -p no:cacheprovider -p no:xvfb tests/gui

# A catalog for translators: `make translations LOCALE=fr` extracts every string of the window into
# resources/i18n/dataprotector_fr.ts (kept translations stay) and compiles the .qm the app loads.
translations: setup
	@test -n "$(LOCALE)" || { echo "usage: make translations LOCALE=fr"; exit 2; }
	mkdir -p resources/i18n
	$(BIN)/pyside6-lupdate $$(find desktop_app/ui -name '*.py' | sort) -ts resources/i18n/dataprotector_$(LOCALE).ts
	$(BIN)/pyside6-lrelease resources/i18n/dataprotector_$(LOCALE).ts

bench: setup
	$(BIN)/python tests/bench/bench_sandbox.py
	$(BIN)/python tests/bench/bench_ipfs.py
	$(BIN)/python tests/bench/bench_pool.py

clean:
	rm -rf $(VENV) $(STAMPS) .parts node_modules build
