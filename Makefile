# Tupa: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test test-dates lint format bench messages migration wheel-check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tupa needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/tupa migrate
	$(BIN)/tupa demo --if-empty
	$(BIN)/tupa serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The date-sensitive tests (recurrence, sessions and feeds) run again, on SQLite, with
# the tests' clock at hard moments: Christmas week (its horizon holds Christmas, the
# year's end in ISO week 53 and Epiphany), the eve of Epiphany just after midnight (UTC is
# still the day before), both daylight-saving changes, and 29 February.
DATE_MOMENTS := 2026-12-23T09:00:00+02:00 2027-01-05T00:30:00+02:00 \
	2026-03-29T10:00:00+03:00 2026-10-25T10:00:00+02:00 2028-02-29T09:00:00+02:00
DATE_TESTS := tests/unit/test_frozen_time.py tests/unit/test_recurrence.py tests/unit/test_feed_render.py \
	tests/integration/test_feeds.py tests/integration/test_schedule.py
XDIST ?= -n 2 --dist load

# Browser tests run on their own, one at a time: their offline and live-update steps wait
# on timers that two busy processes can starve. Exit 5 (PYTEST_ARGS chose none) is fine.
test: lint
	$(BIN)/python -m pytest $(XDIST) -m "not e2e" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m tests.wheel_check $(WHEEL_CHECK_ARGS)
	$(MAKE) --no-print-directory test-dates

# The date-sensitive tests again, once at each of DATE_MOMENTS, in one pytest run.
test-dates: install
	TUPA_TEST_MOMENTS="$(DATE_MOMENTS)" $(BIN)/python -m pytest $(XDIST) -q -k "not postgres" $(DATE_TESTS)

# Build the wheel, install it into a fresh virtualenv, migrate and serve from it.
# WHEEL_CHECK_ARGS=--reuse-dependencies borrows this venv's dependencies (no network).
wheel-check: install
	$(BIN)/python -m tests.wheel_check $(WHEEL_CHECK_ARGS)

bench: install
	$(BIN)/python -m tests.benchmarks $(BENCH_ARGS)

# Extract translatable strings and merge them into every catalogue under locales/.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k npgettext:1c,2,3 -k lazy_gettext -o locales/messages.pot --no-location --sort-output --project Tupa .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete

# A new migration with what changed in an app's tables: make migration app=accounts
# (tests/integration/test_migrations.py fails while a table and its migrations differ).
# The new file is switched to PortableMigrationManager (constraints on SQLite, add_raw_after).
migration: install
	PICCOLO_CONF=service.piccolo_conf $(BIN)/piccolo migrations new $(app) --auto
	$(BIN)/python -c "$$PORTABLE_MIGRATION" migrations/$(app)

define PORTABLE_MIGRATION
import pathlib, sys
path = max(pathlib.Path(sys.argv[1]).glob("*.py"), key=lambda file: file.stat().st_mtime)
text = path.read_text().replace("MigrationManager", "PortableMigrationManager").replace(
    "from piccolo.apps.migrations.auto.migration_manager import",
    "from service.migration_manager import",
)
path.write_text(text)
print(f"{path}: uses PortableMigrationManager")
endef
export PORTABLE_MIGRATION

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
