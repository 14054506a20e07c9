# The few commands a newcomer needs. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
LOCALES := assets/locales
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Python's compiled-module cache (__pycache__, ignored by git) stays on even where the machine turns it off:
# without it every test process and every relay or `kraft` process a test starts compiles the app again
# (collection 11 s -> 4.5 s, a relay start 2.2 s -> 1.5 s here).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run check test lint bench catalogs messages browser-deps postgres clean lock

# Every dependency comes from the lock files, pinned with their hashes (docs/adr/0007-app-layout.md): two installs
# a month apart run the same code. The project itself is then installed without touching its dependencies.
$(STAMP): pyproject.toml requirements.lock requirements-desktop.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(PY) -m pip install --quiet --require-hashes -r requirements-desktop.lock; fi
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

## Refresh the lock files from pyproject.toml (newest versions its ranges allow; for every platform, Python 3.11+).
## uv runs from a throwaway venv of its own; setuptools and wheel are locked too (they build the project).
LOCK_TOOLS := .lock-tools
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet
lock:
	@[ -x $(LOCK_TOOLS)/bin/uv ] || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet 'uv>=0.9,<1'; }
	printf 'setuptools>=69\nwheel\n' | $(LOCK_TOOLS)/bin/uv pip compile pyproject.toml - --extra dev --extra relay \
		$(LOCK_FLAGS) -o requirements.lock
	$(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --extra desktop -c requirements.lock $(LOCK_FLAGS) \
		-o requirements-desktop.lock

## Compile the gettext catalogs (.po -> .mo); the .mo files are build output, never edited by hand.
catalogs: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -D kraft -d $(LOCALES) --statistics 2>&1 | grep -v "^$$" || true

## Re-extract every marked string and merge it into the catalogs (run after changing UI texts).
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -o $(LOCALES)/kraft.pot --no-location --sort-output --width=120 \
		--project=Kraft --copyright-holder="Kraft developers" app
	$(VENV)/bin/pybabel update -D kraft -i $(LOCALES)/kraft.pot -d $(LOCALES) --no-fuzzy-matching --width=120

## Start the app: a window where there is a display, else the web client on 127.0.0.1 (URL printed).
run: $(STAMP) catalogs
	$(PY) -m app

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## Debian's PostgreSQL, started, with a role and database for the relay's tests (idempotent).
PG_URL := postgresql://kraft:kraft@127.0.0.1:5432/kraft_test
postgres:
	@command -v pg_lsclusters >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }
	@ver=$$(ls /usr/lib/postgresql | sort -V | tail -1); \
		pg_lsclusters --no-header | grep -q "^$$ver  *main " || $(SUDO) pg_createcluster $$ver main >/dev/null; \
		$(SUDO) pg_ctlcluster $$ver main start >/dev/null 2>&1 || pg_lsclusters --no-header | grep -q "^$$ver  *main .*online" || \
		{ echo "PostgreSQL $$ver/main does not start: see /var/log/postgresql/" >&2; exit 1; }
	@$(SUDO) runuser -u postgres -- psql -qc "DO \$$\$$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kraft') \
		THEN CREATE ROLE kraft LOGIN PASSWORD 'kraft'; END IF; END \$$\$$;"
	@$(SUDO) runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'kraft_test'" | grep -q 1 || \
		$(SUDO) runuser -u postgres -- createdb -O kraft kraft_test

lint: $(STAMP)
	$(VENV)/bin/ruff check app coordinator protocol tests bench
	$(VENV)/bin/mypy

## The development loop: lint, types and every test but the browser ones, on two workers (under 3 minutes here:
## 165-185 s on 2 quiet cores, with a fifth of the Hypothesis examples, KRAFT_FAST=1; `make test` runs them all;
## worksteal: a worker that is done takes tests still queued for the other).
## Without KRAFT_TEST_POSTGRES_URL the relay's PostgreSQL cases are skipped; `make test` runs them.
check: $(STAMP) catalogs lint
	KRAFT_FAST=1 $(PY) -m pytest -q -n 2 --dist worksteal -m "not browser"

## Every test: lint, unit, CLI, in-process UI and real-browser tests; the browser tests again in the dark theme.
## The non-browser tests run on two workers as in `make check`; the browser tests run one at a time (each one
## drives Chromium and the Flutter client, and stays reliable only when it has the machine to itself).
test: $(STAMP) catalogs browser-deps postgres lint
	KRAFT_TEST_POSTGRES_URL=$(PG_URL) $(PY) -m pytest -q -n 2 --dist worksteal -m "not browser"
	KRAFT_TEST_POSTGRES_URL=$(PG_URL) $(PY) -m pytest -q -m browser
	KRAFT_BROWSER_THEME=dark $(PY) -m pytest -q -m browser tests/browser

## Speed and memory figures as one JSON object on stdout.
bench: $(STAMP) postgres
	@BENCH_POSTGRES_URL=$(PG_URL) $(PY) -m bench

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) artifacts .pytest_cache .mypy_cache .ruff_cache
	find $(LOCALES) -name '*.mo' -delete
